"""Hub and sync figures: first sync, inbound → visible, mutations from 50 clients at once.

Run from the repository root (``make bench`` runs every bench)::

    python -m bench.sync --sizes 1k 100k [--backends sqlite postgresql] [--pg-url URL]

Each store size is two columns, one per backend the hub runs on (``--backends``,
both by default). The hub is a real ``agentdesk hub`` subprocess on 127.0.0.1
serving a copy of the demo store of that size (``bench/.data``, see
``bench/data.py``), opened as a hub first (the backfill of its change feed is
timed too). On SQLite the copy is a file; on PostgreSQL the demo store is copied
into a new database (``storage.pg_copy``, what ``agentdesk hub copy`` runs; timed)
on a throwaway local cluster or the server of ``--pg-url`` (``bench/pg_server.py``).
The workstations are SQLite either way. Then, against the hub:

- **First sync**: a new tier-1 workstation's replica pulls the whole feed
  (``SyncEngine.run_once``, the code ``agentdesk sync --once`` runs); rows/s counts
  every feed row applied (tickets, messages, tags, audit events, clocks …).
- **Inbound → visible**: with that workstation syncing in the background
  (``SyncEngine.run``, long-polling), signed emails are posted to the email
  webhook one at a time; each is timed from the POST until its ticket is in the
  replica (read on another connection, every 2 ms).
- **50 clients**: 50 workstations (agents of every tier, a client id each) push at
  once, one mutation per request and then batches of 20 (notes, tags and
  priorities on random unsolved tickets); mutations/s through the hub and each
  request's latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from agentdesk.domain import timefmt
from agentdesk.domain.inbound import normal_message_id
from agentdesk.domain.signing import signed_headers
from agentdesk.hub.auth import add_agent
from agentdesk.hub.store import open_hub
from agentdesk.live_demo.processes import Child, free_port
from agentdesk.sync.credentials import Credentials
from agentdesk.sync.engine import SyncEngine
from agentdesk.sync.login import bind_store, check_token
from bench.data import SIZES, demo_store
from bench.pg_server import PgServer, have_server_binaries, open_server
from bench.report import Metric, render_markdown, render_text
from storage.database import Database
from storage.hub import set_channel
from storage.pg_copy import copy_file
from storage.stores import open_store

BACKENDS = ("sqlite", "postgresql")
CLIENTS = 50
INBOUND_MESSAGES = 60


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Hub:
    """A hub store (already opened as a hub) served by ``agentdesk hub`` in a subprocess."""

    def __init__(self, target: Path | str, workdir: Path, *, backfill_seconds: float) -> None:
        self.target = target
        self.backfill_seconds = backfill_seconds
        db = open_store(target)
        try:
            with db.transaction() as conn:
                self.email_secret = secrets.token_urlsafe(32)
                set_channel(conn, "email", secret=self.email_secret, outbound_url=None)
            with db.read() as conn:
                self.feed_rows = int(conn.execute("SELECT max(seq) FROM change").fetchone()[0])
                self.agents = [
                    (str(name), str(email), str(tier))
                    for name, email, tier in conn.execute(
                        "SELECT name, email, tier FROM agent WHERE active = 1 ORDER BY email"
                    )
                ]
        finally:
            db.close()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        argv = [sys.executable, "-m", "agentdesk", "hub", "--db", str(target)]
        self.child = Child.start("hub", [*argv, "--port", str(port)], workdir / "hub.log")
        self.child.wait_until(self._answers, timeout=60)

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/v1/me", timeout=1).status_code == 401
        except httpx.TransportError:
            return False

    def token(self, name: str, email: str, tier: str) -> str:
        """A new bearer token of an existing agent."""
        db = open_store(self.target)
        try:
            return add_agent(db, name=name, email=email, tier=tier, label="bench").token
        finally:
            db.close()

    def stop(self) -> None:
        self.child.stop()


@dataclass(frozen=True)
class Copy:
    """The demo store's copy into PostgreSQL: rows and seconds."""

    rows: int
    seconds: float


