"""SLA policies and clocks: worked examples of each definition, and properties.

Times in the examples are minutes after ``T`` (a Monday 10:00 UTC) unless a business
calendar is involved; then they are Berlin wall times, worked out by hand.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from agentdesk.demo.sla import POLICIES, calendar_json, policy_for
from agentdesk.domain.business_hours import MINUTE_MS, parse_calendar
from agentdesk.domain.escalation import ack_due_at
from agentdesk.domain.sla import (
    COUNTING,
    NO_SLA,
    PLANS,
    Policy,
    SlaClocks,
    State,
    StoredSla,
    Target,
    TargetClock,
    Timeline,
    applies_to,
    business_span,
    choose_policy,
    describe_clock,
    describe_policy,
    load_policy,
    recorded_timeline,
    shown_clocks,
    sla_badge,
    sla_clocks,
    stored,
    target_minutes,
)
from agentdesk.domain.sla_badge import Risk, SlaBadge, badge
from agentdesk.domain.workflow import PRIORITIES, InvalidValue

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
T = int(datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp() * 1000)
HOUR = 60 * MINUTE_MS
AROUND_THE_CLOCK = "{}"
OFFICE = (
    '{"tz": "Europe/Berlin", "holidays": ["2026-12-25"],'
    ' "hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]],'
    ' "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}}'
)


def m(minutes: float) -> int:
    """T plus some minutes."""
    return T + round(minutes * MINUTE_MS)


def berlin(*fields: int) -> int:
    return int(datetime(*fields, tzinfo=BERLIN).timestamp() * 1000)


def policy(
    first: int | None = 30,
    nxt: int | None = 60,
    resolution: int | None = 240,
    calendar: str = AROUND_THE_CLOCK,
    *,
    name: str = "test",
    priority: str | None = None,
    plan: str | None = None,
    position: int = 0,
) -> Policy:
    return load_policy(
        id=name,
        name=name,
        priority=priority,
        plan=plan,
        first_response_minutes=first,
        next_response_minutes=nxt,
        resolution_minutes=resolution,
        calendar=calendar,
        position=position,
    )


def timeline(
    *,
    statuses: tuple[tuple[float, str], ...] = (),
    customer: tuple[float, ...] = (),
    replies: tuple[float, ...] = (),
) -> Timeline:
    return Timeline(
        created_at=T,
        statuses=tuple((m(at), status) for at, status in statuses),
        customer_messages=tuple(m(at) for at in customer),
        public_replies=tuple(m(at) for at in replies),
    )


def first(clocks: SlaClocks) -> TargetClock:
    assert clocks.first_response is not None
    return clocks.first_response


def resolution(clocks: SlaClocks) -> TargetClock:
    assert clocks.resolution is not None
    return clocks.resolution


# ---------------------------------------------------------------- first response


def test_a_reply_within_the_target_meets_the_first_response() -> None:
    clock = first(sla_clocks(policy(first=30), timeline(replies=(20,)), m(90)))
    assert (clock.state, clock.elapsed_ms, clock.ended_at) == (State.MET, 20 * MINUTE_MS, m(20))
    assert clock.due_at is None  # it never reached its target


def test_a_late_reply_breaches_and_records_when_it_fell_due() -> None:
    clock = first(sla_clocks(policy(first=30), timeline(replies=(45,)), m(90)))
    assert (clock.state, clock.due_at, clock.remaining_ms) == (
        State.BREACHED,
        m(30),
        -15 * MINUTE_MS,
    )


def test_an_unanswered_ticket_runs_then_breaches() -> None:
    running = first(sla_clocks(policy(first=30), timeline(), m(10)))
    assert (running.state, running.due_at, running.remaining_ms) == (
        State.RUNNING,
        m(30),
        20 * MINUTE_MS,
    )
    late = first(sla_clocks(policy(first=30), timeline(), m(31)))
    assert (late.state, late.due_at) == (State.BREACHED, m(30))


def test_solving_without_a_reply_ends_the_first_response() -> None:
    clock = first(sla_clocks(policy(first=30), timeline(statuses=((12, "solved"),)), m(60)))
    assert (clock.state, clock.ended_at) == (State.MET, m(12))


def test_an_internal_note_is_not_a_response() -> None:
    # Notes are simply not in the timeline; an empty thread keeps the clock running.
    assert first(sla_clocks(policy(), timeline(), m(5))).state is State.RUNNING


# ---------------------------------------------------------------- pauses


def test_pending_and_on_hold_pause_the_clock_and_push_the_due_time() -> None:
    events = ((10, "pending"), (40, "open"), (50, "on-hold"), (70, "open"))
    clock = resolution(sla_clocks(policy(resolution=60), timeline(statuses=events), m(75)))
    # Counted: 0-10, 40-50, 70-75 = 25 minutes; 35 left from 75.
    assert (clock.state, clock.elapsed_ms, clock.due_at) == (
        State.RUNNING,
        25 * MINUTE_MS,
        m(110),
    )


def test_a_paused_clock_has_no_due_time_and_shows_paused() -> None:
    clocks = sla_clocks(
        policy(first=None, resolution=60), timeline(statuses=((10, "pending"),)), m(500)
    )
    clock = resolution(clocks)
    assert (clock.state, clock.due_at, clock.remaining_ms) == (State.PAUSED, None, 50 * MINUTE_MS)
    badge = sla_badge(clocks, m(500), HOUR)
    assert (badge.risk, badge.text) == (Risk.PAUSED, "pause")


def test_a_clock_breached_before_a_pause_stays_breached() -> None:
    events = ((90, "pending"),)
    clock = resolution(sla_clocks(policy(resolution=60), timeline(statuses=events), m(120)))
    assert (clock.state, clock.due_at, clock.elapsed_ms) == (State.BREACHED, m(60), 90 * MINUTE_MS)


# ---------------------------------------------------------------- next response


def test_next_response_cycles_run_from_a_customer_message_to_the_next_reply() -> None:
    clocks = sla_clocks(
        policy(first=30, nxt=60),
        timeline(customer=(0, 100, 110, 300), replies=(20, 130)),
        m(330),
    )
    # The opening message (0) is the first response's; 100 opens a cycle that 110 joins
    # and 130 answers; 300 opens a second one, still running at 330.
    answered, waiting = clocks.next_responses
    assert (answered.started_at, answered.ended_at, answered.elapsed_ms, answered.state) == (
        m(100),
        m(130),
        30 * MINUTE_MS,
        State.MET,
    )
    assert (waiting.started_at, waiting.ended_at, waiting.due_at, waiting.state) == (
        m(300),
        None,
        m(360),
        State.RUNNING,
    )


def test_no_next_response_before_the_first_one() -> None:
    clocks = sla_clocks(policy(), timeline(customer=(0, 5, 10)), m(20))
    assert clocks.next_responses == ()


def test_a_message_at_the_same_millisecond_as_the_reply_is_answered_by_it() -> None:
    clocks = sla_clocks(policy(), timeline(customer=(0, 20), replies=(20,)), m(30))
    assert clocks.next_responses == ()


def test_pending_pauses_a_next_response_cycle() -> None:
    clocks = sla_clocks(
        policy(nxt=60),
        timeline(customer=(0, 100), replies=(10, 200), statuses=((120, "on-hold"), (150, "open"))),
        m(300),
    )
    (cycle,) = clocks.next_responses
    assert (cycle.elapsed_ms, cycle.state) == (70 * MINUTE_MS, State.BREACHED)
    assert cycle.due_at == m(190)  # 20 minutes before the hold, 40 after it


def test_a_message_on_a_solved_ticket_needs_no_answer_unless_it_is_reopened() -> None:
    solved = ((10, "solved"),)
    quiet = sla_clocks(policy(), timeline(customer=(0, 30), replies=(5,), statuses=solved), m(200))
    (thanks,) = quiet.next_responses
    assert (thanks.ended_at, thanks.elapsed_ms, thanks.state) == (m(30), 0, State.MET)
    assert quiet.next_due is None

    reopened = (*solved, (30, "open"))
    busy = sla_clocks(
        policy(nxt=60), timeline(customer=(0, 30), replies=(5,), statuses=reopened), m(40)
    )
    (question,) = busy.next_responses
    assert (question.state, question.due_at) == (State.RUNNING, m(90))


# ---------------------------------------------------------------- resolution


def test_resolution_excludes_paused_time_and_time_spent_solved() -> None:
    events = ((30, "pending"), (90, "open"), (100, "solved"), (400, "open"), (450, "solved"))
    clock = resolution(sla_clocks(policy(resolution=120), timeline(statuses=events), m(500)))
    # Counted: 0-30, 90-100, 400-450 = 90 minutes; ended by the last solve.
    assert (clock.state, clock.elapsed_ms, clock.ended_at) == (State.MET, 90 * MINUTE_MS, m(450))


def test_a_reopened_ticket_resumes_its_resolution_clock() -> None:
    events = ((100, "solved"), (400, "open"))
    clock = resolution(sla_clocks(policy(resolution=120), timeline(statuses=events), m(410)))
    assert (clock.state, clock.elapsed_ms, clock.due_at) == (State.RUNNING, 110 * MINUTE_MS, m(420))


def test_a_closed_ticket_keeps_its_last_solve() -> None:
    events = ((100, "solved"), (2000, "closed"))
    clock = resolution(sla_clocks(policy(resolution=120), timeline(statuses=events), m(3000)))
    assert (clock.ended_at, clock.state) == (m(100), State.MET)


# ---------------------------------------------------------------- business hours


def test_a_friday_evening_ticket_is_due_on_monday_in_business_hours() -> None:
    created = berlin(2026, 11, 27, 18, 30)
    line = Timeline(created_at=created)
    office = policy(first=480, nxt=None, resolution=None, calendar=OFFICE)
    clocks = sla_clocks(office, line, berlin(2026, 11, 28, 12))
    assert first(clocks).due_at == berlin(2026, 11, 30, 17)
    assert first(clocks).elapsed_ms == 0  # Saturday noon: nothing counted yet

    monday = sla_clocks(office, line, berlin(2026, 11, 30, 16, 30))
    badge = sla_badge(monday, berlin(2026, 11, 30, 16, 30), HOUR)
    assert (badge.risk, badge.text) == (Risk.AT_RISK, "30m")
    late = sla_clocks(office, line, berlin(2026, 11, 30, 17, 5))
    badge = sla_badge(late, berlin(2026, 11, 30, 17, 5), HOUR)
    assert (badge.risk, badge.text) == (Risk.BREACHED, "!5m")


def test_the_badge_is_ok_outside_the_window_and_empty_without_targets() -> None:
    clocks = sla_clocks(policy(first=300, resolution=None), timeline(), m(10))
    badge = sla_badge(clocks, m(10), HOUR)
    assert (badge.risk, badge.text) == (Risk.OK, "4h")
    done = sla_clocks(policy(), timeline(replies=(1,), statuses=((2, "solved"),)), m(10))
    badge = sla_badge(done, m(10), HOUR)
    assert (badge.risk, badge.text) == (Risk.NONE, "")


def test_a_badge_from_stored_columns_matches_the_clocks() -> None:
    # What the queue renders from ticket.sla_due_at without recomputing the clocks.
    assert badge(m(30), paused=False, now=m(29), window_ms=HOUR) == SlaBadge(Risk.AT_RISK, "1m")
    assert badge(m(30), paused=False, now=m(30.5), window_ms=HOUR) == SlaBadge(
        Risk.BREACHED, "!now"
    )
    assert badge(m(30), paused=False, now=m(150), window_ms=HOUR) == SlaBadge(Risk.BREACHED, "!2h")
    assert badge(None, paused=True, now=m(0), window_ms=HOUR) == SlaBadge(Risk.PAUSED, "pause")
    # Never wider than the queue's column, however late.
    assert badge(m(0), paused=False, now=m(60 * 24 * 364), window_ms=HOUR).text == "!52w"
    clocks = sla_clocks(policy(first=30, resolution=None), timeline(), m(10))
    assert sla_badge(clocks, m(10), 0) == badge(m(30), paused=False, now=m(10), window_ms=0)


def test_next_due_is_the_earliest_open_target() -> None:
    clocks = sla_clocks(policy(first=30, resolution=20), timeline(), m(5))
    assert clocks.next_due is clocks.resolution
    assert clocks.due_at == m(20)
    breached_first = sla_clocks(policy(first=30, resolution=600), timeline(), m(40))
    assert breached_first.next_due is breached_first.first_response


# ---------------------------------------------------------------- policies


def test_the_first_matching_policy_in_position_order_wins() -> None:
    both = policy(name="both", priority="urgent", plan="enterprise", position=0)
    enterprise = policy(name="enterprise", plan="enterprise", position=1)
    urgent = policy(name="urgent", priority="urgent", position=2)
    general = policy(name="any", position=3)
    policies = [general, urgent, enterprise, both]  # the list's order does not matter
    assert choose_policy(policies, "urgent", "enterprise") is both
    assert choose_policy(policies, "low", "enterprise") is enterprise
    assert choose_policy(policies, "urgent", "free") is urgent
    assert choose_policy(policies, "low", "free") is general
    assert choose_policy([urgent], "low", "free") is None


def test_a_general_policy_above_a_specific_one_shadows_it() -> None:
    # As in Zendesk: the admin orders the policies; a catch-all on top takes everything.
    general = policy(name="any", position=0)
    urgent = policy(name="urgent", priority="urgent", position=1)
    assert choose_policy([urgent, general], "urgent", "free") is general
    same_position = policy(name="b", position=0), policy(name="a", position=0)
    assert choose_policy(same_position, "low", "free") is same_position[1]  # then by name


def test_the_demo_policies_load_and_choose_as_the_demo_assigns_them() -> None:
    policies = [
        load_policy(
            id=spec.name,
            name=spec.name,
            priority=spec.priority,
            plan=spec.plan,
            first_response_minutes=spec.first_response_minutes,
            next_response_minutes=spec.next_response_minutes,
            resolution_minutes=spec.resolution_minutes,
            calendar=calendar_json(spec.business_hours, T),
            position=position,
        )
        for position, spec in enumerate(POLICIES)
    ]
    for priority, plan in itertools.product(PRIORITIES, PLANS):
        chosen = choose_policy(policies, priority, plan)
        assert chosen is not None and chosen.name == policy_for(priority, plan).name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"calendar": '{"tz": "Mars/Olympus"}'},
            "SLA policy 'test': calendar.tz: unknown time zone",
        ),
        ({"first_response_minutes": 0}, "SLA policy 'test': first_response_minutes must be"),
        ({"resolution_minutes": 1.5}, "SLA policy 'test': resolution_minutes must be"),
        ({"plan": "gold"}, "SLA policy 'test': unknown plan 'gold'"),
        ({"priority": "asap"}, "SLA policy 'test': unknown priority 'asap'"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(changes: dict[str, object], message: str) -> None:
    row: dict[str, object] = {
        "id": "p1",
        "name": "test",
        "priority": None,
        "plan": None,
        "first_response_minutes": 30,
        "next_response_minutes": None,
        "resolution_minutes": None,
        "calendar": "{}",
        "position": 0,
    } | changes
    with pytest.raises(InvalidValue) as caught:
        load_policy(**row)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_a_timeline_with_an_unknown_status_is_refused() -> None:
    with pytest.raises(InvalidValue, match="unknown status 'waiting'"):
        Timeline(created_at=T, statuses=((T, "waiting"),))


# ---------------------------------------------------------------- properties

#: Each example parses a fresh calendar, which builds its days on first use (a few ms,
#: more on a loaded machine); speed is bench/sla_clock.py's business, not a test's.
COLD_CALENDARS = settings(deadline=None)

CALENDARS = st.sampled_from((AROUND_THE_CLOCK, OFFICE))
#: Offsets in minutes, up to three weeks after creation.
offsets = st.integers(0, 3 * 7 * 24 * 60)
events = st.lists(
    st.tuples(
        offsets, st.sampled_from(("customer", "reply", "open", "pending", "on-hold", "solved"))
    ),
    max_size=12,
)


def _timeline(
    raw: list[tuple[int, str]], extra_pauses: tuple[tuple[int, int], ...] = ()
) -> Timeline:
    statuses = [(m(at), kind) for at, kind in raw if kind not in ("customer", "reply")]
    for start, length in extra_pauses:
        statuses += [(m(start), "pending"), (m(start + length), "open")]
    return Timeline(
        created_at=T,
        statuses=tuple(statuses),
        customer_messages=tuple(m(at) for at, kind in raw if kind == "customer"),
        public_replies=tuple(m(at) for at, kind in raw if kind == "reply"),
    )


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    target = st.none() | st.integers(1, 5 * 24 * 60)
    return policy(draw(target), draw(target), draw(target), draw(CALENDARS))


@COLD_CALENDARS
@given(policies(), events, offsets, st.integers(1, 3 * 24 * 60), offsets)
def test_a_pause_never_makes_a_due_time_earlier(
    chosen: Policy, raw: list[tuple[int, str]], pause_at: int, pause_for: int, now: int
) -> None:
    """Pausing a stretch in which the clocks counted, and nothing else changed."""
    changes = sorted((at, kind) for at, kind in raw if kind not in ("customer", "reply"))
    status = "new"
    for at, kind in changes:
        if at <= pause_at:
            status = kind
    assume(status in COUNTING)
    next_change = min((at for at, _ in changes if at > pause_at), default=pause_at + pause_for + 1)
    pause_for = min(pause_for, next_change - pause_at - 1)
    assume(pause_for > 0)
    base, paused = _timeline(raw), _timeline(raw, ((pause_at, pause_for),))
    without, with_pause = sla_clocks(chosen, base, m(now)), sla_clocks(chosen, paused, m(now))
    assert len(without.clocks) == len(with_pause.clocks)
    for a, b in zip(without.clocks, with_pause.clocks, strict=True):
        assert b.elapsed_ms <= a.elapsed_ms
        if b.due_at is not None:
            assert a.due_at is not None and a.due_at <= b.due_at


@COLD_CALENDARS
@given(policies(), events, st.integers(1, 3 * 7 * 24 * 60), st.integers(0, 7 * 24 * 60))
def test_clocks_only_move_forward_and_due_times_stay_put(
    chosen: Policy, raw: list[tuple[int, str]], last: int, later: int
) -> None:
    line = _timeline([(min(at, last), kind) for at, kind in raw])
    now1, now2 = m(last), m(last + later)  # no events after now1
    early, late = sla_clocks(chosen, line, now1), sla_clocks(chosen, line, now2)
    assert len(early.clocks) == len(late.clocks)
    for a, b in zip(early.clocks, late.clocks, strict=True):
        assert (a.target, a.started_at, a.ended_at) == (b.target, b.started_at, b.ended_at)
        assert a.elapsed_ms <= b.elapsed_ms
        if a.due_at is not None:
            assert b.due_at == a.due_at
        if a.state is State.RUNNING:
            assert b.state in (State.RUNNING, State.BREACHED)


@COLD_CALENDARS
@given(policies(), events, offsets)
def test_states_agree_with_elapsed_time_and_due_times(
    chosen: Policy, raw: list[tuple[int, str]], now: int
) -> None:
    line = _timeline([(at, kind) for at, kind in raw if at <= now])
    clocks = sla_clocks(chosen, line, m(now))
    for clock in clocks.clocks:
        if clock.ended_at is not None:
            assert (clock.state is State.MET) == (clock.elapsed_ms <= clock.target_ms)
        else:
            assert (clock.state is State.BREACHED) == (
                clock.due_at is not None and clock.due_at <= m(now)
            )
            assert (clock.state is State.PAUSED) == (clock.due_at is None)
        if clock.due_at is not None and clock.state is not State.RUNNING:
            assert clock.elapsed_ms >= clock.target_ms  # it reached its target by now
    open_dues = [c.due_at for c in clocks.clocks if c.ended_at is None and c.due_at is not None]
    assert clocks.due_at == min(open_dues, default=None)


@COLD_CALENDARS
@given(
    st.integers(1, 5 * 24 * 60),
    st.lists(st.tuples(offsets, st.integers(1, 600)), max_size=4),
    offsets,
)
def test_around_the_clock_counts_wall_time_outside_pauses(
    target: int, pauses: list[tuple[int, int]], now: int
) -> None:
    # Keep the pauses apart so each ends before the next begins.
    spaced = tuple((i * 10_000 + start % 9_000, length) for i, (start, length) in enumerate(pauses))
    clock = resolution(sla_clocks(policy(resolution=target), _timeline([], spaced), m(now)))
    paused = sum(max(0, min(s + n, now) - min(s, now)) for s, n in spaced)
    assert clock.elapsed_ms == (now - paused) * MINUTE_MS


# ---------------------------------------------------------------- what the store keeps


def test_the_stored_columns_are_the_next_due_target_or_the_paused_time_left() -> None:
    running = sla_clocks(policy(first=30, resolution=240), timeline(), m(10))
    assert stored(running) == StoredSla(m(30), Target.FIRST_RESPONSE, None)
    paused = sla_clocks(
        policy(first=30, resolution=240), timeline(statuses=((10, "pending"),)), m(50)
    )
    assert stored(paused) == StoredSla(None, Target.FIRST_RESPONSE, 20 * MINUTE_MS)
    done = sla_clocks(policy(), timeline(replies=(1,), statuses=((2, "solved"),)), m(10))
    assert stored(done) == NO_SLA


def test_a_recorded_timeline_trusts_the_current_status_over_a_gap_in_history() -> None:
    kept = recorded_timeline(
        created_at=m(0),
        status="pending",
        updated_at=m(50),
        changes=[(m(20), "pending"), (m(10), "open")],
        customer_messages=[m(0)],
        public_replies=[m(20)],
    )
    assert kept.statuses == ((m(10), "open"), (m(20), "pending"))
    # No history at all (written before it was kept): the status since the last update.
    missing = recorded_timeline(
        created_at=m(0),
        status="on-hold",
        updated_at=m(50),
        changes=[],
        customer_messages=[],
        public_replies=[],
    )
    assert missing.statuses == ((m(50), "on-hold"),)
    # Two changes in one millisecond may come back in either order: the status wins.
    tied = recorded_timeline(
        created_at=m(0),
        status="open",
        updated_at=m(30),
        changes=[(m(30), "open"), (m(30), "pending")],
        customer_messages=[],
        public_replies=[],
    )
    assert tied.statuses[-1] == (m(30), "open")


def test_each_target_is_described_in_words_that_carry_its_state() -> None:
    line = timeline(customer=(0, 100), replies=(20,), statuses=((130, "pending"),))
    clocks = sla_clocks(policy(first=30, nxt=60, resolution=90), line, m(140))
    first_reply, waiting, resolution = shown_clocks(clocks)
    assert describe_clock(first_reply, m(140)) == "first reply met (20m/30m)"
    assert describe_clock(waiting, m(140)) == "next reply paused (30m/1h)"
    assert describe_clock(resolution, m(140)) == "resolution overdue 50m (2h10m/1h30m)"
    running = sla_clocks(policy(first=30), timeline(), m(10))
    assert describe_clock(first(running), m(10)) == "first reply due in 20m (10m/30m)"
    late = sla_clocks(policy(first=30), timeline(replies=(45,)), m(60))
    assert describe_clock(first(late), m(60)) == "first reply missed (45m/30m)"


def test_business_time_reads_in_hours_because_a_business_day_is_not_24_hours() -> None:
    assert [business_span(n * MINUTE_MS) for n in (0, 42, 60, 78, 4320)] == [
        "0m",
        "42m",
        "1h",
        "1h18m",
        "72h",
    ]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30m", 30), ("4h", 240), ("1h30m", 90), ("2d", 2880), ("1w", 10080), (" None ", None)],
)
def test_targets_as_people_write_them(text: str, minutes: int | None) -> None:
    assert target_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "4", "1.5h", "0m", "4 h", "soon"])
def test_a_target_that_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match=r"is not a target such as|must be above zero"):
        target_minutes(text)


def test_a_policy_in_one_line() -> None:
    office = policy(first=480, nxt=None, resolution=4320, calendar=OFFICE, name="Normal")
    assert describe_policy(office) == (
        "Normal (every ticket): first reply 8h, next reply —, resolution 72h;"
        " mon-fri 09:00-17:00 Europe/Berlin, 1 holidays"
    )
    assert applies_to(policy(priority="urgent", plan="pro")) == "urgent · pro"
    assert applies_to(policy(plan="pro")) == "any priority · pro"


def test_an_escalation_s_handoff_target_uses_the_same_business_hours() -> None:
    office = parse_calendar(OFFICE)
    friday_evening = berlin(2026, 11, 27, 16, 30)
    # High: 2 hours to acknowledge; 30 minutes on Friday, the rest on Monday morning.
    assert ack_due_at("high", friday_evening, office) == berlin(2026, 11, 30, 10, 30)
    assert ack_due_at("high", friday_evening) == friday_evening + 2 * HOUR  # no policy
