"""Human time: '3m', '2h', '5d' for queues, full dates for detail views."""

from __future__ import annotations

from datetime import UTC, datetime

_MINUTE = 60_000
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def ago(at_ms: int, now_ms: int) -> str:
    """A compact age such as 'now', '42m', '5h', '3d', '7w' or '2y'."""
    delta = max(0, now_ms - at_ms)
    if delta < _MINUTE:
        return "now"
    if delta < _HOUR:
        return f"{delta // _MINUTE}m"
    if delta < _DAY:
        return f"{delta // _HOUR}h"
    if delta < 14 * _DAY:
        return f"{delta // _DAY}d"
    if delta < 365 * _DAY:
        return f"{delta // (7 * _DAY)}w"
    return f"{delta // (365 * _DAY)}y"


def timestamp(at_ms: int) -> str:
    """A full local date and time, e.g. '2026-11-25 14:03'."""
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return int(datetime.now(tz=UTC).timestamp() * 1000)
