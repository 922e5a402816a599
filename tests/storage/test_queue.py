"""Queue windows: every way of fetching a page returns exactly a slice of the full order.

The expected order is computed in Python from the raw ticket rows (not by the
code under test), on a store where many tickets share ``updated_at`` and
``created_at`` so ties are exercised.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentdesk.domain.views import BUILTIN_VIEWS, View
from storage.agents import agent_by_email
from storage.queue import (
    OPEN_FILTER,
    QueueQuery,
    QueueRow,
    SortKey,
    TicketFilter,
    count,
    fetch_after,
    fetch_before,
    fetch_window,
    fetch_window_from_end,
    position_of,
)
from tests.factories import MINUTE, T0, make_workspace

N = 60
UNSOLVED = {"new", "open", "pending", "on-hold"}


@dataclass(frozen=True)
class Raw:
    """One ticket as stored, read with plain SQL."""

    number: int
    status: str
    assignee_id: str | None
    tier: int
    group_id: str | None
    requester_id: str
    updated_at: int
    created_at: int


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("queue") / "queue.db"
    make_workspace(path, tickets=N)
    setup = sqlite3.connect(path)
    with setup:
        # Ties: a quarter of the tickets share one updated_at (which also equals
        # ticket #1010's own), a fifth share another; a sixth share a created_at.
        setup.execute("UPDATE ticket SET updated_at = ? WHERE number % 4 = 0", (T0 - 10 * MINUTE,))
        setup.execute("UPDATE ticket SET updated_at = ? WHERE number % 5 = 1", (T0 - 50 * MINUTE,))
        setup.execute("UPDATE ticket SET created_at = ? WHERE number % 6 = 0", (T0 - 999 * MINUTE,))
        # Variety for the filters.
        setup.execute("UPDATE ticket SET status = 'solved' WHERE number % 9 = 4")
        setup.execute("UPDATE ticket SET status = 'closed' WHERE number % 11 = 7")
        setup.execute("UPDATE ticket SET tier = 2 WHERE number % 5 = 2")
        setup.execute("UPDATE ticket SET tier = 3 WHERE number % 13 = 0")
        setup.execute("UPDATE ticket SET group_id = 'GR-FRONT' WHERE number % 2 = 0")
        setup.execute(
            "UPDATE ticket SET assignee_id = 'AG-DEV' WHERE number % 7 = 1 AND assignee_id IS NULL"
        )
    setup.close()
    reader = sqlite3.connect(path)
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def raw(conn: sqlite3.Connection) -> list[Raw]:
    rows = conn.execute(
        "SELECT number, status, assignee_id, tier, group_id, requester_id, updated_at, created_at"
        " FROM ticket"
    ).fetchall()
    return [Raw(*row) for row in rows]


def _matches(f: TicketFilter, r: Raw) -> bool:
    """The filter's meaning, written independently of ``TicketFilter.where``."""
    checks = [
        f.unsolved is None or (r.status in UNSOLVED) == f.unsolved,
        not f.statuses or r.status in f.statuses,
        r.assignee_id is None if f.unassigned else f.assignee_id in (None, r.assignee_id),
        f.tier is None or r.tier == f.tier,
        f.group_id is None or r.group_id == f.group_id,
        f.requester_id is None or r.requester_id == f.requester_id,
    ]
    return all(checks)


def _sort_value(sort: SortKey, r: Raw) -> int:
    return {"updated": r.updated_at, "created": r.created_at, "number": r.number}[sort]


def expected(raw: list[Raw], q: QueueQuery) -> list[int]:
    """Ticket numbers of the query, in its order, computed in Python."""
    rows = [r for r in raw if _matches(q.filter, r)]
    rows.sort(key=lambda r: (_sort_value(q.sort, r), r.number), reverse=q.descending)
    return [r.number for r in rows]


def numbers(rows: list[QueueRow]) -> list[int]:
    return [row.number for row in rows]


FILTERS: dict[str, TicketFilter] = {
    "open": OPEN_FILTER,
    "all": TicketFilter(),
    "solved": TicketFilter(unsolved=False),
    "statuses": TicketFilter(statuses=("new", "pending")),
    "mine-open": TicketFilter(unsolved=True, assignee_id="AG-ANA"),
    "dev": TicketFilter(assignee_id="AG-DEV"),
    "unassigned-open": TicketFilter(unsolved=True, unassigned=True),
    "tier-2": TicketFilter(tier=2),
    "group-open": TicketFilter(unsolved=True, group_id="GR-FRONT"),
    "requester-statuses": TicketFilter(requester_id="CU-2", statuses=("open", "solved", "closed")),
    "tier-3-requester": TicketFilter(tier=3, requester_id="CU-1"),
    "empty": TicketFilter(requester_id="CU-404"),
}
SORTS: tuple[SortKey, ...] = ("updated", "created", "number")


