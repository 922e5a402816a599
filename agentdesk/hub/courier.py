"""Delivering public replies to each channel's endpoint, from the durable ``delivery`` queue.

Rows are queued by a trigger in the transaction that writes the reply
(:data:`storage.hub.DELIVERY_TRIGGER`), so a reply that committed is never
forgotten. The courier leases due rows (another hub process on the same database
skips them until the lease runs out), POSTs each as signed JSON, and records the
outcome: 2xx is delivered; anything else is retried with exponential backoff and
jitter (a receiver's ``Retry-After`` is honoured) until the attempts run out and the
row is ``failed`` with its last error kept. Delivery is at least once: a receiver
dedupes by ``delivery_id``.

SQLite work runs in a thread (``asyncio.to_thread``) on the courier's own
connection; the event loop only waits on the network.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Final

import httpx

from agentdesk.domain.signing import signed_headers
from storage import hub as sql
from storage.sql import Store

_ERROR_TEXT: Final = 300  # characters of a receiver's answer kept in last_error


def wall_ms() -> int:
    """Real time in epoch milliseconds: leases and backoff are about now, not a test clock."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a failed delivery is tried again: ``base``, doubling up to ``cap``, then given up.

    The n-th retry waits between half and all of ``min(cap, base * 2**(n-1))``
    ("equal jitter"): retries of many rows spread out, yet each keeps the schedule's
    order of magnitude.
    """

    base_ms: int = 1_000
    cap_ms: int = 600_000
    max_attempts: int = 12

    def delay_ms(self, attempts: int, rng: random.Random) -> int | None:
        """The wait after ``attempts`` failed attempts, or ``None`` to give up."""
        if attempts >= self.max_attempts:
            return None
        ceiling = min(self.cap_ms, self.base_ms * 2 ** max(0, attempts - 1))
        return int(ceiling * rng.uniform(0.5, 1.0))


@dataclass(frozen=True, slots=True)
class CourierSettings:
    """Timings of the courier; tests shrink them."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease_ms: int = 60_000  # > the request timeout, so a lease never runs out mid-request
    batch: int = 20
    timeout_s: float = 10.0
    idle_s: float = 0.5  # how often an idle courier looks for new rows


def payload(job: sql.DeliveryJob) -> dict[str, object]:
    """The JSON a channel's endpoint receives (see README "Channels")."""
    return {
        "delivery_id": job.id,
        "ticket": {
            "id": job.ticket_id,
            "number": job.number,
            "subject": job.subject,
            "status": job.status,
        },
        "to": {"email": job.to_email, "name": job.to_name},
        "channel": job.channel,
        "message": {
            "id": job.message_id,
            "body": job.body,
            "message_id": job.outgoing_id,
            "in_reply_to": job.in_reply_to,
        },
    }


class Courier:
    """One worker's loop over the queue of one database.

    Args:
        db: A connection of the courier's own (used from worker threads).
        settings: Timings and retry policy.
        clock: Epoch milliseconds for leases, backoff and signatures.
        rng: Jitter source (seed it in tests).
    """

    def __init__(
        self,
        db: Store,
        settings: CourierSettings | None = None,
        *,
        clock: Callable[[], int] = wall_ms,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.settings = settings or CourierSettings()
        self._clock = clock
        self._rng = rng or random.Random()

    async def run(
        self, stop: asyncio.Event, wake: Callable[[], asyncio.Event] | None = None
    ) -> None:
        """Deliver until ``stop`` is set; an idle courier naps until the next row is due.

        ``wake`` gives the event the next write of this process sets (the hub's
        notifier): a reply committed here goes out at once, not at the next poll.
        It is taken before looking at the queue, so a wake-up is never missed. The
        queue is looked at with a read; the write lock is taken only when a row is due.
        """
        timeout = httpx.Timeout(self.settings.timeout_s)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            while not stop.is_set():
                woken = wake() if wake is not None else asyncio.Event()
                nap = await asyncio.to_thread(self._nap)
                if nap <= 0:
                    if await self.run_once(client):
                        continue
                    nap = self.settings.idle_s  # claimed meanwhile by another process
                waits = [asyncio.ensure_future(event.wait()) for event in (stop, woken)]
                try:
                    await asyncio.wait(waits, timeout=nap, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiting in waits:
                        waiting.cancel()

    async def run_once(self, client: httpx.AsyncClient) -> int:
        """Claim due rows and deliver them concurrently; returns how many were tried."""
        jobs = await asyncio.to_thread(self._claim)
        if jobs:
            await asyncio.gather(*(self._deliver(client, job) for job in jobs))
        return len(jobs)

    # ------------------------------------------------------------------ steps

    def _claim(self) -> list[sql.DeliveryJob]:
        now = self._clock()
        with self.db.transaction() as conn:
            return sql.claim_deliveries(
                conn, now=now, lease_until=now + self.settings.lease_ms, limit=self.settings.batch
            )

    def _nap(self) -> float:
        """Seconds until the next row is due, at most the idle poll."""
        with self.db.read() as conn:
            due = sql.next_delivery_due(conn)
        idle = self.settings.idle_s
        return idle if due is None else min(idle, max(0.0, (due - self._clock()) / 1000))

    async def _deliver(self, client: httpx.AsyncClient, job: sql.DeliveryJob) -> None:
        if not job.outbound_url or not job.secret:
            await self._failed(job, f"channel {job.channel} has no outbound_url", None)
            return
        body = json.dumps(payload(job), ensure_ascii=False).encode("utf-8")
        headers = signed_headers(job.secret, self._clock() // 1000, body)
        headers["Content-Type"] = "application/json"
        try:
            answer = await client.post(job.outbound_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            await self._failed(job, f"{type(exc).__name__}: {exc}"[:_ERROR_TEXT], None)
            return
        if answer.is_success:
            await asyncio.to_thread(self._delivered, job)
            return
        error = f"HTTP {answer.status_code}: {answer.text}"[:_ERROR_TEXT]
        await self._failed(job, error, _retry_after_ms(answer, self._clock()))

    async def _failed(self, job: sql.DeliveryJob, error: str, asked_ms: int | None) -> None:
        """Schedule the next attempt (the receiver's wish if it said, within the cap)."""
        delay = self.settings.retry.delay_ms(job.attempts + 1, self._rng)
        if delay is not None and asked_ms is not None:
            delay = min(max(delay, asked_ms), self.settings.retry.cap_ms)
        retry_at = None if delay is None else self._clock() + delay
        await asyncio.to_thread(self._attempt_failed, job, error, retry_at)

    def _delivered(self, job: sql.DeliveryJob) -> None:
        with self.db.transaction() as conn:
            sql.mark_delivered(conn, job, at=self._clock())

    def _attempt_failed(self, job: sql.DeliveryJob, error: str, retry_at: int | None) -> None:
        with self.db.transaction() as conn:
            sql.mark_attempt_failed(conn, job, error=error, retry_at=retry_at)


def _retry_after_ms(answer: httpx.Response, now: int) -> int | None:
    """A 429/503 answer's ``Retry-After`` (seconds or an HTTP date) in ms, if any."""
    if answer.status_code not in (429, 503):
        return None
    value = answer.headers.get("retry-after", "").strip()
    if value.isdigit():
        return int(value) * 1000
    try:
        return max(0, int(parsedate_to_datetime(value).timestamp() * 1000) - now)
    except (TypeError, ValueError):
        return None
