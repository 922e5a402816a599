"""SLA policies and clocks: which targets a ticket has, and where each one stands.

Definitions (written here once; the reports and the README must say the same):

- **Counting.** A clock counts business time of its policy's calendar only while the
  ticket is ``new`` or ``open``. ``pending`` and ``on-hold`` pause it (we wait on the
  customer or a third party); ``solved`` and ``closed`` stop it. A status change at
  instant *t* applies from *t* on.
- **First response**: from creation to the first public reply, or to the first solve
  if the ticket is solved without one (solving answers it).
- **Next response**: one cycle per customer message that arrives after the first
  response has ended and while no cycle is open; it ends at the next public reply (or
  solve) at or after the message. Later customer messages of the same cycle belong to
  it; one at the very millisecond of the reply counts as answered by it. A customer
  message on a solved ticket ends its cycle at once (met) unless the ticket was reopened
  at or before that instant.
- **Resolution**: from creation to solved, excluding paused time and time spent solved;
  a reopened ticket's clock resumes where it stopped and the target is ended by the
  last solve.
- **Due**: the instant the counted time reaches the target. For a clock still running
  it is where the target falls if the ticket keeps its status; it does not move while
  time passes, only when an event changes the clock, so it can be stored and indexed.
  A paused clock that has not yet breached has no due instant.
- **State**: ``met`` (ended within target), ``breached`` (ended late, or due instant
  passed), ``running`` or ``paused`` (not ended, not yet due).

The policy of a ticket is the first one, in ``position`` order, matching its priority
and its requester's plan (a policy field left empty matches anything), as Zendesk
chooses: put specific policies above general ones. Targets are re-evaluated with the
current priority, from creation.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import itemgetter
from typing import Final, NamedTuple

from agentdesk.domain.business_hours import (
    MINUTE_MS,
    Calendar,
    InvalidCalendar,
    hours_text,
    parse_calendar,
)
from agentdesk.domain.sla_badge import SlaBadge, badge
from agentdesk.domain.timefmt import ago
from agentdesk.domain.workflow import PRIORITIES, STATUSES, InvalidValue

PLANS: Final = ("free", "pro", "enterprise")
#: Statuses in which the clocks count; the others pause (pending, on-hold) or stop them.
COUNTING: Final = frozenset({"new", "open"})
_DONE: Final = frozenset({"solved", "closed"})
_KNOWN_STATUSES: Final = frozenset(STATUSES)
_FOREVER: Final = 2**62


class Target(StrEnum):
    """The three SLA targets a policy may set."""

    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class State(StrEnum):
    """Where one target stands."""

    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Policy:
    """One ``sla_policy`` row, its calendar parsed; a ``None`` target is not measured."""

    id: str
    name: str
    priority: str | None
    plan: str | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    calendar: Calendar
    position: int = 0

    def matches(self, priority: str, plan: str) -> bool:
        """Whether the policy applies to a ticket of this priority and requester plan."""
        return self.priority in (None, priority) and self.plan in (None, plan)

    @property
    def targets_ms(self) -> tuple[int | None, int | None, int | None]:
        """First response, next response and resolution in milliseconds (``None``: not set)."""
        return (
            self.target_ms(Target.FIRST_RESPONSE),
            self.target_ms(Target.NEXT_RESPONSE),
            self.target_ms(Target.RESOLUTION),
        )

    def target_ms(self, target: Target) -> int | None:
        """A target in milliseconds of business time, or ``None`` if not set."""
        if target is Target.FIRST_RESPONSE:
            minutes = self.first_response_minutes
        elif target is Target.NEXT_RESPONSE:
            minutes = self.next_response_minutes
        else:
            minutes = self.resolution_minutes
        return None if minutes is None else minutes * MINUTE_MS


def load_policy(
    *,
    id: str,
    name: str,
    priority: str | None,
    plan: str | None,
    first_response_minutes: int | None,
    next_response_minutes: int | None,
    resolution_minutes: int | None,
    calendar: str,
    position: int = 0,
) -> Policy:
    """A policy from a row's columns (``load_policy(**row)``), checked.

    Raises:
        InvalidValue: naming the policy and the field, e.g. a bad calendar or a target of 0.
    """
    where = f"SLA policy {name!r}"
    if priority is not None and priority not in PRIORITIES:
        raise InvalidValue(f"{where}: unknown priority {priority!r}; use {', '.join(PRIORITIES)}")
    if plan is not None and plan not in PLANS:
        raise InvalidValue(f"{where}: unknown plan {plan!r}; use {', '.join(PLANS)}")
    targets = {
        "first_response_minutes": first_response_minutes,
        "next_response_minutes": next_response_minutes,
        "resolution_minutes": resolution_minutes,
    }
    for column, minutes in targets.items():
        if minutes is not None and (type(minutes) is not int or minutes <= 0):
            raise InvalidValue(
                f"{where}: {column} must be a whole number of minutes above 0, got {minutes!r}"
            )
    try:
        parsed = parse_calendar(calendar)
    except InvalidCalendar as error:
        raise InvalidCalendar(f"{where}: {error}") from None
    return Policy(
        id,
        name,
        priority,
        plan,
        first_response_minutes,
        next_response_minutes,
        resolution_minutes,
        parsed,
        position,
    )


def applies_to(policy: Policy) -> str:
    """'urgent · enterprise', 'any priority · pro', 'every ticket'."""
    if policy.priority is None and policy.plan is None:
        return "every ticket"
    return f"{policy.priority or 'any priority'} · {policy.plan or 'any plan'}"


_UNIT_MINUTES: Final = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
_DURATION: Final = re.compile(r"(?:\d+[mhdw])+")


def target_minutes(text: str) -> int | None:
    """A target as people write it: '30m', '4h', '1h30m', '2d' (48 hours of business
    time), or 'none' (not measured) -> minutes, or ``None``.

    Raises:
        InvalidValue: anything else, or a target of zero.
    """
    word = text.strip().lower()
    if word == "none":
        return None
    if not _DURATION.fullmatch(word):
        raise InvalidValue(f"{text!r} is not a target such as 30m, 4h, 1h30m or 2d (or none)")
    minutes = sum(int(n) * _UNIT_MINUTES[unit] for n, unit in re.findall(r"(\d+)([mhdw])", word))
    if minutes <= 0:
        raise InvalidValue(f"{text!r}: a target must be above zero")
    return minutes


def target_text(minutes: int | None) -> str:
    """A target for people, in business time ('8h', '30m'), or '—' when not measured."""
    return "—" if minutes is None else business_span(minutes * MINUTE_MS)


def describe_policy(policy: Policy) -> str:
    """One line: 'Normal (normal · any plan): first reply 8h, next reply 16h, resolution
    72h; mon-fri 09:00-17:00 Europe/Berlin' (the audit trail's old and new value)."""
    targets = ", ".join(
        f"{TARGET_LABELS[target]} {target_text(minutes)}"
        for target, minutes in (
            (Target.FIRST_RESPONSE, policy.first_response_minutes),
            (Target.NEXT_RESPONSE, policy.next_response_minutes),
            (Target.RESOLUTION, policy.resolution_minutes),
        )
    )
    calendar = policy.calendar
    holidays = f", {len(calendar.holidays)} holidays" if calendar.holidays else ""
    hours = f"{hours_text(calendar)} {calendar.tz.key}{holidays}"
    return f"{policy.name} ({applies_to(policy)}): {targets}; {hours}"


def choose_policy(policies: Iterable[Policy], priority: str, plan: str) -> Policy | None:
    """The first policy in position order (then name) matching the priority and plan."""
    matching = [p for p in policies if p.matches(priority, plan)]
    return min(matching, key=lambda p: (p.position, p.name), default=None)


# --------------------------------------------------------------------------- clocks


@dataclass(frozen=True, slots=True)
class Timeline:
    """What the clocks need to know of a ticket, all in epoch milliseconds.

    ``statuses`` are the changes ``(at, new_status)``; before the first one the ticket
    has ``initial_status``. Internal notes are not part of it: they answer no one.
    """

    created_at: int
    statuses: tuple[tuple[int, str], ...] = ()
    customer_messages: tuple[int, ...] = ()
    public_replies: tuple[int, ...] = ()
    initial_status: str = "new"

    def __post_init__(self) -> None:
        for status in (self.initial_status, *(s for _, s in self.statuses)):
            if status not in _KNOWN_STATUSES:
                raise InvalidValue(f"unknown status {status!r} in a ticket's timeline")


def recorded_timeline(
    *,
    created_at: int,
    status: str,
    updated_at: int,
    changes: Iterable[tuple[int, str]],
    customer_messages: Iterable[int],
    public_replies: Iterable[int],
) -> Timeline:
    """A ticket's timeline from its stored status history and thread.

    If the history does not end in the ticket's current status (it was written before
    history was kept, or two changes in one millisecond were recorded out of order),
    the current status is taken to hold since the ticket's last update.
    """
    statuses = sorted(changes, key=itemgetter(0))
    last = statuses[-1][1] if statuses else "new"
    if last != status:
        statuses.append((max(updated_at, statuses[-1][0]) if statuses else updated_at, status))
    return Timeline(
        created_at=created_at,
        statuses=tuple(statuses),
        customer_messages=tuple(customer_messages),
        public_replies=tuple(public_replies),
    )


class TargetClock(NamedTuple):
    """One target of one ticket: when it started and ended, time used, when it is due.

    Named tuples rather than frozen dataclasses for the clocks: as immutable, and a few
    times cheaper to make, which a recompute of a million tickets (or the demo) feels.
    """

    target: Target
    target_ms: int
    started_at: int
    ended_at: int | None
    elapsed_ms: int
    due_at: int | None
    state: State

    @property
    def remaining_ms(self) -> int:
        """Business time left; negative once breached."""
        return self.target_ms - self.elapsed_ms


class SlaClocks(NamedTuple):
    """Every target clock of a ticket under one policy, at one instant."""

    first_response: TargetClock | None
    next_responses: tuple[TargetClock, ...]
    resolution: TargetClock | None

    @property
    def clocks(self) -> tuple[TargetClock, ...]:
        """All clocks, first response first."""
        every = (self.first_response, *self.next_responses, self.resolution)
        return tuple(clock for clock in every if clock is not None)

    @property
    def next_due(self) -> TargetClock | None:
        """The open target that falls due first (a breached one if any); a paused one only
        when nothing else is open, the one with least time left."""
        dated: TargetClock | None = None
        paused: TargetClock | None = None
        for clock in self.clocks:
            if clock.ended_at is not None:
                continue
            if clock.due_at is not None:
                if dated is None or clock.due_at < (dated.due_at or 0):
                    dated = clock
            elif paused is None or clock.remaining_ms < paused.remaining_ms:
                paused = clock
        return dated if dated is not None else paused

    @property
    def due_at(self) -> int | None:
        """The instant the queue sorts by: the next due target's, ``None`` if none or paused."""
        clock = self.next_due
        return None if clock is None else clock.due_at


