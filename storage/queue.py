"""Queue windows: a page of tickets for a filter + sort, and a fast count.

A window is fetched by keyset (``WHERE (key, number) < (?, ?)``) when the caller
knows a neighbouring row, which costs the same on page 1 and page 20,000, and by
``OFFSET`` (from the top or, reversed, from the bottom) when it jumps. Every order
is tie-broken by ``ticket.number`` (the rowid), so keysets never skip or repeat
rows; the built-in views' filters with the "updated" sort read straight from an
index whose implicit rowid suffix matches that order (tests check the plans).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Final, Literal

SortKey = Literal["updated", "created", "number"]

#: Sort key -> the ticket column it orders by (tie-broken by number).
SORT_COLUMNS: Final[dict[str, str]] = {
    "updated": "t.updated_at",
    "created": "t.created_at",
    "number": "t.number",
}


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Which tickets a view shows; fields combine with AND, ``None`` means any."""

    unsolved: bool | None = None
    statuses: tuple[str, ...] = ()
    assignee_id: str | None = None
    unassigned: bool = False
    tier: int | None = None
    group_id: str | None = None
    requester_id: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition and its parameters (always at least ``1``)."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.unsolved is not None:
            clauses.append("t.unsolved = ?")
            params.append(int(self.unsolved))
        if self.statuses:
            clauses.append(f"t.status IN ({', '.join('?' * len(self.statuses))})")
            params.extend(self.statuses)
        if self.unassigned:
            clauses.append("t.assignee_id IS NULL")
        elif self.assignee_id is not None:
            clauses.append("t.assignee_id = ?")
            params.append(self.assignee_id)
        for column, value in (
            ("t.tier", self.tier),
            ("t.group_id", self.group_id),
            ("t.requester_id", self.requester_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        return (" AND ".join(clauses) or "1"), params


#: Unsolved tickets: new, open, pending and on-hold (see ``UNSOLVED_STATUSES``).
OPEN_FILTER: Final = TicketFilter(unsolved=True)


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """A filter and a sort: everything that decides which rows a window holds."""

    filter: TicketFilter = OPEN_FILTER
    sort: SortKey = "updated"
    descending: bool = True

    @property
    def fingerprint(self) -> tuple[object, ...]:
        """Hashable identity for caches: equal fingerprints mean equal row orders."""
        return (self.filter, self.sort, self.descending)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One ticket as the queue shows it."""

    number: int
    id: str
    priority: str
    status: str
    subject: str
    requester: str
    channel: str
    assignee: str | None
    tier: int
    updated_at: int
    version: int
    sort_value: int

    @property
    def keyset(self) -> tuple[int, int]:
        """The position of this row in its query's order."""
        return (self.sort_value, self.number)


_SELECT: Final = """
SELECT t.number, t.id, t.priority, t.status, t.subject, c.name, t.channel, a.name,
       t.tier, t.updated_at, t.version, {sort} AS sort_value
FROM ticket AS t
JOIN customer AS c ON c.id = t.requester_id
LEFT JOIN agent AS a ON a.id = t.assignee_id
WHERE {where}
ORDER BY {sort} {direction}, t.number {direction}
LIMIT ? OFFSET ?
"""


def _select(
    conn: sqlite3.Connection,
    query: QueueQuery,
    *,
    limit: int,
    offset: int = 0,
    after: tuple[int, int] | None = None,
    reverse: bool = False,
) -> list[QueueRow]:
    """Run the window query; ``reverse`` walks the order backwards."""
    sort = SORT_COLUMNS[query.sort]
    where, params = query.filter.where()
    descending = query.descending != reverse
    if after is not None:
        where = f"({where}) AND ({sort}, t.number) {'<' if descending else '>'} (?, ?)"
        params = [*params, *after]
    sql = _SELECT.format(sort=sort, where=where, direction="DESC" if descending else "ASC")
    rows = conn.execute(sql, [*params, limit, offset]).fetchall()
    result = [QueueRow(*row) for row in rows]
    if reverse:
        result.reverse()
    return result


def fetch_window(
    conn: sqlite3.Connection, query: QueueQuery, offset: int, limit: int
) -> list[QueueRow]:
    """Rows ``offset .. offset + limit`` of the query's order (an OFFSET scan)."""
    return _select(conn, query, limit=limit, offset=offset)


def fetch_window_from_end(
    conn: sqlite3.Connection, query: QueueQuery, offset_from_end: int, limit: int
) -> list[QueueRow]:
    """The ``limit`` rows that end ``offset_from_end`` rows before the last one, in order.

    Jumping to the bottom of a million rows costs the same as the top.
    """
    return _select(conn, query, limit=limit, offset=offset_from_end, reverse=True)


def fetch_after(
    conn: sqlite3.Connection, query: QueueQuery, key: tuple[int, int], limit: int
) -> list[QueueRow]:
    """The ``limit`` rows that follow the row at ``key`` (a keyset seek)."""
    return _select(conn, query, limit=limit, after=key)


def fetch_before(
    conn: sqlite3.Connection, query: QueueQuery, key: tuple[int, int], limit: int
) -> list[QueueRow]:
    """The ``limit`` rows that precede the row at ``key``, in order."""
    return _select(conn, query, limit=limit, after=key, reverse=True)


def count(conn: sqlite3.Connection, query: QueueQuery) -> int:
    """How many tickets the query matches (answered from an index)."""
    where, params = query.filter.where()
    row = conn.execute(f"SELECT count(*) FROM ticket AS t WHERE {where}", params).fetchone()
    return int(row[0])


def position_of(conn: sqlite3.Connection, query: QueueQuery, number: int) -> int | None:
    """Index of ticket ``number`` in the query's order, or ``None`` if it no longer matches.

    Used to keep the cursor on the same ticket when the store changes under it.
    """
    sort = SORT_COLUMNS[query.sort]
    where, params = query.filter.where()
    found = conn.execute(
        f"SELECT {sort} FROM ticket AS t WHERE ({where}) AND t.number = ?", [*params, number]
    ).fetchone()
    if found is None:
        return None
    before = ">" if query.descending else "<"
    sql = f"SELECT count(*) FROM ticket AS t WHERE ({where}) AND ({sort}, t.number) {before} (?, ?)"
    return int(conn.execute(sql, [*params, found[0], number]).fetchone()[0])
