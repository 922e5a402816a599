"""Search filters on a real store: each returns exactly the tickets a Python oracle picks.

The store is ``make_workspace`` plus rows made here for the search language: more
customers (names, emails, organizations), groups, tags, tiers, spread-out creation
times, solved and closed tickets, and messages with known words. The oracle reads
the raw rows with plain SQL and decides each filter in Python, independently of the
SQL under test; windows, counts, keyset chains and positions must all agree with it,
under every sort key and both plans a window can take (start from a narrow
condition, or walk the sort order).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from agentdesk.domain.query import compile_query
from storage import queue
from storage.agents import AgentRow
from storage.migrations import PRIORITY_RANK, RANK_SHIFT, STATUS_RANK
from storage.queue import (
    PRIORITY_RANKS,
    STATUS_RANKS,
    QueueQuery,
    QueueRow,
    Refs,
    SortKey,
    Span,
    TicketFilter,
    count,
    fetch_after,
    fetch_before,
    fetch_window,
    fetch_window_from_end,
    position_of,
)
from storage.search import SETS_KEPT, TextTerm, forget_sets
from tests.factories import MINUTE, T0, make_workspace, ticket_id

N = 90
DAY = 24 * 60 * MINUTE
ANA = AgentRow("AG-ANA", "Ana Lima", "ana@support.example.com", "1", True, ("Frontline",))
SORTS: tuple[SortKey, ...] = ("updated", "created", "number", "priority", "status")

CUSTOMERS = [
    ("CU-4", "Acme Billing Desk", "billing@acme.example", "Acme Corp"),
    ("CU-5", "Priya Shah", "priya@globex.example", "Globex"),
    ("CU-6", "Émile Zola", "emile@example.fr", None),
    ("CU-7", "acme_fan 100%", "fan@fans.example", "Acme Fans"),
]
WORDS = [
    "refund requested for order",
    "invoice missing vat",
    "printer jam again",
    "the printer is fine",
    "kumquat export failed",
    "Zoë cannot sign in",
    "refunded already",
    "jam session",
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("filters") / "filters.db"
    make_workspace(path, tickets=N)
    setup = sqlite3.connect(path)
    with setup:
        setup.executemany(
            "INSERT INTO customer (id, name, email, organization, created_at) VALUES (?,?,?,?,?)",
            [(*c, T0) for c in CUSTOMERS],
        )
        setup.executemany(
            "INSERT INTO agent_group (id, name, tier) VALUES (?, ?, ?)",
            [("GR-TECH", "Technical Support", 2), ("GR-BILL", "Billing", 1)],
        )
        for i in range(N):
            number = 1000 + i
            status = ("new", "open", "pending", "on-hold", "solved", "closed", "open")[i % 7]
            created = T0 - (i % 12) * DAY - (i % 5) * MINUTE
            updated = max(created, T0 - (i % 17) * 37 * MINUTE)
            setup.execute(
                "UPDATE ticket SET status = ?, priority = ?, tier = ?, group_id = ?,"
                " assignee_id = ?, requester_id = ?, created_at = ?, updated_at = ?"
                " WHERE number = ?",
                (
                    status,
                    ("low", "normal", "high", "urgent", "normal")[i % 5],
                    1 + i % 3,
                    (None, "GR-FRONT", "GR-TECH", "GR-BILL")[i % 4],
                    (None, "AG-ANA", "AG-DEV", "AG-EVA", None, "AG-BEN")[i % 6],
                    f"CU-{1 + i % 7}",
                    created,
                    updated,
                    number,
                ),
            )
            tags = [
                t for k, t in ((2, "billing"), (3, "vip"), (5, "spam"), (7, "refund")) if i % k == 0
            ]
            setup.executemany(
                "INSERT INTO ticket_tag (ticket_id, tag) VALUES (?, ?)",
                [(ticket_id(number), tag) for tag in tags],
            )
            if i % 4 == 1:
                setup.execute(
                    "INSERT INTO message (id, ticket_id, kind, author_agent_id, body, created_at)"
                    " VALUES (?, ?, 'public', 'AG-ANA', ?, ?)",
                    (f"MSG-X{number}", ticket_id(number), WORDS[i // 4 % len(WORDS)], updated),
                )
        setup.execute("UPDATE ticket SET subject = 'Refund for the printer' WHERE number = 1011")
    setup.close()
    reader = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    yield reader
    reader.close()


# --------------------------------------------------------------------------- the oracle


@dataclass(frozen=True)
class Raw:
    number: int
    id: str
    status: str
    priority: str
    channel: str
    tier: int
    assignee_id: str | None
    group_id: str | None
    requester_id: str
    created_at: int
    updated_at: int
    subject: str
    tags: frozenset[str]
    texts: tuple[str, ...]  # the subject, then every message body
    customer: tuple[str, str, str | None]
    assignee: tuple[str, str] | None
    group: str | None


@pytest.fixture(scope="module")
def raw(conn: sqlite3.Connection) -> list[Raw]:
    rows = conn.execute(
        "SELECT t.number, t.id, t.status, t.priority, t.channel, t.tier, t.assignee_id,"
        " t.group_id, t.requester_id, t.created_at, t.updated_at, t.subject,"
        " c.name, c.email, c.organization, a.name, a.email, g.name"
        " FROM ticket t JOIN customer c ON c.id = t.requester_id"
        " LEFT JOIN agent a ON a.id = t.assignee_id LEFT JOIN agent_group g ON g.id = t.group_id"
    ).fetchall()
    tags: dict[str, set[str]] = {}
    for tid, tag in conn.execute("SELECT ticket_id, tag FROM ticket_tag"):
        tags.setdefault(tid, set()).add(tag)
    bodies: dict[str, list[str]] = {}
    for tid, body in conn.execute("SELECT ticket_id, body FROM message ORDER BY seq"):
        bodies.setdefault(tid, []).append(body)
    return [
        Raw(
            *row[:12],
            tags=frozenset(tags.get(row[1], ())),
            texts=(row[11], *bodies.get(row[1], ())),
            customer=(row[12], row[13], row[14]),
            assignee=None if row[15] is None else (row[15], row[16]),
            group=row[17],
        )
        for row in rows
    ]


def tokens(text: str) -> list[str]:
    """FTS5 unicode61 with remove_diacritics, for the ASCII-ish text of this store."""
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch)
    )
    return re.findall(r"[a-z0-9]+", folded)


def text_matches(term: TextTerm, texts: tuple[str, ...]) -> bool:
    want = tokens(term.words)
    for text in texts:
        have = tokens(text)
        for start in range(len(have) - len(want) + 1):
            window = have[start : start + len(want)]
            if window[:-1] == want[:-1] and (
                window[-1].startswith(want[-1]) if term.prefix else window[-1] == want[-1]
            ):
                return True
    return False


def starts(value: str | None, prefix: str) -> bool:
    """NOCASE: ASCII letters fold, nothing else does."""
    fold = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    return value is not None and value.translate(fold).startswith(prefix.translate(fold))


def requester_matches(text: str, r: Raw) -> bool:
    name, email, organization = r.customer
    return any(starts(v, text) for v in (name, email, email.partition("@")[2], organization))


def ref_matches(refs: Refs, ref_id: str | None, names: tuple[str, ...] | None) -> bool:
    if ref_id is None:
        return refs.nobody
    if ref_id in refs.ids:
        return True
    words = [] if names is None else [w for n in names[:1] for w in n.split()]
    for wanted in refs.names:
        if names is not None and (
            any(starts(w, wanted) for w in words)
            or starts(names[0], wanted)
            or (len(names) > 1 and starts(names[1], wanted))
        ):
            return True
    return False


def in_spans(value: int, spans: tuple[Span, ...]) -> bool:
    return any(
        (s.start is None or value >= s.start) and (s.end is None or value < s.end) for s in spans
    )


def matches(f: TicketFilter, r: Raw) -> bool:
    """The meaning of every filter field, written without SQL."""
    unsolved = r.status in ("new", "open", "pending", "on-hold")
    agent = None if r.assignee is None else r.assignee
    group = None if r.group is None else (r.group,)
    checks = [
        f.unsolved is None or unsolved == f.unsolved,
        not f.statuses or r.status in f.statuses,
        r.status not in f.statuses_not,
        r.assignee_id is None if f.unassigned else f.assignee_id in (None, r.assignee_id),
        f.tier is None or r.tier == f.tier,
        f.group_id is None or r.group_id == f.group_id,
        f.requester_id is None or r.requester_id == f.requester_id,
        not f.priorities or r.priority in f.priorities,
        r.priority not in f.priorities_not,
        not f.channels or r.channel in f.channels,
        r.channel not in f.channels_not,
        not f.tiers or r.tier in f.tiers,
        r.tier not in f.tiers_not,
        f.assignees is None or ref_matches(f.assignees, r.assignee_id, agent),
        f.assignees_not is None or not ref_matches(f.assignees_not, r.assignee_id, agent),
        f.groups is None or ref_matches(f.groups, r.group_id, group),
        f.groups_not is None or not ref_matches(f.groups_not, r.group_id, group),
        all(r.tags & set(g) for g in f.tags),
        not r.tags & set(f.tags_none),
        not f.requesters or any(requester_matches(t, r) for t in f.requesters),
        not any(requester_matches(t, r) for t in f.requesters_not),
        not f.created or in_spans(r.created_at, f.created),
        not in_spans(r.created_at, f.created_not),
        not f.updated or in_spans(r.updated_at, f.updated),
        not in_spans(r.updated_at, f.updated_not),
        not f.numbers or r.number in f.numbers,
        r.number not in f.numbers_not,
        all(text_matches(t, r.texts) for t in f.text),
        not any(text_matches(t, r.texts) for t in f.text_not),
        all(matches(sub, r) for sub in f.also),
    ]
    return all(checks)


def sort_value(sort: SortKey, r: Raw) -> int:
    return {
        "updated": r.updated_at,
        "created": r.created_at,
        "number": r.number,
        "priority": PRIORITY_RANKS[r.priority] * RANK_SHIFT + r.updated_at,
        "status": STATUS_RANKS[r.status] * RANK_SHIFT + r.updated_at,
    }[sort]


def expected(raw: list[Raw], q: QueueQuery) -> list[int]:
    rows = [r for r in raw if matches(q.filter, r)]
    rows.sort(key=lambda r: (sort_value(q.sort, r), r.number), reverse=q.descending)
    return [r.number for r in rows]


def numbers(rows: list[QueueRow]) -> list[int]:
    return [row.number for row in rows]


# --------------------------------------------------------------------------- the filters

QUERIES = [
    "status:open",
    "status:open,pending",
    "status:unsolved",
    "-status:closed -status:solved",
    "status:unsolved -status:pending",
    "status:closed,new",
    "priority:high",
    "priority:high,urgent",
    "priority:low,urgent",
    "-priority:normal",
    "status:open priority:normal",
    "status:open,new priority:low,normal,high",
    "channel:email",
    "channel:chat,web -channel:web",
    "tier:2",
    "tier:1,3",
    "-tier:1",
    "assignee:me",
    "is:mine",
    "is:unassigned",
    "assignee:me,none",
    "-assignee:none",
    "-assignee:me",
    "assignee:dev@support.example.com",
    "assignee:eva",
    "assignee:novak",
    "assignee:BEN",
    "group:front",
    "group:support",
    "group:tech,billing",
    "group:none",
    "-group:none",
    "-group:billing",
    "tag:billing",
    "tag:billing tag:vip",
    "tag:vip,refund",
    "tag:billing -tag:spam",
    "-tag:spam -tag:vip",
    "tag:nosuchtag",
    "requester:acme",
    "requester:ACME",
    "requester:zo",
    "requester:example.org",
    "requester:jose@",
    "requester:acme_",
    'requester:"acme_fan 100%"',
    "requester:Émile",
    "requester:émile",
    "-requester:acme",
    'requester:"Acme Corp"',
    "created:<1d",
    "created:>3d",
    "created:2d..5d",
    "created:<1d created:>10d",
    "-created:>3d",
    "updated:<2h",
    "updated:>=5h",
    "created:2026-05-27",
    "created:>=2026-05-25",
    "created:*..2026-05-20",
    "#1003",
    "id:1003,1010 #1011",
    "-#1003 status:open",
    "refund",
    "refun*",
    "printer",
    '"printer jam"',
    "printer jam",
    "jam -printer",
    '-"printer jam" status:open',
    "zoe",
    "kumquat",
    '"message body 3"',
    "body 3",
    "nothingmatchesthis",
    "status:open refund",
    "is:unassigned printer",
    "status:unsolved priority:high tag:billing -tag:spam",
    "tier:2 group:tech is:unassigned created:>5d",
    "requester:acme tag:vip status:open,closed",
    "channel:web,social priority:urgent -assignee:none",
]


def filters() -> dict[str, TicketFilter]:
    compiled = {q: compile_query(q, ANA, now_ms=T0).filter for q in QUERIES}
    compiled["view-open + search"] = compile_query(
        "priority:high,urgent", ANA, now_ms=T0, base=TicketFilter(unsolved=True)
    ).filter
    compiled["view-statuses + search statuses"] = compile_query(
        "status:open,pending tag:billing", ANA, now_ms=T0, base=TicketFilter(statuses=("open",))
    ).filter
    compiled["view-mine + search"] = compile_query(
        "tag:refund", ANA, now_ms=T0, base=TicketFilter(unsolved=True, assignee_id="AG-ANA")
    ).filter
    compiled["view-tier + text"] = compile_query(
        "refun*", ANA, now_ms=T0, base=TicketFilter(unsolved=True, tier=1)
    ).filter
    compiled["direct assignees by id"] = TicketFilter(assignees=Refs(ids=("AG-DEV", "AG-EVA")))
    compiled["direct groups by id"] = TicketFilter(groups=Refs(ids=("GR-TECH",), nobody=True))
    compiled["direct nothing allowed"] = TicketFilter(statuses=("open",), statuses_not=("open",))
    compiled["direct also"] = TicketFilter(
        tags=(("billing",),), also=(TicketFilter(priorities_not=("low",)),)
    )
    return compiled


FILTERS = filters()
BY_FILTER = pytest.mark.parametrize("f", FILTERS.values(), ids=FILTERS.keys())


@pytest.fixture(params=["as planned", "always walk", "walks give up", "always start narrow"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each check under the real plans and under the extremes of the planner."""
    if request.param in ("always walk", "walks give up"):
        monkeypatch.setattr(queue, "NARROW", 0)
        monkeypatch.setattr(queue, "NARROW_COVERED", 0)
    if request.param == "walks give up":
        monkeypatch.setattr(queue, "WALK_BUDGET", -1.0)
        monkeypatch.setattr(queue, "WALK_CHECK_EVERY", 1)
    elif request.param == "always start narrow":
        monkeypatch.setattr(queue, "NARROW", 10**9)
        monkeypatch.setattr(queue, "NARROW_COVERED", 10**9)
    return str(request.param)


