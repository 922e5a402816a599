"""A workstation's first sync before its TUI opens, with a progress line.

The sync engine itself does the work (``SyncEngine.run_once``); this only watches
the replica's cursor climb towards the hub's newest change, so the person waiting
sees how far it got.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agentdesk.sync.credentials import load
from agentdesk.sync.engine import SyncEngine, SyncStatus
from storage.database import Database
from storage.sync import get_cursor

#: How often the progress line is redrawn (seconds).
TICK = 0.2


def _cursor(db: Database) -> int:
    with db.read() as conn:
        return get_cursor(conn)


def first_sync(replica: Path, *, label: str, total: int, console: Console) -> SyncStatus:
    """Sync ``replica`` with its hub until caught up; returns how it ended."""
    credentials = load(replica)
    if credentials is None:
        raise ValueError(f"{replica} is not logged in to a hub")
    engine = SyncEngine(replica, credentials)
    watch = Database.open(replica)

    async def run() -> SyncStatus:
        with Progress(
            TextColumn(f"Syncing {label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("changes"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("sync", total=total)
            syncing = asyncio.ensure_future(engine.run_once())
            while not syncing.done():
                await asyncio.wait({syncing}, timeout=TICK)
                done = await asyncio.to_thread(_cursor, watch)
                progress.update(task, completed=min(done, total))
            return syncing.result()

    try:
        return asyncio.run(run())
    finally:
        watch.close()
