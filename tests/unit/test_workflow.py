"""The pure workflow rules: transitions, tags, bodies and what each change writes."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from agentdesk.domain.workflow import (
    MAX_BODY_BYTES,
    MAX_TAG_LENGTH,
    STATUSES,
    BodyTooLarge,
    EmptyBody,
    InvalidTag,
    InvalidTransition,
    InvalidValue,
    NewMessage,
    NothingToChange,
    Party,
    TicketClosed,
    check_body,
    check_transition,
    normalise_tag,
    normalise_tags,
    plan_add_tags,
    plan_assign,
    plan_message,
    plan_priority,
    plan_remove_tags,
    plan_status,
)
from storage.writes import TicketState

NOW = 1_780_000_000_000

# Written out by hand (not derived from TRANSITIONS) so the table is checked, not echoed.
ALLOWED = {
    ("new", "open"),
    ("new", "pending"),
    ("new", "on-hold"),
    ("new", "solved"),
    ("open", "pending"),
    ("open", "on-hold"),
    ("open", "solved"),
    ("pending", "open"),
    ("pending", "on-hold"),
    ("pending", "solved"),
    ("on-hold", "open"),
    ("on-hold", "pending"),
    ("on-hold", "solved"),
    ("solved", "open"),
    ("solved", "closed"),
}


def state(
    status: str = "open",
    *,
    priority: str = "normal",
    assignee: str | None = None,
    group: str | None = None,
    first_response_at: int | None = None,
    solved_at: int | None = None,
    tags: frozenset[str] = frozenset(),
) -> TicketState:
    return TicketState(
        "T1", 1042, 3, status, priority, assignee, group, first_response_at, solved_at, tags
    )


# --------------------------------------------------------------------------- transitions


@pytest.mark.parametrize(("old", "new"), list(itertools.product(STATUSES, STATUSES)))
def test_every_status_pair(old: str, new: str) -> None:
    if (old, new) in ALLOWED:
        check_transition(1042, old, new)
        return
    if old == "closed":
        with pytest.raises(TicketClosed, match="follow-up needs a new ticket"):
            check_transition(1042, old, new)
    elif old == new:
        with pytest.raises(NothingToChange, match=f"#1042 is already {new}"):
            check_transition(1042, old, new)
    else:
        with pytest.raises(InvalidTransition, match=f"cannot go from {old} to {new}") as info:
            check_transition(1042, old, new)
        assert not isinstance(info.value, TicketClosed)


def test_unknown_status_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidValue, match="unknown status 'done'; use one of: new, open"):
        check_transition(1, "open", "done")


def test_refused_transition_lists_where_the_ticket_can_go() -> None:
    with pytest.raises(InvalidTransition, match="from open it can go to: pending, on-hold, solved"):
        check_transition(7, "open", "closed")


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("billing", "billing"),
        ("VIP", "vip"),
        ("  Angry Customer ", "angry-customer"),
        ("two\t spaces", "two-spaces"),
        ("under_score-2", "under_score-2"),
        ("x" * MAX_TAG_LENGTH, "x" * MAX_TAG_LENGTH),
    ],
)
def test_tags_are_normalised(raw: str, tag: str) -> None:
    assert normalise_tag(raw) == tag


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("x" * (MAX_TAG_LENGTH + 1), f"41 characters long; the limit is {MAX_TAG_LENGTH}"),
        ("café", "contains 'é'"),
        ("a/b!", "contains '!/'"),
        ("esc\x1b[2J", r"contains '\\x1b\['"),
    ],
)
def test_invalid_tags_are_refused_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidTag, match=reason):
        normalise_tag(raw)


def test_tag_lists_drop_duplicates_after_normalising() -> None:
    assert normalise_tags(["VIP", "billing", "vip", " Billing "]) == ("vip", "billing")
    with pytest.raises(NothingToChange, match="no tags given"):
        normalise_tags([])


# --------------------------------------------------------------------------- bodies


def test_body_keeps_inner_text_and_drops_outer_blank_lines() -> None:
    assert check_body("\n\n  Hi there,\n\n  indented\n\n \n") == "  Hi there,\n\n  indented"
    assert check_body("a\r\nb") == "a\nb"


@pytest.mark.parametrize("body", ["", " ", "\n\t\n", "\r\n"])
def test_empty_body_is_refused(body: str) -> None:
    with pytest.raises(EmptyBody):
        check_body(body)


def test_body_size_limit_counts_utf8_bytes() -> None:
    assert check_body("x" * MAX_BODY_BYTES)
    with pytest.raises(BodyTooLarge, match=r"the limit is 64 KiB \(65,536 bytes\)"):
        check_body("x" * (MAX_BODY_BYTES + 1))
    with pytest.raises(BodyTooLarge, match="65,538 bytes"):
        check_body("é" * (MAX_BODY_BYTES // 2 + 1))


# --------------------------------------------------------------------------- planners


def test_public_reply_starts_first_response_once_and_keeps_the_status() -> None:
    first = plan_message(state("new"), NewMessage("M1", "public", "Hi\n"), NOW)
    assert first.op == "reply"
    assert first.columns == {"first_response_at": NOW}
    assert first.args == {"message_id": "M1", "body": "Hi"}
    assert first.message == NewMessage("M1", "public", "Hi")
    assert (first.field, first.old_value, first.new_value) == ("message", None, "M1")
    again = plan_message(
        state("new", first_response_at=NOW - 1), NewMessage("M2", "public", "x"), NOW
    )
    assert again.columns == {}


def test_note_never_starts_first_response() -> None:
    note = plan_message(state(), NewMessage("M1", "internal", "psst", restricted=True), NOW)
    assert note.op == "note"
    assert note.columns == {}
    assert note.args == {"message_id": "M1", "body": "psst", "restricted": True}


def test_solving_stamps_solved_at_reopening_clears_it_closing_keeps_it() -> None:
    assert plan_status(state("open"), "solved", NOW).columns == {
        "status": "solved",
        "solved_at": NOW,
    }
    assert plan_status(state("solved", solved_at=5), "open", NOW).columns == {
        "status": "open",
        "solved_at": None,
    }
    closing = plan_status(state("solved", solved_at=5), "closed", NOW)
    assert closing.columns == {"status": "closed"}
    assert (closing.field, closing.old_value, closing.new_value) == ("status", "solved", "closed")


@pytest.mark.parametrize(
    "plan",
    [
        lambda t: plan_message(t, NewMessage("M", "public", "hi"), NOW),
        lambda t: plan_message(t, NewMessage("M", "internal", "hi"), NOW),
        lambda t: plan_priority(t, "high"),
        lambda t: plan_add_tags(t, ["x"]),
        lambda t: plan_remove_tags(t, ["x"]),
        lambda t: plan_assign(t, assignee=(Party(None, None), Party("A", "a@x"))),
    ],
)
def test_a_closed_ticket_refuses_everything(plan: Callable[[TicketState], object]) -> None:
    closed = state("closed", tags=frozenset({"x"}))
    with pytest.raises(TicketClosed, match=r"#1042 is closed.*a follow-up needs a new ticket"):
        plan(closed)


def test_priority() -> None:
    change = plan_priority(state(priority="normal"), "urgent")
    assert change.columns == {"priority": "urgent"}
    assert (change.old_value, change.new_value) == ("normal", "urgent")
    with pytest.raises(NothingToChange, match="already has normal priority"):
        plan_priority(state(priority="normal"), "normal")
    with pytest.raises(InvalidValue, match="unknown priority 'asap'"):
        plan_priority(state(), "asap")


def test_assign_records_ids_for_the_outbox_and_labels_for_the_audit() -> None:
    ana, ben = Party("AG-ANA", "ana@x"), Party("AG-BEN", "ben@x")
    front, nobody = Party("GR-F", "Frontline"), Party(None, None)
    both = plan_assign(state(assignee="AG-ANA"), assignee=(ana, ben), group=(nobody, front))
    assert both.args == {"assignee": "AG-BEN", "group": "GR-F"}
    assert both.columns == {"assignee_id": "AG-BEN", "group_id": "GR-F"}
    assert (both.field, both.old_value, both.new_value) == (
        "assignee,group",
        "ana@x, (none)",
        "ben@x, Frontline",
    )
    unassign = plan_assign(state(assignee="AG-ANA"), assignee=(ana, nobody))
    assert (unassign.field, unassign.old_value, unassign.new_value) == ("assignee", "ana@x", None)
    # A side already as wanted is left out when the other side changes.
    only_group = plan_assign(state(assignee="AG-ANA"), assignee=(ana, ana), group=(nobody, front))
    assert only_group.args == {"group": "GR-F"}
    with pytest.raises(NothingToChange, match="already assigned that way"):
        plan_assign(state(assignee="AG-ANA"), assignee=(ana, ana))
    with pytest.raises(NothingToChange, match="give an agent, a group, or both"):
        plan_assign(state())


def test_tags_add_only_missing_and_remove_only_present() -> None:
    ticket = state(tags=frozenset({"billing"}))
    added = plan_add_tags(ticket, ["VIP", "billing"])
    assert added.tags_added == ("vip",)
    assert added.args == {"tags": ["vip", "billing"]}
    assert (added.old_value, added.new_value) == ("billing", "billing vip")
    removed = plan_remove_tags(ticket, ["billing", "nope"])
    assert removed.tags_removed == ("billing",)
    assert (removed.old_value, removed.new_value) == ("billing", None)
    with pytest.raises(NothingToChange, match="already has tag"):
        plan_add_tags(ticket, ["Billing"])
    with pytest.raises(NothingToChange, match="has no tag"):
        plan_remove_tags(ticket, ["vip"])
