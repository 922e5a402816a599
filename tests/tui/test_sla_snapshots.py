"""The queue with its SLA column, and a ticket's SLA line, at 80x24 (review the SVGs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from agentdesk.app import AgentDeskApp, make_app
from agentdesk.config import Settings
from agentdesk.workspace import Workspace, open_workspace
from tests.factories import make_sla_workspace
from tests.tui.helpers import settle


@pytest.fixture
def sla_app(tmp_path: Path) -> Iterator[AgentDeskApp]:
    path = make_sla_workspace(tmp_path / "sla.db").path
    settings = Settings(db=path)
    workspace: Workspace = open_workspace(settings)
    yield make_app(workspace, settings)
    workspace.close()


def test_queue_with_sla_column(snap_compare: object, sla_app: AgentDeskApp) -> None:
    """19m left (at risk, yellow), 1h (ok), pause (dim), !1m on #1020 (overdue, red)."""

    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(sla_app, terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]


def test_sla_at_risk_view(snap_compare: object, sla_app: AgentDeskApp) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)

    assert snap_compare(sla_app, terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]


def test_ticket_with_sla_line(snap_compare: object, sla_app: AgentDeskApp) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(sla_app, terminal_size=(80, 24), run_before=ready)  # type: ignore[operator]