def sqlite_hub(source: Path, workdir: Path) -> Hub:
    """A file copy of the demo store, opened as a hub (timed: the feed's backfill)."""
    path = workdir / "hub.db"
    shutil.copyfile(source, path)
    started = time.perf_counter()
    open_hub(path).close()  # the first open as a hub backfills the change feed
    return Hub(path, workdir, backfill_seconds=time.perf_counter() - started)


def postgres_hub(source: Path, url: str, workdir: Path) -> tuple[Hub, Copy]:
    """The demo store copied into the empty database at ``url``, then opened as a hub.

    Its backfill figure is the copy plus the first open as a hub (which backfills
    the feed on the server), what a team moving to PostgreSQL waits for.
    """
    path = workdir / "source.db"
    shutil.copyfile(source, path)  # Database.open may write (WAL mode): spare the cached store
    started = time.perf_counter()
    copied = copy_file(path, url)  # what `agentdesk hub copy` runs (the schema made too)
    copy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    open_hub(url).close()
    backfill = copy_seconds + time.perf_counter() - started
    return Hub(url, workdir, backfill_seconds=backfill), Copy(copied.total, copy_seconds)


def first_sync(hub: Hub, replica: Path) -> tuple[Credentials, float]:
    """Log a tier-1 agent's new replica in and pull the whole feed; returns its seconds."""
    name, email, tier = next(agent for agent in hub.agents if agent[2] == "1")
    token = hub.token(name, email, tier)
    me = asyncio.run(check_token(hub.url, token))
    bind_store(replica, hub.url, token, me, now=timefmt.now_ms())
    credentials = Credentials(hub.url, token, email)
    started = time.perf_counter()
    status = asyncio.run(SyncEngine(replica, credentials).run_once())
    seconds = time.perf_counter() - started
    if status.state != "synced":
        raise SystemExit(f"bench.sync: first sync ended {status}")
    return credentials, seconds


def inbound_to_visible(hub: Hub, replica: Path, credentials: Credentials) -> list[float]:
    """Seconds from each email's POST until its ticket is in the syncing replica."""
    engine = SyncEngine(replica, credentials)
    thread = threading.Thread(target=asyncio.run, args=(engine.run(),), daemon=True)
    thread.start()
    reader = Database.open(replica)
    latencies: list[float] = []
    try:
        with httpx.Client(base_url=hub.url, timeout=10) as client:
            time.sleep(1.0)  # the engine is now long-polling
            for number in range(INBOUND_MESSAGES):
                message_id = f"<bench-{number}-{secrets.token_hex(6)}@customer.example>"
                body = json.dumps(
                    {
                        "from": f"Bench Customer <bench{number}@customer.example>",
                        "to": "support@agentdesk.example",
                        "subject": f"Bench inbound {number}",
                        "text": "The printer says PC LOAD LETTER.",
                        "message_id": message_id,
                        "in_reply_to": None,
                    }
                ).encode()
                headers = signed_headers(hub.email_secret, int(time.time()), body)
                headers["Content-Type"] = "application/json"
                started = time.perf_counter()
                answer = client.post("/v1/inbound/email", content=body, headers=headers)
                if answer.status_code != 202:
                    raise SystemExit(f"bench.sync: inbound refused: {answer.text}")
                while True:
                    with reader.read() as conn:
                        found = conn.execute(  # ix_message_external: the same at any size
                            "SELECT 1 FROM message WHERE external_id = ?",
                            (normal_message_id(message_id),),
                        ).fetchone()
                    if found:
                        break
                    if time.perf_counter() - started > 10:
                        raise SystemExit("bench.sync: an inbound email never reached the replica")
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)
    finally:
        reader.close()
        engine.stop()
        thread.join(timeout=10)
    return latencies


