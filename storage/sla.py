"""The SQL behind SLA clocks: policies, what the clocks are computed from, what they write.

The clocks themselves are pure (``agentdesk.domain.sla``); this module reads their
inputs for many tickets at once (one statement per table, whatever the batch size)
and writes their results: the ticket's ``sla_*`` columns, which the queue sorts and
filters by, and its ``sla_clock`` rows, which reports count. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from storage.sql import Connection

#: Tickets per statement when reading inputs (SQLite allows 32,766 parameters).
CHUNK: Final = 900


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """One ``sla_policy`` row as stored."""

    id: str
    name: str
    priority: str | None
    plan: str | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    calendar: str
    position: int


_POLICY_COLUMNS: Final = (
    "id, name, priority, plan, first_response_minutes, next_response_minutes,"
    " resolution_minutes, calendar, position"
)


def policy_rows(conn: Connection) -> list[PolicyRow]:
    """Every policy, in the order they are tried (position, then name)."""
    rows = conn.execute(f"SELECT {_POLICY_COLUMNS} FROM sla_policy ORDER BY position, name")
    return [PolicyRow(*row) for row in rows]


def policy_named(conn: Connection, name: str) -> PolicyRow | None:
    """The policy called ``name`` (ignoring ASCII case), if any."""
    row = conn.execute(
        f"SELECT {_POLICY_COLUMNS} FROM sla_policy WHERE lower(name) = lower(?)", (name.strip(),)
    ).fetchone()
    return None if row is None else PolicyRow(*row)


def save_policy(conn: Connection, row: PolicyRow) -> None:
    """Insert the policy, or replace the one with its id."""
    conn.execute(
        f"INSERT INTO sla_policy ({_POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, priority = excluded.priority,"
        " plan = excluded.plan, first_response_minutes = excluded.first_response_minutes,"
        " next_response_minutes = excluded.next_response_minutes,"
        " resolution_minutes = excluded.resolution_minutes, calendar = excluded.calendar,"
        " position = excluded.position",
        (
            row.id,
            row.name,
            row.priority,
            row.plan,
            row.first_response_minutes,
            row.next_response_minutes,
            row.resolution_minutes,
            row.calendar,
            row.position,
        ),
    )


def policy_ticket_counts(conn: Connection) -> dict[str, int]:
    """Unsolved tickets per policy id (what ``sla list`` shows next to each policy)."""
    rows = conn.execute(
        "SELECT sla_policy_id, count(*) FROM ticket WHERE unsolved = 1 GROUP BY sla_policy_id"
    )
    return {str(policy): int(n) for policy, n in rows if policy is not None}


def priority_and_plan(conn: Connection, ticket_id: str) -> tuple[str, str] | None:
    """The ticket's priority and its requester's plan: what chooses its policy."""
    row = conn.execute(
        "SELECT t.priority, c.plan FROM ticket AS t JOIN customer AS c ON c.id = t.requester_id"
        " WHERE t.id = ?",
        (ticket_id,),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


# --------------------------------------------------------------------------- clock inputs


@dataclass(slots=True)
class SlaInput:
    """What a ticket's clocks are computed from."""

    id: str
    created_at: int
    updated_at: int
    status: str
    priority: str
    plan: str
    policy_id: str | None
    changes: list[tuple[int, str]] = field(default_factory=list)
    customer_messages: list[int] = field(default_factory=list)
    public_replies: list[int] = field(default_factory=list)


def sla_inputs(conn: Connection, ticket_ids: Sequence[str]) -> list[SlaInput]:
    """The inputs of each ticket (in the order given; unknown ids are left out).

    Three statements per :data:`CHUNK` tickets, each on a key: the tickets with their
    requester's plan, their customer messages and public replies
    (``ix_message_ticket``), and their status history (its primary key).
    """
    found: dict[str, SlaInput] = {}
    for start in range(0, len(ticket_ids), CHUNK):
        chunk = ticket_ids[start : start + CHUNK]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT t.id, t.created_at, t.updated_at, t.status, t.priority, c.plan,"
            " t.sla_policy_id FROM ticket AS t JOIN customer AS c ON c.id = t.requester_id"
            f" WHERE t.id IN ({marks})",
            chunk,
        ):
            found[row[0]] = SlaInput(*row)
        for ticket_id, kind, at in conn.execute(
            "SELECT ticket_id, kind, created_at FROM message"
            f" WHERE ticket_id IN ({marks}) AND kind IN ('customer', 'public')",
            chunk,
        ):
            ticket = found.get(ticket_id)
            if ticket is not None:
                replies = ticket.customer_messages if kind == "customer" else ticket.public_replies
                replies.append(at)
        for ticket_id, at, status in conn.execute(
            f"SELECT ticket_id, at, status FROM ticket_status_change WHERE ticket_id IN ({marks})",
            chunk,
        ):
            if ticket_id in found:
                found[ticket_id].changes.append((at, status))
    return [found[ticket_id] for ticket_id in ticket_ids if ticket_id in found]


