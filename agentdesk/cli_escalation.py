"""`agentdesk escalate` and `agentdesk escalation list|ack|handback`, on the same Desk.

The rules, refusals and sentences are the TUI's (the Desk judges both), a refusal
is one line on stderr with exit 1, a usage mistake exit 2; ``--json`` keeps its
shape for scripts. Like :mod:`agentdesk.cli_ticket`, whose plumbing it shares,
importing this module is cheap: the store and the Desk load inside the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentdesk.cli_common import sub_app

escalation_app = sub_app(
    "escalation", "List, acknowledge and hand back escalations (the same rules as the TUI)."
)

# After escalation_app exists: agentdesk.cli imports this module to register it.
from agentdesk.cli import AsOption, DbOption, fail  # noqa: E402
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
    from storage.escalations import EscalationRow

EscalationArg = Annotated[
    str, typer.Argument(help="The ticket (#1042, 1042, its id) or the escalation's id.")
]


def escalate(
    ticket: TicketArg,
    tier: Annotated[int, typer.Option(help="The tier to escalate to: 2 or 3.")],
    reason: Annotated[
        str,
        typer.Option(
            help="bug, outage, billing, account-access, data-request, feature-gap or other."
        ),
    ],
    summary: Annotated[str, typer.Option(help="One line on what is wrong.")],
    tried: Annotated[str, typer.Option(help="The steps already tried.")],
    impact: Annotated[str, typer.Option(help="Who is affected, and how badly.")],
    group: Annotated[
        str | None, typer.Option(help="A group of the target tier (default: none).")
    ] = None,
    links: Annotated[str, typer.Option(help="Links and log excerpts.")] = "",
    link: Annotated[
        str | None, typer.Option("--link", help="The bug tracker's URL (http or https).")
    ] = None,
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Hand a ticket to a higher tier's queue with the handoff it needs."""
    with desk_for(db, as_) as desk, refusals():
        applied = desk.escalate(
            ticket,
            tier=tier,
            reason=reason,
            summary=summary,
            tried=tried,
            impact=impact,
            links=links,
            group=group,
            link=link,
        )
    report_applied([applied], json_)


@escalation_app.command("list")
def list_escalations(
    tier: Annotated[
        int | None, typer.Option(min=2, max=3, help="Only escalations to this tier.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every tier, not only yours.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Escalations in play: waiting ones first (the one due first on top), then taken ones.

    By default those to your tier (leads and admins: every tier).
    """
    from agentdesk.domain.escalation import TARGET_TIERS  # noqa: PLC0415
    from agentdesk.domain.roles import incoming_tiers  # noqa: PLC0415
    from agentdesk.domain.timefmt import now_ms  # noqa: PLC0415
    from storage.escalations import incoming  # noqa: PLC0415

    if tier is not None and all_:
        fail("give --tier or --all, not both", code=2)
    with workspace_for(db, as_) as workspace:
        own = incoming_tiers(workspace.agent.tier)
        tiers = (tier,) if tier is not None else TARGET_TIERS if all_ else own
        with refusals(), workspace.db.read() as conn:
            rows = incoming(conn, tiers)
    now = now_ms()
    if json_:
        echo_json({"tiers": list(tiers), "escalations": [escalation_json(r, now) for r in rows]})
        return
    if not tiers:
        typer.echo("No escalations come to tier 1; use --tier 2, --tier 3 or --all to look.")
        return
    _print_escalations(rows, tiers, now)


@escalation_app.command("ack")
def acknowledge(
    escalation: EscalationArg, json_: JsonOption = False, db: DbOption = None, as_: AsOption = None
) -> None:
    """Acknowledge an escalation to your tier: the ticket is assigned to you."""
    with desk_for(db, as_) as desk, refusals():
        applied = desk.acknowledge(escalation)
    report_applied([applied], json_)


@escalation_app.command("handback")
def hand_back(
    escalation: EscalationArg,
    instructions: Annotated[
        str, typer.Option(help="What the lower tier should do next ('-' reads stdin).")
    ],
    json_: JsonOption = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Hand the ticket back to the tier it came from, assigned to whoever escalated it."""
    import sys  # noqa: PLC0415

    text = sys.stdin.read() if instructions == "-" else instructions
    with desk_for(db, as_) as desk, refusals():
        applied = desk.hand_back(escalation, text)
    report_applied([applied], json_)


# --------------------------------------------------------------------------- output


def escalation_json(row: EscalationRow, now: int) -> dict[str, Any]:
    """One escalation for scripts, with its handoff-SLA state at ``now``."""
    from agentdesk.domain.escalation import escalation_sla  # noqa: PLC0415

    sla = escalation_sla(row, now)
    return {
        "id": row.id,
        "ticket": {"id": row.ticket_id, "number": row.number, "subject": row.subject},
        "priority": row.priority,
        "from_tier": row.from_tier,
        "to_tier": row.to_tier,
        "group": row.group_name,
        "reason": row.reason,
        "summary": row.summary,
        "tried": row.tried,
        "impact": row.impact,
        "links": row.links,
        "external_url": row.external_url,
        "created_by": row.created_by_name,
        "created_at": row.created_at,
        "state": row.state,
        "ack_due_at": sla.due_at,
        "handoff_sla": sla.state,
        "acknowledged_by": row.acknowledged_by_name,
        "acknowledged_at": row.acknowledged_at,
        "handed_back_by": row.handed_back_by_name,
        "handed_back_at": row.handed_back_at,
        "instructions": row.instructions,
        "continues": row.continues_id,
    }


def _print_escalations(rows: list[EscalationRow], tiers: tuple[int, ...], now: int) -> None:
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from agentdesk.domain.escalation import escalation_sla, reason_label  # noqa: PLC0415
    from agentdesk.domain.text import one_line  # noqa: PLC0415
    from agentdesk.domain.timefmt import ago  # noqa: PLC0415

    where = ", ".join(f"tier {t}" for t in tiers)
    table = Table(title=f"Escalations to {where}: {len(rows)}", box=box.SIMPLE_HEAD, pad_edge=False)
    # One line per escalation: fixed columns keep their width, the subject takes the rest
    # (rich would otherwise squeeze the fixed ones).
    console = plain_console()
    number = max((len(str(row.number)) for row in rows), default=1)
    several = len(tiers) > 1
    first = (("#", number), ("To", 2)) if several else (("#", number),)
    rest = (("From", 10), ("Reason", 14), ("Age", 4), ("Handoff", 12))
    used = sum(width + 3 for _, width in (*first, *rest)) + 3  # 3: padding and rule
    for header, width in (*first, ("Subject", max(12, console.width - used)), *rest):
        table.add_column(header, no_wrap=True, overflow="ellipsis", width=width)
    for row in rows:
        sla = escalation_sla(row, now)
        table.add_row(
            str(row.number),
            *([str(row.to_tier)] if several else []),
            Text(one_line(row.subject)),
            Text(one_line(row.created_by_name or "—")),
            reason_label(row.reason),
            ago(row.created_at, now),
            sla.describe(now),
        )
    console.print(table)
