"""The hub as a subprocess: killed with SIGKILL and restarted, it keeps every result."""

from __future__ import annotations

from collections.abc import Callable

from tests.factories import ticket_id
from tests.hub.conftest import HubProcess, HubServer
from tests.hub.helpers import mutation, push, scalar


def test_a_push_repeated_after_a_hub_crash_is_not_applied_twice(
    hub_process: Callable[[], HubProcess],
) -> None:
    process = hub_process()
    hub = HubServer(process.url, process.store)
    reply = mutation(1, "reply", ticket_id(1001), {"body": "Still here", "message_id": "MSG-K"})
    with hub.client("1") as client:
        first = push(client, "CL-ANA", reply).json()
    process.kill()
    process.start()
    with hub.client("1") as client:
        again = push(client, "CL-ANA", reply).json()
        pulled = client.get("/v1/changes", params={"client_id": "CL-ANA", "limit": 1}).json()
    assert again == first
    assert first["results"][0]["status"] == "applied"
    assert pulled["last_seq"] == 1
    assert scalar(process.store, "SELECT count(*) FROM message WHERE id = 'MSG-K'") == 1
