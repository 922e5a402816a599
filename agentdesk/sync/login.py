"""Logging a store in to a hub: check the token, bind the store to the hub, keep the login.

A store holds one hub's replica. Logging in a store that already holds tickets
from elsewhere (a local demo, another hub) would mix two teams' tickets and
push the wrong ones, so it is refused. The agent's own row is written at once
(the first sync overwrites it with the hub's), so the TUI can open the store
as that agent before the first sync has finished.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agentdesk.sync import credentials
from agentdesk.sync.client import HubClient
from agentdesk.sync.wire import HubAgent, Me
from storage.agents import get_setting, set_setting
from storage.database import Database
from storage.errors import StoreError
from storage.sync import has_tickets

HUB_URL_SETTING: Final = "hub.url"


class LoginRefused(Exception):
    """The store cannot be logged in to this hub; the message says why and what to do."""


@dataclass(frozen=True)
class LoggedIn:
    """Who the token is, the hub's name, and the files written."""

    me: Me
    db_path: Path
    credentials_path: Path


def normalise_url(url: str) -> str:
    """The hub's base URL without a trailing slash; refuses anything but http(s)."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) < len("http://x"):
        raise LoginRefused(f"{url!r} is not a hub URL; give one like http://127.0.0.1:8765")
    return url


async def check_token(url: str, token: str) -> Me:
    """Ask the hub who the token belongs to (raises the client's errors)."""
    async with HubClient(url, token) as client:
        return await client.me()


def bind_store(db_path: Path, url: str, token: str, me: Me, *, now: int) -> LoggedIn:
    """Make the store at ``db_path`` (created if missing) the replica of the hub at ``url``.

    Raises:
        LoginRefused: the store holds tickets that did not come from this hub.
        StoreError: the store cannot be opened or written.
    """
    db = Database.open(db_path)
    try:
        with db.transaction() as conn:
            bound = get_setting(conn, HUB_URL_SETTING)
            if bound != url and has_tickets(conn):
                source = f"the hub at {bound}" if bound else "this workstation"
                raise LoginRefused(
                    f"{db_path} holds tickets from {source}, not from {url}; "
                    "log in with another store (--db NEW.db)"
                )
            set_setting(conn, HUB_URL_SETTING, url)
            set_setting(conn, "default_agent", me.agent.email)
            _ensure_agent(conn, me.agent, now)
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path}: {exc}") from exc
    finally:
        db.close()
    saved = credentials.save(db_path, credentials.Credentials(url, token, me.agent.email))
    return LoggedIn(me, db_path, saved)


def _ensure_agent(conn: sqlite3.Connection, agent: HubAgent, now: int) -> None:
    """The agent's row, so the store opens as them before the first sync (which replaces it)."""
    conn.execute(
        "INSERT INTO agent (id, name, email, tier, active, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (agent.id, agent.name, agent.email, agent.tier, int(agent.active), now),
    )
