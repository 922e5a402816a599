"""The demo's survey answers and handle sessions: plausible, consistent, reproducible."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from ulid import ULID

from agentdesk.demo import generate_workspace
from agentdesk.demo.feedback import SESSIONS_SINCE_MS
from storage.database import Database

NOW_MS = 1_767_268_800_000  # 2026-01-01 12:00 UTC
TICKETS = 800
MINUTE = 60_000


def _make(path: Path) -> Path:
    db = Database.open(path)
    generate_workspace(db, tickets=TICKETS, seed=3, now_ms=NOW_MS)
    db.close()
    return path


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = _make(tmp_path_factory.mktemp("feedback") / "demo.db")
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


def test_about_a_third_of_solved_tickets_answer_a_survey(conn: sqlite3.Connection) -> None:
    solved = conn.execute("SELECT count(*) FROM ticket WHERE solved_at IS NOT NULL").fetchone()[0]
    counts = dict(conn.execute("SELECT kind, count(*) FROM survey_answer GROUP BY kind"))
    assert 0.18 * solved < counts["csat"] < 0.32 * solved
    assert 0.07 * solved < counts["nps"] < 0.18 * solved


def test_answers_are_in_range_and_come_after_the_solve(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT s.id, s.kind, s.score, s.answered_at, t.solved_at, s.customer_id, t.requester_id"
        " FROM survey_answer AS s JOIN ticket AS t ON t.id = s.ticket_id"
    ).fetchall()
    for answer_id, kind, score, answered, solved, customer, requester in rows:
        assert 1 <= score <= 5 if kind == "csat" else 0 <= score <= 10
        assert solved < answered < NOW_MS or answered == NOW_MS - 1
        assert customer == requester
        assert ULID.from_str(answer_id).milliseconds == answered
    assert len({row[0] for row in rows}) == len(rows)
    csat_scores = {score for _, kind, score, *_ in rows if kind == "csat"}
    assert csat_scores == {1, 2, 3, 4, 5}


AGENT_MESSAGES: Final = """
SELECT m.created_at FROM message AS m JOIN ticket AS t ON t.id = m.ticket_id
WHERE m.author_agent_id IS NOT NULL AND m.kind IN ('public', 'internal') AND t.created_at >= ?
"""


def test_recent_agent_messages_have_the_session_that_wrote_them(conn: sqlite3.Connection) -> None:
    since = NOW_MS - SESSIONS_SINCE_MS
    written = [at for (at,) in conn.execute(AGENT_MESSAGES, (since,))]
    rows = conn.execute(
        "SELECT h.id, h.started_at, h.ended_at, t.created_at FROM handle_session AS h"
        " JOIN ticket AS t ON t.id = h.ticket_id"
    ).fetchall()
    assert 100 < len(rows) == len(written)
    for session_id, started, ended, created in rows:
        assert created >= since
        assert ended - started <= 20 * MINUTE
        assert started >= created
        assert ended - started >= MINUTE or started == created
        assert ULID.from_str(session_id).milliseconds == ended
    assert len({row[0] for row in rows}) == len(rows)
    assert sorted(e for _, _, e, _ in rows) == sorted(written)


def test_the_same_tickets_give_the_same_feedback(conn: sqlite3.Connection, tmp_path: Path) -> None:
    again = sqlite3.connect(_make(tmp_path / "again.db"))
    try:
        for table in ("survey_answer", "handle_session"):
            sql = f"SELECT * FROM {table} ORDER BY id"
            assert again.execute(sql).fetchall() == conn.execute(sql).fetchall()
    finally:
        again.close()
