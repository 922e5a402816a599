"""Business-hours calendars: when an SLA clock may count, and how far it gets.

A calendar is a time zone, weekly opening hours (several intervals a day, so split
shifts work; ``00:00``-``24:00`` every day is around the clock) and holidays (whole
dates in the calendar's zone). SLA targets are business time: :func:`add_business_minutes`
says when a target falls due, :func:`business_minutes_between` how much of it is used.

Wall times become instants the way a person reading the office clock sees them: an
opening or closing time is the *first instant at which the zone's clocks show it*.
So on the spring-forward night a shift from 01:00 to 04:00 lasts two real hours and a
boundary inside the skipped hour (02:30) falls at the jump; on the fall-back night the
repeated hour counts twice (01:00-04:00 lasts four hours). Business time is always real
elapsed time while open, so it never runs backwards or double-counts an instant.

Each local day is turned into UTC millisecond intervals once and cached, with a running
total of open time over consecutive days: measuring any span is two look-ups and
finding a due time a bisection, however many days or weeks the target covers.

Calendars come from the JSON in ``sla_policy.calendar``::

    {"tz": "Europe/Berlin",
     "hours": {"mon": [["09:00", "12:30"], ["13:30", "17:00"]], "sat": [], ...},
     "holidays": ["2026-12-25", "2026-12-26"]}

Every key is optional: no ``tz`` is UTC, no ``hours`` is around the clock, a day missing
from ``hours`` is closed; ``{}`` (the column's default) is around the clock in UTC.
"""

from __future__ import annotations

import difflib
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from threading import Lock
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from agentdesk.domain.workflow import InvalidValue

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTE_MS: Final = 60_000
_DAY_MINUTES: Final = 24 * 60
_DAY_MS: Final = _DAY_MINUTES * MINUTE_MS
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_FIELDS: Final = ("tz", "hours", "holidays")
_TIME: Final = re.compile(r"(\d\d):(\d\d)")

#: Opening hours as minutes after local midnight, ``[start, end)``, Monday first.
Hours = tuple[tuple[tuple[int, int], ...], ...]
AROUND_THE_CLOCK: Final[Hours] = (((0, _DAY_MINUTES),),) * 7


class InvalidCalendar(InvalidValue):
    """A calendar that cannot be used; the message names the field that is wrong."""


@dataclass(frozen=True, slots=True)
class _Day:
    """One local day: its first instant, the next day's, and its open intervals (UTC ms)."""

    begin: int
    end: int
    spans: tuple[tuple[int, int], ...]
    total: int


class _RunningTotals:
    """Open time accumulated over consecutive local days.

    ``at(d)`` is the open time from a fixed origin day (the first one asked about) to
    the start of day ``d``, negative before the origin, so a difference never depends on
    how far the table has grown. Growing takes a lock; reading needs none, because the
    list is only appended to and a table grown backwards is swapped in whole.
    """

    def __init__(self, day_total: Callable[[int], int]) -> None:
        self._day_total = day_total
        self._lock = Lock()
        self._table: tuple[int, list[int]] | None = None  # (first day, totals from it on)

    def at(self, ordinal: int) -> int:
        """Open time from the origin to the start of day ``ordinal``."""
        table = self._table
        if table is None or not 0 <= ordinal - table[0] < len(table[1]):
            with self._lock:
                table = self._cover(ordinal)
        return table[1][ordinal - table[0]]

    def day_reaching(self, goal: int, after: int) -> int:
        """The day from ``after`` on in which the total reaches ``goal``.

        That is the ``d`` with ``at(d) < goal <= at(d + 1)``; ``at(after)`` must be
        below ``goal``.
        """
        table = self._table
        if table is None or not 0 <= after - table[0] < len(table[1]) or table[1][-1] < goal:
            with self._lock:
                first, totals = table = self._cover(after)
                while totals[-1] < goal:
                    totals.append(totals[-1] + self._day_total(first + len(totals) - 1))
        first, totals = table
        return first + bisect_left(totals, goal, lo=after - first) - 1

    def _cover(self, ordinal: int) -> tuple[int, list[int]]:
        """Grow the table to hold ``ordinal`` (backwards by a year at least); hold the lock."""
        if self._table is None:
            self._table = (ordinal, [0])
        first, totals = self._table
        if ordinal < first:
            start = min(ordinal, first - 366)
            head, value = [], totals[0]
            for day in range(first - 1, start - 1, -1):
                value -= self._day_total(day)
                head.append(value)
            self._table = first, totals = start, head[::-1] + totals
        while ordinal - first >= len(totals):
            totals.append(totals[-1] + self._day_total(first + len(totals) - 1))
        return self._table


