"""The SQL of the support metrics: which tickets and answers each one counts, per time bucket.

The definitions are in :mod:`agentdesk.domain.metrics` (and the README); this module
selects their populations and aggregates them in SQLite, so a report over a month of a
million-ticket store reads index ranges, never whole tables. Every function takes
:class:`Buckets`: ``count`` consecutive spans of ``size`` ms ending at ``end`` (one bucket
is a whole period; fourteen of a day are the dashboard's sparklines), optionally limited
to one group's tickets (the ticket's current group), and returns one value per bucket,
oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from storage.migrations import SLA_ORDER, UNSOLVED_STATUSES
from storage.sql import Connection


@dataclass(frozen=True, slots=True)
class Buckets:
    """``count`` spans of ``size`` ms ending at ``end`` (exclusive), of one group or all."""

    end: int
    size: int
    count: int = 1
    group_id: str | None = None

    def __post_init__(self) -> None:
        if self.size <= 0 or self.count <= 0:
            raise ValueError("buckets need a positive size and count")

    @property
    def start(self) -> int:
        """Where the first bucket begins."""
        return self.end - self.size * self.count

    def index(self, column: str) -> tuple[str, list[Any]]:
        """The SQL bucket number of a time column, and its parameters."""
        return f"(({column} - ?) / ?)", [self.start, self.size]

    def within(self, column: str) -> tuple[str, list[Any]]:
        """The SQL condition "``column`` falls in one of the buckets"."""
        return f"{column} >= ? AND {column} < ?", [self.start, self.end]

    def group(self, alias: str = "t") -> tuple[str, list[Any]]:
        """The group condition on a ticket alias (always true without a group)."""
        if self.group_id is None:
            return "1", []
        return f"{alias}.group_id = ?", [self.group_id]


def _per_bucket(
    buckets: Buckets, rows: Iterable[tuple[Any, ...]], width: int
) -> list[tuple[int, ...]]:
    """Rows ``(bucket, value…)`` as one tuple of ``width`` values per bucket (zeros if none)."""
    out = [(0,) * width for _ in range(buckets.count)]
    for bucket, *values in rows:
        if 0 <= bucket < buckets.count:
            out[bucket] = tuple(int(v or 0) for v in values)
    return out


# --------------------------------------------------------------------------- volume, backlog


def created(conn: Connection, buckets: Buckets) -> list[int]:
    """Volume: tickets created in each bucket."""
    index, index_params = buckets.index("t.created_at")
    within, within_params = buckets.within("t.created_at")
    group, group_params = buckets.group()
    rows = conn.execute(
        f"SELECT {index} AS b, count(*) FROM ticket AS t WHERE {within} AND {group} GROUP BY b",
        [*index_params, *within_params, *group_params],
    )
    return [n for (n,) in _per_bucket(buckets, rows, 1)]


#: A ticket closed without being solved (a merged duplicate) ends at its last update:
#: closed is final, so that is when it was closed. Read from its own small index, named
#: because SQLite, without statistics, would rather walk every closed ticket.
CLOSED_UNSOLVED: Final = "t.status = 'closed' AND t.solved_at IS NULL"
_CLOSED_UNSOLVED_TICKETS: Final = "ticket AS t INDEXED BY ix_ticket_closed_unsolved"


def ended(conn: Connection, buckets: Buckets) -> list[int]:
    """Tickets that left the backlog in each bucket: solved, or closed without a solve."""
    totals = [0] * buckets.count
    group, group_params = buckets.group()
    for source, column, extra in (
        ("ticket AS t", "t.solved_at", "1"),
        (_CLOSED_UNSOLVED_TICKETS, "t.updated_at", CLOSED_UNSOLVED),
    ):
        index, index_params = buckets.index(column)
        within, within_params = buckets.within(column)
        rows = conn.execute(
            f"SELECT {index} AS b, count(*) FROM {source}"
            f" WHERE {within} AND {extra} AND {group} GROUP BY b",
            [*index_params, *within_params, *group_params],
        )
        for bucket, (n,) in enumerate(_per_bucket(buckets, rows, 1)):
            totals[bucket] += n
    return totals


#: Backlog counts walk index ranges; up to this many entries, counting back from now
#: (the recent side) is cheaper than counting everything before the instant.
RECENT_PROBE: Final = 400_000


def backlog_at(conn: Connection, at: int, group_id: str | None = None) -> int:
    """Backlog at ``at``: tickets created before it that had not ended by then.

    Two equal ways to count it, each a few index ranges: created before ``at`` minus
    ended before it, or the tickets that have not ended (now) minus those created
    since ``at`` plus those that ended since. The second reads only what happened after
    ``at``, so it is used whenever that is the smaller side (a recent instant).
    """
    group = "" if group_id is None else " AND t.group_id = ?"
    extra: list[Any] = [] if group_id is None else [group_id]

    def count(condition: str, *params: Any, cap: int | None = None) -> int:
        source = _CLOSED_UNSOLVED_TICKETS if CLOSED_UNSOLVED in condition else "ticket AS t"
        sql = f"SELECT 1 FROM {source} WHERE {condition}{group}"
        if cap is not None:
            sql = f"{sql} LIMIT {cap}"
        return int(conn.execute(f"SELECT count(*) FROM ({sql})", [*params, *extra]).fetchone()[0])

    since = count("t.created_at >= ?", at, cap=RECENT_PROBE)
    if since < RECENT_PROBE:
        never_ended = count("t.solved_at IS NULL") - count(CLOSED_UNSOLVED)
        ended_since = count("t.solved_at >= ?", at) + count(
            f"t.updated_at >= ? AND {CLOSED_UNSOLVED}", at
        )
        return never_ended - since + ended_since
    made = count("t.created_at < ?", at)
    ended_before = count("t.solved_at < ?", at) + count(
        f"t.updated_at < ? AND {CLOSED_UNSOLVED}", at
    )
    return made - ended_before


# --------------------------------------------------------------------------- FRT


def _first_replied(buckets: Buckets, select: str) -> tuple[str, list[Any]]:
    """FRT's tickets: those whose first public reply falls in a bucket (by that reply)."""
    index, index_params = buckets.index("t.first_response_at")
    within, within_params = buckets.within("t.first_response_at")
    group, group_params = buckets.group()
    sql = f"SELECT {index}, {select} FROM ticket AS t WHERE {within} AND {group}"
    return sql, [*index_params, *within_params, *group_params]


