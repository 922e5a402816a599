"""`agentdesk sla …`: list the SLA policies, set one, recompute the stored clocks.

Setting a policy is a mutation like any other (audit event, outbox row; leads and
admins only); the tickets it may apply to are then recomputed in short batches, so
a TUI on the same store keeps working. A refusal is one line on stderr naming what is
wrong (``calendar.hours.tue[0]: '25:00' is not a time of day …``), exit 1; a bad
option exits 2.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentdesk.cli_common import JsonOption, desk_for, echo_json, plain_console, refusals, sub_app

sla_app = sub_app("sla", "SLA policies: list them, create or change one, recompute the clocks.")

# After sla_app exists: agentdesk.cli imports this module to register it.
from agentdesk.cli import AsOption, DbOption, fail  # noqa: E402

if TYPE_CHECKING:
    from agentdesk.desk import Desk
    from storage.sla import PolicyRow

TargetOption = Annotated[
    str | None,
    typer.Option(help="Business time such as 30m, 4h, 1h30m or 2d (a day is 24 h), or none."),
]


@sla_app.command("list")
def list_policies(json_: JsonOption = False, db: DbOption = None, as_: AsOption = None) -> None:
    """The policies in the order they are tried: the first that matches a ticket applies."""
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from agentdesk.domain.business_hours import hours_text  # noqa: PLC0415
    from agentdesk.domain.sla import Policy, target_text  # noqa: PLC0415
    from agentdesk.ops.sla import parse_row  # noqa: PLC0415
    from storage.sla import policy_rows, policy_ticket_counts  # noqa: PLC0415

    with desk_for(db, as_) as desk, refusals(), desk.db.read() as conn:
        rows = policy_rows(conn)
        counts = policy_ticket_counts(conn)
    if json_:
        echo_json([_json(row, counts.get(row.id, 0)) for row in rows])
        return
    table = Table(
        title=f"{len(rows)} SLA policies, tried in this order: the first match applies",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Pos", justify="right", no_wrap=True)
    table.add_column("Name")
    for column in ("Priority", "Plan", "First", "Next", "Resolve"):
        table.add_column(column, no_wrap=True)
    table.add_column("Open", justify="right", no_wrap=True)
    hours = Table.grid(padding=(0, 2))
    hours.add_column(no_wrap=True)
    hours.add_column()
    for row in rows:
        targets = (row.first_response_minutes, row.next_response_minutes, row.resolution_minutes)
        table.add_row(
            str(row.position),
            Text(row.name),
            row.priority or "any",
            row.plan or "any",
            *(target_text(minutes) for minutes in targets),
            f"{counts.get(row.id, 0):,}",
        )
        policy = parse_row(row)
        if isinstance(policy, Policy):
            calendar = policy.calendar
            holidays = f", {len(calendar.holidays)} holidays" if calendar.holidays else ""
            counted = f"{hours_text(calendar)} ({calendar.tz.key}{holidays})"
        else:  # stored by another tool: listed, never applied
            counted = f"unusable: {policy}"
        hours.add_row(Text(f"  {row.name}"), Text(counted))
    console = plain_console()
    console.print(table)
    console.print("Business hours (targets count only these; Open: unsolved tickets):")
    console.print(hours)


def _json(row: PolicyRow, unsolved: int) -> dict[str, Any]:
    import json  # noqa: PLC0415

    from agentdesk.ops.sla import parse_row  # noqa: PLC0415

    problem = parse_row(row)
    return {
        "id": row.id,
        "name": row.name,
        "position": row.position,
        "priority": row.priority,
        "plan": row.plan,
        "first_response_minutes": row.first_response_minutes,
        "next_response_minutes": row.next_response_minutes,
        "resolution_minutes": row.resolution_minutes,
        "calendar": json.loads(row.calendar) if row.calendar.strip().startswith("{") else None,
        "unsolved_tickets": unsolved,
        "problem": str(problem) if isinstance(problem, Exception) else None,
    }


@sla_app.command("set")
def set_policy(
    name: Annotated[str, typer.Argument(help="The policy's name (a new name creates one).")],
    priority: Annotated[
        str | None, typer.Option(help="Tickets of this priority only, or any.")
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(help="Requesters on this plan only (free, pro, enterprise), or any."),
    ] = None,
    first_response: TargetOption = None,
    next_response: TargetOption = None,
    resolution: TargetOption = None,
    calendar: Annotated[
        Path | None,
        typer.Option(help="Business hours as a JSON file: tz, hours, holidays (see README)."),
    ] = None,
    tz: Annotated[
        str | None, typer.Option(help="Time zone of the hours, e.g. Europe/Berlin.")
    ] = None,
    hours: Annotated[
        str | None,
        typer.Option(help="Weekly hours, e.g. 'mon-fri 09:00-17:00; sat 10:00-14:00', or 24x7."),
    ] = None,
    position: Annotated[
        int | None, typer.Option(help="Where it is tried: lower first (a new one goes last).")
    ] = None,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Create a policy or change the given fields of one, then recompute its tickets."""
    from agentdesk.domain.business_hours import hours_from_text  # noqa: PLC0415
    from agentdesk.domain.sla import target_minutes  # noqa: PLC0415
    from agentdesk.ops.sla import affected  # noqa: PLC0415
    from storage.sla import policy_named  # noqa: PLC0415

    if calendar is not None and (tz is not None or hours is not None):
        fail("give --calendar FILE, or --tz and/or --hours, not both", code=2)
    changes: dict[str, object] = {}
    for key, value in (("priority", priority), ("plan", plan)):
        if value is not None:
            changes[key] = None if value.strip().lower() == "any" else value.strip().lower()
    for key, text in (
        ("first_response_minutes", first_response),
        ("next_response_minutes", next_response),
        ("resolution_minutes", resolution),
    ):
        if text is not None:
            with refusals():
                changes[key] = target_minutes(text)
    if position is not None:
        changes["position"] = position
    if calendar is not None:
        try:
            changes["calendar"] = calendar.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {calendar}: {exc}", code=2)
    with desk_for(db, as_) as desk, refusals():
        with desk.db.read() as conn:
            old = policy_named(conn, name)
        if tz is not None or hours is not None:
            weekly = None if hours is None else hours_from_text(hours)
            changes["calendar"] = _calendar_with(old, tz, weekly)
        recorded = desk.set_sla_policy(name, changes)
        with desk.db.read() as conn:
            new = policy_named(conn, name)
        tickets = _recompute(desk, matching=affected(old, new))
    verb = "created" if old is None else "updated"
    typer.echo(f"SLA policy {name.strip()!r} {verb} ({recorded.entity_id}); {tickets}")


