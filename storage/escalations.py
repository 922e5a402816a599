"""Escalation rows: the reads behind the escalations screen, the ticket's history and the
Desk's checks, and the writes an escalation action makes (as Desk effects).

Lists are short (a tier's open escalations) but still read through
``ix_escalation_due`` with a LIMIT, so a desk with years of history lists as fast
as a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from storage.errors import StoreError
from storage.sql import Connection
from storage.writes import WriteContext

#: How many open (and, separately, acknowledged) escalations a list shows at most.
LIST_LIMIT: Final = 200


@dataclass(frozen=True, slots=True)
class EscalationRow:
    """One escalation with its ticket's headline and the people's names."""

    id: str
    ticket_id: str
    number: int
    subject: str
    priority: str
    ticket_status: str
    from_tier: int
    to_tier: int
    group_name: str | None
    from_group_id: str | None
    reason: str
    summary: str
    tried: str
    impact: str
    links: str
    external_url: str | None
    created_by_id: str | None
    created_by_name: str | None
    created_at: int
    ack_due_at: int | None
    state: str
    acknowledged_by_name: str | None
    acknowledged_at: int | None
    handed_back_by_name: str | None
    handed_back_at: int | None
    instructions: str | None
    continues_id: str | None


_SELECT: Final = """
SELECT e.id, e.ticket_id, t.number, t.subject, t.priority, t.status,
       e.from_tier, e.to_tier, g.name, e.from_group_id,
       e.reason, e.summary, e.tried, e.impact, e.links, e.external_url,
       e.created_by_id, creator.name, e.created_at, e.ack_due_at, e.state,
       acker.name, e.acknowledged_at, hander.name, e.handed_back_at, e.instructions,
       e.continues_id
FROM escalation AS e
JOIN ticket AS t ON t.id = e.ticket_id
LEFT JOIN agent_group AS g ON g.id = e.group_id
LEFT JOIN agent AS creator ON creator.id = e.created_by_id
LEFT JOIN agent AS acker ON acker.id = e.acknowledged_by_id
LEFT JOIN agent AS hander ON hander.id = e.handed_back_by_id
"""


def _rows(conn: Connection, where: str, params: Sequence[object]) -> list[EscalationRow]:
    return [EscalationRow(*row) for row in conn.execute(_SELECT + where, params).fetchall()]


def _tier_list(tiers: Sequence[int]) -> str:
    return ", ".join(str(int(tier)) for tier in tiers)


def incoming(
    conn: Connection, tiers: Sequence[int], *, limit: int = LIST_LIMIT
) -> list[EscalationRow]:
    """The tiers' escalations in play: waiting ones first due first, then acknowledged ones.

    Escalations of solved tickets are closed (a trigger sees to it), so neither list
    grows with history.
    """
    if not tiers:
        return []
    within = f"e.to_tier IN ({_tier_list(tiers)})"
    waiting = _rows(
        conn,
        f"WHERE {within} AND e.state = 'open' ORDER BY e.ack_due_at, e.created_at LIMIT ?",
        (limit,),
    )
    taken = _rows(
        conn,
        f"WHERE {within} AND e.state = 'acknowledged' ORDER BY e.acknowledged_at DESC LIMIT ?",
        (limit,),
    )
    return waiting + taken


def ticket_escalations(conn: Connection, ticket_id: str) -> list[EscalationRow]:
    """A ticket's escalations, oldest first (its history)."""
    return _rows(conn, "WHERE e.ticket_id = ? ORDER BY e.created_at, e.rowid", (ticket_id,))


def current_escalation(conn: Connection, ticket_id: str) -> EscalationRow | None:
    """The escalation that brought the ticket to its present tier, if it is still in force.

    That is the newest one to the ticket's tier that was not handed back; its state
    may be open, acknowledged, or closed (the ticket was solved, then reopened).
    """
    rows = _rows(
        conn,
        "WHERE e.ticket_id = ? AND e.to_tier = t.tier AND e.state != 'handed-back'"
        " ORDER BY e.created_at DESC, e.rowid DESC LIMIT 1",
        (ticket_id,),
    )
    return rows[0] if rows else None