def first_reply_times(conn: Connection, buckets: Buckets) -> list[list[int]]:
    """FRT in wall-clock ms of each ticket first answered in each bucket (from the index)."""
    sql, params = _first_replied(buckets, "t.first_response_at - t.created_at")
    times: list[list[int]] = [[] for _ in range(buckets.count)]
    for bucket, ms in conn.execute(sql, params):
        times[bucket].append(ms)
    return times


@dataclass(frozen=True, slots=True)
class FirstReply:
    """A ticket answered in a bucket: when it was created and first answered, its policy."""

    bucket: int
    created_at: int
    first_response_at: int
    sla_policy_id: str | None


def first_replies(conn: Connection, buckets: Buckets) -> list[FirstReply]:
    """The same tickets as :func:`first_reply_times`, with what business hours need."""
    sql, params = _first_replied(buckets, "t.created_at, t.first_response_at, t.sla_policy_id")
    return [FirstReply(int(b), int(c), int(f), p) for b, c, f, p in conn.execute(sql, params)]


def policy_calendars(conn: Connection) -> dict[str, str]:
    """Each SLA policy's calendar JSON, by policy id (business-hours FRT)."""
    return {str(i): str(c) for i, c in conn.execute("SELECT id, calendar FROM sla_policy")}


# --------------------------------------------------------------------------- FCR and AHT

#: FCR's test of a solved ticket ``t``: exactly one public reply, never reopened.
ONE_TOUCH: Final = """(
    (SELECT count(*) FROM (SELECT 1 FROM message AS m
        WHERE m.ticket_id = t.id AND m.kind = 'public' LIMIT 2)) = 1
    AND NOT EXISTS (SELECT 1 FROM audit_event AS e WHERE e.ticket_id = t.id
        AND e.action = 'set_status' AND e.old_value = 'solved' AND e.new_value = 'open')
)"""
#: AHT's measure of a ticket ``t``: every handle session on it, in ms (NULL if none).
HANDLE_MS: Final = (
    "(SELECT sum(h.ended_at - h.started_at) FROM handle_session AS h WHERE h.ticket_id = t.id)"
)


@dataclass(frozen=True, slots=True)
class SolvedStats:
    """Tickets solved in a bucket: how many, how many in one touch, handled, handle time."""

    solved: int = 0
    one_touch: int = 0
    handled: int = 0
    handle_ms: int = 0


