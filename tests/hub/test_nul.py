"""U+0000 in any request is a 400 on either store (PostgreSQL text cannot hold it)."""

from __future__ import annotations

import httpx

from tests.hub.conftest import HubServer
from tests.store_dump import dump_store

JSON = {"Content-Type": "application/json"}


def requests(client: httpx.Client) -> dict[str, httpx.Response]:
    return {
        "path": client.get("/v1/tickets/%00/snapshot"),
        "query": client.get("/v1/changes", params={"client_id": "a\x00b"}),
        "presence": client.post(
            "/v1/presence", content='{"ticket_id": "\\u0000", "state": "viewing"}', headers=JSON
        ),
        "agent": client.post(
            "/v1/agents",
            content='{"name": "A\\u0000", "email": "a@b.io", "tier": "1"}',
            headers=JSON,
        ),
        "after a backslash": client.post(
            "/v1/agents",
            content='{"name": "A\\\\\\u0000", "email": "c@b.io", "tier": "1"}',
            headers=JSON,
        ),
    }


def test_a_nul_character_anywhere_is_refused_and_stores_nothing(hub_server: HubServer) -> None:
    before = dump_store(hub_server.store)
    with hub_server.client("admin") as client:
        answers = requests(client)
        # An escaped backslash before "u0000" is text, not a NUL: accepted.
        literal = client.post(
            "/v1/agents",
            content='{"name": "back\\\\u0000slash", "email": "b@b.io", "tier": "1"}',
            headers=JSON,
        )
        client_id = client.post(
            "/v1/mutations", content='{"client_id": "C\\u0000", "mutations": []}', headers=JSON
        )
    for where, answer in answers.items():
        assert answer.status_code == 400, (where, answer.text)
        assert "NUL character" in answer.json()["detail"], where
    # A push is judged mutation by mutation (test_mutations); its client id is a typed field.
    assert client_id.status_code == 422, client_id.text
    assert literal.status_code == 201, literal.text
    after = dump_store(hub_server.store)
    assert after["agent"] == sorted(
        [*before["agent"], *(row for row in after["agent"] if row[2] == "b@b.io")], key=repr
    )
