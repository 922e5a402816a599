"""Every generated row of a workspace, in order, as batches ready for ``executemany``.

Making rows (Python) and writing them (SQLite) each take about half the time of a
large run, so above a size the rows are made in a worker process while the caller
writes them: two cores work at once. The worker runs the same code from the same
generator state, so the rows are identical either way.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import subprocess
import sys
import threading
import traceback
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

from agentdesk.demo import people
from agentdesk.demo.ids import UlidFactory
from agentdesk.demo.tickets import Batch, Customers, Team, TicketFactory
from agentdesk.demo.timeline import DAY_MS

BATCH_TICKETS: Final = 10_000
CUSTOMER_BATCH: Final = 20_000
#: From this many tickets on, rows are made in a worker process (when 2+ CPUs).
PARALLEL_MIN_TICKETS: Final = 20_000
_AHEAD: Final = 4


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything needed to make the rows, picklable for the worker."""

    tickets: int
    customers: int
    now_ms: int
    first_number: int
    first_seq: int
    team: Team
    rng_state: tuple[object, ...]


@dataclass(slots=True)
class Rows:
    """One transaction's worth of rows; ``done`` counts tickets made so far."""

    done: int
    customers: list[tuple[object, ...]] = field(default_factory=list)
    batch: Batch = field(default_factory=Batch)


def produce(plan: Plan) -> Iterator[Rows]:
    """Customers first (tickets point at them), then tickets batch by batch."""
    rng = random.Random()
    rng.setstate(plan.rng_state)
    ulid = UlidFactory(rng)
    pool = Customers(ids=[], names=[], greetings=[], plans=[])
    rows = Rows(done=0)
    oldest = plan.now_ms - 1100 * DAY_MS
    window = 700 * DAY_MS
    for customer in people.customers(rng, plan.customers):
        created = oldest + int(rng.random() * window)
        customer_id = ulid(created)
        pool.ids.append(customer_id)
        pool.names.append(customer.name)
        pool.greetings.append(customer.greeting_name)
        pool.plans.append(customer.plan)
        rows.customers.append(
            (customer_id, customer.name, customer.email, customer.organization, customer.plan,
             created)
        )  # fmt: skip
        if len(rows.customers) >= CUSTOMER_BATCH:
            yield rows
            rows = Rows(done=0)
    if rows.customers:
        yield rows
    factory = TicketFactory(
        rng,
        total=plan.tickets,
        now_ms=plan.now_ms,
        first_number=plan.first_number,
        first_seq=plan.first_seq,
        customers=pool,
        team=plan.team,
    )
    for start in range(0, plan.tickets, BATCH_TICKETS):
        stop = min(start + BATCH_TICKETS, plan.tickets)
        yield Rows(done=stop, batch=factory.batch(start, stop))


def rows(plan: Plan) -> Generator[Rows, None, None]:
    """The rows of ``plan``, made in a worker process when that is worth it."""
    if plan.tickets < PARALLEL_MIN_TICKETS or _cpus() < 2 or not sys.executable:
        yield from produce(plan)
        return
    yield from _from_worker(plan)


def _from_worker(plan: Plan) -> Iterator[Rows]:
    """Run ``python -m agentdesk.demo.worker`` and read its pickled batches.

    A plain subprocess rather than ``multiprocessing``: spawning through
    multiprocessing re-imports the caller's ``__main__``, which breaks any script
    that lacks the ``if __name__ == "__main__"`` guard.
    """
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    worker = subprocess.Popen(
        [sys.executable, "-m", "agentdesk.demo.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert worker.stdin is not None and worker.stdout is not None
    try:
        pickle.dump(plan, worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        worker.stdin.close()
        while True:
            try:
                item = pickle.load(worker.stdout)
            except EOFError:
                code = worker.wait()
                raise RuntimeError(f"demo worker exited unexpectedly (code {code})") from None
            if item is None:
                break
            if isinstance(item, str):
                raise RuntimeError(f"demo worker failed:\n{item}")
            yield item
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        worker.stdout.close()


def work(source: BinaryIO, sink: BinaryIO) -> int:
    """Worker side: read a pickled :class:`Plan`, write pickled ``Rows`` then ``None``.

    A thread does the (blocking) writes, so making the next batches goes on while
    the parent is busy writing the previous one to SQLite; at most
    :data:`_AHEAD` batches wait in memory.
    """
    outgoing: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)
    writer = threading.Thread(target=_drain, args=(outgoing, sink), daemon=True)
    writer.start()
    code = 0
    try:
        plan = pickle.load(source)
        for item in produce(plan):
            outgoing.put(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        outgoing.put(pickle.dumps(None))
    except Exception:
        outgoing.put(pickle.dumps(traceback.format_exc()))
        code = 1
    outgoing.put(None)
    writer.join()
    return code


def _drain(outgoing: queue.Queue[bytes | None], sink: BinaryIO) -> None:
    """Write queued frames until the end marker; a closed pipe just ends the worker."""
    try:
        while (frame := outgoing.get()) is not None:
            sink.write(frame)
        sink.flush()
    except BrokenPipeError:  # the parent stopped reading: it failed or was interrupted
        os._exit(1)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
