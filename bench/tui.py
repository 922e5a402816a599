"""TUI figures in a real pseudo-terminal: first painted rows, key-to-frame latency, peak RSS.

Run from the repository root (``make bench`` runs every bench)::

    python -m bench.tui --sizes 1k 100k 1M --terminals 80x24 160x50

Each store size is a column. "first rows" is the median of several cold starts of
``python -m agentdesk --db STORE`` until at least ten ticket rows are on screen.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.data import SIZES, demo_store
from bench.report import Metric, render_markdown, render_text
from bench.terminal import (
    LatencyStats,
    Size,
    TerminalSession,
    measure_keys,
    rows_matching,
    summarize,
)

READY = rows_matching(r"^\s*\S?\s+#\d{4,} ", 10)
PAGE_DOWN = b"\x1b[6~"
PAGE_UP = b"\x1b[5~"
#: Typed one key at a time into the search line: common words of the demo corpus.
SEARCH_TYPED = b"account access billing refund"


def parse_terminal(text: str) -> Size:
    """'80x24' -> (80, 24)."""
    cols, _, lines = text.partition("x")
    return int(cols), int(lines)


def app_command(store: Path) -> list[str]:
    """The TUI as a person starts it (the console script is a thin wrapper of this)."""
    return [sys.executable, "-m", "agentdesk", "--db", str(store)]


def compile_sources() -> None:
    """Measure a normal install: our modules' bytecode exists (as `make run` leaves it)."""
    root = Path(__file__).resolve().parent.parent
    for package in ("agentdesk", "storage", "widgets", "screens"):
        compileall.compile_dir(root / package, quiet=1)


def first_rows(store: Path, size: Size, runs: int) -> float:
    """Median seconds from process start to ten painted rows, over ``runs`` cold starts."""
    times = []
    for _ in range(runs):
        with TerminalSession() as term:
            term.spawn(app_command(store), size)
            times.append(term.wait_until(READY))
            term.quit()
    return statistics.median(times)


def interactive(store: Path, size: Size, presses: int) -> dict[str, float | None]:
    """Key latencies for j/k and PageDown/PageUp, the jump to the last row (G), peak RSS."""
    with TerminalSession(timeout=5) as term:
        term.spawn(app_command(store), size)
        term.wait_until(READY)
        term.settle(quiet=0.3)
        steps = summarize(measure_keys(term, [b"j", b"k"] * (presses // 2)))
        pages = summarize(measure_keys(term, [PAGE_DOWN, PAGE_UP] * 20))
        bottom = measure_keys(term, [b"G"])[0]
        typing = _typing_during_searches(term)
        rss = term.peak_rss_kib()
        term.quit()
    return {
        "key_p50_ms": steps.p50_ms,
        "key_p95_ms": steps.p95_ms,
        "key_max_ms": steps.max_ms,
        "page_p50_ms": pages.p50_ms,
        "page_p95_ms": pages.p95_ms,
        "bottom_ms": None if bottom.frame_s is None else bottom.frame_s * 1000,
        "typing_p50_ms": typing.p50_ms,
        "typing_p95_ms": typing.p95_ms,
        "silent_keys": float(steps.no_output + pages.no_output + typing.no_output),
        "rss_kib": float(rss),
    }


def _typing_during_searches(term: TerminalSession) -> LatencyStats:
    """Type a query slowly: each pause passes the debounce, so a search runs in a worker
    while the next key is pressed; the key must still echo at once."""
    term.press(b"/")
    term.settle(quiet=0.2)
    timings = []
    for char in SEARCH_TYPED:
        timings.append(term.press(bytes([char])))
        time.sleep(0.2)
    term.press(b"\x1b")
    term.settle(quiet=0.3)
    return summarize(timings)


def metrics_for(tag: str) -> list[Metric]:
    """The table rows for one terminal size."""
    return [
        Metric(f"first_rows_s {tag}", f"first rows (s) {tag}", digits=2, target="< 0.6"),
        Metric(f"key_p50_ms {tag}", f"j/k key→frame p50 (ms) {tag}"),
        Metric(f"key_p95_ms {tag}", f"j/k key→frame p95 (ms) {tag}", target="< 16"),
        Metric(f"key_max_ms {tag}", f"j/k key→frame max (ms) {tag}"),
        Metric(f"page_p50_ms {tag}", f"PgDn/PgUp key→frame p50 (ms) {tag}"),
        Metric(f"page_p95_ms {tag}", f"PgDn/PgUp key→frame p95 (ms) {tag}"),
        Metric(f"bottom_ms {tag}", f"G (to last row) key→frame (ms) {tag}"),
        Metric(f"typing_p50_ms {tag}", f"typing while searches run p50 (ms) {tag}"),
        Metric(f"typing_p95_ms {tag}", f"typing while searches run p95 (ms) {tag}"),
        Metric(f"silent_keys {tag}", f"keys with no frame {tag}", digits=0, target="0"),
        Metric(f"rss_kib {tag}", f"peak RSS (MB) {tag}", scale=1 / 1024, target="< 150"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each store size at each terminal size and print the table."""
    parser = argparse.ArgumentParser(description="agentdesk TUI benchmark")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--terminals", nargs="+", type=parse_terminal, default=[(80, 24)])
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5, help="cold starts per first-rows figure")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    compile_sources()

    results: dict[str, dict[str, float | None]] = {}
    metrics = [Metric("generate_s", "demo generation (s)", digits=1)]
    for cols, lines in args.terminals:
        metrics += metrics_for(f"{cols}x{lines}")
    for label in args.sizes:
        store, generated = demo_store(label)
        column = results.setdefault(label, {"generate_s": generated})
        for size in args.terminals:
            tag = f"{size[0]}x{size[1]}"
            column[f"first_rows_s {tag}"] = first_rows(store, size, args.starts)
            figures = interactive(store, size, args.presses)
            column.update({f"{key} {tag}": value for key, value in figures.items()})
    render = render_markdown if args.markdown else render_text
    print(render(results, metrics, title="agentdesk TUI (bench/tui.py)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
