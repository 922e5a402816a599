"""Building the real app on a real store, the way the CLI does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentdesk.app import AgentDeskApp, make_app
from agentdesk.config import Settings
from agentdesk.workspace import Workspace, open_workspace
from tests.factories import make_workspace

AppFactory = Callable[..., AgentDeskApp]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A 200-ticket workspace (see tests/factories.py for its rows)."""
    return make_workspace(tmp_path / "ws.db", tickets=200).path


@pytest.fixture
def app_factory(store_path: Path) -> Iterator[AppFactory]:
    """Make apps on ``store_path`` as a given agent; close their stores afterwards."""
    opened: list[Workspace] = []

    def build(agent: str | None = None, path: Path | None = None) -> AgentDeskApp:
        settings = Settings(db=path or store_path, agent=agent)
        workspace = open_workspace(settings)
        opened.append(workspace)
        return make_app(workspace, settings)

    yield build
    for workspace in opened:
        workspace.close()
