"""The escalation form and the escalations screen at 80x24. Review the SVGs
(snapshot_report.html) before accepting them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from agentdesk.desk import Desk
from screens.escalate import EscalateScreen
from screens.escalations import EscalationsScreen
from storage.agents import agent_by_email
from storage.database import Database
from tests.factories import MINUTE, T0, make_escalation_workspace
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle, wait_for


def desk_at(db: Database, email: str, at: int) -> Desk:
    """A Desk whose clock stands still at ``at``."""
    with db.read() as conn:
        agent = agent_by_email(conn, email)
    assert agent is not None
    return Desk(db, agent, clock=lambda: at)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Escalations in every handoff-SLA state, made at fixed times before the tests' now."""
    path = make_escalation_workspace(tmp_path / "ws.db", tickets=30).path
    db = Database.open(path)
    try:
        for ref, minutes_ago, reason, summary in (
            ("#1003", 45, "outage", "API down for one region"),  # urgent: overdue
            ("#1002", 100, "billing", "Refund fails"),  # high: due soon
            ("#1001", 60, "account-access", "SSO loop"),  # normal: waiting
            ("#1005", 30, "bug", "Export times out"),
        ):
            desk_at(db, "ana@support.example.com", T0 - minutes_ago * MINUTE).escalate(
                ref,
                tier=2,
                group="Technical",
                reason=reason,
                summary=summary,
                tried="-",
                impact="-",
            )
        desk_at(db, "dev@support.example.com", T0 - MINUTE).acknowledge("#1005")
    finally:
        db.close()
    return path


def test_escalation_form(snap_compare: object, app_factory: AppFactory) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("e")  # #1000: tier 1
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, EscalateScreen))
        await pilot.press("ctrl+s")  # empty: the required fields say why
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]


def test_escalations_screen(snap_compare: object, app_factory: AppFactory) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, EscalationsScreen))
        await wait_for(pilot, lambda: "#1005" in screen_text(pilot.app))  # type: ignore[arg-type]
        await settle(pilot)

    app = app_factory("dev@support.example.com")
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]
