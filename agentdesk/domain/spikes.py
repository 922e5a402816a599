"""Spike alerts: a tag or channel getting far more tickets than it usually does.

Each series is tickets created per hour, oldest first; the last hour is the one
judged and the hours before it are its baseline (the dashboard uses a week). The
rolling z-score compares the last hour with the baseline's mean in units of the
baseline's standard deviation; since ticket arrivals are roughly Poisson, the spread
is never taken as less than the square root of the mean, nor less than one ticket, so
a quiet tag with a flat baseline does not alarm on its second ticket.

An hour is a spike when all of these hold:

- at least ``min_count`` tickets (a handful is never an incident),
- at least ``min_ratio`` times the baseline's mean,
- a z-score of at least ``threshold``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

THRESHOLD: Final = 3.0
MIN_COUNT: Final = 5
MIN_RATIO: Final = 2.0


@dataclass(frozen=True, slots=True)
class Spike:
    """A tag or channel whose last hour stands out."""

    kind: str
    value: str
    count: int
    baseline: float
    z: float

    @property
    def label(self) -> str:
        """How people name it: 'tag outage', 'channel chat'."""
        return f"{self.kind} {self.value}"

    def query(self, hours: int = 1) -> str:
        """The queue search for the tickets behind it (the query language of ``/``)."""
        return f"{self.kind}:{self.value} created:<{hours}h"


def z_score(latest: int, baseline: Sequence[int]) -> tuple[float, float]:
    """(mean of the baseline, z-score of ``latest`` against it)."""
    if not baseline:
        return 0.0, 0.0
    mean = sum(baseline) / len(baseline)
    variance = sum((x - mean) ** 2 for x in baseline) / len(baseline)
    spread = max(math.sqrt(variance), math.sqrt(mean), 1.0)
    return mean, (latest - mean) / spread


def detect_spikes(
    series: Mapping[tuple[str, str], Sequence[int]],
    *,
    threshold: float = THRESHOLD,
    min_count: int = MIN_COUNT,
    min_ratio: float = MIN_RATIO,
) -> list[Spike]:
    """Every series whose last value is a spike, the strongest first.

    Args:
        series: ``(kind, value)`` -> counts per hour, oldest first; the last is judged.
    """
    spikes: list[Spike] = []
    for (kind, value), counts in series.items():
        if len(counts) < 2:
            continue
        *baseline, latest = counts
        if latest < min_count:
            continue
        mean, z = z_score(latest, baseline)
        if z >= threshold and latest >= min_ratio * mean:
            spikes.append(Spike(kind, value, latest, mean, z))
    return sorted(spikes, key=lambda s: (-s.z, s.kind, s.value))