@dataclass(frozen=True, slots=True)
class Calendar:
    """A validated business-hours calendar; build it with :func:`parse_calendar`.

    The private fields memoise days and their running totals: they never change a
    result, only how fast it comes, so they take no part in equality. A calendar may be
    shared between threads.
    """

    tz: ZoneInfo
    hours: Hours
    holidays: frozenset[date] = frozenset()
    always_open: bool = field(init=False, repr=False, compare=False)
    _days: dict[int, _Day] = field(init=False, repr=False, compare=False, default_factory=dict)
    _totals: _RunningTotals = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        always = self.hours == AROUND_THE_CLOCK and not self.holidays
        object.__setattr__(self, "always_open", always)
        object.__setattr__(self, "_totals", _RunningTotals(lambda day: self._day(day).total))

    def is_open(self, at_ms: int) -> bool:
        """Whether the clock counts at this instant (intervals are half-open)."""
        if self.always_open:
            return True
        return any(s <= at_ms < e for s, e in self._day_at(at_ms)[1].spans)

    def add(self, start_ms: int, business_ms: int) -> int:
        """The instant at which ``business_ms`` of open time after ``start_ms`` have passed.

        Adding zero is ``start_ms`` itself; otherwise the result is inside open time or
        exactly at the close of an open interval (a target of a full day is due at 17:00,
        not at 09:00 the next morning).
        """
        if business_ms < 0:
            raise ValueError(f"cannot add negative business time ({business_ms} ms)")
        if business_ms == 0 or self.always_open:
            return start_ms + business_ms
        left = business_ms
        ordinal, day = self._day_at(start_ms)
        for opens, closes in day.spans:
            if closes > start_ms:
                s = max(opens, start_ms)
                if left <= closes - s:
                    return s + left
                left -= closes - s
        goal = self._totals.at(ordinal + 1) + left
        ordinal = self._totals.day_reaching(goal, ordinal + 1)
        left = goal - self._totals.at(ordinal)
        for s, e in self._day(ordinal).spans:
            if left <= e - s:
                return s + left
            left -= e - s
        raise AssertionError(f"day {ordinal} was to hold the rest of the target")  # never

    def between(self, a_ms: int, b_ms: int) -> int:
        """Open time in ``[a_ms, b_ms)``, in milliseconds; negative when ``b_ms < a_ms``."""
        if b_ms < a_ms:
            return -self.between(b_ms, a_ms)
        if self.always_open:
            return b_ms - a_ms
        (first, first_day), (last, last_day) = self._day_at(a_ms), self._day_at(b_ms)
        if first == last:
            return _overlap(first_day, a_ms, b_ms)
        between_days = self._totals.at(last) - self._totals.at(first + 1)
        return between_days + _overlap(first_day, a_ms, b_ms) + _overlap(last_day, a_ms, b_ms)

    # ---------------------------------------------------------------- memoised days

    def _day(self, ordinal: int) -> _Day:
        day = self._days.get(ordinal)
        if day is None:
            day = self._days[ordinal] = self._make_day(ordinal)
        return day

    def _make_day(self, ordinal: int) -> _Day:
        begin = _first_instant(self.tz, ordinal, 0)
        end = _first_instant(self.tz, ordinal + 1, 0)
        if date.fromordinal(ordinal) in self.holidays:
            return _Day(begin, end, (), 0)
        spans = []
        for opens, closes in self.hours[(ordinal - 1) % 7]:
            s, e = _first_instant(self.tz, ordinal, opens), _first_instant(self.tz, ordinal, closes)
            if e > s:  # empty when both ends fall in a skipped hour
                spans.append((s, e))
        return _Day(begin, end, tuple(spans), sum(e - s for s, e in spans))

    def _day_at(self, at_ms: int) -> tuple[int, _Day]:
        """The local day an instant belongs to, and its ordinal.

        Starts from the UTC date and moves at most a day either way (offsets are under a
        day), so it needs no time-zone conversion once the days are cached.
        """
        ordinal = _EPOCH_ORDINAL + at_ms // _DAY_MS
        day = self._day(ordinal)
        while at_ms < day.begin:
            ordinal -= 1
            day = self._day(ordinal)
        while at_ms >= day.end:
            ordinal += 1
            day = self._day(ordinal)
        return ordinal, day


def _overlap(day: _Day, a_ms: int, b_ms: int) -> int:
    total = 0
    for s, e in day.spans:
        if s < b_ms and a_ms < e:
            total += min(e, b_ms) - max(s, a_ms)
    return total


