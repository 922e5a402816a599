"""The demo's SLA policies: targets per priority, with faster ones for enterprise plans.

Policies are checked in ``position`` order and the first match applies, so the
enterprise overrides come first. Urgent and enterprise work runs around the clock;
everything else counts business hours of the Berlin office.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """One ``sla_policy`` row; ``None`` in priority/plan matches any."""

    name: str
    priority: str | None
    plan: str | None
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    business_hours: bool


POLICIES: Final = (
    PolicySpec("Enterprise · urgent", "urgent", "enterprise", 15, 30, 240, False),
    PolicySpec("Enterprise", None, "enterprise", 60, 120, 1440, False),
    PolicySpec("Urgent", "urgent", None, 30, 60, 480, False),
    PolicySpec("High", "high", None, 120, 240, 1440, True),
    PolicySpec("Normal", "normal", None, 480, 960, 4320, True),
    PolicySpec("Low", "low", None, 1440, 2880, 10080, True),
)

_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def calendar_json(business_hours: bool, now_ms: int) -> str:
    """The policy's calendar: office hours and holidays in Berlin, or around the clock."""
    year = dt.datetime.fromtimestamp(now_ms / 1000, tz=dt.UTC).year
    if business_hours:
        hours = {day: ([["09:00", "17:00"]] if day not in ("sat", "sun") else []) for day in _DAYS}
        holidays = [
            f"{y}-{md}"
            for y in (year - 1, year)
            for md in ("01-01", "05-01", "10-03", "12-25", "12-26")
        ]
        calendar: dict[str, object] = {"tz": "Europe/Berlin", "hours": hours, "holidays": holidays}
    else:
        calendar = {
            "tz": "UTC",
            "hours": {day: [["00:00", "24:00"]] for day in _DAYS},
            "holidays": [],
        }
    return json.dumps(calendar, ensure_ascii=False, sort_keys=True)


def policy_for(priority: str, plan: str) -> PolicySpec:
    """The first policy (in position order) that matches a ticket."""
    for policy in POLICIES:
        if policy.priority in (None, priority) and policy.plan in (None, plan):
            return policy
    raise LookupError(f"no SLA policy for {priority}/{plan}")  # pragma: no cover
