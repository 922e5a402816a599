"""Bulk-load mode: what makes writing a million tickets take minutes instead of hours.

While it is on, the full-text triggers and the secondary indexes of the bulk tables
are dropped (FTS5 indexes faster in one ``rebuild``, and ``CREATE INDEX`` sorts once
instead of updating a B-tree per row); ``synchronous`` is OFF, the page cache is
larger, and foreign keys and CHECK constraints are not enforced (the generator makes
valid rows by construction; the tests check them with ``PRAGMA foreign_key_check``
and value assertions). On the way out, also after an error, every trigger and index
is recreated from its exact stored SQL, the full-text indexes are rebuilt and each
pragma gets its previous value back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from storage.database import Database

FTS_TABLES: Final = ("ticket_fts", "message_fts")
BULK_TABLES: Final = ("ticket", "message", "ticket_tag", "escalation")
_FTS_DEFAULT_AUTOMERGE: Final = 4
_SAVED_PRAGMAS: Final = ("synchronous", "cache_size", "foreign_keys", "ignore_check_constraints")
_BULK_PRAGMAS: Final = {
    "synchronous": "OFF",
    "cache_size": str(-64 * 1024),  # KiB: room for index sorts and hot B-tree pages
    "foreign_keys": "OFF",
    "ignore_check_constraints": "ON",
}


def fts_triggers(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every trigger that keeps an FTS table in step."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
        "AND tbl_name IN ('ticket', 'message') ORDER BY name"
    ).fetchall()
    return [(str(name), str(sql)) for name, sql in rows if any(t in sql for t in FTS_TABLES)]


def secondary_indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the explicit indexes on the bulk-loaded tables.

    Automatic indexes (primary keys, UNIQUE constraints) have no SQL and stay.
    """
    marks = ", ".join("?" * len(BULK_TABLES))
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        BULK_TABLES,
    ).fetchall()
    return [(str(name), str(sql)) for name, sql in rows]


def _rebuild(conn: sqlite3.Connection, table: str) -> None:
    """Re-index ``table`` from its content table.

    Incremental merging is paused for the rebuild (about a third faster at a million
    rows); FTS5's crisis merges still bound the segment count, and the table's
    previous ``automerge`` setting is put back (FTS5's default is 4).
    """
    row = conn.execute(f"SELECT v FROM {table}_config WHERE k = 'automerge'").fetchone()
    automerge = int(row[0]) if row is not None else _FTS_DEFAULT_AUTOMERGE
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
    conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', ?)", (automerge,))


def _pragma(conn: sqlite3.Connection, name: str) -> int:
    return int(conn.execute(f"PRAGMA {name}").fetchone()[0])


@contextmanager
def bulk_load(db: Database) -> Iterator[None]:
    """Hold ``db`` in bulk-load mode for the body; the caller holds ``db.lock``."""
    with db.read() as conn:
        triggers = fts_triggers(conn)
        indexes = secondary_indexes(conn)
        saved = {name: _pragma(conn, name) for name in _SAVED_PRAGMAS}
    with db.transaction() as conn:
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    try:
        with db.read() as conn:
            for name, value in _BULK_PRAGMAS.items():
                conn.execute(f"PRAGMA {name} = {value}")
        yield
    finally:
        try:
            with db.transaction() as conn:
                for _, sql in triggers:
                    conn.execute(sql)
            with db.transaction() as conn:
                for _, sql in indexes:
                    conn.execute(sql)
            with db.transaction() as conn:
                for table in FTS_TABLES:
                    _rebuild(conn, table)
        finally:
            with db.read() as conn:
                for name, previous in saved.items():
                    conn.execute(f"PRAGMA {name} = {previous}")
