"""The rules for incidents (a parent ticket others are linked to) and for merging duplicates.

Pure like :mod:`agentdesk.domain.workflow`: given the link facts of the tickets
involved, refuse with one sentence a person can act on, or return the Change.

Incidents are one level deep, as in Zendesk's problem/incident tickets: a ticket
linked to an incident cannot itself be an incident, and an incident cannot be
linked under another, so a solve reaches every affected customer in one step.

A merge changes two tickets, each with its own mutation (so its own audit event
and outbox entry) in one transaction: the *source* is closed, points at the
target and gets an internal note; the *target* records the merge with an
internal note of its own. Nothing is moved or deleted: the target's thread shows
the source's messages by following ``merged_into_id`` (see ``storage.tickets.thread``).
"""

from __future__ import annotations

from agentdesk.domain.text import one_line
from agentdesk.domain.workflow import Change, DeskError, NothingToChange
from storage.incidents import LinkFacts, TicketLinks


class InvalidLink(DeskError):
    """An incident link the rules forbid: to itself, nested, or with a closed or merged ticket."""


class InvalidMerge(DeskError):
    """A merge the rules forbid: another requester, itself, a closed or merged ticket."""


def _label(ticket: LinkFacts) -> str:
    return f"#{ticket.number}"


def _refuse_merged(ticket: LinkFacts, error: type[DeskError], doing: str) -> None:
    if ticket.merged_into_number is not None:
        raise error(
            f"{_label(ticket)} was merged into #{ticket.merged_into_number}; "
            f"{doing} #{ticket.merged_into_number} instead"
        )


def _refuse_closed(ticket: LinkFacts, error: type[DeskError], what: str) -> None:
    if ticket.status == "closed":
        raise error(f"{_label(ticket)} is closed; {what}")


# --------------------------------------------------------------------------- incidents


def plan_link(ticket: LinkFacts, incident: LinkFacts) -> Change:
    """Link ``ticket`` to ``incident`` (moving it if it was linked to another one)."""
    label, target = _label(ticket), _label(incident)
    if ticket.id == incident.id:
        raise InvalidLink(f"{label} cannot be linked to itself; choose another ticket")
    _refuse_merged(ticket, InvalidLink, "link")
    _refuse_closed(ticket, InvalidLink, "a closed ticket can no longer be linked")
    _refuse_merged(incident, InvalidLink, "link to")
    _refuse_closed(incident, InvalidLink, "link to an open incident")
    if incident.incident_number is not None:
        raise InvalidLink(
            f"{target} is itself linked to incident #{incident.incident_number}; "
            f"link to #{incident.incident_number} instead"
        )
    if ticket.linked_count:
        noun = "ticket" if ticket.linked_count == 1 else "tickets"
        raise InvalidLink(
            f"{label} is an incident with {ticket.linked_count} linked {noun}; "
            "an incident cannot be linked under another"
        )
    if ticket.incident_number == incident.number:
        raise NothingToChange(f"{label} is already linked to incident {target}")
    old = None if ticket.incident_number is None else f"#{ticket.incident_number}"
    return Change(
        op="link_incident",
        args={"incident": incident.id},
        field="incident",
        old_value=old,
        new_value=target,
        columns={"parent_id": incident.id},
    )


def plan_unlink(ticket: LinkFacts) -> Change:
    """Take ``ticket`` out of its incident."""
    if ticket.incident_number is None:
        raise NothingToChange(f"{_label(ticket)} is not linked to an incident")
    _refuse_closed(ticket, InvalidLink, "a closed ticket can no longer be unlinked")
    return Change(
        op="unlink_incident",
        args={},
        field="incident",
        old_value=f"#{ticket.incident_number}",
        new_value=None,
        columns={"parent_id": None},
    )


# --------------------------------------------------------------------------- merges


def plan_merge(source: LinkFacts, target: LinkFacts, message_id: str) -> Change:
    """Close ``source`` as merged into ``target``.

    The caller writes :func:`merge_note` as message ``message_id``. The ticket is
    closed without ``solved_at``: it was not solved, it moved.
    """
    label, into = _label(source), _label(target)
    if source.id == target.id:
        raise InvalidMerge(f"{label} cannot be merged into itself; choose another ticket")
    if source.merged_into_number is not None:
        raise InvalidMerge(f"{label} was already merged into #{source.merged_into_number}")
    _refuse_closed(source, InvalidMerge, "a closed ticket can no longer be merged")
    _refuse_merged(target, InvalidMerge, "merge into")
    _refuse_closed(target, InvalidMerge, "merge into an open ticket of the same requester")
    if source.requester_id != target.requester_id:
        raise InvalidMerge(
            f"{label} and {into} have different requesters; "
            "only tickets of the same requester can be merged"
        )
    if source.linked_count:
        noun = "ticket" if source.linked_count == 1 else "tickets"
        raise InvalidMerge(
            f"{label} is an incident with {source.linked_count} linked {noun}; "
            f"link them to {into} (or unlink them) before merging"
        )
    return Change(
        op="merge",
        args={"into": target.id, "message_id": message_id},
        field="merged_into",
        old_value=None,
        new_value=into,
        columns={"status": "closed", "merged_into_id": target.id},
    )


def merge_note(target: LinkFacts) -> str:
    """The internal note left on a merged ticket."""
    into = _label(target)
    return f"Merged into {into}: this ticket is closed and its messages show in {into}'s thread."


def plan_record_merge(
    target: LinkFacts, source: LinkFacts, message_id: str, *, recorded: bool
) -> Change:
    """The target's side of a merge, after the source was merged into it.

    The caller writes :func:`record_note` as message ``message_id``. ``recorded``
    says whether the target already noted this source, so a replay cannot note it
    twice.
    """
    label = _label(source)
    if source.merged_into_number != target.number:
        raise InvalidMerge(f"{label} is not merged into {_label(target)}; merge it first")
    if recorded:
        raise NothingToChange(f"{_label(target)} already records the merge of {label}")
    _refuse_closed(target, InvalidMerge, "merge into an open ticket of the same requester")
    return Change(
        op="record_merge",
        args={"source": source.id, "message_id": message_id},
        field="merged_from",
        old_value=None,
        new_value=label,
    )


def record_note(source: LinkFacts) -> str:
    """The internal note left on the ticket a duplicate was merged into."""
    label = _label(source)
    return f"{label} was merged into this ticket; its messages show in this thread, marked {label}."


# --------------------------------------------------------------------------- describing


def link_lines(links: TicketLinks) -> list[str]:
    """What a ticket's links mean, one plain line each (empty when it has none).

    The incident line, if any, comes first. Subjects are customer text: made safe
    with :func:`agentdesk.domain.text.one_line`.
    """
    lines: list[str] = []
    if links.is_incident:
        noun = "linked ticket" if links.linked_total == 1 else "linked tickets"
        lines.append(f"Incident · {links.linked_total} {noun}, {links.linked_unsolved} unsolved")
    if links.incident is not None:
        lines.append(
            f"Part of incident #{links.incident.number} {one_line(links.incident.subject)}"
        )
    if links.merged_into is not None:
        into = f"#{links.merged_into.number}"
        lines.append(
            f"Merged into {into} · this ticket is closed; its conversation continues in {into}"
        )
    if links.merged_from:
        numbers = ", ".join(f"#{t.number}" for t in links.merged_from)
        lines.append(f"Merged here: {numbers} (their messages are in the thread, marked)")
    return lines
