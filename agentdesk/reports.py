"""The support metrics read from a store: a report's figures and the dashboard's trends.

One function per metric family, each over :class:`~storage.metrics.Buckets`: with one
bucket it is ``agentdesk report``'s figure for a period, with fourteen daily buckets
the dashboard's sparkline, and its ``total`` the dashboard's 14-day figure. The SQL is
in :mod:`storage.metrics`, the definitions in :mod:`agentdesk.domain.metrics`; this
module only joins them, so the report and the dashboard cannot disagree.

Every function blocks on SQLite: the TUI calls them from thread workers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TypeVar

from agentdesk.domain import metrics
from agentdesk.domain.business_hours import Calendar, parse_calendar
from agentdesk.domain.metrics import Durations, FrtClock, Period
from agentdesk.domain.workflow import InvalidValue
from storage import metrics as sql
from storage.agents import list_agents
from storage.metrics import (
    SLA_TARGETS,
    Buckets,
    OpenCell,
    SlaStats,
    SolvedStats,
    SurveyStats,
)

_S = TypeVar("_S", SolvedStats, SurveyStats, SlaStats)


def _total(kind: type[_S], per_bucket: Sequence[_S]) -> _S:
    """Field-by-field sum of counts."""
    return kind(*(sum(getattr(s, f.name) for s in per_bucket) for f in fields(kind)))


# --------------------------------------------------------------------------- families


@dataclass(frozen=True, slots=True)
class Volume:
    """Tickets created per bucket and the backlog at each bucket's end."""

    created: tuple[int, ...]
    backlog_start: int
    backlog: tuple[int, ...]

    @property
    def total_created(self) -> int:
        """Tickets created over all the buckets."""
        return sum(self.created)


def volume(conn: sqlite3.Connection, buckets: Buckets) -> Volume:
    """Volume and backlog (see :mod:`agentdesk.domain.metrics`)."""
    start = sql.backlog_at(conn, buckets.start, buckets.group_id)
    came = sql.created(conn, buckets)
    went = sql.ended(conn, buckets)
    return Volume(tuple(came), start, tuple(metrics.backlog_series(start, came, went)))


@dataclass(frozen=True, slots=True)
class Frt:
    """First reply times per bucket and over all of them."""

    clock: FrtClock
    per_bucket: tuple[Durations, ...]
    total: Durations


def frt(conn: sqlite3.Connection, buckets: Buckets, clock: FrtClock = FrtClock.WALL) -> Frt:
    """FRT, in wall-clock or business time (each ticket's SLA policy calendar)."""
    if clock is FrtClock.WALL:
        values = sql.first_reply_times(conn, buckets)
    else:
        calendars = _calendars(conn)
        values = [[] for _ in range(buckets.count)]
        for reply in sql.first_replies(conn, buckets):
            calendar = calendars.get(reply.sla_policy_id) if reply.sla_policy_id else None
            ms = metrics.first_reply_ms(reply.created_at, reply.first_response_at, calendar)
            values[reply.bucket].append(ms)
    every = [ms for bucket in values for ms in bucket]
    return Frt(clock, tuple(metrics.summarize(v) for v in values), metrics.summarize(every))


def _calendars(conn: sqlite3.Connection) -> dict[str, Calendar]:
    """Each policy's calendar; a policy whose calendar cannot be read counts wall time."""
    calendars: dict[str, Calendar] = {}
    for policy_id, raw in sql.policy_calendars(conn).items():
        try:
            calendars[policy_id] = parse_calendar(raw)
        except InvalidValue:
            continue
    return calendars


@dataclass(frozen=True, slots=True)
class Solved:
    """FCR and AHT counts per bucket and over all of them."""

    per_bucket: tuple[SolvedStats, ...]
    total: SolvedStats

    @staticmethod
    def fcr(stats: SolvedStats) -> float | None:
        """FCR of one bucket (or the total)."""
        return metrics.fcr(stats.one_touch, stats.solved)

    @staticmethod
    def aht(stats: SolvedStats) -> int | None:
        """AHT of one bucket (or the total), in ms."""
        return metrics.aht(stats.handle_ms, stats.handled)


def solved(conn: sqlite3.Connection, buckets: Buckets) -> Solved:
    """Tickets solved, FCR and AHT."""
    per_bucket = sql.solved_stats(conn, buckets)
    return Solved(tuple(per_bucket), _total(SolvedStats, per_bucket))


@dataclass(frozen=True, slots=True)
class Survey:
    """CSAT or NPS answers per bucket and over all of them."""

    kind: str
    per_bucket: tuple[SurveyStats, ...]
    total: SurveyStats

    def score(self, stats: SurveyStats) -> float | None:
        """CSAT % or NPS of one bucket (or the total)."""
        if self.kind == "csat":
            return metrics.csat(stats.top, stats.answers)
        return metrics.nps(stats.top, stats.bottom, stats.answers)


def survey(conn: sqlite3.Connection, buckets: Buckets, kind: str) -> Survey:
    """CSAT (``kind="csat"``) or NPS (``"nps"``)."""
    per_bucket = sql.survey_stats(conn, buckets, kind)
    return Survey(kind, tuple(per_bucket), _total(SurveyStats, per_bucket))