def test_store_has_the_variety_the_tests_rely_on(raw: list[Raw]) -> None:
    assert {r.status for r in raw} == set(STATUS_RANKS)
    assert {r.priority for r in raw} == set(PRIORITY_RANKS)
    assert {r.tier for r in raw} == {1, 2, 3}
    assert {r.group_id for r in raw} == {None, "GR-FRONT", "GR-TECH", "GR-BILL"}
    assert len({r.created_at for r in raw}) < len(raw) - 10  # ties
    assert len({(r.priority, r.updated_at) for r in raw}) < len(raw) - 10


@BY_FILTER
def test_every_filter_selects_what_the_oracle_selects(
    conn: sqlite3.Connection, raw: list[Raw], f: TicketFilter, plan: str
) -> None:
    for sort in SORTS:
        for descending in (True, False):
            q = QueueQuery(f, sort, descending)
            full = expected(raw, q)
            assert numbers(fetch_window(conn, q, 0, N + 10)) == full, (q, plan)
            assert count(conn, q) == len(full), (q, plan)


def test_most_filters_match_some_but_not_all(raw: list[Raw]) -> None:
    sizes = {name: sum(matches(f, r) for r in raw) for name, f in FILTERS.items()}
    empty = {name for name, size in sizes.items() if size == 0}
    # NOCASE folds ASCII letters only, so "émile" does not find "Émile" (a known limit).
    assert empty == {
        "tag:nosuchtag",
        "nothingmatchesthis",
        "direct nothing allowed",
        "requester:émile",
    }, sizes
    assert not [name for name, size in sizes.items() if size == len(raw)], sizes


