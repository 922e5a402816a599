"""The first sync of a replica: every page in ONE transaction, in bulk-load form.

A new workstation copies the whole team's tickets, messages and history —
over a million rows for 100k tickets. Kept row by row, the full-text triggers
and the ticket table's many secondary indexes make that about three times
slower than loading the rows bare and indexing them once at the end. So the
first sync drops those triggers and indexes, stores page after page (rows and
cursor, as any sync does), then recreates them from their exact SQL and
rebuilds the search indexes, all inside one transaction: SQLite's DDL is
transactional, so a crash or a kill at any point leaves the replica as it
was before (empty, cursor 0) and never without its indexes.

The transaction lives in one worker thread (a connection's transaction cannot
change threads); the engine's event loop fetches pages and hands them over
through a small queue, so fetching the next page overlaps storing this one.
Ending the feed early (the hub went away, the engine stops) commits what was
stored: the next sync continues from its cursor.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from typing import Final

from agentdesk.sync.apply import store_page, transaction
from agentdesk.sync.wire import Page
from storage.database import Database

#: Pages waiting to be stored: enough to overlap a fetch with a store, little memory.
QUEUE_PAGES: Final = 2
#: How often a waiting feeder checks whether the loader died.
_POLL_SECONDS: Final = 0.2


class LoaderFailed(RuntimeError):
    """The loader thread stopped with an error; the feed must stop too."""


class InitialLoad:
    """Stores the pages it is fed in one bulk transaction; :meth:`run` runs in a thread.

    The feeder calls :meth:`feed` with each page and then :meth:`finish`;
    :meth:`run` returns once everything fed is committed.
    """

    def __init__(self, db: Database, *, agent_email: str, now: int) -> None:
        self._db = db
        self._agent_email = agent_email
        self._now = now
        self._pages: queue.Queue[Page | None] = queue.Queue(maxsize=QUEUE_PAGES)
        self._failed = threading.Event()
        self.rows = 0

    def run(self) -> int:
        """Store every page fed until :meth:`finish`, then commit; returns the rows stored."""
        try:
            with transaction(self._db) as conn:
                dropped = _drop_bulk_schema(conn)
                while (page := self._pages.get()) is not None:
                    applied = store_page(conn, page, agent_email=self._agent_email, now=self._now)
                    self.rows += applied.rows
                _restore_bulk_schema(conn, dropped)
            self._db.checkpoint()  # the whole replica went through the log
        except BaseException:
            self._failed.set()
            raise
        return self.rows

    def feed(self, page: Page) -> None:
        """Queue a page (blocks while the queue is full).

        Raises:
            LoaderFailed: the loader stopped; its error comes from :meth:`run`.
        """
        self._put(page)

    def finish(self) -> None:
        """No more pages: the loader commits what it stored."""
        self._put(None)

    def _put(self, page: Page | None) -> None:
        while not self._failed.is_set():
            try:
                self._pages.put(page, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return
        raise LoaderFailed("the initial load stopped")


def _drop_bulk_schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Drop the full-text triggers and secondary indexes; returns them to recreate."""
    # The demo package's import loads its generator (~50 ms): only a first sync pays it.
    from agentdesk.demo.bulk import fts_triggers, secondary_indexes  # noqa: PLC0415

    dropped = fts_triggers(conn) + secondary_indexes(conn)
    for name, sql in dropped:
        kind = "TRIGGER" if sql.lstrip().upper().startswith("CREATE TRIGGER") else "INDEX"
        conn.execute(f'DROP {kind} "{name}"')
    return dropped


def _restore_bulk_schema(conn: sqlite3.Connection, dropped: list[tuple[str, str]]) -> None:
    """Recreate what :func:`_drop_bulk_schema` dropped and index the loaded text once."""
    from agentdesk.demo.bulk import FTS_TABLES  # noqa: PLC0415

    for _, sql in dropped:
        conn.execute(sql)
    for table in FTS_TABLES:
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
