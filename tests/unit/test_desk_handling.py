"""Handle sessions through the Desk: one transaction with its audit event and outbox row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.desk import Desk, InvalidValue, UnknownTicket
from agentdesk.domain.handling import MAX_SESSION_MS
from storage.agents import agent_by_email
from storage.database import Database
from tests.factories import T0, make_workspace, ticket_id


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    db = Database.open(make_workspace(tmp_path / "ws.db", tickets=5).path)
    with db.read() as conn:
        ana = agent_by_email(conn, "ana@support.example.com")
    assert ana is not None
    yield Desk(db, ana, clock=lambda: T0)
    db.close()


def _rows(desk: Desk, sql: str) -> list[tuple[object, ...]]:
    with desk.db.read() as conn:
        return conn.execute(sql).fetchall()


def test_a_session_is_stored_audited_and_queued_for_the_hub(desk: Desk) -> None:
    recorded = desk.record_handling("#1001", T0 - 300_000, T0)
    sessions = _rows(
        desk, "SELECT id, ticket_id, agent_id, started_at, ended_at FROM handle_session"
    )
    assert sessions == [(recorded.entity_id, ticket_id(1001), "AG-ANA", T0 - 300_000, T0)]
    audit = _rows(desk, "SELECT ticket_id, action, field, new_value FROM audit_event")
    assert audit == [(None, "record_handling", "handle_session", "#1001 5m")]
    ((op, ticket, args),) = _rows(desk, "SELECT op, ticket_id, args FROM outbox")
    assert (op, ticket) == ("record_handling", None)
    assert json.loads(str(args)) == {
        "id": recorded.entity_id,
        "ticket": ticket_id(1001),
        "started_at": T0 - 300_000,
        "ended_at": T0,
    }


def test_a_replayed_session_is_recorded_once(desk: Desk) -> None:
    desk.record_handling("#1001", T0 - 60_000, T0)
    (args,) = _rows(desk, "SELECT args FROM outbox")[0]
    desk.apply_workspace("record_handling", json.loads(str(args)))
    assert _rows(desk, "SELECT count(*) FROM handle_session") == [(1,)]


@pytest.mark.parametrize(
    ("ticket", "start", "end", "error"),
    [
        ("#9999", T0 - 60_000, T0, UnknownTicket),
        ("#1001", T0, T0 - 1, InvalidValue),
        ("#1001", T0 - MAX_SESSION_MS - 1, T0, InvalidValue),
    ],
)
def test_a_refused_session_writes_nothing(
    desk: Desk, ticket: str, start: int, end: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        desk.record_handling(ticket, start, end)
    for table in ("handle_session", "audit_event", "outbox"):
        assert _rows(desk, f"SELECT count(*) FROM {table}") == [(0,)], table


def test_sessions_leave_the_ticket_untouched(desk: Desk) -> None:
    before = _rows(desk, "SELECT version, updated_at FROM ticket WHERE number = 1001")
    desk.record_handling("#1001", T0 - 60_000, T0)
    assert _rows(desk, "SELECT version, updated_at FROM ticket WHERE number = 1001") == before
