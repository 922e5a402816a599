"""What customers send in, judged before anything is stored: payload shapes and threading.

Each channel's webhook body (already decoded JSON) becomes an :class:`InboundMessage`
or a :class:`SurveyAnswer`, or an :class:`InvalidPayload` naming the field at fault,
which the hub answers with 422 and stores nothing. Customer text is kept verbatim (it
is rendered as plain text, never interpreted); only its size is bounded: a body must
fit the Desk's message limit, and an overlong subject or name is cut, since refusing
a customer's mail over its subject line would lose the message.

:func:`decide` is the threading rule: where a message goes given the ticket it
answers, if any. The hub finds that ticket (storage) and writes the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Final

from agentdesk.domain.workflow import MAX_BODY_BYTES, PRIORITIES

#: Longest stored subject and customer name (characters); longer ones are cut with '…'.
MAX_SUBJECT: Final = 250
MAX_NAME: Final = 120
#: Longest email address (RFC 5321), Message-ID header and chat conversation id.
MAX_EMAIL: Final = 254
MAX_MESSAGE_ID: Final = 998
MAX_CONVERSATION: Final = 200
#: A chat ticket's subject is the start of its first message, on one line.
CHAT_SUBJECT_CHARS: Final = 80
#: The webhook kinds and the ticket channel each one's tickets get.
TICKET_CHANNELS: Final[Mapping[str, str]] = {"email": "email", "chat": "chat", "form": "web"}
SURVEY_SCORES: Final[Mapping[str, range]] = {"csat": range(1, 6), "nps": range(11)}
#: Statuses a customer's follow-up moves back to open: the ball is in the team's court.
REOPENED_BY_CUSTOMER: Final = frozenset({"pending", "on-hold", "solved"})

#: Past this a header field is refused rather than cut: no mail client writes one so long.
_LONGEST_HEADER: Final = 64 * 1024
_MESSAGE_IDS: Final = re.compile(r"<[^<>\s]+>")
_ADDRESS: Final = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
_REPLY_PREFIX: Final = re.compile(r"^\s*((re|fwd?|aw|sv)\s*:\s*)+", re.IGNORECASE)


class InvalidPayload(ValueError):
    """The body is JSON but not the shape this webhook takes; the message names the field."""


@dataclass(frozen=True, slots=True)
class Sender:
    """The customer who wrote: found by email (case-insensitive) or created."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A customer's message from any channel, ready to thread and store.

    ``message_id`` is the email's Message-ID (dedupes a repeated delivery and lets
    replies to it thread back); ``replies_to`` the Message-IDs it answers;
    ``conversation`` the ticket key of a chat (``chat:<id>``).
    """

    channel: str
    sender: Sender
    subject: str
    body: str
    priority: str = "normal"
    message_id: str | None = None
    replies_to: tuple[str, ...] = ()
    conversation: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """A CSAT (1-5) or NPS (0-10) answer about a ticket (``#1042`` or its id)."""

    ticket: str
    kind: str
    score: int
    comment: str


# --------------------------------------------------------------------------- payloads


def parse(kind: str, data: object) -> InboundMessage | SurveyAnswer:
    """The payload of webhook ``kind`` (email, chat, form or survey), validated.

    Raises:
        InvalidPayload: naming the field at fault.
        KeyError: ``kind`` is not a webhook (the route decides, so this is a bug).
    """
    return _PARSERS[kind](_object(data, "the body"))


def parse_email(data: Mapping[str, object]) -> InboundMessage:
    """A provider's inbound-parse mail: from, to, subject, text, message_id, in_reply_to."""
    name, address = parseaddr(_text(data, "from"))
    _text(data, "to", required=False)  # checked, not kept: we are the "to"
    message_id = normal_message_id(_text(data, "message_id", limit=MAX_MESSAGE_ID))
    if not message_id:
        raise InvalidPayload("'message_id' must be a Message-ID such as <abc@mail.example>")
    body = _body(data)
    subject = _text(data, "subject", required=False) or _first_line(body)
    return InboundMessage(
        channel="email",
        sender=_sender(name, address, "from"),
        subject=_cut(subject, MAX_SUBJECT),
        body=body,
        message_id=message_id,
        replies_to=message_ids(_text(data, "in_reply_to", required=False)),
    )


def parse_chat(data: Mapping[str, object]) -> InboundMessage:
    """A chat message: conversation_id, from {name, email}, text."""
    conversation = _text(data, "conversation_id", limit=MAX_CONVERSATION).strip()
    if not conversation:
        raise InvalidPayload("'conversation_id' must not be empty")
    author = _object(data.get("from"), "'from'")
    body = _body(data)
    return InboundMessage(
        channel="chat",
        sender=_sender(
            _text(author, "name", required=False),
            _text(author, "email", limit=MAX_EMAIL),
            "from.email",
        ),
        subject=_first_line(body),
        body=body,
        conversation=f"chat:{conversation}",
    )


def parse_form(data: Mapping[str, object]) -> InboundMessage:
    """A web-form submission: name, email, subject, text, priority (optional)."""
    priority = _text(data, "priority", required=False) or "normal"
    if priority not in PRIORITIES:
        raise InvalidPayload(f"'priority' must be one of: {', '.join(PRIORITIES)}")
    body = _body(data)
    return InboundMessage(
        channel="web",
        sender=_sender(
            _text(data, "name", required=False),
            _text(data, "email", limit=MAX_EMAIL),
            "email",
        ),
        subject=_cut(
            _text(data, "subject", required=False) or _first_line(body),
            MAX_SUBJECT,
        ),
        body=body,
        priority=priority,
    )


def parse_survey(data: Mapping[str, object]) -> SurveyAnswer:
    """A survey answer: ticket, kind (csat|nps), score, comment (optional)."""
    ticket = _text(data, "ticket", limit=64).strip()
    kind = _text(data, "kind", limit=8)
    scores = SURVEY_SCORES.get(kind)
    if scores is None:
        raise InvalidPayload(f"'kind' must be one of: {', '.join(SURVEY_SCORES)}")
    score = data.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or score not in scores:
        raise InvalidPayload(f"'score' must be a whole number from {scores[0]} to {scores[-1]}")
    comment = _text(data, "comment", required=False, limit=MAX_BODY_BYTES)
    if not ticket:
        raise InvalidPayload("'ticket' must name a ticket, such as #1042")
    return SurveyAnswer(ticket, kind, score, comment)


_PARSERS: Final[Mapping[str, Callable[[Mapping[str, object]], InboundMessage | SurveyAnswer]]] = {
    "email": parse_email,
    "chat": parse_chat,
    "form": parse_form,
    "survey": parse_survey,
}
WEBHOOKS: Final = tuple(_PARSERS)


# --------------------------------------------------------------------------- message ids


def normal_message_id(text: str) -> str | None:
    """A Message-ID as stored and matched: ``<local@domain>``, brackets added if missing."""
    text = text.strip()
    if not text:
        return None
    found = message_ids(text)
    if found:
        return found[0]
    return None if any(c.isspace() or c in "<>" for c in text) else f"<{text}>"


def message_ids(text: str | None) -> tuple[str, ...]:
    """Every ``<...>`` Message-ID in an In-Reply-To (or References) header, in order."""
    return tuple(dict.fromkeys(_MESSAGE_IDS.findall(text or "")))


# --------------------------------------------------------------------------- threading


@dataclass(frozen=True, slots=True)
class Candidate:
    """The ticket a message answers (found by Message-ID or conversation)."""

    id: str
    number: int
    status: str
    subject: str


@dataclass(frozen=True, slots=True)
class Threading:
    """Where a customer's message goes.

    ``ticket_id`` set: append to that ticket, moving it to ``status`` if that is not
    ``None``. ``ticket_id`` None: a new ticket with ``subject``; ``follows`` is the
    closed ticket it follows up, if any.
    """

    ticket_id: str | None
    status: str | None = None
    subject: str = ""
    follows: int | None = None


def decide(message: InboundMessage, found: Candidate | None) -> Threading:
    """Thread a message onto the ticket it answers, reopening it; closed ones stay closed.

    A closed ticket can never change, so a follow-up to it starts a new ticket whose
    subject names the old one ("Re: #1042 ...") for the agent to look up.
    """
    if found is None:
        return Threading(None, subject=message.subject)
    if found.status == "closed":
        topic = _REPLY_PREFIX.sub("", message.subject).strip() or found.subject
        subject = _cut(f"Re: #{found.number} {topic}", MAX_SUBJECT)
        return Threading(None, subject=subject, follows=found.number)
    status = "open" if found.status in REOPENED_BY_CUSTOMER else None
    return Threading(found.id, status=status)


# --------------------------------------------------------------------------- field readers


def _object(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InvalidPayload(f"{what} must be a JSON object")
    return value


def _text(
    data: Mapping[str, object], key: str, *, required: bool = True, limit: int = _LONGEST_HEADER
) -> str:
    """A text field ('' when optional and missing or null), refused past ``limit`` chars."""
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidPayload(f"'{key}' must be text" + ("" if required else " or null"))
    if len(value) > limit:
        raise InvalidPayload(f"'{key}' is {len(value):,} characters; the limit is {limit:,}")
    return value


def _body(data: Mapping[str, object]) -> str:
    """The customer's text, verbatim; blank or over the Desk's message limit is refused."""
    body = _text(data, "text", limit=MAX_BODY_BYTES)
    if not body.strip():
        raise InvalidPayload("'text' is empty")
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise InvalidPayload(f"'text' is {size:,} bytes; the limit is {MAX_BODY_BYTES:,}")
    return body


def _sender(name: str, address: str, field: str) -> Sender:
    address = address.strip()
    if len(address) > MAX_EMAIL or not _ADDRESS.fullmatch(address):
        raise InvalidPayload(f"'{field}' must hold an email address such as ana@example.com")
    name = " ".join(name.split()) or address.split("@", 1)[0]
    return Sender(_cut(name, MAX_NAME), address)


def _first_line(body: str) -> str:
    """A subject made from the text: its start, on one line."""
    return _cut(" ".join(body.split()), CHAT_SUBJECT_CHARS)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
