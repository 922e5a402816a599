"""Escalations: the handoff a higher tier needs, its checks, and the handoff SLA.

Pure like :mod:`agentdesk.domain.workflow`: the Desk (and so the hub) judges an
escalation, an acknowledgement or a hand-back with these functions, and the
escalation form asks :func:`handoff_problems` for the same sentences to show next
to each field before anything is sent.

The handoff SLA says how long the receiving tier has to acknowledge (take
ownership of) an escalation: a target by priority, counted in the business hours of
the ticket's SLA policy (the same calendars as its SLA clocks), or around the clock
when no policy applies. :func:`ack_due_at` is the one place that decides it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypedDict
from urllib.parse import urlsplit

from agentdesk.domain.roles import may_escalate, works_at_tier
from agentdesk.domain.text import one_line
from agentdesk.domain.timefmt import ago, timestamp
from agentdesk.domain.workflow import DeskError, InvalidValue, NothingToChange, NotPermitted

if TYPE_CHECKING:
    from agentdesk.domain.business_hours import Calendar
    from storage.escalations import EscalationRow

#: Why a ticket goes up a tier; a fixed list, so escalations can be counted by reason.
REASONS: Final = (
    "bug",
    "outage",
    "billing",
    "account-access",
    "data-request",
    "feature-gap",
    "other",
)
REASON_LABELS: Final[Mapping[str, str]] = {
    "bug": "Bug",
    "outage": "Outage",
    "billing": "Billing",
    "account-access": "Account access",
    "data-request": "Data request",
    "feature-gap": "Feature gap",
    "other": "Other",
}
#: The tiers a ticket can be escalated to.
TARGET_TIERS: Final = (2, 3)

MAX_SUMMARY_CHARS: Final = 200
#: Steps tried, customer impact and hand-back instructions, each.
MAX_TEXT_BYTES: Final = 8 * 1024
#: Links and log excerpts (excerpts run long).
MAX_LINKS_BYTES: Final = 16 * 1024
MAX_URL_LENGTH: Final = 2048

MINUTE_MS: Final = 60_000
#: Minutes the receiving tier has to acknowledge an escalation, by ticket priority.
ACK_TARGET_MINUTES: Final[Mapping[str, int]] = {
    "urgent": 30,
    "high": 2 * 60,
    "normal": 8 * 60,
    "low": 24 * 60,
}
#: An unacknowledged escalation is "due soon" in the last quarter of its target.
DUE_SOON_SHARE: Final = 0.25

WAITING: Final = "waiting"
DUE_SOON: Final = "due-soon"
BREACHED: Final = "breached"
ACKNOWLEDGED: Final = "acknowledged"
SLA_STATES: Final = (WAITING, DUE_SOON, BREACHED, ACKNOWLEDGED)

#: Form field names, in the order a person fills them in (and problems are reported).
FIELDS: Final = ("tier", "group", "reason", "summary", "tried", "impact", "links", "link")


# --------------------------------------------------------------------------- refusals


class HandoffRefused(DeskError):
    """A handoff field is missing, too long or invalid; ``field`` names it for the form."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class MissingHandoffField(HandoffRefused):
    """A required handoff field is empty."""


class HandoffTooLarge(HandoffRefused):
    """A handoff field is over its size limit."""


class InvalidReason(HandoffRefused, InvalidValue):
    """The reason is not one of :data:`REASONS`."""


class InvalidEscalationTier(HandoffRefused):
    """The target tier does not exist or is not above the ticket's tier."""


class GroupNotInTier(HandoffRefused):
    """The group chosen serves another tier than the one escalated to."""


class InvalidExternalLink(HandoffRefused):
    """The bug-tracker link is not an http(s) URL."""


class NoEscalation(DeskError):
    """The ticket has no escalation to acknowledge or hand back."""


class AlreadyAcknowledged(NothingToChange):
    """The escalation was acknowledged already."""


# --------------------------------------------------------------------------- who may


def check_may_escalate(number: int, agent_tier: str, ticket_tier: int) -> None:
    """Refuse an agent below the ticket's tier: the ticket is no longer theirs to pass on."""
    if not may_escalate(agent_tier, ticket_tier):
        raise NotPermitted(
            f"#{number} is at tier {ticket_tier}; only agents of tier {ticket_tier} or above, "
            "leads and admins can escalate it"
        )


def check_receives(agent_tier: str, to_tier: int, verb: str) -> None:
    """Refuse anyone but the receiving tier, leads and admins (``verb``: what they tried)."""
    if not works_at_tier(agent_tier, to_tier):
        raise NotPermitted(
            f"only tier-{to_tier} agents, leads and admins can {verb} an escalation to tier "
            f"{to_tier}"
        )


# --------------------------------------------------------------------------- the handoff


@dataclass(frozen=True, slots=True)
class Handoff:
    """What the receiving tier reads: checked and normalised."""

    to_tier: int
    reason: str
    summary: str
    tried: str
    impact: str
    links: str = ""
    external_url: str | None = None


def reason_label(reason: str) -> str:
    """'Account access' for 'account-access'; a reason from elsewhere is shown as it is."""
    return REASON_LABELS.get(reason, reason)


