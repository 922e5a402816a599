"""Planners for incident links and merges (rules in :mod:`agentdesk.domain.incidents`).

Each op changes the one ticket it names; the other ticket of the pair (the
incident, the merge target or source) is only read. A merge is therefore two
mutations, ``merge`` on the source then ``record_merge`` on the target, which
:meth:`agentdesk.desk.Desk.merge` applies in one transaction; each replays on
its own by name, and ``record_merge`` is refused unless ``merge`` came first.

Their internal notes are written as effects rather than as the Change's
message: the Desk treats a message as the agent's own note being sent and drops
their note draft on that ticket, which a merge must not do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final

from agentdesk.domain.incidents import (
    merge_note,
    plan_link,
    plan_merge,
    plan_record_merge,
    plan_unlink,
    record_note,
)
from agentdesk.domain.workflow import Change
from agentdesk.ops.base import PlanContext, Planner, arg_optional_str, arg_str, resolve_ticket
from storage.ids import new_ulid
from storage.incidents import LinkFacts, link_facts, merge_recorded
from storage.writes import InternalNote, TicketState


def _facts(context: PlanContext, ref: str) -> LinkFacts:
    found = link_facts(context.conn, resolve_ticket(context.conn, ref))
    assert found is not None  # resolved in this transaction
    return found


def _message_id(context: PlanContext, args: Mapping[str, object]) -> str:
    """The note's id: kept from a replayed mutation, else made now."""
    return arg_optional_str(args, "message_id") or new_ulid(context.now)


def _link(context: PlanContext, state: TicketState, args: Mapping[str, object]) -> Change:
    return plan_link(_facts(context, state.id), _facts(context, arg_str(args, "incident")))


def _unlink(context: PlanContext, state: TicketState, _args: Mapping[str, object]) -> Change:
    return plan_unlink(_facts(context, state.id))


def _merge(context: PlanContext, state: TicketState, args: Mapping[str, object]) -> Change:
    target = _facts(context, arg_str(args, "into"))
    message_id = _message_id(context, args)
    change = plan_merge(_facts(context, state.id), target, message_id)
    return dataclasses.replace(change, effects=(InternalNote(message_id, merge_note(target)),))


def _record_merge(context: PlanContext, state: TicketState, args: Mapping[str, object]) -> Change:
    source = _facts(context, arg_str(args, "source"))
    recorded = merge_recorded(context.conn, state.id, source.number)
    message_id = _message_id(context, args)
    change = plan_record_merge(_facts(context, state.id), source, message_id, recorded=recorded)
    return dataclasses.replace(change, effects=(InternalNote(message_id, record_note(source)),))


PLANNERS: Final[dict[str, Planner]] = {
    "link_incident": _link,
    "unlink_incident": _unlink,
    "merge": _merge,
    "record_merge": _record_merge,
}
