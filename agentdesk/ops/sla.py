"""SLA clocks through the Desk: kept current by every write that moves one, and policy edits.

A clock moves when a ticket's status, priority (its policy is chosen again) or
public thread changes. The Desk notes every ticket such a change touches
(:func:`moves_clock`) and, before its transaction commits, recomputes their clocks
from the stored history (:func:`refresh`): one place for every op, present and
future, instead of a step in each. Derived columns carry no audit event and no
outbox row; a replica computes its own from the same inputs and code.

Editing a policy (``set_sla_policy``) is a mutation that is not about a ticket: one
transaction with its audit event and outbox row. The tickets it may affect are then
recomputed in batches (:func:`recompute`), each its own short transaction, so other
writers and readers never wait long.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Final

from agentdesk.domain import roles
from agentdesk.domain.business_hours import calendar_json, parse_calendar
from agentdesk.domain.sla import (
    PLANS,
    Policy,
    SlaClocks,
    State,
    Target,
    choose_policy,
    describe_policy,
    load_policy,
    recorded_timeline,
    sla_clocks,
    stored,
)
from agentdesk.domain.workflow import (
    PRIORITIES,
    Change,
    DeskError,
    InvalidValue,
    NothingToChange,
    NotPermitted,
)
from agentdesk.ops.base import PlanContext, WorkspaceChange, WorkspacePlanner, arg_optional_str
from storage.ids import new_ulid
from storage.sla import (
    ClockRow,
    PolicyRow,
    SlaInput,
    SlaResult,
    policy_named,
    policy_rows,
    priority_and_plan,
    save_policy,
    sla_inputs,
    tickets_after,
    write_results,
)
from storage.sql import Connection, Store

#: Tickets per recompute transaction: about a tenth of a second of clocks each.
RECOMPUTE_BATCH: Final = 2000

# --------------------------------------------------------------------------- policies

_parsed: dict[PolicyRow, Policy | DeskError] = {}
_parsed_lock = threading.Lock()


def parse_row(row: PolicyRow) -> Policy | DeskError:
    """A row's policy, parsed once while the row stays the same (a calendar keeps the
    days it has worked out, which is what makes it fast), or why it cannot be used."""
    with _parsed_lock:
        found = _parsed.get(row)
        if found is None:
            try:
                found = load_policy(**asdict(row))
            except DeskError as error:
                found = error
            if len(_parsed) > 256:  # edits pile up rows that no longer exist
                _parsed.clear()
            _parsed[row] = found
        return found


def usable(rows: Iterable[PolicyRow]) -> list[Policy]:
    """The rows' policies in the order given; one that cannot be used is left out
    (``sla list`` says why), so a bad row from elsewhere never blocks a reply."""
    return [p for p in map(parse_row, rows) if isinstance(p, Policy)]


def policies(conn: Connection) -> list[Policy]:
    """The store's usable policies, in the order they are tried."""
    return usable(policy_rows(conn))


def policy_of(conn: Connection, ticket_id: str) -> Policy | None:
    """The policy that applies to the ticket now (escalations count their handoff target
    in its business hours)."""
    found = priority_and_plan(conn, ticket_id)
    return None if found is None else choose_policy(policies(conn), *found)


# --------------------------------------------------------------------------- clocks


def moves_clock(change: Change) -> bool:
    """Whether a change can move a clock: status, priority, or a public reply."""
    public = change.message is not None and change.message.kind == "public"
    return public or "status" in change.columns or "priority" in change.columns


@dataclass(frozen=True, slots=True)
class TicketSla:
    """A ticket's policy and clocks at one instant (the ticket screen's line)."""

    policy: Policy | None
    clocks: SlaClocks | None


class Chooser:
    """:func:`~agentdesk.domain.sla.choose_policy` for many tickets: each (priority,
    plan) pair is decided once."""

    def __init__(self, every: Sequence[Policy]) -> None:
        self._every = every
        self._chosen: dict[tuple[str, str], Policy | None] = {}

    def __call__(self, priority: str, plan: str) -> Policy | None:
        """The policy of a ticket of this priority whose requester is on this plan."""
        key = (priority, plan)
        if key not in self._chosen:
            self._chosen[key] = choose_policy(self._every, priority, plan)
        return self._chosen[key]


