"""The pure metric rules: periods, summaries, shares, spikes and handle sessions."""

from __future__ import annotations

from datetime import datetime

import pytest

from agentdesk.domain import metrics
from agentdesk.domain.handling import MAX_SESSION_MS, MIN_SESSION_MS, HandleClock, HandleSession
from agentdesk.domain.metrics import DAY_MS, HOUR_MS, Period, PeriodError
from agentdesk.domain.spikes import detect_spikes, z_score
from agentdesk.domain.workload import AgentLoad, totals, unassigned, workload
from storage.metrics import OpenCell
from tests.factories import T0
from widgets.metric_line import fill_gaps


def _local_midnight(day: str) -> int:
    return int(datetime.strptime(day, "%Y-%m-%d").timestamp() * 1000)


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "back"),
    [("7d", 7 * DAY_MS), ("12h", 12 * HOUR_MS), ("30m", 30 * 60_000), ("2w", 14 * DAY_MS)],
)
def test_an_age_counts_back_from_now(text: str, back: int) -> None:
    assert metrics.parse_bound(text, T0) == T0 - back


def test_a_day_is_its_local_midnight_and_until_includes_it() -> None:
    assert metrics.parse_bound("2026-11-01", T0) == _local_midnight("2026-11-01")
    assert metrics.parse_bound("2026-11-20", T0, end=True) == _local_midnight("2026-11-21")


def test_period_defaults_to_the_last_week() -> None:
    assert metrics.period_between(None, None, T0) == Period(T0 - 7 * DAY_MS, T0)
    assert metrics.period_between("30d", None, T0) == Period(T0 - 30 * DAY_MS, T0)
    assert metrics.period_between(None, "1d", T0) == Period(T0 - 8 * DAY_MS, T0 - DAY_MS)


@pytest.mark.parametrize(
    ("since", "until", "says"),
    [
        ("yesterday", None, "bad time 'yesterday'"),
        ("2026-02-30", None, "no such day"),
        ("7x", None, "write an age such as 7d"),
        ("1d", "7d", "the period is empty"),
    ],
)
def test_bad_periods_say_how_to_write_them(since: str, until: str | None, says: str) -> None:
    with pytest.raises(PeriodError, match=says):
        metrics.period_between(since, until, T0)


# --------------------------------------------------------------------------- figures


def test_summary_uses_nearest_rank() -> None:
    summary = metrics.summarize([40, 10, 30, 20, 50, 60, 70, 80, 90, 100])
    assert (summary.count, summary.median_ms, summary.mean_ms, summary.p90_ms) == (10, 50, 55, 90)
    assert metrics.summarize([7]).p90_ms == 7
    assert metrics.summarize([]) == metrics.Durations(0, None, None, None)


def test_shares_and_scores() -> None:
    assert metrics.csat(3, 4) == 75.0
    assert metrics.fcr(1, 3) == pytest.approx(33.333, abs=0.001)
    assert metrics.nps(promoters=6, detractors=2, answers=10) == 40.0
    assert metrics.nps(promoters=0, detractors=5, answers=5) == -100.0
    assert metrics.aht(handle_ms=90_000, handled=3) == 30_000
    for empty in (metrics.csat(0, 0), metrics.nps(0, 0, 0), metrics.aht(0, 0)):
        assert empty is None


def test_backlog_series_walks_from_the_start() -> None:
    assert metrics.backlog_series(10, [3, 0, 5], [1, 4, 0]) == [12, 8, 13]


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, "—"),
        (45_000, "45s"),
        (12 * 60_000, "12m"),
        (3 * HOUR_MS + 5 * 60_000, "3h 05m"),
        (2 * DAY_MS + 4 * HOUR_MS, "2d 4h"),
    ],
)
def test_durations_read_like_a_person_says_them(ms: int | None, text: str) -> None:
    assert metrics.duration_text(ms) == text


def test_percent_and_score_text() -> None:
    assert metrics.percent_text(87.54) == "87.5%"
    assert metrics.score_text(42.0) == "+42"
    assert metrics.score_text(-7.2) == "-7"
    assert metrics.percent_text(None) == metrics.score_text(None) == "—"


