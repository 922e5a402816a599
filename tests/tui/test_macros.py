"""Canned responses in the TUI, driven by keys: picker → composer → send, suggestions, manager."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.widgets import Input, Static, TextArea

from screens.composer import ComposerScreen
from screens.macro_form import MacroFormScreen
from screens.macro_picker import MacroPickerScreen
from screens.macros import MacrosScreen
from screens.queue import QueueScreen
from screens.ticket import TicketScreen
from tests.factories import make_macro_workspace, ticket_id
from tests.tui.conftest import AppFactory
from tests.tui.helpers import notices, screen_text, settle, wait_for
from widgets.macro_suggestions import MacroSuggestions

LEE = "lee@support.example.com"


@pytest.fixture
def macro_store(tmp_path: Path) -> Path:
    return make_macro_workspace(tmp_path / "macros.db", tickets=30).path


def one(path: Path, sql: str, *args: object) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchone()
    finally:
        conn.close()


def ticket_state(path: Path, number: int) -> tuple[Any, ...]:
    """What a macro's send may change on a ticket: status, priority, tags, replies."""
    tid = ticket_id(number)
    return (
        one(path, "SELECT status, priority FROM ticket WHERE id = ?", tid),
        one(path, "SELECT group_concat(tag) FROM ticket_tag WHERE ticket_id = ?", tid),
        one(path, "SELECT count(*) FROM message WHERE ticket_id = ? AND kind = 'public'", tid),
        one(path, "SELECT count(*) FROM outbox"),
    )


async def open_manager(pilot: Any) -> MacrosScreen:
    """M from the queue (leads may start elsewhere: escape leads back to the queue)."""
    await settle(pilot)
    if not isinstance(pilot.app.screen, QueueScreen):
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, QueueScreen))
    await pilot.press("M")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MacrosScreen))
    manager = pilot.app.screen
    await wait_for(pilot, lambda: bool(manager.macros))
    return manager


def text_of(app: Any, selector: str) -> str:
    """The plain text a Static of the current screen shows (however it wraps on screen)."""
    return str(app.screen.query_one(selector, Static).render())


async def open_picker(pilot: Any, query: str = "") -> MacroPickerScreen:
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MacroPickerScreen))
    picker = pilot.app.screen
    await wait_for(pilot, lambda: picker.loaded)
    if query:
        await pilot.press(*query)
        await pilot.pause()
    return picker


async def test_picker_composer_send_applies_actions_only_on_send(
    app_factory: AppFactory, macro_store: Path
) -> None:
    app = app_factory(path=macro_store)
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)  # the cursor is on #1000 (new, low priority, no tags)
        before = ticket_state(macro_store, 1000)
        picker = await open_picker(pilot, "refnd")
        assert picker.shown[0].macro.id == "MA-REFUND"
        text = screen_text(app)
        assert "Hi Zoë," in text  # the preview is filled in for #1000's requester
        assert "On send: status → solved, +refund" in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen))
        composer = app.screen
        area = composer.query_one(TextArea)
        assert area.text.startswith("Hi Zoë,\n\nI've issued a full refund")
        await wait_for(
            pilot, lambda: "On send: status → solved, +refund" in text_of(app, "#composer-staged")
        )
        await settle(pilot)
        assert ticket_state(macro_store, 1000) == before  # staged, not applied
        area.insert("\nPS: sorry!")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposerScreen))
        await settle(pilot)
    status, tags, replies, _ = ticket_state(macro_store, 1000)
    assert (status, tags, replies) == (("solved", "low"), ("refund",), (1,))
    body = one(macro_store, "SELECT body FROM message WHERE ticket_id = ? AND kind = 'public'",
               ticket_id(1000))[0]  # fmt: skip
    assert body.endswith("PS: sorry!")
    assert one(macro_store, "SELECT usage_count FROM macro WHERE id = 'MA-REFUND'") == (1,)
    assert any("Reply sent on #1000 with “Refund approved” · status → solved" in n
               for n in notices(seen))  # fmt: skip


async def test_cancelling_leaves_the_ticket_and_drafts_untouched(
    app_factory: AppFactory, macro_store: Path
) -> None:
    app = app_factory(path=macro_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = ticket_state(macro_store, 1000)
        await open_picker(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MacroPickerScreen))
        await open_picker(pilot, "reset")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen))
        await settle(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposerScreen))
        await settle(pilot)
    assert ticket_state(macro_store, 1000) == before
    assert one(macro_store, "SELECT count(*) FROM draft") == (0,)
    assert one(macro_store, "SELECT count(*) FROM macro_use WHERE at > 0 AND ticket_id = ?",
               ticket_id(1000)) == (0,)  # fmt: skip


