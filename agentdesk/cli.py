"""The `agentdesk` command: the TUI by default, plus demo, config and agents.

Every command accepts ``--db PATH`` and ``--as EMAIL``; they win over
``AGENTDESK_DB`` / ``AGENTDESK_AGENT``, which win over the config file. Heavy
imports (the app, the demo generator) happen inside the commands that need them,
so ``agentdesk config`` answers at once and the TUI starts as fast as it can.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from agentdesk.config import ConfigError, Settings, default_data_dir, describe, load_settings
from storage.errors import StoreError

app = typer.Typer(
    name="agentdesk",
    help="A keyboard-driven terminal workstation for customer-support teams.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite store to use (default: AGENTDESK_DB, config, XDG data dir)."),
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as", help="Act as the agent with this email (default: AGENTDESK_AGENT, config)."
    ),
]

DEMO_DB_NAME = "demo.db"
#: The live demo's directory in the data dir: its hub store, replicas and logs.
LIVE_DEMO_DIR = "demo"


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error to stderr and exit non-zero."""
    typer.echo(f"agentdesk: {message}", err=True)
    raise typer.Exit(code)


class _State:
    """Options given before the subcommand (``agentdesk --db X agents``)."""

    db: Path | None = None
    agent: str | None = None


def settings_for(db: Path | None, agent: str | None) -> Settings:
    """Load the settings and apply this command's flags (or the global ones)."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        fail(str(exc), code=2)
    return settings.with_overrides(db=db or _State.db, agent=agent or _State.agent)


def run_tui(settings: Settings) -> None:
    """Run the TUI, turning a launch failure into a one-line error and its exit code."""
    from agentdesk.launch import LaunchError
    from agentdesk.launch import run_tui as launch

    try:
        launch(settings)
    except LaunchError as exc:
        fail(str(exc), code=exc.code)


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, db: DbOption = None, as_: AsOption = None) -> None:
    """Open the queue (the TUI) when no command is given."""
    _State.db, _State.agent = db, as_
    if ctx.invoked_subcommand is None:
        run_tui(settings_for(db, as_))


@app.command()
def config(db: DbOption = None, as_: AsOption = None) -> None:
    """Print the config file, data paths and effective settings."""
    settings = settings_for(db, as_)
    width = max(len(name) for name, _ in describe(settings))
    for name, value in describe(settings):
        typer.echo(f"{name:<{width}}  {value}")


@app.command()
def agents(
    db: DbOption = None,
    as_: AsOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the workspace's agents with their tier and groups."""
    import json

    from rich.console import Console
    from rich.table import Table

    from agentdesk.cli_common import workspace_of
    from storage.agents import list_agents

    settings = settings_for(db, as_)
    with workspace_of(settings) as workspace, workspace.db.read() as conn:
        rows = list_agents(conn)
    if json_:
        payload = [
            {"id": a.id, "name": a.name, "email": a.email, "tier": a.tier, "groups": a.groups}
            for a in rows
        ]
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    table = Table("Name", "Email", "Tier", "Groups", title=f"Agents in {settings.db_path}")
    for agent in rows:
        me = " (you)" if agent.id == workspace.agent.id else ""
        table.add_row(agent.name + me, agent.email, agent.tier, ", ".join(agent.groups))
    Console().print(table)


@app.command()
def demo(
    db: DbOption = None,
    as_: AsOption = None,
    tickets: Annotated[
        int, typer.Option(min=10, max=5_000_000, help="Tickets to generate.")
    ] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    fresh: Annotated[bool, typer.Option("--fresh", help="Regenerate even if it exists.")] = False,
    no_open: Annotated[bool, typer.Option("--no-open", help="Only generate; do not open.")] = False,
    rate: Annotated[
        float, typer.Option(min=0, max=600, help="New customer conversations per minute.")
    ] = 6.0,
    agents: Annotated[
        int, typer.Option(min=0, max=8, help="Extra workstations (tmux panes inside tmux).")
    ] = 0,
    offline: Annotated[
        bool, typer.Option("--offline", help="The local-only demo: no hub, no traffic.")
    ] = False,
) -> None:
    """A live demo: a local hub with customers writing in, and the queue synced with it."""
    from agentdesk.demo_command import prepare_demo

    settings = settings_for(db, as_)
    if not offline:
        live_demo(settings, db or _State.db, tickets, seed, fresh, no_open, rate, agents)
        return
    path = db or _State.db or default_data_dir() / DEMO_DB_NAME
    try:
        prepare_demo(path, tickets=tickets, seed=seed, fresh=fresh)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    if not no_open:
        run_tui(settings.with_overrides(db=path))


def live_demo(
    settings: Settings,
    db: Path | None,
    tickets: int,
    seed: int,
    fresh: bool,
    no_open: bool,
    rate: float,
    agents: int,
) -> None:
    """`agentdesk demo` without --offline: hub + traffic simulator + synced workstations."""
    from rich.console import Console

    from agentdesk.live_demo import DemoError, LiveOptions, prepare_hub_store, run_live
    from agentdesk.live_demo.seats import HUB_FILE

    hub_path = db or default_data_dir() / LIVE_DEMO_DIR / HUB_FILE
    options = LiveOptions(hub_path, tickets, seed, fresh, rate, agents, settings.agent)
    try:
        if no_open:
            prepare_hub_store(options, Console(stderr=True))
        else:
            run_live(
                options,
                lambda seat: run_tui(settings.with_overrides(db=seat.replica, agent=seat.email)),
            )
    except (DemoError, StoreError, ValueError) as exc:
        fail(str(exc))


# Registered here, after the options it reuses are defined (see agentdesk.cli_ticket).
from agentdesk.cli_ticket import ticket_app  # noqa: E402

app.add_typer(ticket_app, name="ticket")

from agentdesk.cli_escalation import escalate, escalation_app  # noqa: E402

app.command()(escalate)
app.add_typer(escalation_app, name="escalation")

from agentdesk.cli_macro import macro_app  # noqa: E402

app.add_typer(macro_app, name="macro")

from agentdesk.cli_report import report  # noqa: E402

app.command()(report)

from agentdesk.cli_sla import sla_app  # noqa: E402

app.add_typer(sla_app, name="sla")

from agentdesk.cli_hub import hub_app  # noqa: E402

app.add_typer(hub_app, name="hub")

from agentdesk.cli_sync import login, logout, sync  # noqa: E402

app.command()(login)
app.command()(logout)
app.command()(sync)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