def clocks_of(policy: Policy, item: SlaInput, now: int) -> SlaClocks:
    """A ticket's clocks under ``policy`` at ``now``, from its stored history."""
    timeline = recorded_timeline(
        created_at=item.created_at,
        status=item.status,
        updated_at=item.updated_at,
        changes=item.changes,
        customer_messages=item.customer_messages,
        public_replies=item.public_replies,
    )
    return sla_clocks(policy, timeline, now)


def result_for(policy: Policy | None, item: SlaInput, now: int) -> SlaResult:
    """What the store keeps of a ticket's clocks at ``now`` (the demo calls it for every
    ticket it makes, so it stays lean)."""
    if policy is None:
        return SlaResult(item.id, None, None, None, None, ())
    clocks = clocks_of(policy, item, now)
    kept = stored(clocks)
    rows = []
    cycle = 0
    for clock in clocks.clocks:
        target = clock.target
        if target is Target.NEXT_RESPONSE:
            cycle += 1
        met = None if clock.ended_at is None else int(clock.state is State.MET)
        rows.append(
            ClockRow(
                target.value,
                cycle if target is Target.NEXT_RESPONSE else 0,
                clock.started_at,
                clock.ended_at,
                clock.elapsed_ms,
                clock.target_ms,
                clock.due_at,
                met,
            )
        )
    target_name = None if kept.target is None else kept.target.value
    return SlaResult(item.id, policy.id, kept.due_at, target_name, kept.paused_left_ms, tuple(rows))


def refresh(conn: Connection, ticket_ids: Sequence[str], now: int) -> int:
    """Recompute and store these tickets' clocks in the caller's transaction."""
    if not ticket_ids:
        return 0
    choose = Chooser(policies(conn))
    results = [
        result_for(choose(item.priority, item.plan), item, now)
        for item in sla_inputs(conn, ticket_ids)
    ]
    return write_results(conn, results)


def ticket_sla(conn: Connection, ticket_id: str, now: int) -> TicketSla:
    """A ticket's policy and clocks as they stand at ``now`` (nothing is written)."""
    found = sla_inputs(conn, [ticket_id])
    policy = choose_policy(policies(conn), found[0].priority, found[0].plan) if found else None
    if policy is None:
        return TicketSla(None, None)
    return TicketSla(policy, clocks_of(policy, found[0], now))


