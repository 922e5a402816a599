"""The macro picker and the macro manager at 80x24. Review the SVGs before accepting them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from screens.macro_picker import MacroPickerScreen
from tests.factories import make_macro_workspace
from tests.tui.conftest import AppFactory
from tests.tui.helpers import settle, wait_for
from tests.tui.test_macros import open_manager


@pytest.fixture
def macro_store(tmp_path: Path) -> Path:
    return make_macro_workspace(tmp_path / "macros.db", tickets=30).path


def test_picker(snap_compare: object, app_factory: AppFactory, macro_store: Path) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MacroPickerScreen))
        await wait_for(pilot, lambda: pilot.app.screen.loaded)  # type: ignore[attr-defined]
        await settle(pilot)

    app = app_factory(path=macro_store)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]


def test_manager(snap_compare: object, app_factory: AppFactory, macro_store: Path) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await open_manager(pilot)
        await settle(pilot)

    app = app_factory(agent="lee@support.example.com", path=macro_store)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]
