"""The helpdesk's rules for changing a ticket, written once for the workstation and the hub.

Everything here is pure: given a ticket's current state and what an agent asked
for, it either refuses with a :class:`DeskError` whose message a person can act
on, or returns the :class:`Change` to write. ``agentdesk.desk`` does the I/O
(look-ups, the transaction, audit and outbox rows); the refusals live here so a
replayed mutation is judged by exactly the same rules as a key press.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from storage.writes import Effect, TicketState

STATUSES: Final = ("new", "open", "pending", "on-hold", "solved", "closed")
PRIORITIES: Final = ("low", "normal", "high", "urgent")

#: Status -> the statuses it may move to. ``closed`` is final.
TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    "new": frozenset({"open", "pending", "on-hold", "solved"}),
    "open": frozenset({"pending", "on-hold", "solved"}),
    "pending": frozenset({"open", "on-hold", "solved"}),
    "on-hold": frozenset({"open", "pending", "solved"}),
    "solved": frozenset({"open", "closed"}),
    "closed": frozenset(),
}

MAX_BODY_BYTES: Final = 64 * 1024
MAX_TAG_LENGTH: Final = 40
_TAG: Final = re.compile(r"[a-z0-9_-]+")
_SPACES: Final = re.compile(r"\s+")


class DeskError(Exception):
    """An action was refused; the message is one sentence for the person who asked."""


class UnknownTicket(DeskError):
    """No ticket matches the reference (a refusal, not a broken store)."""


class UnknownAgent(DeskError):
    """The agent named does not exist, or is deactivated and may not take tickets."""


class UnknownGroup(DeskError):
    """The group named does not exist."""


class InactiveAgent(DeskError):
    """The acting agent has been deactivated and may no longer change tickets."""


class InvalidTransition(DeskError):
    """The workflow does not allow this status change."""


class TicketClosed(InvalidTransition):
    """The ticket is closed: it can be read, never changed."""


class NothingToChange(DeskError):
    """The ticket already is as asked; refused so the audit never holds empty events."""


class InvalidValue(DeskError):
    """A status, priority, kind or argument is not one we know."""


class EmptyBody(DeskError):
    """A reply or note with nothing in it."""


class BodyTooLarge(DeskError):
    """A reply or note over :data:`MAX_BODY_BYTES`."""


class InvalidTag(DeskError):
    """A tag that stays invalid after normalisation."""


class NotPermitted(DeskError):
    """The acting agent's role does not allow this action (see :mod:`agentdesk.domain.roles`)."""


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A reply or note to append to the thread."""

    id: str
    kind: str  # 'public' | 'internal'
    body: str
    restricted: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    """What one accepted action writes: ticket columns, thread, tags, and how it is recorded.

    ``args`` is the outbox payload: enough to replay the action on another replica.
    ``field``/``old_value``/``new_value`` are the audit event's text. ``effects``
    are further writes (rows of other tables) made in the same transaction.
    """

    op: str
    args: Mapping[str, object]
    field: str | None
    old_value: str | None
    new_value: str | None
    columns: Mapping[str, object] = dataclasses.field(default_factory=dict)
    message: NewMessage | None = None
    tags_added: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()


def _ticket(number: int) -> str:
    return f"#{number}"


def _refuse_if_closed(number: int, status: str) -> None:
    if status == "closed":
        raise TicketClosed(
            f"{_ticket(number)} is closed and can no longer change; a follow-up needs a new ticket"
        )


def check_changeable(ticket: TicketState) -> None:
    """Refuse any change to a closed ticket."""
    _refuse_if_closed(ticket.number, ticket.status)


def check_transition(number: int, old: str, new: str) -> None:
    """Refuse an unknown status, the current status, or a move the workflow forbids."""
    if new not in TRANSITIONS:
        raise InvalidValue(f"unknown status {new!r}; use one of: {', '.join(STATUSES)}")
    _refuse_if_closed(number, old)
    if new == old:
        raise NothingToChange(f"{_ticket(number)} is already {new}")
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(s for s in STATUSES if s in TRANSITIONS[old])
        raise InvalidTransition(
            f"{_ticket(number)} cannot go from {old} to {new}; from {old} it can go to: {allowed}"
        )


def check_body(body: str) -> str:
    """The body to store (leading and trailing blank lines dropped), or a refusal."""
    if not body.strip():
        raise EmptyBody("the message is empty; write something before sending")
    lines = body.replace("\r\n", "\n").split("\n")
    while not lines[0].strip():
        lines.pop(0)
    while not lines[-1].strip():
        lines.pop()
    text = "\n".join(lines).rstrip()
    size = len(text.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise BodyTooLarge(
            f"the message is {size:,} bytes; the limit is {MAX_BODY_BYTES // 1024} KiB "
            f"({MAX_BODY_BYTES:,} bytes)"
        )
    return text


def normalise_tag(raw: str) -> str:
    """Lowercase, spaces to '-', then check the charset and length.

    Raises:
        InvalidTag: naming the tag and what is wrong with it.
    """
    tag = _SPACES.sub("-", raw.strip().lower())
    if not tag:
        raise InvalidTag("a tag cannot be empty")
    if len(tag) > MAX_TAG_LENGTH:
        raise InvalidTag(
            f"tag {tag!r} is {len(tag)} characters long; the limit is {MAX_TAG_LENGTH}"
        )
    if not _TAG.fullmatch(tag):
        bad = "".join(sorted({c for c in tag if not _TAG.fullmatch(c)}))
        raise InvalidTag(f"tag {tag!r} contains {bad!r}; tags may use only a-z, 0-9, '-' and '_'")
    return tag


def normalise_tags(raw: Iterable[str]) -> tuple[str, ...]:
    """Each tag normalised, duplicates dropped, in the order given; at least one."""
    tags = tuple(dict.fromkeys(normalise_tag(tag) for tag in raw))
    if not tags:
        raise NothingToChange("no tags given")
    return tags


def _tag_text(tags: Iterable[str]) -> str | None:
    text = " ".join(sorted(tags))
    return text or None


# --------------------------------------------------------------------------- planners


def plan_message(ticket: TicketState, message: NewMessage, now: int) -> Change:
    """A public reply or an internal note; a reply starts the first-response clock.

    A reply never changes the status by itself: "send and set status" is two actions.
    """
    check_changeable(ticket)
    body = check_body(message.body)
    message = NewMessage(message.id, message.kind, body, message.restricted)
    public = message.kind == "public"
    columns: dict[str, object] = {}
    if public and ticket.first_response_at is None:
        columns["first_response_at"] = now
    args: dict[str, object] = {"message_id": message.id, "body": body}
    if not public:
        args["restricted"] = message.restricted
    return Change(
        op="reply" if public else "note",
        args=args,
        field="message",
        old_value=None,
        new_value=message.id,
        columns=columns,
        message=message,
    )


def plan_status(ticket: TicketState, status: str, now: int) -> Change:
    """A status change; solving starts ``solved_at``, reopening clears it."""
    check_transition(ticket.number, ticket.status, status)
    columns: dict[str, object] = {"status": status}
    if status == "solved":
        columns["solved_at"] = now
    elif ticket.status == "solved" and status == "open":
        columns["solved_at"] = None
    return Change("set_status", {"status": status}, "status", ticket.status, status, columns)


def plan_priority(ticket: TicketState, priority: str) -> Change:
    """A priority change."""
    check_changeable(ticket)
    if priority not in PRIORITIES:
        raise InvalidValue(f"unknown priority {priority!r}; use one of: {', '.join(PRIORITIES)}")
    if priority == ticket.priority:
        raise NothingToChange(f"{_ticket(ticket.number)} already has {priority} priority")
    return Change(
        "set_priority",
        {"priority": priority},
        "priority",
        ticket.priority,
        priority,
        {"priority": priority},
    )


@dataclass(frozen=True, slots=True)
class Party:
    """An assignee or group as resolved by the caller: its id and a label for the audit."""

    id: str | None
    label: str | None


def plan_assign(
    ticket: TicketState,
    *,
    assignee: tuple[Party, Party] | None = None,
    group: tuple[Party, Party] | None = None,
) -> Change:
    """Assign to an agent and/or a group; each pair is (current, wanted).

    The audit records labels (emails, group names) a person can read; the outbox
    records ids. Fields asked for but already as wanted are refused when nothing
    else changes.
    """
    check_changeable(ticket)
    changes: list[tuple[str, str, Party, Party]] = []
    for name, column, pair in (("assignee", "assignee_id", assignee), ("group", "group_id", group)):
        if pair is not None and pair[0].id != pair[1].id:
            changes.append((name, column, *pair))
    if not changes:
        if assignee is None and group is None:
            raise NothingToChange("nothing to assign: give an agent, a group, or both")
        raise NothingToChange(f"{_ticket(ticket.number)} is already assigned that way")
    single = len(changes) == 1
    return Change(
        "assign",
        args={name: new.id for name, _, _, new in changes},
        field=",".join(name for name, *_ in changes),
        old_value=_labels([old for _, _, old, _ in changes], single),
        new_value=_labels([new for *_, new in changes], single),
        columns={column: new.id for _, column, _, new in changes},
    )


def _labels(parties: list[Party], single: bool) -> str | None:
    if single:
        return parties[0].label
    return ", ".join(p.label or "(none)" for p in parties)


def plan_add_tags(ticket: TicketState, tags: Iterable[str]) -> Change:
    """Add the tags not already there; refused if all are."""
    check_changeable(ticket)
    wanted = normalise_tags(tags)
    added = tuple(tag for tag in wanted if tag not in ticket.tags)
    if not added:
        raise NothingToChange(f"{_ticket(ticket.number)} already has tag(s) {', '.join(wanted)}")
    return Change(
        "add_tags",
        {"tags": list(wanted)},
        "tags",
        _tag_text(ticket.tags),
        _tag_text(ticket.tags | set(added)),
        tags_added=added,
    )


def plan_remove_tags(ticket: TicketState, tags: Iterable[str]) -> Change:
    """Remove the tags that are there; refused if none are."""
    check_changeable(ticket)
    wanted = normalise_tags(tags)
    removed = tuple(tag for tag in wanted if tag in ticket.tags)
    if not removed:
        raise NothingToChange(f"{_ticket(ticket.number)} has no tag(s) {', '.join(wanted)}")
    return Change(
        "remove_tags",
        {"tags": list(wanted)},
        "tags",
        _tag_text(ticket.tags),
        _tag_text(ticket.tags - set(removed)),
        tags_removed=removed,
    )
