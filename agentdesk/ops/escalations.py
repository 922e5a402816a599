"""Escalation ops: escalate, acknowledge, hand back — judged here, written by the Desk.

Each planner reads what it needs in the Desk's transaction, applies the rules of
:mod:`agentdesk.domain.escalation` and :mod:`agentdesk.domain.roles`, and returns
a Change whose ticket columns move the ticket between tiers and whose effects
write the escalation row and the readable internal note. The escalation and note
ids are made here unless the mutation carries them, so a replay on the hub writes
the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from agentdesk.domain.business_hours import Calendar
from agentdesk.domain.escalation import (
    AlreadyAcknowledged,
    GroupNotInTier,
    NoEscalation,
    ack_due_at,
    check_handoff,
    check_instructions,
    check_may_escalate,
    check_receives,
    hand_back_note,
    handoff_note,
    reason_label,
)
from agentdesk.domain.workflow import (
    Change,
    InvalidTransition,
    UnknownGroup,
    UnknownTicket,
    check_changeable,
)
from agentdesk.ops.base import PlanContext, Planner, arg_int, arg_optional_str, arg_str
from agentdesk.ops.sla import policy_of
from storage.escalations import (
    AcknowledgeEscalation,
    EscalationRow,
    HandBackEscalation,
    NewEscalation,
    TierGroup,
    agent_name,
    current_escalation,
    escalation_ticket,
    ticket_routing,
    tier_groups,
)
from storage.ids import new_ulid
from storage.sql import Connection
from storage.tickets import TicketNotFound, resolve_ticket_id
from storage.writes import Effect, InternalNote, TicketState


def escalation_target(conn: Connection, ref: str) -> tuple[str, dict[str, object]]:
    """A ticket reference or an escalation id -> (the ticket's id, the op's extra args).

    Acknowledging or handing back names the escalation when given one, so a stale
    list row is refused rather than applied to a newer escalation of the ticket.
    """
    try:
        return resolve_ticket_id(conn, ref), {}
    except TicketNotFound:
        ticket_id = escalation_ticket(conn, ref)
        if ticket_id is None:
            raise UnknownTicket(f"no ticket or escalation {ref.strip()}") from None
        return ticket_id, {"escalation_id": ref.strip().upper()}


# --------------------------------------------------------------------------- escalate


def _plan_escalate(context: PlanContext, state: TicketState, args: Mapping[str, object]) -> Change:
    conn, agent, number = context.conn, context.agent, state.number
    check_changeable(state)
    if state.status == "solved":
        raise InvalidTransition(f"#{number} is solved; reopen it before escalating it")
    routing = ticket_routing(conn, state.id)
    check_may_escalate(number, agent.tier, routing.tier)
    handoff = check_handoff(
        number,
        routing.tier,
        to_tier=arg_int(args, "tier"),
        reason=arg_str(args, "reason"),
        summary=arg_str(args, "summary"),
        tried=arg_str(args, "tried"),
        impact=arg_str(args, "impact"),
        links=arg_optional_str(args, "links") or "",
        external_url=arg_optional_str(args, "link"),
    )
    group = _target_group(conn, arg_optional_str(args, "group"), handoff.to_tier)
    previous = current_escalation(conn, state.id) if routing.tier > 1 else None
    escalation_id = arg_optional_str(args, "escalation_id") or new_ulid(context.now)
    message_id = arg_optional_str(args, "message_id") or new_ulid(context.now)
    effects: list[Effect] = []
    if previous is not None and previous.state == "open":
        effects.append(AcknowledgeEscalation(previous.id))  # passing it on is taking it
    effects.append(
        NewEscalation(
            id=escalation_id,
            from_tier=routing.tier,
            to_tier=handoff.to_tier,
            group_id=group.id if group else None,
            from_group_id=routing.group_id,
            reason=handoff.reason,
            summary=handoff.summary,
            tried=handoff.tried,
            impact=handoff.impact,
            links=handoff.links,
            external_url=handoff.external_url,
            ack_due_at=ack_due_at(routing.priority, context.now, _calendar(conn, state.id)),
            continues_id=previous.id if previous else None,
        )
    )
    group_name = group.name if group else None
    effects.append(
        InternalNote(message_id, handoff_note(handoff, from_tier=routing.tier, group=group_name))
    )
    return Change(
        op="escalate",
        args={
            "escalation_id": escalation_id,
            "message_id": message_id,
            "tier": handoff.to_tier,
            "group": group.id if group else None,
            "reason": handoff.reason,
            "summary": handoff.summary,
            "tried": handoff.tried,
            "impact": handoff.impact,
            "links": handoff.links,
            "link": handoff.external_url,
        },
        field="escalation",
        old_value=_where(routing.tier, routing.group_name),
        new_value=f"{_where(handoff.to_tier, group_name)} · {reason_label(handoff.reason)}",
        columns={"tier": handoff.to_tier, "group_id": group.id if group else None}
        | ({"assignee_id": None} if state.assignee_id is not None else {}),
        effects=tuple(effects),
    )


def _calendar(conn: Connection, ticket_id: str) -> Calendar | None:
    """The business hours of the ticket's SLA policy, which the handoff target counts."""
    policy = policy_of(conn, ticket_id)
    return None if policy is None else policy.calendar


