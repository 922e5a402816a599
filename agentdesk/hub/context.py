"""What a hub request works with: the store, reached without blocking the event loop.

SQLite calls block, so every read and write runs in a worker thread
(``anyio.to_thread``) on that thread's own :class:`~storage.database.Database`
connection, opened on first use: reads run side by side (WAL), while writes of
this process queue on an ``asyncio.Lock`` rather than on SQLite's busy handler,
and without holding a worker thread while they wait.

Long-polls wait on a :class:`Notifier`: a write of this process wakes them at
once, and :meth:`HubContext.watch` wakes them within ``poll_interval`` of a write
by another process (a second hub, ``agentdesk hub add-agent``), found by polling
the feed's newest seq while anyone waits. The hub keeps no other state: it can
restart, or run as several processes, on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar, cast

from anyio import to_thread
from fastapi import Depends, Request

from storage.hub import last_change
from storage.sql import Store
from storage.stores import open_store

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HubSettings:
    """How a hub runs: its name (shown by ``GET /v1/me``), body limit, poll interval.

    ``idle_connections``: open connections kept for the next request (more are
    opened while more requests run at once, and closed when they are done).
    """

    name: str = "agentdesk hub"
    max_body_bytes: int = 1024 * 1024
    poll_interval: float = 0.1
    idle_connections: int = 8


class Notifier:
    """Wakes waiters when the feed may have grown.

    A waiter takes :meth:`current` BEFORE it reads the feed, then waits on it: a
    change committed between the read and the wait has already set that event,
    so no wake-up is lost.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def current(self) -> asyncio.Event:
        """The event the next :meth:`notify` sets."""
        return self._event

    def notify(self) -> None:
        """Wake every waiter (call on the event loop)."""
        event, self._event = self._event, asyncio.Event()
        event.set()


class StorePool:
    """Open stores lent to one borrower at a time; at most ``keep`` are kept idle.

    A store is opened when none is idle (so as many are open as run at once,
    which anyio's thread limit bounds) and closed on return beyond ``keep``.
    """

    def __init__(self, target: str | Path, keep: int) -> None:
        self.target = target
        self.keep = keep
        self._idle: list[Store] = []
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Store]:
        """A store for the block (call from a worker thread: opening one blocks)."""
        with self._guard:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = open_store(self.target)
        try:
            yield store
        finally:
            with self._guard:
                kept = len(self._idle) < self.keep
                if kept:
                    self._idle.append(store)
            if not kept:
                store.close()

    def close(self) -> None:
        """Close the idle stores (borrowed ones close when they come back)."""
        with self._guard:
            idle, self._idle, self.keep = self._idle, [], 0
        for store in idle:
            store.close()


class HubContext:
    """The store of a hub process, as a pool of connections, and its change notifier."""

    def __init__(self, target: str | Path, settings: HubSettings) -> None:
        self.target = target
        self.settings = settings
        self.notifier = Notifier()
        self.pool = StorePool(target, keep=settings.idle_connections)
        self._write_lock = asyncio.Lock()
        self._waiting = 0

    def _run(self, work: Callable[[Store], T]) -> T:
        with self.pool.borrow() as store:
            return work(store)

    async def read(self, work: Callable[[Store], T]) -> T:
        """Run ``work`` on a worker thread with a pooled connection."""
        return await to_thread.run_sync(self._run, work)

    async def write(self, work: Callable[[Store], T]) -> T:
        """Run ``work`` (which commits its own transaction), one writer at a time.

        Long-polls are woken afterwards, whether or not it wrote anything.
        """
        async with self._write_lock:
            try:
                return await to_thread.run_sync(self._run, work)
            finally:
                self.notifier.notify()

    async def wait_for_change(self, seen: asyncio.Event, timeout: float) -> None:
        """Wait until ``seen`` (a :meth:`Notifier.current`) is set or ``timeout`` passes."""
        self._waiting += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(seen.wait(), timeout)
        finally:
            self._waiting -= 1

    async def watch(self) -> None:
        """Notice writes of other processes: poll the newest seq while anyone waits."""
        newest = await self.read(_newest)
        while True:
            await asyncio.sleep(self.settings.poll_interval)
            if not self._waiting:
                continue
            now = await self.read(_newest)
            if now != newest:
                newest = now
                self.notifier.notify()

    def close(self) -> None:
        """Close the pooled connections."""
        self.pool.close()


def _newest(db: Store) -> int:
    with db.read() as conn:
        return last_change(conn)


def hub_context(request: Request) -> HubContext:
    """FastAPI dependency: the hub of the app serving this request."""
    return cast(HubContext, request.app.state.hub)


#: A route parameter that receives the request's :class:`HubContext`.
Hub = Annotated[HubContext, Depends(hub_context)]
