"""Each metric computed on a hand-made store whose answers are known (tests/metrics_fixture.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk import reports
from agentdesk.domain.metrics import FrtClock, Period
from storage import metrics as metrics_sql
from storage.database import Database
from storage.metrics import Buckets, backlog_at, breaching_by_agent, hourly_volume, open_cells
from tests import metrics_fixture as fx
from tests.factories import T0

WEEK = Period(fx.WEEK_START, T0)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = Database.open(fx.make(tmp_path / "metrics.db"))
    with db.read() as connection:
        yield connection
    db.close()


def _report(conn: sqlite3.Connection, **kwargs: object) -> dict[str, object]:
    found = reports.report(conn, WEEK, now=T0, **kwargs)  # type: ignore[arg-type]
    return {row.key: row.value for row in reports.rows(found)}


def test_every_figure_of_the_week(conn: sqlite3.Connection) -> None:
    figures = _report(conn)
    expected = fx.EXPECTED
    assert figures["created"] == expected["created"]
    assert figures["solved"] == expected["solved"]
    assert figures["backlog_start"] == expected["backlog_start"]
    assert figures["backlog_end"] == expected["backlog_end"]
    frt = sorted(expected["frt_ms"])  # type: ignore[call-overload]
    assert figures["frt_tickets"] == len(frt)
    assert figures["frt_median_ms"] == frt[1]  # nearest rank: the 2nd of 4
    assert figures["frt_mean_ms"] == sum(frt) / len(frt)
    assert figures["frt_p90_ms"] == frt[3]
    assert figures["fcr_tickets"] == expected["one_touch"]
    assert figures["fcr_percent"] == 50.0
    assert figures["aht_tickets"] == expected["handled"]
    assert figures["aht_ms"] == 20 * fx.MINUTE
    assert figures["csat_answers"] == 4
    assert figures["csat_percent"] == 50.0
    assert (figures["nps_answers"], figures["nps_promoters"], figures["nps_detractors"]) == (
        5,
        3,
        1,
    )
    assert figures["nps"] == 40.0
    assert (figures["sla_targets"], figures["sla_missed"]) == (10, 3)
    assert figures["sla_percent"] == 70.0
    assert figures["sla_first_response_percent"] == 75.0
    assert figures["sla_next_response_percent"] == 100.0
    assert figures["sla_resolution_percent"] == 60.0


def test_an_open_target_counts_as_missed_only_once_it_is_due(conn: sqlite3.Connection) -> None:
    """Seen from before #5's resolution fell due (T0 - 1d), it is not measured yet."""
    early = {r.key: r.value for r in reports.rows(reports.report(conn, WEEK, now=T0 - 2 * fx.DAY))}
    assert (early["sla_targets"], early["sla_missed"]) == (9, 2)


def test_breaching_tickets_per_agent(conn: sqlite3.Connection) -> None:
    assert breaching_by_agent(conn, T0) == {"AG-ANA": 1}
    assert breaching_by_agent(conn, T0 - 2 * fx.DAY) == {}  # #5 was not yet due


def test_one_group_counts_only_its_tickets(conn: sqlite3.Connection) -> None:
    figures = _report(conn, group_id="GR-FRONT")
    assert (figures["created"], figures["solved"]) == (2, 2)
    assert (figures["backlog_start"], figures["backlog_end"]) == (0, 0)
    assert figures["frt_tickets"] == 2
    assert figures["fcr_percent"] == 50.0  # 2 in one touch, 3 with two replies
    assert figures["aht_ms"] == 15 * fx.MINUTE  # (10 + 20) / 2
    assert (figures["csat_answers"], figures["csat_percent"]) == (2, 100.0)
    assert (figures["nps_answers"], figures["nps"]) == (2, 100.0)
    assert (figures["sla_targets"], figures["sla_percent"]) == (5, 80.0)


def test_nothing_to_measure_is_none_not_zero(conn: sqlite3.Connection) -> None:
    empty = Period(T0 - 400 * fx.DAY, T0 - 399 * fx.DAY)
    figures = {row.key: row.value for row in reports.rows(reports.report(conn, empty, now=T0))}
    assert figures["created"] == 0
    for key in ("frt_median_ms", "fcr_percent", "aht_ms", "csat_percent", "nps", "sla_percent"):
        assert figures[key] is None, key


@pytest.mark.parametrize("probe", [metrics_sql.RECENT_PROBE, 0], ids=["from-now", "from-start"])
def test_backlog_at_any_instant_matches_its_definition(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch, probe: int
) -> None:
    """Created before T and not ended by T, checked against a plain scan of the rows, by
    both ways of counting it (back from now, or everything before T)."""
    monkeypatch.setattr(metrics_sql, "RECENT_PROBE", probe)
    rows = conn.execute("SELECT created_at, status, solved_at, updated_at FROM ticket").fetchall()

    def by_scan(at: int) -> int:
        def ended(status: str, solved: int | None, updated: int) -> int | None:
            return solved if solved is not None else updated if status == "closed" else None

        return sum(
            1
            for created, status, solved, updated in rows
            if created < at and ((end := ended(status, solved, updated)) is None or end >= at)
        )

    for days_ago in (21, 10, 8.5, 7, 6, 5.5, 4, 3, 2.5, 1, 0):
        at = T0 - int(days_ago * fx.DAY)
        assert backlog_at(conn, at) == by_scan(at), days_ago