def solved_stats(conn: Connection, buckets: Buckets) -> list[SolvedStats]:
    """FCR and AHT counts over the tickets solved in each bucket (by ``solved_at``)."""
    index, index_params = buckets.index("t.solved_at")
    within, within_params = buckets.within("t.solved_at")
    group, group_params = buckets.group()
    rows = conn.execute(
        f"SELECT b, count(*), sum(one_touch), count(handle_ms), sum(handle_ms) FROM ("
        f" SELECT {index} AS b, {ONE_TOUCH} AS one_touch, {HANDLE_MS} AS handle_ms"
        f" FROM ticket AS t WHERE {within} AND {group}"
        ") GROUP BY b",
        [*index_params, *within_params, *group_params],
    )
    return [SolvedStats(*values) for values in _per_bucket(buckets, rows, 4)]


# --------------------------------------------------------------------------- surveys

SURVEY_KINDS: Final = ("csat", "nps")
#: Per kind: (scores counted as top, scores counted as bottom). CSAT's top is
#: "satisfied" (4-5) and it has no bottom; NPS's top are promoters (9-10), its bottom
#: detractors (0-6).
_SURVEY_BANDS: Final = {"csat": ("score >= 4", "0"), "nps": ("score >= 9", "score <= 6")}


@dataclass(frozen=True, slots=True)
class SurveyStats:
    """Answers of one kind given in a bucket, and how many were top and bottom scores."""

    answers: int = 0
    top: int = 0
    bottom: int = 0


def survey_stats(conn: Connection, buckets: Buckets, kind: str) -> list[SurveyStats]:
    """CSAT or NPS answers per bucket (by when they were given), from the index alone."""
    if kind not in _SURVEY_BANDS:
        raise ValueError(f"unknown survey kind {kind!r}; use one of: {', '.join(SURVEY_KINDS)}")
    top, bottom = _SURVEY_BANDS[kind]
    index, index_params = buckets.index("answered_at")
    within, within_params = buckets.within("answered_at")
    ticket = ""
    group_params: list[Any] = []
    if buckets.group_id is not None:
        ticket = " AND ticket_id IN (SELECT t.id FROM ticket AS t WHERE t.group_id = ?)"
        group_params = [buckets.group_id]
    rows = conn.execute(
        f"SELECT {index} AS b, count(*), sum({top}), sum({bottom}) FROM survey_answer"
        f" WHERE kind = ? AND {within}{ticket} GROUP BY b",
        [*index_params, kind, *within_params, *group_params],
    )
    return [SurveyStats(*values) for values in _per_bucket(buckets, rows, 3)]


def insert_survey_answer(
    conn: Connection,
    *,
    answer_id: str,
    ticket_id: str,
    customer_id: str | None,
    kind: str,
    score: int,
    answered_at: int,
    comment: str = "",
) -> None:
    """Store an answer, replacing the ticket's earlier answer of the same kind."""
    conn.execute(
        "INSERT INTO survey_answer (id, ticket_id, customer_id, kind, score, comment,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (ticket_id, kind) DO UPDATE SET id = excluded.id, score = excluded.score,"
        " comment = excluded.comment, answered_at = excluded.answered_at",
        (answer_id, ticket_id, customer_id, kind, score, comment, answered_at),
    )


def ticket_number(conn: Connection, ticket_id: str) -> int:
    """The number people know a ticket by (for the audit text of a session)."""
    return int(conn.execute("SELECT number FROM ticket WHERE id = ?", (ticket_id,)).fetchone()[0])


def insert_handle_session(
    conn: Connection,
    *,
    session_id: str,
    ticket_id: str,
    agent_id: str | None,
    started_at: int,
    ended_at: int,
) -> None:
    """Record time an agent spent on a ticket (inside the caller's transaction); a session
    already recorded (the same id, replayed) is left as it is."""
    conn.execute(
        "INSERT INTO handle_session (id, ticket_id, agent_id, started_at, ended_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (session_id, ticket_id, agent_id, started_at, ended_at),
    )


# --------------------------------------------------------------------------- SLA attainment

SLA_TARGETS: Final = ("first_response", "next_response", "resolution")


@dataclass(frozen=True, slots=True)
class SlaStats:
    """SLA targets of one kind that ended in a bucket (and how many in time), plus the open
    ones whose due instant fell in it (breached, still running)."""

    ended: int = 0
    met: int = 0
    overdue: int = 0


