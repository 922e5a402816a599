"""A workstation's `agentdesk sync` SIGKILLed mid-sync resumes with nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentdesk.desk import Action
from tests.cli_support import sealed_env
from tests.factories import AGENTS, ticket_id
from tests.hub.conftest import HubServer, ThreadedHub, seed_hub
from tests.sync.helpers import compared_rows, query, workstation

ANA, EVA = AGENTS[0], AGENTS[3]
NOTES = 600  # three pushes of 200


@pytest.fixture
def hub_backend() -> str:
    """Workstation behaviour: one hub store is enough (tests/hub runs the hub on both)."""
    return "sqlite"


def sync_process(db: Path, tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    """`agentdesk sync --db DB [args]` as its own process."""
    command = [sys.executable, "-m", "agentdesk", "sync", "--db", str(db), *args]
    return subprocess.Popen(
        command, env=sealed_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def kill_when(process: subprocess.Popen[bytes], ready: object, within: float = 20.0) -> None:
    """SIGKILL the process as soon as ``ready()`` is true."""
    assert callable(ready)
    deadline = time.monotonic() + within
    while not ready():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "never got there"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def test_killed_while_pushing_resumes_without_loss_or_doubles(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ana = workstation(hub_server, tmp_path, ANA[2])
    ana.sync()
    tickets = [ticket_id(1000 + i % 20) for i in range(NOTES)]
    with ana.desk() as desk:
        desk.apply_many(
            [Action("note", ticket, {"body": f"note {n}"}) for n, ticket in enumerate(tickets)]
        )
    judged = "SELECT coalesce(max(last_seq), 0) FROM hub_client"

    running = sync_process(ana.path, tmp_path)
    kill_when(running, lambda: 0 < query(hub_server.store, judged)[0][0] < NOTES)
    pushed_before_the_kill = query(hub_server.store, judged)[0][0]

    resumed = sync_process(ana.path, tmp_path, "--once")
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert out.decode().splitlines()[-1] == "synced"

    assert pushed_before_the_kill > 0
    notes = "SELECT body, count(*) FROM message WHERE body LIKE 'note %' GROUP BY body"
    assert {count for _, count in query(hub_server.store, notes)} == {1}
    assert len(query(hub_server.store, notes)) == NOTES
    assert query(hub_server.store, "SELECT count(*) FROM hub_mutation") == [(NOTES,)]
    assert {state for _, _, state, _ in ana.outbox()} == {"applied"}
    assert ana.rows() == compared_rows(hub_server.store, hidden_from=ANA[0])


def test_killed_during_the_first_sync_resumes_from_scratch(tmp_path: Path) -> None:
    path = seed_hub(tmp_path / "hub.db", tickets=3000)
    running_hub = ThreadedHub.start(path)
    try:
        hub = HubServer(running_hub.url, path)
        eva = workstation(hub, tmp_path, EVA[2])
        first = sync_process(eva.path, tmp_path, "--once")
        assert first.stdout is not None
        first.stdout.readline()  # "syncing: first sync: …": it is loading
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert query(eva.path, "SELECT count(*) FROM ticket") == [(0,)]  # all or nothing

        again = sync_process(eva.path, tmp_path, "--once")
        _, err = again.communicate(timeout=60)
        assert again.returncode == 0, err
        assert eva.rows() == compared_rows(path)
        assert query(eva.path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'") == query(
            path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
        )
    finally:
        running_hub.stop()
