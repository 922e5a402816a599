"""SLA clocks in the store, in-process: the at-risk view, the SLA sort, and what keeping the
clocks current costs (per Desk write, and a bulk recompute).

Run from the repository root::

    python -m bench.sla_store --sizes 1k 100k 1M

Each store size is a column. The view and the sort are read as the queue reads them
(its first window of 64 rows, and the count); "per write" is the refresh the Desk adds
to a transaction that moves a ticket's clock (read its history, compute, write its
columns and clock rows); "recompute" is ``agentdesk sla recompute``'s batches. Writes
run in transactions that are rolled back, so the shared demo stores stay as they are.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial

from agentdesk.domain import timefmt
from agentdesk.domain.views import sla_at_risk_view
from agentdesk.ops.sla import RECOMPUTE_BATCH, refresh
from bench.data import SIZES, demo_store
from bench.report import Metric, render_markdown, render_text
from bench.terminal import percentile
from storage.agents import agent_by_email
from storage.database import Database
from storage.queue import QueueQuery, TicketFilter, count, fetch_window

WINDOW = 64
#: Tickets a recompute figure is measured over (the rate holds for more).
RECOMPUTE_SAMPLE = 20_000


def _times(run: Callable[[], object], reps: int) -> list[float]:
    """Milliseconds of each of ``reps`` calls."""
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _rolled_back(conn: sqlite3.Connection, run: Callable[[], object]) -> float:
    """Seconds ``run`` takes inside a write transaction that is then rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started
    finally:
        conn.execute("ROLLBACK")


def bench_store(label: str, reps: int) -> dict[str, float | None]:
    """Every figure of one store size."""
    path, _ = demo_store(label)
    db = Database.open(path)
    try:
        with db.read() as conn:
            return _measure(conn, reps)
    finally:
        db.close()


def _measure(conn: sqlite3.Connection, reps: int) -> dict[str, float | None]:
    ana = agent_by_email(conn, "ana@support.example.com")
    assert ana is not None
    figures: dict[str, float | None] = {}
    at_risk = sla_at_risk_view().query(ana)
    by_sla = QueueQuery(TicketFilter(unsolved=True, tier=1), "sla", descending=False)
    for key, query in (("risk", at_risk), ("sort", by_sla)):
        window = _times(partial(fetch_window, conn, query, 0, WINDOW), reps)
        counts = _times(partial(count, conn, query), reps)
        figures |= {
            f"{key}_window_p50": statistics.median(window),
            f"{key}_window_p95": percentile(window, 95),
            f"{key}_count_p50": statistics.median(counts),
            f"{key}_count_p95": percentile(counts, 95),
        }
    figures["risk_rows"] = count(conn, at_risk)
    unsolved = [row[0] for row in conn.execute("SELECT id FROM ticket WHERE unsolved = 1")]
    sample = random.Random(7).sample(unsolved, min(reps, len(unsolved)))
    now = timefmt.now_ms()
    # Each policy's calendar builds its days on first use, once per process: warm them.
    _rolled_back(conn, partial(refresh, conn, unsolved[:RECOMPUTE_BATCH], now))
    writes = [_rolled_back(conn, partial(refresh, conn, [t], now)) * 1000 for t in sample]
    figures["write_p50"] = statistics.median(writes)
    figures["write_p95"] = percentile(writes, 95)
    batch = unsolved[:RECOMPUTE_SAMPLE]
    every = [r[0] for r in conn.execute("SELECT id FROM ticket LIMIT ?", (RECOMPUTE_SAMPLE,))]
    for key, ids in (("unsolved", batch), ("all", every)):
        seconds = 0.0
        for start in range(0, len(ids), RECOMPUTE_BATCH):
            chunk = ids[start : start + RECOMPUTE_BATCH]
            seconds += _rolled_back(conn, partial(refresh, conn, chunk, now))
        figures[f"recompute_{key}"] = len(ids) / seconds if seconds else None
    figures["unsolved"] = len(unsolved)
    return figures


def metrics() -> list[Metric]:
    """The table's rows."""
    return [
        Metric("risk_rows", "SLA at risk: tickets (breached or due within 60m)", 0),
        Metric("risk_window_p50", "SLA at risk: first window p50 (ms)"),
        Metric("risk_window_p95", "SLA at risk: first window p95 (ms)", target="< 50"),
        Metric("risk_count_p50", "SLA at risk: count p50 (ms)"),
        Metric("risk_count_p95", "SLA at risk: count p95 (ms)", target="< 50"),
        Metric("sort_window_p95", "tier 1 unsolved by SLA: first window p95 (ms)", target="< 50"),
        Metric("sort_count_p95", "tier 1 unsolved by SLA: count p95 (ms)"),
        Metric("write_p50", "per Desk write that moves a clock: p50 (ms)", 2),
        Metric("write_p95", "per Desk write that moves a clock: p95 (ms)", 2),
        Metric("unsolved", "unsolved tickets", 0),
        Metric("recompute_unsolved", "recompute, unsolved tickets (tickets/s)", 0),
        Metric("recompute_all", "recompute --all (tickets/s)", 0),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each store size and print the table."""
    parser = argparse.ArgumentParser(description="agentdesk SLA-in-the-store benchmark")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--reps", type=int, default=40, help="repetitions per figure")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    results = {label: bench_store(label, args.reps) for label in args.sizes}
    render = render_markdown if args.markdown else render_text
    title = f"agentdesk SLA in the store (bench/sla_store.py): {args.reps} repetitions"
    print(render(results, metrics(), title=title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
