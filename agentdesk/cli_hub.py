"""`agentdesk hub …`: run the team hub, give agents their tokens, configure channels.

``agentdesk hub`` serves the store (``--db``, else the configured one) on
127.0.0.1:8765. ``--db`` is a SQLite file or a ``postgresql://`` URL: the same
code serves either. Tokens and channel secrets are printed once, alone on stdout,
so a script can capture them; everything else goes to stderr.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentdesk.cli_common import sub_app

if TYPE_CHECKING:
    from storage.sql import Store

hub_app = sub_app(
    "hub", "The team hub: serve it, add agents (tokens), configure channels.", bare_runs=True
)

# After hub_app exists: agentdesk.cli imports this module to register it.
from agentdesk.cli import fail, settings_for  # noqa: E402

HubDbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The hub's store: a SQLite file or a postgresql:// URL"
        " (default: AGENTDESK_DB, config).",
    ),
]


def hub_store_target(db: str | None) -> str | Path:
    """The store to serve: ``--db`` (a file or a PostgreSQL URL) or the configured one."""
    return db if db is not None else settings_for(None, None).db_path


@hub_app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    db: HubDbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
) -> None:
    """Serve the hub (when no subcommand is given) until interrupted."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn  # noqa: PLC0415 - only when serving

    from agentdesk.hub.app import create_app  # noqa: PLC0415
    from storage.errors import StoreError  # noqa: PLC0415
    from storage.sql import redacted  # noqa: PLC0415

    target = hub_store_target(db)
    try:
        app = create_app(target)
    except StoreError as exc:
        fail(str(exc))
    typer.echo(
        f"agentdesk hub: {redacted(str(target))} on http://{host}:{port} (ctrl+c stops)", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@hub_app.command("add-agent")
def add_agent(
    name: Annotated[str, typer.Option(help="The agent's name.")],
    email: Annotated[str, typer.Option(help="Their email (an existing agent gets a new token).")],
    tier: Annotated[str, typer.Option(help="1, 2, 3, lead or admin.")],
    group: Annotated[
        list[str] | None, typer.Option("--group", help="A group to join (repeatable).")
    ] = None,
    db: HubDbOption = None,
) -> None:
    """Create an agent (or find them by email) and print a new token, once."""
    from agentdesk.hub.auth import AgentError  # noqa: PLC0415
    from agentdesk.hub.auth import add_agent as issue  # noqa: PLC0415

    with _hub_store(db) as store:
        try:
            issued = issue(store, name=name, email=email, tier=tier, groups=group or ())
        except AgentError as exc:
            fail(str(exc), code=2)
    agent = issued.agent
    what = "created" if issued.created else "new token for"
    typer.echo(f"{what} {agent.name} <{agent.email}> (tier {agent.tier}); token:", err=True)
    typer.echo(issued.token)


@hub_app.command()
def revoke(
    email: Annotated[str, typer.Option(help="The agent whose tokens stop working.")],
    db: HubDbOption = None,
) -> None:
    """Revoke every token of an agent (their workstations get 401 until a new one)."""
    from agentdesk.domain import timefmt  # noqa: PLC0415
    from storage.agents import agent_by_email  # noqa: PLC0415
    from storage.hub import revoke_tokens  # noqa: PLC0415

    with _hub_store(db) as store, store.transaction() as conn:
        agent = agent_by_email(conn, email)
        if agent is None:
            fail(f"no agent {email!r}")
        count = revoke_tokens(conn, agent.id, at=timefmt.now_ms())
    typer.echo(f"revoked {count} token(s) of {agent.email}", err=True)


@hub_app.command()
def channel(
    name: Annotated[str, typer.Argument(help="email, chat, web or survey.")],
    secret: Annotated[str | None, typer.Option(help="The webhook signing secret.")] = None,
    generate: Annotated[
        bool, typer.Option("--generate", help="Make a random secret and print it once.")
    ] = False,
    outbound_url: Annotated[
        str | None, typer.Option(help="Where public replies on this channel are POSTed.")
    ] = None,
    db: HubDbOption = None,
) -> None:
    """Set a channel's webhook secret and outbound endpoint."""
    from storage.hub import CHANNELS, set_channel  # noqa: PLC0415

    if name not in CHANNELS:
        fail(f"no channel {name!r}; use one of: {', '.join(CHANNELS)}", code=2)
    if secret is not None and generate:
        fail("give --secret or --generate, not both", code=2)
    if generate:
        secret = secrets.token_urlsafe(32)
    with _hub_store(db) as store:
        try:
            with store.transaction() as conn:
                row = set_channel(conn, name, secret=secret, outbound_url=outbound_url)
        except ValueError as exc:
            fail(str(exc), code=2)
    out = row.outbound_url or "no outbound endpoint"
    typer.echo(f"channel {row.name}: {out}, bodies up to {row.max_body_bytes:,} bytes", err=True)
    if generate:
        typer.echo(secret)


@hub_app.command("copy")
def copy_to_postgres(
    source: Annotated[Path, typer.Argument(help="The SQLite store to copy (a hub's or any).")],
    to: Annotated[str, typer.Option("--to", help="An empty PostgreSQL database: postgresql://…")],
) -> None:
    """Copy a SQLite store into an empty PostgreSQL database, change feed included."""
    from storage.errors import StoreError  # noqa: PLC0415
    from storage.sql import is_postgres_url, redacted  # noqa: PLC0415

    if not is_postgres_url(to):
        fail("--to must be a postgresql:// URL", code=2)
    if not source.is_file():
        fail(f"no SQLite store at {source}", code=2)

    def report(table: str, rows: int) -> None:
        typer.echo(f"  {table}: {rows:,} rows…", err=True)

    try:
        from storage.pg_copy import copy_file  # noqa: PLC0415

        copied = copy_file(source, to, report)
        from agentdesk.hub.store import open_hub  # noqa: PLC0415

        open_hub(to).close()  # the feed's triggers, and its backfill if the source was no hub
    except StoreError as exc:
        fail(str(exc))
    tables = sum(1 for rows in copied.rows.values() if rows)
    typer.echo(f"copied {copied.total:,} rows of {tables} tables to {redacted(to)}", err=True)


@contextmanager
def _hub_store(db: str | None) -> Iterator[Store]:
    """The store opened as a hub (so what is written reaches the feed), closed afterwards."""
    from agentdesk.hub.store import open_hub  # noqa: PLC0415
    from storage.errors import StoreError  # noqa: PLC0415

    try:
        store = open_hub(hub_store_target(db))
    except StoreError as exc:
        fail(str(exc))
    try:
        yield store
    finally:
        store.close()
