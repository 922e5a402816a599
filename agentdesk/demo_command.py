"""`agentdesk demo`: reuse the demo workspace if it is there, else generate it (with progress)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from agentdesk.demo import generate_workspace
from storage.agents import get_setting
from storage.database import Database


def _remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def prepare_demo(path: Path, *, tickets: int, seed: int, fresh: bool = False) -> None:
    """Make sure a demo workspace exists at ``path``.

    An existing demo store is reused (even if made with other sizes: an agent's
    work in it is never thrown away unless ``fresh`` is given).

    Raises:
        StoreError: if the store cannot be opened.
        ValueError: if ``path`` holds a store that is not a demo workspace.
    """
    console = Console(stderr=True)
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(path)
    try:
        with db.read() as conn:
            made_with = get_setting(conn, "demo.tickets"), get_setting(conn, "demo.seed")
            has_tickets = conn.execute("SELECT 1 FROM ticket LIMIT 1").fetchone() is not None
        if has_tickets and made_with[0] is None:
            raise ValueError(f"{path} holds a workspace that is not a demo; choose another --db")
        if fresh and made_with[0] is not None:
            db.close()
            _remove_store(path)
            db = Database.open(path)
            made_with = (None, None)
        if made_with[0] is not None:
            note = ""
            if (made_with[0], made_with[1]) != (str(tickets), str(seed)):
                note = " (pass --fresh to regenerate with the new options)"
            console.print(
                f"Reusing demo workspace {path}: {int(made_with[0]):,} tickets, "
                f"seed {made_with[1]}{note}",
                markup=False,
                highlight=False,
            )
            return
        with Progress(
            TextColumn("Generating demo tickets"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("demo", total=tickets)
            summary = generate_workspace(
                db,
                tickets=tickets,
                seed=seed,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        console.print(
            f"Demo workspace {path}: {summary.tickets:,} tickets, {summary.messages:,} messages, "
            f"{summary.agents} agents in {summary.elapsed_seconds:.1f}s",
            markup=False,
            highlight=False,
        )
    finally:
        db.close()
