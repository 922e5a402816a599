"""Plumbing every `agentdesk` sub-command shares: opening the workspace, refusals, output.

One place for how a refusal becomes one line on stderr with exit 1, how JSON is
printed, and how customer text reaches a terminal (never as markup). Importing it
is cheap: the store, the Desk and rich load inside the functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from storage.errors import StoreError

if TYPE_CHECKING:
    from rich.console import Console

    from agentdesk.config import Settings
    from agentdesk.desk import Applied, Desk
    from agentdesk.workspace import Workspace

TicketArg = Annotated[str, typer.Argument(help="The ticket: #1042, 1042 or its id.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

#: What each op did, as `ticket` commands print it ("#1042: reply sent (version 4)").
DONE: Final = {
    "reply": "reply sent",
    "note": "note added",
    "set_status": "status set",
    "set_priority": "priority set",
    "assign": "assigned",
    "add_tags": "tags added",
    "remove_tags": "tags removed",
    "link_incident": "linked to the incident",
    "unlink_incident": "unlinked from its incident",
    "merge": "merged and closed",
    "record_merge": "merge recorded",
    "escalate": "escalated",
    "acknowledge_escalation": "escalation acknowledged; assigned to you",
    "hand_back": "handed back",
}


def sub_app(name: str, help_text: str, *, bare_runs: bool = False) -> typer.Typer:
    """A sub-command group of ``agentdesk`` (``ticket``, ``hub`` …), all made alike.

    ``bare_runs``: the group itself runs when no sub-command is given (``agentdesk hub``
    serves); otherwise it prints its help.
    """
    return typer.Typer(
        name=name,
        help=help_text,
        no_args_is_help=not bare_runs,
        invoke_without_command=bare_runs,
        add_completion=False,
        pretty_exceptions_enable=False,
    )


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a refusal or a store failure into one line on stderr and exit 1."""
    from agentdesk.cli import fail  # noqa: PLC0415 - agentdesk.cli imports this module
    from agentdesk.desk import DeskError  # noqa: PLC0415 - off the import path

    try:
        yield
    except (DeskError, StoreError) as exc:
        fail(" ".join(str(exc).split()))


def workspace_for(db: Path | None, as_: str | None) -> AbstractContextManager[Workspace]:
    """The configured store and agent (flags over env over config), closed afterwards."""
    from agentdesk.cli import settings_for  # noqa: PLC0415 - agentdesk.cli imports this module

    return workspace_of(settings_for(db, as_))


@contextmanager
def workspace_of(settings: Settings) -> Iterator[Workspace]:
    """The store and agent of settings already read; a refusal or store failure exits 1."""
    from agentdesk.workspace import open_workspace  # noqa: PLC0415

    with refusals():
        workspace = open_workspace(settings)
        try:
            yield workspace
        finally:
            workspace.close()


@contextmanager
def desk_for(db: Path | None, as_: str | None) -> Iterator[Desk]:
    """The acting agent's Desk on the configured store."""
    from agentdesk.desk import Desk  # noqa: PLC0415

    with workspace_for(db, as_) as workspace:
        yield Desk(workspace.db, workspace.agent)


def plain_console() -> Console:
    """Plain output: customer text must never be read as markup."""
    from rich.console import Console  # noqa: PLC0415

    return Console(markup=False, highlight=False, emoji=False)


def echo_json(payload: object) -> None:
    """Indented JSON, non-ASCII kept as is."""
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def report_applied(applied: list[Applied], json_: bool) -> None:
    """One line per applied mutation, or their JSON."""
    if json_:
        echo_json(
            {
                "applied": [
                    {
                        "ticket_id": a.ticket_id,
                        "number": a.number,
                        "op": a.op,
                        "mutation_seq": a.mutation_seq,
                        "version": a.version,
                    }
                    for a in applied
                ]
            }
        )
        return
    for a in applied:
        typer.echo(f"#{a.number}: {DONE.get(a.op, a.op)} (version {a.version})")
