"""What a customer's message writes on the hub: threading, reopening, dedupe, one audit event.

These drive :mod:`agentdesk.hub.intake` on a real hub store, without HTTP; the
webhook tests (test_inbound.py) check the same path end to end through the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.desk import Desk
from agentdesk.domain.inbound import InboundMessage, SurveyAnswer, parse
from agentdesk.hub.intake import Accepted, UnknownSurveyTicket, take_message, take_survey
from agentdesk.hub.store import open_hub
from storage.agents import AgentRow, agent_by_email
from storage.database import Database
from storage.hub import set_channel
from tests.factories import T0, make_sla_workspace
from tests.store_dump import dump

NOW = T0 + 60_000


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "hub.db"
    make_sla_workspace(path, tickets=8)
    db = open_hub(path)
    yield db
    db.close()


def email(**fields: object) -> InboundMessage:
    data = {
        "from": "New Person <New.Person@Example.org>",
        "to": "support@desk.example",
        "subject": "Cannot log in",
        "text": "Hello [b]team[/b]\x1b[2J",
        "message_id": "<first@example.org>",
    } | fields
    message = parse("email", data)
    assert isinstance(message, InboundMessage)
    return message


def take(db: Database, message: InboundMessage) -> Accepted:
    with db.transaction() as conn:
        return take_message(conn, message, NOW)


def row(db: Database, sql: str, *params: object) -> tuple[object, ...]:
    with db.read() as conn:
        found = conn.execute(sql, params).fetchone()
    assert found is not None
    return tuple(found)


def agent_named(db: Database, email_address: str) -> AgentRow:
    with db.read() as conn:
        agent = agent_by_email(conn, email_address)
    assert agent is not None
    return agent


def audit(db: Database, ticket_id: str) -> list[tuple[object, ...]]:
    with db.read() as conn:
        return conn.execute(
            "SELECT action, field, old_value, new_value, agent_id, version FROM audit_event"
            " WHERE ticket_id = ? ORDER BY rowid",
            (ticket_id,),
        ).fetchall()


def test_a_new_email_makes_customer_ticket_message_one_audit_event_and_sla(hub: Database) -> None:
    result = take(hub, email())
    assert not result.threaded
    ticket = row(
        hub,
        "SELECT t.subject, t.status, t.channel, t.priority, c.name, c.email, t.sla_policy_id,"
        " t.sla_due_at FROM ticket AS t JOIN customer AS c ON c.id = t.requester_id"
        " WHERE t.id = ? AND t.number = ?",
        result.ticket_id,
        result.number,
    )
    assert ticket[:6] == (
        "Cannot log in",
        "new",
        "email",
        "normal",
        "New Person",
        "New.Person@Example.org",
    )
    assert ticket[6] is not None and ticket[7] is not None  # SLA refreshed in the transaction
    message = row(
        hub, "SELECT kind, body, channel, external_id FROM message WHERE id = ?", result.message_id
    )
    assert message == ("customer", "Hello [b]team[/b]\x1b[2J", "email", "<first@example.org>")
    assert audit(hub, result.ticket_id) == [
        ("inbound", "message", None, result.message_id, None, 1)
    ]


def test_a_known_customer_is_found_by_email_case_insensitively(hub: Database) -> None:
    result = take(hub, email(**{"from": "ZOE@ACME.example"}))
    assert row(hub, "SELECT requester_id FROM ticket WHERE id = ?", result.ticket_id) == ("CU-1",)


def test_the_same_mail_delivered_twice_is_stored_once(hub: Database) -> None:
    first = take(hub, email())
    before = dump(hub)
    assert take(hub, email(text="different text, same Message-ID")) == first
    assert dump(hub) == before


def test_a_reply_threads_by_in_reply_to_and_reopens_a_solved_ticket(hub: Database) -> None:
    first = take(hub, email())
    with hub.transaction() as conn:
        conn.execute(
            "UPDATE ticket SET status = 'solved', solved_at = ?, version = 3 WHERE id = ?",
            (NOW, first.ticket_id),
        )
    reply = take(hub, email(message_id="<second@example.org>", in_reply_to="<first@example.org>"))
    assert (reply.ticket_id, reply.threaded) == (first.ticket_id, True)
    assert row(
        hub, "SELECT status, solved_at, version FROM ticket WHERE id = ?", first.ticket_id
    ) == (
        "open",
        None,
        4,
    )
    assert audit(hub, first.ticket_id)[-1] == ("set_status", "status", "solved", "open", None, 4)
    assert row(hub, "SELECT in_reply_to FROM message WHERE id = ?", reply.message_id) == (
        "<first@example.org>",
    )


def test_a_reply_to_an_open_ticket_touches_it_with_an_inbound_event(hub: Database) -> None:
    first = take(hub, email())
    reply = take(hub, email(message_id="<second@example.org>", in_reply_to="<first@example.org>"))
    assert row(hub, "SELECT status, version FROM ticket WHERE id = ?", first.ticket_id) == (
        "new",
        2,
    )
    assert audit(hub, first.ticket_id)[-1] == (
        "inbound",
        "message",
        None,
        reply.message_id,
        None,
        2,
    )


def test_a_reply_to_a_closed_ticket_starts_a_new_one(hub: Database) -> None:
    first = take(hub, email())
    with hub.transaction() as conn:
        conn.execute("UPDATE ticket SET status = 'closed' WHERE id = ?", (first.ticket_id,))
    reply = take(
        hub,
        email(
            message_id="<2@example.org>",
            in_reply_to="<first@example.org>",
            subject="Re: Cannot log in",
        ),
    )
    assert reply.ticket_id != first.ticket_id and not reply.threaded
    assert row(hub, "SELECT subject, status FROM ticket WHERE id = ?", reply.ticket_id) == (
        f"Re: #{first.number} Cannot log in",
        "new",
    )
    assert row(hub, "SELECT status FROM ticket WHERE id = ?", first.ticket_id) == ("closed",)


def test_a_reply_to_our_answer_threads_back(hub: Database) -> None:
    """Our reply's outgoing Message-ID is set when it is queued; the customer answers it."""
    first = take(hub, email())
    with hub.transaction() as conn:
        set_channel(conn, "email", secret="s", outbound_url="http://127.0.0.1:9/out")
    agent = agent_named(hub, "ana@support.example.com")
    answer = Desk(hub, agent, clock=lambda: NOW).reply(f"#{first.number}", "Try resetting it")
    assert answer.ticket_id == first.ticket_id
    (outgoing,) = row(
        hub,
        "SELECT external_id FROM message WHERE ticket_id = ? AND kind = 'public'",
        first.ticket_id,
    )
    assert outgoing is not None and str(outgoing).endswith("@agentdesk>")
    back = take(hub, email(message_id="<3@example.org>", in_reply_to=f"<x@y> {outgoing}"))
    assert (back.ticket_id, back.threaded) == (first.ticket_id, True)


