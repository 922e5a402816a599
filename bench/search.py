"""Search latency in-process: the first window of 64 rows and the count, at several sizes.

Run from the repository root (``make bench`` runs every bench)::

    python -m bench.search --sizes 1k 100k 1M

Each store size is a column; each kind of query is a few rows of figures. Every
repetition is a new search with other values: statuses, priorities and tags vary,
and the words come from each store's own vocabulary ("common": in 2-15% of the
messages, "rare": in at most a few dozen). A connection keeps the ticket sets of
recent words (``storage.search.matching_set``), so each search first forgets them:
the figures are what a person typing a new query waits for. "search" is the TUI's
order, the count then the first window, on one connection.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agentdesk.domain.query import compile_query
from bench.data import SIZES, demo_store
from bench.report import Metric, render_markdown, render_text
from bench.terminal import percentile
from storage.agents import AgentRow, agent_by_email, get_setting, list_agents
from storage.database import Database
from storage.queue import PRIORITIES, QueueQuery, count, fetch_window
from storage.search import forget_sets

WINDOW = 64
UNSOLVED = ("new", "open", "pending", "on-hold")


#: (key, title, target p95 at 1M in ms) of each kind of query, in table order.
KINDS: tuple[tuple[str, str, int], ...] = (
    ("field", "field: status priority tag", 50),
    ("fields", "field: other fields", 50),
    ("common", "text: a common word", 150),
    ("rare", "text: a rare word", 150),
    ("two", "text: two common words", 150),
    ("mixed", "mixed: status + word", 150),
)

Maker = Callable[[random.Random], str]


def makers(conn: sqlite3.Connection) -> dict[str, Maker]:
    """How to make a query of each kind, with values taken from this store."""
    tags = _column(conn, "SELECT tag FROM ticket_tag GROUP BY tag ORDER BY count(*) DESC LIMIT 16")
    groups = [name.split()[0].lower() for name in _column(conn, "SELECT name FROM agent_group")]
    organizations = _column(
        conn,
        "SELECT organization FROM customer WHERE organization IS NOT NULL"
        " GROUP BY organization ORDER BY count(*) DESC LIMIT 12",
    )
    prefixes = [name.split()[0].lower() for name in organizations]
    common, rare = vocabulary(conn)

    def field(r: random.Random) -> str:
        return f"status:{r.choice(UNSOLVED)} priority:{r.choice(PRIORITIES)} tag:{r.choice(tags)}"

    def fields(r: random.Random) -> str:
        return r.choice(
            [
                f"assignee:me status:{r.choice(UNSOLVED)}",
                f"is:unassigned priority:{r.choice(PRIORITIES)}",
                f"requester:{r.choice(prefixes)}",
                f"tag:{r.choice(tags)} -tag:{r.choice(tags)} status:unsolved",
                f"channel:phone tier:{r.randint(1, 3)}",
                f"group:{r.choice(groups)} status:unsolved",
                f"created:<{r.randint(1, 7)}d",
                f"updated:<{r.randint(1, 12)}h priority:high,urgent",
                f"priority:{r.choice(PRIORITIES)} -status:closed",
            ]
        )

    def mixed(r: random.Random) -> str:
        if r.random() < 0.5:
            return f"status:{r.choice(UNSOLVED)} {r.choice(common)}"
        return f"is:unassigned {r.choice(rare)}"

    return {
        "field": field,
        "fields": fields,
        "common": lambda r: r.choice(common),
        "rare": lambda r: r.choice(rare),
        "two": lambda r: " ".join(r.sample(common, 2)),
        "mixed": mixed,
    }


def _column(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [str(value) for (value,) in conn.execute(sql)]


def vocabulary(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """Words of the message bodies: in 2-15% of the messages, and in 2-40 of them."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab"
        " USING fts5vocab(main, message_fts, row)"
    )
    messages = int(conn.execute("SELECT count(*) FROM message").fetchone()[0])
    rows = conn.execute("SELECT term, doc FROM temp.bench_vocab").fetchall()
    words = [(str(term), int(doc)) for term, doc in rows if len(str(term)) >= 4]
    common = [t for t, d in words if 0.02 * messages <= d <= 0.15 * messages and t.isalpha()]
    rare = [t for t, d in words if 2 <= d <= 40]
    rng = random.Random(11)
    return sorted(common), rng.sample(sorted(rare), min(len(rare), 400))