def recompute(
    db: Store,
    *,
    now: int,
    unsolved_only: bool = True,
    matching: Sequence[tuple[str | None, str | None]] | None = None,
    batch: int = RECOMPUTE_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute the clocks of many tickets, ``batch`` per transaction; returns how many.

    ``matching`` limits it to tickets of those (priority, plan) pairs (see
    :func:`affected`). ``progress(done)`` is called after each transaction.
    """
    done = after = 0
    while True:
        with db.transaction() as conn:
            found = tickets_after(
                conn, after, batch, unsolved_only=unsolved_only, matching=matching
            )
            if not found:
                return done
            done += refresh(conn, [ticket_id for _, ticket_id in found], now)
        after = found[-1][0]
        if progress is not None:
            progress(done)


def affected(*rows: PolicyRow | None) -> list[tuple[str | None, str | None]]:
    """The (priority, plan) pairs whose tickets may choose another policy when these
    policies change: the ones each matches, before and after."""
    return [(row.priority, row.plan) for row in rows if row is not None]


# --------------------------------------------------------------------------- editing policies

_EDITABLE: Final = (
    "name",
    "priority",
    "plan",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "calendar",
    "position",
)


@dataclass(frozen=True, slots=True)
class SavePolicy:
    """Insert or replace one policy's row."""

    row: PolicyRow

    def write(self, conn: Connection) -> None:
        """Write the row."""
        save_policy(conn, self.row)


def _optional_int(args: Mapping[str, object], key: str) -> int | None:
    value = args.get(key)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise InvalidValue(f"'{key}' must be a whole number or null")
    return value


def _choice(args: Mapping[str, object], key: str, allowed: Sequence[str]) -> str | None:
    value = arg_optional_str(args, key)
    if value is not None and value not in allowed:
        raise InvalidValue(f"unknown {key} {value!r}; use one of {', '.join(allowed)} or none")
    return value


def plan_set_policy(context: PlanContext, args: Mapping[str, object]) -> WorkspaceChange:
    """Create a policy, or change one (found by id, else by name): fields left out of
    ``args`` keep their value (a new policy: no target, around the clock, tried last).
    The mutation carries the whole row, so a replay writes exactly the same policy."""
    conn = context.conn
    if not roles.manages_sla_policies(context.agent.tier):
        raise NotPermitted(
            "SLA policies are set by leads and admins; act as one (--as EMAIL) to change them"
        )
    name = " ".join(str(args.get("name") or "").split())
    if not name:
        raise InvalidValue("a policy needs a name")
    old = _existing(conn, arg_optional_str(args, "id"), name)
    taken = policy_named(conn, name)
    if taken is not None and (old is None or taken.id != old.id):
        raise InvalidValue(f"another policy is already called {taken.name!r}")
    given = {key: args[key] for key in _EDITABLE if key in args}
    before = asdict(old) if old is not None else {"calendar": "{}", "position": None}
    merged = {key: given.get(key, before.get(key)) for key in _EDITABLE}
    calendar = merged["calendar"]
    if not isinstance(calendar, str | Mapping):
        raise InvalidValue("'calendar' must be a calendar object or its JSON text")
    position = _optional_int(merged, "position")
    row = PolicyRow(
        id=old.id if old is not None else arg_optional_str(args, "id") or new_ulid(context.now),
        name=name,
        priority=_choice(merged, "priority", PRIORITIES),
        plan=_choice(merged, "plan", PLANS),
        first_response_minutes=_optional_int(merged, "first_response_minutes"),
        next_response_minutes=_optional_int(merged, "next_response_minutes"),
        resolution_minutes=_optional_int(merged, "resolution_minutes"),
        calendar=calendar_json(parse_calendar(calendar)),
        position=_next_position(conn) if position is None else position,
    )
    policy = load_policy(**asdict(row))  # every field checked, named in the refusal
    targets = (row.first_response_minutes, row.next_response_minutes, row.resolution_minutes)
    if all(target is None for target in targets):
        raise InvalidValue(f"SLA policy {name!r}: set at least one target")
    before_row = old if old is None else replace(old, calendar=_normal_calendar(old.calendar))
    changed = [
        key
        for key in _EDITABLE
        if before_row is None or getattr(before_row, key) != getattr(row, key)
    ]
    if not changed:
        raise NothingToChange(f"SLA policy {name!r} is already like that")
    old_text = None
    if old is not None:
        parsed = parse_row(old)
        old_text = describe_policy(parsed) if isinstance(parsed, Policy) else old.name
    return WorkspaceChange(
        op="set_sla_policy",
        args=asdict(row),
        field="sla_policy" if old is None else ",".join(changed),
        old_value=old_text,
        new_value=describe_policy(policy),
        effects=(SavePolicy(row),),
    )


def _normal_calendar(text: str) -> str:
    """A stored calendar in the form the planner writes ('{}' and its spelt-out form are
    the same calendar); an unusable one as it is."""
    try:
        return calendar_json(parse_calendar(text))
    except DeskError:
        return text


def _existing(conn: Connection, policy_id: str | None, name: str) -> PolicyRow | None:
    if policy_id is None:
        return policy_named(conn, name)
    return next((row for row in policy_rows(conn) if row.id == policy_id), None)


def _next_position(conn: Connection) -> int:
    """After every existing policy: a new one is tried last."""
    return max((row.position for row in policy_rows(conn)), default=-1) + 1


#: Policy edits, which are not about a ticket.
WORKSPACE_PLANNERS: Final[Mapping[str, WorkspacePlanner]] = {
    "set_sla_policy": plan_set_policy,
}
