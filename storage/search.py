"""Full-text search over ticket subjects and message bodies (FTS5).

A ticket matches a :class:`TextTerm` when its subject or any one of its messages
contains the term's words, in order. Person-typed text only ever reaches FTS5 as
quoted phrases (:func:`fts_term`), so it can never be FTS5 syntax.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Final

from storage.errors import StoreError

#: Numbers of the tickets whose subject matches an FTS5 expression (bind it once).
SUBJECT_NUMBERS_SQL: Final = "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?"
#: Ids of the tickets with a message that matches an FTS5 expression (bind it once).
#: Each hit costs a read of its message row (about a microsecond at 1M), which is what
#: makes very common words slow to search.
MESSAGE_TICKETS_SQL: Final = (
    "SELECT mm.ticket_id FROM message_fts JOIN message AS mm ON mm.seq = message_fts.rowid"
    " WHERE message_fts MATCH ?"
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
    sql = """
        SELECT number FROM (
            SELECT rowid AS number, bm25(ticket_fts) AS rank
            FROM ticket_fts WHERE ticket_fts MATCH :q
            UNION ALL
            SELECT t.number, bm25(message_fts) AS rank
            FROM message_fts
            JOIN message AS m ON m.seq = message_fts.rowid
            JOIN ticket AS t ON t.id = m.ticket_id
            WHERE message_fts MATCH :q
        )
        GROUP BY number ORDER BY min(rank) LIMIT :limit
    """
    try:
        rows = conn.execute(sql, {"q": expression, "limit": limit}).fetchall()
    except sqlite3.OperationalError as exc:
        raise SearchSyntaxError(f"bad search expression {expression!r}: {exc}") from exc
    return [int(number) for (number,) in rows]
