"""Support metrics: what each number means, computed from what the store counts.

Definitions (the one place; the README and ``agentdesk report`` say the same). A
period is ``[start, end)`` in epoch milliseconds; ``storage.metrics`` selects each
metric's tickets or answers with SQL, the functions here turn the counts into figures.

- **Volume**: tickets created in the period.
- **Solved**: tickets whose ``solved_at`` (their latest solve) is in the period.
- **FRT** (first reply time): for each ticket whose first public reply was sent in the
  period, that reply's time minus the ticket's creation; reported as median, mean and
  90th percentile (nearest rank). Measured in wall-clock time, or in business time of
  the ticket's SLA policy calendar (around the clock when it has no policy), as
  configured. Tickets never answered publicly have no FRT.
- **FCR** (first contact resolution): of the tickets solved in the period, the share
  with exactly one public reply that were never reopened (no ``set_status`` from
  ``solved`` to ``open`` in their audit trail).
- **AHT** (average handling time): of the tickets solved in the period that have
  handle sessions, the mean of each ticket's total handle time. A handle session is
  the time an agent had the ticket's screen in front of them in the TUI (see
  :mod:`agentdesk.domain.handling`); a ticket's total is every session of every agent
  on it, whenever recorded. Tickets handled only from the queue or the CLI have no
  sessions and are left out; how many were measured is reported with it.
- **CSAT**: of the CSAT answers (1-5) given in the period, the share of 4 and 5.
- **NPS**: of the NPS answers (0-10) given in the period, the share of promoters (9-10)
  minus the share of detractors (0-6), from -100 to 100.
- **SLA attainment**: of the SLA targets (first response, each next response,
  resolution: :mod:`agentdesk.domain.sla`) that ended in the period, and of the open ones
  whose due instant fell in it (breached, still running), the share met in time. Each
  target counts once: where it ended, or, while open, where it fell due.
- **Backlog at T**: tickets created before T that had not ended by T. A ticket ends
  when it is solved (``solved_at``) or, if it was closed without being solved (a
  merged duplicate), when it was closed. The store keeps only a ticket's latest solve,
  so a reopened ticket counts as unsolved from its first solve to its reopening too.

Shares are percentages; a metric with nothing to measure is ``None`` (shown "—"),
never 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from agentdesk.domain.business_hours import Calendar

MINUTE_MS: Final = 60_000
HOUR_MS: Final = 60 * MINUTE_MS
DAY_MS: Final = 24 * HOUR_MS
_UNITS: Final = {"m": MINUTE_MS, "h": HOUR_MS, "d": DAY_MS, "w": 7 * DAY_MS}
_AGE: Final = re.compile(r"(\d{1,5})([mhdw])")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

#: CSAT answers that count as satisfied, NPS promoters and detractors.
CSAT_SATISFIED: Final = (4, 5)
NPS_PROMOTERS: Final = (9, 10)
NPS_DETRACTORS: Final = tuple(range(7))


class FrtClock(StrEnum):
    """How first reply time is measured."""

    WALL = "wall"
    BUSINESS = "business"


class PeriodError(ValueError):
    """A ``--since``/``--until`` a person typed that cannot be read; says how to write it."""


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in epoch milliseconds."""

    start: int
    end: int

    @property
    def length_ms(self) -> int:
        """How long the period is."""
        return self.end - self.start


def parse_bound(text: str, now: int, *, end: bool = False) -> int:
    """An instant from an age before ``now`` (``7d``, ``12h``, ``30m``, ``2w``) or a local day.

    A day (``2026-11-01``) is its local midnight; with ``end`` it is the midnight
    after, so ``--until 2026-11-20`` includes that day.

    Raises:
        PeriodError: the text is neither.
    """
    raw = text.strip().lower()
    age = _AGE.fullmatch(raw)
    if age:
        return now - int(age[1]) * _UNITS[age[2]]
    if _DATE.fullmatch(raw):
        try:
            day = datetime.strptime(raw, "%Y-%m-%d")
        except ValueError:
            raise PeriodError(f"bad date '{text}': no such day") from None
        return _local_ms(day + timedelta(days=1) if end else day)
    raise PeriodError(f"bad time '{text}': write an age such as 7d, 12h, 2w or a day 2026-11-01")


