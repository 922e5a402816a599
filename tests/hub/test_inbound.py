"""Signed webhooks on the real hub: every refusal stores nothing; accepted mail threads.

The hub is served by uvicorn on 127.0.0.1; requests are real HTTP. A refusal is
checked against a byte-for-byte dump of the store taken before it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentdesk.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from agentdesk.hub.delivery import run_delivery_worker
from storage.database import Database
from storage.hub import set_channel
from storage.stores import open_store
from tests.hub.conftest import HubServer, ThreadedHub, seed_hub
from tests.hub.receiver import receiver
from tests.store_dump import dump_store

SECRETS = {"email": "mail-secret", "chat": "chat-secret", "web": "form-secret"}
LIMIT = 4096


@contextmanager
def store(hub: HubServer) -> Iterator[Database]:
    """The test's own connection to the hub's store."""
    db = open_store(hub.store)
    try:
        yield db
    finally:
        db.close()


def configure(
    hub: HubServer,
    name: str,
    *,
    secret: str | None = None,
    outbound_url: str | None = None,
    max_body_bytes: int | None = None,
) -> None:
    with store(hub) as db, db.transaction() as conn:
        set_channel(
            conn, name, secret=secret, outbound_url=outbound_url, max_body_bytes=max_body_bytes
        )


@pytest.fixture
def channels(hub_server: HubServer) -> HubServer:
    """Email, chat and web configured (with a small body limit); survey is not."""
    for name, secret in SECRETS.items():
        configure(hub_server, name, secret=secret, max_body_bytes=LIMIT)
    return hub_server


def post(
    hub: HubServer,
    kind: str,
    data: object = None,
    *,
    body: bytes | None = None,
    secret: str | None = None,
    at: float | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a webhook, signed with the channel's secret unless told otherwise."""
    raw = body if body is not None else json.dumps(data).encode()
    timestamp = str(int(time.time() if at is None else at))
    channel = {"form": "web"}.get(kind, kind)
    signed = {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret or SECRETS.get(channel, "x"), timestamp, raw),
    }
    return httpx.post(f"{hub.url}/v1/inbound/{kind}", content=raw, headers=signed | (headers or {}))


def mail(**fields: object) -> dict[str, object]:
    return {
        "from": "Rae Fox <rae@fox.example>",
        "to": "help@desk.example",
        "subject": "Invoice wrong",
        "text": "The total is off by [red]10[/red]",
        "message_id": "<inv-1@fox.example>",
        "in_reply_to": None,
    } | fields


# --------------------------------------------------------------------------- refusals


def refusals() -> Iterator[object]:
    good = json.dumps(mail()).encode()
    yield pytest.param({"headers": {SIGNATURE_HEADER: ""}}, 401, id="missing-signature")
    yield pytest.param({"headers": {TIMESTAMP_HEADER: ""}}, 401, id="missing-timestamp")
    yield pytest.param({"secret": "wrong"}, 401, id="bad-signature")
    yield pytest.param({"at": time.time() - 301}, 401, id="stale-timestamp")
    yield pytest.param({"at": time.time() + 400}, 401, id="future-timestamp")
    yield pytest.param({"body": b'{"from": '}, 400, id="bad-json")
    yield pytest.param({"body": b'{"text": "\xff\xfe"}'}, 400, id="invalid-utf8")
    yield pytest.param({"body": b'{"text": "\\ud800"}'}, 400, id="lone-surrogate")
    yield pytest.param({"data": mail(text="a\x00b")}, 400, id="nul-character")
    yield pytest.param({"body": good + b" " * LIMIT}, 413, id="oversized")
    yield pytest.param({"data": {"from": "rae@fox.example"}}, 422, id="wrong-shape")
    yield pytest.param({"data": mail(text="")}, 422, id="empty-text")


@pytest.mark.parametrize(("how", "status"), refusals())
def test_a_refused_webhook_stores_nothing(
    channels: HubServer, how: dict[str, Any], status: int
) -> None:
    before = dump_store(channels.store)
    options = {key: value for key, value in how.items() if key != "data"}
    answer = post(channels, "email", how.get("data", mail()), **options)
    assert answer.status_code == status, answer.text
    assert set(answer.json()) == {"error", "detail"}
    assert dump_store(channels.store) == before


def test_an_oversized_chunked_body_is_refused_while_reading(channels: HubServer) -> None:
    """No Content-Length to trust: the limit is enforced on the bytes as they arrive."""
    before = dump_store(channels.store)

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 1024

    answer = httpx.post(f"{channels.url}/v1/inbound/chat", content=chunks())
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"
    assert dump_store(channels.store) == before


def test_an_unconfigured_channel_is_404(channels: HubServer) -> None:
    before = dump_store(channels.store)
    answer = post(channels, "survey", {"ticket": "#1000", "kind": "csat", "score": 5})
    assert (answer.status_code, answer.json()["error"]) == (404, "not_found")
    assert dump_store(channels.store) == before