def sla_clocks(policy: Policy, timeline: Timeline, now: int) -> SlaClocks:
    """Every target clock of a ticket as it stands at ``now`` (see the module's definitions).

    Plain functions over lists on purpose: this runs for every ticket a recompute (or
    the demo) touches, where object and call overhead cost more than the arithmetic.
    """
    history = _history(timeline)
    status_now = _status_at(history, now)
    counting = status_now in COUNTING
    first_ms, next_ms, resolution_ms = policy.targets_ms
    created = timeline.created_at

    def clock(target: Target, target_ms: int, start: int, end: int | None) -> TargetClock:
        return _clock(target, target_ms, start, end, history.runs, policy.calendar, counting, now)

    first_end = _answered(history, created)
    cycles: list[TargetClock] = []
    covered = first_end
    for message in sorted(timeline.customer_messages):
        if covered is None or next_ms is None:
            break
        if message > covered:
            covered = _answered(history, message)
            cycles.append(clock(Target.NEXT_RESPONSE, next_ms, message, covered))
    resolved = history.solves[-1] if status_now in _DONE else None
    return SlaClocks(
        None if first_ms is None else clock(Target.FIRST_RESPONSE, first_ms, created, first_end),
        tuple(cycles),
        None
        if resolution_ms is None
        else clock(Target.RESOLUTION, resolution_ms, created, resolved),
    )