async def test_ctrl_t_sends_the_reply_without_the_actions(
    app_factory: AppFactory, macro_store: Path
) -> None:
    app = app_factory(path=macro_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_picker(pilot, "refund approved")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen))
        await settle(pilot)
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: "the macro's actions are off" in text_of(app, "#composer-staged")
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposerScreen))
        await settle(pilot)
    status, tags, replies, _ = ticket_state(macro_store, 1000)
    assert (status, tags, replies) == (("new", "low"), (None,), (1,))
    assert one(macro_store, "SELECT usage_count FROM macro WHERE id = 'MA-REFUND'") == (1,)


async def test_ticket_screen_suggests_and_1_uses_the_best(
    app_factory: AppFactory, macro_store: Path
) -> None:
    app = app_factory(path=macro_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # #1000 "Printer jam number 0"
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.suggestions))
        assert screen.suggestions[0].macro_id == "MA-PRINTER"
        assert screen.query_one(MacroSuggestions).has_class("-shown")
        assert "Suggested: 1  Printer jam troubleshooting" in screen_text(app)
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen))
        assert "clean the roller" in app.screen.query_one(TextArea).text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposerScreen))
        await settle(pilot)
    status, _, replies, _ = ticket_state(macro_store, 1000)
    assert (status, replies) == (("pending", "high"), (1,))


async def test_picker_puts_suggestions_first(app_factory: AppFactory, macro_store: Path) -> None:
    app = app_factory(path=macro_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        picker = await open_picker(pilot)
        assert picker.shown[0].macro.id == "MA-PRINTER"
        assert picker.shown[0].suggested
        assert "★ Printer jam troubleshooting" in screen_text(app)
        ids = [entry.macro.id for entry in picker.shown]
        assert "MA-BEN" not in ids and "MA-ANA" in ids


async def test_manager_creates_edits_and_deletes(
    app_factory: AppFactory, macro_store: Path
) -> None:
    app = app_factory(agent=LEE, path=macro_store)
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        manager = await open_manager(pilot)
        assert "Ben's secret" not in screen_text(app)

        # Create: a refused save keeps everything typed and says what is wrong.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MacroFormScreen))
        form = app.screen
        await pilot.press(*"Welcome")
        form.query_one("#macro-body", TextArea).load_text("Hi {{customer.frist_name}}")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: "(did you mean {{customer.first_name}}?)" in text_of(app, "#macro-form-error"),
        )
        assert form.query_one("#macro-body").has_class("-invalid")
        assert form.query_one("#macro-title", Input).value == "Welcome"
        form.query_one("#macro-body", TextArea).load_text("Hi {{customer.first_name}}!")
        form.query_one("#macro-add-tags", Input).value = "welcome"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is manager)
        await settle(pilot)
        row = one(macro_store, "SELECT id, body, actions, owner_id FROM macro WHERE title = ?",
                  "Welcome")  # fmt: skip
        assert row[1:] == ("Hi {{customer.first_name}}!", '{"add_tags": ["welcome"]}', "AG-LEE")
        await wait_for(pilot, lambda: manager.current() is not None
                       and manager.current().id == row[0])  # fmt: skip

        # Edit the highlighted (new) macro.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, MacroFormScreen))
        app.screen.query_one("#macro-title", Input).value = "Welcome aboard"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is manager)
        await settle(pilot)
        assert one(macro_store, "SELECT title FROM macro WHERE id = ?", row[0]) == (
            "Welcome aboard",
        )

        # Delete it, after saying yes.
        await wait_for(pilot, lambda: manager.current() is not None
                       and manager.current().id == row[0])  # fmt: skip
        await pilot.press("d")
        await wait_for(pilot, lambda: "Delete this macro?" in screen_text(app))
        await pilot.press("y")
        await wait_for(pilot, lambda: one(macro_store, "SELECT count(*) FROM macro WHERE id = ?",
                                          row[0]) == (0,))  # fmt: skip
        await settle(pilot)
    ops = [n for n in notices(seen) if "Deleted" in n or "saved" in n]
    assert len(ops) == 3


async def test_tier_1_cannot_edit_shared_macros(app_factory: AppFactory, macro_store: Path) -> None:
    app = app_factory(path=macro_store)
    async with app.run_test(size=(80, 24)) as pilot:
        manager = await open_manager(pilot)
        assert manager.current() is not None and manager.current().shared
        assert manager.check_action("edit", ()) is False
        await pilot.press("e", "d")
        await pilot.pause()
        assert app.screen is manager  # nothing opened
        assert "C Copy" in screen_text(app)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, MacroFormScreen))
        assert app.screen.query_one("#macro-title", Input).value.startswith("Copy of ")