def _target_group(conn: Connection, ref: str | None, tier: int) -> TierGroup | None:
    """The group named (by id or name), which must serve ``tier``; ``None`` for no group."""
    if ref is None or not ref.strip():
        return None
    groups = tier_groups(conn)
    wanted = ref.strip().lower()
    found = next((g for g in groups if wanted in (g.id.lower(), g.name.lower())), None)
    if found is None:
        raise UnknownGroup(f"no group {ref.strip()!r}")
    if found.tier != tier:
        fitting = ", ".join(g.name for g in groups if g.tier == tier) or "none exist"
        raise GroupNotInTier(
            f"{found.name} is a tier-{found.tier} group; tier-{tier} groups: {fitting}", "group"
        )
    return found


def _where(tier: int, group: str | None) -> str:
    return f"tier {tier}" + (f" ({group})" if group else "")


# --------------------------------------------------------------------------- acknowledge


def _plan_acknowledge(
    context: PlanContext, state: TicketState, args: Mapping[str, object]
) -> Change:
    agent = context.agent
    check_changeable(state)
    current = _current(context.conn, state, args, "acknowledge")
    if current.state == "acknowledged":
        who = current.acknowledged_by_name or "someone"
        raise AlreadyAcknowledged(
            f"#{state.number}'s escalation to tier {current.to_tier} was already "
            f"acknowledged by {who}"
        )
    if current.state != "open":
        raise NoEscalation(
            f"#{state.number}'s escalation ended when the ticket was solved; nothing to acknowledge"
        )
    check_receives(agent.tier, current.to_tier, "acknowledge")
    columns: dict[str, object] = {}
    if state.assignee_id != agent.id:
        columns["assignee_id"] = agent.id
    return Change(
        op="acknowledge_escalation",
        args={"escalation_id": current.id},
        field="escalation",
        old_value=f"tier {current.to_tier}, waiting",
        new_value=f"tier {current.to_tier}, acknowledged by {agent.email}",
        columns=columns,
        effects=(AcknowledgeEscalation(current.id),),
    )


# --------------------------------------------------------------------------- hand back


def _plan_hand_back(context: PlanContext, state: TicketState, args: Mapping[str, object]) -> Change:
    conn = context.conn
    check_changeable(state)
    if state.status == "solved":
        raise InvalidTransition(f"#{state.number} is solved; reopen it before handing it back")
    current = _current(conn, state, args, "hand back")
    check_receives(context.agent.tier, current.to_tier, "hand back")
    instructions = check_instructions(arg_str(args, "instructions"))
    back_to, back_to_name = _escalated_by(conn, current)
    message_id = arg_optional_str(args, "message_id") or new_ulid(context.now)
    note = hand_back_note(
        from_tier=current.to_tier,
        to_tier=current.from_tier,
        assignee=back_to_name,
        instructions=instructions,
    )
    return Change(
        op="hand_back",
        args={"escalation_id": current.id, "message_id": message_id, "instructions": instructions},
        field="escalation",
        old_value=f"tier {current.to_tier}",
        new_value=f"handed back to tier {current.from_tier}",
        columns={
            "tier": current.from_tier,
            "group_id": current.from_group_id,
            "assignee_id": back_to,
        },
        effects=(HandBackEscalation(current.id, instructions), InternalNote(message_id, note)),
    )


def _escalated_by(conn: Connection, row: EscalationRow) -> tuple[str | None, str | None]:
    """The agent who escalated, if they are still active: the ticket goes back to them."""
    named = None if row.created_by_id is None else agent_name(conn, row.created_by_id)
    if named is None or not named[1]:
        return None, None
    return row.created_by_id, named[0]


# --------------------------------------------------------------------------- shared


def _current(
    conn: Connection, state: TicketState, args: Mapping[str, object], verb: str
) -> EscalationRow:
    """The ticket's escalation in force, which must be the one named in ``args`` (if any)."""
    current = current_escalation(conn, state.id)
    if current is None:
        raise NoEscalation(f"#{state.number} has no escalation to {verb}")
    named = arg_optional_str(args, "escalation_id")
    if named is not None and named != current.id:
        raise NoEscalation(
            f"that escalation of #{state.number} is no longer in force (it was handed back or "
            f"escalated further); the current one is to tier {current.to_tier}"
        )
    return current


#: The escalation ops, merged into the Desk's registry.
PLANNERS: Final[Mapping[str, Planner]] = {
    "escalate": _plan_escalate,
    "acknowledge_escalation": _plan_acknowledge,
    "hand_back": _plan_hand_back,
}
