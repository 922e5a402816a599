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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentdesk.cli_common import sub_app

ticket_app = sub_app(
    "ticket", "List, show and change tickets (the same rules and audit trail as the TUI)."
)

# After ticket_app exists: agentdesk.cli imports this module to register it, and this
# module reuses the CLI's options, so either may be imported first.
from agentdesk.cli import AsOption, DbOption, fail, settings_for  # noqa: E402
from agentdesk.cli_common import (  # noqa: E402
    JsonOption,
    TicketArg,
    desk_for,
    echo_json,
    plain_console,
    refusals,
    report_applied,
    workspace_for,
)

if TYPE_CHECKING:
    from agentdesk.workspace import Workspace
    from storage.escalations import EscalationRow
    from storage.incidents import TicketLinks
    from storage.queue import QueueQuery, QueueRow
    from storage.tickets import ThreadMessage, TicketDetail, TicketSummary
    from storage.writes import AuditRow

BodyOption = Annotated[
    str | None, typer.Option("--body", help="The text, or '-' to read it from stdin.")
]
BodyFileOption = Annotated[
    Path | None, typer.Option("--body-file", help="Read the text from this file (UTF-8).")
]

# --------------------------------------------------------------------------- plumbing


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
    from agentdesk.domain.views import builtin_views, default_view  # noqa: PLC0415
    from storage.queue import count, fetch_window  # noqa: PLC0415

    minutes = settings_for(db, as_).sla_at_risk_minutes
    views = {v.key: v for v in builtin_views(minutes)}
    if view is not None and query is not None:
        fail("give --view or --query, not both", code=2)
    if view is not None and view not in views:
        fail(f"unknown view {view!r}; use one of: {', '.join(views)}", code=2)
    with workspace_for(db, as_) as workspace:
        if query is not None:
            queue_query, title = _compile(query, workspace), f"query {query!r}"
            view_key = None
        else:
            chosen = views[view] if view else default_view(workspace.agent)
            queue_query, title, view_key = chosen.query(workspace.agent), chosen.title, chosen.key
        with refusals(), workspace.db.read() as conn:
            rows = fetch_window(conn, queue_query, 0, limit)
            total = count(conn, queue_query)
    if json_:
        echo_json(
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
        "sla_due_at": row.sla_due_at,
        "sla_paused_left_ms": row.sla_paused_left_ms,
    }


def _print_rows(rows: list[QueueRow], total: int, title: str) -> None:
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from agentdesk.domain.text import one_line  # noqa: PLC0415
    from agentdesk.domain.timefmt import ago, now_ms  # noqa: PLC0415

    now = now_ms()
    console = plain_console()
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
    """Show a ticket: its fields and tags, the thread (oldest first), the audit trail.

    Restricted internal notes are shown only to the roles that may read them.
    """
    from agentdesk.cli_escalation import escalation_json  # noqa: PLC0415
    from agentdesk.domain.timefmt import now_ms  # noqa: PLC0415
    from storage.escalations import ticket_escalations  # noqa: PLC0415
    from storage.incidents import ticket_links  # noqa: PLC0415
    from storage.tickets import resolve_ticket_id, ticket_detail  # noqa: PLC0415
    from storage.writes import audit_rows  # noqa: PLC0415

    with desk_for(db, as_) as desk, refusals(), desk.db.read() as conn:
        ticket_id = resolve_ticket_id(conn, ticket)
        detail = ticket_detail(conn, ticket_id)
        messages = desk.thread(ticket_id)
        trail = audit_rows(conn, ticket_id)
        links = ticket_links(conn, ticket_id)
        escalations = ticket_escalations(conn, ticket_id)
    if json_:
        echo_json(
            {
                "ticket": _detail_json(detail),
                "thread": [_message_json(m) for m in messages],
                "audit": [_audit_json(e) for e in trail],
                "links": _links_json(links),
                "escalations": [escalation_json(e, now_ms()) for e in escalations],
            }
        )
        return
    _print_ticket(detail, messages, trail, links, escalations)


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
        "source_number": m.source_number,
    }


