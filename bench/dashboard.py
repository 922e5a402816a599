"""Dashboard and report figures: first numbers, every panel, a refresh, `agentdesk report`.

Run from the repository root (``make bench`` runs every bench)::

    python -m bench.dashboard --sizes 1k 100k 1M

Each store size is a column. The dashboard is timed as a lead opens it, in a real
pseudo-terminal (``bench/terminal.py``) from process start: "first numbers" when the live
backlog is painted, "every panel" when all eight 14-day metrics show a value; then j/k
(a scroll repaints the screen) idle, and again right after ``r``, while every panel is
counted again. "Refresh" recomputes every panel
in-process (what ``r`` and the one-minute timer run, in thread workers). The report is
``agentdesk report --since 30d`` as a subprocess, wall time. The queue's first rows for a
tier-1 agent, measured the same way, are the yardstick (the machine may be shared). Stores come from
``bench/.data`` (see ``bench/data.py``), or ``--data DIR`` holding ``demo-<size>-s7.db``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from agentdesk import reports
from agentdesk.domain.metrics import DAY_MS, HOUR_MS, local_midnight
from agentdesk.domain.spikes import detect_spikes
from agentdesk.domain.timefmt import now_ms
from bench.data import SIZES, demo_store
from bench.report import Metric, render_markdown, render_text
from bench.terminal import TerminalSession, measure_keys, summarize
from bench.tui import READY, app_command, compile_sources
from screens.dashboard import BASELINE_HOURS, TREND_DAYS, TRENDS
from storage.database import Database
from storage.metrics import Buckets, hourly_volume

LEAD = "lee@support.example.com"
SIZE = (80, 24)
FIRST_NUMBERS = re.compile(r"Backlog now: [\d,]+ unsolved")
#: A metric line with its value painted: the label, its column's padding, then no "…".
PAINTED = [re.compile(rf"^\s*{label}\s{{2,}}[^…\s]") for _, label in TRENDS]


def store_for(label: str, data: Path | None) -> Path:
    """The demo store of ``label``: from ``data`` if given, else bench/.data (made if missing)."""
    if data is None:
        return demo_store(label)[0]
    path = data / f"demo-{label}-s7.db"
    if not path.exists():
        raise SystemExit(f"bench.dashboard: no store {path}")
    return path


def _first_numbers(lines: list[str]) -> bool:
    return any(FIRST_NUMBERS.search(line) for line in lines)


def _every_panel(lines: list[str]) -> bool:
    return all(any(p.search(line) for line in lines) for p in PAINTED)


def open_dashboard(store: Path, presses: int) -> dict[str, float | None]:
    """One cold start as a lead: first numbers, every panel; then ``r`` (every panel counted
    again in workers) and j/k pressed at once, while the counting goes on."""
    with TerminalSession(timeout=60) as term:
        term.spawn([sys.executable, "-m", "agentdesk", "--db", str(store), "--as", LEAD], SIZE)
        first = term.wait_until(_first_numbers)
        every = term.wait_until(_every_panel)
        term.settle(quiet=0.3)
        idle = summarize(measure_keys(term, [b"j", b"k"] * (presses // 2), gap=0.02))
        term.settle(quiet=0.3)
        term.press(b"r")
        busy = summarize(measure_keys(term, [b"j", b"k"] * (presses // 2), gap=0.02))
        term.quit()
    return {
        "first_s": first,
        "every_s": every,
        "keys_idle_p95_ms": idle.p95_ms,
        "keys_p95_ms": busy.p95_ms,
        "silent_keys": float(idle.no_output + busy.no_output),
    }


def queue_first_rows(store: Path) -> float:
    """The same machine's yardstick: a tier-1 agent's first queue rows (``bench/tui.py``)."""
    with TerminalSession(timeout=60) as term:
        term.spawn(app_command(store), SIZE)
        first = term.wait_until(READY)
        term.quit()
    return first


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def refresh(store: Path) -> dict[str, float | None]:
    """Every panel recomputed as the dashboard's workers do it, in seconds."""
    db = Database.open(store)
    try:
        now = now_ms()
        days = Buckets(now, DAY_MS, TREND_DAYS)
        hours = Buckets(now, HOUR_MS, BASELINE_HOURS + 1)
        today = Buckets(now, max(1, now - local_midnight(now)))
        with db.read() as conn:
            figures: dict[str, float | None] = {"live_s": _timed(lambda: reports.live(conn, now))}
            figures["spikes_s"] = _timed(lambda: detect_spikes(hourly_volume(conn, hours)))
            figures["trends_s"] = _timed(
                lambda: (
                    reports.frt(conn, days),
                    reports.sla(conn, days, now),
                    reports.sla(conn, today, now),
                    reports.solved(conn, days),
                    reports.survey(conn, days, "csat"),
                    reports.survey(conn, days, "nps"),
                    reports.volume(conn, days),
                )
            )
    finally:
        db.close()
    figures["refresh_s"] = sum(v for v in figures.values() if v is not None)
    return figures


def report_seconds(store: Path, runs: int) -> float:
    """Median wall time of `agentdesk report --since 30d` (JSON, so no table layout)."""
    argv = [sys.executable, "-m", "agentdesk", "report", "--db", str(store), "--since", "30d"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*argv, "--format", "json"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


METRICS: Sequence[Metric] = (
    Metric("queue_s", "queue, tier 1: first rows (s) 80x24", digits=2),
    Metric("first_s", "dashboard: first numbers (s) 80x24", digits=2, target="< 1.0"),
    Metric("every_s", "dashboard: every panel (s) 80x24", digits=2),
    Metric("keys_idle_p95_ms", "j/k (scroll) key→frame p95, idle (ms)"),
    Metric("keys_p95_ms", "j/k (scroll) key→frame p95, refreshing (ms)"),
    Metric("silent_keys", "keys with no frame", digits=0, target="0"),
    Metric("live_s", "refresh: live backlog + workload + breaching (s)", digits=3),
    Metric("spikes_s", "refresh: hourly volume + spikes (s)", digits=3),
    Metric("trends_s", "refresh: 14-day trends + SLA today (s)", digits=3),
    Metric("refresh_s", "refresh: every panel (s)", digits=3),
    Metric("report_s", "agentdesk report --since 30d (s)", digits=2, target="< 3"),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each store size and print the table."""
    parser = argparse.ArgumentParser(description="agentdesk dashboard and report benchmark")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--starts", type=int, default=3, help="cold starts per size (median)")
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--reports", type=int, default=3, help="report runs per size (median)")
    parser.add_argument("--data", type=Path, help="directory of demo-<size>-s7.db stores")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    compile_sources()

    results: dict[str, dict[str, float | None]] = {}
    for label in args.sizes:
        store = store_for(label, args.data)
        starts = [open_dashboard(store, args.presses) for _ in range(args.starts)]
        column: dict[str, float | None] = {
            key: statistics.median(s[key] or 0.0 for s in starts) for key in starts[0]
        }
        column["silent_keys"] = max(s["silent_keys"] or 0.0 for s in starts)
        column["queue_s"] = statistics.median(queue_first_rows(store) for _ in range(args.starts))
        column.update(refresh(store))
        column["report_s"] = report_seconds(store, args.reports)
        results[label] = column
    render = render_markdown if args.markdown else render_text
    print(render(results, METRICS, title="agentdesk dashboard and report (bench/dashboard.py)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