def target_tiers(ticket_tier: int) -> tuple[int, ...]:
    """The tiers a ticket at ``ticket_tier`` can be escalated to (none from tier 3)."""
    return tuple(tier for tier in TARGET_TIERS if tier > ticket_tier)


class HandoffFields(TypedDict):
    """A handoff as the form holds it before it is checked (no tier chosen yet: ``None``)."""

    to_tier: int | None
    reason: str
    summary: str
    tried: str
    impact: str
    links: str
    external_url: str


def handoff_problems(
    number: int,
    ticket_tier: int,
    *,
    to_tier: int | None,
    reason: str,
    summary: str,
    tried: str,
    impact: str,
    links: str = "",
    external_url: str = "",
) -> dict[str, str]:
    """Every problem of a handoff, by field name (see :data:`FIELDS`), for the form."""
    problems = _problems(
        number, ticket_tier, to_tier, reason, summary, tried, impact, links, external_url
    )
    found: dict[str, str] = {}
    for problem in problems:
        found.setdefault(problem.field, str(problem))
    return found


def check_handoff(
    number: int,
    ticket_tier: int,
    *,
    to_tier: int,
    reason: str,
    summary: str,
    tried: str,
    impact: str,
    links: str = "",
    external_url: str | None = None,
) -> Handoff:
    """The handoff to store, or the first problem as a refusal naming the ticket."""
    for problem in _problems(
        number, ticket_tier, to_tier, reason, summary, tried, impact, links, external_url or ""
    ):
        raise problem
    return Handoff(
        to_tier=to_tier,
        reason=reason,
        summary=_one_line(summary),
        tried=_trimmed(tried),
        impact=_trimmed(impact),
        links=_trimmed(links),
        external_url=external_url.strip() if external_url and external_url.strip() else None,
    )


def _problems(
    number: int,
    ticket_tier: int,
    to_tier: int | None,
    reason: str,
    summary: str,
    tried: str,
    impact: str,
    links: str,
    external_url: str,
) -> Iterator[HandoffRefused]:
    wrong_tier = tier_problem(number, ticket_tier, to_tier)
    if wrong_tier:
        yield InvalidEscalationTier(wrong_tier, "tier")
    if reason not in REASONS:
        yield InvalidReason(
            "choose a reason: " + ", ".join(REASONS)
            if not reason.strip()
            else f"unknown reason {reason!r}; use one of: {', '.join(REASONS)}",
            "reason",
        )
    one_line_summary = _one_line(summary)
    if not one_line_summary:
        yield MissingHandoffField("the summary is required: one line on what is wrong", "summary")
    elif len(one_line_summary) > MAX_SUMMARY_CHARS:
        yield HandoffTooLarge(
            f"the summary is {len(one_line_summary)} characters; keep it to "
            f"{MAX_SUMMARY_CHARS} and put the details under what was tried",
            "summary",
        )
    required = (
        ("tried", tried, "the steps already tried are required, so nobody repeats them"),
        ("impact", impact, "the customer impact is required: who is affected and how badly"),
    )
    for field, text, missing in required:
        if not text.strip():
            yield MissingHandoffField(missing, field)
        else:
            problem = _size_problem(field, text, MAX_TEXT_BYTES)
            if problem:
                yield HandoffTooLarge(problem, field)
    problem = _size_problem("links", links, MAX_LINKS_BYTES)
    if problem:
        yield HandoffTooLarge(problem, "links")
    if external_url.strip():
        url_problem = _url_problem(external_url.strip())
        if url_problem:
            yield InvalidExternalLink(url_problem, "link")


def tier_problem(number: int, ticket_tier: int, to_tier: int | None) -> str | None:
    """Why ticket ``number`` cannot go to ``to_tier`` (``None``: no tier chosen yet), if so."""
    targets = target_tiers(ticket_tier)
    if to_tier is not None and to_tier in targets:
        return None
    if not targets:
        return f"#{number} is already at tier {ticket_tier}, the highest; hand it back or solve it"
    choices = " or ".join(str(t) for t in targets)
    if to_tier is None:
        return f"choose the tier to escalate #{number} to: {choices}"
    return f"#{number} is at tier {ticket_tier}; it can go to tier {choices}, not tier {to_tier}"


_FIELD_NAMES: Final = {
    "tried": "the steps tried",
    "impact": "the customer impact",
    "links": "the links and log excerpts",
    "instructions": "the instructions",
}


def _size_problem(field: str, text: str, limit: int) -> str | None:
    size = len(_trimmed(text).encode("utf-8"))
    if size <= limit:
        return None
    return f"{_FIELD_NAMES[field]} take {size:,} bytes; the limit is {limit // 1024} KiB"


def _url_problem(url: str) -> str | None:
    if len(url) > MAX_URL_LENGTH:
        return f"the link is {len(url):,} characters long; the limit is {MAX_URL_LENGTH:,}"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return "the link contains spaces or control characters; paste the URL alone"
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        valid = valid and (parts.port is None or parts.port > 0)
    except ValueError:  # malformed, or a port out of range
        valid = False
    return None if valid else "the link must be a web address starting with http:// or https://"


