"""`agentdesk ticket …`: list, show and change tickets from a shell, on the same store and Desk.

Every change goes through :class:`agentdesk.desk.Desk`, so a script is held to
the same rules, audit trail and outbox as a key press, and a refusal prints the
same sentence the TUI shows: one line on stderr, exit 1. Usage mistakes exit 2.
``--json`` output is for scripts and keeps its shape; the default is for people,
and customer text in it is always plain text with control characters made visible.

Importing this module is cheap (``agentdesk config`` pays for it): the store, the
Desk and rich are imported inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

ticket_app = typer.Typer(
    name="ticket",
    help="List, show and change tickets (the same rules and audit trail as the TUI).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# After ticket_app exists: agentdesk.cli imports this module to register it, and this
# module reuses the CLI's options, so either may be imported first.
from agentdesk.cli import AsOption, DbOption, fail, settings_for  # noqa: E402
from storage.errors import StoreError  # noqa: E402

if TYPE_CHECKING:
    from rich.console import Console

    from agentdesk.desk import Applied, Desk
    from agentdesk.workspace import Workspace
    from storage.queue import QueueQuery, QueueRow
    from storage.tickets import ThreadMessage, TicketDetail
    from storage.writes import AuditRow

TicketArg = Annotated[str, typer.Argument(help="The ticket: #1042, 1042 or its id.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
BodyOption = Annotated[
    str | None, typer.Option("--body", help="The text, or '-' to read it from stdin.")
]
BodyFileOption = Annotated[
    Path | None, typer.Option("--body-file", help="Read the text from this file (UTF-8).")
]

_DONE = {
    "reply": "reply sent",
    "note": "note added",
    "set_status": "status set",
    "set_priority": "priority set",
    "assign": "assigned",
    "add_tags": "tags added",
    "remove_tags": "tags removed",
}


# --------------------------------------------------------------------------- plumbing


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn a refusal or a store failure into one line on stderr and exit 1."""
    from agentdesk.desk import DeskError  # noqa: PLC0415 - off the import path

    try:
        yield
    except (DeskError, StoreError) as exc:
        fail(" ".join(str(exc).split()))


@contextmanager
def _workspace(db: Path | None, as_: str | None) -> Iterator[Workspace]:
    """The configured store and agent, closed afterwards."""
    from agentdesk.workspace import open_workspace  # noqa: PLC0415

    settings = settings_for(db, as_)
    with _refusals():
        workspace = open_workspace(settings)
        try:
            yield workspace
        finally:
            workspace.close()


@contextmanager
def _desk(db: Path | None, as_: str | None) -> Iterator[Desk]:
    from agentdesk.desk import Desk  # noqa: PLC0415

    with _workspace(db, as_) as workspace:
        yield Desk(workspace.db, workspace.agent)


def _console() -> Console:
    """Plain output: customer text must never be read as markup."""
    from rich.console import Console  # noqa: PLC0415

    return Console(markup=False, highlight=False, emoji=False)


