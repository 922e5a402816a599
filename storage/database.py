"""Opening a store: refuse what is not ours or too new, migrate, set pragmas.

The TUI's hot path (queue windows, counts, ticket reads) runs on the stdlib
``sqlite3`` driver through :class:`Database`, which keeps start-up free of the
ORM's import cost; ``storage.models`` gives typed SQLModel access to the same
tables for code that is not on that path.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from storage.errors import StoreError
from storage.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from storage.sql import held_transaction, is_postgres_url, redacted

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_BUSY_TIMEOUT_MS: Final = 5000
#: How many :class:`Database` objects of this process have each store open.
_OPEN_HERE: dict[Path, int] = {}
_OPEN_GUARD = threading.Lock()


def _check_file(path: Path) -> None:
    """Refuse a path we could not open safely, before SQLite touches it."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise StoreError(f"cannot open {path}: permission denied (the file must be writable)")
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
        if header and header != _SQLITE_MAGIC:
            raise StoreError(f"{path} is not an agentdesk database (not SQLite, or corrupt)")
        return
    parent = path.parent
    if not parent.exists():
        raise StoreError(f"cannot create {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"cannot create {path}: directory {parent} is not writable")


def _inspect(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version, refusing foreign, corrupt or too-new files."""
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is corrupt or not a database: {exc}") from exc
    if application_id not in (0, APPLICATION_ID) or (application_id == 0 and tables):
        raise StoreError(f"{path} is not an agentdesk database")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema v{version}, newer than this agentdesk (v{SCHEMA_VERSION}); "
            "upgrade agentdesk to open it"
        )
    return int(version)


def _migrate(conn: sqlite3.Connection, current: int) -> None:
    """Apply each missing migration in its own transaction."""
    for version in range(current + 1, SCHEMA_VERSION + 1):
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{MIGRATIONS[version - 1]}\n"
            f"PRAGMA application_id = {APPLICATION_ID};\n"
            f"PRAGMA user_version = {version};\n"
            "COMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise StoreError(f"migration to schema v{version} failed: {exc}") from exc


class Database:
    """One SQLite connection shared by the threads of a process, one at a time.

    Reads and writes take :attr:`lock`, so worker threads never interleave
    statements on the connection. Every write is a single ``BEGIN IMMEDIATE``
    transaction (see :meth:`transaction`).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self.lock = threading.RLock()
        self._closed = False

    @classmethod
    def open(cls, path: Path | str) -> Database:
        """Open (creating or migrating as needed) the store at ``path``.

        Raises:
            StoreError: with a one-line reason; the file is left as it was.
        """
        if is_postgres_url(path):
            raise StoreError(
                f"{redacted(str(path))}: a PostgreSQL database can only be a hub's store"
                " (agentdesk hub --db URL); a workstation keeps a SQLite file"
            )
        path = Path(path).expanduser().absolute()
        with _OPEN_GUARD:
            # Already open in this process: checked and migrated then. Checking again
            # would read the file through a descriptor of its own, and closing that
            # descriptor drops every POSIX lock this process's connections hold on
            # it, which lets other processes write under them and corrupts the store
            # (https://sqlite.org/howtocorrupt.html#_posix_advisory_locks_canceled_by_a_separate_thread_doing_close_).
            if _OPEN_HERE.get(path):
                _OPEN_HERE[path] += 1
                return cls(path, _connect(str(path)))
            db = cls._open_first(path)
            _OPEN_HERE[path] = 1
            return db

    @classmethod
    def _open_first(cls, path: Path) -> Database:
        """Check, probe and migrate a store this process does not have open yet."""
        _check_file(path)
        existed = path.exists() and path.stat().st_size > 0
        if existed:
            # Inspect read-only first: nothing may be written to a file we refuse.
            # immutable=1 creates no -wal/-shm beside a file we may refuse.
            immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
            probe = _connect(f"{path.as_uri()}?mode=ro{immutable}", uri=True)
            try:
                version = _inspect(probe, path)
            finally:
                probe.close()
        else:
            version = 0
        conn = _connect(str(path))
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            if version < SCHEMA_VERSION:
                _migrate(conn, version)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot open {path}: {exc}") from exc
        except StoreError:
            conn.close()
            raise
        return cls(path, conn)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Borrow the connection for reads."""
        with self.lock:
            try:
                yield self._conn
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: {exc}") from exc

    @property
    def target(self) -> str:
        """The store's path, for messages."""
        return str(self.path)

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads that all see one committed state (a deferred read transaction)."""
        with self.read() as conn, held_transaction(conn, "BEGIN"):
            yield conn

    @contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all.

        ``durable`` syncs it to disk before returning (``synchronous = FULL``, for
        a sent reply). SQLite refuses to change ``synchronous`` inside a
        transaction, so the pragma is set around it while the lock is held.
        """
        with self.lock:
            conn = self._conn
            if durable:
                conn.execute("PRAGMA synchronous = FULL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.rollback()
                    raise
                else:
                    conn.commit()
            finally:
                if durable:
                    conn.execute("PRAGMA synchronous = NORMAL")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the store and empty it, after a bulk load.

        Left to SQLite's auto-checkpoint, a log of gigabytes is copied by the next
        small commit, which then takes seconds; a reader still holding an old
        snapshot only makes this copy less of it.
        """
        with self.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def data_version(self) -> int:
        """A number that changes when another connection commits (cheap to poll)."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self.lock, _OPEN_GUARD:
            if not self._closed:
                self._closed = True
                _OPEN_HERE[self.path] -= 1
                if not _OPEN_HERE[self.path]:
                    del _OPEN_HERE[self.path]
            self._conn.close()


def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(
            target,
            uri=uri,
            isolation_level=None,
            check_same_thread=False,
            timeout=_BUSY_TIMEOUT_MS / 1000,
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {target}: {exc}") from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -8000")
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot open {target}: {exc}") from exc
    return conn
