"""Fixtures for every test: a fixed clock and time zone, and no developer config."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.domain import timefmt
from tests.factories import T0

# A throwaway PostgreSQL server: the pg_cluster and pg_url fixtures.
pytest_plugins = ["tests.postgres"]


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never read the developer's config or data; render times in UTC at a fixed now."""
    monkeypatch.setenv("AGENTDESK_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for name in ("AGENTDESK_DB", "AGENTDESK_AGENT", "AGENTDESK_THEME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(timefmt, "now_ms", lambda: T0)
    yield
