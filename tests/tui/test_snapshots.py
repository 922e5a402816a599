"""Layouts at 80x24 and 160x50. Review the SVGs (snapshot_report.html) before accepting."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle, wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 50), id="160x50")]


@pytest.mark.parametrize("size", SIZES)
def test_queue(snap_compare: object, app_factory: AppFactory, size: tuple[int, int]) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j", "j")

    assert snap_compare(app_factory(), terminal_size=size, run_before=ready)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES)
def test_ticket(snap_compare: object, app_factory: AppFactory, size: tuple[int, int]) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "enter")  # #1002: hostile markup must show literally
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=size, run_before=ready)  # type: ignore[operator]


def test_help(snap_compare: object, app_factory: AppFactory) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]


def test_search(snap_compare: object, app_factory: AppFactory) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"status:pending stauts:x")
        await wait_for(pilot, lambda: "did you mean" in screen_text(pilot.app))  # type: ignore[arg-type]
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]