def _first_instant(tz: ZoneInfo, ordinal: int, minute: int) -> int:
    """The first instant (UTC ms) at which the zone's clocks show this date and time.

    ``fold=0`` gives it for ordinary and repeated times. A time skipped by a
    spring-forward jump is first "passed" at the jump itself, which lies between the
    readings with the offsets after and before it; it is found by bisection (rare).
    """
    ordinal, minute = ordinal + minute // _DAY_MINUTES, minute % _DAY_MINUTES
    wall = datetime.fromordinal(ordinal) + timedelta(minutes=minute)
    wall_s = (ordinal - _EPOCH_ORDINAL) * 86_400 + minute * 60
    before = _offset_s(wall.replace(tzinfo=tz, fold=0).utcoffset())
    hi = wall_s - before
    if _wall_s(tz, hi) == wall_s:
        return hi * 1000
    lo = wall_s - _offset_s(wall.replace(tzinfo=tz, fold=1).utcoffset())
    while hi - lo > 1:  # invariant: the clock shows less than the wall time at lo, more at hi
        mid = (lo + hi) // 2
        if _wall_s(tz, mid) >= wall_s:
            hi = mid
        else:
            lo = mid
    return hi * 1000


def _wall_s(tz: ZoneInfo, at_s: int) -> int:
    """What the zone's clocks show at an instant, as seconds on a naive epoch scale."""
    return at_s + _offset_s(datetime.fromtimestamp(at_s, tz).utcoffset())


def _offset_s(offset: timedelta | None) -> int:
    return 0 if offset is None else offset.days * 86_400 + offset.seconds


# ---------------------------------------------------------------- minute-level API


def add_business_minutes(start_ms: int, minutes: float, calendar: Calendar) -> int:
    """When ``minutes`` of business time after ``start_ms`` have passed (epoch ms)."""
    return calendar.add(start_ms, round(minutes * MINUTE_MS))


def business_minutes_between(a_ms: int, b_ms: int, calendar: Calendar) -> float:
    """Business minutes in ``[a_ms, b_ms)``; negative when ``b_ms`` comes first."""
    return calendar.between(a_ms, b_ms) / MINUTE_MS


def is_open(at_ms: int, calendar: Calendar) -> bool:
    """Whether ``at_ms`` is within the calendar's opening hours (and not a holiday)."""
    return calendar.is_open(at_ms)


# ---------------------------------------------------------------- JSON


def parse_calendar(raw: str | Mapping[str, object]) -> Calendar:
    """A calendar from ``sla_policy.calendar`` (JSON text) or its already-decoded object.

    Raises:
        InvalidCalendar: naming the field, e.g. ``calendar.hours.mon[1]: '25:00' is not …``.
    """
    data: object = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise InvalidCalendar(
                f"calendar: not valid JSON ({error.msg} at line {error.lineno}"
                f" column {error.colno})"
            ) from None
    if not isinstance(data, Mapping):
        raise InvalidCalendar(f"calendar: expected an object, got {_kind(data)}")
    for key in data:
        if key not in _FIELDS:
            raise InvalidCalendar(f"calendar: unknown field {key!r}{_suggest(str(key), _FIELDS)}")
    hours = _parse_hours(data["hours"]) if "hours" in data else AROUND_THE_CLOCK
    return Calendar(
        _parse_zone(data.get("tz", "UTC")), hours, _parse_holidays(data.get("holidays", []))
    )


def calendar_json(calendar: Calendar) -> str:
    """The calendar as ``sla_policy.calendar`` stores it (every day listed, keys sorted)."""
    hours = {
        day: [[_clock(start), _clock(end)] for start, end in spans]
        for day, spans in zip(DAYS, calendar.hours, strict=True)
    }
    data = {
        "tz": calendar.tz.key,
        "hours": hours,
        "holidays": [day.isoformat() for day in sorted(calendar.holidays)],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------- weekly hours as a line

#: The week as one line, as ``agentdesk sla set --hours`` takes it and ``sla list`` shows
#: it: ``mon-fri 09:00-12:30,13:30-17:00; sat 10:00-14:00`` (days not named are
#: closed), or ``24x7``.
ALWAYS_TEXT: Final = "24x7"
_DAY_RANGE: Final = re.compile(r"([a-z]{3})(?:-([a-z]{3}))?")


def hours_from_text(text: str) -> dict[str, list[list[str]]]:
    """The ``hours`` object of a calendar from its one-line form; checked only for shape
    here, :func:`parse_calendar` then checks the times and names the field.

    Raises:
        InvalidCalendar: a part that is not ``DAYS HH:MM-HH:MM[,HH:MM-HH:MM]``.
    """
    line = text.strip().lower()
    if line == ALWAYS_TEXT:
        return {day: [["00:00", "24:00"]] for day in DAYS}
    hours: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in line.split(";"))):
        days_text, _, times = part.partition(" ")
        days = _DAY_RANGE.fullmatch(days_text)
        if days is None or not times.strip():
            raise InvalidCalendar(
                f"hours: {part!r} is not 'DAYS HH:MM-HH:MM', e.g. 'mon-fri 09:00-17:00'"
            )
        first, last = days[1], days[2] or days[1]
        for name in (first, last):
            if name not in DAYS:
                raise InvalidCalendar(f"hours: unknown day {name!r}{_suggest(name, DAYS)}")
        span = DAYS[DAYS.index(first) : DAYS.index(last) + 1]
        if not span:
            raise InvalidCalendar(f"hours: {days_text!r} runs backwards; write e.g. 'mon-fri'")
        pairs = [t.strip().split("-") for t in times.split(",")]
        for day in span:
            if day in hours:
                raise InvalidCalendar(f"hours: {day} is given twice")
            hours[day] = [list(pair) for pair in pairs]
    return hours


