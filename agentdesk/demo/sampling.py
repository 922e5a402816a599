"""Weighted choices cheap enough for a million tickets.

``random.choices`` rebuilds its table on every call; these helpers build the
cumulative weights once, so a draw is one ``random()`` and one ``bisect``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


def cumulative(weights: Sequence[float]) -> list[float]:
    """Running totals scaled to end at exactly 1.0 (so ``bisect`` of r < 1 stays in range)."""
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    cum: list[float] = []
    running = 0.0
    for weight in weights:
        running += weight
        cum.append(running / total)
    cum[-1] = 1.0
    return cum


class Weighted(Generic[T]):
    """A fixed weighted choice among ``values``."""

    __slots__ = ("cum", "values")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values: tuple[T, ...] = tuple(v for v, _ in pairs)
        self.cum = cumulative([w for _, w in pairs])

    def pick(self, rnd: Callable[[], float]) -> T:
        """One draw, using ``rnd`` (a bound ``random.Random.random``)."""
        return self.values[bisect_right(self.cum, rnd())]
