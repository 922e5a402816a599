"""Reads behind the ticket screen: one ticket, its thread, its requester's other tickets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from storage.errors import StoreError
from storage.sql import Connection

_NUMBER_REF: Final = re.compile(r"#?(\d{1,18})")


class TicketNotFound(StoreError):
    """No ticket matches the reference a person gave."""


@dataclass(frozen=True, slots=True)
class TicketDetail:
    """Everything the ticket screen's header shows."""

    number: int
    id: str
    subject: str
    status: str
    priority: str
    channel: str
    tier: int
    requester_id: str
    requester_name: str
    requester_email: str
    requester_plan: str
    requester_org: str | None
    assignee_id: str | None
    assignee_name: str | None
    group_name: str | None
    sla_policy: str | None
    tags: tuple[str, ...]
    created_at: int
    updated_at: int
    first_response_at: int | None
    solved_at: int | None
    version: int


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """One entry of a thread; ``kind`` is customer, public or internal.

    ``source_number`` is the ticket a message was written on when that ticket was
    merged into this one (``None`` for the ticket's own messages).
    """

    id: str
    kind: str
    author: str
    body: str
    channel: str | None
    restricted: bool
    created_at: int
    source_number: int | None = None


@dataclass(frozen=True, slots=True)
class Clearance:
    """Who reads a thread: restricted notes show only to the cleared and to their author.

    Whether a role is cleared is decided by ``agentdesk.domain.roles.sees_restricted``;
    the Desk builds its agent's clearance (``Desk.thread``).
    """

    agent_id: str | None
    restricted: bool


#: Every message, restricted or not: for tests and whole-store tools, never for an agent.
EVERY_NOTE: Final = Clearance(agent_id=None, restricted=True)


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """A ticket in a short list (the requester's other tickets)."""

    number: int
    id: str
    subject: str
    status: str
    updated_at: int


def resolve_ticket_id(conn: Connection, ref: str) -> str:
    """Turn ``#1042``, ``1042`` or a ULID into the ticket's id.

    Raises:
        TicketNotFound: if nothing matches.
    """
    ref = ref.strip()
    match = _NUMBER_REF.fullmatch(ref)
    if match:
        row = conn.execute("SELECT id FROM ticket WHERE number = ?", (int(match[1]),)).fetchone()
    else:
        row = conn.execute("SELECT id FROM ticket WHERE id = ?", (ref.upper(),)).fetchone()
    if row is None:
        raise TicketNotFound(f"no ticket {ref}")
    return str(row[0])


def ticket_detail(conn: Connection, ticket_id: str) -> TicketDetail:
    """The ticket with its requester, assignee, group, SLA policy and tags."""
    row = conn.execute(
        """
        SELECT t.number, t.id, t.subject, t.status, t.priority, t.channel, t.tier,
               c.id, c.name, c.email, c.plan, c.organization,
               a.id, a.name, g.name, s.name,
               t.created_at, t.updated_at, t.first_response_at, t.solved_at, t.version
        FROM ticket AS t
        JOIN customer AS c ON c.id = t.requester_id
        LEFT JOIN agent AS a ON a.id = t.assignee_id
        LEFT JOIN agent_group AS g ON g.id = t.group_id
        LEFT JOIN sla_policy AS s ON s.id = t.sla_policy_id
        WHERE t.id = ?
        """,
        (ticket_id,),
    ).fetchone()
    if row is None:
        raise TicketNotFound(f"no ticket {ticket_id}")
    tags = tuple(
        tag
        for (tag,) in conn.execute(
            "SELECT tag FROM ticket_tag WHERE ticket_id = ? ORDER BY tag", (ticket_id,)
        )
    )
    (number, id_, subject, status, priority, channel, tier) = row[:7]
    (req_id, req_name, req_email, req_plan, req_org) = row[7:12]
    (assignee_id, assignee_name, group_name, sla_policy) = row[12:16]
    (created_at, updated_at, first_response_at, solved_at, version) = row[16:]
    return TicketDetail(
        number=number,
        id=id_,
        subject=subject,
        status=status,
        priority=priority,
        channel=channel,
        tier=tier,
        requester_id=req_id,
        requester_name=req_name,
        requester_email=req_email,
        requester_plan=req_plan,
        requester_org=req_org,
        assignee_id=assignee_id,
        assignee_name=assignee_name,
        group_name=group_name,
        sla_policy=sla_policy,
        tags=tags,
        created_at=created_at,
        updated_at=updated_at,
        first_response_at=first_response_at,
        solved_at=solved_at,
        version=version,
    )


def thread(conn: Connection, ticket_id: str, *, clearance: Clearance) -> list[ThreadMessage]:
    """The ticket's messages, oldest first, with each author's display name.

    A restricted note is left out unless ``clearance`` allows restricted notes or the
    reader wrote it.

    Tickets merged into this one (and those merged into them) keep their own
    messages; they are read along, each marked with the ticket it came from.
    """
    rows = conn.execute(
        """
        WITH RECURSIVE merged (id, number) AS (
            SELECT ?, NULL
            UNION
            SELECT t.id, t.number FROM ticket AS t JOIN merged AS s ON t.merged_into_id = s.id
        )
        SELECT m.id, m.kind, COALESCE(a.name, c.name, 'unknown'), m.body, m.channel,
               m.restricted, m.created_at, s.number
        FROM merged AS s
        JOIN message AS m ON m.ticket_id = s.id
        LEFT JOIN agent AS a ON a.id = m.author_agent_id
        LEFT JOIN customer AS c ON c.id = m.author_customer_id
        WHERE m.restricted = 0 OR ? = 1 OR m.author_agent_id IS NOT DISTINCT FROM ?
        ORDER BY m.created_at, m.seq
        """,
        (ticket_id, clearance.restricted, clearance.agent_id),
    ).fetchall()
    return [
        ThreadMessage(id_, kind, author, body, channel, bool(restricted), created_at, source)
        for (id_, kind, author, body, channel, restricted, created_at, source) in rows
    ]


def requester_tickets(
    conn: Connection, requester_id: str, *, exclude: str | None = None, limit: int = 20
) -> list[TicketSummary]:
    """The requester's most recently updated tickets, newest first."""
    rows = conn.execute(
        """
        SELECT number, id, subject, status, updated_at FROM ticket
        WHERE requester_id = ? AND id IS DISTINCT FROM ?
        ORDER BY updated_at DESC LIMIT ?
        """,
        (requester_id, exclude, limit),
    ).fetchall()
    return [TicketSummary(*row) for row in rows]


def requester_ticket_count(conn: Connection, requester_id: str) -> int:
    """How many tickets the requester has in all (the side panel lists only the newest)."""
    row = conn.execute("SELECT count(*) FROM ticket WHERE requester_id = ?", (requester_id,))
    return int(row.fetchone()[0])
