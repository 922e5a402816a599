"""SLA clock throughput in-process: can the queue's due times be recomputed for 1M tickets?

Run from the repository root::

    python -m bench.sla_clock [--calls 200000]

Columns are calendars: the demo's Berlin office hours (Mon-Fri 09:00-17:00, holidays)
and around the clock. Rows: ``add_business_minutes`` on multi-day targets (8 h to 7
days of business time, random starts over two years) with a warm day cache, the same
on a fresh calendar (the first call of each, cold), and ``sla_clocks`` for a ticket
with a few messages and a pause (what a recompute pays per ticket). The last row is
the single-core time a 1M-ticket recompute would spend in the clocks alone.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence

from agentdesk.demo.sla import calendar_json
from agentdesk.domain.business_hours import MINUTE_MS, Calendar, parse_calendar
from agentdesk.domain.sla import Policy, Timeline, load_policy, sla_clocks
from bench.report import Metric, render_markdown, render_text

_NOW = 1_795_000_000_000  # late 2026
_YEAR_MS = 365 * 24 * 60 * MINUTE_MS
#: Business-time targets: a working day up to the demo's longest (7 days).
_TARGETS = (480, 960, 1440, 2880, 4320, 10_080)


def _rate(calls: int, fn: Callable[[int], object]) -> float:
    started = time.perf_counter()
    for i in range(calls):
        fn(i)
    return calls / (time.perf_counter() - started)


def _policy(calendar: str) -> Policy:
    return load_policy(
        id="bench",
        name="bench",
        priority=None,
        plan=None,
        first_response_minutes=480,
        next_response_minutes=960,
        resolution_minutes=4320,
        calendar=calendar,
    )


def _timelines(rng: random.Random, count: int) -> list[tuple[Timeline, int]]:
    """Tickets of the last two years: replies, a customer follow-up, a pause, maybe solved."""
    out = []
    for _ in range(count):
        created = _NOW - rng.randrange(2 * _YEAR_MS)
        hour = 60 * MINUTE_MS
        reply, follow_up = created + rng.randrange(1, 48) * hour, created + 50 * hour
        statuses = [(reply, "pending"), (follow_up, "open")]
        if rng.random() < 0.7:
            statuses.append((follow_up + rng.randrange(1, 96) * hour, "solved"))
        line = Timeline(
            created_at=created,
            statuses=tuple(statuses),
            customer_messages=(created, follow_up),
            public_replies=(reply, follow_up + 2 * hour),
        )
        out.append((line, max(created + 200 * hour, _NOW)))
    return out


def bench_calendar(raw: str, calls: int) -> dict[str, float | None]:
    """Every figure for one calendar."""
    rng = random.Random(7)
    starts = [_NOW - rng.randrange(2 * _YEAR_MS) for _ in range(calls)]
    minutes = [rng.choice(_TARGETS) * MINUTE_MS for _ in range(calls)]
    warm = parse_calendar(raw)
    _rate(calls, lambda i: warm.add(starts[i], minutes[i]))  # fill the day cache
    add_warm = _rate(calls, lambda i: warm.add(starts[i], minutes[i]))
    cold_calls = max(1, calls // 100)
    fresh: list[Calendar] = [parse_calendar(raw) for _ in range(cold_calls)]
    add_cold = _rate(cold_calls, lambda i: fresh[i].add(starts[i], minutes[i]))
    policy = _policy(raw)
    tickets = _timelines(rng, max(1, calls // 10))
    _rate(len(tickets), lambda i: sla_clocks(policy, *tickets[i]))
    clocks = _rate(len(tickets), lambda i: sla_clocks(policy, *tickets[i]))
    return {
        "add_warm": add_warm,
        "add_cold": add_cold,
        "clocks": clocks,
        "recompute_1m": 1_000_000 / clocks,
    }


def metrics() -> list[Metric]:
    """Rows of the table."""
    return [
        Metric("add_warm", "add_business_minutes, multi-day, warm (calls/s)", 0),
        Metric("add_cold", "add_business_minutes, fresh calendar (calls/s)", 0),
        Metric("clocks", "sla_clocks per ticket (tickets/s)", 0),
        Metric("recompute_1m", "1M tickets, clocks only, one core (s)", 1),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure both calendars and print the table."""
    parser = argparse.ArgumentParser(description="agentdesk SLA clock benchmark")
    parser.add_argument("--calls", type=int, default=200_000, help="calls per warm figure")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    results = {
        "office hours": bench_calendar(calendar_json(True, _NOW), args.calls),
        "24x7": bench_calendar(calendar_json(False, _NOW), args.calls),
    }
    render = render_markdown if args.markdown else render_text
    print(render(results, metrics(), title="agentdesk SLA clocks (bench/sla_clock.py)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