async def _pushing_client(
    hub_url: str,
    token: str,
    tickets: Sequence[str],
    *,
    requests: int,
    batch: int,
    rng: random.Random,
) -> list[float]:
    """One workstation pushing ``requests`` batches; returns each request's seconds."""
    client_id = f"bench-{secrets.token_hex(8)}"
    seq = 0
    latencies: list[float] = []
    transport = httpx.AsyncHTTPTransport(verify=False)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=hub_url, headers=headers, timeout=60, transport=transport
    ) as client:
        for _ in range(requests):
            mutations: list[dict[str, object]] = []
            for _ in range(batch):
                seq += 1
                ticket = rng.choice(tickets)
                kind = rng.random()
                args: dict[str, object]
                if kind < 0.6:
                    op, args = "note", {"body": f"bench note {seq} from {client_id}"}
                elif kind < 0.8:
                    op, args = "add_tags", {"tags": [f"bench-{rng.randrange(20)}"]}
                else:
                    priority = rng.choice(["low", "normal", "high", "urgent"])
                    op, args = "set_priority", {"priority": priority}
                mutations.append(
                    {
                        "seq": seq,
                        "op": op,
                        "ticket_id": ticket,
                        "args": args,
                        "at": timefmt.now_ms(),
                    }
                )
            started = time.perf_counter()
            answer = await client.post(
                "/v1/mutations", json={"client_id": client_id, "mutations": mutations}
            )
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise SystemExit(f"bench.sync: push refused: {answer.status_code} {answer.text}")
    return latencies


def concurrent_pushes(hub: Hub, *, batch: int, requests: int) -> tuple[float, list[float]]:
    """:data:`CLIENTS` workstations pushing at once: (mutations per second, latencies)."""
    db = open_store(hub.target)
    try:
        with db.read() as conn:
            tickets = [
                str(row[0])
                for row in conn.execute(
                    "SELECT id FROM ticket WHERE unsolved = 1 ORDER BY number DESC LIMIT 2000"
                )
            ]
    finally:
        db.close()
    tokens = [hub.token(*hub.agents[n % len(hub.agents)]) for n in range(CLIENTS)]

    async def run_all() -> list[list[float]]:
        return await asyncio.gather(
            *(
                _pushing_client(
                    hub.url,
                    token,
                    tickets,
                    requests=requests,
                    batch=batch,
                    rng=random.Random(n),
                )
                for n, token in enumerate(tokens)
            )
        )

    started = time.perf_counter()
    per_client = asyncio.run(run_all())
    seconds = time.perf_counter() - started
    latencies = [latency for client in per_client for latency in client]
    return CLIENTS * requests * batch / seconds, latencies


def bench_hub(
    source: Path, backend: str, workdir: Path, pg_url: str | None
) -> dict[str, float | None]:
    """Every figure of one hub, on one backend."""
    copied: Copy | None = None
    if backend == "postgresql":
        assert pg_url is not None
        hub, copied = postgres_hub(source, pg_url, workdir)
    else:
        hub = sqlite_hub(source, workdir)
    try:
        replica = workdir / "replica.db"
        credentials, seconds = first_sync(hub, replica)
        latencies = inbound_to_visible(hub, replica, credentials)
        single_rate, single = concurrent_pushes(hub, batch=1, requests=20)
        batch_rate, batched = concurrent_pushes(hub, batch=20, requests=5)
    except SystemExit:
        print(hub.child.log_tail(40), file=sys.stderr)
        raise
    finally:
        hub.stop()
    return {
        "copy_s": copied.seconds if copied else None,
        "copy_rate": copied.rows / copied.seconds if copied else None,
        "backfill": hub.backfill_seconds,
        "feed_rows": hub.feed_rows,
        "first_sync_s": seconds,
        "first_sync_rate": hub.feed_rows / seconds,
        "inbound_p50": statistics.median(latencies) * 1000,
        "inbound_p95": _percentile(latencies, 0.95) * 1000,
        "inbound_max": max(latencies) * 1000,
        "push1_rate": single_rate,
        "push1_p50": statistics.median(single) * 1000,
        "push1_p95": _percentile(single, 0.95) * 1000,
        "push20_rate": batch_rate,
        "push20_p95": _percentile(batched, 0.95) * 1000,
    }