def _calendar_with(
    old: PolicyRow | None, tz: str | None, hours: dict[str, list[list[str]]] | None
) -> dict[str, object]:
    """The policy's calendar with a new time zone and/or weekly hours (holidays kept)."""
    import json  # noqa: PLC0415

    try:
        current = json.loads(old.calendar) if old is not None else {}
    except ValueError:
        current = {}
    merged = dict(current) if isinstance(current, dict) else {}
    if tz is not None:
        merged["tz"] = tz
    if hours is not None:
        merged["hours"] = hours
    return merged


@sla_app.command()
def recompute(
    every: Annotated[
        bool, typer.Option("--all", help="Solved and closed tickets too (their clocks ended).")
    ] = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Recompute the stored SLA clocks (after an upgrade, or of old tickets with --all)."""
    with desk_for(db, as_) as desk, refusals():
        message = _recompute(desk, unsolved_only=not every)
    typer.echo(message)


def _recompute(
    desk: Desk,
    *,
    unsolved_only: bool = True,
    matching: list[tuple[str | None, str | None]] | None = None,
) -> str:
    """Recompute in batches, with a progress line on a terminal; says what was done."""
    import sys  # noqa: PLC0415

    started = time.perf_counter()

    def progress(done: int) -> None:
        if sys.stderr.isatty():
            typer.echo(f"\rrecomputing… {done:,} tickets", err=True, nl=False)

    done = desk.recompute_sla(unsolved_only=unsolved_only, matching=matching, progress=progress)
    if sys.stderr.isatty():
        typer.echo("\r\x1b[K", err=True, nl=False)
    which = "unsolved tickets" if unsolved_only else "tickets"
    return f"recomputed the SLA clocks of {done:,} {which} in {time.perf_counter() - started:.1f}s"
