"""The queue's SLA column: a short text and a risk for its colour, from the stored columns.

Apart from :mod:`agentdesk.domain.sla` because the queue paints it on its first frame:
this module imports nothing heavier than the clock format, so start-up does not pay for
calendars and time zones (``sla.sla_badge`` gives the same badge from live clocks).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from agentdesk.domain.timefmt import ago


class Risk(StrEnum):
    """How urgent a ticket's next due target is, for colouring the queue's SLA column."""

    NONE = "none"
    OK = "ok"
    AT_RISK = "at-risk"
    BREACHED = "breached"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class SlaBadge:
    """What the queue's SLA column shows: a short text and the risk for its colour."""

    risk: Risk
    text: str


#: The badge of a paused clock; breached ones start with this mark, so both read
#: without colour (NO_COLOR, a monochrome terminal).
PAUSED_TEXT: Final = "pause"
BREACHED_MARK: Final = "!"


def badge(due_at: int | None, *, paused: bool, now: int, window_ms: int) -> SlaBadge:
    """The column for a stored due time: '42m' left, '!2h' overdue, 'pause', or blank.

    ``at-risk`` means due within ``window_ms`` (the "SLA at risk" view's window), so the
    colour and the view agree; times are wall-clock, as a person reads a due time.
    At most five cells wide ('!52w', '!10y'), so the column fits an 80-column queue.
    """
    if due_at is None:
        return SlaBadge(Risk.PAUSED, PAUSED_TEXT) if paused else SlaBadge(Risk.NONE, "")
    if due_at <= now:
        return SlaBadge(Risk.BREACHED, BREACHED_MARK + ago(due_at, now))
    return SlaBadge(Risk.AT_RISK if due_at - now <= window_ms else Risk.OK, ago(now, due_at))
