"""When tickets arrive: a year of history, busier lately, on weekdays and in office hours.

Tickets are numbered in creation order, so creation times must come out sorted while
being generated one batch at a time. Stratified sampling gives that for free: ticket
``i`` of ``n`` takes the quantile ``(i + jitter) / n`` of a growing arrival curve, and
a monotone warp inside each week moves arrivals towards weekday office hours.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Final

MINUTE_MS: Final = 60_000
HOUR_MS: Final = 60 * MINUTE_MS
DAY_MS: Final = 24 * HOUR_MS
WEEK_MS: Final = 7 * DAY_MS

#: 1970-01-05 was a Monday: weeks in the warp start on Monday 00:00 UTC.
_MONDAY_OFFSET_MS: Final = 4 * DAY_MS

# Relative arrival rate per weekday (Mon..Sun) and per UTC hour (European mornings,
# both continents' afternoons, a quiet night).
_DAY_WEIGHTS: Final = (1.0, 1.05, 1.0, 0.95, 0.85, 0.3, 0.25)
_HOUR_WEIGHTS: Final = (
    0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.55, 0.85, 1.0, 1.0, 1.0, 0.95,
    0.9, 1.0, 1.0, 1.0, 0.95, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2,
)  # fmt: skip


class _Warp:
    """A monotone map of ``[start, end)`` onto itself that follows hourly weights."""

    __slots__ = ("_cum", "_length", "_seg_len", "_seg_start", "_seg_weight", "_start")

    def __init__(self, start: int, end: int) -> None:
        self._start = start
        self._length = end - start
        starts: list[int] = []
        lengths: list[int] = []
        weights: list[float] = []
        hour_start = start
        while hour_start < end:
            hour_of_week = ((hour_start - _MONDAY_OFFSET_MS) % WEEK_MS) // HOUR_MS
            weight = _DAY_WEIGHTS[hour_of_week // 24] * _HOUR_WEIGHTS[hour_of_week % 24]
            length = min(HOUR_MS, end - hour_start)
            starts.append(hour_start - start)
            lengths.append(length)
            weights.append(weight * length)
            hour_start += HOUR_MS
        total = sum(weights)
        cum: list[float] = []
        running = 0.0
        for weight in weights:
            cum.append(running / total)
            running += weight
        self._cum = cum
        self._seg_start = starts
        self._seg_len = lengths
        self._seg_weight = [w / total for w in weights]

    def __call__(self, t: float) -> int:
        """Where an evenly spread arrival at ``t`` lands once office hours are applied."""
        p = (t - self._start) / self._length
        k = bisect_right(self._cum, p) - 1
        inside = (p - self._cum[k]) / self._seg_weight[k]
        return self._start + self._seg_start[k] + int(inside * self._seg_len[k])


class ArrivalCurve:
    """Creation times for ``count`` tickets over ``span_days`` before ``now_ms``, in order.

    The rate grows exponentially towards the present (``growth`` times busier now than
    at the start of the span), like a product that is still gaining customers.
    """

    def __init__(
        self, now_ms: int, count: int, *, span_days: int = 365, growth: float = 5.0
    ) -> None:
        self._now = now_ms
        self._count = count
        span_ms = span_days * DAY_MS
        self._tau = span_ms / math.log(growth)
        self._c = 1.0 - math.exp(-span_ms / self._tau)
        week_start = now_ms - (now_ms - _MONDAY_OFFSET_MS) % WEEK_MS
        self._last_week_start = week_start
        self._full_week = _Warp(_MONDAY_OFFSET_MS, _MONDAY_OFFSET_MS + WEEK_MS)
        self._partial = _Warp(week_start, now_ms) if now_ms > week_start else None

    def at(self, index: int, jitter: float) -> int:
        """Creation time of ticket ``index`` (0 = oldest); ``jitter`` is uniform in [0, 1)."""
        v = 1.0 - (index + jitter) / self._count
        t = self._now - self._tau * -math.log1p(-v * self._c) - 1
        if t >= self._last_week_start and self._partial is not None:
            return min(self._partial(t), self._now - 1)
        offset = (int(t) - _MONDAY_OFFSET_MS) % WEEK_MS
        return int(t) - offset + self._full_week(_MONDAY_OFFSET_MS + offset) - _MONDAY_OFFSET_MS
