"""Full-text search over ticket subjects and message bodies (FTS5).

A ticket matches a :class:`TextTerm` when its subject or any one of its messages
contains the term's words, in order. Person-typed text only ever reaches FTS5 as
quoted phrases (:func:`fts_term`), so it can never be FTS5 syntax.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final

from storage.errors import StoreError

#: Numbers of the tickets whose subject matches an FTS5 expression (bind it once).
SUBJECT_NUMBERS_SQL: Final = "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?"
#: Restricted internal notes are left out of every search: a search must not reveal a
#: word that only a restricted note holds to an agent who may not read the note
#: (``agentdesk.domain.roles.sees_restricted``), and one rule for everyone keeps the
#: match sets shareable. Messages that match are read anyway (for their ticket), or
#: only once they match (SQLite defers the row read behind the index-only tests).
SEARCHABLE: Final = "mm.restricted = 0"
#: Ids of the tickets with a message that matches an FTS5 expression (bind it once).
#: Each hit costs a read of its message row (about a microsecond at 1M), which is what
#: makes listing every ticket with a very common word slow.
MESSAGE_TICKETS_SQL: Final = (
    "SELECT mm.ticket_id FROM message_fts JOIN message AS mm ON mm.seq = message_fts.rowid"
    f" WHERE message_fts MATCH ? AND {SEARCHABLE}"
)
#: Whether ticket ``t`` has a message that matches (bind the expression once): the
#: hits stay message numbers, checked against the ticket's own messages in
#: ``ix_message_ticket``, so testing a few thousand tickets reads only the rows of the
#: messages that match (to leave restricted notes out).
TICKET_HAS_MESSAGE_SQL: Final = (
    "EXISTS (SELECT 1 FROM message AS mm WHERE mm.ticket_id = t.id"
    f" AND mm.seq IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?) AND {SEARCHABLE})"
)


class SearchSyntaxError(StoreError):
    """The full-text expression is not valid FTS5 syntax."""


def fts_phrase(text: str) -> str:
    """Quote free text as FTS5 phrases, so a person's words are never FTS5 syntax."""
    words = [word.replace('"', '""') for word in text.replace("\x00", " ").split()]
    return " ".join(f'"{word}"' for word in words) or '""'


@dataclass(frozen=True, slots=True)
class TextTerm:
    """Words that must appear together and in order in a subject or one message.

    With ``prefix`` the last word also matches longer words (``refun*`` finds "refund").
    """

    words: str
    prefix: bool = False


def fts_term(term: TextTerm) -> str:
    """One quoted FTS5 phrase for ``term``; quotes inside are doubled, never syntax."""
    words = " ".join(term.words.replace("\x00", " ").split()).replace('"', '""')
    return f'"{words}"*' if term.prefix else f'"{words}"'


def estimate_matches(conn: sqlite3.Connection, expression: str, cap: int) -> int:
    """Subject plus message hits of ``expression``, counted no further than ``cap`` each.

    Cheap (the FTS doclists are read only up to ``cap`` entries), so a query can
    decide whether a term is rare enough to drive a plan.
    """
    row = conn.execute(
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ?1"
        " LIMIT ?2)) + (SELECT count(*) FROM (SELECT 1 FROM message_fts"
        " WHERE message_fts MATCH ?1 LIMIT ?2))",
        (expression, cap),
    ).fetchone()
    return int(row[0])


def match_ticket_numbers(conn: sqlite3.Connection, expression: str, limit: int = 1000) -> list[int]:
    """Numbers of tickets whose subject or any message matches an FTS5 expression.

    Best matches first (bm25), each ticket once.

    Raises:
        SearchSyntaxError: if ``expression`` is not valid FTS5.
    """
    sql = f"""
        SELECT number FROM (
            SELECT rowid AS number, bm25(ticket_fts) AS rank
            FROM ticket_fts WHERE ticket_fts MATCH :q
            UNION ALL
            SELECT t.number, bm25(message_fts) AS rank
            FROM message_fts
            JOIN message AS mm ON mm.seq = message_fts.rowid
            JOIN ticket AS t ON t.id = mm.ticket_id
            WHERE message_fts MATCH :q AND {SEARCHABLE}
        )
        GROUP BY number ORDER BY min(rank) LIMIT :limit
    """
    try:
        rows = conn.execute(sql, {"q": expression, "limit": limit}).fetchall()
    except sqlite3.OperationalError as exc:
        raise SearchSyntaxError(f"bad search expression {expression!r}: {exc}") from exc
    return [int(number) for (number,) in rows]


# --------------------------------------------------------------------------- matching sets