def check_instructions(text: str) -> str:
    """Hand-back instructions (trimmed): required, so the lower tier knows what to do next."""
    if not text.strip():
        raise MissingHandoffField(
            "instructions are required: tell the lower tier what to do next", "instructions"
        )
    problem = _size_problem("instructions", text, MAX_TEXT_BYTES)
    if problem:
        raise HandoffTooLarge(problem, "instructions")
    return _trimmed(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _trimmed(text: str) -> str:
    """Line endings unified, blank lines around dropped, common indentation and trailing
    spaces cut (relative indentation, as in a pasted log, is kept)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return textwrap.dedent("\n".join(lines).strip("\n"))


# --------------------------------------------------------------------------- notes


def handoff_note(handoff: Handoff, *, from_tier: int, group: str | None) -> str:
    """The internal note that records an escalation in the thread."""
    where = f"tier {handoff.to_tier}" + (f" ({group})" if group else "")
    lines = [
        f"Escalated from tier {from_tier} to {where} · reason: {reason_label(handoff.reason)}",
        f"Summary: {handoff.summary}",
        _block("Tried", handoff.tried),
        _block("Impact", handoff.impact),
    ]
    if handoff.links:
        lines.append(_block("Links", handoff.links))
    if handoff.external_url:
        lines.append(f"Bug tracker: {handoff.external_url}")
    return "\n".join(lines)


def hand_back_note(*, from_tier: int, to_tier: int, assignee: str | None, instructions: str) -> str:
    """The internal note that records a hand-back, instructions first-class."""
    back_to = f" (assigned to {assignee})" if assignee else ""
    return f"Handed back from tier {from_tier} to tier {to_tier}{back_to}\n" + _block(
        "Instructions", instructions
    )


def _block(title: str, text: str) -> str:
    """'Title: text' on one line, or the title alone above a multi-line text."""
    return f"{title}:\n{text}" if "\n" in text else f"{title}: {text}"


# --------------------------------------------------------------------------- history


def history_line(row: EscalationRow) -> str:
    """'2026-11-25 14:03 Ana Lima: tier 1 → 2 (Technical) · Bug · taken by Dev Patel'.

    Names, groups and links are made safe for one line (they are typed by people).
    """
    where = f"tier {row.from_tier} → {row.to_tier}"
    if row.group_name:
        where += f" ({one_line(row.group_name)})"
    outcome = {
        "open": "waiting",
        "acknowledged": f"taken by {one_line(row.acknowledged_by_name or 'someone')}",
        "handed-back": f"handed back by {one_line(row.handed_back_by_name or 'someone')}",
        "closed": "closed",
    }.get(row.state, row.state)
    who = one_line(row.created_by_name or "someone")
    parts = [f"{timestamp(row.created_at)} {who}: {where}", reason_label(row.reason), outcome]
    if row.external_url:
        parts.append(one_line(row.external_url))
    return " · ".join(parts)


# --------------------------------------------------------------------------- handoff SLA


@dataclass(frozen=True, slots=True)
class HandoffSla:
    """Where an escalation stands against its acknowledgement target."""

    state: str  # one of SLA_STATES
    due_at: int

    def describe(self, now: int) -> str:
        """'due in 25m', 'due in 5m', 'overdue 2h' or 'acknowledged'."""
        if self.state == ACKNOWLEDGED:
            return "acknowledged"
        if self.state == BREACHED:
            return f"overdue {ago(self.due_at, now)}"
        left = ago(now, self.due_at)
        return "due now" if left == "now" else f"due in {left}"


def ack_due_at(priority: str, escalated_at: int, calendar: Calendar | None = None) -> int:
    """When an escalation made at ``escalated_at`` must be acknowledged: the priority's
    target in ``calendar``'s business hours (the ticket's SLA policy), else wall time."""
    target_ms = ACK_TARGET_MINUTES.get(priority, ACK_TARGET_MINUTES["normal"]) * MINUTE_MS
    return escalated_at + target_ms if calendar is None else calendar.add(escalated_at, target_ms)


def handoff_sla(
    priority: str,
    escalated_at: int,
    acknowledged_at: int | None,
    now: int,
    *,
    due_at: int | None = None,
) -> HandoffSla:
    """The SLA state of an escalation at ``now``; ``due_at`` is the stored target, if any."""
    due = due_at if due_at is not None else ack_due_at(priority, escalated_at)
    if acknowledged_at is not None:
        return HandoffSla(ACKNOWLEDGED, due)
    if now >= due:
        return HandoffSla(BREACHED, due)
    if due - now <= (due - escalated_at) * DUE_SOON_SHARE:
        return HandoffSla(DUE_SOON, due)
    return HandoffSla(WAITING, due)


def escalation_sla(row: EscalationRow, now: int) -> HandoffSla:
    """:func:`handoff_sla` of a stored escalation (its stored target, if it has one)."""
    return handoff_sla(
        row.priority, row.created_at, row.acknowledged_at, now, due_at=row.ack_due_at
    )
