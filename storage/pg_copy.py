"""Move a store from SQLite to PostgreSQL: every row, one transaction.

A team that outgrows one machine moves its hub to a PostgreSQL server without
losing a ticket or a client's place in the change feed: the feed (``change``)
is copied with the rest, so workstations synced against the SQLite hub carry on
against the new one where they left off. Rows go through PostgreSQL's COPY
protocol (the fast path for bulk loads) with foreign keys checked at commit, so
tables can arrive in any order, and with the tables' own triggers off: the rows
are copied as they are (a macro's ``macro_doc`` row is one of them), not made
again. Identity counters are then moved past the copied numbers. SQLite-only
tables (the full-text indexes) stay behind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from storage.database import Database
from storage.errors import StoreError
from storage.postgres import PgDatabase, one_line

#: Rows per progress report.
_REPORT_EVERY = 50_000


@dataclass(frozen=True, slots=True)
class Copied:
    """What a copy moved: rows per table, in the order copied."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        """Rows in all."""
        return sum(self.rows.values())


def copy_file(source: Path, url: str, progress: Callable[[str, int], None] | None = None) -> Copied:
    """Open the SQLite file and the PostgreSQL database, copy (:func:`copy_store`), close both.

    Raises:
        StoreError: either store cannot be opened, or the copy is refused.
    """
    lite = Database.open(source)
    try:
        target = PgDatabase.open(url)  # an empty database gets the schema here
        try:
            return copy_store(lite, target, progress)
        finally:
            target.close()
    finally:
        lite.close()


def copy_store(
    source: Database, target: PgDatabase, progress: Callable[[str, int], None] | None = None
) -> Copied:
    """Copy every row of ``source`` into ``target``, which must hold no rows yet.

    Raises:
        StoreError: the target already holds data, or a row is refused (nothing is kept).
    """
    with source.snapshot() as lite:
        try:
            return _copy(lite, target, progress)
        except sqlite3.Error as exc:  # a key checked at commit, a table we may not alter
            raise StoreError(f"copy to {target.target} failed, nothing was copied: {exc}") from exc


def _copy(
    lite: sqlite3.Connection, target: PgDatabase, progress: Callable[[str, int], None] | None
) -> Copied:
    copied: dict[str, int] = {}
    with target.transaction() as conn:
        tables = _shared_tables(lite, conn.raw)
        occupied = [table for table in tables if _has_rows(conn.raw, table)]
        if occupied:
            raise StoreError(
                f"{target.target} already holds rows ({', '.join(occupied[:3])}…); "
                "copy into a new, empty database"
            )
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:  # the owner may; a superuser is not needed
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            for table in tables:
                copied[table] = _copy_table(lite, conn.raw, table, progress)
        except psycopg.Error as exc:
            raise StoreError(
                f"copy to {target.target} failed, nothing was copied: a row of {table}"
                f" was refused: {one_line(exc)}"
            ) from exc
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every key checked, before ALTER again
        for table in tables:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        _advance_identities(conn.raw)
    return Copied(copied)


def _copy_table(
    lite: sqlite3.Connection,
    pg: psycopg.Connection[Any],
    table: str,
    progress: Callable[[str, int], None] | None,
) -> int:
    names = ", ".join(_copyable_columns(lite, pg, table))
    count = 0
    with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in lite.execute(f"SELECT {names} FROM {table}"):
            copy.write_row(row)
            count += 1
            if progress is not None and count % _REPORT_EVERY == 0:
                progress(table, count)
    return count


def _shared_tables(lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> list[str]:
    """Tables both stores have, in SQLite's creation order (full-text indexes excluded)."""
    rows = lite.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY rowid"
    ).fetchall()
    present = {
        row[0]
        for row in pg.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    }
    return [row[0] for row in rows if row[0] in present]


def _has_rows(pg: psycopg.Connection[Any], table: str) -> bool:
    return pg.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


def _copyable_columns(
    lite: sqlite3.Connection, pg: psycopg.Connection[Any], table: str
) -> list[str]:
    """Columns both have that are written, not computed (generated columns are not)."""
    written = {
        row[0]
        for row in pg.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = %s AND is_generated = 'NEVER'",
            (table,),
        )
    }
    # table_info lists no generated column; its order is the table's.
    return [row[1] for row in lite.execute(f"PRAGMA table_info({table})") if row[1] in written]


def _advance_identities(pg: psycopg.Connection[Any]) -> None:
    """Move each identity counter past the largest copied number."""
    identities = pg.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in identities:
        pg.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
            f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
        )