#: How many matching sets a connection keeps (the terms of the last few searches).
SETS_KEPT: Final = 8
_TOKEN_TABLE: Final = "agentdesk_search_token"


@dataclass
class _Sets:
    """The TEMP tables one connection holds, valid while the store has not changed."""

    token: str
    version: int
    changes: int
    tables: OrderedDict[str, tuple[str, int]] = field(default_factory=OrderedDict)
    made: int = 0


_SETS: dict[int, _Sets] = {}


def matching_set(
    conn: sqlite3.Connection, expression: str, protect: Collection[str] = ()
) -> tuple[str, int] | None:
    """A TEMP table of the numbers of the tickets matching ``expression``, and its size.

    Turning message hits into tickets costs a read per hit, so a common word takes a
    few hundred milliseconds at a million tickets; a connection keeps the last
    :data:`SETS_KEPT` sets and a count, the first window and every later page of a
    search (or the next query typed with the same word) share one. A set is
    remade once the store changes: ``PRAGMA data_version`` notices other
    connections' commits, ``total_changes`` this one's writes. ``None`` inside a
    transaction, whose rollback could take a new set with it; use the subqueries.
    The sets of ``protect`` (the other terms of the same query) are never dropped
    to make room.
    """
    found = kept_set(conn, expression)
    if found is not None or conn.in_transaction:
        return found
    sets = _SETS[id(conn)]
    sets.made += 1
    name = f"temp.agentdesk_text_{sets.made}"
    try:
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name[5:]} (number INTEGER PRIMARY KEY)")
        conn.execute(f"DELETE FROM {name}")
        conn.execute(
            f"INSERT OR IGNORE INTO {name} (number) {SUBJECT_NUMBERS_SQL}"
            " UNION ALL SELECT tk.number FROM message_fts"
            " JOIN message AS mm ON mm.seq = message_fts.rowid"
            " JOIN ticket AS tk ON tk.id = mm.ticket_id"
            f" WHERE message_fts MATCH ? AND {SEARCHABLE}",
            (expression, expression),
        )
        rows = int(conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
    except BaseException:
        if conn.in_transaction:  # one the legacy sqlite3 mode opened for us
            conn.rollback()
        raise
    sets.tables[expression] = (name, rows)
    spare = [e for e in sets.tables if e != expression and e not in protect]
    for old in spare[: max(0, len(sets.tables) - SETS_KEPT)]:
        conn.execute(f"DROP TABLE IF EXISTS {sets.tables.pop(old)[0]}")
    if conn.in_transaction:  # the legacy sqlite3 mode opens one for the inserts
        conn.commit()
    sets.changes = conn.total_changes  # our own temp writes do not make the sets stale
    return name, rows


def kept_set(conn: sqlite3.Connection, expression: str) -> tuple[str, int] | None:
    """The set :func:`matching_set` keeps for ``expression``, if it is still valid."""
    sets = _current_sets(conn)
    found = sets.tables.get(expression)
    if found is not None:
        sets.tables.move_to_end(expression)
    return found


def _current_sets(conn: sqlite3.Connection) -> _Sets:
    """This connection's sets, emptied if the store changed or the connection is new."""
    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    sets = _SETS.get(id(conn))
    try:
        row = conn.execute(f"SELECT token FROM temp.{_TOKEN_TABLE}").fetchone()
    except sqlite3.OperationalError:
        row = None
    if sets is None or row is None or row[0] != sets.token:
        # A new connection (perhaps reusing a closed one's id): start afresh.
        token = uuid.uuid4().hex
        was_open = conn.in_transaction
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_TOKEN_TABLE} (token TEXT)")
        conn.execute(f"DELETE FROM temp.{_TOKEN_TABLE}")
        conn.execute(f"INSERT INTO temp.{_TOKEN_TABLE} VALUES (?)", (token,))
        if conn.in_transaction and not was_open:
            conn.commit()
        if len(_SETS) > 64:
            _SETS.clear()  # connections long closed; their temp tables went with them
        sets = _SETS[id(conn)] = _Sets(token, version, conn.total_changes)
    elif (version, conn.total_changes) != (sets.version, sets.changes):
        for name, _ in sets.tables.values():
            conn.execute(f"DROP TABLE IF EXISTS {name}")
        sets.tables.clear()
        sets.version, sets.changes = version, conn.total_changes
    return sets


def forget_sets(conn: sqlite3.Connection) -> None:
    """Drop the matching sets ``conn`` keeps (a benchmark's first search, or memory)."""
    sets = _SETS.pop(id(conn), None)
    if sets is not None:
        for name, _ in sets.tables.values():
            conn.execute(f"DROP TABLE IF EXISTS {name}")