def period_between(since: str | None, until: str | None, now: int, *, days: int = 7) -> Period:
    """The period from ``since`` (default: ``days`` before now) to ``until`` (default: now).

    Raises:
        PeriodError: a bound cannot be read, or the period is empty.
    """
    end = now if until is None else parse_bound(until, now, end=True)
    start = end - days * DAY_MS if since is None else parse_bound(since, now)
    if start >= end:
        raise PeriodError("the period is empty: --since must be before --until")
    return Period(start, end)


def local_midnight(ms: int) -> int:
    """The local midnight that starts the day of ``ms`` ("today" on the dashboard)."""
    moment = datetime.fromtimestamp(ms / 1000).replace(hour=0, minute=0, second=0, microsecond=0)
    return _local_ms(moment)


def _local_ms(moment: datetime) -> int:
    """Epoch milliseconds of a local wall-clock time."""
    return int(moment.timestamp() * 1000)


# --------------------------------------------------------------------------- figures


def percentile(sorted_values: Sequence[int], share: float) -> int | None:
    """The nearest-rank percentile (``share`` in (0, 1]) of ascending values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True, slots=True)
class Durations:
    """A set of durations (FRT): how many, median, mean and 90th percentile, in ms."""

    count: int
    median_ms: int | None
    mean_ms: int | None
    p90_ms: int | None


def summarize(values: Sequence[int]) -> Durations:
    """Median (the lower middle value), mean and p90 of ``values`` (any order)."""
    ordered = sorted(values)
    if not ordered:
        return Durations(0, None, None, None)
    return Durations(
        len(ordered),
        percentile(ordered, 0.5),
        round(sum(ordered) / len(ordered)),
        percentile(ordered, 0.9),
    )


def first_reply_ms(created_at: int, replied_at: int, calendar: Calendar | None) -> int:
    """One ticket's FRT: wall time, or the business time of ``calendar`` when given."""
    if calendar is None:
        return replied_at - created_at
    return calendar.between(created_at, replied_at)


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``; ``None`` when there is nothing to measure."""
    return None if whole <= 0 else 100.0 * part / whole


def fcr(one_touch: int, solved: int) -> float | None:
    """First contact resolution, % of solved tickets."""
    return share(one_touch, solved)


def aht(handle_ms: int, handled: int) -> int | None:
    """Average handling time in ms over the tickets that have handle sessions."""
    return None if handled <= 0 else round(handle_ms / handled)


def csat(satisfied: int, answers: int) -> float | None:
    """CSAT: % of answers that are 4 or 5."""
    return share(satisfied, answers)


def nps(promoters: int, detractors: int, answers: int) -> float | None:
    """NPS: % promoters minus % detractors, from -100 to 100."""
    return None if answers <= 0 else 100.0 * (promoters - detractors) / answers


def attainment(met: int, ended: int, overdue: int) -> float | None:
    """SLA attainment: % of the targets measured (ended, or open past due) that were met."""
    return share(met, ended + overdue)


def backlog_series(start_backlog: int, created: Sequence[int], ended: Sequence[int]) -> list[int]:
    """The backlog at the end of each bucket, from the backlog at the first bucket's start
    and the tickets created and ended in each bucket."""
    series: list[int] = []
    backlog = start_backlog
    for came, went in zip(created, ended, strict=True):
        backlog += came - went
        series.append(backlog)
    return series


# --------------------------------------------------------------------------- display


def duration_text(ms: int | None) -> str:
    """A duration for people: '45s', '12m', '3h 05m', '2d 4h'; '—' when unknown."""
    if ms is None:
        return "—"
    seconds = round(ms / 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes = round(ms / MINUTE_MS)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def percent_text(value: float | None) -> str:
    """'87.5%', or '—' when there was nothing to measure."""
    return "—" if value is None else f"{value:.1f}%"


def score_text(value: float | None) -> str:
    """An NPS such as '+42' or '-7', or '—'."""
    return "—" if value is None else f"{value:+.0f}"
