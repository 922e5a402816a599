"""Every row of a store, to prove that a refused action changed nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desk import Desk, DeskError
from storage.database import Database
from storage.postgres import PgDatabase
from storage.sql import is_postgres_url

Rows = dict[str, list[tuple[Any, ...]]]


def table_rows(conn: sqlite3.Connection) -> Rows:
    """Every row of every table (FTS shadow tables and sqlite_sequence included), sorted."""
    names = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names
    }


def dump(db: Database) -> Rows:
    """Every row of an open store."""
    with db.read() as conn:
        return table_rows(conn)


def dump_file(path: Path) -> Rows:
    """Every row of a store file, read without writing anything (not even a -wal file)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return table_rows(conn)
    finally:
        conn.close()


def dump_store(store: str | Path) -> Rows:
    """Every row of a store file (as :func:`dump_file`) or a PostgreSQL database."""
    if not is_postgres_url(store):
        return dump_file(Path(store))
    db = PgDatabase.open(str(store))
    try:
        with db.read() as conn:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema() ORDER BY table_name"
                )
            ]
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(f'SELECT * FROM "{name}"')), key=repr
                )
                for name in names
            }
    finally:
        db.close()


def assert_refused_unchanged(
    db: Database,
    desk: Desk,
    attempt: Callable[[Desk], object],
    error: type[DeskError],
    message: str,
) -> None:
    """The attempt is refused with ``error`` saying ``message`` on one line; no row changed."""
    before = dump(db)
    with pytest.raises(error) as info:
        attempt(desk)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert dump(db) == before
