"""`agentdesk report`: the support metrics of a period, for people or for scripts.

The figures are the dashboard's (both read :mod:`agentdesk.reports`); each one's
definition is in :mod:`agentdesk.domain.metrics` and the README. Usage mistakes (a bad
``--since``, an unknown group or format) exit 2 with one line on stderr; a store
problem exits 1.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from agentdesk.cli import AsOption, DbOption, fail, settings_for
from agentdesk.cli_common import workspace_of

if TYPE_CHECKING:
    from agentdesk.reports import Report, Row

FORMATS: Final = ("table", "json", "csv", "md")


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone().isoformat(timespec="seconds")


def report(
    since: Annotated[
        str | None,
        typer.Option(help="Start: an age (7d, 12h, 2w) or a day (2026-11-01). Default: 7d."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="End: an age or a day (that day included). Default: now."),
    ] = None,
    group: Annotated[str | None, typer.Option(help="Only this group's tickets (its name).")] = None,
    format_: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv or md.")
    ] = "table",
    frt: Annotated[
        str | None,
        typer.Option(
            "--frt", help="FRT in wall-clock time or business hours (default: frt_clock config)."
        ),
    ] = None,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Print FRT, FCR, AHT, CSAT, NPS, SLA attainment, volume and backlog (see the README)."""
    from agentdesk.domain.metrics import FrtClock, PeriodError, period_between  # noqa: PLC0415
    from agentdesk.domain.timefmt import now_ms  # noqa: PLC0415
    from agentdesk.reports import report as read_report  # noqa: PLC0415
    from storage.writes import find_group  # noqa: PLC0415

    if format_ not in FORMATS:
        fail(f"unknown format {format_!r}; use one of: {', '.join(FORMATS)}", code=2)
    settings = settings_for(db, as_)
    clock = frt or settings.frt_clock
    if clock not in tuple(FrtClock):
        fail(f"unknown FRT clock {clock!r}; use wall or business", code=2)
    now = now_ms()
    try:
        period = period_between(since, until, now)
    except PeriodError as exc:
        fail(str(exc), code=2)
    with workspace_of(settings) as workspace, workspace.db.read() as conn:
        found = None if group is None else find_group(conn, group)
        if group is not None and found is None:
            names = ", ".join(str(n) for (n,) in conn.execute("SELECT name FROM agent_group"))
            fail(f"no group {group!r}; groups: {names or 'none'}", code=2)
        result = read_report(
            conn,
            period,
            now=now,
            group_id=None if found is None else found.id,
            group=None if found is None else found.name,
            clock=FrtClock(clock),
        )
    typer.echo(render(result, format_), nl=False)


def render(result: Report, format_: str) -> str:
    """The report as text in one of :data:`FORMATS` (ends with a newline)."""
    from agentdesk.reports import rows  # noqa: PLC0415

    figures = rows(result)
    if format_ == "json":
        return json.dumps(_payload(result, figures), indent=2, ensure_ascii=False) + "\n"
    if format_ == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["metric", "value", "unit", "label"])
        for row in figures:
            writer.writerow([row.key, "" if row.value is None else row.value, row.unit, row.label])
        return out.getvalue()
    title = _title(result)
    if format_ == "md":
        lines = [f"**{title}**", "", "| metric | value |", "| :-- | --: |"]
        lines += [f"| {row.label} | {row.text} |" for row in figures]
        return "\n".join(lines) + "\n"
    return _table(title, figures)


def _title(result: Report) -> str:
    from agentdesk.domain.timefmt import timestamp  # noqa: PLC0415

    who = f"group {result.group}" if result.group else "all groups"
    return f"{timestamp(result.period.start)} → {timestamp(result.period.end)} · {who}"


def _payload(result: Report, figures: list[Row]) -> dict[str, Any]:
    return {
        "period": {"since": _iso(result.period.start), "until": _iso(result.period.end)},
        "group": result.group,
        "frt_clock": result.frt.clock.value,
        "metrics": {row.key: row.value for row in figures},
        "units": {row.key: row.unit for row in figures},
    }


def _table(title: str, figures: list[Row]) -> str:
    from rich import box  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table("Metric", "Value", box=box.SIMPLE_HEAD, pad_edge=False)
    table.columns[1].justify = "right"
    for row in figures:
        table.add_row(row.label, row.text)
    out = io.StringIO()
    console = Console(file=out, markup=False, highlight=False, emoji=False, width=80)
    console.print(title, style="bold")
    console.print(table)
    return out.getvalue()
