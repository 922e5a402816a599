"""Ticket actions from the queue and the ticket screen, driven by their keys."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from textual.message import Message

from screens.composer import ComposerScreen
from screens.picker import PickerScreen
from screens.queue import QueueScreen
from screens.ticket import TicketScreen
from tests.factories import ticket_id
from tests.tui.conftest import AppFactory
from tests.tui.helpers import notices, screen_text, settle, wait_for
from widgets.queue_table import QueueTable


def row(path: Path, number: int) -> dict[str, object]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute("SELECT * FROM ticket WHERE number = ?", (number,)).fetchone()
        return dict(found)
    finally:
        conn.close()


def count(path: Path, sql: str, *args: object) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql, args).fetchone()[0])
    finally:
        conn.close()


async def choose(pilot: object, value: str) -> None:
    """Pick ``value`` in the open picker by moving to it and pressing enter."""
    app = pilot.app  # type: ignore[attr-defined]
    assert isinstance(app.screen, PickerScreen)
    values = [c.value for c in app.screen.choices]
    options = app.screen.query_one("#picker-list")
    steps = values.index(value) - (options.highlighted or 0)
    key = "down" if steps > 0 else "up"
    await pilot.press(*[key] * abs(steps), "enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_set_status_from_the_queue(app_factory: AppFactory, store_path: Path) -> None:
    app = app_factory()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("j", "s")  # #1001 is open
        await pilot.pause()
        await choose(pilot, "pending")
        await wait_for(pilot, lambda: row(store_path, 1001)["status"] == "pending")
        assert count(store_path, "SELECT count(*) FROM audit_event WHERE field = 'status'") == 1
        assert count(store_path, "SELECT count(*) FROM outbox WHERE op = 'set_status'") == 1
        await wait_for(pilot, lambda: ": #1001: status pending" in notices(seen))
        assert "pending" in screen_text(app)


async def test_refused_transition_is_explained_and_changes_nothing(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("j", "s")  # #1001 is open: it cannot go back to new
        await pilot.pause()
        await choose(pilot, "new")
        await wait_for(pilot, lambda: any("cannot go from open to new" in n for n in notices(seen)))
        assert row(store_path, 1001)["status"] == "open"
        assert count(store_path, "SELECT count(*) FROM audit_event") == 0


async def test_priority_take_and_assign_to(app_factory: AppFactory, store_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "p")
        await pilot.pause()
        await choose(pilot, "urgent")
        await wait_for(pilot, lambda: row(store_path, 1001)["priority"] == "urgent")
        await pilot.press("a")  # #1001 was unassigned
        await wait_for(pilot, lambda: row(store_path, 1001)["assignee_id"] == "AG-ANA")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"ben", "enter")  # the filter narrows the agents to Ben
        await wait_for(pilot, lambda: row(store_path, 1001)["assignee_id"] == "AG-BEN")


async def test_tags_are_added_and_removed(app_factory: AppFactory, store_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"Billing vip", "enter")
        tid = ticket_id(1000)
        query = "SELECT count(*) FROM ticket_tag WHERE ticket_id = ?"
        await wait_for(pilot, lambda: count(store_path, query, tid) == 2)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"-vip", "enter")
        await wait_for(pilot, lambda: count(store_path, query, tid) == 1)
        assert count(store_path, "SELECT count(*) FROM ticket_tag WHERE tag = 'billing'") == 1


async def test_bulk_status_applies_to_every_marked_row(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("x", "x", "x")  # marks #1000, #1001, #1002
        assert "3 marked" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        await choose(pilot, "solved")
        await wait_for(
            pilot, lambda: all(row(store_path, n)["status"] == "solved" for n in (1000, 1001, 1002))
        )
        assert count(store_path, "SELECT count(*) FROM outbox WHERE op = 'set_status'") == 3
        assert count(store_path, "SELECT count(*) FROM audit_event") == 3
        await wait_for(pilot, lambda: "marked" not in screen_text(app))
        assert row(store_path, 1003)["status"] == "on-hold"


async def test_bulk_is_all_or_nothing(app_factory: AppFactory, store_path: Path) -> None:
    app = app_factory()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("x", "x")  # #1000 new, #1001 open: both may become open…
        await pilot.press("s")
        await pilot.pause()
        await choose(pilot, "open")  # …but #1001 already is: the whole bulk is refused
        await wait_for(pilot, lambda: "Not done: #1001 is already open" in notices(seen))
        assert row(store_path, 1000)["status"] == "new"
        assert count(store_path, "SELECT count(*) FROM audit_event") == 0


async def test_reply_from_the_ticket_screen(app_factory: AppFactory, store_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ComposerScreen)
        assert "the customer will see this" in screen_text(app)
        await pilot.press(*"We have fixed the jam.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await wait_for(pilot, lambda: "We have fixed the jam." in screen_text(app))
        assert row(store_path, 1000)["first_response_at"] is not None
        kinds = "SELECT kind FROM message WHERE ticket_id = ? ORDER BY created_at DESC LIMIT 1"
        conn = sqlite3.connect(store_path)
        assert conn.execute(kinds, (ticket_id(1000),)).fetchone()[0] == "public"
        assert conn.execute("SELECT count(*) FROM draft").fetchone()[0] == 0
        conn.close()


async def test_note_is_marked_internal_and_empty_note_is_refused(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert "only agents see this" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "empty" in screen_text(app).lower())
        assert isinstance(app.screen, ComposerScreen)
        await pilot.press(*"Checked the logs.", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        sql = "SELECT count(*) FROM message WHERE kind = 'internal' AND body = ?"
        assert count(store_path, sql, "Checked the logs.") == 1


@pytest.mark.parametrize(
    ("agent", "restricted"), [("eva@support.example.com", 1), ("ana@support.example.com", 0)]
)
async def test_ctrl_r_restricts_a_note_only_for_cleared_agents(
    app_factory: AppFactory, store_path: Path, agent: str, restricted: int
) -> None:
    app = app_factory(agent)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")  # "All open": tier 3 has nothing in its own tier here
        await settle(pilot)
        await pilot.press("n", "ctrl+r")
        await pilot.pause()
        shown = screen_text(app)
        assert ("only tier 3, leads and admins see this" in shown) == bool(restricted)
        await pilot.press(*"Root cause in billing.", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposerScreen))
        sql = "SELECT restricted FROM message WHERE body = 'Root cause in billing.'"
        assert count(store_path, sql) == restricted


async def test_draft_is_kept_on_escape_and_restored(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"Half a thought")
        await pilot.press("escape")
        await wait_for(pilot, lambda: count(store_path, "SELECT count(*) FROM draft") == 1)
    # A new process (or one after a crash) finds the draft in the store.
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ComposerScreen)
        assert app.screen.text_area.text == "Half a thought"


async def test_draft_is_saved_while_typing(app_factory: AppFactory, store_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"Typed, never sent")
        # No escape, no send: the app could die now and the text must already be stored.
        await wait_for(
            pilot,
            lambda: (
                count(store_path, "SELECT count(*) FROM draft WHERE body = ?", "Typed, never sent")
                == 1
            ),
        )


async def test_ctrl_e_edits_in_editor(
    app_factory: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "Written in the editor" > "$1"\n', encoding="utf-8")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = app_factory()
    # The headless test driver cannot hand the terminal over; the editor still runs for real.
    monkeypatch.setattr(type(app), "suspend", lambda self: contextlib.nullcontext())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ComposerScreen)
        assert app.screen.text_area.text == "Written in the editor"
    assert os.access(editor, os.X_OK)


async def test_audit_trail_toggles_on_the_ticket(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert "Audit trail" not in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        await choose(pilot, "high")
        await wait_for(pilot, lambda: "priority high" in screen_text(app).lower())
        await pilot.press("h")
        await wait_for(pilot, lambda: "Audit trail (1 events" in screen_text(app))
        assert "priority: normal → high" in screen_text(app)


async def test_views_switch_with_number_keys_and_the_list(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # Unassigned
        await settle(pilot)
        assert "Unassigned" in screen_text(app) and "133 tickets" in screen_text(app)
        await pilot.press("1")  # My open: ana has every third ticket
        await settle(pilot)
        assert "My open" in screen_text(app) and "67 tickets" in screen_text(app)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        text = screen_text(app)
        assert "Unassigned" in text and "133" in text and "Recently solved" in text
        await choose(pilot, "all-open")
        assert "All open" in screen_text(app)
        table = app.screen.query_one(QueueTable)
        assert table.total == 200
