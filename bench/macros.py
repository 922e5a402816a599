"""Canned-response figures: suggestion time and quality per store size, and the picker with
2,000 macros driven through the real TUI in a pseudo-terminal (``bench/terminal.py``).

Run from the repository root (``make bench`` runs every bench)::

    python -m bench.macros --sizes 1k 100k 1M

Suggestions are timed in process on the demo stores (the Desk's ``suggest_macros``:
the ticket's text, its used macros and the BM25 ranking). Quality is measured on past
tickets whose macro is known and which are no longer in that macro's profile (its
latest tickets), so a hit is not a memory of the same ticket. The picker runs on a copy
of the 1k store with 2,000 more macros: ``c`` until the list is painted, a query typed
one key at a time, and ↓ through the list.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from agentdesk.desk import Desk
from agentdesk.domain.macro_search import suggestion_terms
from bench.data import DATA_DIR, SIZES, demo_store
from bench.report import Metric, render_markdown, render_text
from bench.terminal import (
    Ready,
    TerminalSession,
    measure_keys,
    percentile,
    rows_matching,
    summarize,
)
from bench.tui import READY, app_command, compile_sources
from storage import macros as store
from storage.agents import agent_by_email
from storage.database import Database

AGENT: Final = "ana@support.example.com"
PICKER_MACROS: Final = 2000
#: Typed into the picker one key at a time (a typo included, as people type).
TYPED: Final = b"refnd card"
PICKER_ROWS: Final = rows_matching(r"(shared|personal) · [\d,]+ uses?", 3)
STATUS_ROWS: Final = rows_matching(r"Set status of #\d+", 1)


# --------------------------------------------------------------------------- suggestions


def _ms(seconds: float) -> float:
    return seconds * 1000


def suggestion_times(db: Database, reps: int) -> dict[str, float | None]:
    """p50/p95/max of ``suggest_macros`` over ``reps`` tickets: half recent, half any age."""
    with db.read() as conn:
        agent = agent_by_email(conn, AGENT)
        low, high = conn.execute("SELECT min(number), max(number) FROM ticket").fetchone()
    assert agent is not None
    desk = Desk(db, agent)
    rng = random.Random(7)
    recent = max(low, high - 2000)
    numbers = [rng.randint(recent, high) for _ in range(reps // 2)]
    numbers += [rng.randint(low, high) for _ in range(reps - len(numbers))]
    started = time.perf_counter()
    desk.suggest_macros(f"#{numbers[0]}")
    first = time.perf_counter() - started
    times = []
    for number in numbers:
        started = time.perf_counter()
        desk.suggest_macros(f"#{number}")
        times.append(_ms(time.perf_counter() - started))
    return {
        "suggest_first_ms": _ms(first),
        "suggest_p50_ms": percentile(times, 50),
        "suggest_p95_ms": percentile(times, 95),
        "suggest_max_ms": max(times),
    }


def suggestion_quality(db: Database, samples: int) -> dict[str, float | None]:
    """Share of past macro uses whose macro ranks first / in the top 3 (held out of profiles).

    The query is what the agent saw then: the subject, the first customer message and
    the customer's last message before the macro's reply.
    """
    with db.read() as conn:
        agent = agent_by_email(conn, AGENT)
        assert agent is not None
        uses = conn.execute(
            """
            SELECT u.macro_id, t.subject,
                   (SELECT body FROM message WHERE ticket_id = u.ticket_id AND kind = 'customer'
                    ORDER BY created_at LIMIT 1),
                   (SELECT body FROM message WHERE ticket_id = u.ticket_id AND kind = 'customer'
                    AND created_at <= u.at ORDER BY created_at DESC LIMIT 1)
            FROM (SELECT * FROM macro_use ORDER BY random() LIMIT ?) AS u
            JOIN ticket AS t ON t.id = u.ticket_id
            WHERE u.seq NOT IN (
                SELECT seq FROM (SELECT seq, row_number() OVER (
                    PARTITION BY macro_id ORDER BY at DESC) AS n FROM macro_use) WHERE n <= ?)
            """,
            (samples * 2, store.PROFILE_TICKETS),
        ).fetchall()[:samples]
        if not uses:
            return {"top1": None, "top3": None, "samples": 0.0}
        top1 = top3 = 0
        for macro_id, subject, first, last in uses:
            terms = suggestion_terms((subject, first or "", last or ""))
            ranked = [m for m, _ in store.rank_macros(conn, terms, agent_id=agent.id, limit=3)]
            top1 += ranked[:1] == [macro_id]
            top3 += macro_id in ranked
    return {"top1": 100 * top1 / len(uses), "top3": 100 * top3 / len(uses), "samples": len(uses)}


# --------------------------------------------------------------------------- the picker


def picker_store(count: int) -> Path:
    """A copy of the 1k demo store with ``count`` more shared macros (made once, reused)."""
    path = DATA_DIR / f"macros-1k-{count}.db"
    if path.exists():
        return path
    source, _ = demo_store("1k")
    scratch = path.with_suffix(".tmp")
    shutil.copyfile(source, scratch)
    db = Database.open(scratch)
    try:
        _add_macros(db, count)
    finally:
        db.close()
    scratch.replace(path)
    return path


def _add_macros(db: Database, count: int) -> None:
    """Macros made from the store's own ticket words, so filtering has real text to sift."""
    rng = random.Random(11)
    with db.read() as conn:
        starters = conn.execute("SELECT title, body, actions FROM macro").fetchall()
        subjects = [s for (s,) in conn.execute("SELECT subject FROM ticket LIMIT 2000")]
    with db.transaction() as conn:
        for n in range(count):
            title, body, actions = starters[n % len(starters)]
            subject = rng.choice(subjects).replace("{", "(").replace("}", ")")
            store.insert_macro(
                conn,
                macro_id=f"BENCH{n:021d}",
                title=f"{title} · {subject[:40]}",
                body=f"{body}\n\nAbout: {subject}",
                actions=actions,
                owner_id=None,
                at=n,
            )


