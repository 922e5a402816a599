"""The traffic simulator against the REAL hub: signed webhooks become tickets, and the
customers answer the replies the hub delivers to them (threaded), or the survey."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from agentdesk.demo.traffic import TrafficConfig, TrafficSimulator
from agentdesk.demo.traffic_text import Answer, Opening, Survey
from agentdesk.hub.delivery import run_delivery_worker
from storage.hub import set_channel
from storage.stores import open_store
from tests.hub.conftest import HubServer, ThreadedHub, free_port, seed_hub
from tests.hub.helpers import mutation, push, scalar

SECRETS = {name: f"secret-{name}" for name in ("email", "chat", "web", "survey")}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubServer]:
    """A real hub with its delivery worker, channels signed with :data:`SECRETS`."""
    path = seed_hub(tmp_path / "hub.db", tickets=5)
    running = ThreadedHub.start(path, tasks=(run_delivery_worker,))
    try:
        yield HubServer(running.url, path)
    finally:
        running.stop()


def configure(hub: HubServer, config: TrafficConfig) -> None:
    db = open_store(hub.store)
    try:
        with db.transaction() as conn:
            for name, secret in SECRETS.items():
                url = None if name == "survey" else config.outbound_url(name)
                set_channel(conn, name, secret=secret, outbound_url=url)
    finally:
        db.close()


@pytest.fixture
async def simulator(hub: HubServer) -> AsyncIterator[TrafficSimulator]:
    """A running simulator (no arrivals of its own, reactions 1000x faster)."""
    config = TrafficConfig(hub.url, SECRETS, rate=0, seed=7, port=free_port(), pace=0.001)
    configure(hub, config)
    running = TrafficSimulator(config)
    task = asyncio.ensure_future(running.run())
    yield running
    running.stop()
    await asyncio.wait_for(task, 10)


def opening_on(simulator: TrafficSimulator, channel: str) -> Opening:
    """The simulator's next opening written on ``channel``."""
    return next(o for o in iter(simulator.voice.opening, None) if o.channel == channel)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_customers_on_every_channel_become_tickets(
    hub: HubServer, simulator: TrafficSimulator
) -> None:
    for channel, kind in (("email", "email"), ("chat", "chat"), ("form", "web")):
        opening = opening_on(simulator, channel)
        ticket = await simulator.open_conversation(opening)
        assert ticket is not None
        row = (ticket,)
        sql = "SELECT channel FROM ticket WHERE id = ?"
        assert scalar(hub.store, sql, *row) == kind
        body = "SELECT body FROM message WHERE ticket_id = ? AND kind = 'customer'"
        assert scalar(hub.store, body, *row) == opening.text
    # Three tickets, none refused; the chat customer may already have nudged ("still
    # there?"), threaded onto the same ticket: accepted is 3 or 4 by timing alone.
    assert (len(simulator.tally.tickets), simulator.tally.refused) == (3, 0)
    assert simulator.tally.accepted in (3, 4)


async def test_a_wrong_secret_is_refused_and_stores_nothing(hub: HubServer) -> None:
    wrong = dict.fromkeys(SECRETS, "not-the-secret")
    configure(hub, TrafficConfig(hub.url, SECRETS, port=1))
    tickets = scalar(hub.store, "SELECT count(*) FROM ticket")
    simulator = TrafficSimulator(TrafficConfig(hub.url, wrong, rate=0))
    assert await simulator.open_conversation(opening_on(simulator, "email")) is None
    assert simulator.tally.refused == 1
    assert scalar(hub.store, "SELECT count(*) FROM ticket") == tickets


def reply_id(simulator: TrafficSimulator, opening: Opening, *, solved: bool, kind: type) -> str:
    """A message id whose delivery makes this customer react with ``kind``."""
    for n in itertools.count():
        candidate = f"01JTESTREPLY{n:014d}"
        if any(
            isinstance(r, kind) for r in simulator.voice.react(candidate, solved, opening.story)
        ):
            return candidate
    raise AssertionError  # pragma: no cover


async def test_a_delivered_reply_is_answered_on_the_same_ticket(
    hub: HubServer, simulator: TrafficSimulator
) -> None:
    opening = opening_on(simulator, "email")
    ticket = await simulator.open_conversation(opening)
    message = reply_id(simulator, opening, solved=False, kind=Answer)
    with hub.client("1") as ana:
        reply = mutation(
            1, "reply", ticket, {"body": "Could you try again?", "message_id": message}
        )
        assert push(ana, "CL-ANA", reply).status_code == 200
    count = "SELECT count(*) FROM message WHERE ticket_id = ? AND kind = 'customer'"
    await until(lambda: scalar(hub.store, count, ticket) == 2)
    threaded = "SELECT in_reply_to FROM message WHERE ticket_id = ? ORDER BY seq DESC LIMIT 1"
    assert scalar(hub.store, threaded, ticket) == f"<{message}@agentdesk>"
    assert simulator.tally.deliveries == 1


async def test_a_solved_ticket_gets_a_survey_answer(
    hub: HubServer, simulator: TrafficSimulator
) -> None:
    opening = opening_on(simulator, "chat")
    ticket = await simulator.open_conversation(opening)
    message = reply_id(simulator, opening, solved=True, kind=Survey)
    with hub.client("1") as ana:
        batch = [
            mutation(1, "set_status", ticket, {"status": "solved"}),
            mutation(2, "reply", ticket, {"body": "Fixed, closing.", "message_id": message}),
        ]
        assert push(ana, "CL-ANA", *batch).status_code == 200
    answers = "SELECT count(*) FROM survey_answer WHERE ticket_id = ?"
    await until(lambda: scalar(hub.store, answers, ticket) == 1)
