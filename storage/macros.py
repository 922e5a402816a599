"""Canned responses in the store: the macros an agent sees, their uses and suggestions.

Writes run inside the caller's transaction (the Desk's). The ``macro_fts`` search
document of each macro follows its title and body through triggers (see
``storage.migrations``); its *profile* — what customers wrote on the latest
tickets the macro answered — is rebuilt here when a use is recorded, from at most
:data:`PROFILE_TICKETS` tickets, so a suggestion ranks a few thousand small
documents whatever the number of tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from storage.search import TextTerm, fts_term
from storage.sql import Connection

#: Tickets a macro's profile remembers (its latest uses).
PROFILE_TICKETS: Final = 48
#: Characters of each customer message a profile keeps.
PROFILE_MESSAGE_CHARS: Final = 600
#: bm25 column weights: title, body, profile.
_WEIGHTS: Final = (4.0, 1.0, 2.0)


@dataclass(frozen=True, slots=True)
class MacroRow:
    """A macro as lists and forms show it; ``actions`` is its JSON text."""

    id: str
    title: str
    body: str
    actions: str
    owner_id: str | None
    owner_name: str | None
    usage_count: int
    created_at: int
    updated_at: int

    @property
    def shared(self) -> bool:
        """Shared macros have no owner."""
        return self.owner_id is None


_SELECT: Final = """
SELECT m.id, m.title, m.body, m.actions, m.owner_id, a.name, m.usage_count, m.created_at,
       m.updated_at
FROM macro AS m LEFT JOIN agent AS a ON a.id = m.owner_id
"""
_VISIBLE: Final = "(m.owner_id IS NULL OR m.owner_id = ?)"


def visible_macros(conn: Connection, agent_id: str) -> list[MacroRow]:
    """Shared macros and the agent's own, shared first, then by title."""
    rows = conn.execute(
        f"{_SELECT} WHERE {_VISIBLE} ORDER BY m.owner_id IS NOT NULL, lower(m.title), m.id",
        (agent_id,),
    ).fetchall()
    return [MacroRow(*row) for row in rows]


def get_macro(conn: Connection, macro_id: str) -> MacroRow | None:
    """The macro with this id, whoever owns it."""
    row = conn.execute(f"{_SELECT} WHERE m.id = ?", (macro_id,)).fetchone()
    return None if row is None else MacroRow(*row)


# --------------------------------------------------------------------------- writes


def insert_macro(
    conn: Connection,
    *,
    macro_id: str,
    title: str,
    body: str,
    actions: str,
    owner_id: str | None,
    at: int,
) -> None:
    """Add a macro (its search document follows by trigger)."""
    conn.execute(
        "INSERT INTO macro (id, title, body, actions, owner_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (macro_id, title, body, actions, owner_id, at, at),
    )


def update_macro(
    conn: Connection,
    *,
    macro_id: str,
    title: str,
    body: str,
    actions: str,
    owner_id: str | None,
    at: int,
) -> None:
    """Replace a macro's fields; its usage and profile stay."""
    conn.execute(
        "UPDATE macro SET title = ?, body = ?, actions = ?, owner_id = ?, updated_at = ?"
        " WHERE id = ?",
        (title, body, actions, owner_id, at, macro_id),
    )


def delete_macro(conn: Connection, macro_id: str) -> None:
    """Remove a macro and its uses (the audit trail keeps what happened)."""
    conn.execute("DELETE FROM macro_use WHERE macro_id = ?", (macro_id,))
    conn.execute("DELETE FROM macro WHERE id = ?", (macro_id,))


def record_use(conn: Connection, *, macro_id: str, ticket_id: str, agent_id: str, at: int) -> None:
    """Count one use of the macro on the ticket and refresh the macro's profile."""
    conn.execute(
        "INSERT INTO macro_use (macro_id, ticket_id, agent_id, at) VALUES (?, ?, ?, ?)",
        (macro_id, ticket_id, agent_id, at),
    )
    conn.execute("UPDATE macro SET usage_count = usage_count + 1 WHERE id = ?", (macro_id,))
    refresh_profile(conn, macro_id)