def test_chat_threads_by_conversation(hub: Database) -> None:
    def chat(text: str) -> InboundMessage:
        data = {
            "conversation_id": "c-7",
            "from": {"name": "Kim", "email": "kim@x.example"},
            "text": text,
        }
        message = parse("chat", data)
        assert isinstance(message, InboundMessage)
        return message

    first = take(hub, chat("Is the API down?"))
    second = take(hub, chat("Still down"))
    assert (second.ticket_id, second.threaded) == (first.ticket_id, True)
    assert row(
        hub, "SELECT external_id, channel, subject FROM ticket WHERE id = ?", first.ticket_id
    ) == (
        "chat:c-7",
        "chat",
        "Is the API down?",
    )


def test_a_survey_answer_replaces_the_previous_one_and_keeps_its_id(hub: Database) -> None:
    with hub.transaction() as conn:
        first = take_survey(conn, SurveyAnswer("#1001", "csat", 2, ""), NOW)
        again = take_survey(conn, SurveyAnswer("1001", "csat", 5, "great"), NOW + 1)
        take_survey(conn, SurveyAnswer("#1001", "nps", 9, ""), NOW + 2)
    assert first.answer_id == again.answer_id and first.number == 1001
    with hub.read() as conn:
        answers = conn.execute(
            "SELECT kind, score, comment, customer_id FROM survey_answer ORDER BY kind"
        ).fetchall()
    assert answers == [("csat", 5, "great", "CU-2"), ("nps", 9, "", "CU-2")]


def test_a_survey_about_an_unknown_ticket_is_refused(hub: Database) -> None:
    with hub.transaction() as conn, pytest.raises(UnknownSurveyTicket, match="no ticket #99"):
        take_survey(conn, SurveyAnswer("#99", "csat", 2, ""), NOW)
