"""Hub and sync figures: first sync, inbound → visible, mutations from 50 clients at once.

Run from the repository root (``make bench`` runs every bench)::

    python -m bench.sync --sizes 1k 100k

Each store size is a column. The hub is a real ``agentdesk hub`` subprocess on
127.0.0.1 serving a copy of the demo store of that size (``bench/.data``, see
``bench/data.py``), opened as a hub first (the backfill of its change feed is
timed too). Then, against it:

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
from pathlib import Path

import httpx

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
from bench.report import Metric, render_markdown, render_text
from storage.database import Database
from storage.hub import set_channel

CLIENTS = 50
INBOUND_MESSAGES = 60


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Hub:
    """A copy of a demo store opened as a hub, served by ``agentdesk hub`` in a subprocess."""

    def __init__(self, source: Path, workdir: Path) -> None:
        self.path = workdir / "hub.db"
        shutil.copyfile(source, self.path)
        started = time.perf_counter()
        db = open_hub(self.path)  # the first open as a hub backfills the change feed
        self.backfill_seconds = time.perf_counter() - started
        try:
            with db.transaction() as conn:
                self.email_secret = secrets.token_urlsafe(32)
                set_channel(conn, "email", secret=self.email_secret, outbound_url=None)
            with db.read() as conn:
                self.feed_rows = int(conn.execute("SELECT max(seq) FROM change").fetchone()[0])
                self.agents = [
                    (str(name), str(email), str(tier))
                    for name, email, tier in conn.execute(
                        "SELECT name, email, tier FROM agent WHERE active ORDER BY email"
                    )
                ]
        finally:
            db.close()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        argv = [sys.executable, "-m", "agentdesk", "hub", "--db", str(self.path)]
        self.child = Child.start("hub", [*argv, "--port", str(port)], workdir / "hub.log")
        self.child.wait_until(self._answers, timeout=60)

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/v1/me", timeout=1).status_code == 401
        except httpx.TransportError:
            return False

    def token(self, email: str, name: str, tier: str) -> str:
        """A new bearer token of an existing agent."""
        db = Database.open(self.path)
        try:
            return add_agent(db, name=name, email=email, tier=tier, label="bench").token
        finally:
            db.close()

    def stop(self) -> None:
        self.child.stop()


def first_sync(hub: Hub, replica: Path) -> tuple[Credentials, float]:
    """Log a tier-1 agent's new replica in and pull the whole feed; returns its seconds."""
    name, email, tier = next(agent for agent in hub.agents if agent[2] == "1")
    token = hub.token(email, name, tier)
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
    db = Database.open(hub.path)
    try:
        with db.read() as conn:
            tickets = [
                str(row[0])
                for row in conn.execute(
                    "SELECT id FROM ticket WHERE unsolved ORDER BY number DESC LIMIT 2000"
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


def bench_size(label: str) -> dict[str, float | None]:
    """Every figure for one store size."""
    source, _ = demo_store(label)
    with tempfile.TemporaryDirectory(prefix=f"bench-sync-{label}-") as tmp:
        workdir = Path(tmp)
        hub = Hub(source, workdir)
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


def metrics() -> list[Metric]:
    """The table's rows."""
    return [
        Metric("backfill", "hub backfill of the change feed (s)", 1),
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


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each store size and print the table."""
    parser = argparse.ArgumentParser(description="agentdesk hub and sync benchmark")
    parser.add_argument("--sizes", nargs="+", default=["1k", "100k"], choices=list(SIZES))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    results = {label: bench_size(label) for label in args.sizes}
    render = render_markdown if args.markdown else render_text
    title = "agentdesk hub and sync (bench/sync.py): a real hub subprocess on 127.0.0.1"
    print(render(results, metrics(), title=title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