def _open_times(term: TerminalSession, key: bytes, ready: Ready, opens: int) -> list[float]:
    """Milliseconds from ``key`` to the modal's content on screen, ``opens`` times (then esc)."""
    times = []
    for _ in range(opens):
        term.settle(quiet=0.2)
        sent = term.elapsed()
        term.press(key)
        times.append(_ms(term.wait_until(ready) - sent))
        term.press(b"\x1b")
    return times


def picker_figures(path: Path, opens: int) -> dict[str, float | None]:
    """Open the picker ``opens`` times, type a query, move through the list; all in a pty.

    The status picker (``s``, six rows) is opened the same way, as the floor a modal costs.
    """
    with TerminalSession(timeout=20) as term:
        term.spawn(app_command(path), (80, 24))
        term.wait_until(READY)
        term.settle(quiet=0.3)
        status_times = _open_times(term, b"s", STATUS_ROWS, opens)
        open_times = _open_times(term, b"c", PICKER_ROWS, opens)
        term.settle(quiet=0.2)
        term.press(b"c")
        term.wait_until(PICKER_ROWS)
        term.settle(quiet=0.3)
        typing = summarize(measure_keys(term, [bytes([c]) for c in TYPED], gap=0.1))
        term.press(b"\x15")  # ctrl+u: clear the query, all macros again
        term.settle(quiet=0.3)
        moves = summarize(measure_keys(term, [b"\x1b[B"] * 40))
        term.press(b"\x1b")
        term.quit()
    return {
        "status_p50_ms": statistics.median(status_times),
        "open_p50_ms": statistics.median(open_times),
        "open_p95_ms": percentile(open_times, 95),
        "filter_p50_ms": typing.p50_ms,
        "filter_p95_ms": typing.p95_ms,
        "move_p50_ms": moves.p50_ms,
        "move_p95_ms": moves.p95_ms,
        "silent_keys": float(typing.no_output + moves.no_output),
    }


SUGGESTION_METRICS: Final = [
    Metric("macros", "macros in the store", digits=0),
    Metric("suggest_first_ms", "suggestions, first call (ms)"),
    Metric("suggest_p50_ms", "suggestions p50 (ms)"),
    Metric("suggest_p95_ms", "suggestions p95 (ms)", target="< 100"),
    Metric("suggest_max_ms", "suggestions max (ms)"),
    Metric("top1", "right macro first (% of held-out uses)"),
    Metric("top3", "right macro in the top 3 (%)"),
    Metric("samples", "held-out uses measured", digits=0),
]
PICKER_METRICS: Final = [
    Metric("status_p50_ms", "for scale: s → status picker painted p50 (ms)"),
    Metric("open_p50_ms", "c → list painted p50 (ms)"),
    Metric("open_p95_ms", "c → list painted p95 (ms)"),
    Metric("filter_p50_ms", "typing a query: key→frame p50 (ms)"),
    Metric("filter_p95_ms", "typing a query: key→frame p95 (ms)"),
    Metric("move_p50_ms", "↓ in the list: key→frame p50 (ms)"),
    Metric("move_p95_ms", "↓ in the list: key→frame p95 (ms)"),
    Metric("silent_keys", "keys with no frame", digits=0, target="0"),
]


def _store_figures(path: Path, reps: int, samples: int) -> dict[str, float | None]:
    db = Database.open(path)
    try:
        with db.read() as conn:
            macros = float(conn.execute("SELECT count(*) FROM macro").fetchone()[0])
        return {"macros": macros, **suggestion_times(db, reps), **suggestion_quality(db, samples)}
    finally:
        db.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Suggestions at each store size, then the picker with 2,000 macros; print the tables."""
    parser = argparse.ArgumentParser(description="agentdesk canned-response benchmark")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--reps", type=int, default=200, help="tickets timed per store")
    parser.add_argument("--samples", type=int, default=1000, help="past uses for quality")
    parser.add_argument("--opens", type=int, default=10, help="picker openings")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    compile_sources()
    render = render_markdown if args.markdown else render_text

    results: dict[str, dict[str, float | None]] = {}
    for label in args.sizes:
        path, _ = demo_store(label)
        results[label] = _store_figures(path, args.reps, args.samples)
    picker = picker_store(PICKER_MACROS)
    results[f"1k + {PICKER_MACROS:,} macros"] = _store_figures(picker, args.reps, args.samples)
    print(render(results, SUGGESTION_METRICS, title="agentdesk suggestions (bench/macros.py)"))
    figures = {f"{PICKER_MACROS:,} macros, 80x24": picker_figures(picker, args.opens)}
    print(render(figures, PICKER_METRICS, title="agentdesk macro picker (pty, bench/macros.py)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
