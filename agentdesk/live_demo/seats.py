"""The live demo's files: the hub store, its channels, and one workstation replica per agent.

Everything lives in one directory (``<data dir>/demo/`` by default): ``hub.db`` is the
generated demo workspace opened as a hub (so its change feed is backfilled once),
``<name>.db`` a workstation's replica with its credentials file beside it. Tokens are
minted once per workstation and kept in its credentials (hashed in the hub), so a
second ``agentdesk demo`` reuses everything; only the hub's port changes, and with it
each replica's hub URL.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agentdesk.domain import timefmt
from agentdesk.hub.auth import add_agent
from agentdesk.hub.store import open_hub
from agentdesk.sync.credentials import CredentialsError, load
from agentdesk.sync.login import HUB_URL_SETTING, bind_store, check_token
from storage.agents import agent_by_email, set_setting
from storage.database import Database
from storage.hub import channel_row, set_channel

HUB_FILE: Final = "hub.db"
#: The hub's channels: webhooks are signed with these secrets; replies of the first
#: three are delivered to the traffic simulator.
CHANNELS: Final = ("email", "chat", "web", "survey")
DELIVERED: Final = frozenset({"email", "chat", "web"})


@dataclass(frozen=True, slots=True)
class Seat:
    """One workstation of the demo: an agent and their replica."""

    email: str
    name: str
    replica: Path

    @property
    def first_name(self) -> str:
        """How the demo names the workstation."""
        return self.name.split(" ", 1)[0]


def replica_path(directory: Path, email: str) -> Path:
    """``ana@support.example.com`` -> ``<directory>/ana.db``."""
    return directory / f"{email.split('@', 1)[0].lower()}.db"


def remove_demo_files(directory: Path) -> None:
    """Forget a previous live demo: hub, replicas, credentials, simulator config, logs."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.is_file() and path.name.endswith((".db", "-wal", "-shm", ".toml", ".json", ".log")):
            path.unlink()


def configure_channels(hub_path: Path, outbound: dict[str, str]) -> dict[str, str]:
    """Give each channel a secret (kept across runs) and its outbound URL; returns the secrets."""
    db = open_hub(hub_path)
    try:
        with db.transaction() as conn:
            found: dict[str, str] = {}
            for name in CHANNELS:
                row = channel_row(conn, name)
                secret = row.secret if row else secrets.token_urlsafe(32)
                set_channel(conn, name, secret=secret, outbound_url=outbound.get(name))
                found[name] = secret
    finally:
        db.close()
    return found


def seat(hub_path: Path, directory: Path, email: str, hub_url: str) -> Seat:
    """The agent's workstation, logged in to the running hub at ``hub_url`` (made on first use).

    Raises:
        ValueError: the demo has no agent with this email.
        SyncError: the hub refused the token (as ``agentdesk login`` would say).
    """
    replica = replica_path(directory, email)
    try:
        known = load(replica)
    except CredentialsError:
        known = None
    db = open_hub(hub_path)
    try:
        with db.read() as conn:
            agent = agent_by_email(conn, email)
        if agent is None:
            raise ValueError(f"the demo has no agent {email}; `agentdesk agents` lists them")
        token = known.token if known else add_agent(
            db, name=agent.name, email=agent.email, tier=agent.tier, label="demo"
        ).token  # fmt: skip
    finally:
        db.close()
    if known is not None and known.url != hub_url:
        _moved(replica, hub_url)
    me = asyncio.run(check_token(hub_url, token))
    bind_store(replica, hub_url, token, me, now=timefmt.now_ms())
    return Seat(agent.email, agent.name, replica)


def _moved(replica: Path, hub_url: str) -> None:
    """The demo's hub listens on a new port each run: it is the same hub, so say so."""
    store = Database.open(replica)
    try:
        with store.transaction() as conn:
            set_setting(conn, HUB_URL_SETTING, hub_url)
    finally:
        store.close()


def hub_last_change(hub_path: Path) -> int:
    """The hub's newest change: how far a new workstation's first sync has to go."""
    db = Database.open(hub_path)
    try:
        with db.read() as conn:
            row = conn.execute("SELECT coalesce(max(seq), 0) FROM change").fetchone()
    finally:
        db.close()
    return int(row[0])