# --------------------------------------------------------------------------- spikes

WEEK = 168


def test_a_burst_on_a_quiet_tag_is_a_spike() -> None:
    series = {("tag", "outage"): [0, 1, 0, 0] * (WEEK // 4) + [12]}
    (spike,) = detect_spikes(series)
    assert (spike.kind, spike.value, spike.count) == ("tag", "outage", 12)
    assert spike.baseline == pytest.approx(0.25)
    assert spike.z > 10
    assert spike.query() == "tag:outage created:<1h"
    assert spike.label == "tag outage"


def test_a_busy_channel_at_its_usual_level_is_not() -> None:
    office = [20, 30, 80, 100, 90, 40] * (WEEK // 6)
    assert detect_spikes({("channel", "email"): [*office, 110]}) == []


def test_few_tickets_never_alarm_however_rare() -> None:
    assert detect_spikes({("tag", "gdpr"): [0] * WEEK + [4]}) == []
    assert detect_spikes({("tag", "gdpr"): [0] * WEEK + [5]}) != []


def test_twice_the_mean_is_required() -> None:
    """A steady series with no spread: z is large, but 30 over a mean of 20 is no incident."""
    assert detect_spikes({("channel", "chat"): [20] * WEEK + [30]}, threshold=1.0) == []


def test_spikes_come_strongest_first() -> None:
    found = detect_spikes(
        {("tag", "a"): [0] * WEEK + [6], ("tag", "b"): [0] * WEEK + [20], ("tag", "c"): [1]}
    )
    assert [s.value for s in found] == ["b", "a"]


def test_z_score_floors_the_spread_at_poisson() -> None:
    mean, z = z_score(25, [16] * 10)  # no spread at all: sqrt(16) = 4 stands in
    assert (mean, z) == (16.0, 2.25)


# --------------------------------------------------------------------------- handling


def test_a_session_runs_from_showing_a_ticket_until_it_is_left() -> None:
    clock = HandleClock()
    assert clock.show("T1", 1_000) is None
    assert clock.show("T1", 5_000) is None  # still the same ticket
    assert clock.show(None, 61_000) == HandleSession("T1", 1_000, 61_000)
    assert clock.ticket is None


def test_switching_tickets_ends_one_session_and_starts_the_next() -> None:
    clock = HandleClock()
    clock.show("T1", 0)
    assert clock.show("T2", 20_000) == HandleSession("T1", 0, 20_000)
    assert clock.show(None, 50_000) == HandleSession("T2", 20_000, 50_000)


def test_glances_are_not_recorded_and_long_sessions_are_capped() -> None:
    clock = HandleClock()
    clock.show("T1", 0)
    assert clock.show(None, MIN_SESSION_MS - 1) is None
    clock.show("T2", 0)
    assert clock.show(None, 5 * MAX_SESSION_MS) == HandleSession("T2", 0, MAX_SESSION_MS)


# --------------------------------------------------------------------------- workload


def _cell(status: str, assignee: str | None, count: int, oldest: int) -> OpenCell:
    return OpenCell(status, "normal", 1, "email", assignee, count, oldest)


def test_the_live_backlog_folds_one_way_or_another_to_the_same_total() -> None:
    cells = [
        _cell("new", None, 4, 50),
        _cell("open", "AG-ANA", 3, 20),
        _cell("pending", "AG-ANA", 2, 10),
        _cell("open", "AG-BEN", 5, 30),
    ]
    assert totals(cells, lambda c: c.status) == {"new": 4, "open": 8, "pending": 2}
    assert sum(totals(cells, lambda c: (c.status, c.priority)).values()) == 14
    assert unassigned(cells) == 4
    # The busiest first; a tie goes to the one holding the oldest ticket.
    assert workload(cells) == [AgentLoad("AG-ANA", 5, 10), AgentLoad("AG-BEN", 5, 30)]


def test_a_sparkline_gap_repeats_the_day_before() -> None:
    assert fill_gaps([None, 2.0, None, None, 5.0, None]) == [2.0, 2.0, 2.0, 2.0, 5.0, 5.0]
    assert fill_gaps([None, None]) == [0.0, 0.0]
