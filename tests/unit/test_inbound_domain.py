"""Webhook payloads, signatures and the threading rule, without a hub."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from agentdesk.domain import inbound, signing
from agentdesk.domain.inbound import Candidate, InvalidPayload, decide, parse
from agentdesk.domain.workflow import MAX_BODY_BYTES

SECRET = "s3cret"
NOW = 1_780_000_000
BODY = b'{"a": 1}'


def test_a_signed_body_verifies_within_the_window() -> None:
    headers = signing.signed_headers(SECRET, NOW, BODY)
    for now in (NOW - 300, NOW, NOW + 300):
        signing.verify(
            SECRET,
            headers[signing.TIMESTAMP_HEADER],
            headers[signing.SIGNATURE_HEADER],
            BODY,
            now=now,
        )


@pytest.mark.parametrize(
    ("timestamp", "signed", "body", "now", "message"),
    [
        (None, "sha256=00", BODY, NOW, "X-Agentdesk-Timestamp header is missing"),
        (str(NOW), None, BODY, NOW, "X-Agentdesk-Signature header is missing"),
        ("yesterday", "sha256=00", BODY, NOW, "must be Unix seconds"),
        (str(NOW), signing.sign("other", NOW, BODY), BODY, NOW, "does not match"),
        (str(NOW), signing.sign(SECRET, NOW, BODY), b'{"a": 2}', NOW, "does not match"),
        (str(NOW), signing.sign(SECRET, NOW + 1, BODY), BODY, NOW, "does not match"),
        (str(NOW), signing.sign(SECRET, NOW, BODY), BODY, NOW + 301, "more than 300 s"),
        (str(NOW), signing.sign(SECRET, NOW, BODY), BODY, NOW - 301, "more than 300 s"),
        (str(NOW), "sha256=é", BODY, NOW, "does not match"),
    ],
)
def test_a_bad_signature_is_refused_with_a_reason(
    timestamp: str | None, signed: str | None, body: bytes, now: int, message: str
) -> None:
    with pytest.raises(signing.SignatureError, match=message):
        signing.verify(SECRET, timestamp, signed, body, now=now)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signing.sign(SECRET, NOW, BODY) == f"sha256={expected}"


# --------------------------------------------------------------------------- payloads


def email(**fields: object) -> dict[str, object]:
    return {
        "from": "Zoë Ålander <zoe@acme.example>",
        "to": "support@desk.example",
        "subject": "Printer on fire",
        "text": "It is \x1b[31mburning\x1b[0m [bold]now[/bold]",
        "message_id": "<m1@acme.example>",
        "in_reply_to": None,
    } | fields


def test_an_email_keeps_the_customer_text_verbatim() -> None:
    message = parse("email", email())
    assert isinstance(message, inbound.InboundMessage)
    assert message.sender == inbound.Sender("Zoë Ålander", "zoe@acme.example")
    assert message.body == "It is \x1b[31mburning\x1b[0m [bold]now[/bold]"
    assert (message.channel, message.message_id, message.replies_to) == (
        "email",
        "<m1@acme.example>",
        (),
    )


def test_message_ids_are_normalised_and_every_reply_target_kept() -> None:
    message = parse("email", email(message_id=" m1@acme.example ", in_reply_to="<a@x> <b@y>"))
    assert isinstance(message, inbound.InboundMessage)
    assert message.message_id == "<m1@acme.example>"
    assert message.replies_to == ("<a@x>", "<b@y>")


def test_a_bare_address_gets_its_local_part_as_name_and_a_long_subject_is_cut() -> None:
    message = parse("email", email(**{"from": "zoe@acme.example", "subject": "x" * 4000}))
    assert isinstance(message, inbound.InboundMessage)
    assert message.sender.name == "zoe"
    assert len(message.subject) == inbound.MAX_SUBJECT
    assert message.subject.endswith("…")


def test_chat_and_form_shapes() -> None:
    chat = parse("chat", {"conversation_id": "c-9", "from": {"email": "a@b.example"}, "text": "Hi"})
    form = parse(
        "form",
        {"name": "Jo", "email": "jo@x.example", "subject": "", "text": "Help", "priority": "high"},
    )
    assert isinstance(chat, inbound.InboundMessage)
    assert isinstance(form, inbound.InboundMessage)
    assert (chat.channel, chat.conversation, chat.subject) == ("chat", "chat:c-9", "Hi")
    assert (form.channel, form.priority, form.subject, form.sender.name) == (
        "web",
        "high",
        "Help",
        "Jo",
    )


def test_survey_answers_are_checked_by_kind() -> None:
    answer = parse("survey", {"ticket": "#1042", "kind": "nps", "score": 0})
    assert answer == inbound.SurveyAnswer("#1042", "nps", 0, "")
    with pytest.raises(InvalidPayload, match="from 1 to 5"):
        parse("survey", {"ticket": "#1042", "kind": "csat", "score": 0})
    with pytest.raises(InvalidPayload, match="from 0 to 10"):
        parse("survey", {"ticket": "#1042", "kind": "nps", "score": True})


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("email", [], "the body must be a JSON object"),
        ("email", email(**{"from": "nobody"}), "'from' must hold an email address"),
        ("email", email(text="  \n "), "'text' is empty"),
        ("email", email(text=7), "'text' must be text"),
        ("email", email(message_id=""), "'message_id' must be a Message-ID"),
        ("email", email(text="é" * (MAX_BODY_BYTES // 2 + 1)), "the limit is 65,536"),
        ("chat", {"conversation_id": "", "from": {}, "text": "x"}, "'conversation_id'"),
        ("chat", {"conversation_id": "c", "from": "me", "text": "x"}, "'from' must be a JSON"),
        ("form", {"email": "a@b.example", "text": "x", "priority": "asap"}, "'priority'"),
        ("survey", {"ticket": "#1", "kind": "ces", "score": 3}, "'kind' must be one of"),
    ],
)
def test_wrong_shapes_name_the_field(kind: str, data: object, message: str) -> None:
    with pytest.raises(InvalidPayload, match=message):
        parse(kind, data)


# --------------------------------------------------------------------------- threading


def follow_up(subject: str = "Re: Printer on fire") -> inbound.InboundMessage:
    message = parse("email", email(subject=subject, in_reply_to="<out@agentdesk>"))
    assert isinstance(message, inbound.InboundMessage)
    return message


@pytest.mark.parametrize(
    ("status", "moved_to"),
    [("new", None), ("open", None), ("pending", "open"), ("on-hold", "open"), ("solved", "open")],
)
def test_a_follow_up_threads_and_reopens(status: str, moved_to: str | None) -> None:
    found = Candidate("T1", 1042, status, "Printer on fire")
    assert decide(follow_up(), found) == inbound.Threading("T1", status=moved_to)


def test_a_follow_up_to_a_closed_ticket_starts_a_new_one_naming_it() -> None:
    found = Candidate("T1", 1042, "closed", "Printer on fire")
    decision = decide(follow_up("RE: Fwd: Printer on fire"), found)
    assert decision == inbound.Threading(None, subject="Re: #1042 Printer on fire", follows=1042)


def test_a_message_answering_nothing_starts_a_ticket() -> None:
    assert decide(follow_up(), None) == inbound.Threading(None, subject="Re: Printer on fire")