def _echo_json(payload: object) -> None:
    import json  # noqa: PLC0415

    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def _report(applied: list[Applied], json_: bool) -> None:
    if json_:
        _echo_json(
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
        typer.echo(f"#{a.number}: {_DONE.get(a.op, a.op)} (version {a.version})")


def _read_body(body: str | None, body_file: Path | None) -> str:
    """The text from --body, stdin (``--body -``) or --body-file: exactly one of them."""
    if (body is None) == (body_file is None):
        fail("give the text with --body TEXT, --body - (stdin) or --body-file PATH", code=2)
    if body_file is not None:
        try:
            return body_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {body_file}: {exc}", code=2)
    assert body is not None
    return sys.stdin.read() if body == "-" else body


# --------------------------------------------------------------------------- list


@ticket_app.command("list")
def list_tickets(
    view: Annotated[
        str | None,
        typer.Option("--view", help="A built-in view (default: your tier's queue)."),
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="A search query instead of a view.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """List the tickets of a view or a query, most recently updated first."""
    from agentdesk.domain.views import VIEWS_BY_KEY, default_view  # noqa: PLC0415
    from storage.queue import count, fetch_window  # noqa: PLC0415

    if view is not None and query is not None:
        fail("give --view or --query, not both", code=2)
    if view is not None and view not in VIEWS_BY_KEY:
        fail(f"unknown view {view!r}; use one of: {', '.join(VIEWS_BY_KEY)}", code=2)
    with _workspace(db, as_) as workspace:
        if query is not None:
            queue_query, title = _compile(query, workspace), f"query {query!r}"
            view_key = None
        else:
            chosen = VIEWS_BY_KEY[view] if view else default_view(workspace.agent)
            queue_query, title, view_key = chosen.query(workspace.agent), chosen.title, chosen.key
        with _refusals(), workspace.db.read() as conn:
            rows = fetch_window(conn, queue_query, 0, limit)
            total = count(conn, queue_query)
    if json_:
        _echo_json(
            {
                "view": view_key,
                "query": query,
                "total": total,
                "tickets": [_row_json(row) for row in rows],
            }
        )
        return
    _print_rows(rows, total, title)


def _compile(text: str, workspace: Workspace) -> QueueQuery:
    """The query language is optional at import time: it is another module's job."""
    try:
        from agentdesk.domain.query import compile_query  # noqa: PLC0415
    except ImportError:
        fail("--query is not available in this build yet", code=2)
    try:
        return compile_query(text, workspace.agent)
    except ValueError as exc:
        fail(f"bad query: {' '.join(str(exc).split())}", code=2)


def _row_json(row: QueueRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "id": row.id,
        "subject": row.subject,
        "status": row.status,
        "priority": row.priority,
        "requester": row.requester,
        "channel": row.channel,
        "assignee": row.assignee,
        "tier": row.tier,
        "updated_at": row.updated_at,
        "version": row.version,
    }


def _print_rows(rows: list[QueueRow], total: int, title: str) -> None:
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from agentdesk.domain.text import one_line  # noqa: PLC0415
    from agentdesk.domain.timefmt import ago, now_ms  # noqa: PLC0415

    now = now_ms()
    console = _console()
    table = Table(title=f"{title}: {len(rows)} of {total}", box=box.SIMPLE_HEAD, pad_edge=False)
    # One line per ticket: fixed columns keep their width, free text shares the rest
    # (3:2:1) and is cut with "…"; rich would otherwise squeeze the fixed ones too.
    number_width = max((len(str(row.number)) for row in rows), default=1)
    fixed = (("#", number_width), ("Priority", 8), ("Status", 7))
    free = max(24, console.width - sum(w for _, w in fixed) - 7 - 3 * 7)  # 3: padding + rule
    for header, width in fixed:
        table.add_column(header, no_wrap=True, width=width)
    for header, share in (("Subject", 3), ("Requester", 2), ("Assignee", 1)):
        table.add_column(header, no_wrap=True, overflow="ellipsis", width=free * share // 6)
    table.add_column("Updated", no_wrap=True, width=7)
    for row in rows:
        table.add_row(
            str(row.number),
            row.priority,
            row.status,
            Text(one_line(row.subject)),
            Text(one_line(row.requester)),
            Text(one_line(row.assignee or "—")),
            ago(row.updated_at, now),
        )
    console.print(table)


# --------------------------------------------------------------------------- show


@ticket_app.command()
def show(
    ticket: TicketArg, json_: JsonOption = False, db: DbOption = None, as_: AsOption = None
) -> None:
    """Show a ticket: its fields and tags, the thread (oldest first), the audit trail."""
    from storage.tickets import resolve_ticket_id, thread, ticket_detail  # noqa: PLC0415
    from storage.writes import audit_rows  # noqa: PLC0415

    with _workspace(db, as_) as workspace, _refusals(), workspace.db.read() as conn:
        ticket_id = resolve_ticket_id(conn, ticket)
        detail = ticket_detail(conn, ticket_id)
        messages = thread(conn, ticket_id)
        trail = audit_rows(conn, ticket_id)
    if json_:
        _echo_json(
            {
                "ticket": _detail_json(detail),
                "thread": [_message_json(m) for m in messages],
                "audit": [_audit_json(e) for e in trail],
            }
        )
        return
    _print_ticket(detail, messages, trail)


def _detail_json(t: TicketDetail) -> dict[str, Any]:
    return {
        "number": t.number,
        "id": t.id,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "channel": t.channel,
        "tier": t.tier,
        "requester": {
            "id": t.requester_id,
            "name": t.requester_name,
            "email": t.requester_email,
            "plan": t.requester_plan,
            "organization": t.requester_org,
        },
        "assignee": None
        if t.assignee_id is None
        else {"id": t.assignee_id, "name": t.assignee_name},
        "group": t.group_name,
        "sla_policy": t.sla_policy,
        "tags": list(t.tags),
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "first_response_at": t.first_response_at,
        "solved_at": t.solved_at,
        "version": t.version,
    }


def _message_json(m: ThreadMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "kind": m.kind,
        "author": m.author,
        "body": m.body,
        "channel": m.channel,
        "restricted": m.restricted,
        "created_at": m.created_at,
    }


def _audit_json(e: AuditRow) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at,
        "agent_id": e.agent_id,
        "agent": e.agent_name,
        "action": e.action,
        "field": e.field,
        "old_value": e.old_value,
        "new_value": e.new_value,
        "mutation_id": e.mutation_id,
    }


_KIND_LABEL = {"customer": "customer", "public": "public reply", "internal": "internal note"}


def _print_ticket(t: TicketDetail, messages: list[ThreadMessage], trail: list[AuditRow]) -> None:
    from agentdesk.domain.text import one_line, visible_text  # noqa: PLC0415
    from agentdesk.domain.timefmt import timestamp  # noqa: PLC0415

    out = _console()
    requester = f"{one_line(t.requester_name)} <{one_line(t.requester_email)}>"
    org = f", {one_line(t.requester_org)}" if t.requester_org else ""
    out.print(f"#{t.number}  {one_line(t.subject)}", style="bold")
    out.print(f"Status {t.status} · Priority {t.priority} · Channel {t.channel} · Tier {t.tier}")
    out.print(f"Requester {requester} ({t.requester_plan}{org})")
    assignee = one_line(t.assignee_name) if t.assignee_name else "unassigned"
    out.print(f"Assignee {assignee} · Group {one_line(t.group_name or '—')}")
    out.print(f"Tags {' '.join(t.tags) or '—'}")
    out.print(f"Created {timestamp(t.created_at)} · Updated {timestamp(t.updated_at)}")
    out.print()
    out.print(f"Thread ({len(messages)} messages, oldest first)", style="bold")
    for m in messages:
        label = _KIND_LABEL.get(m.kind, m.kind) + (", restricted" if m.restricted else "")
        out.print(f"── {timestamp(m.created_at)}  {one_line(m.author)} ({label})", style="dim")
        out.print(visible_text(m.body))
    out.print()
    out.print(f"Audit trail ({len(trail)} events, newest first)", style="bold")
    for e in trail:
        change = e.action
        if e.field:
            old, new = one_line(e.old_value or "—"), one_line(e.new_value or "—")
            change = f"{e.action}  {e.field}: {old} → {new}"
        out.print(f"{timestamp(e.at)}  {one_line(e.agent_name or 'system')}  {change}")


# --------------------------------------------------------------------------- changes


@ticket_app.command()
def reply(
    ticket: TicketArg,
    body: BodyOption = None,
    body_file: BodyFileOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Send a public reply to the customer (the status is not changed)."""
    text = _read_body(body, body_file)
    with _desk(db, as_) as desk, _refusals():
        applied = desk.reply(ticket, text)
    _report([applied], json_)


@ticket_app.command()
def note(
    ticket: TicketArg,
    body: BodyOption = None,
    body_file: BodyFileOption = None,
    restricted: Annotated[
        bool, typer.Option("--restricted", help="Mark the note as restricted.")
    ] = False,
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Add an internal note (never sent to the customer)."""
    text = _read_body(body, body_file)
    with _desk(db, as_) as desk, _refusals():
        applied = desk.note(ticket, text, restricted=restricted)
    _report([applied], json_)


@ticket_app.command("set")
def set_fields(
    ticket: TicketArg,
    status: Annotated[str | None, typer.Option(help="new, open, pending, on-hold, …")] = None,
    priority: Annotated[str | None, typer.Option(help="low, normal, high or urgent.")] = None,
    assignee: Annotated[
        str | None, typer.Option(help="An agent's email, 'me', or 'none' to unassign.")
    ] = None,
    group: Annotated[str | None, typer.Option(help="A group's name, or 'none'.")] = None,
    add_tag: Annotated[
        list[str] | None, typer.Option("--add-tag", help="Add a tag (repeatable).")
    ] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", help="Remove a tag (repeatable).")
    ] = None,
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Change fields; several changes are applied together in one transaction, or none."""
    from agentdesk.desk import Action  # noqa: PLC0415

    if (status, priority, assignee, group) == (None,) * 4 and not add_tag and not remove_tag:
        fail("nothing to change: give --status, --priority, --assignee, --group or a tag", code=2)
    with _desk(db, as_) as desk, _refusals():
        me = desk.agent.id
        assign: dict[str, object] = {}
        if assignee is not None:
            lowered = assignee.strip().lower()
            assign["assignee"] = {"none": None, "me": me}.get(lowered, assignee)
        if group is not None:
            assign["group"] = None if group.strip().lower() == "none" else group
        # Status last, so "--status closed --add-tag done" tags the ticket before closing it.
        steps: list[tuple[str, dict[str, object], bool]] = [
            ("assign", assign, bool(assign)),
            ("set_priority", {"priority": priority}, priority is not None),
            ("add_tags", {"tags": add_tag or []}, bool(add_tag)),
            ("remove_tags", {"tags": remove_tag or []}, bool(remove_tag)),
            ("set_status", {"status": status}, status is not None),
        ]
        applied = desk.apply_many([Action(op, ticket, args) for op, args, on in steps if on])
    _report(applied, json_)