class _History(NamedTuple):
    """A timeline's status changes in order, and what the clocks ask of them."""

    initial: str
    changes: list[tuple[int, str]]
    instants: list[int]
    #: Stretches ``[a, b)`` in which the status lets the clocks count.
    runs: list[tuple[int, int]]
    #: Each instant the ticket enters solved or closed (creation, if it starts so).
    solves: list[int]
    replies: list[int]


def _history(timeline: Timeline) -> _History:
    created, initial = timeline.created_at, timeline.initial_status
    changes: Sequence[tuple[int, str]] = timeline.statuses
    if any(at < created for at, _ in changes):  # a change before creation counts from it
        changes = [(max(at, created), status) for at, status in changes]
    changes = sorted(changes, key=itemgetter(0))  # stable: same-instant changes keep order
    runs: list[tuple[int, int]] = []
    solves = [created] if initial in _DONE else []
    since = created if initial in COUNTING else None
    previous = initial
    for at, status in changes:
        if status in COUNTING:
            if since is None:
                since = at
        elif since is not None:
            runs.append((since, at))
            since = None
        if status in _DONE and previous not in _DONE:
            solves.append(at)
        previous = status
    if since is not None:
        runs.append((since, _FOREVER))
    replies = sorted(timeline.public_replies)
    if replies and replies[0] < created:
        replies = [r for r in replies if r >= created]
    return _History(initial, changes, [at for at, _ in changes], runs, solves, replies)


