"""The hub restarts (or dies) under a running workstation: the engine rides it out."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import AGENTS, ticket_id
from tests.hub.conftest import HubProcess, HubServer
from tests.sync.helpers import compared_rows, query, running, settled, workstation

ANA = AGENTS[0]


@pytest.fixture
def hub_backend() -> str:
    """Workstation behaviour: one hub store is enough (tests/hub runs the hub on both)."""
    return "sqlite"


def test_a_hub_restart_is_survived(hub_process: Callable[[], HubProcess], tmp_path: Path) -> None:
    process = hub_process()
    hub = HubServer(process.url, process.store)
    ana = workstation(hub, tmp_path, ANA[2])
    with running(ana, hub) as statuses:
        settled(ana, statuses)
        process.kill()  # no goodbye: connections reset, the long-poll fails
        with ana.desk() as desk:
            desk.reply(ticket_id(1007), "written while the hub was down")
        deadline = time.monotonic() + 5
        while not (statuses[-1].state == "offline" and statuses[-1].pending == 1):
            assert time.monotonic() < deadline, statuses[-3:]
            time.sleep(0.02)
        process.start()
        settled(ana, statuses, within=40)
    body = "written while the hub was down"
    assert query(hub.store, "SELECT count(*) FROM message WHERE body = ?", body) == [(1,)]
    assert ana.rows() == compared_rows(hub.store, hidden_from=ANA[0])