def sla_stats(conn: Connection, buckets: Buckets, now: int) -> dict[str, list[SlaStats]]:
    """Per target kind, per bucket: ``sla_clock`` rows that ended in it, and open rows that
    fell due in it before ``now`` (each from its own index)."""
    group = ""
    group_params: list[Any] = []
    if buckets.group_id is not None:
        group = " AND ticket_id IN (SELECT t.id FROM ticket AS t WHERE t.group_id = ?)"
        group_params = [buckets.group_id]
    ended_index, ended_params = buckets.index("ended_at")
    ended_within, ended_within_params = buckets.within("ended_at")
    ended = conn.execute(
        f"SELECT target, {ended_index} AS b, count(*), sum(met) FROM sla_clock"
        f" WHERE {ended_within}{group} GROUP BY target, b",
        [*ended_params, *ended_within_params, *group_params],
    ).fetchall()
    due_index, due_params = buckets.index("due_at")
    overdue = conn.execute(
        f"SELECT target, {due_index} AS b, count(*) FROM sla_clock"
        f" WHERE ended_at IS NULL AND due_at >= ? AND due_at < ?{group} GROUP BY target, b",
        [*due_params, buckets.start, min(buckets.end, now), *group_params],
    ).fetchall()
    counts = {t: [[0, 0, 0] for _ in range(buckets.count)] for t in SLA_TARGETS}
    for target, bucket, n, met in ended:
        if target in counts and 0 <= bucket < buckets.count:
            counts[target][bucket][0:2] = [int(n), int(met or 0)]
    for target, bucket, n in overdue:
        if target in counts and 0 <= bucket < buckets.count:
            counts[target][bucket][2] = int(n)
    return {t: [SlaStats(*c) for c in per_bucket] for t, per_bucket in counts.items()}


def breaching_by_agent(conn: Connection, now: int) -> dict[str, int]:
    """Unsolved tickets per assignee whose next SLA target is already past due."""
    rows = conn.execute(
        # Named: SQLite would rather walk ix_ticket_assignee for the GROUP BY's order.
        "SELECT assignee_id, count(*) FROM ticket INDEXED BY ix_ticket_sla_order"
        f" WHERE {SLA_ORDER} <= ? GROUP BY assignee_id",
        (now,),
    )
    return {str(agent): int(n) for agent, n in rows if agent is not None}


# --------------------------------------------------------------------------- live figures


@dataclass(frozen=True, slots=True)
class OpenCell:
    """Unsolved tickets sharing status, priority, tier, channel and assignee."""

    status: str
    priority: str
    tier: int
    channel: str
    assignee_id: str | None
    count: int
    oldest_created_at: int


#: The condition of the partial index ix_ticket_open_cells, spelt exactly as there (with
#: literals: SQLite matches a partial index's condition by its text, not by bound values).
OPEN_CELLS_WHERE: Final = "status IN ({})".format(", ".join(f"'{s}'" for s in UNSOLVED_STATUSES))


def open_cells(conn: Connection) -> list[OpenCell]:
    """The live backlog in one pass over its own index: unsolved tickets, by their fields."""
    rows = conn.execute(
        "SELECT status, priority, tier, channel, assignee_id, count(*), min(created_at)"
        f" FROM ticket WHERE {OPEN_CELLS_WHERE}"
        " GROUP BY status, priority, tier, channel, assignee_id"
    )
    return [OpenCell(*row) for row in rows]


def hourly_volume(conn: Connection, buckets: Buckets) -> dict[tuple[str, str], list[int]]:
    """Tickets created per bucket, by channel and by tag: ``{("channel", "chat"): [...]}``."""
    index, index_params = buckets.index("t.created_at")
    within, within_params = buckets.within("t.created_at")
    group, group_params = buckets.group()
    params = [*index_params, *within_params, *group_params]
    series: dict[tuple[str, str], list[int]] = {}
    queries = (
        ("channel", f"SELECT {index} AS b, t.channel AS v, count(*) FROM ticket AS t"),
        (
            "tag",
            f"SELECT {index} AS b, g.tag AS v, count(*) FROM ticket AS t"
            " JOIN ticket_tag AS g ON g.ticket_id = t.id",
        ),
    )
    for kind, select in queries:
        for bucket, value, n in conn.execute(
            f"{select} WHERE {within} AND {group} GROUP BY b, v", params
        ):
            counts = series.setdefault((kind, str(value)), [0] * buckets.count)
            if 0 <= bucket < buckets.count:
                counts[bucket] = int(n)
    return series
