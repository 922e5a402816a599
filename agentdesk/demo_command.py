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


def _existing_demo(path: Path) -> tuple[str, str] | None:
    """(tickets, seed) of a finished demo store at ``path``, or None if there is none.

    Raises:
        ValueError: if ``path`` holds a workspace with tickets that is not a demo.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    db = Database.open(path)
    try:
        with db.read() as conn:
            tickets, seed = get_setting(conn, "demo.tickets"), get_setting(conn, "demo.seed")
            has_tickets = conn.execute("SELECT 1 FROM ticket LIMIT 1").fetchone() is not None
    finally:
        db.close()
    if tickets is not None and seed is not None:
        return tickets, seed
    if has_tickets:
        raise ValueError(f"{path} holds a workspace that is not a demo; choose another --db")
    return None


def prepare_demo(path: Path, *, tickets: int, seed: int, fresh: bool = False) -> None:
    """Make sure a demo workspace exists at ``path``.

    An existing demo store is reused (even if made with other sizes: an agent's
    work in it is never thrown away unless ``fresh`` is given). A new one is
    generated into a scratch file and renamed into place when complete, so an
    interrupted run never leaves a half-made workspace behind.

    Raises:
        StoreError: if the store cannot be opened.
        ValueError: if ``path`` holds a store that is not a demo workspace.
    """
    console = Console(stderr=True)
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    made_with = _existing_demo(path)
    if made_with is not None and not fresh:
        note = ""
        if made_with != (str(tickets), str(seed)):
            note = " (pass --fresh to regenerate with the new options)"
        console.print(
            f"Reusing demo workspace {path}: {int(made_with[0]):,} tickets, "
            f"seed {made_with[1]}{note}",
            markup=False,
            highlight=False,
        )
        return
    partial = path.with_name(f"{path.name}.partial")
    _remove_store(partial)
    db = Database.open(partial)
    try:
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
    finally:
        db.close()
    _remove_store(path)
    partial.rename(path)
    console.print(
        f"Demo workspace {path}: {summary.tickets:,} tickets, {summary.messages:,} messages, "
        f"{summary.agents} agents in {summary.elapsed_seconds:.1f}s",
        markup=False,
        highlight=False,
    )