def _status_at(history: _History, at: int) -> str:
    """The status from ``at`` on (a change at ``at`` applies)."""
    index = bisect_right(history.instants, at)
    return history.changes[index - 1][1] if index else history.initial


def _answered(history: _History, since: int) -> int | None:
    """When a reply target started at ``since`` ends: at once if the ticket is solved
    then, else at the first public reply or solve after it; ``None`` if not yet."""
    if _status_at(history, since) in _DONE:
        return since
    replies, solves = history.replies, history.solves
    reply, solve = bisect_left(replies, since), bisect_left(solves, since)
    first = replies[reply] if reply < len(replies) else None
    if solve < len(solves) and (first is None or solves[solve] < first):
        return solves[solve]
    return first


def _clock(
    target: Target,
    target_ms: int,
    start: int,
    end: int | None,
    runs: list[tuple[int, int]],
    calendar: Calendar,
    counting: bool,
    now: int,
) -> TargetClock:
    limit = now if end is None else end
    elapsed = 0
    due: int | None = None
    for run_start, run_end in runs:
        a = run_start if run_start > start else start
        b = run_end if run_end < limit else limit
        if a >= b:
            continue
        used = calendar.between(a, b)
        if due is None and elapsed + used >= target_ms:
            due = calendar.add(a, target_ms - elapsed)
        elapsed += used
    running = end is None and counting
    if running and due is None:
        due = calendar.add(now, target_ms - elapsed)
    if end is not None:
        state = State.MET if elapsed <= target_ms else State.BREACHED
    elif due is not None and due <= now:
        state = State.BREACHED
    else:
        state = State.RUNNING if running else State.PAUSED
    return TargetClock(target, target_ms, start, end, elapsed, due, state)


# --------------------------------------------------------------------------- what the store keeps


class StoredSla(NamedTuple):
    """The ticket row's SLA columns: the queue sorts, filters and paints from these alone.

    ``due_at`` is the next due target's instant (``None``: none open, or paused and not
    breached); ``paused_left_ms`` is the business time left of a paused next target.
    """

    due_at: int | None
    target: Target | None
    paused_left_ms: int | None


NO_SLA: Final = StoredSla(None, None, None)


def stored(clocks: SlaClocks) -> StoredSla:
    """The columns for a ticket's clocks (see :attr:`SlaClocks.next_due`)."""
    clock = clocks.next_due
    if clock is None:
        return NO_SLA
    paused_left = clock.remaining_ms if clock.due_at is None else None
    return StoredSla(clock.due_at, clock.target, paused_left)


# --------------------------------------------------------------------------- the queue's badge


def sla_badge(clocks: SlaClocks, now: int, window_ms: int) -> SlaBadge:
    """The column for a ticket's clocks: its next due target (see :func:`badge`)."""
    columns = stored(clocks)
    paused = columns.paused_left_ms is not None
    return badge(columns.due_at, paused=paused, now=now, window_ms=window_ms)


# --------------------------------------------------------------------------- the ticket screen

TARGET_LABELS: Final = {
    Target.FIRST_RESPONSE: "first reply",
    Target.NEXT_RESPONSE: "next reply",
    Target.RESOLUTION: "resolution",
}


def business_span(ms: int) -> str:
    """Business time in hours and minutes ('42m', '1h18m', '72h'): a business day is
    not 24 hours, so days would mislead."""
    minutes = max(0, ms) // MINUTE_MS
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes}m"
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


def describe_clock(clock: TargetClock, now: int) -> str:
    """One target for people: 'next reply due in 42m (1h18m/2h)', 'resolution paused
    (6h/24h)', 'first reply met (12m/2h)'; used/target are business time."""
    label = TARGET_LABELS[clock.target]
    used = f"({business_span(clock.elapsed_ms)}/{business_span(clock.target_ms)})"
    if clock.state is State.MET:
        return f"{label} met {used}"
    if clock.ended_at is not None:
        return f"{label} missed {used}"
    if clock.state is State.BREACHED and clock.due_at is not None:
        return f"{label} overdue {ago(clock.due_at, now)} {used}"
    if clock.state is State.PAUSED or clock.due_at is None:
        return f"{label} paused {used}"
    left = ago(now, clock.due_at)
    return f"{label} due {'now' if left == 'now' else 'in ' + left} {used}"


def shown_clocks(clocks: SlaClocks) -> tuple[TargetClock, ...]:
    """The clocks a ticket screen lists: first reply, the latest next-reply cycle, resolution."""
    latest = clocks.next_responses[-1:]
    every = (clocks.first_response, *latest, clocks.resolution)
    return tuple(clock for clock in every if clock is not None)