@dataclass(frozen=True, slots=True)
class Sla:
    """SLA targets per kind and bucket (see :func:`storage.metrics.sla_stats`)."""

    per_target: dict[str, tuple[SlaStats, ...]]

    @property
    def per_bucket(self) -> tuple[SlaStats, ...]:
        """Every kind of target together, per bucket."""
        return tuple(_total(SlaStats, list(b)) for b in zip(*self.per_target.values(), strict=True))

    def total(self, target: str | None = None) -> SlaStats:
        """Over all buckets: one kind of target, or every kind."""
        stats = self.per_bucket if target is None else self.per_target[target]
        return _total(SlaStats, stats)

    def last(self, buckets: int) -> Sla:
        """The same targets, over the last ``buckets`` buckets only (7 of 14 days)."""
        return Sla({target: stats[-buckets:] for target, stats in self.per_target.items()})

    @staticmethod
    def attainment(stats: SlaStats) -> float | None:
        """Attainment of one bucket (or a total)."""
        return metrics.attainment(stats.met, stats.ended, stats.overdue)


def sla(conn: sqlite3.Connection, buckets: Buckets, now: int) -> Sla:
    """SLA attainment (targets that ended, or fell due before ``now``, in each bucket)."""
    found = sql.sla_stats(conn, buckets, now)
    return Sla({target: tuple(stats) for target, stats in found.items()})


@dataclass(frozen=True, slots=True)
class Live:
    """The live panels: unsolved tickets counted by their fields, agents' names, and each
    agent's tickets whose next SLA target is past due."""

    cells: list[OpenCell]
    agents: dict[str, str]
    breaching: dict[str, int]


def live(conn: sqlite3.Connection, now: int | None) -> Live:
    """The live backlog and workload: tens of milliseconds at a million tickets (one small
    index), and as much again for who is breaching at ``now`` (``None`` leaves it out)."""
    return Live(
        sql.open_cells(conn),
        {a.id: a.name for a in list_agents(conn)},
        {} if now is None else sql.breaching_by_agent(conn, now),
    )


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Report:
    """Every metric over one period (what ``agentdesk report`` prints)."""

    period: Period
    group: str | None
    volume: Volume
    frt: Frt
    solved: Solved
    csat: Survey
    nps: Survey
    sla: Sla


def report(
    conn: sqlite3.Connection,
    period: Period,
    *,
    now: int,
    group_id: str | None = None,
    group: str | None = None,
    clock: FrtClock = FrtClock.WALL,
) -> Report:
    """Every metric over ``period`` as it stands at ``now``, for one group's tickets
    (``group_id``) or all."""
    buckets = Buckets(period.end, period.length_ms, 1, group_id)
    return Report(
        period,
        group,
        volume(conn, buckets),
        frt(conn, buckets, clock),
        solved(conn, buckets),
        survey(conn, buckets, "csat"),
        survey(conn, buckets, "nps"),
        sla(conn, buckets, now),
    )


@dataclass(frozen=True, slots=True)
class Row:
    """One figure of a report: a stable key, a label, the value and how people read it."""

    key: str
    label: str
    value: float | int | None
    unit: str
    text: str


def rows(r: Report) -> list[Row]:
    """The report's figures in print order (every output format uses these)."""
    frt, total, csat, nps = r.frt.total, r.solved.total, r.csat.total, r.nps.total
    fcr, aht = Solved.fcr(total), Solved.aht(total)
    csat_score, nps_score = r.csat.score(csat), r.nps.score(nps)
    clock = "business hours" if r.frt.clock is FrtClock.BUSINESS else "wall clock"
    dur = metrics.duration_text

    def count(key: str, label: str, value: int, unit: str = "tickets") -> Row:
        return Row(key, label, value, unit, f"{value:,}")

    return [
        count("created", "Tickets created", r.volume.total_created),
        count("solved", "Tickets solved", total.solved),
        count("backlog_start", "Backlog at start", r.volume.backlog_start),
        count("backlog_end", "Backlog at end", r.volume.backlog[-1]),
        Row("frt_median_ms", f"FRT median ({clock})", frt.median_ms, "ms", dur(frt.median_ms)),
        Row("frt_mean_ms", "FRT mean", frt.mean_ms, "ms", dur(frt.mean_ms)),
        Row("frt_p90_ms", "FRT 90th percentile", frt.p90_ms, "ms", dur(frt.p90_ms)),
        count("frt_tickets", "FRT: tickets first answered", frt.count),
        Row("fcr_percent", "FCR", fcr, "%", metrics.percent_text(fcr)),
        count("fcr_tickets", "FCR: solved in one touch", total.one_touch),
        Row("aht_ms", "AHT", aht, "ms", dur(aht)),
        count("aht_tickets", "AHT: solved tickets with handle time", total.handled),
        Row("csat_percent", "CSAT", csat_score, "%", metrics.percent_text(csat_score)),
        count("csat_answers", "CSAT answers", csat.answers, "answers"),
        Row("nps", "NPS", nps_score, "score", metrics.score_text(nps_score)),
        count("nps_answers", "NPS answers", nps.answers, "answers"),
        count("nps_promoters", "NPS promoters (9-10)", nps.top, "answers"),
        count("nps_detractors", "NPS detractors (0-6)", nps.bottom, "answers"),
        *_sla_rows(r.sla),
    ]


def _sla_rows(found: Sla) -> list[Row]:
    total = found.total()
    score = Sla.attainment(total)
    rows = [Row("sla_percent", "SLA attainment", score, "%", metrics.percent_text(score))]
    for target in SLA_TARGETS:
        part = Sla.attainment(found.total(target))
        label = f"SLA attainment: {target.replace('_', ' ')}"
        rows.append(Row(f"sla_{target}_percent", label, part, "%", metrics.percent_text(part)))
    measured = total.ended + total.overdue
    missed = measured - total.met
    rows.append(Row("sla_targets", "SLA targets measured", measured, "targets", f"{measured:,}"))
    rows.append(Row("sla_missed", "SLA targets missed", missed, "targets", f"{missed:,}"))
    return rows