def hours_text(calendar: Calendar) -> str:
    """The calendar's weekly hours as one line (see :func:`hours_from_text`)."""
    if calendar.hours == AROUND_THE_CLOCK:
        return ALWAYS_TEXT
    parts: list[str] = []
    index = 0
    while index < len(DAYS):
        spans = calendar.hours[index]
        end = index
        while end + 1 < len(DAYS) and calendar.hours[end + 1] == spans:
            end += 1
        if spans:
            days = DAYS[index] if end == index else f"{DAYS[index]}-{DAYS[end]}"
            times = ",".join(f"{_clock(a)}-{_clock(b)}" for a, b in spans)
            parts.append(f"{days} {times}")
        index = end + 1
    return "; ".join(parts)


def _parse_zone(value: object) -> ZoneInfo:
    if not isinstance(value, str) or not value:
        raise InvalidCalendar(
            f"calendar.tz: expected a time zone name such as 'Europe/Berlin', got {_kind(value)}"
        )
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = _suggest(value, sorted(available_timezones()))
        raise InvalidCalendar(f"calendar.tz: unknown time zone {value!r}{hint}") from None


def _parse_hours(value: object) -> Hours:
    if not isinstance(value, Mapping):
        raise InvalidCalendar(
            f'calendar.hours: expected an object such as {{"mon": [["09:00", "17:00"]]}},'
            f" got {_kind(value)}"
        )
    for key in value:
        if key not in DAYS:
            raise InvalidCalendar(
                f"calendar.hours: unknown day {key!r}{_suggest(str(key), DAYS)};"
                f" days are {', '.join(DAYS)}"
            )
    week = tuple(_parse_day(day, value.get(day, [])) for day in DAYS)
    if not any(week):
        raise InvalidCalendar(
            "calendar.hours: no opening hours in the whole week; for around the clock"
            ' give every day [["00:00", "24:00"]] or leave "hours" out'
        )
    return week


def _parse_day(day: str, value: object) -> tuple[tuple[int, int], ...]:
    where = f"calendar.hours.{day}"
    if not isinstance(value, list):
        raise InvalidCalendar(f"{where}: expected a list of [start, end] pairs, got {_kind(value)}")
    spans: list[tuple[int, int, str]] = []
    for index, pair in enumerate(value):
        at = f"{where}[{index}]"
        if not (isinstance(pair, list) and len(pair) == 2):
            raise InvalidCalendar(f'{at}: expected a pair such as ["09:00", "17:00"]')
        start, end = _parse_time(pair[0], at), _parse_time(pair[1], at)
        if start >= end:
            raise InvalidCalendar(
                f"{at}: {pair[0]}-{pair[1]} ends before it starts; a shift past midnight"
                " is two intervals, one on each day"
            )
        spans.append((start, end, f"{pair[0]}-{pair[1]}"))
    spans.sort()
    for (_, end, earlier), (start, _, later) in pairwise(spans):
        if start < end:
            raise InvalidCalendar(f"{where}: {later} overlaps {earlier}")
    merged: list[tuple[int, int]] = []
    for start, end, _ in spans:
        if merged and merged[-1][1] == start:  # 09:00-12:00 + 12:00-17:00 is one stretch
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _parse_time(value: object, at: str) -> int:
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    minutes = int(match[1]) * 60 + int(match[2]) if match else -1
    if match is None or int(match[2]) > 59 or minutes > _DAY_MINUTES:
        raise InvalidCalendar(f"{at}: {value!r} is not a time of day (HH:MM, 00:00 to 24:00)")
    return minutes


def _parse_holidays(value: object) -> frozenset[date]:
    if not isinstance(value, list):
        raise InvalidCalendar(
            "calendar.holidays: expected a list of dates such as ['2026-12-25'],"
            f" got {_kind(value)}"
        )
    days = set()
    for index, item in enumerate(value):
        try:
            if not isinstance(item, str) or len(item) != 10:
                raise ValueError
            days.add(date.fromisoformat(item))
        except ValueError:
            raise InvalidCalendar(
                f"calendar.holidays[{index}]: {item!r} is not a date (YYYY-MM-DD)"
            ) from None
    return frozenset(days)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _kind(value: object) -> str:
    return "null" if value is None else f"{type(value).__name__} {value!r}"[:60]


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
