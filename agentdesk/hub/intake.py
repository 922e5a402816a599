"""Writing what a customer sent: one transaction per webhook, threaded onto its ticket.

The webhook router (:mod:`agentdesk.hub.inbound`) has already checked the signature
and the payload; here the message finds its ticket (:func:`agentdesk.domain.inbound.decide`)
and is written with the ticket change, exactly one audit event and the ticket's SLA
clocks, all in the caller's transaction. No Desk is involved: no agent acts, and a
customer's message is never refused by an agent's rules (a closed ticket gets a new one).
"""

from __future__ import annotations

from dataclasses import dataclass

from agentdesk.domain.inbound import Candidate, InboundMessage, SurveyAnswer, Threading, decide
from agentdesk.domain.workflow import plan_status
from agentdesk.ops import sla as sla_ops
from storage import hub as sql
from storage.ids import new_ulid
from storage.metrics import insert_survey_answer
from storage.sql import Connection
from storage.tickets import TicketNotFound, resolve_ticket_id
from storage.writes import insert_audit, ticket_state, update_ticket


class UnknownSurveyTicket(ValueError):
    """A survey answer about a ticket this hub does not have."""


@dataclass(frozen=True, slots=True)
class Accepted:
    """What a webhook's 202 answer says: where the message (or answer) went."""

    ticket_id: str
    number: int
    message_id: str | None
    threaded: bool
    answer_id: str | None = None


def take_message(conn: Connection, message: InboundMessage, now: int) -> Accepted:
    """Store a customer's message on its ticket (or a new one) in the caller's transaction.

    A Message-ID already stored is the same mail delivered again: its first result is
    returned and nothing is written.
    """
    if message.message_id is not None:
        known = sql.known_message(conn, message.message_id)
        if known is not None:
            return Accepted(known.ticket_id, known.number, known.message_id, known.threaded)
    threading = decide(message, _answered(conn, message))
    customer_id = _customer(conn, message, now)
    message_id = new_ulid(now)
    if threading.ticket_id is None:
        ticket_id, number = _new_ticket(conn, message, threading, customer_id, now)
    else:
        ticket_id, number = _follow_up(conn, threading, message_id, now)
    sql.insert_customer_message(
        conn,
        message_id=message_id,
        ticket_id=ticket_id,
        customer_id=customer_id,
        body=message.body,
        channel=message.channel,
        external_id=message.message_id,
        in_reply_to=message.replies_to[-1] if message.replies_to else None,
        at=now,
    )
    if threading.ticket_id is None:
        _audit(conn, ticket_id, "inbound", "message", None, message_id, version=1, at=now)
    sla_ops.refresh(conn, [ticket_id], now)
    return Accepted(ticket_id, number, message_id, threading.ticket_id is not None)


def take_survey(conn: Connection, answer: SurveyAnswer, now: int) -> Accepted:
    """Store a survey answer; a new answer of the same kind replaces the ticket's old one.

    The replaced answer keeps its id, so replicas update the row they have instead of
    meeting a second answer for the same ticket and kind.

    Raises:
        UnknownSurveyTicket: no such ticket.
    """
    try:
        ticket_id = resolve_ticket_id(conn, answer.ticket)
    except TicketNotFound as exc:
        raise UnknownSurveyTicket(f"no ticket {answer.ticket} on this hub") from exc
    state = ticket_state(conn, ticket_id)
    assert state is not None  # resolved in this transaction
    answer_id = sql.survey_answer_id(conn, ticket_id, answer.kind) or new_ulid(now)
    insert_survey_answer(
        conn,
        answer_id=answer_id,
        ticket_id=ticket_id,
        customer_id=sql.ticket_requester(conn, ticket_id),
        kind=answer.kind,
        score=answer.score,
        comment=answer.comment,
        answered_at=now,
    )
    event = (answer.kind, None, str(answer.score))
    _audit(conn, ticket_id, "survey", *event, version=state.version, at=now)
    return Accepted(ticket_id, state.number, None, False, answer_id)


def _answered(conn: Connection, message: InboundMessage) -> Candidate | None:
    """The ticket the message answers: by the mail it replies to, or its conversation."""
    found = None
    if message.replies_to:
        found = sql.ticket_answered(conn, message.replies_to)
    elif message.conversation is not None:
        found = sql.ticket_with_key(conn, message.conversation)
    return None if found is None else Candidate(found.id, found.number, found.status, found.subject)


def _customer(conn: Connection, message: InboundMessage, now: int) -> str:
    """The sender's customer id, creating the customer on their first message."""
    found = sql.customer_id_by_email(conn, message.sender.email)
    if found is not None:
        return found
    customer_id = new_ulid(now)
    sender = message.sender
    sql.insert_customer(conn, customer_id=customer_id, name=sender.name, email=sender.email, at=now)
    return customer_id


def _new_ticket(
    conn: Connection,
    message: InboundMessage,
    threading: Threading,
    customer_id: str,
    now: int,
) -> tuple[str, int]:
    ticket_id = new_ulid(now)
    number = sql.insert_ticket(
        conn,
        ticket_id=ticket_id,
        subject=threading.subject,
        priority=message.priority,
        channel=message.channel,
        requester_id=customer_id,
        external_id=message.conversation,
        at=now,
    )
    return ticket_id, number


def _follow_up(
    conn: Connection, threading: Threading, message_id: str, now: int
) -> tuple[str, int]:
    """Touch the ticket (version + 1, reopened if asked) and write its one audit event.

    A reopening is recorded as the status change it is, with no agent, so the
    reopen metrics count it; any other follow-up as 'inbound'.
    """
    assert threading.ticket_id is not None
    state = ticket_state(conn, threading.ticket_id)
    assert state is not None  # found in this transaction
    columns: dict[str, object] = {}
    if threading.status is not None:
        change = plan_status(state, threading.status, now)
        columns = dict(change.columns)
        event = (change.field, change.old_value, change.new_value)
        action = change.op
    else:
        event, action = ("message", None, message_id), "inbound"
    version = update_ticket(conn, state.id, base_version=state.version, columns=columns, at=now)
    _audit(conn, state.id, action, *event, version=version, at=now)
    return state.id, state.number


def _audit(
    conn: Connection,
    ticket_id: str,
    action: str,
    field: str | None,
    old_value: str | None,
    new_value: str | None,
    *,
    version: int,
    at: int,
) -> None:
    insert_audit(
        conn,
        event_id=new_ulid(at),
        ticket_id=ticket_id,
        agent_id=None,
        action=action,
        field=field,
        old_value=old_value,
        new_value=new_value,
        mutation_id=None,
        at=at,
        version=version,
    )
