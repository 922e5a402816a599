"""`agentdesk demo`: a real hub and simulator, a synced workstation, and no process left."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from agentdesk.live_demo import LiveOptions, live_demo
from agentdesk.sync.credentials import credentials_path, load
from storage.database import Database


class Boom(Exception):
    """Something went wrong while the demo ran."""


def tickets_in(path: Path) -> int:
    db = Database.open(path)
    try:
        with db.read() as conn:
            return int(conn.execute("SELECT count(*) FROM ticket").fetchone()[0])
    finally:
        db.close()


def test_the_demo_runs_a_synced_workstation_and_leaves_no_process(tmp_path: Path) -> None:
    options = LiveOptions(tmp_path / "demo" / "hub.db", tickets=30, rate=0)
    console = Console(file=io.StringIO())
    with live_demo(options, console) as demo:
        children = [demo.hub, demo.traffic]
        assert all(child.alive() for child in children)
        (seat,) = demo.seats
        assert seat.replica == tmp_path / "demo" / "ana.db"
        assert tickets_in(seat.replica) == 30  # synced before the TUI would open
        mode = stat.S_IMODE(credentials_path(seat.replica).stat().st_mode)
        assert mode == 0o600
        credentials = load(seat.replica)
        assert credentials is not None and credentials.url == demo.hub_url
        auth = {"Authorization": f"Bearer {credentials.token}"}
        me = httpx.get(f"{demo.hub_url}/v1/me", headers=auth, trust_env=False)
        assert me.json()["agent"]["email"] == "ana@support.example.com"
    assert all(child.process.poll() is not None for child in children)
    first_url = demo.hub_url

    # Again: everything is reused (the hub moves to a new port); an error still stops it all.
    with pytest.raises(Boom), live_demo(options, console) as again:
        children = [again.hub, again.traffic]
        assert again.hub_url != first_url
        assert tickets_in(again.seats[0].replica) == 30
        raise Boom
    assert all(child.process.poll() is not None for child in children)
