"""Escalations driven by keys: tier 1 escalates through the form, tier 2 (another app on the
same store file) acknowledges and hands back, tier 1 gets the ticket back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Select

from agentdesk.desk import Desk
from screens.confirm import ConfirmScreen
from screens.escalate import EscalateScreen
from screens.escalations import EscalationsScreen, HandoffScreen
from screens.prompt import PromptScreen
from screens.ticket import TicketScreen
from storage.agents import agent_by_email
from storage.database import Database
from tests.factories import T0, make_escalation_workspace, ticket_id
from tests.tui.conftest import AppFactory
from tests.tui.helpers import notices, screen_text, settle, wait_for

DEV, EVA = "dev@support.example.com", "eva@support.example.com"
# Short texts: every character is a key press.
HANDOFF: dict[str, Any] = {
    "reason": "outage",
    "summary": "Sync stuck",
    "tried": "Re-login",
    "impact": "3 users",
}


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """The factory workspace with tier-2 (Technical, Payments) and tier-3 (Engineering) groups."""
    return make_escalation_workspace(tmp_path / "ws.db", tickets=30).path


@pytest.fixture
def desk_as(store_path: Path) -> Iterator[Any]:
    """Desks on their own connection, as another process (the CLI, the hub sync) would write."""
    db = Database.open(store_path)

    def make(email: str = "ana@support.example.com") -> Desk:
        with db.read() as conn:
            agent = agent_by_email(conn, email)
        assert agent is not None
        return Desk(db, agent, clock=lambda: T0)

    yield make
    db.close()


def row(path: Path, sql: str, *args: object) -> tuple[Any, ...]:
    conn = sqlite3.connect(path)
    try:
        found = conn.execute(sql, args).fetchone()
        assert found is not None
        return tuple(found)
    finally:
        conn.close()


def ticket(path: Path, number: int) -> tuple[Any, ...]:
    return row(path, "SELECT tier, group_id, assignee_id FROM ticket WHERE number = ?", number)


async def pick(pilot: Pilot[None], select_id: str, label: str) -> None:
    """Open the select, type the start of ``label`` to jump to it and choose it."""
    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    select.focus()
    await pilot.press("enter", *label[:4].lower(), "enter")
    await pilot.pause()
    assert str(select.selection) in (label, str(select.value)), select.selection


async def type_into(pilot: Pilot[None], field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#{field}").focus()
    await pilot.press(*text)


async def test_escalate_acknowledge_hand_back_across_two_apps(
    app_factory: AppFactory, store_path: Path
) -> None:
    await escalate_as_tier_1(app_factory, store_path)
    await take_and_hand_back_as_tier_2(app_factory, store_path)
    # Tier 1 has it back in its queue, with the instructions in the thread.
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "#1001" in screen_text(app)
        app.push_screen(TicketScreen(app.workspace.db, app.workspace.agent, ticket_id(1001)))
        await wait_for(pilot, lambda: "Instructions: Send logs" in screen_text(app))
        text = screen_text(app)
        assert "Escalations 2026-05-28" in text
        assert "Outage · handed back by Dev Patel" in " ".join(text.split())


async def escalate_as_tier_1(app_factory: AppFactory, store_path: Path) -> None:
    """Ana escalates #1001 from the queue through the form."""
    seen: list[Message] = []
    app = app_factory()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("j", "e")  # #1001, open, normal priority
        await wait_for(pilot, lambda: isinstance(app.screen, EscalateScreen))
        await pilot.press("ctrl+s")  # nothing filled in: every required field says why
        await pilot.pause()
        text = screen_text(app)
        assert "choose a reason: bug, outage" in text
        assert "fields to fix before escalating" in text
        assert row(store_path, "SELECT count(*) FROM escalation") == (0,)
        await pick(pilot, "group", "Technical")
        await pick(pilot, "reason", "Outage")
        await type_into(pilot, "summary", HANDOFF["summary"])
        await type_into(pilot, "tried", HANDOFF["tried"])
        await type_into(pilot, "impact", HANDOFF["impact"])
        await type_into(pilot, "link", "https://b.example/4")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EscalateScreen))
        await wait_for(pilot, lambda: ticket(store_path, 1001) == (2, "GR-TECH", None))
        await wait_for(pilot, lambda: "#1001" not in screen_text(app))  # left the tier-1 queue
        assert any("#1001 escalated" in n for n in notices(seen))
    reason, summary, url, state = row(
        store_path, "SELECT reason, summary, external_url, state FROM escalation"
    )
    assert (reason, summary, url, state) == ("outage", HANDOFF["summary"], url, "open")
    assert url == "https://b.example/4"


