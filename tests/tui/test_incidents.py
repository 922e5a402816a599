"""Incidents and merges driven by their keys: link from the queue, list on the incident, merge."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.message import Message

from agentdesk.desk import Desk
from screens.confirm import ConfirmScreen
from screens.macro_picker import MacroPickerScreen
from screens.picker import PickerScreen
from screens.prompt import PromptScreen
from screens.ticket import TicketScreen
from storage.agents import agent_by_email
from storage.database import Database
from tests.factories import link_to_incident, ticket_id
from tests.tui.conftest import AppFactory
from tests.tui.helpers import notices, screen_text, settle, wait_for
from tests.tui.test_actions import choose, count, row


def link(path: Path, incident: int, tickets: list[int]) -> None:
    conn = sqlite3.connect(path)
    with conn:
        link_to_incident(conn, incident, tickets)
    conn.close()


def parents(path: Path, *numbers: int) -> list[object]:
    return [row(path, n)["parent_id"] for n in numbers]


async def open_picker(pilot: object, key: str) -> PickerScreen:
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press(key)  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))  # type: ignore[arg-type]
    screen: PickerScreen = app.screen
    return screen


# --------------------------------------------------------------------------- linking


async def test_marked_rows_are_linked_to_the_ticket_under_the_cursor(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("x", "x", "x")  # marks #1000-#1002, the cursor moves on to #1003
        picker = await open_picker(pilot, "I")
        assert picker.choices[0].value == ticket_id(1003)
        assert picker.choices[0].hint == "under the cursor"
        assert picker.title_text == "Link #1000, #1001, #1002 to incident"
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: parents(store_path, 1000, 1001, 1002) == [ticket_id(1003)] * 3
        )
        assert count(store_path, "SELECT count(*) FROM outbox WHERE op = 'link_incident'") == 3
        assert count(store_path, "SELECT count(*) FROM audit_event WHERE field = 'incident'") == 3
        await wait_for(
            pilot, lambda: ": #1000, #1001, #1002: linked to incident #1003" in notices(seen)
        )
        await wait_for(pilot, lambda: "marked" not in screen_text(app))


async def test_without_marks_the_cursor_ticket_joins_an_open_incident(
    app_factory: AppFactory, store_path: Path
) -> None:
    link(store_path, 1005, [1006])
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        picker = await open_picker(pilot, "I")
        assert [(c.label.split()[0], c.hint) for c in picker.choices] == [
            ("#1005", "1 linked · open"),
            ("Another", "type its number"),
        ]
        await choose(pilot, ticket_id(1005))
        await wait_for(pilot, lambda: parents(store_path, 1001) == [ticket_id(1005)])


async def test_a_refused_bulk_link_changes_nothing(
    app_factory: AppFactory, store_path: Path
) -> None:
    link(store_path, 1001, [1006])  # #1001 is an incident: it cannot go under another
    app = app_factory()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("x", "x")  # #1000 and #1001
        await open_picker(pilot, "I")
        await choose(pilot, "#")  # another ticket: type its number
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"1010", "enter")
        await wait_for(
            pilot,
            lambda: any(
                "#1001 is an incident with 1 linked ticket; an incident cannot be linked" in n
                for n in notices(seen)
            ),
        )
        assert parents(store_path, 1000, 1001) == [None, None]
        assert count(store_path, "SELECT count(*) FROM audit_event") == 0
        assert count(store_path, "SELECT count(*) FROM outbox") == 0


# --------------------------------------------------------------------------- the incident's screen


async def open_number(pilot: object, number: int) -> TicketScreen:
    """Open ticket ``number`` from the queue (the factory's order is #1000, #1001, …)."""
    app = pilot.app  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press(*["j"] * (number - 1000), "enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))  # type: ignore[arg-type]
    await wait_for(pilot, lambda: app.screen.data is not None)  # type: ignore[arg-type]
    await settle(pilot)  # type: ignore[arg-type]
    screen: TicketScreen = app.screen
    return screen


async def test_an_incident_lists_its_linked_tickets_and_opens_one(
    app_factory: AppFactory, store_path: Path
) -> None:
    link(store_path, 1005, [1001, 1002, 1003])
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_number(pilot, 1005)
        text = screen_text(app)
        for expected in (
            "Incident · 3 linked tickets, 3 unsolved",
            "Linked tickets (3, 3 unsolved)",
            "#1001 open · José García",
            "Login problem 1",
            "Solve incident",  # the footer offers it on an incident
        ):
            assert expected in text, expected
        await pilot.press("tab")  # from the thread to the linked tickets
        assert app.focused is not None and app.focused.id == "links-list"
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "ticket_id", None) == ticket_id(1001))
        await wait_for(pilot, lambda: "Part of incident #1005" in screen_text(app))
        assert "#1001 Login problem 1" in screen_text(app)
        assert "Solve incident" not in screen_text(app)  # not an incident: no dead key


