"""Handle sessions recorded by the TUI: time with a ticket's screen in front, dialogs included."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agentdesk.domain import timefmt
from agentdesk.domain.handling import MIN_SESSION_MS
from screens.composer import ComposerScreen
from screens.ticket import TicketScreen
from tests.factories import T0, ticket_id
from tests.tui.conftest import AppFactory
from tests.tui.helpers import settle, wait_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(timefmt, "now_ms", moving)
    return moving


def sessions(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT ticket_id, agent_id, started_at, ended_at FROM handle_session"
            " ORDER BY started_at"
        ).fetchall()
    finally:
        conn.close()


async def test_time_on_a_ticket_is_recorded_when_it_is_left(
    app_factory: AppFactory, store_path: Path, clock: Clock
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        clock.now += 90_000
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(sessions(store_path)) == 1)
    assert sessions(store_path) == [(ticket_id(1000), "AG-ANA", T0, T0 + 90_000)]


async def test_a_dialog_over_the_ticket_is_part_of_handling_it(
    app_factory: AppFactory, store_path: Path, clock: Clock
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await settle(pilot)
        clock.now += 30_000
        await pilot.press("n")  # the note composer
        await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen))
        clock.now += 60_000
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await settle(pilot)
        assert sessions(store_path) == []
        clock.now += 10_000
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(sessions(store_path)) == 1)
    assert sessions(store_path) == [(ticket_id(1000), "AG-ANA", T0, T0 + 100_000)]


async def test_a_glance_is_not_recorded_and_quitting_records_the_open_session(
    app_factory: AppFactory, store_path: Path, clock: Clock
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        clock.now += MIN_SESSION_MS - 1
        await pilot.press("escape", "j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await settle(pilot)
        start = clock.now
        clock.now += 45_000
    assert sessions(store_path) == [(ticket_id(1001), "AG-ANA", start, start + 45_000)]
