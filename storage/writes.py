"""The SQL behind every change an agent makes: small statements the Desk composes.

Each function takes a ``Connection`` and runs inside the caller's
transaction; none commits. Keeping them here means the Desk holds the rules and
the order of writes, and ``storage`` stays the only place that speaks SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

from storage.errors import StoreError
from storage.sql import Connection

#: Ticket columns an action may set directly (besides version and updated_at).
UPDATABLE_COLUMNS: Final = frozenset(
    {
        "status",
        "priority",
        "assignee_id",
        "group_id",
        "tier",
        "parent_id",
        "merged_into_id",
        "first_response_at",
        "solved_at",
    }
)


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class WriteContext:
    """Where an effect is written: the action's ticket, actor, time and mutation id."""

    ticket_id: str
    agent_id: str
    at: int
    mutation_id: str


class Effect(Protocol):
    """A write an action makes beyond the ticket row, its thread and tags.

    Planners return effects as data (an escalation row, a macro's use); the Desk
    writes them in the action's transaction, after its outbox and audit rows.
    """

    def write(self, conn: Connection, context: WriteContext) -> None:
        """Write inside the caller's transaction; never commit."""
        ...


@dataclass(frozen=True, slots=True)
class InternalNote:
    """Effect: an internal note by the acting agent (a handoff, a merge record).

    Written as an effect rather than as the action's message, so the agent's own
    note draft on the ticket is left alone.
    """

    message_id: str
    body: str

    def write(self, conn: Connection, context: WriteContext) -> None:
        """Append the note to the action's ticket."""
        insert_message(
            conn,
            message_id=self.message_id,
            ticket_id=context.ticket_id,
            kind="internal",
            body=self.body,
            author_agent_id=context.agent_id,
            restricted=False,
            at=context.at,
        )


# --------------------------------------------------------------------------- reads for validation


@dataclass(frozen=True, slots=True)
class TicketState:
    """The fields the workflow rules judge a change against."""

    id: str
    number: int
    version: int
    status: str
    priority: str
    assignee_id: str | None
    group_id: str | None
    first_response_at: int | None
    solved_at: int | None
    tags: frozenset[str]


def ticket_state(conn: Connection, ticket_id: str) -> TicketState | None:
    """The ticket's current state, or ``None`` if there is no such ticket."""
    row = conn.execute(
        "SELECT id, number, version, status, priority, assignee_id, group_id,"
        " first_response_at, solved_at FROM ticket WHERE id = ?",
        (ticket_id,),
    ).fetchone()
    if row is None:
        return None
    (id_, number, version, status, priority, assignee_id, group_id, first_at, solved_at) = row
    tags = frozenset(
        tag for (tag,) in conn.execute("SELECT tag FROM ticket_tag WHERE ticket_id = ?", (id_,))
    )
    return TicketState(
        id_, number, version, status, priority, assignee_id, group_id, first_at, solved_at, tags
    )


@dataclass(frozen=True, slots=True)
class AgentRef:
    """An agent as a change refers to it."""

    id: str
    email: str
    active: bool


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A group as a change refers to it."""

    id: str
    name: str


def find_agent(conn: Connection, ref: str) -> AgentRef | None:
    """The agent whose id or email (case-insensitive) is ``ref``."""
    row = conn.execute(
        "SELECT id, email, active FROM agent WHERE id = ?1 OR lower(email) = lower(?1)",
        (ref.strip(),),
    ).fetchone()
    return None if row is None else AgentRef(row[0], row[1], bool(row[2]))


def find_group(conn: Connection, ref: str) -> GroupRef | None:
    """The group whose id or name (case-insensitive) is ``ref``."""
    row = conn.execute(
        "SELECT id, name FROM agent_group WHERE id = ?1 OR lower(name) = lower(?1)",
        (ref.strip(),),
    ).fetchone()
    return None if row is None else GroupRef(row[0], row[1])


# --------------------------------------------------------------------------- ticket changes


def update_ticket(
    conn: Connection,
    ticket_id: str,
    *,
    base_version: int,
    columns: Mapping[str, object],
    at: int,
) -> int:
    """Set ``columns``, bump the version by one and stamp ``updated_at``; returns the version.

    Raises:
        StoreError: if the ticket moved past ``base_version`` (it never should: the
            caller read it in this same write transaction).
    """
    unknown = set(columns) - UPDATABLE_COLUMNS
    if unknown:
        raise ValueError(f"not an updatable ticket column: {', '.join(sorted(unknown))}")
    assignments = "".join(f"{name} = ?, " for name in columns)
    cursor = conn.execute(
        f"UPDATE ticket SET {assignments}version = version + 1, updated_at = ?"
        " WHERE id = ? AND version = ?",
        (*columns.values(), at, ticket_id, base_version),
    )
    if cursor.rowcount != 1:
        raise StoreError(f"ticket {ticket_id} changed while it was being updated; try again")
    return base_version + 1


def insert_message(
    conn: Connection,
    *,
    message_id: str,
    ticket_id: str,
    kind: str,
    body: str,
    author_agent_id: str,
    restricted: bool,
    at: int,
) -> None:
    """Append an agent's reply or note to the thread."""
    conn.execute(
        "INSERT INTO message (id, ticket_id, kind, author_agent_id, body, restricted, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (message_id, ticket_id, kind, author_agent_id, body, int(restricted), at),
    )


