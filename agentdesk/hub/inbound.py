"""``POST /v1/inbound/{email,chat,form,survey}``: customers' messages, signed by their channel.

No bearer token: a provider (mail service, chat widget, web form, survey tool)
signs each body with its channel's secret (:mod:`agentdesk.domain.signing`). The
checks run in the order that costs an attacker most and the hub least, and each
refusal stores nothing:

1. the channel is configured on this hub (``channel`` row with a secret), else 404;
2. the body fits the channel's ``max_body_bytes`` (on Content-Length and while
   reading), else 413;
3. the signature matches and the timestamp is within ±300 s, else 401;
4. the body is UTF-8 JSON, else 400; of the webhook's shape, else 422.

An accepted message is threaded and written in one transaction
(:mod:`agentdesk.hub.intake`) and answered 202 with where it went.
"""

from __future__ import annotations

import time
from typing import Final

from fastapi import APIRouter, Request
from pydantic import BaseModel

from agentdesk.domain import timefmt
from agentdesk.domain.inbound import InboundMessage, InvalidPayload, SurveyAnswer, parse
from agentdesk.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify
from agentdesk.hub.body import decode_json, read_body
from agentdesk.hub.context import Hub
from agentdesk.hub.errors import HubError, not_found
from agentdesk.hub.intake import Accepted, UnknownSurveyTicket, take_message, take_survey
from storage import hub as sql
from storage.sql import Store

#: Webhook -> the ``channel`` row whose secret signs it (a web form is the web channel).
CHANNEL_OF: Final = {"email": "email", "chat": "chat", "form": "web", "survey": "survey"}

router = APIRouter(prefix="/v1/inbound", tags=["channels"])


class InboundAnswer(BaseModel):
    """Where the message went: its ticket, its id there, and whether it joined a thread."""

    ticket_id: str
    number: int
    message_id: str | None
    threaded: bool
    answer_id: str | None = None


_REFUSALS: Final[dict[int | str, dict[str, object]]] = {
    status: {"description": text}
    for status, text in (
        (400, "Not UTF-8 JSON"),
        (401, "Missing or wrong signature, or a timestamp outside ±300 s"),
        (404, "The channel is not configured on this hub"),
        (413, "The body is over the channel's max_body_bytes"),
        (422, "JSON of the wrong shape (the detail names the field)"),
    )
}


async def receive(kind: str, request: Request, hub: Hub) -> InboundAnswer:
    """Check, parse and store one webhook call of ``kind``."""
    channel = await hub.read(lambda db: _channel(db, CHANNEL_OF[kind]))
    if channel is None or not channel.secret:
        raise not_found(f"the {CHANNEL_OF[kind]} channel is not configured on this hub")
    body = await read_body(request, channel.max_body_bytes)
    try:
        verify(
            channel.secret,
            request.headers.get(TIMESTAMP_HEADER),
            request.headers.get(SIGNATURE_HEADER),
            body,
            now=time.time(),
        )
    except SignatureError as exc:
        raise HubError(401, str(exc)) from exc  # no WWW-Authenticate: not a bearer scheme
    try:
        payload = parse(kind, decode_json(body))
    except InvalidPayload as exc:
        raise HubError(422, str(exc)) from exc
    return _answer(await hub.write(lambda db: _store(db, payload)))


def _channel(db: Store, name: str) -> sql.ChannelRow | None:
    with db.read() as conn:
        return sql.channel_row(conn, name)


def _store(db: Store, payload: InboundMessage | SurveyAnswer) -> Accepted:
    now = timefmt.now_ms()
    with db.transaction() as conn:
        if isinstance(payload, InboundMessage):
            return take_message(conn, payload, now)
        try:
            return take_survey(conn, payload, now)
        except UnknownSurveyTicket as exc:
            raise HubError(422, str(exc)) from exc


def _answer(accepted: Accepted) -> InboundAnswer:
    return InboundAnswer(
        ticket_id=accepted.ticket_id,
        number=accepted.number,
        message_id=accepted.message_id,
        threaded=accepted.threaded,
        answer_id=accepted.answer_id,
    )


def _route(kind: str) -> None:
    async def endpoint(request: Request, hub: Hub) -> InboundAnswer:
        return await receive(kind, request, hub)

    endpoint.__name__ = f"inbound_{kind}"
    router.add_api_route(
        f"/{kind}",
        endpoint,
        methods=["POST"],
        status_code=202,
        response_model=InboundAnswer,
        responses=_REFUSALS,
        summary=f"A signed {kind} webhook",
        description=(
            f"Body: the {kind} payload (README, Channels), signed with the "
            f"`{CHANNEL_OF[kind]}` channel's secret in {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}."
        ),
    )


for _kind in CHANNEL_OF:
    _route(_kind)
