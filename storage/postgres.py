"""A store on PostgreSQL: the hub's tables and rules on a server database.

The hub's code is written against :class:`storage.sql.Connection`; here a psycopg
connection is made to look like one: ``?`` placeholders become ``%s`` (values
are bound on the server, so psycopg prepares a statement run often, and a hub
does not plan the same dozen statements for every mutation; a parameter whose
type nothing around it tells, ``? IS NULL``, is written ``CAST(? AS TEXT)``),
integral ``numeric`` results (``sum`` of a ``bigint``) come back as ``int``, and
psycopg's errors are raised as the matching ``sqlite3`` classes, the one error
family storage callers catch.

Writers serialise on a transaction-level advisory lock, the equivalent of
SQLite's ``BEGIN IMMEDIATE``: the change feed's sequence then grows in commit
order, so a client reading "everything after N" never skips a row committed
late with a smaller number. Needs the ``postgres`` extra (``psycopg``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from storage.errors import StoreError
from storage.migrations import APPLICATION_ID, SCHEMA_VERSION
from storage.pg_schema import create_schema
from storage.sql import held_transaction, redacted

try:
    import psycopg
    from psycopg.adapt import Loader
except ImportError as exc:  # pragma: no cover - the extra is part of every dev install
    raise StoreError("PostgreSQL support needs psycopg: pip install 'agentdesk[postgres]'") from exc

#: The advisory lock every write transaction holds (any fixed 64-bit number).
WRITE_LOCK: Final = 0x61676E7464736B  # "agntdsk"
_CONNECT_TIMEOUT_S: Final = 10

#: psycopg's error classes and the sqlite3 classes callers catch for them.
_ERRORS: Final = (
    (psycopg.errors.IntegrityError, sqlite3.IntegrityError),
    (psycopg.errors.DataError, sqlite3.DataError),
    (psycopg.errors.ProgrammingError, sqlite3.ProgrammingError),
    (psycopg.errors.OperationalError, sqlite3.OperationalError),
    (psycopg.errors.Error, sqlite3.DatabaseError),
)


class _NumericLoader(Loader):
    """``numeric`` results as ``int`` when whole (``sum(bigint)``), else ``float``."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return int(text) if text.lstrip("-").isdigit() else float(text)


@dataclass(frozen=True, slots=True)
class _Translated:
    """A statement in psycopg's placeholder style, and how to pass its parameters."""

    sql: str
    #: SQLite's numbered ``?N`` placeholders were used: parameters go as ``{"pN": …}``.
    numbered: bool


@lru_cache(maxsize=2048)
def translate(sql: str, *, has_parameters: bool) -> _Translated:
    """SQLite's ``?`` and ``?N`` placeholders as psycopg's (quoted text left alone).

    With parameters, a literal ``%`` must be doubled for psycopg; without any,
    psycopg sends the text as it is.
    """
    out: list[str] = []
    numbered = False
    quote = ""
    index = 0
    while index < len(sql):
        char = sql[index]
        index += 1
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?" and has_parameters:
            digits = ""
            while index < len(sql) and sql[index].isdigit():
                digits += sql[index]
                index += 1
            numbered = numbered or bool(digits)
            out.append(f"%(p{digits})s" if digits else "%s")
            continue
        if char == "%" and has_parameters:
            out.append("%%")
            continue
        out.append(char)
    return _Translated("".join(out), numbered)


def _bound(translated: _Translated, parameters: tuple[Any, ...]) -> Any:
    if translated.numbered:
        return {f"p{number}": value for number, value in enumerate(parameters, start=1)}
    return parameters


@contextmanager
def _as_sqlite_errors() -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        for pg_class, sqlite_class in _ERRORS:
            if isinstance(exc, pg_class):
                raise sqlite_class(str(exc).strip()) from exc
        raise  # pragma: no cover - psycopg.errors.Error catches every psycopg error