# --------------------------------------------------------------------------- accepted


def rows(hub: HubServer, sql: str, *params: object) -> list[tuple[object, ...]]:
    with store(hub) as db, db.read() as conn:
        return conn.execute(sql, params).fetchall()


def test_mail_threads_by_in_reply_to_and_a_repeat_is_stored_once(channels: HubServer) -> None:
    first = post(channels, "email", mail())
    assert first.status_code == 202, first.text
    opened = first.json()
    assert opened["threaded"] is False
    again = post(channels, "email", mail())
    assert again.json() == opened
    follow = mail(message_id="<inv-2@fox.example>", in_reply_to="<inv-1@fox.example>")
    reply = post(channels, "email", follow)
    assert reply.status_code == 202
    assert reply.json() | {"message_id": None} == opened | {"message_id": None, "threaded": True}
    bodies = rows(
        channels, "SELECT body FROM message WHERE ticket_id = ? ORDER BY seq", opened["ticket_id"]
    )
    assert bodies == [("The total is off by [red]10[/red]",)] * 2


def test_chat_and_form_make_tickets_on_their_channels(channels: HubServer) -> None:
    chat = {"conversation_id": "w-1", "from": {"name": "Li", "email": "li@x.example"}, "text": "Hi"}
    first = post(channels, "chat", chat).json()
    second = post(channels, "chat", chat | {"text": "Anyone?"}).json()
    assert (second["ticket_id"], second["threaded"]) == (first["ticket_id"], True)
    form = {"name": "Li", "email": "LI@x.example", "subject": "Refund", "text": "Please"}
    answer = post(channels, "form", form | {"priority": "high"})
    assert answer.status_code == 202
    found = rows(
        channels,
        "SELECT channel, priority, requester_id FROM ticket WHERE id IN (?, ?) ORDER BY number",
        first["ticket_id"],
        answer.json()["ticket_id"],
    )
    assert [row[:2] for row in found] == [("chat", "normal"), ("web", "high")]
    assert found[0][2] == found[1][2]  # the same customer, found by email


def test_survey_answers_replace_each_other(channels: HubServer) -> None:
    configure(channels, "survey", secret="survey-secret")
    for score in (2, 4):
        answer = {"ticket": "#1000", "kind": "csat", "score": score}
        assert post(channels, "survey", answer, secret="survey-secret").status_code == 202
    unknown = {"ticket": "#9", "kind": "nps", "score": 3}
    assert post(channels, "survey", unknown, secret="survey-secret").status_code == 422
    assert rows(channels, "SELECT kind, score FROM survey_answer") == [("csat", 4)]


@pytest.fixture
def delivering(tmp_path: Path) -> Iterator[HubServer]:
    """A hub whose lifespan runs the delivery worker, with its channels configured."""
    path = seed_hub(tmp_path / "hub.db")
    running = ThreadedHub.start(path, tasks=(run_delivery_worker,))
    hub = HubServer(running.url, path)
    try:
        for name, secret in SECRETS.items():
            configure(hub, name, secret=secret)
        yield hub
    finally:
        running.stop()


def mutation(seq: int, op: str, ticket_id: str, body: str) -> dict[str, object]:
    return {"seq": seq, "op": op, "ticket_id": ticket_id, "args": {"body": body}, "at": 1}


def test_a_reply_goes_out_and_the_customers_answer_threads_back(delivering: HubServer) -> None:
    """The whole loop: mail in, agent reply pushed, delivered by the worker, answered."""
    opened = post(delivering, "email", mail()).json()
    ticket = opened["ticket_id"]
    with receiver() as endpoint:
        configure(delivering, "email", outbound_url=endpoint.url)
        push = {
            "client_id": "WS-1",
            "mutations": [
                mutation(1, "note", ticket, "vip"),
                mutation(2, "reply", ticket, "Fixed!"),
            ],
        }
        with delivering.client("1") as client:
            pushed = client.post("/v1/mutations", json=push).json()
        assert [r["status"] for r in pushed["results"]] == ["applied", "applied"]
        deadline = time.monotonic() + 5
        while not endpoint.received and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # a second (wrong) delivery, the note, would arrive by now
        (delivered,) = endpoint.received
    sent = delivered.json()["message"]
    assert isinstance(sent, dict)
    assert (sent["body"], sent["in_reply_to"]) == ("Fixed!", "<inv-1@fox.example>")
    back = post(
        delivering, "email", mail(message_id="<3@fox.example>", in_reply_to=sent["message_id"])
    )
    assert (back.json()["ticket_id"], back.json()["threaded"]) == (ticket, True)
    with delivering.client("lead") as lead, delivering.client("1") as agent:
        listed = lead.get("/v1/deliveries", params={"state": "delivered"})
        assert [d["ticket_id"] for d in listed.json()["deliveries"]] == [ticket]
        assert agent.get("/v1/deliveries").status_code == 403
