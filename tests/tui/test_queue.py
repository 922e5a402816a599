"""The queue screen driven by its keys, on a real store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import DataTable

from screens.help import HelpScreen
from screens.queue import QueueScreen
from screens.ticket import TicketScreen
from tests.factories import add_ticket
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle, wait_for
from widgets.queue_table import QueueTable


def table_of(app: object) -> QueueTable:
    return app.screen.query_one(QueueTable)  # type: ignore[attr-defined, no-any-return]


async def test_opens_on_the_agents_tier_view_with_its_count(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "My tier" in text
        assert "200 tickets" in text
        assert "Ana Lima · tier 1" in text
        # Newest activity first: #1000 is on the first row, under the header.
        lines = text.splitlines()
        assert lines[1].split()[0] == "#"
        assert lines[2].split()[0] == "#1000"
        assert table_of(app).current_row is not None
        assert table_of(app).current_row.number == 1000  # type: ignore[union-attr]


async def test_lead_starts_on_all_open(app_factory: AppFactory) -> None:
    """Under the dashboard, their first screen (tests/tui/test_dashboard.py): escape shows it."""
    app = app_factory(agent="lee@support.example.com")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "All open" in screen_text(app)
        assert "Lee Park · lead" in screen_text(app)


async def test_cursor_keys_move_through_the_queue(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("j", "j", "down")
        assert table.cursor == 3
        await pilot.press("k", "up")
        assert table.cursor == 1
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor == 199
        assert table.current_row is not None and table.current_row.number == 1199
        assert "#1199" in screen_text(app)
        await pilot.press("g")
        await settle(pilot)
        assert table.cursor == 0
        await pilot.press("pagedown")
        page = table.cursor
        assert page >= 15  # one screenful at 80x24
        await pilot.press("pageup")
        assert table.cursor == 0
        await pilot.press("k")  # cannot move above the first row
        assert table.cursor == 0


async def test_enter_opens_the_ticket_and_escape_returns_to_the_same_row(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*["j"] * 5, "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert "#1005 Login problem 5" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert table_of(app).cursor == 5
        assert table_of(app).current_row.number == 1005  # type: ignore[union-attr]


async def test_help_lists_the_keys_of_the_queue(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = {table.get_row_at(i)[1]: table.get_row_at(i)[0] for i in range(table.row_count)}
        expected = {
            "Open": "⏎",
            "Down": "j / ↓",
            "Bottom": "G / end",
            "Search": "/",
            "Reply": "r",
            "Note": "n",
            "Status": "s",
            "Take": "a",
            "Mark": "x / space",
            "Views": "v",
            "Sort": "o",
            "Quit": "^q / q",
            "Help": "?",
            "Palette": "^p",
        }
        for action, keys in expected.items():
            assert rows.get(action) == keys, (action, rows.get(action))
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_palette_switches_view(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"View: Unassigned")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Unassigned" in text
        # The factory assigns every third ticket to ana: 133 of 200 are unassigned.
        assert "133 tickets" in text


async def test_a_commit_from_another_process_refreshes_in_place(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        other = sqlite3.connect(store_path)
        with other:
            add_ticket(other, 5000, subject="Fresh from the hub", updated_at=2_000_000_000_000)
        other.close()
        await wait_for(pilot, lambda: "201 tickets" in screen_text(app))
        await settle(pilot)
        text = screen_text(app)
        assert "Fresh from the hub" in text
        # The cursor stays on the ticket it was on, which moved down one row.
        table = table_of(app)
        assert table.current_row is not None and table.current_row.number == 1002
        assert table.cursor == 3


async def test_q_quits(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
