"""Running the real `agentdesk` command in tests, sealed off from the developer's setup."""

from __future__ import annotations

import os
from pathlib import Path


def sealed_env(root: Path) -> dict[str, str]:
    """An environment whose home, XDG dirs and config all live under ``root`` (never created)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AGENTDESK_", "XDG_")) and key not in ("HOME", "COLUMNS")
    }
    env.update(
        HOME=str(root / "home"),
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_DATA_HOME=str(root / "xdg-data"),
        XDG_STATE_HOME=str(root / "xdg-state"),
        XDG_CACHE_HOME=str(root / "xdg-cache"),
        AGENTDESK_CONFIG=str(root / "no-config.toml"),
        COLUMNS="200",
        NO_COLOR="1",
        TERM="dumb",
        PYTHONIOENCODING="utf-8",
    )
    return env
