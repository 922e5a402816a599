"""`agentdesk login URL`, `agentdesk logout` and `agentdesk sync [--once]`.

``login`` checks the token with the hub (``GET /v1/me``), binds the store to
that hub, keeps the login in ``<store>.hub.toml`` (mode 0600) and runs the
first sync. ``sync`` runs the same engine as the TUI, without it: one status
line per change of state; ``--once`` stops when caught up, exiting 0 when
everything is synced and 1 with the reason when the hub is unreachable or
refuses. Ctrl-C (or SIGTERM) stops it cleanly between two steps: every page
and every push result is committed whole or not at all.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, NoReturn, TypeVar

import typer

from agentdesk.cli import DbOption, fail, settings_for

if TYPE_CHECKING:
    from agentdesk.sync.engine import SyncEngine, SyncStatus

TOKEN_ENV: Final = "AGENTDESK_TOKEN"
T = TypeVar("T")


def login(
    url: Annotated[str, typer.Argument(help="The hub's URL, e.g. http://127.0.0.1:8765.")],
    db: DbOption = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", help=f"Your token (default: ${TOKEN_ENV}, else asked without echo)."
        ),
    ] = None,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help="Only log in; do not run the first sync.")
    ] = False,
) -> None:
    """Log this store in to a hub: it becomes your replica of the team's tickets."""
    from agentdesk.domain import timefmt  # noqa: PLC0415 - keep `agentdesk --help` fast
    from agentdesk.sync.client import SyncError  # noqa: PLC0415
    from agentdesk.sync.login import LoginRefused, bind_store, check_token, normalise_url  # noqa: PLC0415
    from storage.errors import StoreError  # noqa: PLC0415

    db_path = settings_for(db, None).db_path
    secret = token or os.environ.get(TOKEN_ENV) or typer.prompt("Token", hide_input=True)
    try:
        hub_url = normalise_url(url)
        me = asyncio.run(check_token(hub_url, secret.strip()))
        logged_in = bind_store(db_path, hub_url, secret.strip(), me, now=timefmt.now_ms())
    except (LoginRefused, SyncError, StoreError) as exc:
        fail(str(exc))
    agent = me.agent
    typer.echo(
        f"Logged in to {me.hub_name} at {hub_url} as {agent.name} <{agent.email}>"
        f" (tier {agent.tier})."
    )
    typer.echo(f"Replica: {db_path} (login kept in {logged_in.credentials_path}, mode 0600)")
    if not no_sync:
        _exit_with(_run_once(_engine(db_path)))


def logout(db: DbOption = None) -> None:
    """Forget this store's hub login (the replica and unsent changes stay)."""
    from agentdesk.sync import credentials  # noqa: PLC0415

    db_path = settings_for(db, None).db_path
    if not credentials.delete(db_path):
        fail(f"{db_path} is not logged in to a hub")
    typer.echo(f"Logged out: {credentials.credentials_path(db_path)} deleted; {db_path} kept.")


def sync(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Sync until caught up, then exit (0 = synced).")
    ] = False,
) -> None:
    """Sync this store with its hub without the TUI, printing each change of state."""
    from storage.errors import StoreError  # noqa: PLC0415

    engine = _engine(settings_for(db, None).db_path)
    if once:
        _exit_with(_run_once(engine))
    try:
        asyncio.run(_until_signal(engine, engine.run()))
    except StoreError as exc:
        fail(str(exc))


def _engine(db_path: Path) -> SyncEngine:
    """The store's engine, printing status lines; exits 1 if the store is not logged in."""
    from agentdesk.sync.credentials import CredentialsError, load  # noqa: PLC0415
    from agentdesk.sync.engine import SyncEngine  # noqa: PLC0415

    try:
        found = load(db_path)
    except CredentialsError as exc:
        fail(str(exc))
    if found is None:
        fail(f"{db_path} is not logged in to a hub; run `agentdesk login URL --db {db_path}`")
    return SyncEngine(db_path, found, on_status=_StatusPrinter())


class _StatusPrinter:
    """One line per change of state; on a terminal, progress (``syncing``) lines
    overwrite each other, so a first sync of a million rows is one moving line."""

    def __init__(self) -> None:
        self._terminal = sys.stdout.isatty()
        self._open = False  # a progress line waits to be overwritten

    def __call__(self, status: SyncStatus) -> None:
        progress = self._terminal and status.state == "syncing"
        prefix = "\r\x1b[K" if self._open else ""
        typer.echo(f"{prefix}{status}", nl=not progress)
        self._open = progress


def _run_once(engine: SyncEngine) -> SyncStatus:
    from storage.errors import StoreError  # noqa: PLC0415

    try:
        return asyncio.run(_until_signal(engine, engine.run_once()))
    except StoreError as exc:
        fail(str(exc))


async def _until_signal(engine: SyncEngine, work: Coroutine[object, object, T]) -> T:
    """Run ``work``; SIGINT or SIGTERM asks the engine to stop at its next step."""
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, engine.stop)
    return await work


def _exit_with(status: SyncStatus) -> NoReturn:
    """Exit 0 when synced, else 1 with the reason on stderr."""
    if status.state != "synced":
        fail(f"not synced: {status}")
    raise typer.Exit(0)