class PgConnection:
    """A psycopg connection with sqlite3's calling conventions (see the module doc)."""

    dialect: Final = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Any = (), /) -> psycopg.Cursor[Any]:
        """Run one statement; its cursor holds the rows."""
        params = tuple(parameters) if parameters else None
        translated = translate(sql, has_parameters=params is not None)
        cursor = psycopg.Cursor(self.raw)
        with _as_sqlite_errors():
            cursor.execute(translated.sql, None if params is None else _bound(translated, params))
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> psycopg.Cursor[Any]:
        """Run one statement per parameter row."""
        translated = translate(sql, has_parameters=True)
        cursor = psycopg.Cursor(self.raw)
        with _as_sqlite_errors():
            cursor.executemany(
                translated.sql, [_bound(translated, tuple(row)) for row in parameters]
            )
        return cursor


def one_line(error: psycopg.Error) -> str:
    """A psycopg error's message as one line (libpq's answers span lines and tabs)."""
    return " ".join(str(error).split())


def _connect(url: str) -> PgConnection:
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise StoreError(f"cannot open {redacted(url)}: {one_line(exc)}") from exc
    raw.adapters.register_loader("numeric", _NumericLoader)
    return PgConnection(raw)


class PgDatabase:
    """A PostgreSQL store with :class:`storage.database.Database`'s interface.

    One connection per object, used by one thread at a time (:attr:`lock`); the
    hub lends them from a pool (``agentdesk.hub.context.StorePool``), as with SQLite.
    """

    def __init__(self, url: str, conn: PgConnection) -> None:
        self.url = url
        self._conn = conn
        self.lock = threading.RLock()

    @property
    def target(self) -> str:
        """The URL without its password."""
        return redacted(self.url)

    @classmethod
    def open(cls, url: str) -> PgDatabase:
        """Connect, and create the schema in an empty database.

        Raises:
            StoreError: unreachable server, a database that is not ours, or a
                schema newer than this agentdesk.
        """
        db = cls(url, _connect(url))
        try:
            db._prepare()
        except BaseException:
            db.close()
            raise
        return db

    def _prepare(self) -> None:
        """Check the schema; create it in an empty database (under the write lock).

        Only an empty database takes the lock: every hub connection opens this way,
        and waiting behind writers to read one row would slow each of them down.
        """
        with self.read() as conn:
            version = _schema_version(conn, self.target)
        if version is None:
            with self.transaction() as conn:
                version = _schema_version(conn, self.target)  # another process may have won
                if version is None:
                    create_schema(conn)
                    version = SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.target} has schema v{version}, newer than this agentdesk "
                f"(v{SCHEMA_VERSION}); upgrade agentdesk to open it"
            )

    @contextmanager
    def read(self) -> Iterator[PgConnection]:
        """Borrow the connection; each statement commits on its own."""
        with self.lock, _as_store_errors(self.target):
            yield self._conn

    @contextmanager
    def snapshot(self) -> Iterator[PgConnection]:
        """Reads that all see one committed state (repeatable read)."""
        with (
            self.read() as conn,
            held_transaction(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        ):
            yield conn

    @contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[PgConnection]:
        """One write transaction, after every earlier writer's commit (advisory lock).

        Every commit is durable here (the server's ``synchronous_commit``), so
        ``durable`` asks nothing more.
        """
        with self.lock:
            conn = self._conn
            conn.execute("BEGIN")
            try:
                conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                yield conn
            except BaseException:
                self._rollback()
                raise
            else:
                with _as_sqlite_errors():
                    conn.raw.execute("COMMIT")

    def _rollback(self) -> None:
        if not self._conn.raw.closed:
            self._conn.raw.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self.lock:
            self._conn.raw.close()


@contextmanager
def _as_store_errors(target: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{target}: {exc}") from exc


def _schema_version(conn: PgConnection, target: str) -> int | None:
    """The schema version, ``None`` for an empty database; refuses a foreign one."""
    if _one(conn, "SELECT to_regclass('schema_meta')") is not None:
        row = conn.execute("SELECT application_id, schema_version FROM schema_meta").fetchone()
        if row is None or row[0] != APPLICATION_ID:
            raise StoreError(f"{target} is not an agentdesk database")
        return int(row[1])
    tables = _one(
        conn, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    if tables:
        raise StoreError(f"{target} is not an agentdesk database (it has tables of its own)")
    return None


def _one(conn: PgConnection, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    assert row is not None  # an aggregate or a function call always gives a row
    return row[0]
