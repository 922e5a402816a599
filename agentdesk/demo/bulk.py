"""Bulk-load mode: what makes writing a million tickets take minutes instead of hours.

While it is on, the full-text triggers and the secondary indexes of the bulk tables
are dropped (FTS5 indexes faster in one ``rebuild``, and ``CREATE INDEX`` sorts once
instead of updating B-trees row by row); ``synchronous`` is OFF, and foreign keys
and CHECK constraints are not enforced (the generator makes valid rows by
construction; the tests check them with ``PRAGMA foreign_key_check`` and value
assertions). Leaving it, by :meth:`BulkLoad.finish` or :meth:`BulkLoad.abort`,
recreates every trigger and index from its exact stored SQL, rebuilds the full-text
indexes and gives each pragma its previous value back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Final

from storage.database import Database

FTS_TABLES: Final = ("ticket_fts", "message_fts")
BULK_TABLES: Final = ("ticket", "message", "ticket_tag", "escalation", "macro_use", "sla_clock")
_FTS_DEFAULT_AUTOMERGE: Final = 4
_BULK_PRAGMAS: Final = {
    "synchronous": "OFF",
    "cache_size": str(-64 * 1024),  # KiB; index sorts may use as much again
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


class BulkLoad:
    """Puts a store into bulk-load mode and brings it back, whatever happens between.

    The caller holds ``db.lock`` throughout, so no other thread of the process
    writes while triggers and indexes are missing or checks are off.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._triggers: list[tuple[str, str]] = []
        self._indexes: list[tuple[str, str]] = []
        self._pragmas: dict[str, int] = {}

    def start(self) -> None:
        """Save what will change, drop the triggers and indexes, set the bulk pragmas."""
        with self._db.read() as conn:
            self._triggers = fts_triggers(conn)
            self._indexes = secondary_indexes(conn)
            self._pragmas = {name: _pragma(conn, name) for name in _BULK_PRAGMAS}
        with self._db.transaction() as conn:
            for name, _ in self._triggers:
                conn.execute(f'DROP TRIGGER "{name}"')
            for name, _ in self._indexes:
                conn.execute(f'DROP INDEX "{name}"')
        with self._db.read() as conn:
            for name, value in _BULK_PRAGMAS.items():
                conn.execute(f"PRAGMA {name} = {value}")

    def finish(self) -> None:
        """Recreate the schema, index the loaded rows for search, restore the pragmas."""
        try:
            self._restore_schema()
            with self._db.transaction() as conn:
                for table in FTS_TABLES:
                    _rebuild(conn, table)
        finally:
            self._restore_pragmas()

    def abort(self, remove_rows: Callable[[sqlite3.Connection], None]) -> None:
        """Undo a failed load with ``remove_rows``, then restore as :meth:`finish` does.

        The triggers are dropped again first (a failure may come after they were
        recreated): removing rows the search index never saw must not touch it.
        """
        try:
            with self._db.read() as conn:
                conn.execute("PRAGMA foreign_keys = OFF")  # no per-row checks while deleting
            with self._db.transaction() as conn:
                for name, _ in self._triggers:
                    conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                remove_rows(conn)
            self._restore_schema()
            with self._db.transaction() as conn:
                for table in FTS_TABLES:
                    conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        finally:
            self._restore_pragmas()

    def _restore_schema(self) -> None:
        """Recreate each saved trigger and index that is missing, from its exact SQL."""
        with self._db.transaction() as conn:
            present = {str(n) for (n,) in conn.execute("SELECT name FROM sqlite_schema")}
            for name, sql in self._triggers + self._indexes:
                if name not in present:
                    conn.execute(sql)

    def _restore_pragmas(self) -> None:
        with self._db.read() as conn:
            for name, previous in self._pragmas.items():
                conn.execute(f"PRAGMA {name} = {previous}")


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
