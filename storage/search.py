"""Full-text search over ticket subjects and message bodies (FTS5)."""

from __future__ import annotations

import sqlite3

from storage.errors import StoreError


class SearchSyntaxError(StoreError):
    """The full-text expression is not valid FTS5 syntax."""


def fts_phrase(text: str) -> str:
    """Quote free text as FTS5 phrases, so a person's words are never FTS5 syntax."""
    words = [word.replace('"', '""') for word in text.replace("\x00", " ").split()]
    return " ".join(f'"{word}"' for word in words) or '""'


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