def refresh_profile(conn: Connection, macro_id: str) -> None:
    """Rebuild the macro's profile from its latest uses: each ticket's subject and the
    customer's last message before the macro's reply (what the macro answered)."""
    rows = conn.execute(
        """
        SELECT t.subject,
               (SELECT substr(m.body, 1, ?2) FROM message AS m
                WHERE m.ticket_id = u.ticket_id AND m.kind = 'customer' AND m.created_at <= u.at
                ORDER BY m.created_at DESC LIMIT 1)
        FROM macro_use AS u JOIN ticket AS t ON t.id = u.ticket_id
        WHERE u.macro_id = ?1
        ORDER BY u.at DESC LIMIT ?3
        """,
        (macro_id, PROFILE_MESSAGE_CHARS, PROFILE_TICKETS),
    ).fetchall()
    profile = "\n".join(f"{subject}\n{message or ''}" for subject, message in rows)
    conn.execute(
        "UPDATE macro_doc SET profile = ?, tickets = ? WHERE macro_id = ? AND profile != ?",
        (profile, len(rows), macro_id, profile),
    )


def refresh_all_profiles(conn: Connection) -> None:
    """Rebuild every macro's profile (after uses were loaded in bulk)."""
    for (macro_id,) in conn.execute("SELECT id FROM macro").fetchall():
        refresh_profile(conn, macro_id)


def recount_usage(conn: Connection) -> None:
    """Add the recorded uses to each macro's usage count (after a bulk load of uses)."""
    conn.execute(
        "UPDATE macro SET usage_count = usage_count"
        " + (SELECT count(*) FROM macro_use AS u WHERE u.macro_id = macro.id)"
    )


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True, slots=True)
class TicketText:
    """What a ticket is about, for ranking macros: its subject and its customer's words."""

    subject: str
    first_message: str
    last_message: str


def ticket_text(conn: Connection, ticket_id: str) -> TicketText | None:
    """The ticket's subject, first and latest customer messages (two index look-ups)."""
    row = conn.execute(
        """
        SELECT t.subject,
               (SELECT body FROM message WHERE ticket_id = t.id AND kind = 'customer'
                ORDER BY created_at LIMIT 1),
               (SELECT body FROM message WHERE ticket_id = t.id AND kind = 'customer'
                ORDER BY created_at DESC LIMIT 1)
        FROM ticket AS t WHERE t.id = ?
        """,
        (ticket_id,),
    ).fetchone()
    if row is None:
        return None
    return TicketText(row[0], row[1] or "", row[2] or "")


def rank_macros(
    conn: Connection, terms: Iterable[str], *, agent_id: str, limit: int
) -> list[tuple[str, float]]:
    """Visible macros whose document matches any of ``terms``, best first, with BM25 scores.

    ``terms`` are words; each reaches FTS5 quoted, never as syntax. Higher is better.
    """
    expression = " OR ".join(fts_term(TextTerm(term)) for term in terms)
    if not expression:
        return []
    rows = conn.execute(
        f"""
        SELECT m.id, -bm25(macro_fts, {", ".join(map(str, _WEIGHTS))}) AS score
        FROM macro_fts
        JOIN macro_doc AS d ON d.seq = macro_fts.rowid
        JOIN macro AS m ON m.id = d.macro_id
        WHERE macro_fts MATCH ? AND {_VISIBLE}
        ORDER BY score DESC, m.usage_count DESC, m.id
        LIMIT ?
        """,
        (expression, agent_id, limit),
    ).fetchall()
    return [(str(macro_id), float(score)) for macro_id, score in rows]


def macros_used_on(conn: Connection, ticket_id: str) -> set[str]:
    """Ids of the macros already used on this ticket."""
    rows = conn.execute(
        "SELECT DISTINCT macro_id FROM macro_use WHERE ticket_id = ?", (ticket_id,)
    ).fetchall()
    return {str(macro_id) for (macro_id,) in rows}


# --------------------------------------------------------------------------- template facts


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What a template may say about a ticket and its requester."""

    number: int
    subject: str
    customer_name: str
    customer_email: str
    customer_organization: str | None
    group_name: str | None


def ticket_facts(conn: Connection, ticket_id: str) -> TicketFacts | None:
    """The ticket's facts for filling a template, or ``None`` if there is no such ticket."""
    row = conn.execute(
        """
        SELECT t.number, t.subject, c.name, c.email, c.organization, g.name
        FROM ticket AS t
        JOIN customer AS c ON c.id = t.requester_id
        LEFT JOIN agent_group AS g ON g.id = t.group_id
        WHERE t.id = ?
        """,
        (ticket_id,),
    ).fetchone()
    return None if row is None else TicketFacts(*row)


def group_names(conn: Connection) -> list[str]:
    """Every group's name, for a refusal that lists them."""
    return [str(name) for (name,) in conn.execute("SELECT name FROM agent_group ORDER BY name")]
