"""Open a store by what ``--db`` names: a SQLite file, or a PostgreSQL URL (hubs)."""

from __future__ import annotations

from pathlib import Path

from storage.database import Database
from storage.sql import Store, is_postgres_url


def canonical(target: str | Path) -> str | Path:
    """A PostgreSQL URL as given, a path made absolute (a server may change directory)."""
    if is_postgres_url(target):
        return str(target)
    return Path(target).expanduser().absolute()


def open_store(target: str | Path) -> Store:
    """Open (creating or migrating as needed) the store at a path or ``postgresql://`` URL.

    Raises:
        StoreError: with a one-line reason; nothing is changed.
    """
    if is_postgres_url(target):
        from storage.postgres import PgDatabase  # noqa: PLC0415 - psycopg only for a server

        return PgDatabase.open(str(target))
    return Database.open(target)