def test_daily_buckets_add_up_to_the_period(conn: sqlite3.Connection) -> None:
    daily = Buckets(T0, fx.DAY, 7)
    volume = reports.volume(conn, daily)
    assert volume.total_created == fx.EXPECTED["created"]
    assert volume.backlog[-1] == fx.EXPECTED["backlog_end"]
    assert [backlog_at(conn, T0 - (6 - k) * fx.DAY) for k in range(7)] == list(volume.backlog)
    solved = reports.solved(conn, daily)
    assert solved.total.solved == fx.EXPECTED["solved"]
    # day k is [-7d + k, -6d + k): #9 on day 0 (-6.5d), #2 day 2, #3 day 3, #4 day 4
    assert [s.solved for s in solved.per_bucket] == [1, 0, 1, 1, 1, 0, 0]
    fcr = [reports.Solved.fcr(s) for s in solved.per_bucket]
    assert fcr == [100.0, None, 100.0, 0.0, 0.0, None, None]
    frt = reports.frt(conn, daily)
    assert [d.count for d in frt.per_bucket] == [0, 2, 1, 0, 0, 1, 0]
    assert frt.total.count == 4


def test_business_hours_frt_uses_the_ticket_policy_calendar(tmp_path: Path) -> None:
    """Created Friday 16:00, answered Monday 10:00 UTC: 66 hours of wall time, 2 of office."""
    db = Database.open(fx.make(tmp_path / "business.db"))
    friday_4pm = 1_748_016_000_000  # 2025-05-23 16:00 UTC, long before the fixture's tickets
    monday_10am = friday_4pm + 66 * fx.HOUR
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    calendar = {"tz": "UTC", "hours": {day: [["09:00", "17:00"]] for day in weekdays}}
    with db.transaction() as c:
        c.execute(
            "INSERT INTO sla_policy (id, name, calendar) VALUES ('SLA-OFFICE', 'Office', ?)",
            (json.dumps(calendar),),
        )
        fx.add_ticket(c, 20, created=friday_4pm, replies=(monday_10am,), policy="SLA-OFFICE")
    period = Period(friday_4pm, monday_10am + 1)
    buckets = Buckets(period.end, period.length_ms, 1)
    with db.read() as c:
        wall = reports.frt(c, buckets, FrtClock.WALL).total
        business = reports.frt(c, buckets, FrtClock.BUSINESS).total
    db.close()
    assert (wall.count, wall.median_ms) == (1, 66 * fx.HOUR)
    assert (business.count, business.median_ms) == (1, 2 * fx.HOUR)


def test_open_cells_count_the_live_backlog(conn: sqlite3.Connection) -> None:
    cells = open_cells(conn)
    assert sum(c.count for c in cells) == fx.EXPECTED["backlog_end"]
    assert {c.status for c in cells} == {"open", "new"}
    oldest = min(c.oldest_created_at for c in cells)
    assert oldest == T0 - 8 * fx.DAY  # ticket 7


def test_hourly_volume_by_channel_and_tag(tmp_path: Path) -> None:
    db = Database.open(fx.make(tmp_path / "hourly.db"))
    with db.transaction() as c:
        for n in range(3):
            fx.add_ticket(
                c, 30 + n, created=T0 - 10 * fx.MINUTE * (n + 1), channel="phone", tags=("outage",)
            )
    with db.read() as c:
        series = hourly_volume(c, Buckets(T0, fx.HOUR, 24))
    db.close()
    assert series[("channel", "phone")][-1] == 3
    assert series[("tag", "outage")] == [0] * 23 + [3]
    # ticket 6, created exactly 24 hours ago: the first hour includes its start
    assert series[("channel", "email")] == [1] + [0] * 23


def test_no_metric_reads_a_whole_table(conn: sqlite3.Connection) -> None:
    """Every statement of the report and the dashboard starts from an index (a month of a
    million-ticket store must not read the other eleven)."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        reports.report(conn, WEEK, now=T0)
        reports.report(conn, WEEK, now=T0, group_id="GR-FRONT", clock=FrtClock.BUSINESS)
        open_cells(conn)
        breaching_by_agent(conn, T0)
        hourly_volume(conn, Buckets(T0, fx.HOUR, 169))
    finally:
        conn.set_trace_callback(None)
    plans = {
        sql: " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT") and "FROM sla_policy" not in sql  # a few rows
    }
    assert len(plans) > 10
    for sql, plan in plans.items():
        scans = [step for step in plan.split(" | ") if step.startswith("SCAN ")]
        # Walking a small partial index whole is what it is for.
        partial = ("ix_ticket_closed_unsolved", "ix_ticket_open_cells")
        allowed = ("SCAN (subquery", *(f"INDEX {name}" for name in partial))
        assert all(any(a in step for a in allowed) for step in scans), (sql, plan)
    joined = "\n".join(plans.values())
    for index in (
        "ix_ticket_open_cells",
        "ix_ticket_closed_unsolved",
        "ix_ticket_first_response",
        "COVERING INDEX ix_message_public",
        "ix_audit_reopen",
        "COVERING INDEX ix_handle_session_ticket",
        "COVERING INDEX ix_survey_answered",
        "COVERING INDEX ix_sla_clock_ended",
        "ix_sla_clock_open_due",
        "ix_ticket_sla_order",
    ):
        assert index in joined, index
