"""The workstation's sync loop: push the outbox, pull the feed, replay, wait for more.

One coroutine does everything, so there is never a push racing a pull of the
same store. Each round pushes every pending mutation (oldest first, in batches)
and records the hub's verdicts, repairs tickets whose mutations were rejected,
then pulls: pages back to back while the hub has more, then a long-poll that
the hub answers as soon as something changes. While the long-poll waits, a
watcher looks at the outbox twice a second; a new pending row cancels the poll
so the agent's action reaches the hub at once.

Pushing first matters: a push answer lost on the wire is recovered by pushing
again (the hub returns the first result), so verdicts are always known before
the pull that brings their effects.

Failures never escape :meth:`SyncEngine.run`: an unreachable hub, a timeout, a
5xx or a 429 make the engine *offline* and it retries after the hub's
``Retry-After`` or an exponential backoff with full jitter; a refused token
or a forbidden push is an *error* (retried slowly: an admin may fix it). Every
change of state reaches ``on_status`` as a :class:`SyncStatus`.

The engine opens its OWN connection to the store and does all SQLite work in
worker threads (``asyncio.to_thread``), so the event loop never blocks on the
disk and the TUI, on its connection, notices the engine's commits through
``PRAGMA data_version``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from agentdesk.domain import timefmt
from agentdesk.sync.apply import apply_page, apply_snapshot
from agentdesk.sync.client import Forbidden, HubClient, HubError, HubUnavailable, NotLoggedIn
from agentdesk.sync.credentials import Credentials
from agentdesk.sync.initial import InitialLoad, LoaderFailed
from agentdesk.sync.results import record_results
from agentdesk.sync.wire import Page
from storage.agents import get_setting
from storage.database import Database
from storage.errors import StoreError
from storage.rejections import tickets_to_repair
from storage.sync import OutboxRow, get_cursor, pending_count, pending_mutations

State = Literal["synced", "syncing", "offline", "error"]

#: Mutations per push, and the most bytes of arguments one push carries (the hub takes 1 MiB).
PUSH_BATCH: Final = 200
PUSH_BYTES: Final = 512 * 1024
#: Changes per pulled page: each is one transaction, short enough not to hold up the TUI.
PAGE_SIZE: Final = 2000
#: Changes per page of the first sync (the most the hub gives).
INITIAL_PAGE_SIZE: Final = 5000
#: Seconds the hub may hold a long-poll.
LONG_POLL: Final = 25
#: How often the outbox is checked while a long-poll waits, and while offline.
WATCH_SECONDS: Final = 0.5
#: Backoff: full jitter over ``min(CAP, BASE * 2**failures)`` seconds.
BACKOFF_BASE: Final = 0.5
BACKOFF_CAP: Final = 30.0


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows: the state, the mutations waiting, and a sentence."""

    state: State
    pending: int
    detail: str = ""
    #: The feed position received so far (a first sync's progress: it commits at the end).
    cursor: int = 0

    def __str__(self) -> str:
        waiting = f" ({self.pending} pending)" if self.pending else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.state}{waiting}{detail}"


def backoff(failures: int, rng: random.Random) -> float:
    """Seconds to wait after ``failures`` failures in a row: full jitter, capped."""
    return rng.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(failures, 16)))