@pytest.mark.parametrize(
    "text",
    [
        "status:unsolved",
        "priority:high,urgent",
        "tag:billing -tag:spam",
        "requester:acme",
        "refund",
        "status:open,pending,on-hold priority:low,high",
    ],
)
@pytest.mark.parametrize("sort", SORTS)
def test_keyset_pages_cover_every_row_once_under_every_sort(
    conn: sqlite3.Connection, raw: list[Raw], text: str, sort: SortKey, plan: str
) -> None:
    f = compile_query(text, ANA, now_ms=T0).filter
    for descending in (True, False):
        q = QueueQuery(f, sort, descending)
        full = expected(raw, q)
        for page in (1, 4, 13):
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
        n = len(full)
        for offset in sorted({0, 3, n // 2, max(0, n - 2)}):
            assert numbers(fetch_window(conn, q, offset, 5)) == full[offset : offset + 5]
            stop = max(0, n - offset)
            assert (
                numbers(fetch_window_from_end(conn, q, offset, 5)) == full[max(0, stop - 5) : stop]
            )
        for index, number in enumerate(full):
            assert position_of(conn, q, number) == index
        for number in {r.number for r in raw} - set(full):
            assert position_of(conn, q, number) is None


def test_sort_values_are_the_documented_keys(conn: sqlite3.Connection, raw: list[Raw]) -> None:
    by_number = {r.number: r for r in raw}
    for sort in SORTS:
        q = QueueQuery(TicketFilter(), sort)
        for row in fetch_window(conn, q, 0, N):
            assert row.sort_value == sort_value(sort, by_number[row.number])


def test_priority_sort_puts_urgent_first_then_latest(
    conn: sqlite3.Connection, raw: list[Raw]
) -> None:
    rows = fetch_window(conn, QueueQuery(TicketFilter(), "priority"), 0, N)
    by_number = {r.number: r for r in raw}
    priorities = [by_number[row.number].priority for row in rows]
    assert priorities == sorted(priorities, key=PRIORITY_RANKS.__getitem__, reverse=True)
    urgent = [row.updated_at for row in rows if by_number[row.number].priority == "urgent"]
    assert urgent == sorted(urgent, reverse=True)


def test_status_sort_reads_like_the_workflow(conn: sqlite3.Connection, raw: list[Raw]) -> None:
    rows = fetch_window(conn, QueueQuery(TicketFilter(), "status"), 0, N)
    statuses = list(dict.fromkeys(row.status for row in rows))
    assert statuses == ["new", "open", "pending", "on-hold", "solved", "closed"]


def test_rank_tables_agree_with_the_schema_expressions(conn: sqlite3.Connection) -> None:
    for priority, rank in PRIORITY_RANKS.items():
        got = conn.execute(f"SELECT {PRIORITY_RANK} FROM (SELECT ? AS priority)", (priority,))
        assert got.fetchone()[0] == rank
    for status, rank in STATUS_RANKS.items():
        got = conn.execute(f"SELECT {STATUS_RANK} FROM (SELECT ? AS status)", (status,))
        assert got.fetchone()[0] == rank


def test_narrow_merges_or_nests(raw: list[Raw]) -> None:
    a = TicketFilter(unsolved=True)
    b = TicketFilter(priorities=("high",), tags=(("vip",),))
    assert a.narrow(b) == TicketFilter(unsolved=True, priorities=("high",), tags=(("vip",),))
    c = TicketFilter(priorities=("low",))
    assert b.narrow(c) == replace(b, also=(c,))
    assert not [r for r in raw if matches(b.narrow(c), r)]


def test_user_text_is_never_sql_or_fts_syntax(conn: sqlite3.Connection) -> None:
    hostile = [
        "'; DROP TABLE ticket; --",
        '" OR 1=1 --',
        "NEAR(a b)",
        "a AND NOT b",
        "%",
        "_",
        "\\",
        "\x00",
        "*",
        "body:x",
    ]
    for text in hostile:
        f = TicketFilter(
            requesters=(text,),
            assignees=Refs(names=(text,)),
            groups=Refs(names=(text,)),
            tags=((text,),),
            text=(TextTerm(text),),
        )
        q = QueueQuery(f)
        assert fetch_window(conn, q, 0, 10) == []
        assert count(conn, q) == 0
    assert conn.execute("SELECT count(*) FROM ticket").fetchone()[0] == N


# --------------------------------------------------------------------------- plans


def _statements(conn: sqlite3.Connection, call: Callable[[], object]) -> list[str]:
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def _plan_of(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]


def _ticket_steps(plan: list[str]) -> list[str]:
    return [s for s in plan if s.split()[:2] in (["SEARCH", "t"], ["SCAN", "t"])]


FIELD_QUERIES = [
    "status:open,pending",
    "-status:closed",
    "priority:urgent",
    "priority:high,urgent",
    "status:open priority:high tag:billing",
    "channel:phone",
    "tier:3",
    "group:tech",
    "assignee:me",
    "is:unassigned",
    "tag:vip",
    "requester:acme",
    "created:<2d",
    "updated:<2h",
    "#1003",
]


@pytest.mark.parametrize("text", FIELD_QUERIES)
@pytest.mark.parametrize("sort", SORTS)
def test_field_queries_never_scan_the_ticket_table(
    conn: sqlite3.Connection, text: str, sort: SortKey, plan: str
) -> None:
    """Whatever the plan, each statement reads tickets through an index, never a table scan.

    (This store is tiny, so the planner's own choice is always "start narrow"; the
    ``plan`` fixture forces the walk too.)
    """
    q = QueueQuery(compile_query(text, ANA, now_ms=T0).filter, sort)
    key = fetch_window(conn, q, 0, 3)[-1].keyset
    for call in (
        lambda: fetch_window(conn, q, 0, 64),
        lambda: fetch_after(conn, q, key, 64),
        lambda: fetch_before(conn, q, key, 64),
        lambda: count(conn, q),
    ):
        for sql in _statements(conn, call):
            steps = _plan_of(conn, sql)
            # A bare "SCAN t" is the table in rowid order: the number sort's own index.
            walks_numbers = sort == "number" and not any("TEMP B-TREE" in s for s in steps)
            for step in _ticket_steps(steps):
                assert (
                    "INDEX" in step
                    or "PRIMARY KEY" in step
                    or (step == "SCAN t" and walks_numbers and "count(*)" not in sql)
                ), (text, sort, plan, step, sql)


@pytest.mark.parametrize(
    ("text", "sort", "index"),
    [
        ("status:open priority:high", "updated", "ix_ticket_status_priority"),
        ("priority:urgent", "priority", "ix_ticket_priority_order"),
        ("status:pending", "status", "ix_ticket_status_order"),
        ("channel:phone", "updated", "ix_ticket_channel"),
        ("tier:3", "updated", "ix_ticket_tier"),
        ("created:<2d", "created", "ix_ticket_created"),
        ("updated:<2h", "updated", "ix_ticket_updated"),
    ],
)
def test_ordered_conditions_page_from_their_index_without_sorting(
    conn: sqlite3.Connection, text: str, sort: SortKey, index: str
) -> None:
    q = QueueQuery(compile_query(text, ANA, now_ms=T0).filter, sort)
    key = fetch_window(conn, q, 0, 2)[-1].keyset
    for call in (
        lambda: fetch_window(conn, q, 0, 64),
        lambda: fetch_after(conn, q, key, 64),
        lambda: fetch_before(conn, q, key, 64),
    ):
        (sql, *_) = _statements(conn, call)[-1:]
        steps = _plan_of(conn, sql)
        assert index in _ticket_steps(steps)[0], steps
        assert not any("TEMP B-TREE" in step for step in steps), steps


@pytest.mark.parametrize("sort", SORTS)
def test_walking_a_broad_search_follows_the_sort_index(
    conn: sqlite3.Connection, sort: SortKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue, "NARROW", 0)
    monkeypatch.setattr(queue, "NARROW_COVERED", 0)
    q = QueueQuery(compile_query("tag:billing -tag:spam priority:low,high", ANA).filter, sort)
    (sql,) = _statements(conn, lambda: fetch_window(conn, q, 0, 64))[-1:]
    steps = _plan_of(conn, sql)
    assert not any("TEMP B-TREE" in step for step in steps), steps
    first = _ticket_steps(steps)[0]
    assert "INDEX" in first or (sort == "number" and first == "SCAN t"), steps


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("requester:acme", "ix_customer_name"),
        ("requester:acme", "ix_customer_domain"),
        ("requester:acme", "ix_customer_organization"),
        ("requester:acme", "ix_ticket_requester"),
        ("tag:vip", "ix_ticket_tag_tag"),
        ("priority:urgent", "ix_ticket_priority_order"),
        ("status:open,pending", "ix_ticket_status"),
        ("channel:chat,web", "ix_ticket_channel"),
        ("group:tech", "ix_ticket_group"),
        ("assignee:me", "ix_ticket_assignee"),
        ("created:<2d", "ix_ticket_created"),
    ],
)
def test_counts_start_from_the_condition_index(
    conn: sqlite3.Connection, text: str, index: str
) -> None:
    q = QueueQuery(compile_query(text, ANA, now_ms=T0).filter)
    (sql,) = _statements(conn, lambda: count(conn, q))[-1:]
    assert any(index in step for step in _plan_of(conn, sql)), _plan_of(conn, sql)


