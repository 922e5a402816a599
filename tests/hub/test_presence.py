"""Presence on the real hub: another agent sees who is on a ticket until the claim expires."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from agentdesk.hub import presence
from tests.factories import AGENTS
from tests.hub.conftest import HubServer

BEN = AGENTS[1][2]


@pytest.fixture
def ana(shared_hub: HubServer) -> Iterator[httpx.Client]:
    with shared_hub.client("1") as client:
        yield client


@pytest.fixture
def ben(shared_hub: HubServer) -> Iterator[httpx.Client]:
    token = shared_hub.mint(BEN)
    with httpx.Client(base_url=shared_hub.url, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def present(client: httpx.Client, ticket: str) -> list[dict[str, object]]:
    answer = client.get("/v1/presence", params={"ticket_id": ticket})
    assert answer.status_code == 200, answer.text
    found = answer.json()["present"]
    assert isinstance(found, list)
    return found


def say(client: httpx.Client, ticket: str, state: str) -> None:
    answer = client.post("/v1/presence", json={"ticket_id": ticket, "state": state})
    assert answer.status_code == 204, answer.text


def test_another_agent_sees_who_is_replying_but_not_themselves(
    ana: httpx.Client, ben: httpx.Client
) -> None:
    before = time.time() * 1000
    say(ana, "#1000", "viewing")
    say(ana, "#1000", "replying")  # replaces the earlier claim
    (seen,) = present(ben, "#1000")
    assert (seen["name"], seen["state"]) == ("Ana Lima", "replying")
    assert before + 29_000 < float(str(seen["expires_at"])) < time.time() * 1000 + 31_000
    assert present(ana, "#1000") == []
    assert present(ben, "#1001") == []


def test_gone_withdraws_the_claim(ana: httpx.Client, ben: httpx.Client) -> None:
    say(ana, "#1002", "viewing")
    say(ana, "#1002", "gone")
    assert present(ben, "#1002") == []


def test_a_claim_that_is_not_renewed_expires(
    ana: httpx.Client, ben: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presence, "TTL_MS", 200)  # the hub runs in this process
    say(ana, "#1003", "viewing")
    assert [p["state"] for p in present(ben, "#1003")] == ["viewing"]
    time.sleep(0.25)
    assert present(ben, "#1003") == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"ticket_id": "#99999", "state": "viewing"}, 404),
        ({"ticket_id": "#1000", "state": "typing"}, 422),
        ({"state": "viewing"}, 422),
    ],
)
def test_bad_claims_are_refused(ana: httpx.Client, body: dict[str, str], status: int) -> None:
    answer = ana.post("/v1/presence", json=body)
    assert answer.status_code == status
    assert set(answer.json()) == {"error", "detail"}


def test_presence_needs_a_token(shared_hub: HubServer) -> None:
    answer = httpx.get(f"{shared_hub.url}/v1/presence", params={"ticket_id": "#1000"})
    assert answer.status_code == 401