def orders(f: TicketFilter) -> list[QueueQuery]:
    """The filter under every sort key, both directions."""
    return [QueueQuery(f, sort, desc) for sort in SORTS for desc in (True, False)]


BY_FILTER = pytest.mark.parametrize("f", FILTERS.values(), ids=FILTERS.keys())


# --------------------------------------------------------------------------- the store itself


def test_store_has_the_ties_and_variety_the_tests_rely_on(raw: list[Raw]) -> None:
    updated = Counter(r.updated_at for r in raw if r.status in UNSOLVED)
    created = Counter(r.created_at for r in raw)
    assert max(updated.values()) >= 10
    assert sum(1 for c in updated.values() if c > 1) >= 2
    assert max(created.values()) >= 10
    assert {r.status for r in raw} == {"new", "open", "pending", "on-hold", "solved", "closed"}
    assert {r.tier for r in raw} == {1, 2, 3}


def test_plain_sql_order_by_agrees_with_the_python_order(
    conn: sqlite3.Connection, raw: list[Raw]
) -> None:
    """Cross-check the test's own oracle once against SQLite."""
    sql = (
        "SELECT number FROM ticket WHERE status IN ('new', 'open', 'pending', 'on-hold')"
        " ORDER BY updated_at DESC, number DESC"
    )
    plain = [n for (n,) in conn.execute(sql)]
    assert plain == expected(raw, QueueQuery())


# --------------------------------------------------------------------------- windows


@BY_FILTER
def test_full_scan_is_the_expected_order(
    conn: sqlite3.Connection, raw: list[Raw], f: TicketFilter
) -> None:
    for q in orders(f):
        full = expected(raw, q)
        assert numbers(fetch_window(conn, q, 0, N + 10)) == full, q
        assert count(conn, q) == len(full), q
        if f != FILTERS["empty"]:
            assert full, "every non-empty filter must match something to be a useful test"


@BY_FILTER
def test_offset_windows_are_slices(
    conn: sqlite3.Connection, raw: list[Raw], f: TicketFilter
) -> None:
    for q in orders(f):
        full = expected(raw, q)
        n = len(full)
        for offset in sorted({0, 1, 7, max(0, n - 3), n, n + 5}):
            for limit in (1, 5, n + 1):
                assert (
                    numbers(fetch_window(conn, q, offset, limit)) == (full[offset : offset + limit])
                ), (q, offset, limit)
                stop = max(0, n - offset)
                assert (
                    numbers(fetch_window_from_end(conn, q, offset, limit))
                    == (full[max(0, stop - limit) : stop])
                ), (q, offset, limit)