# --------------------------------------------------------------------------- kept word sets


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "kept.db"
    make_workspace(path, tickets=30)
    yield path


def _add_message(conn: sqlite3.Connection, number: int, body: str, msg_id: str) -> None:
    conn.execute(
        "INSERT INTO message (id, ticket_id, kind, author_agent_id, body, created_at)"
        " VALUES (?, ?, 'public', 'AG-ANA', ?, ?)",
        (msg_id, ticket_id(number), body, T0),
    )


def _search(conn: sqlite3.Connection, text: str) -> tuple[int, list[int]]:
    q = QueueQuery(compile_query(text, ANA, now_ms=T0).filter, "number", descending=False)
    return count(conn, q), numbers(fetch_window(conn, q, 0, 100))


def _temp_tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_temp_schema WHERE type = 'table'")
    return {name for (name,) in rows if name.startswith("agentdesk_text_")}


def test_a_kept_set_follows_this_connections_writes(writable: Path) -> None:
    conn = sqlite3.connect(writable, isolation_level=None)
    try:
        assert _search(conn, "kumquat") == (0, [])
        _add_message(conn, 1005, "a kumquat", "M-K1")
        assert _search(conn, "kumquat") == (1, [1005])
        assert _search(conn, "kumquat status:pending") == (0, [])
        assert _search(conn, "kumquat -status:pending") == (1, [1005])
        conn.execute("DELETE FROM message WHERE id = 'M-K1'")
        assert _search(conn, "kumquat") == (0, [])
    finally:
        conn.close()