def _links_json(links: TicketLinks) -> dict[str, Any]:
    def summary(t: TicketSummary | None) -> dict[str, Any] | None:
        if t is None:
            return None
        return {"number": t.number, "id": t.id, "subject": t.subject, "status": t.status}

    return {
        "incident": summary(links.incident),
        "merged_into": summary(links.merged_into),
        "merged_from": [summary(t) for t in links.merged_from],
        "linked_total": links.linked_total,
        "linked_unsolved": links.linked_unsolved,
        "linked": [
            {"number": t.number, "id": t.id, "status": t.status, "requester": t.requester}
            for t in links.linked
        ],
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


def _print_ticket(
    t: TicketDetail,
    messages: list[ThreadMessage],
    trail: list[AuditRow],
    links: TicketLinks,
    escalations: list[EscalationRow],
) -> None:
    from agentdesk.domain.escalation import history_line  # noqa: PLC0415
    from agentdesk.domain.incidents import link_lines  # noqa: PLC0415
    from agentdesk.domain.text import one_line, visible_text  # noqa: PLC0415
    from agentdesk.domain.timefmt import timestamp  # noqa: PLC0415

    out = plain_console()
    requester = f"{one_line(t.requester_name)} <{one_line(t.requester_email)}>"
    org = f", {one_line(t.requester_org)}" if t.requester_org else ""
    out.print(f"#{t.number}  {one_line(t.subject)}", style="bold")
    out.print(f"Status {t.status} · Priority {t.priority} · Channel {t.channel} · Tier {t.tier}")
    out.print(f"Requester {requester} ({t.requester_plan}{org})")
    assignee = one_line(t.assignee_name) if t.assignee_name else "unassigned"
    out.print(f"Assignee {assignee} · Group {one_line(t.group_name or '—')}")
    out.print(f"Tags {' '.join(t.tags) or '—'}")
    out.print(f"Created {timestamp(t.created_at)} · Updated {timestamp(t.updated_at)}")
    for line in link_lines(links):
        out.print(line)
    if links.linked:
        shown = f"{len(links.linked)} of " if len(links.linked) < links.linked_total else ""
        out.print(f"Linked tickets ({shown}{links.linked_total}):")
        for linked in links.linked:
            out.print(
                f"  #{linked.number}  {linked.status}  {one_line(linked.requester)}  "
                f"{one_line(linked.subject)}"
            )
    if escalations:
        out.print(f"Escalations ({len(escalations)}, oldest first):")
        for escalation in escalations:
            out.print(f"  {history_line(escalation)}")
    out.print()
    out.print(f"Thread ({len(messages)} messages, oldest first)", style="bold")
    for m in messages:
        label = _KIND_LABEL.get(m.kind, m.kind) + (", restricted" if m.restricted else "")
        label += f", from #{m.source_number}" if m.source_number is not None else ""
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
    with desk_for(db, as_) as desk, refusals():
        applied = desk.reply(ticket, text)
    report_applied([applied], json_)


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
    with desk_for(db, as_) as desk, refusals():
        applied = desk.note(ticket, text, restricted=restricted)
    report_applied([applied], json_)


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
    with desk_for(db, as_) as desk, refusals():
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
    report_applied(applied, json_)


# --------------------------------------------------------------------------- incidents and merges


@ticket_app.command()
def link(
    tickets: Annotated[list[str], typer.Argument(help="The tickets to link: #1042, 1042 or ids.")],
    incident: Annotated[
        str, typer.Option("--incident", help="The incident (a ticket) to link to.")
    ],
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Link tickets to an incident, all in one transaction or none."""
    with desk_for(db, as_) as desk, refusals():
        applied = desk.bulk(tickets, lambda d, t: d.link_incident(t, incident))
    report_applied(applied, json_)


@ticket_app.command()
def unlink(
    ticket: TicketArg, json_: JsonOption = False, db: DbOption = None, as_: AsOption = None
) -> None:
    """Take a ticket out of its incident."""
    with desk_for(db, as_) as desk, refusals():
        applied = desk.unlink_incident(ticket)
    report_applied([applied], json_)


@ticket_app.command()
def merge(
    source: Annotated[str, typer.Argument(help="The duplicate: #1042, 1042 or its id.")],
    into: Annotated[str, typer.Option("--into", help="The ticket of the same requester to keep.")],
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Merge a duplicate into another ticket of the same requester; both threads are kept."""
    with desk_for(db, as_) as desk, refusals():
        applied = desk.merge(source, into)
    report_applied(applied, json_)