# --------------------------------------------------------------------------- clock results


class ClockRow(NamedTuple):
    """One ``sla_clock`` row without its ticket and policy (see :data:`CLOCK_COLUMNS`)."""

    target: str
    cycle: int
    started_at: int
    ended_at: int | None
    elapsed_ms: int
    target_ms: int
    due_at: int | None
    met: int | None


#: ``sla_clock``'s columns in the order rows are written: ticket, policy, then a ClockRow.
CLOCK_COLUMNS: Final = ("ticket_id", "policy_id", *ClockRow._fields)
_INSERT_CLOCK: Final = (
    f"INSERT INTO sla_clock ({', '.join(CLOCK_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(CLOCK_COLUMNS))})"
)


@dataclass(frozen=True, slots=True)
class SlaResult:
    """What a ticket's clocks came to: its policy, its ``sla_*`` columns, its clock rows."""

    ticket_id: str
    policy_id: str | None
    due_at: int | None
    target: str | None
    paused_left_ms: int | None
    clocks: tuple[ClockRow, ...]


def write_results(conn: Connection, results: Iterable[SlaResult]) -> int:
    """Store each ticket's results (its clock rows replace the old ones); returns how many.

    The ticket's version and ``updated_at`` stay: derived columns are not an edit.
    """
    results = list(results)
    conn.executemany(
        "UPDATE ticket SET sla_policy_id = ?, sla_due_at = ?, sla_target = ?,"
        " sla_paused_left_ms = ? WHERE id = ?",
        [(r.policy_id, r.due_at, r.target, r.paused_left_ms, r.ticket_id) for r in results],
    )
    conn.executemany("DELETE FROM sla_clock WHERE ticket_id = ?", [(r.ticket_id,) for r in results])
    conn.executemany(
        _INSERT_CLOCK, [(r.ticket_id, r.policy_id, *c) for r in results for c in r.clocks]
    )
    return len(results)


# --------------------------------------------------------------------------- recompute


def tickets_after(
    conn: Connection,
    after_number: int,
    limit: int,
    *,
    unsolved_only: bool,
    matching: Sequence[tuple[str | None, str | None]] | None = None,
) -> list[tuple[int, str]]:
    """The next ``limit`` tickets by number after ``after_number``: (number, id) pairs.

    ``matching`` keeps tickets whose (priority, requester plan) one of the pairs
    matches, ``None`` in a pair matching anything (the tickets a policy may apply to).
    """
    where = ["t.number > ?"]
    params: list[object] = [after_number]
    if unsolved_only:
        where.append("t.unsolved = 1")
    if matching is not None:
        parts = []
        for priority, plan in matching:
            test = ["1"]
            if priority is not None:
                test.append("t.priority = ?")
                params.append(priority)
            if plan is not None:
                test.append("(SELECT c.plan FROM customer AS c WHERE c.id = t.requester_id) = ?")
                params.append(plan)
            parts.append(" AND ".join(test))
        where.append("(" + (" OR ".join(parts) or "0") + ")")
    rows = conn.execute(
        f"SELECT t.number, t.id FROM ticket AS t WHERE {' AND '.join(where)}"
        " ORDER BY t.number LIMIT ?",
        [*params, limit],
    )
    return [(int(number), str(ticket_id)) for number, ticket_id in rows]


def count_tickets(conn: Connection, *, unsolved_only: bool) -> int:
    """How many tickets a recompute goes through (for its progress bar)."""
    where = "WHERE unsolved = 1" if unsolved_only else ""
    return int(conn.execute(f"SELECT count(*) FROM ticket {where}").fetchone()[0])
