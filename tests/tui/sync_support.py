"""Workstations on a REAL hub for pilot tests: a replica logged in and synced, as a person
would get with `agentdesk login` and a first `agentdesk sync`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.sync.credentials import Credentials, load, save
from agentdesk.sync.engine import SyncEngine
from agentdesk.sync.login import bind_store, check_token
from tests.factories import T0
from tests.hub.conftest import HubServer, ThreadedHub, seed_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubServer]:
    """A real hub (uvicorn in a thread) on a seeded 20-ticket store."""
    path = seed_hub(tmp_path / "hub.db")
    running = ThreadedHub.start(path)
    try:
        yield HubServer(running.url, path)
    finally:
        running.stop()


async def synced_replica(hub: HubServer, email: str, path: Path) -> Path:
    """A store at ``path`` logged in to ``hub`` as ``email`` and synced once."""
    token = hub.mint(email)
    bind_store(path, hub.url, token, await check_token(hub.url, token), now=T0)
    credentials = load(path)
    assert credentials is not None
    status = await SyncEngine(path, credentials).run_once()
    assert status.state == "synced", status
    return path


def point_at_dead_hub(path: Path) -> None:
    """Keep the login but aim it at a port nobody listens on (the hub went away)."""
    credentials = load(path)
    assert credentials is not None
    save(path, Credentials("http://127.0.0.1:9", credentials.token, credentials.agent))
