"""The pure escalation rules: every refusal, the notes, and the handoff SLA states."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.domain.escalation import (
    ACK_TARGET_MINUTES,
    MAX_LINKS_BYTES,
    MAX_SUMMARY_CHARS,
    MAX_TEXT_BYTES,
    REASONS,
    GroupNotInTier,
    Handoff,
    HandoffRefused,
    HandoffTooLarge,
    InvalidEscalationTier,
    InvalidExternalLink,
    InvalidReason,
    MissingHandoffField,
    ack_due_at,
    check_handoff,
    check_instructions,
    hand_back_note,
    handoff_note,
    handoff_problems,
    handoff_sla,
    reason_label,
    target_tiers,
)
from agentdesk.domain.roles import incoming_tiers, may_escalate
from agentdesk.domain.workflow import DeskError, InvalidValue

T = 1_780_000_000_000
MIN = 60_000
GOOD: dict[str, Any] = {
    "to_tier": 2,
    "reason": "bug",
    "summary": "Login fails",
    "tried": "Cleared the cache",
    "impact": "One user blocked",
}


def test_target_tiers_are_above_the_ticket() -> None:
    assert target_tiers(1) == (2, 3)
    assert target_tiers(2) == (3,)
    assert target_tiers(3) == ()


def test_a_good_handoff_is_normalised() -> None:
    handoff = check_handoff(
        1042,
        1,
        to_tier=3,
        reason="outage",
        summary="  API down\n  in EU ",
        tried="\n\nRetried\r\nChecked status page   \n\n",
        impact="All EU customers",
        links="  \n",
        external_url="  https://bugs.example/ENG-1  ",
    )
    assert handoff == Handoff(
        to_tier=3,
        reason="outage",
        summary="API down in EU",
        tried="Retried\nChecked status page",
        impact="All EU customers",
        links="",
        external_url="https://bugs.example/ENG-1",
    )
    assert check_handoff(1042, 1, **GOOD).external_url is None


REFUSALS = [
    ("tier not above", {"to_tier": 1}, InvalidEscalationTier, "tier", "#7 is at tier 1; it can go"),
    ("no such tier", {"to_tier": 4}, InvalidEscalationTier, "tier", "tier 2 or 3, not tier 4"),
    ("no reason", {"reason": ""}, InvalidReason, "reason", "choose a reason: bug, outage"),
    ("unknown reason", {"reason": "vibes"}, InvalidReason, "reason", "unknown reason 'vibes'"),
    ("no summary", {"summary": " \n "}, MissingHandoffField, "summary", "summary is required"),
    (
        "long summary",
        {"summary": "x" * (MAX_SUMMARY_CHARS + 1)},
        HandoffTooLarge,
        "summary",
        f"keep it to {MAX_SUMMARY_CHARS}",
    ),
    ("no tried", {"tried": "  "}, MissingHandoffField, "tried", "steps already tried"),
    ("no impact", {"impact": ""}, MissingHandoffField, "impact", "customer impact is required"),
    (
        "long tried",
        {"tried": "é" * (MAX_TEXT_BYTES // 2 + 1)},
        HandoffTooLarge,
        "tried",
        "the steps tried take 8,194 bytes; the limit is 8 KiB",
    ),
    (
        "long links",
        {"links": "x" * (MAX_LINKS_BYTES + 1)},
        HandoffTooLarge,
        "links",
        "limit is 16 KiB",
    ),
    ("ftp link", {"external_url": "ftp://x.example/1"}, InvalidExternalLink, "link", "http://"),
    ("no host", {"external_url": "https:///path"}, InvalidExternalLink, "link", "web address"),
    ("spaces", {"external_url": "https://x.example/a b"}, InvalidExternalLink, "link", "spaces"),
    (
        "control",
        {"external_url": "https://x.example/\x1b[2J"},
        InvalidExternalLink,
        "link",
        "control characters",
    ),
    ("bad port", {"external_url": "https://x.example:99999/"}, InvalidExternalLink, "link", "web"),
    (
        "long link",
        {"external_url": "https://x.example/" + "a" * 2048},
        InvalidExternalLink,
        "link",
        "the limit is 2,048",
    ),
]


@pytest.mark.parametrize(
    ("change", "error", "field", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_each_refusal_names_its_field(
    change: dict[str, Any], error: type[HandoffRefused], field: str, message: str
) -> None:
    with pytest.raises(error) as info:
        check_handoff(7, 1, **(GOOD | change))
    assert message in str(info.value)
    assert info.value.field == field
    assert isinstance(info.value, DeskError)
    problems = handoff_problems(7, 1, **(GOOD | change))
    assert list(problems) == [field]
    assert message in problems[field]


def test_an_unknown_reason_is_also_an_invalid_value() -> None:
    assert issubclass(InvalidReason, InvalidValue)


def test_a_tier_3_ticket_cannot_go_higher() -> None:
    with pytest.raises(InvalidEscalationTier, match="#9 is already at tier 3, the highest"):
        check_handoff(9, 3, **(GOOD | {"to_tier": 3}))


def test_the_form_gets_every_problem_at_once_in_field_order() -> None:
    problems = handoff_problems(
        5, 1, to_tier=None, reason="", summary="", tried="", impact="", external_url="nope"
    )
    assert list(problems) == ["tier", "reason", "summary", "tried", "impact", "link"]
    assert problems["tier"] == "choose the tier to escalate #5 to: 2 or 3"
    assert handoff_problems(5, 1, **GOOD) == {}


def test_a_refusal_keeps_its_message_when_rebuilt_without_a_field() -> None:
    # The Desk re-raises refusals as type(exc)(message) to name the ticket in bulk runs.
    rebuilt = GroupNotInTier("#1: Frontline is a tier-1 group")
    assert (str(rebuilt), rebuilt.field) == ("#1: Frontline is a tier-1 group", "")


def test_links_and_instructions() -> None:
    url = check_handoff(1, 1, **GOOD, external_url=" http://bugs.example/1?a=b#c ").external_url
    assert url == "http://bugs.example/1?a=b#c"
    with pytest.raises(InvalidExternalLink):
        check_handoff(1, 1, **GOOD, external_url="javascript:alert(1)")
    assert check_instructions("\n  Ask for the HAR file  \n") == "Ask for the HAR file"
    with pytest.raises(MissingHandoffField, match="instructions are required") as info:
        check_instructions(" \n ")
    assert info.value.field == "instructions"
    with pytest.raises(HandoffTooLarge, match="the instructions take"):
        check_instructions("x" * (MAX_TEXT_BYTES + 1))


def test_reason_labels_fall_back_to_the_raw_reason() -> None:
    assert [reason_label(r) for r in REASONS][:3] == ["Bug", "Outage", "Billing"]
    assert reason_label("account-access") == "Account access"
    assert reason_label("needs-engineering") == "needs-engineering"


def test_handoff_note_reads_like_a_handoff() -> None:
    handoff = check_handoff(
        1,
        1,
        **(GOOD | {"tried": "Step one\nStep two", "links": "https://logs.example/q=1"}),
        external_url="https://bugs.example/ENG-7",
    )
    assert handoff_note(handoff, from_tier=1, group="Technical") == (
        "Escalated from tier 1 to tier 2 (Technical) · reason: Bug\n"
        "Summary: Login fails\n"
        "Tried:\nStep one\nStep two\n"
        "Impact: One user blocked\n"
        "Links: https://logs.example/q=1\n"
        "Bug tracker: https://bugs.example/ENG-7"
    )
    assert handoff_note(check_handoff(1, 1, **GOOD), from_tier=1, group=None).startswith(
        "Escalated from tier 1 to tier 2 · reason: Bug\n"
    )
    assert hand_back_note(from_tier=2, to_tier=1, assignee="Ana Lima", instructions="Do X") == (
        "Handed back from tier 2 to tier 1 (assigned to Ana Lima)\nInstructions: Do X"
    )


# --------------------------------------------------------------------------- SLA


@pytest.mark.parametrize(
    ("priority", "minutes"), [("urgent", 30), ("high", 120), ("normal", 480), ("low", 1440)]
)
def test_ack_targets_by_priority(priority: str, minutes: int) -> None:
    assert ACK_TARGET_MINUTES[priority] == minutes
    assert ack_due_at(priority, T) == T + minutes * MIN


@pytest.mark.parametrize(
    ("priority", "elapsed_min", "state", "text"),
    [
        ("urgent", 0, "waiting", "due in 30m"),
        ("urgent", 22, "waiting", "due in 8m"),
        ("urgent", 23, "due-soon", "due in 7m"),  # the last quarter of 30 minutes
        ("urgent", 29.5, "due-soon", "due now"),
        ("urgent", 30, "breached", "overdue now"),
        ("urgent", 95, "breached", "overdue 1h"),
        ("normal", 359, "waiting", "due in 2h"),
        ("normal", 360, "due-soon", "due in 2h"),
        ("low", 3000, "breached", "overdue 1d"),
    ],
)
def test_sla_states(priority: str, elapsed_min: float, state: str, text: str) -> None:
    now = T + int(elapsed_min * MIN)
    sla = handoff_sla(priority, T, None, now)
    assert (sla.state, sla.describe(now)) == (state, text)
    assert sla.due_at == ack_due_at(priority, T)


def test_acknowledged_is_its_own_state_even_when_late() -> None:
    sla = handoff_sla("urgent", T, T + 90 * MIN, T + 120 * MIN)
    assert (sla.state, sla.describe(T)) == ("acknowledged", "acknowledged")


def test_a_stored_due_time_wins_over_the_priority() -> None:
    # The target is fixed when the escalation is made; a later priority change moves nothing.
    sla = handoff_sla("low", T, None, T + 40 * MIN, due_at=T + 30 * MIN)
    assert (sla.state, sla.due_at) == ("breached", T + 30 * MIN)


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("tier", "ticket_tier", "allowed"),
    [
        ("1", 1, True),
        ("1", 2, False),
        ("2", 1, True),
        ("2", 2, True),
        ("2", 3, False),
        ("3", 3, True),
        ("lead", 3, True),
        ("admin", 2, True),
    ],
)
def test_who_may_escalate(tier: str, ticket_tier: int, allowed: bool) -> None:
    assert may_escalate(tier, ticket_tier) is allowed


def test_incoming_tiers() -> None:
    assert [incoming_tiers(t) for t in ("1", "2", "3", "lead", "admin")] == [
        (),
        (2,),
        (3,),
        (2, 3),
        (2, 3),
    ]