async def test_the_ticket_screen_links_this_ticket_with_I(
    app_factory: AppFactory, store_path: Path
) -> None:
    link(store_path, 1005, [1006])
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_number(pilot, 1002)
        picker = await open_picker(pilot, "I")
        assert picker.title_text == "Link #1002 to incident"
        await choose(pilot, ticket_id(1005))
        await wait_for(pilot, lambda: parents(store_path, 1002) == [ticket_id(1005)])
        await wait_for(pilot, lambda: "Part of incident #1005" in screen_text(app))
        await open_picker(pilot, "I")  # linked now: it can be taken out again
        await choose(pilot, "-")
        await wait_for(pilot, lambda: parents(store_path, 1002) == [None])


# --------------------------------------------------------------------------- merging


async def test_merge_keeps_both_threads_and_the_source_says_where_it_went(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    seen: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await open_number(pilot, 1000)  # Zoë's: her other open tickets are offered first
        picker = await open_picker(pilot, "m")
        assert [c.label.split()[0] for c in picker.choices[:3]] == ["#1003", "#1006", "#1009"]
        await choose(pilot, ticket_id(1003))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Merge #1000 into #1003?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: row(store_path, 1000)["merged_into_id"] == ticket_id(1003))
        assert row(store_path, 1000)["status"] == "closed"
        await wait_for(pilot, lambda: ": #1000: merged into #1003" in notices(seen))
        await wait_for(pilot, lambda: "Merged into #1003" in screen_text(app))
        assert "Message body 0" in screen_text(app)  # the source keeps its own thread
        await pilot.press("tab", "enter")  # the links list: the ticket it went into
        await wait_for(pilot, lambda: getattr(app.screen, "ticket_id", None) == ticket_id(1003))
        await wait_for(pilot, lambda: "Merged here: #1000" in screen_text(app))
        text = screen_text(app)
        assert "Customer · from #1000" in text
        assert "Message body 0" in text and "Message body 3" in text


async def test_merge_from_the_queue_can_be_declined(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_picker(pilot, "m")
        await choose(pilot, "#")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"1003", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert row(store_path, 1000)["merged_into_id"] is None
        assert count(store_path, "SELECT count(*) FROM outbox") == 0


# --------------------------------------------------------------------------- solving


def add_macro(path: Path, title: str, body: str) -> str:
    db = Database.open(path)
    try:
        with db.read() as conn:
            ana = agent_by_email(conn, "ana@support.example.com")
        assert ana is not None
        return Desk(db, ana).create_macro(title, body).entity_id
    finally:
        db.close()


async def pick_macro(pilot: object, macro_id: str) -> None:
    """Press R and choose the only macro in the macro picker."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("R")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, MacroPickerScreen))  # type: ignore[arg-type]
    await wait_for(pilot, lambda: app.screen.loaded)  # type: ignore[arg-type]
    assert [entry.macro.id for entry in app.screen.shown] == [macro_id]
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_solving_an_incident_replies_to_every_linked_ticket_with_one_macro(
    app_factory: AppFactory, store_path: Path
) -> None:
    link(store_path, 1005, [1006, 1007])
    macro = add_macro(store_path, "Outage over", "Hi {{customer.first_name}}, all fixed.")
    app = app_factory()
    seen: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await open_number(pilot, 1005)
        await pick_macro(pilot, macro)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Reply to 2 linked tickets and #1005 and solve them?" in screen_text(app)
        await pilot.press("y")
        await wait_for(
            pilot, lambda: all(row(store_path, n)["status"] == "solved" for n in (1005, 1006, 1007))
        )
        bodies = "SELECT count(*) FROM message WHERE kind = 'public' AND body = ?"
        assert count(store_path, bodies, "Hi Zoë, all fixed.") == 1  # #1006
        assert count(store_path, bodies, "Hi José, all fixed.") == 1  # #1007
        assert count(store_path, "SELECT count(*) FROM outbox WHERE op = 'reply'") == 3
        await wait_for(
            pilot,
            lambda: ": #1005: 3 tickets replied to with “Outage over” and solved" in notices(seen),
        )
        await wait_for(pilot, lambda: "2 linked tickets, 0 unsolved" in screen_text(app))


async def test_solve_is_declined_at_the_confirmation(
    app_factory: AppFactory, store_path: Path
) -> None:
    link(store_path, 1005, [1006])
    macro = add_macro(store_path, "Outage over", "All fixed.")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_number(pilot, 1005)
        await pick_macro(pilot, macro)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await settle(pilot)
        assert count(store_path, "SELECT count(*) FROM outbox WHERE ticket_id IS NOT NULL") == 0
        assert row(store_path, 1006)["status"] == "pending"
