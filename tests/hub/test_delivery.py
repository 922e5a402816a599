"""Public replies leave the hub through the durable queue; internal notes never do.

The courier is driven step by step (``run_once``) with a clock the test moves, against
a real HTTP receiver on 127.0.0.1, so retries and backoff are checked without sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agentdesk.desk import Desk
from agentdesk.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from agentdesk.hub.courier import Courier, CourierSettings, RetryPolicy, _retry_after_ms
from agentdesk.hub.store import open_hub
from storage.agents import agent_by_email
from storage.database import Database
from storage.hub import claim_deliveries, set_channel
from tests.factories import T0, make_workspace, ticket_id
from tests.hub.receiver import Receiver, receiver

SECRET = "out-secret"
EMAIL_TICKET = ticket_id(1000)  # make_workspace: #1000 came by email, #1004 by phone
PHONE_TICKET = ticket_id(1004)
START = 1_800_000_000_000


class Clock:
    """Epoch ms the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "hub.db"
    make_workspace(path, tickets=5)
    db = open_hub(path)
    yield db
    db.close()


@pytest.fixture
def endpoint(hub: Database) -> Iterator[Receiver]:
    with receiver() as found:
        with hub.transaction() as conn:
            set_channel(conn, "email", secret=SECRET, outbound_url=found.url)
        yield found


def desk(db: Database) -> Desk:
    with db.read() as conn:
        agent = agent_by_email(conn, "ana@support.example.com")
    assert agent is not None
    return Desk(db, agent, clock=lambda: T0)


def replay(db: Database, seq: int, op: str, ticket: str, body: str) -> None:
    """What /v1/mutations does with a workstation's reply or note."""
    desk(db).replay(f"CLIENT:{seq}", op, ticket, {"body": body, "message_id": f"MSG-OUT-{seq}"})


def deliveries(db: Database) -> list[tuple[object, ...]]:
    with db.read() as conn:
        return conn.execute(
            "SELECT message_id, state, attempts, last_error FROM delivery ORDER BY id"
        ).fetchall()


def courier(db: Database, clock: Clock, *, attempts: int = 12) -> Courier:
    retry = RetryPolicy(base_ms=1_000, cap_ms=4_000, max_attempts=attempts)
    return Courier(db, CourierSettings(retry=retry), clock=clock, rng=random.Random(7))


async def test_a_reply_that_fails_twice_is_delivered_once_on_the_third_attempt(
    hub: Database, endpoint: Receiver
) -> None:
    endpoint.answers[:] = [500, 503]
    replay(hub, 1, "reply", EMAIL_TICKET, "Have you tried turning it off and on?")
    clock = Clock()
    worker = courier(hub, clock)
    async with httpx.AsyncClient() as client:
        assert await worker.run_once(client) == 1  # 500
        assert await worker.run_once(client) == 0  # not due yet: backoff
        clock.now += 1_000  # the first retry waits 0.5-1 s
        assert await worker.run_once(client) == 1  # 503
        clock.now += 1_000
        assert await worker.run_once(client) == 0  # the second waits 1-2 s
        clock.now += 1_000
        assert await worker.run_once(client) == 1  # 200
        clock.now += 10_000
        assert await worker.run_once(client) == 0
    assert deliveries(hub) == [("MSG-OUT-1", "delivered", 3, None)]
    assert len(endpoint.received) == 3
    for request in endpoint.received:
        headers = request.headers
        verify(
            SECRET,
            headers[TIMESTAMP_HEADER.lower()],
            headers[SIGNATURE_HEADER.lower()],
            request.body,
            now=START / 1000 + 60,
        )
    payload = endpoint.received[-1].json()
    assert payload == {
        "delivery_id": 1,
        "ticket": {
            "id": EMAIL_TICKET,
            "number": 1000,
            "subject": "Printer jam number 0",
            "status": "new",
        },
        "to": {"email": "zoe@acme.example", "name": "Zoë Ålander"},
        "channel": "email",
        "message": {
            "id": "MSG-OUT-1",
            "body": "Have you tried turning it off and on?",
            "message_id": "<MSG-OUT-1@agentdesk>",
            "in_reply_to": None,
        },
    }
    with hub.read() as conn:
        stored = conn.execute("SELECT external_id FROM message WHERE id = 'MSG-OUT-1'").fetchone()
    assert stored == ("<MSG-OUT-1@agentdesk>",)  # a customer's reply to it threads back


async def test_a_delivery_that_keeps_failing_is_given_up_with_its_error(
    hub: Database, endpoint: Receiver
) -> None:
    endpoint.answers[:] = [500] * 5
    replay(hub, 1, "reply", EMAIL_TICKET, "Still there?")
    clock = Clock()
    worker = courier(hub, clock, attempts=2)
    async with httpx.AsyncClient() as client:
        for _ in range(4):
            await worker.run_once(client)
            clock.now += 5_000
    assert deliveries(hub) == [("MSG-OUT-1", "failed", 2, "HTTP 500: ok")]
    assert len(endpoint.received) == 2


async def test_internal_notes_never_leave_and_unconfigured_channels_queue_nothing(
    hub: Database, endpoint: Receiver
) -> None:
    replay(hub, 1, "note", EMAIL_TICKET, "Customer sounds upset; be gentle")
    replay(hub, 2, "reply", PHONE_TICKET, "As discussed on the phone")  # no phone endpoint
    async with httpx.AsyncClient() as client:
        assert await courier(hub, Clock()).run_once(client) == 0
    assert deliveries(hub) == []
    assert endpoint.received == []


async def test_an_unreachable_endpoint_is_retried(hub: Database) -> None:
    with hub.transaction() as conn:
        set_channel(conn, "email", secret=SECRET, outbound_url="http://127.0.0.1:9/closed")
    replay(hub, 1, "reply", EMAIL_TICKET, "Hello")
    async with httpx.AsyncClient() as client:
        assert await courier(hub, Clock()).run_once(client) == 1
    ((_, state, attempts, error),) = deliveries(hub)
    assert (state, attempts) == ("pending", 1)
    assert str(error).startswith("ConnectError")


def test_a_leased_delivery_is_not_claimed_by_a_second_process(
    hub: Database, endpoint: Receiver
) -> None:
    replay(hub, 1, "reply", EMAIL_TICKET, "Hello")
    other = Database.open(hub.path)
    try:
        with hub.transaction() as conn:
            assert len(claim_deliveries(conn, now=START, lease_until=START + 60_000, limit=5)) == 1
        with other.transaction() as conn:
            assert claim_deliveries(conn, now=START + 59_999, lease_until=START + 1, limit=5) == []
            assert (
                len(claim_deliveries(conn, now=START + 60_000, lease_until=START + 1, limit=5)) == 1
            )
    finally:
        other.close()


@pytest.mark.parametrize(
    ("status", "header", "expected"),
    [
        (429, "7", 7_000),
        (503, "Thu, 15 Jan 2027 08:00:10 GMT", 10_000),
        (500, "7", None),
        (429, "soon", None),
    ],
)
def test_retry_after_is_read_from_429_and_503(
    status: int, header: str, expected: int | None
) -> None:
    answer = httpx.Response(status, headers={"Retry-After": header})
    assert _retry_after_ms(answer, now=1_800_000_000_000) == expected