def add_tags(conn: Connection, ticket_id: str, tags: Iterable[str]) -> None:
    """Attach tags (already present ones are left alone)."""
    conn.executemany(
        "INSERT INTO ticket_tag (ticket_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(ticket_id, tag) for tag in tags],
    )


def remove_tags(conn: Connection, ticket_id: str, tags: Iterable[str]) -> None:
    """Detach tags (absent ones are ignored)."""
    conn.executemany(
        "DELETE FROM ticket_tag WHERE ticket_id = ? AND tag = ?",
        [(ticket_id, tag) for tag in tags],
    )


# --------------------------------------------------------------------------- audit and outbox


def insert_outbox(
    conn: Connection,
    *,
    client_id: str,
    op: str,
    ticket_id: str | None,
    base_version: int | None,
    args: str,
    at: int,
) -> int:
    """Queue a mutation for the hub (state 'pending'); returns its ``seq``."""
    cursor = conn.execute(
        "INSERT INTO outbox (client_id, op, ticket_id, base_version, args, at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
        (client_id, op, ticket_id, base_version, args, at),
    )
    return int(cursor.fetchone()[0])


def insert_audit(
    conn: Connection,
    *,
    event_id: str,
    ticket_id: str | None,
    agent_id: str | None,
    action: str,
    field: str | None,
    old_value: str | None,
    new_value: str | None,
    mutation_id: str | None,
    at: int,
    version: int | None,
) -> None:
    """Record who changed what, linked to the mutation that carries it.

    ``version`` is the ticket's version after the change (``None`` for a change that
    is not about a ticket): the hub compares it with a mutation's base version to
    tell whether a field changed since the mutation was made.
    """
    conn.execute(
        "INSERT INTO audit_event (id, ticket_id, agent_id, action, field, old_value, new_value,"
        " mutation_id, at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event_id,
            ticket_id,
            agent_id,
            action,
            field,
            old_value,
            new_value,
            mutation_id,
            at,
            version,
        ),
    )


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit event with the acting agent's name."""

    id: str
    ticket_id: str | None
    agent_id: str | None
    agent_name: str | None
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    mutation_id: str | None
    at: int


def audit_rows(conn: Connection, ticket_id: str) -> list[AuditRow]:
    """The ticket's audit events, newest first (ties in insertion order, newest first)."""
    rows = conn.execute(
        """
        SELECT e.id, e.ticket_id, e.agent_id, a.name, e.action, e.field, e.old_value,
               e.new_value, e.mutation_id, e.at
        FROM audit_event AS e
        LEFT JOIN agent AS a ON a.id = e.agent_id
        WHERE e.ticket_id = ?
        ORDER BY e.at DESC, e.rowid DESC
        """,
        (ticket_id,),
    ).fetchall()
    return [AuditRow(*row) for row in rows]


# --------------------------------------------------------------------------- settings and drafts


def ensure_setting(conn: Connection, key: str, value: str) -> str:
    """The setting's value, storing ``value`` first if it has none (first writer wins)."""
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value)
    )
    return str(conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()[0])


def upsert_draft(
    conn: Connection,
    *,
    draft_id: str,
    ticket_id: str,
    agent_id: str,
    kind: str,
    body: str,
    at: int,
) -> None:
    """Save the agent's draft of this kind on this ticket, replacing the previous one."""
    conn.execute(
        "INSERT INTO draft (id, ticket_id, agent_id, kind, body, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (ticket_id, agent_id, kind)"
        " DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        (draft_id, ticket_id, agent_id, kind, body, at),
    )


def get_draft(conn: Connection, ticket_id: str, agent_id: str, kind: str) -> str | None:
    """The agent's saved draft, if any."""
    row = conn.execute(
        "SELECT body FROM draft WHERE ticket_id = ? AND agent_id = ? AND kind = ?",
        (ticket_id, agent_id, kind),
    ).fetchone()
    return None if row is None else str(row[0])


def delete_draft(conn: Connection, ticket_id: str, agent_id: str, kind: str) -> None:
    """Forget the agent's draft (no-op if there is none)."""
    conn.execute(
        "DELETE FROM draft WHERE ticket_id = ? AND agent_id = ? AND kind = ?",
        (ticket_id, agent_id, kind),
    )