@BY_FILTER
def test_keyset_seeks_are_slices(conn: sqlite3.Connection, raw: list[Raw], f: TicketFilter) -> None:
    for q in orders(f):
        rows = fetch_window(conn, q, 0, N + 10)
        full = expected(raw, q)
        ends = {0, len(rows) // 2, len(rows) - 1}
        for i, row in enumerate(rows):
            for limit in (1, 5, N) if i in ends else (3,):
                assert (
                    numbers(fetch_after(conn, q, row.keyset, limit))
                    == (full[i + 1 : i + 1 + limit])
                ), (q, row.keyset, limit)
                assert (
                    numbers(fetch_before(conn, q, row.keyset, limit))
                    == (full[max(0, i - limit) : i])
                ), (q, row.keyset, limit)


@BY_FILTER
def test_keyset_pages_cover_every_row_exactly_once(
    conn: sqlite3.Connection, raw: list[Raw], f: TicketFilter
) -> None:
    for q in orders(f):
        full = expected(raw, q)
        for page in (1, 7, 32):
            forward = fetch_window(conn, q, 0, page)
            seen = list(forward)
            while forward:
                forward = fetch_after(conn, q, seen[-1].keyset, page)
                seen.extend(forward)
            assert numbers(seen) == full, (q, page)

            backward = fetch_window_from_end(conn, q, 0, page)
            seen = list(backward)
            while backward:
                backward = fetch_before(conn, q, seen[0].keyset, page)
                seen[:0] = backward
            assert numbers(seen) == full, (q, page)


@BY_FILTER
def test_position_of(conn: sqlite3.Connection, raw: list[Raw], f: TicketFilter) -> None:
    for q in orders(f):
        full = expected(raw, q)
        for index, number in enumerate(full):
            assert position_of(conn, q, number) == index, (q, number)
        outside = {r.number for r in raw} - set(full)
        for number in outside:
            assert position_of(conn, q, number) is None, (q, number)
        assert position_of(conn, q, 999_999) is None


def test_rows_carry_the_ticket_fields(conn: sqlite3.Connection) -> None:
    q = QueueQuery(TicketFilter(), "number", descending=False)
    first, second, third = fetch_window(conn, q, 0, 3)
    assert first.number == 1000
    assert first.id == "01TICKET000000000000001000"
    assert first.subject == "Printer jam number 0"
    assert (first.status, first.priority, first.channel, first.tier) == ("new", "low", "email", 1)
    assert first.requester == "Zoë Ålander"
    assert first.assignee == "Ana Lima"
    assert first.updated_at == T0 - 10 * MINUTE
    assert first.version == 1
    assert first.sort_value == 1000
    assert first.keyset == (1000, 1000)

    assert second.number == 1001
    assert second.status == "open"
    assert second.requester == "José García"
    assert second.assignee is None
    assert second.updated_at == T0 - 50 * MINUTE

    assert third.number == 1002
    assert third.requester == "[bold]Mallory[/bold]"  # stored as written, never interpreted
    assert third.assignee == "Dev Patel"
    assert (third.status, third.channel, third.tier) == ("pending", "web", 2)


def test_sort_value_is_the_sort_column(conn: sqlite3.Connection, raw: list[Raw]) -> None:
    by_number = {r.number: r for r in raw}
    for sort in SORTS:
        for row in fetch_window(conn, QueueQuery(TicketFilter(), sort), 0, N):
            assert row.sort_value == _sort_value(sort, by_number[row.number])
            assert row.keyset == (row.sort_value, row.number)


def test_a_window_follows_the_store_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    make_workspace(path, tickets=10)
    conn = sqlite3.connect(path)
    try:
        q = QueueQuery()
        assert numbers(fetch_window(conn, q, 0, 3)) == [1000, 1001, 1002]
        assert position_of(conn, q, 1005) == 5
        with conn:
            conn.execute("UPDATE ticket SET updated_at = ? WHERE number = 1005", (T0 + MINUTE,))
            conn.execute("UPDATE ticket SET status = 'solved' WHERE number = 1001")
        assert numbers(fetch_window(conn, q, 0, 3)) == [1005, 1000, 1002]
        assert position_of(conn, q, 1005) == 0
        assert position_of(conn, q, 1001) is None
        assert count(conn, q) == 9
    finally:
        conn.close()


# --------------------------------------------------------------------------- query plans


def _plans(
    conn: sqlite3.Connection, run: list[tuple[str, Callable[[], object]]]
) -> dict[str, list[str]]:
    """Run each fetch with a trace on, then EXPLAIN QUERY PLAN the exact SQL it ran."""
    plans: dict[str, list[str]] = {}
    for label, call in run:
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            call()
        finally:
            conn.set_trace_callback(None)
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 1, statements
        plans[label] = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {selects[0]}")]
    return plans


def _assert_indexed_without_sort(plans: dict[str, list[str]]) -> None:
    for label, plan in plans.items():
        ticket_steps = [
            step for step in plan if step.split()[:2] in (["SEARCH", "t"], ["SCAN", "t"])
        ]
        assert ticket_steps, (label, plan)
        assert "INDEX" in ticket_steps[0] or "PRIMARY KEY" in ticket_steps[0], (label, plan)
        assert not any("TEMP B-TREE" in step for step in plan), (label, plan)


def test_default_query_keyset_seek_uses_an_index_and_no_sort(conn: sqlite3.Connection) -> None:
    q = QueueQuery(OPEN_FILTER, "updated", descending=True)
    key = fetch_window(conn, q, 10, 1)[0].keyset
    plans = _plans(
        conn,
        [
            ("fetch_after", lambda: fetch_after(conn, q, key, 50)),
            ("fetch_before", lambda: fetch_before(conn, q, key, 50)),
            ("fetch_window", lambda: fetch_window(conn, q, 0, 50)),
            ("fetch_window_from_end", lambda: fetch_window_from_end(conn, q, 0, 50)),
        ],
    )
    _assert_indexed_without_sort(plans)
    assert "ix_ticket_unsolved_updated" in plans["fetch_after"][0]


@pytest.mark.parametrize("view", BUILTIN_VIEWS, ids=[v.key for v in BUILTIN_VIEWS])
def test_builtin_views_page_from_an_index_without_sorting(
    conn: sqlite3.Connection, view: View
) -> None:
    """Every queue the app offers must page in O(page), not sort the whole view per page."""
    agent = agent_by_email(conn, "ana@support.example.com")
    assert agent is not None
    q = view.query(agent)
    key = (T0 - 20 * MINUTE, 1020)
    plans = _plans(
        conn,
        [
            ("fetch_after", lambda: fetch_after(conn, q, key, 50)),
            ("fetch_before", lambda: fetch_before(conn, q, key, 50)),
        ],
    )
    _assert_indexed_without_sort(plans)
