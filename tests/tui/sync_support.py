"""Workstations on a REAL hub for pilot tests: a replica logged in and synced, as a person
would get with `agentdesk login` and a first `agentdesk sync`."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdesk.sync.credentials import Credentials, load, save
from agentdesk.sync.engine import SyncEngine
from agentdesk.sync.login import bind_store, check_token
from tests.factories import T0
from tests.hub.conftest import HubServer, hub_server

__all__ = [
    "hub_backend",
    "hub_server",
]  # the real hub fixture, which ``hub`` names for the TUI tests


@pytest.fixture
def hub_backend() -> str:
    """The TUI's sync tests are about the workstation: one backend (tests/hub has both)."""
    return "sqlite"


@pytest.fixture
def hub(hub_server: HubServer) -> HubServer:
    """A real hub (uvicorn in a thread) on a seeded 20-ticket store."""
    return hub_server


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
