"""Every endpoint x every caller: 401 without a valid token, 403 for roles not allowed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest

from storage.stores import open_store
from tests.factories import ticket_id
from tests.hub.conftest import ROLES, HubServer


@dataclass(frozen=True)
class Endpoint:
    """A request and the roles that may make it."""

    method: str
    path: str
    allowed: tuple[str, ...] = ROLES
    body: Any = None


_counter = itertools.count()


def _body(endpoint: Endpoint, role: str) -> Any:
    """A valid body, unique per call where the endpoint creates something."""
    if endpoint.path == "/v1/agents" and endpoint.method == "POST":
        n = next(_counter)
        return {"name": f"New {n}", "email": f"new{n}-{role}@support.example.com", "tier": "1"}
    if endpoint.path == "/v1/mutations":
        return {"client_id": f"CLIENT-{role}", "mutations": []}
    return endpoint.body


ENDPOINTS = (
    Endpoint("GET", "/v1/me"),
    Endpoint("GET", "/v1/changes?limit=5"),
    Endpoint("GET", "/v1/tickets/1000/snapshot"),
    Endpoint("POST", "/v1/mutations"),
    Endpoint("GET", "/v1/agents"),
    Endpoint("POST", "/v1/agents", allowed=("admin",)),
    Endpoint("PUT", "/v1/channels/email", ("admin",), {"secret": "s" * 32}),
    Endpoint("GET", "/v1/deliveries", allowed=("lead", "admin")),
    Endpoint("POST", "/v1/presence", body={"ticket_id": ticket_id(1000), "state": "viewing"}),
    Endpoint("GET", f"/v1/presence?ticket_id={ticket_id(1000)}"),
    Endpoint("GET", "/openapi.json"),
)


@pytest.fixture(scope="module")
def revoked(shared_hub: HubServer) -> str:
    """A token that worked until it was revoked."""
    token = shared_hub.mint("gone@support.example.com", name="Gone")
    shared_hub.revoke("gone@support.example.com")
    return token


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_every_endpoint_refuses_a_missing_unknown_or_revoked_token(
    shared_hub: HubServer, endpoint: Endpoint, revoked: str
) -> None:
    callers = ({}, {"Authorization": "Bearer adk_nope"}, {"Authorization": f"Bearer {revoked}"})
    for headers in callers:
        with shared_hub.client() as client:
            answer = client.request(
                endpoint.method, endpoint.path, json=_body(endpoint, "x"), headers=headers
            )
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["error"] == "unauthorized"
        assert answer.json()["detail"]


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [(endpoint, role) for endpoint in ENDPOINTS for role in ROLES],
    ids=lambda value: value if isinstance(value, str) else f"{value.method} {value.path}",
)
def test_each_role_is_allowed_or_refused_with_a_reason(
    shared_hub: HubServer, endpoint: Endpoint, role: str
) -> None:
    with shared_hub.client(role) as client:
        answer = client.request(endpoint.method, endpoint.path, json=_body(endpoint, role))
    if role in endpoint.allowed:
        assert 200 <= answer.status_code < 300, answer.text
    else:
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"] == "forbidden"
        assert "only" in answer.json()["detail"]


def test_errors_are_json_for_unknown_routes_and_methods(shared_hub: HubServer) -> None:
    with shared_hub.client("1") as client:
        missing = client.get("/v1/nothing")
        wrong = client.delete("/v1/me")
        no_ticket = client.get("/v1/tickets/424242/snapshot")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")
    assert (no_ticket.status_code, no_ticket.json()["detail"]) == (404, "no ticket 424242")


def test_me_names_the_token_s_agent_and_the_hub(shared_hub: HubServer) -> None:
    with shared_hub.client("3") as client:
        me = client.get("/v1/me").json()
    assert me["agent"]["email"] == "eva@support.example.com"
    assert me["agent"]["tier"] == "3"
    assert me["hub"]["schema"] == 4


def test_openapi_lists_the_endpoints(shared_hub: HubServer) -> None:
    with shared_hub.client("1") as client:
        document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "agentdesk hub"
    paths = document["paths"]
    for endpoint in ENDPOINTS[:-1]:
        assert (
            endpoint.path.split("?")[0].replace("1000", "{ref}").replace("email", "{name}") in paths
        )
    assert "post" in paths["/v1/mutations"]
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_an_admin_adds_an_agent_whose_token_works_and_is_stored_hashed(
    shared_hub: HubServer,
) -> None:
    with shared_hub.client("admin") as client:
        created = client.post(
            "/v1/agents", json={"name": "Nia", "email": "nia@support.example.com", "tier": "2"}
        )
        again = client.post(
            "/v1/agents", json={"name": "Nia", "email": "nia@support.example.com", "tier": "2"}
        )
        bad_tier = client.post(
            "/v1/agents", json={"name": "X", "email": "x@support.example.com", "tier": "boss"}
        )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("adk_")
    assert again.status_code == 409
    assert bad_tier.status_code == 422
    me = shared_hub.client().get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["agent"]["tier"] == "2"
    stored = stored_token_hashes(shared_hub)
    assert token not in stored
    assert len(stored[0]) == 64


def stored_token_hashes(hub: HubServer) -> list[str]:

    db = open_store(hub.store)
    try:
        with db.read() as conn:
            return [row[0] for row in conn.execute("SELECT token_hash FROM hub_token")]
    finally:
        db.close()