def test_a_kept_set_follows_other_connections_commits(writable: Path) -> None:
    reader = sqlite3.connect(writable, isolation_level=None)
    writer = sqlite3.connect(writable, isolation_level=None)
    try:
        assert _search(reader, "kumquat printer") == (0, [])
        assert _search(reader, "printer") == (3, [1000, 1010, 1020])
        _add_message(writer, 1011, "kumquat printer", "M-K2")
        assert _search(reader, "printer") == (4, [1000, 1010, 1011, 1020])
        assert _search(reader, "kumquat printer") == (1, [1011])
    finally:
        reader.close()
        writer.close()


def test_inside_a_transaction_the_subqueries_see_uncommitted_rows(writable: Path) -> None:
    conn = sqlite3.connect(writable, isolation_level=None)
    try:
        assert _search(conn, "kumquat") == (0, [])
        conn.execute("BEGIN")
        _add_message(conn, 1007, "kumquat", "M-K3")
        assert _search(conn, "kumquat") == (1, [1007])
        conn.execute("ROLLBACK")
        assert _search(conn, "kumquat") == (0, [])
    finally:
        conn.close()


def test_a_search_leaves_no_transaction_open_on_a_legacy_connection(writable: Path) -> None:
    conn = sqlite3.connect(writable)  # Python's default: implicit transactions
    try:
        assert _search(conn, "printer") == (3, [1000, 1010, 1020])
        assert not conn.in_transaction
        _add_message(conn, 1001, "printer", "M-K4")
        conn.commit()
        assert _search(conn, "printer") == (4, [1000, 1001, 1010, 1020])
        assert not conn.in_transaction
    finally:
        conn.close()