class SyncEngine:
    """Keeps one store in sync with its hub, as the agent the credentials name.

    Args:
        db_path: The store (the engine opens its own connection to it).
        credentials: The hub's URL, the token and the agent's email.
        on_status: Called (from the engine's thread) whenever the status changes.
        rng: Randomness for the backoff jitter (tests pass a seeded one).
    """

    def __init__(
        self,
        db_path: Path,
        credentials: Credentials,
        *,
        on_status: Callable[[SyncStatus], None] | None = None,
        rng: random.Random | None = None,
        page_size: int = PAGE_SIZE,
        long_poll: int = LONG_POLL,
    ) -> None:
        self.db_path = db_path
        self.credentials = credentials
        self._on_status = on_status
        self._rng = rng or random.Random()
        self._page_size = page_size
        self._long_poll = long_poll
        self._status: SyncStatus | None = None
        self._stopped = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._db: Database | None = None
        self._client: HubClient | None = None
        self._repairs: dict[str, None] = {}  # tickets to repair from the hub, in order
        self._caught_up = False
        self._cursor = 0

    @property
    def status(self) -> SyncStatus | None:
        """The latest status (``None`` before the engine first ran)."""
        return self._status

    # ------------------------------------------------------------------ public

    async def run(self) -> None:
        """Sync until :meth:`stop`.

        Failures while syncing (hub or store) are shown in the status and retried;
        only a store that cannot be opened at all raises (StoreError).
        """
        async with self._session():
            failures = 0
            while not self._stopped:
                try:
                    # After a failure, a quick round first: it shows "synced" as soon
                    # as the hub answers, instead of holding "offline" through a long-poll.
                    await self._round(wait=self._caught_up and not failures)
                    failures = 0
                except HubUnavailable as exc:
                    failures += 1
                    await self._wait_offline(str(exc), exc.retry_after, failures)
                except (NotLoggedIn, Forbidden, HubError, StoreError) as exc:
                    failures += 1
                    await self._emit("error", str(exc))
                    await self._pause(backoff(failures, self._rng) or BACKOFF_BASE)

    async def run_once(self) -> SyncStatus:
        """Push everything, pull until caught up, and stop; returns how it ended.

        Raises:
            StoreError: the store cannot be opened.
        """
        async with self._session():
            try:
                while not self._stopped:
                    await self._round(wait=False)
                    if self._caught_up and not await self._pending():
                        break
            except HubUnavailable as exc:
                await self._emit("offline", str(exc))
            except (NotLoggedIn, Forbidden, HubError, StoreError) as exc:
                await self._emit("error", str(exc))
        assert self._status is not None  # every path above emitted one
        return self._status

    def stop(self) -> None:
        """Ask the engine to stop soon; safe to call from any thread."""
        self._stopped = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(wake.set)

    # ------------------------------------------------------------------ one round

    async def _round(self, *, wait: bool) -> None:
        """Push, repair, then pull: the whole feed on a new replica, else one page.

        When caught up, the page is a long-poll.
        """
        await self._push_all()
        await self._repair()
        cursor, client_id = await asyncio.to_thread(_cursor_and_client, self._store())
        self._cursor = cursor
        if cursor == 0 and not self._caught_up:
            await self._initial_load(client_id)
        else:
            pull = self._pull(cursor, client_id, self._long_poll if wait else 0)
            page = await (self._watching_outbox(pull) if wait else pull)
            if page is not None:
                await self._apply(page)
        if self._caught_up and not await self._pending():
            await self._emit("synced", "")

    async def _push_all(self) -> None:
        client = self._hub()
        while batch := await asyncio.to_thread(_push_batch, self._store()):
            await self._busy(f"sending {len(batch)} change(s)")
            answer = await client.push(batch[0].client_id, batch)
            repairs = await asyncio.to_thread(
                record_results,
                self._store(),
                batch,
                answer,
                agent_email=self.credentials.agent,
                now=timefmt.now_ms(),
            )
            self._repairs.update(dict.fromkeys(repairs))
            await self._emit("syncing", f"{len(batch)} change(s) sent")  # the hub answered

    async def _repair(self) -> None:
        """Bring each ticket with a rejected mutation back to the hub's state."""
        client = self._hub()
        while self._repairs:
            ticket_id = next(iter(self._repairs))
            changes = await client.snapshot(ticket_id)
            if changes is not None:
                await asyncio.to_thread(
                    apply_snapshot,
                    self._store(),
                    ticket_id,
                    changes,
                    agent_email=self.credentials.agent,
                    now=timefmt.now_ms(),
                )
            del self._repairs[ticket_id]

    async def _pull(self, cursor: int, client_id: str | None, wait: int) -> Page:
        return await self._hub().changes(
            cursor, limit=self._page_size, wait=wait, client_id=client_id
        )

    async def _apply(self, page: Page) -> None:
        if page.changes:
            detail = "catching up" if page.more else f"{len(page.changes)} change(s) received"
            await self._emit("syncing", detail)
            await asyncio.to_thread(
                apply_page,
                self._store(),
                page,
                agent_email=self.credentials.agent,
                now=timefmt.now_ms(),
            )
        self._cursor = page.next
        self._caught_up = not page.more

    async def _initial_load(self, client_id: str | None) -> None:
        """Pull the whole feed into a new replica in one bulk transaction (agentdesk.sync.initial).

        Stopping or losing the hub half-way commits what was stored so far.
        """
        loader = InitialLoad(
            self._store(), agent_email=self.credentials.agent, now=timefmt.now_ms()
        )
        loading = asyncio.create_task(asyncio.to_thread(loader.run))
        page: Page | None = None
        received = 0
        try:
            while not self._stopped and (page is None or page.more):
                cursor = 0 if page is None else page.next
                page = await self._hub().changes(
                    cursor, limit=INITIAL_PAGE_SIZE, client_id=client_id
                )
                await asyncio.to_thread(loader.feed, page)
                received += len(page.changes)
                self._cursor = page.next
                await self._emit("syncing", f"first sync: {received:,} changes", pending=0)
        finally:
            with contextlib.suppress(LoaderFailed):
                await asyncio.to_thread(loader.finish)
            await loading
        self._caught_up = page is not None and not page.more

    async def _watching_outbox(self, pull: Coroutine[object, object, Page]) -> Page | None:
        """Run a pull, cut short (``None``) by a new pending mutation or :meth:`stop`."""
        poll = asyncio.create_task(pull)
        watch = asyncio.create_task(self._watch_outbox())
        try:
            done, _ = await asyncio.wait({poll, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (poll, watch):
                task.cancel()
            await asyncio.gather(poll, watch, return_exceptions=True)
        return poll.result() if poll in done else None

    async def _watch_outbox(self) -> None:
        """Return when a mutation is pending or the engine is asked to stop."""
        while not self._stopped:
            if await self._pending():
                return
            await self._pause(WATCH_SECONDS)

    # ------------------------------------------------------------------ waiting

    async def _wait_offline(self, reason: str, retry_after: float | None, failures: int) -> None:
        """Stay offline for the delay, keeping the pending count on the status current."""
        delay = retry_after if retry_after is not None else backoff(failures, self._rng)
        detail = f"{reason}; retrying in {delay:.1f} s"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while not self._stopped and (left := deadline - loop.time()) > 0:
            await self._emit("offline", detail)  # says so again only if the count changed
            await self._pause(min(WATCH_SECONDS, left))

    async def _pause(self, seconds: float) -> None:
        """Sleep, waking early if :meth:`stop` is called."""
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    # ------------------------------------------------------------------ plumbing

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._stopped:
            self._wake.set()
        self._db = await asyncio.to_thread(Database.open, self.db_path)
        # Repairs are remembered in memory; those a killed engine never made come from the
        # outbox's undismissed rejections.
        self._repairs.update(dict.fromkeys(await asyncio.to_thread(_to_repair, self._db)))
        self._client = HubClient(self.credentials.url, self.credentials.token)
        try:
            yield
        finally:
            await self._client.aclose()
            await asyncio.to_thread(self._db.close)
            self._client = self._db = None
            self._loop = self._wake = None

    async def _emit(self, state: State, detail: str, *, pending: int | None = None) -> None:
        """Tell ``on_status`` if the status changed (``pending`` is counted unless given)."""
        if pending is None:
            pending = await self._pending()
        status = SyncStatus(state, pending, detail, self._cursor)
        if status != self._status:
            self._status = status
            if self._on_status is not None:
                self._on_status(status)

    async def _busy(self, detail: str) -> None:
        """Say a push is under way: syncing, or still offline while a retry is in flight
        (a hub that stopped answering keeps each attempt open until its timeout)."""
        offline = self._status is not None and self._status.state == "offline"
        await self._emit("offline" if offline else "syncing", detail)

    async def _pending(self) -> int:
        return await asyncio.to_thread(_pending_count, self._store())

    def _store(self) -> Database:
        assert self._db is not None, "the engine is not running"
        return self._db

    def _hub(self) -> HubClient:
        assert self._client is not None, "the engine is not running"
        return self._client


# ---------------------------------------------------------------------- store reads (threads)


def _push_batch(db: Database) -> list[OutboxRow]:
    """The next pending mutations to push: one client's, oldest first, within the byte cap."""
    with db.read() as conn:
        rows = pending_mutations(conn, limit=PUSH_BATCH)
    batch: list[OutboxRow] = []
    size = 0
    for row in rows:
        size += len(row.args)
        if batch and (size > PUSH_BYTES or row.client_id != batch[0].client_id):
            break
        batch.append(row)
    return batch


def _cursor_and_client(db: Database) -> tuple[int, str | None]:
    with db.read() as conn:
        return get_cursor(conn), get_setting(conn, "client_id")


def _to_repair(db: Database) -> list[str]:
    with db.read() as conn:
        return tickets_to_repair(conn)


def _pending_count(db: Database) -> int:
    with db.read() as conn:
        return pending_count(conn)
