"""What storage code asks of a database connection, whichever engine is behind it.

A workstation's store is SQLite (``sqlite3.Connection``); a hub may run on
PostgreSQL (:class:`storage.postgres.PgConnection`). Both satisfy
:class:`Connection`, so a query written once in portable SQL runs on either;
the few statements that differ ask :func:`dialect_of`. Errors of either engine
arrive as the ``sqlite3`` exception classes (DB-API's vocabulary), so callers
catch one family.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

Dialect = Literal["sqlite", "postgresql"]


class Cursor(Protocol):
    """The part of a DB-API cursor storage code uses."""

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed."""
        ...

    def fetchone(self) -> Any:
        """The next row, or ``None``."""
        ...

    def fetchall(self) -> list[Any]:
        """Every remaining row."""
        ...

    def __iter__(self) -> Iterator[Any]:
        """The remaining rows, one at a time."""
        ...


class Connection(Protocol):
    """A connection that runs ``?``-placeholder SQL (``sqlite3.Connection`` is one)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor:
        """Run one statement."""
        ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor:
        """Run one statement per parameter row."""
        ...


C = TypeVar("C", bound=Connection)


class Store(Protocol):
    """An open store: reads, one-transaction writes, a consistent snapshot, close."""

    @property
    def target(self) -> str:
        """Where the store lives (a path or a URL without its password), for messages."""
        ...

    def read(self) -> AbstractContextManager[Connection]:
        """Borrow the connection for reads (each statement sees the latest commits)."""
        ...

    def transaction(self, *, durable: bool = False) -> AbstractContextManager[Connection]:
        """One write transaction; writers of every process take turns.

        ``durable``: on disk before it returns, whatever the store's usual setting.
        """
        ...

    def snapshot(self) -> AbstractContextManager[Connection]:
        """Reads that all see the same committed state."""
        ...

    def close(self) -> None:
        """Close the connection (idempotent)."""
        ...


@contextmanager
def held_transaction(conn: C, begin: str) -> Iterator[C]:
    """Reads between ``begin`` (a BEGIN statement) and COMMIT: one snapshot of the store."""
    conn.execute(begin)
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def dialect_of(conn: Connection) -> Dialect:
    """Which SQL ``conn`` speaks (SQLite unless it says otherwise)."""
    dialect: Dialect = getattr(conn, "dialect", "sqlite")
    return dialect


def json_field(dialect: Dialect, column: str, key: str) -> str:
    """SQL for a top-level field of a JSON text column, as text (numbers too)."""
    if dialect == "postgresql":
        return f"({column}::json ->> '{key}')"
    return f"CAST(json_extract({column}, '$.{key}') AS TEXT)"


def string_agg(dialect: Dialect, expression: str, separator: str) -> str:
    """SQL aggregating ``expression`` into one text joined by ``separator`` (a literal)."""
    function = "string_agg" if dialect == "postgresql" else "group_concat"
    return f"{function}({expression}, '{separator}')"


def is_postgres_url(target: object) -> bool:
    """Whether a ``--db`` value names a PostgreSQL database rather than a file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def redacted(target: str) -> str:
    """A store's path or URL without a password, for messages and logs."""
    if not is_postgres_url(target):
        return target
    parts = urlsplit(target)
    if parts.password is None:
        return target
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
