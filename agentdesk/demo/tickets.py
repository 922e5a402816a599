"""Ticket rows in bulk: subject, routing, status, thread, tags and escalations.

Everything here is plain tuples for ``executemany``, produced one batch at a time so
memory stays flat at a million tickets. The per-ticket work is kept cheap on purpose:
weighted draws are one ``random()`` and a ``bisect``, texts are pre-written templates
with a handful of slots, and ids come from :class:`~agentdesk.demo.ids.UlidFactory`.

A ticket's life follows its age: the newest are mostly new or open, a few weeks old
mostly solved, older ones closed (solved more than four days ago), with a thin
backlog of stale pending/on-hold tickets as real desks have.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from agentdesk.demo import corpus
from agentdesk.demo.corpus import Scenario
from agentdesk.demo.ids import UlidFactory
from agentdesk.demo.sampling import Weighted, cumulative
from agentdesk.demo.scenarios import SCENARIOS
from agentdesk.demo.timeline import DAY_MS, HOUR_MS, MINUTE_MS, ArrivalCurve
from agentdesk.domain.business_hours import Calendar
from agentdesk.domain.escalation import ack_due_at
from agentdesk.ops.sla import Chooser, result_for, usable
from storage.sla import PolicyRow, SlaInput

#: One ticket in this many gets hostile text in its first customer message ...
HOSTILE_EVERY: Final = 200
HOSTILE_OFFSET: Final = 137
#: ... and one in this many a hostile subject.
HOSTILE_SUBJECT_EVERY: Final = 1000
HOSTILE_SUBJECT_OFFSET: Final = 537

#: Solved tickets close automatically this long after being solved.
CLOSE_AFTER_MS: Final = 4 * DAY_MS

PRIORITIES: Final = ("low", "normal", "high", "urgent")
_DEFAULT_PRIORITIES: Final = (0.2, 0.565, 0.195, 0.04)
CHANNELS: Final = Weighted(
    [("email", 0.45), ("chat", 0.25), ("web", 0.15), ("social", 0.08), ("phone", 0.07)]
)
_I18N_SUBJECT_SHARE: Final = 0.04
_SUBJECT_PREFIX_SHARE: Final = 0.15  # "Re: ", "Fwd: " ... as mail clients and people add
_SUBJECT_LOWER_SHARE: Final = 0.05  # typed in a hurry
_REQUESTER_SKEW: Final = 1.3  # > 1: some customers write in much more than others
_NEW_ASSIGNED: Final = 0.25  # share of new tickets already auto-assigned
_ESCALATION_WAITING: Final = 0.25  # share of unsolved escalations nobody has picked up


@dataclass(frozen=True, slots=True)
class _AgeBucket:
    max_age_ms: int
    unsolved: float
    statuses: Weighted[str]


# (age limit, chance of still being unsolved, mix of unsolved statuses)
_AGE_BUCKETS: Final = tuple(
    _AgeBucket(limit, unsolved, Weighted(list(zip(("new", "open", "pending", "on-hold"), mix,
                                                  strict=True))))
    for limit, unsolved, mix in (
        (2 * HOUR_MS, 0.97, (0.75, 0.15, 0.07, 0.03)),
        (DAY_MS, 0.85, (0.5, 0.25, 0.18, 0.07)),
        (3 * DAY_MS, 0.6, (0.25, 0.3, 0.3, 0.15)),
        (7 * DAY_MS, 0.4, (0.1, 0.3, 0.33, 0.27)),
        (30 * DAY_MS, 0.15, (0.03, 0.3, 0.3, 0.37)),
        (90 * DAY_MS, 0.05, (0.0, 0.25, 0.3, 0.45)),
        (1 << 62, 0.01, (0.0, 0.2, 0.3, 0.5)),
    )
)  # fmt: skip
_AGE_LIMITS: Final = [b.max_age_ms for b in _AGE_BUCKETS]

# Message roles in a thread; customer roles come first (``role <= _THANKS``).
_OPEN, _FOLLOW, _NUDGE, _THANKS, _FIRST, _UPDATE, _RESOLVE, _NOTE, _ESC = range(9)
#: Mean minutes before a message of each role (first replies depend on priority).
_GAP_MINUTES: Final = (0, 480, 1440, 90, 0, 300, 420, 60, 45)
_FIRST_REPLY_MINUTES: Final = {"low": 720, "normal": 300, "high": 90, "urgent": 25}
_PICKUP_MINUTES: Final = 240  # extra wait for the next tier after an escalation
_PUBLIC: Final = frozenset({_FIRST, _UPDATE, _RESOLVE})
# Unit-mean exponential samples, drawn with 10 random bits.
_EXP: Final = tuple(-math.log(1.0 - (k + 0.5) / 1024) for k in range(1024))


def _compile(pattern: str, done: bool) -> tuple[int, ...]:
    """'OPFP' -> roles; in a finished thread the last public reply is the resolution."""
    last_p = pattern.rfind("P") if done else -1
    roles: list[int] = []
    seen_p = False
    for i, ch in enumerate(pattern):
        if ch == "P":
            roles.append(_RESOLVE if i == last_p else _UPDATE if seen_p else _FIRST)
            seen_p = True
        else:
            roles.append({"O": _OPEN, "F": _FOLLOW, "N": _NUDGE, "T": _THANKS,
                          "I": _NOTE, "E": _ESC}[ch])  # fmt: skip
    return tuple(roles)


def _patterns(mix: dict[str, float], done: bool) -> Weighted[tuple[int, ...]]:
    return Weighted([(_compile(p, done), w) for p, w in mix.items()])


# Thread shapes by (tier, status); "done" covers solved and closed.
# O opening, F follow-up, N nudge, T thanks, P public reply, I internal note, E escalation.
_THREADS: Final = {
    (1, "new"): _patterns({"O": 0.8, "ON": 0.2}, False),
    (1, "open"): _patterns({"OI": 0.25, "OPF": 0.4, "OPFI": 0.15, "OPFPF": 0.1, "OIPF": 0.1},
                           False),
    (1, "pending"): _patterns({"OP": 0.6, "OPFP": 0.3, "OIP": 0.1}, False),
    (1, "on-hold"): _patterns({"OPI": 0.6, "OIPI": 0.2, "OPFPI": 0.2}, False),
    (1, "done"): _patterns({"OP": 0.81, "OPT": 0.08, "OPFP": 0.06, "OIP": 0.02, "OPFIP": 0.01,
                            "OPFPFP": 0.01, "OPFPT": 0.01}, True),
    (2, "open"): _patterns({"OE": 0.2, "OPE": 0.3, "OPEI": 0.3, "OPEN": 0.2}, False),
    (2, "pending"): _patterns({"OPEIP": 0.6, "OPEP": 0.4}, False),
    (2, "on-hold"): _patterns({"OPEI": 0.6, "OPEIPI": 0.4}, False),
    (2, "done"): _patterns({"OEP": 0.3, "OPEP": 0.3, "OEIP": 0.15, "OPEIP": 0.15,
                            "OPEIPT": 0.05, "OPFEIP": 0.05}, True),
    (3, "open"): _patterns({"OPEE": 0.5, "OPEEI": 0.5}, False),
    (3, "pending"): _patterns({"OPEEIP": 1.0}, False),
    (3, "on-hold"): _patterns({"OPEEI": 0.7, "OPEIEI": 0.3}, False),
    (3, "done"): _patterns({"OEEP": 0.4, "OPEEP": 0.3, "OPEIEP": 0.3}, True),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Customers:
    """The generated customers, parallel lists indexed by position."""

    ids: list[str]
    names: list[str]
    greetings: list[str]
    plans: list[str]


@dataclass(frozen=True, slots=True)
class Team:
    """Ids the tickets point at: groups, assignable agents per group, SLA policies."""

    group_ids: dict[str, str]
    #: group name -> [(agent id, first name)] of agents at that group's tier
    members: dict[str, list[tuple[str, str]]]
    sla_ids: dict[str, str]
    #: (scenario key, variant, "first" | "resolution") -> id of the macro that wrote that reply
    reply_macros: dict[tuple[str, int, str], str] = field(default_factory=dict)
    #: The workspace's SLA policies, as stored (the tickets' clocks are computed with them)
    sla_policies: tuple[PolicyRow, ...] = ()


@dataclass(slots=True)
class Batch:
    """Rows for one transaction."""

    tickets: list[tuple[object, ...]] = field(default_factory=list)
    messages: list[tuple[object, ...]] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    escalations: list[tuple[object, ...]] = field(default_factory=list)
    macro_uses: list[tuple[str, str, str, int]] = field(default_factory=list)
    status_changes: list[tuple[str, int, str]] = field(default_factory=list)
    sla_clocks: list[tuple[object, ...]] = field(default_factory=list)


TICKET_COLUMNS: Final = (
    "number", "id", "subject", "status", "priority", "channel", "requester_id",
    "assignee_id", "group_id", "tier", "sla_policy_id", "created_at", "updated_at",
    "first_response_at", "solved_at", "version", "sla_due_at", "sla_target",
    "sla_paused_left_ms",
)  # fmt: skip

MESSAGE_COLUMNS: Final = (
    "seq", "id", "ticket_id", "kind", "author_agent_id", "author_customer_id", "body",
    "channel", "created_at",
)  # fmt: skip
ESCALATION_COLUMNS: Final = (
    "id", "ticket_id", "from_tier", "to_tier", "group_id", "reason", "summary", "tried",
    "impact", "links", "created_by_id", "created_at", "acknowledged_by_id",
    "acknowledged_at", "state", "from_group_id", "ack_due_at",
)  # fmt: skip

_TIER_GROUPS: Final = {2: "Technical", 3: "Engineering"}
_LOG_SEARCH: Final = "https://logs.nimbus.example/search?q="


_Pools = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class _Route:
    """A scenario with everything the hot loop needs, looked up once."""

    scenario: Scenario
    tiers: list[float]
    priorities: list[float]
    slots: tuple[tuple[str, Callable[[random.Random], str]], ...]
    #: per variant, text pools by role: (scenario-specific, desk-wide), drawn 3:1
    pools: tuple[_Pools, ...]


def _route(scenario: Scenario) -> _Route:
    shared: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())] * 9
    shared[_FOLLOW] = (scenario.followups, corpus.FOLLOWUPS)
    shared[_NUDGE] = (corpus.NUDGES, corpus.NUDGES)
    shared[_THANKS] = (corpus.THANKS, corpus.THANKS)
    shared[_UPDATE] = (scenario.updates or corpus.UPDATES, corpus.UPDATES)
    shared[_NOTE] = (scenario.notes, corpus.NOTES)
    pools: list[_Pools] = []
    for variant in scenario.variants:
        own = list(shared)
        own[_OPEN] = ((variant.opening,), (variant.opening,))
        own[_FIRST] = ((variant.first_reply,), (variant.first_reply,))
        own[_RESOLVE] = ((variant.resolution,), (variant.resolution,))
        pools.append(tuple(own))
    return _Route(
        scenario=scenario,
        tiers=cumulative(scenario.tiers),
        priorities=cumulative(scenario.priorities or _DEFAULT_PRIORITIES),
        slots=tuple((name, corpus.SLOTS[name]) for name in scenario.slot_names),
        pools=tuple(pools),
    )


_FORMAL_CHANNELS: Final = frozenset({"email", "web"})  # greetings and sign-offs
_UNSIGNED_CHANNELS: Final = frozenset({"chat", "social"})  # agents answer without letterhead


class TicketFactory:
    """Builds the rows of tickets ``start..stop`` (0-based), always in order.

    Batches must be requested in sequence: the seeded generator is consumed as
    tickets are made, which is what makes the output reproducible.
    """

    def __init__(
        self,
        rng: random.Random,
        *,
        total: int,
        now_ms: int,
        first_number: int,
        first_seq: int,
        customers: Customers,
        team: Team,
    ) -> None:
        self._rng = rng
        self._ulid = UlidFactory(rng)
        self._now = now_ms
        self._curve = ArrivalCurve(now_ms, total)
        self._first_number = first_number
        self._seq = first_seq
        self._customers = customers
        self._team = team
        parts = {"first": _FIRST, "resolution": _RESOLVE}
        self._reply_macros = {
            (key, variant, parts[part]): macro_id
            for (key, variant, part), macro_id in team.reply_macros.items()
        }
        self._routes = [_route(s) for s in SCENARIOS]
        self._route_cum = cumulative([s.weight for s in SCENARIOS])
        self._policy = Chooser(usable(team.sla_policies))
        self._next = 0

    def batch(self, start: int, stop: int) -> Batch:
        """Rows for tickets ``start`` (inclusive) to ``stop`` (exclusive)."""
        if start != self._next:
            raise ValueError(f"batches must be made in order: expected {self._next}, got {start}")
        out = Batch()
        for index in range(start, stop):
            self._ticket(index, out)
        self._next = stop
        return out

    def _ticket(self, index: int, out: Batch) -> None:
        rng = self._rng
        rnd = rng.random
        now = self._now
        created = self._curve.at(index, rnd())
        route = self._routes[bisect_right(self._route_cum, rnd())]
        scenario = route.scenario
        customers = self._customers
        who = int(len(customers.ids) * rnd() ** _REQUESTER_SKEW)
        plan = customers.plans[who]
        tier = bisect_right(route.tiers, rnd()) + 1
        priority = PRIORITIES[bisect_right(route.priorities, rnd())]
        channel = CHANNELS.pick(rnd)

        bucket = _AGE_BUCKETS[bisect_right(_AGE_LIMITS, now - created)]
        status = bucket.statuses.pick(rnd) if rnd() < bucket.unsolved else "done"
        if tier > 1 and status == "new":
            status = "open"

        group = scenario.group if tier == 1 else _TIER_GROUPS[tier]
        assignee = self._assignee(group, tier, status)
        if tier > 1 and assignee is None:
            status = "open"  # handed over, waiting for the next tier to pick it up

        variant = int(rnd() * len(scenario.variants))
        slots = {name: fill(rng) for name, fill in route.slots}
        slots["plan"] = plan
        slots["company"] = corpus.COMPANY
        subject = self._subject(scenario, variant, slots, index)

        roles = _THREADS[(tier, status)].pick(rnd)
        if tier > 1 and assignee is None:
            roles = roles[: len(roles) - roles[::-1].index(_ESC)]
        stages = self._stages(tier, assignee, scenario.group)

        ticket_id = self._ulid(created)
        times = self._times(roles, created, priority)
        policy = self._policy(priority, plan)
        first_response, solved_at = self._messages(
            out, index, ticket_id, who, route, variant, slots, channel, roles, times, stages,
            priority, None if policy is None else policy.calendar,
        )  # fmt: skip
        if status == "done":
            status = "closed" if now - (solved_at or times[-1]) > CLOSE_AFTER_MS else "solved"
        changes = _history(status, roles, times, solved_at)
        sla = result_for(
            policy,
            SlaInput(ticket_id, created, times[-1], status, priority, plan, None, changes,
                     [t for r, t in zip(roles, times, strict=True) if r <= _THANKS],
                     [t for r, t in zip(roles, times, strict=True) if r in _PUBLIC]),
            now,
        )  # fmt: skip
        out.tickets.append(
            (self._first_number + index, ticket_id, subject, status, priority, channel,
             customers.ids[who], assignee[0] if assignee else None,
             self._team.group_ids[group], tier, sla.policy_id, created,
             times[-1], first_response, solved_at, 1, sla.due_at, sla.target,
             sla.paused_left_ms)
        )  # fmt: skip
        out.status_changes.extend((ticket_id, at, changed) for at, changed in changes)
        out.sla_clocks.extend((ticket_id, sla.policy_id, *clock) for clock in sla.clocks)
        tags = out.tags
        tags.extend((ticket_id, tag) for tag in scenario.tags)
        if plan == "enterprise":
            tags.append((ticket_id, "vip"))
        if tier > 1:
            tags.append((ticket_id, "escalated"))

    def _assignee(self, group: str, tier: int, status: str) -> tuple[str, str] | None:
        """An agent of the group's tier; nobody yet for most new tickets and some handoffs."""
        rnd = self._rng.random
        members = self._team.members[group]
        assignee = members[int(rnd() * len(members))]
        if status == "new":
            return assignee if rnd() < _NEW_ASSIGNED else None
        if tier > 1 and status != "done" and rnd() < _ESCALATION_WAITING:
            return None
        return assignee

    def _subject(self, scenario: Scenario, variant: int, slots: dict[str, str], index: int) -> str:
        """The variant's subject with its slots, sometimes prefixed, translated or hostile."""
        rnd = self._rng.random
        subjects = scenario.variants[variant].subjects
        if scenario.subjects_i18n and rnd() < _I18N_SUBJECT_SHARE:
            subjects = scenario.subjects_i18n
        subject = subjects[int(rnd() * len(subjects))].format_map(slots)
        styling = rnd()
        if styling < _SUBJECT_PREFIX_SHARE:
            prefixes = corpus.SUBJECT_PREFIXES
            subject = prefixes[int(styling / _SUBJECT_PREFIX_SHARE * len(prefixes))] + subject
        elif styling > 1.0 - _SUBJECT_LOWER_SHARE:
            subject = subject.lower()
        if index % HOSTILE_SUBJECT_EVERY == HOSTILE_SUBJECT_OFFSET:
            hostile = corpus.HOSTILE_SUBJECTS
            prefix, suffix = hostile[(index // HOSTILE_SUBJECT_EVERY) % len(hostile)]
            subject = prefix + subject + suffix
        return subject

    def _stages(
        self, tier: int, assignee: tuple[str, str] | None, frontline_group: str
    ) -> list[tuple[str, str] | None]:
        """Who writes before the first escalation, after it, and after the second."""
        if tier == 1:
            return [assignee]
        rnd = self._rng.random
        members = self._team.members
        frontline = members[frontline_group]
        first = frontline[int(rnd() * len(frontline))]
        if tier == 2:
            return [first, assignee]
        technical = members["Technical"]
        return [first, technical[int(rnd() * len(technical))], assignee]

    def _times(self, roles: tuple[int, ...], created: int, priority: str) -> list[int]:
        """Message times from ``created``, squeezed to end before now if need be."""
        bits = self._rng.getrandbits
        times = [created]
        t = created
        prev = _OPEN
        for role in roles[1:]:
            mean = _FIRST_REPLY_MINUTES[priority] if role == _FIRST else _GAP_MINUTES[role]
            if prev == _ESC:
                mean += _PICKUP_MINUTES
            t += MINUTE_MS + int(mean * MINUTE_MS * _EXP[bits(10)])
            times.append(t)
            prev = role
        limit = self._now - 1
        if t > limit:
            span = t - created
            room = max(limit - created, 0)
            times = [created + (x - created) * room // span for x in times]
        return times

    def _messages(
        self,
        out: Batch,
        index: int,
        ticket_id: str,
        who: int,
        route: _Route,
        variant: int,
        slots: dict[str, str],
        channel: str,
        roles: tuple[int, ...],
        times: list[int],
        stages: list[tuple[str, str] | None],
        priority: str,
        calendar: Calendar | None,
    ) -> tuple[int | None, int | None]:
        """Append the thread (and its escalations); return (first response, solved) times."""
        rnd, bits, ulid = self._rng.random, self._rng.getrandbits, self._ulid
        pools = route.pools[variant]
        requester, given = self._customers.ids[who], self._customers.greetings[who]
        formal = channel in _FORMAL_CHANNELS
        signed = channel not in _UNSIGNED_CHANNELS
        seq = self._seq
        self._seq += len(roles)
        stage = 0
        first_response: int | None = None
        solved_at: int | None = None
        escalations: list[tuple[int, int]] = []  # (message position, to tier)
        append = out.messages.append
        for pos, role in enumerate(roles):
            at = times[pos]
            if role <= _THANKS:  # the customer writes
                specific, general = pools[role]
                pool = specific if bits(2) else general
                text = pool[int(rnd() * len(pool))].format_map(slots)
                if role == _OPEN:
                    text = self._opening(text, index, who, channel)
                elif formal:
                    text = text + "\n\n" + given
                append((seq + pos, ulid(at), ticket_id, "customer", None, requester, text,
                        channel, at))  # fmt: skip
                continue
            agent = stages[stage]
            author = agent[0] if agent else None
            if role == _ESC:
                stage += 1
                to_tier = 1 + stage if len(stages) == 3 else 2
                escalations.append((pos, to_tier))
                text = self._escalation_note(route, slots, to_tier)
                append((seq + pos, ulid(at), ticket_id, "internal", author, None, text, None, at))
                continue
            specific, general = pools[role]
            pool = specific if bits(2) else general
            text = pool[int(rnd() * len(pool))].format_map(slots)
            if role == _NOTE:
                append((seq + pos, ulid(at), ticket_id, "internal", author, None, text, None, at))
            else:
                if first_response is None:
                    first_response = at
                if role == _RESOLVE:
                    solved_at = at
                if signed and agent is not None:
                    text = (
                        "Hi " + given + ",\n\n" + text + corpus.AGENT_SIGNOFFS[bits(2)] + agent[1]
                        + corpus.AGENT_FOOTER
                    )  # fmt: skip
                append((seq + pos, ulid(at), ticket_id, "public", author, None, text, channel,
                        at))  # fmt: skip
                self._macro_use(out, (route.scenario.key, variant, role), ticket_id, author, at)
        if escalations:
            self._escalations(
                out, route, slots, ticket_id, times, stages, escalations, solved_at, priority,
                calendar,
            )  # fmt: skip
        return first_response, solved_at

    def _macro_use(
        self, out: Batch, reply: tuple[str, int, int], ticket_id: str, author: str | None, at: int
    ) -> None:
        """Record the macro that wrote this reply (scenario, variant, role), if one did."""
        macro = self._reply_macros.get(reply)
        if macro is not None and author is not None:
            out.macro_uses.append((macro, ticket_id, author, at))

    def _opening(self, text: str, index: int, who: int, channel: str) -> str:
        """Dress the first message for its channel; plant hostile text where due."""
        customers = self._customers
        if index % HOSTILE_EVERY == HOSTILE_OFFSET:
            hostile = corpus.HOSTILE_BODIES
            text += "\n\n" + hostile[(index // HOSTILE_EVERY) % len(hostile)]
        if channel in _FORMAL_CHANNELS:
            return customer_letter(
                text, customers.greetings[who], customers.names[who], self._rng.getrandbits
            )
        if channel == "phone":
            return corpus.VOICEMAIL_PREFIX + text
        return text

    @staticmethod
    def _handoff(route: _Route, slots: dict[str, str]) -> corpus.Handoff:
        h = route.scenario.handoff
        return corpus.Handoff(
            h.reason.format_map(slots), h.summary.format_map(slots), h.tried.format_map(slots),
            h.impact.format_map(slots),
        )  # fmt: skip

    def _escalation_note(self, route: _Route, slots: dict[str, str], to_tier: int) -> str:
        h = self._handoff(route, slots)
        note = corpus.ESCALATION_NOTE.format(
            group=_TIER_GROUPS[to_tier], tier=to_tier, summary=h.summary, tried=h.tried
        )
        return note + corpus.ESCALATION_IMPACT.format(impact=h.impact)

    def _escalations(
        self,
        out: Batch,
        route: _Route,
        slots: dict[str, str],
        ticket_id: str,
        times: list[int],
        stages: list[tuple[str, str] | None],
        escalations: list[tuple[int, int]],
        solved_at: int | None,
        priority: str,
        calendar: Calendar | None,
    ) -> None:
        """One escalation row per handoff, acknowledged once the next tier took it; its
        target counts the business hours of the ticket's SLA policy."""
        h = self._handoff(route, slots)
        links = _LOG_SEARCH + slots["request_id"] if "request_id" in slots else ""
        now = self._now
        for n, (pos, to_tier) in enumerate(escalations):
            created_by = stages[n]
            receiver = stages[n + 1]
            at = times[pos]
            ack_by: str | None = None
            ack_at: int | None = None
            if receiver is None:
                state = "open"
            else:
                later = (
                    times[pos + 1] if pos + 1 < len(times) else min(at + 30 * MINUTE_MS, now - 1)
                )
                state = "acknowledged" if solved_at is None else "closed"
                ack_by, ack_at = receiver[0], max(later, at)
            from_group = route.scenario.group if to_tier == 2 else _TIER_GROUPS[2]
            out.escalations.append(
                (self._ulid(at), ticket_id, to_tier - 1, to_tier,
                 self._team.group_ids[_TIER_GROUPS[to_tier]], h.reason, h.summary, h.tried,
                 h.impact, links, created_by[0] if created_by else None, at, ack_by, ack_at,
                 state, self._team.group_ids[from_group], ack_due_at(priority, at, calendar))
            )  # fmt: skip


def _history(
    status: str, roles: tuple[int, ...], times: list[int], solved_at: int | None
) -> list[tuple[int, str]]:
    """The status changes a generated life implies, as ``ticket_status_change`` rows.

    Open when an agent first writes; then pending or on-hold with the thread's last
    message, or solved with the resolving reply (closed :data:`CLOSE_AFTER_MS` later).
    """
    if status == "new":
        return []
    final_at = solved_at if solved_at is not None and status in ("solved", "closed") else times[-1]
    opened = next((t for role, t in zip(roles, times, strict=True) if role > _THANKS), final_at)
    changes = [(opened, "open")] if opened < final_at or status == "open" else []
    if status == "closed":
        changes += [(final_at, "solved"), (final_at + CLOSE_AFTER_MS, "closed")]
    elif status != "open":
        changes.append((final_at, status))
    return changes


def customer_letter(text: str, given: str, full: str, bits: Callable[[int], int]) -> str:
    """An email-style message: greeting, text, a sign-off with the customer's name."""
    greeting = corpus.CUSTOMER_GREETINGS[bits(3)]
    k = bits(3)
    if k < 4:
        sign = corpus.SIGNOFFS_GIVEN[k] + given
    elif k < 7:
        sign = corpus.SIGNOFFS_FULL[k - 4] + full
    else:
        sign = corpus.SIGNOFF_PHONE
    return greeting + text + sign