def escalation_ticket(conn: Connection, escalation_id: str) -> str | None:
    """The id of the ticket an escalation belongs to, if there is such an escalation."""
    row = conn.execute(
        "SELECT ticket_id FROM escalation WHERE id = ?", (escalation_id.strip().upper(),)
    ).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a ticket sits: its tier and group (what an escalation changes)."""

    tier: int
    priority: str
    group_id: str | None
    group_name: str | None


def ticket_routing(conn: Connection, ticket_id: str) -> Routing:
    """The ticket's tier, priority and group."""
    row = conn.execute(
        "SELECT t.tier, t.priority, t.group_id, g.name FROM ticket AS t"
        " LEFT JOIN agent_group AS g ON g.id = t.group_id WHERE t.id = ?",
        (ticket_id,),
    ).fetchone()
    if row is None:
        raise StoreError(f"no ticket {ticket_id}")
    return Routing(*row)


@dataclass(frozen=True, slots=True)
class TierGroup:
    """A group and the tier it serves."""

    id: str
    name: str
    tier: int


def tier_groups(conn: Connection) -> list[TierGroup]:
    """Every group, by tier then name."""
    rows = conn.execute("SELECT id, name, tier FROM agent_group ORDER BY tier, name").fetchall()
    return [TierGroup(*row) for row in rows]


def agent_name(conn: Connection, agent_id: str) -> tuple[str, bool] | None:
    """The agent's display name and whether they are active."""
    row = conn.execute("SELECT name, active FROM agent WHERE id = ?", (agent_id,)).fetchone()
    return None if row is None else (str(row[0]), bool(row[1]))


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class NewEscalation:
    """Effect: insert the escalation row (created by the acting agent, at the action's time)."""

    id: str
    from_tier: int
    to_tier: int
    group_id: str | None
    from_group_id: str | None
    reason: str
    summary: str
    tried: str
    impact: str
    links: str
    external_url: str | None
    ack_due_at: int
    continues_id: str | None

    def write(self, conn: Connection, context: WriteContext) -> None:
        """Insert the row, state 'open'."""
        conn.execute(
            "INSERT INTO escalation (id, ticket_id, from_tier, to_tier, group_id, from_group_id,"
            " reason, summary, tried, impact, links, external_url, created_by_id, created_at,"
            " ack_due_at, continues_id, state)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
            (
                self.id,
                context.ticket_id,
                self.from_tier,
                self.to_tier,
                self.group_id,
                self.from_group_id,
                self.reason,
                self.summary,
                self.tried,
                self.impact,
                self.links,
                self.external_url,
                context.agent_id,
                context.at,
                self.ack_due_at,
                self.continues_id,
            ),
        )


@dataclass(frozen=True, slots=True)
class AcknowledgeEscalation:
    """Effect: the acting agent takes the escalation (it must still be open)."""

    id: str

    def write(self, conn: Connection, context: WriteContext) -> None:
        """Mark it acknowledged by the actor, now."""
        _update_one(
            conn,
            "UPDATE escalation SET state = 'acknowledged', acknowledged_by_id = ?,"
            " acknowledged_at = ? WHERE id = ? AND state = 'open'",
            (context.agent_id, context.at, self.id),
        )


@dataclass(frozen=True, slots=True)
class HandBackEscalation:
    """Effect: the escalation goes back to the lower tier with instructions."""

    id: str
    instructions: str

    def write(self, conn: Connection, context: WriteContext) -> None:
        """Mark it handed back by the actor, now, keeping the instructions."""
        _update_one(
            conn,
            "UPDATE escalation SET state = 'handed-back', handed_back_by_id = ?,"
            " handed_back_at = ?, instructions = ? WHERE id = ? AND state != 'handed-back'",
            (context.agent_id, context.at, self.instructions, self.id),
        )


def _update_one(conn: Connection, sql: str, params: Sequence[object]) -> None:
    if conn.execute(sql, params).rowcount != 1:
        raise StoreError("the escalation changed while it was being updated; try again")