async def take_and_hand_back_as_tier_2(app_factory: AppFactory, store_path: Path) -> None:
    """Dev, another app on the same file: E lists it, enter reads it, y takes it, b returns it."""
    seen: list[Message] = []
    app = app_factory(DEV)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, EscalationsScreen))
        await wait_for(pilot, lambda: "#1001" in screen_text(app))
        text = screen_text(app)
        assert "Sync stuck" not in text  # the list shows the subject, not the handoff
        assert "Outage" in text and "due in 8h" in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HandoffScreen))
        text = screen_text(app)
        assert "Steps already tried" in text and HANDOFF["tried"] in text
        assert "https://b.example/4" in text
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: ticket(store_path, 1001) == (2, "GR-TECH", "AG-DEV"))
        await wait_for(pilot, lambda: "acknowledged" in screen_text(app))
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"Send logs", "enter")
        await wait_for(pilot, lambda: ticket(store_path, 1001) == (1, None, "AG-ANA"))
        await wait_for(pilot, lambda: "#1001" not in screen_text(app))
        assert any("#1001: handed back to tier 1" in n for n in notices(seen))
    assert row(store_path, "SELECT state, instructions FROM escalation") == (
        "handed-back",
        "Send logs",
    )


async def test_the_list_follows_changes_made_by_other_processes(
    app_factory: AppFactory, desk_as: Any
) -> None:
    app = app_factory(DEV)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: "No escalations waiting" in screen_text(app))
        desk_as().escalate("#1003", tier=2, **HANDOFF)  # urgent: due in 30 minutes
        desk_as().escalate("#1001", tier=2, **HANDOFF)
        await wait_for(pilot, lambda: "#1001" in screen_text(app))
        text = screen_text(app)
        assert text.index("#1003") < text.index("#1001")  # the one due first on top
        assert "due in 30m" in text and "2 waiting" in text


async def test_escape_asks_before_discarding_a_handoff(
    app_factory: AppFactory, store_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EscalateScreen))
        await type_into(pilot, "summary", "Half")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EscalateScreen))
        assert app.screen.query_one("#summary", Input).value == "Half"
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: not isinstance(app.screen, (EscalateScreen, ConfirmScreen)))
        # An empty form closes at once.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EscalateScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EscalateScreen))
    assert row(store_path, "SELECT count(*) FROM escalation") == (0,)


async def test_a_refusal_from_the_desk_keeps_the_form_and_what_was_typed(
    app_factory: AppFactory, store_path: Path, desk_as: Any
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, EscalateScreen))
        await pick(pilot, "reason", "Bug")
        for field in ("summary", "tried", "impact"):
            await type_into(pilot, field, HANDOFF[field])
        desk_as().set_status("#1001", "solved")  # meanwhile, someone solves it
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "reopen it before escalating it" in screen_text(app))
        assert isinstance(app.screen, EscalateScreen)
        assert app.screen.query_one("#summary", Input).value == HANDOFF["summary"]
    assert row(store_path, "SELECT count(*) FROM escalation") == (0,)


async def test_who_may_escalate_is_told_before_typing(
    app_factory: AppFactory, desk_as: Any
) -> None:
    desk_as().escalate("#1001", tier=3, **HANDOFF)
    seen: list[Message] = []
    app = app_factory(EVA)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)  # Eva's queue is tier 3: #1001 is its only ticket
        await pilot.press("e")
        await wait_for(pilot, lambda: any("already at tier 3" in n for n in notices(seen)))
        assert not isinstance(app.screen, EscalateScreen)


async def test_tier_1_has_no_incoming_escalations(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: "none come to tier 1" in screen_text(app))
        footer = screen_text(app).splitlines()[-1]
        assert "Acknowledge" not in footer  # nothing to act on: the keys are hidden
        await pilot.press("y")  # and do nothing
        await pilot.pause()
        assert isinstance(app.screen, EscalationsScreen)


@pytest.mark.parametrize(
    ("email", "shown"),
    [(None, False), (DEV, False), (EVA, True)],
    ids=["tier-1", "tier-2", "tier-3"],
)
async def test_restricted_notes_are_shown_only_to_cleared_roles(
    app_factory: AppFactory, desk_as: Any, email: str | None, shown: bool
) -> None:
    desk_as(EVA).note("#1000", "Internal CVE reference, do not share", restricted=True)
    app = app_factory(email)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(app.workspace.db, app.workspace.agent, ticket_id(1000)))
        await wait_for(pilot, lambda: "Message body 0" in screen_text(app))
        assert ("Internal CVE reference" in screen_text(app)) is shown


async def test_leads_reach_every_tier_from_the_palette_and_filter_by_tier(
    app_factory: AppFactory, desk_as: Any
) -> None:
    desk_as().escalate("#1001", tier=2, **HANDOFF)
    desk_as().escalate("#1002", tier=3, **HANDOFF)
    app = app_factory("lee@support.example.com")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Escalations", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EscalationsScreen))
        await wait_for(pilot, lambda: "#1002" in screen_text(app))
        assert "#1001" in screen_text(app) and "f: all" in screen_text(app)
        await pilot.press("f")
        await wait_for(pilot, lambda: "#1002" not in screen_text(app))
        assert "Escalations · tier 2" in screen_text(app) and "#1001" in screen_text(app)
        await pilot.press("f")
        await wait_for(pilot, lambda: "#1001" not in screen_text(app))
        assert "#1002" in screen_text(app)
