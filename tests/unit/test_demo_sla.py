"""The demo's SLA data: status history for the lives it simulates, and clocks that a
recompute (the same code as the Desk's) reproduces exactly."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.demo import generate_workspace
from agentdesk.ops.sla import recompute
from storage.database import Database

NOW_MS = 1_767_268_800_000  # 2026-01-01 12:00 UTC, a Thursday


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("demo-sla") / "demo.db"
    db = Database.open(path)
    try:
        generate_workspace(db, tickets=600, now_ms=NOW_MS)
    finally:
        db.close()
    yield path


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


DERIVED = (
    "SELECT id, sla_policy_id, sla_due_at, sla_target, sla_paused_left_ms FROM ticket ORDER BY id",
    "SELECT * FROM sla_clock ORDER BY ticket_id, target, cycle",
)


def test_the_demo_stores_what_a_recompute_computes(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(demo.read_bytes())
    before = [rows(copy, sql) for sql in DERIVED]
    assert len(before[1]) > 1000  # every ticket has clocks, solved ones too
    db = Database.open(copy)
    try:
        with db.transaction() as conn:
            conn.execute("DELETE FROM sla_clock")
            conn.execute("UPDATE ticket SET sla_policy_id = NULL, sla_due_at = NULL")
        assert recompute(db, now=NOW_MS, unsolved_only=False) == 600
    finally:
        db.close()
    assert [rows(copy, sql) for sql in DERIVED] == before


def test_every_status_a_ticket_reached_is_in_its_history(demo: Path) -> None:
    last = dict(
        rows(
            demo,
            "SELECT h.ticket_id, h.status FROM ticket_status_change AS h WHERE h.at ="
            " (SELECT max(at) FROM ticket_status_change WHERE ticket_id = h.ticket_id)",
        )
    )
    for ticket_id, status in rows(demo, "SELECT id, status FROM ticket"):
        assert last.get(ticket_id, "new") == status
    # Solved tickets closed four days after their solve, as the generator says.
    gaps = rows(
        demo,
        "SELECT c.at - s.at FROM ticket_status_change AS c JOIN ticket_status_change AS s"
        " ON s.ticket_id = c.ticket_id AND s.status = 'solved' WHERE c.status = 'closed'",
    )
    assert gaps and {gap for (gap,) in gaps} == {4 * 24 * 3_600_000}


def test_the_demo_tickets_follow_the_first_matching_policy(demo: Path) -> None:
    chosen = rows(
        demo,
        "SELECT DISTINCT t.priority, c.plan, p.name FROM ticket AS t"
        " JOIN customer AS c ON c.id = t.requester_id"
        " JOIN sla_policy AS p ON p.id = t.sla_policy_id",
    )
    names = {(priority, plan): name for priority, plan, name in chosen}
    assert names[("urgent", "enterprise")] == "Enterprise · urgent"
    assert names[("low", "enterprise")] == "Enterprise"
    assert names[("urgent", "free")] == "Urgent"
    assert names[("normal", "pro")] == "Normal"