def test_kept_sets_are_few_and_can_be_forgotten(writable: Path) -> None:
    conn = sqlite3.connect(writable, isolation_level=None)
    try:
        for i in range(SETS_KEPT + 5):
            _search(conn, f"word{i}")
        assert len(_temp_tables(conn)) == SETS_KEPT
        assert _search(conn, "body 3") == (1, [1003])
        forget_sets(conn)
        assert _temp_tables(conn) == set()
        assert _search(conn, "body 3") == (1, [1003])
    finally:
        conn.close()


def test_a_new_connection_with_a_reused_id_starts_afresh(writable: Path) -> None:
    """Closed connections' ids get reused; a set kept for one must never serve another."""
    for round_ in range(4):
        subject = "Printer jam number 0" if round_ % 2 else "Scanner jam number 0"
        with sqlite3.connect(writable, isolation_level=None) as other:
            other.execute("UPDATE ticket SET subject = ? WHERE number = 1000", (subject,))
        conn = sqlite3.connect(writable, isolation_level=None)
        try:
            expected = [1000, 1010, 1020] if round_ % 2 else [1010, 1020]
            assert _search(conn, "printer") == (len(expected), expected)
        finally:
            conn.close()


def test_a_walk_that_runs_out_of_time_starts_again_from_the_narrowest_condition(
    conn: sqlite3.Connection, raw: list[Raw], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue, "NARROW", 0)
    monkeypatch.setattr(queue, "NARROW_COVERED", 0)
    monkeypatch.setattr(queue, "WALK_BUDGET", -1.0)
    monkeypatch.setattr(queue, "WALK_CHECK_EVERY", 1)
    q = QueueQuery(compile_query("tag:billing tag:vip printer", ANA, now_ms=T0).filter)
    statements = _statements(conn, lambda: fetch_window(conn, q, 0, 64))
    windows = [s for s in statements if "ORDER BY" in s]
    assert len(windows) == 2, windows  # the walk, given up, then the narrow start
    assert "+t.updated_at" in windows[1]
    assert numbers(fetch_window(conn, q, 0, 64)) == expected(raw, q)
    assert conn.execute("SELECT 1").fetchone() == (1,)  # no progress handler left behind


def test_a_set_dropped_between_two_statements_is_made_again(
    writable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection's commit can empty the kept sets mid-call; the call retries."""
    real = queue.kept_set
    gone = iter([("temp.agentdesk_text_999", 3)])

    def dropped_once(conn: sqlite3.Connection, expression: str) -> tuple[str, int] | None:
        return next(gone, None) or real(conn, expression)

    monkeypatch.setattr(queue, "kept_set", dropped_once)
    conn = sqlite3.connect(writable, isolation_level=None)
    try:
        assert _search(conn, "printer status:new") == (2, [1000, 1020])
        assert next(gone, None) is None  # the first try did meet the dropped set
    finally:
        conn.close()
