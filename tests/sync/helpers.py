"""Workstations for sync tests: a replica logged in to a test hub, its engine, its rows."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentdesk.desk import Desk
from agentdesk.sync.credentials import Credentials
from agentdesk.sync.engine import SyncEngine, SyncStatus
from agentdesk.sync.login import bind_store, check_token
from storage.agents import agent_by_email
from storage.database import Database
from storage.sql import Connection, dialect_of
from storage.stores import open_store
from tests.factories import T0
from tests.hub.conftest import HubServer
from tests.store_dump import Rows

#: The tables two replicas (and the hub, as an agent sees it) must agree on.
COMPARED = ("ticket", "ticket_tag", "message", "escalation", "customer", "agent")


@dataclass
class Workstation:
    """A replica logged in to a hub as one agent."""

    path: Path
    credentials: Credentials

    def engine(self, *, url: str | None = None, **options: Any) -> SyncEngine:
        """An engine for this replica (``url`` points it elsewhere, e.g. at a dead port)."""
        credentials = self.credentials
        if url is not None:
            credentials = Credentials(url, credentials.token, credentials.agent)
        options.setdefault("rng", random.Random(7))
        return SyncEngine(self.path, credentials, **options)

    def sync(self, *, url: str | None = None) -> SyncStatus:
        """One ``run_once``: push, pull until caught up."""
        return asyncio.run(self.engine(url=url).run_once())

    @contextmanager
    def desk(self) -> Iterator[Desk]:
        """The agent's Desk on this replica (what the TUI uses)."""
        db = Database.open(self.path)
        try:
            with db.read() as conn:
                agent = agent_by_email(conn, self.credentials.agent)
            assert agent is not None
            yield Desk(db, agent)
        finally:
            db.close()

    def outbox(self) -> list[tuple[int, str, str, str | None]]:
        """(seq, op, state, error) of every outbox row."""
        return query(self.path, "SELECT seq, op, state, error FROM outbox ORDER BY seq")

    def rows(self) -> Rows:
        """The compared tables (a message without its local ``seq``)."""
        return compared_rows(self.path)


def workstation(hub: HubServer, directory: Path, email: str, *, name: str = "") -> Workstation:
    """A new replica of ``hub`` logged in as the agent with ``email`` (a fresh token)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name or email.split('@', maxsplit=1)[0]}.db"
    token = hub.mint(email)
    me = asyncio.run(check_token(hub.url, token))
    bind_store(path, hub.url, token, me, now=T0)
    return Workstation(path, Credentials(hub.url, token, email))


def compared_rows(store: str | Path, *, hidden_from: str | None = None) -> Rows:
    """The compared tables of a store (a file or a PostgreSQL URL), sorted.

    ``hidden_from`` (the id of an agent who may not read restricted notes) leaves
    out the restricted notes of others, as the hub's feed does for that agent.
    """
    db = open_store(store)
    try:
        with db.read() as conn:
            found: Rows = {}
            for table in COMPARED:
                columns = [name for name in written_columns(conn, table) if name != "seq"]
                where = ""
                if table == "message" and hidden_from is not None:
                    where = f" WHERE restricted = 0 OR author_agent_id = '{hidden_from}'"
                rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}{where}").fetchall()
                found[table] = sorted((tuple(row) for row in rows), key=repr)
            return found
    finally:
        db.close()


def written_columns(conn: Connection, table: str) -> list[str]:
    """The table's columns in order, without generated ones (and PostgreSQL's ``rowid``)."""
    if dialect_of(conn) == "sqlite":
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND table_name = ? AND is_generated = 'NEVER'"
        " AND column_name <> 'rowid' ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in rows]


def query(store: str | Path, sql: str, *params: object) -> list[Any]:
    """Every row of a query on a store (a file or a PostgreSQL URL)."""
    db = open_store(store)
    try:
        with db.read() as conn:
            return [tuple(row) for row in conn.execute(sql, params).fetchall()]
    finally:
        db.close()


def dead_url() -> str:
    """A loopback URL nobody listens on (the hub, unreachable)."""
    from tests.hub.conftest import free_port  # noqa: PLC0415

    return f"http://127.0.0.1:{free_port()}"


@contextmanager
def hub_desk(hub: HubServer, email: str) -> Iterator[Desk]:
    """A Desk acting directly on the hub's store (a change made on the hub's side)."""
    db = open_store(hub.store)
    try:
        with db.read() as conn:
            agent = agent_by_email(conn, email)
        assert agent is not None
        yield Desk(db, agent)
    finally:
        db.close()


@contextmanager
def running(
    ws: Workstation, hub: HubServer, *, url: str | None = None
) -> Iterator[list[SyncStatus]]:
    """The replica's ``engine.run()`` in a thread; yields the statuses it reports."""
    statuses: list[SyncStatus] = []
    engine = ws.engine(url=url, on_status=statuses.append)
    thread = threading.Thread(target=lambda: asyncio.run(engine.run()))
    thread.start()
    try:
        yield statuses
    finally:
        engine.stop()
        thread.join(10)
        assert not thread.is_alive()


def settled(ws: Workstation, statuses: list[SyncStatus], *, within: float = 10.0) -> None:
    """Wait until the engine says synced with nothing pending and the outbox agrees."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        last = statuses[-1] if statuses else None
        if (
            last is not None
            and last.state == "synced"
            and all(state != "pending" for _, _, state, _ in ws.outbox())
        ):
            return
        time.sleep(0.02)
    raise AssertionError(f"not settled: {statuses[-3:]}")
