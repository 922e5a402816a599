"""Reads behind incidents and merges: who is linked to whom, and what merged where.

An *incident* is a ticket other tickets are linked to (their ``parent_id``); a
*merged* ticket points at the ticket it went into (``merged_into_id``). Both
links are looked up from the other side through the partial indexes of schema
v3, so every read here costs the same on a 1k or a 1M store; lists are LIMITed
and their totals are counted separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from storage.sql import Connection
from storage.tickets import TicketSummary

#: How many linked tickets, incidents or merge targets a list shows at most.
LIST_LIMIT: Final = 50


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """What the incident and merge rules judge a ticket by."""

    id: str
    number: int
    subject: str
    status: str
    requester_id: str
    incident_number: int | None  # the incident it is linked to
    merged_into_number: int | None
    linked_count: int  # tickets linked to it (it is an incident when > 0)


@dataclass(frozen=True, slots=True)
class LinkedTicket:
    """A ticket linked to an incident, as the incident's list shows it."""

    number: int
    id: str
    subject: str
    status: str
    requester: str
    updated_at: int


@dataclass(frozen=True, slots=True)
class Incident:
    """An unsolved incident offered in the link picker, with its number of linked tickets."""

    number: int
    id: str
    subject: str
    status: str
    linked: int


@dataclass(frozen=True, slots=True)
class TicketLinks:
    """Everything the ticket screen says about a ticket's links.

    ``linked`` holds at most :data:`LIST_LIMIT` tickets, unsolved first, then the
    most recently updated; ``linked_total`` and ``linked_unsolved`` count them all.
    """

    incident: TicketSummary | None
    merged_into: TicketSummary | None
    merged_from: tuple[TicketSummary, ...]
    linked: tuple[LinkedTicket, ...]
    linked_total: int
    linked_unsolved: int

    @property
    def is_incident(self) -> bool:
        """Whether other tickets are linked to this one."""
        return self.linked_total > 0


def link_facts(conn: Connection, ticket_id: str) -> LinkFacts | None:
    """The ticket's link facts, or ``None`` if there is no such ticket."""
    row = conn.execute(
        """
        SELECT t.id, t.number, t.subject, t.status, t.requester_id, p.number, m.number,
               (SELECT count(*) FROM ticket AS c WHERE c.parent_id = t.id)
        FROM ticket AS t
        LEFT JOIN ticket AS p ON p.id = t.parent_id
        LEFT JOIN ticket AS m ON m.id = t.merged_into_id
        WHERE t.id = ?
        """,
        (ticket_id,),
    ).fetchone()
    return None if row is None else LinkFacts(*row)


def _summary(conn: Connection, join_on: str, ticket_id: str) -> TicketSummary | None:
    row = conn.execute(
        "SELECT o.number, o.id, o.subject, o.status, o.updated_at"
        f" FROM ticket AS t JOIN ticket AS o ON o.id = t.{join_on} WHERE t.id = ?",
        (ticket_id,),
    ).fetchone()
    return None if row is None else TicketSummary(*row)


def ticket_links(conn: Connection, ticket_id: str, *, limit: int = LIST_LIMIT) -> TicketLinks:
    """The ticket's incident, merge target, merged-in tickets and linked tickets."""
    total, unsolved = conn.execute(
        "SELECT count(*), COALESCE(sum(unsolved), 0) FROM ticket WHERE parent_id = ?",
        (ticket_id,),
    ).fetchone()
    linked = conn.execute(
        """
        SELECT t.number, t.id, t.subject, t.status, c.name, t.updated_at
        FROM ticket AS t JOIN customer AS c ON c.id = t.requester_id
        WHERE t.parent_id = ?
        ORDER BY t.unsolved DESC, t.updated_at DESC, t.number DESC
        LIMIT ?
        """,
        (ticket_id, limit),
    ).fetchall()
    merged_from = conn.execute(
        "SELECT number, id, subject, status, updated_at FROM ticket"
        " WHERE merged_into_id = ? ORDER BY number LIMIT ?",
        (ticket_id, limit),
    ).fetchall()
    return TicketLinks(
        incident=_summary(conn, "parent_id", ticket_id),
        merged_into=_summary(conn, "merged_into_id", ticket_id),
        merged_from=tuple(TicketSummary(*row) for row in merged_from),
        linked=tuple(LinkedTicket(*row) for row in linked),
        linked_total=int(total),
        linked_unsolved=int(unsolved),
    )


def unsolved_linked_ids(conn: Connection, incident_id: str) -> list[str]:
    """Every unsolved ticket linked to the incident, oldest number first (all of them)."""
    rows = conn.execute(
        "SELECT id FROM ticket WHERE parent_id = ? AND unsolved ORDER BY number",
        (incident_id,),
    )
    return [str(id_) for (id_,) in rows]


def open_incidents(
    conn: Connection, *, exclude: Sequence[str] = (), limit: int = 20
) -> list[Incident]:
    """Unsolved tickets that have linked tickets, most recently updated first.

    Counts the linked tickets first, from the partial ``parent_id`` index that
    holds only them, then looks up each incident: never a walk over the store.
    """
    marks = ", ".join("?" * len(exclude))
    rows = conn.execute(
        f"""
        SELECT p.number, p.id, p.subject, p.status, l.linked
        FROM (
            SELECT parent_id, count(*) AS linked FROM ticket
            WHERE parent_id IS NOT NULL GROUP BY parent_id
        ) AS l
        JOIN ticket AS p ON p.id = l.parent_id
        WHERE p.unsolved AND p.id NOT IN ({marks})
        ORDER BY p.updated_at DESC, p.number DESC
        LIMIT ?
        """,
        (*exclude, limit),
    ).fetchall()
    return [Incident(*row) for row in rows]


def merge_targets(
    conn: Connection, requester_id: str, *, exclude: Sequence[str] = (), limit: int = 20
) -> list[TicketSummary]:
    """The requester's unsolved, unmerged tickets (where a duplicate may go), newest first."""
    marks = ", ".join("?" * len(exclude))
    rows = conn.execute(
        f"""
        SELECT number, id, subject, status, updated_at FROM ticket
        WHERE requester_id = ? AND unsolved AND merged_into_id IS NULL AND id NOT IN ({marks})
        ORDER BY updated_at DESC, number DESC
        LIMIT ?
        """,
        (requester_id, *exclude, limit),
    ).fetchall()
    return [TicketSummary(*row) for row in rows]


def merge_recorded(conn: Connection, target_id: str, source_number: int) -> bool:
    """Whether the target's audit trail already records the merge of ticket ``source_number``."""
    row = conn.execute(
        "SELECT 1 FROM audit_event WHERE ticket_id = ? AND action = 'record_merge'"
        " AND new_value = ? LIMIT 1",
        (target_id, f"#{source_number}"),
    ).fetchone()
    return row is not None


def requester_of(conn: Connection, ticket_id: str) -> str | None:
    """The ticket's requester id (``None`` if there is no such ticket)."""
    row = conn.execute("SELECT requester_id FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
    return None if row is None else str(row[0])
