"""`agentdesk login`, `logout` and `sync --once`, run as the real command."""

from __future__ import annotations

import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.cli_support import sealed_env
from tests.factories import AGENTS, make_workspace
from tests.hub.conftest import HubServer
from tests.sync.helpers import compared_rows, dead_url, query

ANA = AGENTS[0]


@pytest.fixture
def hub_backend() -> str:
    """Workstation behaviour: one hub store is enough (tests/hub runs the hub on both)."""
    return "sqlite"


def agentdesk(
    tmp_path: Path, *args: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = sealed_env(tmp_path)
    if token is not None:
        env["AGENTDESK_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "agentdesk", *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_login_keeps_the_token_0600_syncs_and_logout_forgets_it(
    hub_server: HubServer, tmp_path: Path
) -> None:
    replica = tmp_path / "ana.db"
    token = hub_server.token("1")

    done = agentdesk(tmp_path, "login", hub_server.url + "/", "--db", str(replica), token=token)

    assert done.returncode == 0, done.stderr
    assert f"as {ANA[1]} <{ANA[2]}> (tier 1)" in done.stdout
    assert str(replica) in done.stdout
    assert done.stdout.splitlines()[-1] == "synced"
    login = Path(f"{replica}.hub.toml")
    assert stat.S_IMODE(login.stat().st_mode) == 0o600
    assert tomllib.loads(login.read_text()) == {
        "url": hub_server.url,
        "token": token,
        "agent": ANA[2],
    }
    settings = dict(query(replica, "SELECT key, value FROM setting"))
    assert (settings["hub.url"], settings["default_agent"]) == (hub_server.url, ANA[2])
    assert compared_rows(replica) == compared_rows(hub_server.store, hidden_from=ANA[0])

    again = agentdesk(tmp_path, "sync", "--once", "--db", str(replica))
    assert (again.returncode, again.stdout.strip()) == (0, "synced")

    out = agentdesk(tmp_path, "logout", "--db", str(replica))
    assert out.returncode == 0
    assert not login.exists()
    assert replica.exists()
    refused = agentdesk(tmp_path, "sync", "--once", "--db", str(replica))
    assert refused.returncode == 1
    assert "not logged in" in refused.stderr


def test_login_refuses_a_bad_token_and_a_store_of_other_tickets(
    hub_server: HubServer, tmp_path: Path
) -> None:
    bad = agentdesk(
        tmp_path, "login", hub_server.url, "--db", str(tmp_path / "x.db"), token="adk_nope"
    )
    assert bad.returncode == 1
    assert "refused the token" in bad.stderr
    assert not Path(f"{tmp_path / 'x.db'}.hub.toml").exists()

    local = make_workspace(tmp_path / "local.db", tickets=3).path
    mixed = agentdesk(
        tmp_path, "login", hub_server.url, "--db", str(local), token=hub_server.token("1")
    )
    assert mixed.returncode == 1
    assert "holds tickets from this workstation" in mixed.stderr
    assert not Path(f"{local}.hub.toml").exists()


def test_sync_once_exits_1_when_the_hub_is_unreachable(
    hub_server: HubServer, tmp_path: Path
) -> None:
    replica = tmp_path / "ana.db"
    token = hub_server.token("1")
    agentdesk(tmp_path, "login", hub_server.url, "--db", str(replica), "--no-sync", token=token)
    login = Path(f"{replica}.hub.toml")
    login.write_text(login.read_text().replace(hub_server.url, dead_url()))

    done = agentdesk(tmp_path, "sync", "--once", "--db", str(replica))

    assert done.returncode == 1
    assert "not synced: offline" in done.stderr
    assert "cannot reach" in done.stderr
