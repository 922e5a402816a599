"""The queue's SLA sort, the at-risk view and the ``sla:`` search terms.

Expected rows are computed in Python from the stored columns (not by the code under
test); the plans are checked to walk ``ix_ticket_sla_order`` without sorting, which
is what makes the at-risk view cost the same on any store size.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.domain.query import compile_query
from agentdesk.domain.views import sla_at_risk_view
from storage.agents import AgentRow, agent_by_email
from storage.migrations import SLA_NONE, SLA_ORDER, SLA_PAUSED, SLA_SOLVED
from storage.queue import (
    OPEN_FILTER,
    QueueQuery,
    TicketFilter,
    count,
    fetch_after,
    fetch_before,
    fetch_window,
    fetch_window_from_end,
    sla_due_before,
)
from tests.factories import MINUTE, T0, make_sla_workspace
from tests.storage.test_queue import _assert_indexed_without_sort, _plans

N = 120
Stored = tuple[int, str, int | None, int | None]  # number, status, due, paused left


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("sla-queue") / "sla.db"
    make_sla_workspace(path, tickets=N)
    setup = sqlite3.connect(path)
    with setup:  # some solved tickets, and ties on the due time
        setup.execute("UPDATE ticket SET status = 'solved', sla_due_at = NULL WHERE number % 9 = 0")
        setup.execute(
            "UPDATE ticket SET sla_due_at = ? WHERE number IN (1004, 1005, 1008)", (T0 + MINUTE,)
        )
    setup.close()
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def ana(conn: sqlite3.Connection) -> AgentRow:
    found = agent_by_email(conn, "ana@support.example.com")
    assert found is not None
    return found


def stored(conn: sqlite3.Connection) -> list[Stored]:
    return conn.execute(
        "SELECT number, status, sla_due_at, sla_paused_left_ms FROM ticket"
    ).fetchall()


def order_value(ticket: Stored) -> int:
    """The SLA order, worked out by hand from the columns."""
    _, status, due, paused_left = ticket
    if status in ("solved", "closed"):
        return SLA_SOLVED
    if due is not None:
        return due
    return SLA_PAUSED + paused_left if paused_left is not None else SLA_NONE


def numbers(conn: sqlite3.Connection, query: QueueQuery, limit: int = 1000) -> list[int]:
    return [row.number for row in fetch_window(conn, query, 0, limit)]


def expected(conn: sqlite3.Connection, keep: object, *, descending: bool = False) -> list[int]:
    rows = [t for t in stored(conn) if keep(t)]  # type: ignore[operator]
    rows.sort(key=lambda t: (order_value(t), t[0]), reverse=descending)
    return [t[0] for t in rows]


def test_the_index_spells_the_sort_expression(conn: sqlite3.Connection) -> None:
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE name = 'ix_ticket_sla_order'"
    ).fetchone()
    assert SLA_ORDER in " ".join(sql.split()).replace("( CASE", "(CASE")


@pytest.mark.parametrize("descending", [False, True])
def test_the_sla_sort_puts_the_next_due_first_then_paused_then_none(
    conn: sqlite3.Connection, descending: bool
) -> None:
    query = QueueQuery(OPEN_FILTER, "sla", descending=descending)
    unsolved = expected(conn, lambda t: t[1] not in ("solved", "closed"), descending=descending)
    assert numbers(conn, query) == unsolved
    assert count(conn, query) == len(unsolved)
    # Keyset pages from any row give the same order.
    rows = fetch_window(conn, query, 0, 1000)
    for start in (0, 7, 40):
        key = rows[start].keyset
        after = [r.number for r in fetch_after(conn, query, key, 10)]
        assert after == unsolved[start + 1 : start + 11]
        before = [r.number for r in fetch_before(conn, query, key, 5)]
        assert before == unsolved[max(0, start - 5) : start]
    tail = [r.number for r in fetch_window_from_end(conn, query, 0, 5)]
    assert tail == unsolved[-5:]


def test_the_at_risk_view_is_breached_or_due_within_the_window_by_due_time(
    conn: sqlite3.Connection, ana: AgentRow
) -> None:
    query = sla_at_risk_view(60).query(ana)  # the clock is T0 in tests
    assert (query.sort, query.descending) == ("sla", False)
    at_risk = expected(conn, lambda t: order_value(t) <= T0 + 60 * MINUTE)
    assert at_risk[:3] == [1112, 1108, 1104]  # the longest overdue first
    assert numbers(conn, query) == at_risk
    assert count(conn, query) == len(at_risk)


def test_the_at_risk_view_pages_from_the_sla_index_without_sorting(
    conn: sqlite3.Connection, ana: AgentRow
) -> None:
    query = sla_at_risk_view(60).query(ana)
    rows = fetch_window(conn, query, 0, 10)
    key = rows[4].keyset
    plans = _plans(
        conn,
        [
            ("fetch_window", lambda: fetch_window(conn, query, 0, 10)),
            ("fetch_after", lambda: fetch_after(conn, query, key, 10)),
            ("fetch_before", lambda: fetch_before(conn, query, key, 10)),
        ],
    )
    _assert_indexed_without_sort(plans)
    assert all("ix_ticket_sla_order" in " ".join(plan) for plan in plans.values())
    (count_plan,) = _plans(conn, [("count", lambda: count(conn, query))]).values()
    assert count_plan == ["SEARCH t USING INDEX ix_ticket_sla_order (<expr><?)"]


@pytest.mark.parametrize(
    ("text", "keep"),
    [
        ("sla:breached", lambda t: order_value(t) <= T0),
        ("sla:<10m", lambda t: order_value(t) < T0 + 10 * MINUTE),
        ("sla:10m", lambda t: order_value(t) <= T0 + 10 * MINUTE),
        ("sla:>1h", lambda t: T0 + 60 * MINUTE < order_value(t) < SLA_PAUSED),
        ("sla:paused", lambda t: SLA_PAUSED <= order_value(t) < SLA_NONE),
        ("-sla:breached status:new", lambda t: order_value(t) > T0 and t[1] == "new"),
        ("sla:breached,paused",
         lambda t: order_value(t) <= T0 or SLA_PAUSED <= order_value(t) < SLA_NONE),
    ],
)  # fmt: skip
def test_sla_search_terms(conn: sqlite3.Connection, ana: AgentRow, text: str, keep: object) -> None:
    query = compile_query(text, ana, now_ms=T0)
    wanted = expected(conn, keep, descending=True)
    by_sla = QueueQuery(query.filter, "sla", descending=True)
    assert numbers(conn, by_sla) == wanted
    assert count(conn, query) == len(wanted)
    assert sorted(numbers(conn, query)) == sorted(wanted)  # the default sort, same rows


def test_an_sla_range_under_another_sort_starts_from_the_sla_index(
    conn: sqlite3.Connection,
) -> None:
    query = QueueQuery(TicketFilter(sla=(sla_due_before(T0),)), "updated", descending=True)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        fetch_window(conn, query, 0, 10)
    finally:
        conn.set_trace_callback(None)
    window = statements[-1]  # after the planner's capped count of each condition
    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {window}")]
    assert "SEARCH t USING INDEX ix_ticket_sla_order" in plan[1], plan
