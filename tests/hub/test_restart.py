"""The hub as subprocesses: killed and restarted it keeps every result; two share a store."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tests.factories import ticket_id
from tests.hub.conftest import HubProcess, HubServer
from tests.hub.helpers import mutation, push, scalar, whole_feed


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


def test_two_hub_processes_on_one_store_hand_out_one_feed_that_skips_nothing(
    hub_process: Callable[[], HubProcess],
) -> None:
    """Writes through both processes at once; a reader of one never misses a change.

    A change committed late with a smaller seq than one already read would be skipped
    by a cursor: writers take turns (SQLite's lock, PostgreSQL's advisory lock), so the
    feed grows in commit order, whichever process writes.
    """
    first, second = hub_process(), hub_process()
    hubs = [HubServer(first.url, first.store), HubServer(second.url, second.store)]
    done = threading.Event()
    seen: list[int] = []

    def read_as_it_grows() -> None:
        after = 0
        with hubs[0].client("lead") as client:
            while True:
                finished = done.is_set()
                page = client.get("/v1/changes", params={"after": after, "wait": 0.2}).json()
                seen.extend(change["seq"] for change in page["changes"])
                after = page["next"]
                if finished and not page["more"]:
                    return

    def write(hub: HubServer, client_id: str, role: str) -> None:
        with hub.client(role) as client:
            for seq in range(1, 31):
                body = {"body": f"{client_id} note {seq}", "message_id": f"{client_id}-{seq}"}
                push(client, client_id, mutation(seq, "note", ticket_id(1000 + seq % 5), body))

    reader = threading.Thread(target=read_as_it_grows)
    writers = [
        threading.Thread(target=write, args=(hubs[0], "CL-A", "1")),
        threading.Thread(target=write, args=(hubs[1], "CL-B", "lead")),
    ]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=60)
    done.set()
    reader.join(timeout=30)

    with hubs[1].client("lead") as client:
        everything = [change["seq"] for change in whole_feed(client)]
    notes = "SELECT count(*) FROM message WHERE id LIKE 'CL-%'"
    assert scalar(first.store, notes) == 60
    assert seen == everything  # read while it grew, through the other process: nothing missed