@dataclass(frozen=True)
class Timing:
    """One search: the first window and the count, each from scratch, and both in a row."""

    window_ms: float
    count_ms: float
    search_ms: float
    rows: int


def measure(conn: sqlite3.Connection, query: QueueQuery) -> Timing:
    """Time one query three ways, forgetting kept word sets before each."""

    def timed(call: Callable[[], object]) -> float:
        forget_sets(conn)
        started = time.perf_counter()
        call()
        return (time.perf_counter() - started) * 1000

    window_ms = timed(lambda: fetch_window(conn, query, 0, WINDOW))
    count_ms = timed(lambda: count(conn, query))
    search_ms = timed(lambda: (count(conn, query), fetch_window(conn, query, 0, WINDOW)))
    return Timing(window_ms, count_ms, search_ms, count(conn, query))


def bench_store(
    label: str, reps: int, warmup: int, slowest: int, mmap: int | None
) -> dict[str, float | None]:
    """Figures for one store size: p50/p95 of each kind of query (the slowest to stderr)."""
    store, _ = demo_store(label)
    db = Database.open(store)
    figures: dict[str, float | None] = {}
    try:
        with db.read() as conn:
            if mmap is not None:
                conn.execute(f"PRAGMA mmap_size = {int(mmap)}")
            agent = _agent(conn)
            started = time.perf_counter()
            make = makers(conn)
            figures["setup_s"] = time.perf_counter() - started
            for key, _, _ in KINDS:
                rng = random.Random(f"{key}-{label}")
                texts = [make[key](rng) for _ in range(warmup + reps)]
                timings = [measure(conn, compile_query(text, agent)) for text in texts]
                figures.update(_summary(key, timings[warmup:]))
                measured = list(zip(texts[warmup:], timings[warmup:], strict=True))
                measured.sort(key=lambda pair: -max(pair[1].window_ms, pair[1].count_ms))
                for text, t in measured[:slowest]:
                    print(
                        f"{label} {key}: window {t.window_ms:.1f} ms, count {t.count_ms:.1f} ms,"
                        f" {t.rows} rows: {text}",
                        file=sys.stderr,
                    )
    finally:
        db.close()
    return figures


def _agent(conn: sqlite3.Connection) -> AgentRow:
    email = get_setting(conn, "default_agent")
    agent = agent_by_email(conn, email) if email else None
    return agent if agent is not None else list_agents(conn)[0]


def _summary(key: str, timings: Sequence[Timing]) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for name in ("window", "count", "search"):
        values = [getattr(t, f"{name}_ms") for t in timings]
        result[f"{key} {name} p50"] = percentile(values, 50)
        result[f"{key} {name} p95"] = percentile(values, 95)
    result[f"{key} rows"] = percentile([float(t.rows) for t in timings], 50)
    return result


def metrics() -> list[Metric]:
    """Table rows: for each kind, the window and count percentiles and the full search."""
    rows = [Metric("setup_s", "setup: vocabulary scan (s)", digits=1)]
    for key, title, target in KINDS:
        rows += [
            Metric(f"{key} window p50", f"{title}: first window p50 (ms)"),
            Metric(f"{key} window p95", f"{title}: first window p95 (ms)", target=f"< {target}"),
            Metric(f"{key} count p50", f"{title}: count p50 (ms)"),
            Metric(f"{key} count p95", f"{title}: count p95 (ms)", target=f"< {target}"),
            Metric(f"{key} search p95", f"{title}: count + window p95 (ms)"),
            Metric(f"{key} rows", f"{title}: matches, median", digits=0),
        ]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each store size and print the table (targets are for 1M tickets)."""
    parser = argparse.ArgumentParser(description="agentdesk search benchmark")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--reps", type=int, default=40, help="searches per kind and size")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured searches first")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest of each")
    parser.add_argument(
        "--mmap", type=int, default=None, help="PRAGMA mmap_size to try (the app sets none)"
    )
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    results = {
        label: bench_store(label, args.reps, args.warmup, args.slowest, args.mmap)
        for label in args.sizes
    }
    render = render_markdown if args.markdown else render_text
    title = f"agentdesk search (bench/search.py): {args.reps} new searches per row, targets at 1M"
    if args.mmap is not None:
        title += f", mmap_size={args.mmap}"
    print(render(results, metrics(), title=title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
