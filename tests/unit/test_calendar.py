"""Business-hours calendars: hand-computed due times, parsing errors, and properties.

The examples are worked out on paper (Berlin office, Mon-Fri 09:00-17:00); the
properties run over random weekly hours, holidays and zones, with instants drawn
near the DST changes of 2026 as often as anywhere else.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.demo.sla import POLICIES
from agentdesk.demo.sla import calendar_json as demo_calendar_json
from agentdesk.domain.business_hours import (
    DAYS,
    MINUTE_MS,
    Calendar,
    InvalidCalendar,
    add_business_minutes,
    business_minutes_between,
    calendar_json,
    hours_from_text,
    hours_text,
    is_open,
    parse_calendar,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 60 * MINUTE_MS
WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in DAYS[:5]}
OFFICE = parse_calendar(
    {"tz": "Europe/Berlin", "hours": WEEKDAYS_9_TO_5, "holidays": ["2026-12-25", "2026-12-28"]}
)


def at(tz: ZoneInfo, *fields: int, fold: int = 0) -> int:
    """Epoch ms of a wall time in a zone."""
    return int(datetime(*fields, tzinfo=tz, fold=fold).timestamp() * 1000)


def every_day(*spans: tuple[str, str]) -> dict[str, list[list[str]]]:
    return {day: [list(span) for span in spans] for day in DAYS}


# ---------------------------------------------------------------- worked examples


def test_friday_evening_ticket_with_an_8_hour_target_is_due_monday_at_close() -> None:
    friday_evening = at(BERLIN, 2026, 11, 27, 18, 30)  # after closing time
    assert add_business_minutes(friday_evening, 8 * 60, OFFICE) == at(BERLIN, 2026, 11, 30, 17)


def test_friday_afternoon_ticket_carries_the_rest_over_the_weekend() -> None:
    friday_afternoon = at(BERLIN, 2026, 11, 27, 15, 15)  # 1h45 left on Friday
    due = add_business_minutes(friday_afternoon, 8 * 60, OFFICE)
    assert due == at(BERLIN, 2026, 11, 30, 15, 15)
    assert business_minutes_between(friday_afternoon, due, OFFICE) == 8 * 60


def test_holidays_on_the_path_are_skipped() -> None:
    # Thu 24 Dec: 1h left. Fri 25 holiday, weekend, Mon 28 holiday: the other 7h on Tue 29.
    due = add_business_minutes(at(BERLIN, 2026, 12, 24, 16), 8 * 60, OFFICE)
    assert due == at(BERLIN, 2026, 12, 29, 16)
    assert not is_open(at(BERLIN, 2026, 12, 28, 12), OFFICE)


def test_a_target_of_several_weeks() -> None:
    # 10,080 business minutes = 21 working days of 8h; from Mon 2 Nov 09:00 that is
    # Mon 2 Nov .. Mon 30 Nov (4 weeks + 1 day) ending at 17:00, no holidays in between.
    assert add_business_minutes(at(BERLIN, 2026, 11, 2, 9), 10_080, OFFICE) == at(
        BERLIN, 2026, 11, 30, 17
    )


def test_split_shifts_skip_the_lunch_break() -> None:
    calendar = parse_calendar(
        {"tz": "UTC", "hours": every_day(("09:00", "12:00"), ("13:00", "17:00"))}
    )
    start = at(ZoneInfo("UTC"), 2026, 6, 1, 10)
    assert add_business_minutes(start, 4 * 60, calendar) == at(ZoneInfo("UTC"), 2026, 6, 1, 15)
    assert not is_open(at(ZoneInfo("UTC"), 2026, 6, 1, 12, 30), calendar)
    assert is_open(at(ZoneInfo("UTC"), 2026, 6, 1, 13), calendar)


def test_business_time_between_friday_afternoon_and_monday_morning() -> None:
    friday, monday = at(BERLIN, 2026, 11, 27, 16), at(BERLIN, 2026, 11, 30, 10)
    assert business_minutes_between(friday, monday, OFFICE) == 120
    assert business_minutes_between(monday, friday, OFFICE) == -120


def test_the_dst_weekend_counts_real_hours_not_clock_hours() -> None:
    # Around the clock in Berlin (a far-away holiday keeps the day-by-day path honest).
    calendar = parse_calendar(
        {"tz": "Europe/Berlin", "hours": every_day(("00:00", "24:00")), "holidays": ["1999-01-01"]}
    )
    spring_saturday, autumn_saturday = at(BERLIN, 2026, 3, 28, 12), at(BERLIN, 2026, 10, 24, 12)
    # 24 real hours after Saturday noon reads 13:00 in spring and 11:00 in autumn.
    assert add_business_minutes(spring_saturday, 24 * 60, calendar) == at(BERLIN, 2026, 3, 29, 13)
    assert add_business_minutes(autumn_saturday, 24 * 60, calendar) == at(BERLIN, 2026, 10, 25, 11)


def test_a_night_shift_over_the_dst_changes() -> None:
    calendar = parse_calendar({"tz": "Europe/Berlin", "hours": every_day(("01:00", "04:00"))})
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    assert _open_minutes_on(calendar, BERLIN, spring) == 120  # 02:00-03:00 never happens
    assert _open_minutes_on(calendar, BERLIN, autumn) == 240  # 02:00-03:00 happens twice
    assert _open_minutes_on(calendar, BERLIN, date(2026, 3, 28)) == 180
    # Sat 03:00 + 3h: 1h on Saturday, then 2 real hours from Sunday 01:00 reach 04:00 CEST.
    due = add_business_minutes(at(BERLIN, 2026, 3, 28, 3), 180, calendar)
    assert due == at(BERLIN, 2026, 3, 29, 4)


def test_a_boundary_inside_the_skipped_hour_falls_at_the_jump() -> None:
    calendar = parse_calendar({"tz": "America/New_York", "hours": every_day(("02:30", "05:00"))})
    # On 8 Mar 2026 New York jumps from 02:00 to 03:00: the shift opens at 03:00.
    assert not is_open(at(NEW_YORK, 2026, 3, 8, 1, 59), calendar)
    assert is_open(at(NEW_YORK, 2026, 3, 8, 3, 0), calendar)
    assert _open_minutes_on(calendar, NEW_YORK, date(2026, 3, 8)) == 120


def test_the_repeated_hour_in_new_york() -> None:
    calendar = parse_calendar({"tz": "America/New_York", "hours": every_day(("00:00", "03:00"))})
    assert _open_minutes_on(calendar, NEW_YORK, date(2026, 11, 1)) == 240
    second_one_thirty = at(NEW_YORK, 2026, 11, 1, 1, 30, fold=1)
    assert is_open(second_one_thirty, calendar)


def test_business_hours_over_a_new_york_dst_weekend() -> None:
    office = parse_calendar({"tz": "America/New_York", "hours": WEEKDAYS_9_TO_5})
    friday_close = at(NEW_YORK, 2026, 3, 6, 17)
    due = add_business_minutes(friday_close, 8 * 60, office)
    assert due == at(NEW_YORK, 2026, 3, 9, 17)
    assert due - friday_close == (3 * 24 - 1) * HOUR  # the weekend lost an hour


def _open_minutes_on(calendar: Calendar, tz: ZoneInfo, day: date) -> float:
    midnight = at(tz, day.year, day.month, day.day)
    nxt = day + timedelta(days=1)
    return business_minutes_between(midnight, at(tz, nxt.year, nxt.month, nxt.day), calendar)


# ---------------------------------------------------------------- parsing


def test_the_demo_calendars_parse() -> None:
    office = parse_calendar(demo_calendar_json(True, at(BERLIN, 2026, 11, 27)))
    assert office.tz.key == "Europe/Berlin"
    assert not office.is_open(at(BERLIN, 2026, 12, 25, 10))
    assert office.is_open(at(BERLIN, 2026, 12, 23, 10))
    around_the_clock = parse_calendar(demo_calendar_json(False, at(BERLIN, 2026, 11, 27)))
    assert around_the_clock.always_open
    assert {p.business_hours for p in POLICIES} == {True, False}


def test_an_empty_calendar_is_around_the_clock_in_utc() -> None:
    calendar = parse_calendar("{}")
    assert calendar.always_open and calendar.tz.key == "UTC"
    assert add_business_minutes(0, 90, calendar) == 90 * MINUTE_MS


def test_calendar_json_round_trips() -> None:
    assert parse_calendar(calendar_json(OFFICE)) == OFFICE


def test_adjacent_intervals_merge_into_one() -> None:
    merged = parse_calendar({"hours": {"mon": [["12:00", "17:00"], ["09:00", "12:00"]]}})
    assert merged.hours[0] == ((9 * 60, 17 * 60),)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "calendar: not valid JSON"),
        ("[]", "calendar: expected an object, got list"),
        ('{"hollidays": []}', "calendar: unknown field 'hollidays' (did you mean 'holidays'?)"),
        (
            '{"tz": "Europe/Berln"}',
            "calendar.tz: unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)",
        ),
        ('{"tz": "../../etc/passwd"}', "calendar.tz: unknown time zone"),
        ('{"tz": 1}', "calendar.tz: expected a time zone name"),
        ('{"hours": []}', "calendar.hours: expected an object"),
        ('{"hours": {"monday": []}}', "calendar.hours: unknown day 'monday' (did you mean 'mon'?)"),
        ('{"hours": {"mon": "9-5"}}', "calendar.hours.mon: expected a list of [start, end] pairs"),
        ('{"hours": {"mon": [["09:00"]]}}', "calendar.hours.mon[0]: expected a pair"),
        (
            '{"hours": {"tue": [["09:00", "25:00"]]}}',
            "calendar.hours.tue[0]: '25:00' is not a time",
        ),
        ('{"hours": {"tue": [["9:00", "17:00"]]}}', "calendar.hours.tue[0]: '9:00' is not a time"),
        (
            '{"hours": {"tue": [["09:60", "17:00"]]}}',
            "calendar.hours.tue[0]: '09:60' is not a time",
        ),
        (
            '{"hours": {"wed": [["22:00", "06:00"]]}}',
            "calendar.hours.wed[0]: 22:00-06:00 ends before it starts",
        ),
        (
            '{"hours": {"thu": [["09:00", "13:00"], ["12:00", "17:00"]]}}',
            "calendar.hours.thu: 12:00-17:00 overlaps 09:00-13:00",
        ),
        ('{"hours": {"sat": []}}', "calendar.hours: no opening hours in the whole week"),
        ('{"holidays": "2026-12-25"}', "calendar.holidays: expected a list of dates"),
        (
            '{"holidays": ["2026-12-25", "25/12/2026"]}',
            "calendar.holidays[1]: '25/12/2026' is not a date",
        ),
    ],
)
def test_a_bad_calendar_names_the_field(raw: str, message: str) -> None:
    with pytest.raises(InvalidCalendar) as caught:
        parse_calendar(raw)
    assert str(caught.value).startswith(message)


def test_adding_negative_time_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add(0, -1)


# ---------------------------------------------------------------- properties

#: Each example parses a fresh calendar, which builds its days on first use (a few ms,
#: more on a loaded machine); speed is bench/sla_clock.py's business, not a test's.
COLD_CALENDARS = settings(deadline=None)

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe")
#: Days around which clocks change in 2026 (Lord Howe moves by half an hour).
DST_DAYS = (
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 4, 5),
    date(2026, 9, 6),
    date(2026, 10, 4),
    date(2026, 10, 25),
    date(2026, 11, 1),
)
START_2026 = at(ZoneInfo("UTC"), 2026, 1, 1)
END_2026 = at(ZoneInfo("UTC"), 2027, 1, 1)


def _clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_hours(draw: st.DrawFn) -> list[list[str]]:
    """0-3 sorted, non-overlapping intervals on a 15-minute grid."""
    cuts = draw(st.lists(st.integers(0, 96), min_size=0, max_size=6, unique=True))
    cuts = sorted(cuts)[: len(cuts) // 2 * 2]
    return [
        [_clock_text(a * 15), _clock_text(b * 15)]
        for a, b in zip(cuts[::2], cuts[1::2], strict=True)
    ]


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    hours = {day: draw(day_hours()) for day in DAYS}
    if not any(hours.values()):
        hours["mon"] = [["09:00", "17:00"]]
    holidays = draw(
        st.lists(st.dates(date(2025, 12, 1), date(2027, 3, 1)), max_size=40).map(
            lambda days: [d.isoformat() for d in days]
        )
    )
    return parse_calendar(
        {"tz": draw(st.sampled_from(ZONES)), "hours": hours, "holidays": holidays}
    )


def _near_dst(day: date, offset_ms: int) -> int:
    return at(ZoneInfo("UTC"), day.year, day.month, day.day) + offset_ms


instants = st.one_of(
    st.integers(START_2026, END_2026),
    st.builds(_near_dst, st.sampled_from(DST_DAYS), st.integers(-3 * 24 * HOUR, 3 * 24 * HOUR)),
)
#: Up to ten weeks of business time, in whole minutes.
minutes = st.integers(1, 10 * 7 * 24 * 60)


@COLD_CALENDARS
@given(calendars(), instants, minutes)
def test_adding_then_measuring_gives_the_same_minutes(
    calendar: Calendar, start: int, m: int
) -> None:
    due = add_business_minutes(start, m, calendar)
    assert business_minutes_between(start, due, calendar) == m


@COLD_CALENDARS
@given(calendars(), instants, minutes)
def test_a_due_time_is_reached_in_open_time_never_on_a_holiday(
    calendar: Calendar, start: int, m: int
) -> None:
    due = add_business_minutes(start, m, calendar)
    assert is_open(due - 1, calendar)
    local_day = datetime.fromtimestamp((due - 1) / 1000, calendar.tz).date()
    assert local_day not in calendar.holidays


@COLD_CALENDARS
@given(calendars(), instants, minutes, minutes)
def test_due_times_grow_with_the_target(calendar: Calendar, start: int, m1: int, m2: int) -> None:
    low, high = sorted((m1, m2))
    assert add_business_minutes(start, low, calendar) <= add_business_minutes(start, high, calendar)


@COLD_CALENDARS
@given(calendars(), instants, st.integers(0, 30 * 24 * HOUR), minutes)
def test_a_later_start_is_never_due_earlier(
    calendar: Calendar, start: int, delay: int, m: int
) -> None:
    assert add_business_minutes(start, m, calendar) <= add_business_minutes(
        start + delay, m, calendar
    )


@COLD_CALENDARS
@given(calendars(), instants, st.integers(0, 40 * 24 * HOUR), st.integers(0, 40 * 24 * HOUR))
def test_business_time_adds_up_and_never_exceeds_wall_time(
    calendar: Calendar, a: int, ab: int, bc: int
) -> None:
    b, c = a + ab, a + ab + bc
    assert calendar.between(a, b) + calendar.between(b, c) == calendar.between(a, c)
    assert 0 <= calendar.between(a, c) <= c - a
    assert calendar.between(c, a) == -calendar.between(a, c)


@COLD_CALENDARS
@given(calendars(), instants)
def test_is_open_agrees_with_measuring_one_millisecond(calendar: Calendar, t: int) -> None:
    assert is_open(t, calendar) == (calendar.between(t, t + 1) == 1)


@COLD_CALENDARS
@given(st.sampled_from(ZONES), instants, minutes, st.integers(0, 60 * 24 * HOUR))
def test_around_the_clock_equals_wall_time_in_every_zone(
    zone: str, start: int, m: int, span: int
) -> None:
    # A holiday long ago forces the day-by-day path instead of the always-open shortcut.
    calendar = parse_calendar(
        {"tz": zone, "hours": every_day(("00:00", "24:00")), "holidays": ["1999-01-01"]}
    )
    assert not calendar.always_open
    assert add_business_minutes(start, m, calendar) == start + m * MINUTE_MS
    assert calendar.between(start, start + span) == span


@COLD_CALENDARS
@given(calendars())
def test_calendar_json_round_trips_any_calendar(calendar: Calendar) -> None:
    assert parse_calendar(calendar_json(calendar)) == calendar


@COLD_CALENDARS
@given(
    st.sampled_from(("UTC", "Europe/Berlin", "America/New_York")),
    st.lists(st.tuples(st.integers(16, 96), st.integers(16, 96)), min_size=1, max_size=3),
    st.sampled_from(DST_DAYS),
    st.integers(-2 * 24 * 60, 2 * 24 * 60),
    st.integers(0, 3 * 24 * 60),
)
def test_measuring_matches_reading_the_clock_minute_by_minute(
    zone: str, pairs: list[tuple[int, int]], day: date, offset_min: int, span_min: int
) -> None:
    """Reference: a minute counts if the local clock then reads inside the day's hours.

    Boundaries stay at 04:00 or later so none sits in a repeated hour, where "reading
    the clock" would reopen a closed office for the second pass of the hour.
    """
    spans = sorted({(min(a, b) * 15, max(a, b) * 15) for a, b in pairs if a != b})
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    if not merged:
        merged = [(9 * 60, 17 * 60)]
    hours = {d: [[_clock_text(s), _clock_text(e)] for s, e in merged] for d in DAYS[:5]}
    calendar = parse_calendar({"tz": zone, "hours": hours})
    tz = ZoneInfo(zone)
    start = _near_dst(day, offset_min * MINUTE_MS)
    expected = 0
    for minute in range(span_min):
        local = datetime.fromtimestamp((start / 1000) + minute * 60, tz)
        clock = local.hour * 60 + local.minute
        if local.weekday() < 5 and any(s <= clock < e for s, e in merged):
            expected += 1
    assert business_minutes_between(start, start + span_min * MINUTE_MS, calendar) == expected


# ---------------------------------------------------------------- weekly hours as one line


def test_weekly_hours_read_as_one_line() -> None:
    assert hours_from_text("mon-fri 09:00-12:30,13:30-17:00; sat 10:00-14:00") == {
        **{day: [["09:00", "12:30"], ["13:30", "17:00"]] for day in DAYS[:5]},
        "sat": [["10:00", "14:00"]],
    }
    assert hours_text(OFFICE) == "mon-fri 09:00-17:00"
    assert hours_text(parse_calendar("{}")) == "24x7"
    assert parse_calendar({"hours": hours_from_text("24x7")}) == parse_calendar("{}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("weekdays 09:00-17:00", "hours: 'weekdays 09:00-17:00' is not 'DAYS HH:MM-HH:MM'"),
        ("mon-fri", "hours: 'mon-fri' is not 'DAYS HH:MM-HH:MM'"),
        ("fri-mon 09:00-17:00", "hours: 'fri-mon' runs backwards"),
        ("mon 09:00-12:00; mon 13:00-17:00", "hours: mon is given twice"),
        ("tuw 09:00-17:00", "hours: unknown day 'tuw' (did you mean 'tue'?)"),
    ],
)
def test_a_line_of_hours_that_cannot_be_read_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidCalendar) as caught:
        hours_from_text(text)
    assert str(caught.value).startswith(message)


def test_times_in_a_line_are_checked_like_any_calendar() -> None:
    with pytest.raises(InvalidCalendar, match=r"calendar\.hours\.tue\[0\]: '25:00' is not"):
        parse_calendar({"hours": hours_from_text("tue 09:00-25:00")})


@COLD_CALENDARS
@given(calendars())
def test_the_line_of_hours_round_trips_any_calendar(calendar: Calendar) -> None:
    again = parse_calendar({"tz": calendar.tz.key, "hours": hours_from_text(hours_text(calendar))})
    assert again.hours == calendar.hours
