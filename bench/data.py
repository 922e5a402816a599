"""Demo stores of several sizes for the benchmarks, generated once and reused."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

DATA_DIR: Final = Path(__file__).resolve().parent / ".data"
SIZES: Final = {"1k": 1_000, "100k": 100_000, "1M": 1_000_000}


def demo_store(label: str, seed: int = 7) -> tuple[Path, float | None]:
    """The demo store for ``label`` (a key of :data:`SIZES`), and its generation time.

    The time is None when the store already existed (it is reused, never regenerated).
    """
    path = DATA_DIR / f"demo-{label}-s{seed}.db"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Several benches may ask at once: one generates, the others wait for it.
    with (DATA_DIR / f"{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path, None
        return path, _generate(path, SIZES[label], seed)


def _generate(path: Path, tickets: int, seed: int) -> float:
    """Run `agentdesk demo` (which writes atomically) and time it."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "agentdesk",
            "demo",
            "--tickets",
            str(tickets),
            "--seed",
            str(seed),
            "--db",
            str(path),
            "--no-open",
            "--offline",
        ],
        check=True,
    )
    return time.perf_counter() - started