def bench_size(
    label: str, backends: Sequence[str], server: PgServer | None
) -> dict[str, dict[str, float | None]]:
    """Every figure for one store size, a column per backend ("1k sqlite", …)."""
    source, _ = demo_store(label)
    columns: dict[str, dict[str, float | None]] = {}
    for backend in backends:
        with contextlib.ExitStack() as stack:
            workdir = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-sync-{label}-"))
            )
            pg_url = None
            if backend == "postgresql":
                assert server is not None
                pg_url = stack.enter_context(server.database(f"sync_{label}"))
            columns[f"{label} {backend}"] = bench_hub(source, backend, workdir, pg_url)
    return columns


def metrics() -> list[Metric]:
    """The table's rows."""
    return [
        Metric("copy_s", "copy of the demo store to PostgreSQL (s)", 1),
        Metric("copy_rate", "copy of the demo store to PostgreSQL (rows/s)", 0),
        Metric("backfill", "hub backfill of the change feed (s) (PostgreSQL: + the copy)", 1),
        Metric("feed_rows", "feed rows (tickets, messages, tags, audit, clocks …)", 0),
        Metric("first_sync_s", "first sync of a new workstation (s)", 1),
        Metric("first_sync_rate", "first sync (rows/s)", 0, target=">= 20,000"),
        Metric("inbound_p50", "inbound email → visible on a workstation p50 (ms)", 0),
        Metric(
            "inbound_p95", "inbound email → visible on a workstation p95 (ms)", 0, target="< 1000"
        ),
        Metric("inbound_max", "inbound email → visible on a workstation max (ms)", 0),
        Metric("push1_rate", f"{CLIENTS} clients, 1 mutation/request (mutations/s)", 0),
        Metric("push1_p50", f"{CLIENTS} clients, 1 mutation/request: latency p50 (ms)", 0),
        Metric("push1_p95", f"{CLIENTS} clients, 1 mutation/request: latency p95 (ms)", 0),
        Metric("push20_rate", f"{CLIENTS} clients, 20 mutations/request (mutations/s)", 0),
        Metric("push20_p95", f"{CLIENTS} clients, 20 mutations/request: latency p95 (ms)", 0),
    ]


def _pg_server(url: str | None, asked: bool) -> PgServer | None:
    """The PostgreSQL server to bench on; None (with a note) when only defaulted to and absent."""
    if url is None and not have_server_binaries() and not asked:
        print("bench.sync: no PostgreSQL server binaries: sqlite only", file=sys.stderr)
        return None
    try:
        return open_server(url)
    except (OSError, RuntimeError, psycopg.Error) as error:
        raise SystemExit(f"bench.sync: no PostgreSQL server: {error}") from error


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each store size on each backend and print the table."""
    parser = argparse.ArgumentParser(description="agentdesk hub and sync benchmark")
    parser.add_argument("--sizes", nargs="+", default=["1k", "100k"], choices=list(SIZES))
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, help="default: both")
    parser.add_argument(
        "--pg-url",
        help="an empty PostgreSQL database to bench in (default: a throwaway local cluster)",
    )
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    backends: list[str] = args.backends or list(BACKENDS)
    server = None
    if "postgresql" in backends:
        server = _pg_server(args.pg_url, asked=args.backends is not None)
        if server is None:
            backends.remove("postgresql")
    try:
        results: dict[str, dict[str, float | None]] = {}
        for label in args.sizes:
            results |= bench_size(label, backends, server)
    finally:
        if server is not None:
            server.close()
    render = render_markdown if args.markdown else render_text
    title = "agentdesk hub and sync (bench/sync.py): a real hub subprocess on 127.0.0.1"
    if server is not None:
        title += f"; {server.description}"
    shown = metrics() if server is not None else metrics()[2:]
    print(render(results, shown, title=title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
