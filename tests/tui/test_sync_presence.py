"""Two agents on one ticket through a REAL hub: each is warned of the other."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.factories import AGENTS, ticket_id
from tests.hub.conftest import HubServer
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, wait_for
from tests.tui.sync_support import hub, hub_backend, hub_server, synced_replica
from widgets.presence_line import PresenceLine

__all__ = ["hub", "hub_backend", "hub_server"]  # the fixtures

ANA, BEN = AGENTS[0][2], AGENTS[1][2]
T1000 = ticket_id(1000)


def seen_by(client: httpx.Client) -> list[tuple[object, object]]:
    answer = client.get("/v1/presence", params={"ticket_id": T1000})
    assert answer.status_code == 200, answer.text
    return [(p["name"], p["state"]) for p in answer.json()["present"]]


async def test_ana_is_warned_that_ben_is_replying_and_ben_sees_ana(
    hub: HubServer, tmp_path: Path, app_factory: AppFactory
) -> None:
    replica = await synced_replica(hub, ANA, tmp_path / "ana.db")
    auth = {"Authorization": f"Bearer {hub.mint(BEN)}"}
    with httpx.Client(base_url=hub.url, headers=auth, trust_env=False) as ben:
        said = ben.post("/v1/presence", json={"ticket_id": T1000, "state": "replying"})
        assert said.status_code == 204
        app = app_factory(path=replica)
        async with app.run_test(size=(80, 24)) as pilot:
            # Not settle(): the sync engine and presence workers never complete.
            await wait_for(pilot, lambda: "● synced" in screen_text(app))
            await pilot.press("enter")  # #1000, the top of Ana's queue
            await wait_for(pilot, lambda: "⚠ Ben is replying" in screen_text(app))
            assert app.screen.query_one(PresenceLine).has_class("-replying")
            await wait_for(pilot, lambda: seen_by(ben) == [("Ana Lima", "viewing")])
            await pilot.press("r")  # Ana starts a public reply too: Ben is told at once
            await wait_for(pilot, lambda: seen_by(ben) == [("Ana Lima", "replying")])
            await pilot.press("escape", "escape")  # composer closed, back to the queue
            await wait_for(pilot, lambda: seen_by(ben) == [])
