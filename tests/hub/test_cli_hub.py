"""`agentdesk hub add-agent|revoke|channel` and the PostgreSQL refusal (typer's runner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agentdesk.cli import app
from agentdesk.hub.auth import hash_token
from tests.factories import make_workspace
from tests.hub.helpers import scalar


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["hub", *args], catch_exceptions=False)


def test_add_agent_prints_a_token_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    path = make_workspace(tmp_path / "hub.db", tickets=2).path
    created = run(
        "add-agent",
        "--name",
        "Ada",
        "--email",
        "ada@x.io",
        "--tier",
        "admin",
        "--group",
        "Frontline",
        "--db",
        str(path),
    )
    again = run(
        "add-agent",
        "--name",
        "Ana",
        "--email",
        "ana@support.example.com",
        "--tier",
        "1",
        "--db",
        str(path),
    )
    assert created.exit_code == 0 and again.exit_code == 0
    token = created.stdout.strip()
    assert token.startswith("adk_") and "\n" not in token
    assert "created Ada <ada@x.io> (tier admin)" in created.stderr
    assert "new token for Ana Lima" in again.stderr
    assert (
        scalar(path, "SELECT count(*) FROM hub_token WHERE token_hash = ?", hash_token(token)) == 1
    )
    assert scalar(path, "SELECT count(*) FROM hub_token WHERE token_hash = ?", token) == 0
    assert scalar(path, "SELECT count(*) FROM agent WHERE email = 'ada@x.io'") == 1
    assert scalar(path, "SELECT count(*) FROM change WHERE entity = 'agent'") == 6  # in the feed


def test_add_agent_refuses_an_unknown_tier_or_group(tmp_path: Path) -> None:
    path = str(make_workspace(tmp_path / "hub.db", tickets=2).path)
    tier = run("add-agent", "--name", "X", "--email", "x@x.io", "--tier", "boss", "--db", path)
    group = run(
        "add-agent",
        "--name",
        "X",
        "--email",
        "x@x.io",
        "--tier",
        "1",
        "--group",
        "Nope",
        "--db",
        path,
    )
    assert (tier.exit_code, group.exit_code) == (2, 2)
    assert "unknown tier 'boss'" in tier.stderr
    assert "no group 'Nope'" in group.stderr
    assert scalar(Path(path), "SELECT count(*) FROM agent WHERE email = 'x@x.io'") == 0


def test_revoke_stops_every_token_of_an_agent(tmp_path: Path) -> None:
    path = str(make_workspace(tmp_path / "hub.db", tickets=2).path)
    run(
        "add-agent",
        "--name",
        "Ana",
        "--email",
        "ana@support.example.com",
        "--tier",
        "1",
        "--db",
        path,
    )
    revoked = run("revoke", "--email", "ana@support.example.com", "--db", path)
    assert revoked.exit_code == 0
    assert "revoked 1 token(s)" in revoked.stderr
    assert scalar(Path(path), "SELECT count(*) FROM hub_token WHERE revoked_at IS NULL") == 0


def test_channel_generates_a_secret_and_sets_the_outbound_url(tmp_path: Path) -> None:
    path = str(make_workspace(tmp_path / "hub.db", tickets=2).path)
    made = run(
        "channel", "email", "--generate", "--outbound-url", "http://127.0.0.1:9/out", "--db", path
    )
    unknown = run("channel", "fax", "--secret", "s" * 32, "--db", path)
    no_secret = run("channel", "chat", "--db", path)
    assert made.exit_code == 0
    assert (
        scalar(Path(path), "SELECT secret FROM channel WHERE name = 'email'") == made.stdout.strip()
    )
    assert "http://127.0.0.1:9/out" in made.stderr
    assert unknown.exit_code == 2 and "no channel 'fax'" in unknown.stderr
    assert no_secret.exit_code == 2 and "give it a secret" in no_secret.stderr


def test_a_postgres_url_is_refused_clearly(tmp_path: Path) -> None:
    served = run("--db", "postgresql://hub@db.example/agentdesk")
    added = run(
        "add-agent",
        "--name",
        "A",
        "--email",
        "a@x.io",
        "--tier",
        "1",
        "--db",
        "postgres://hub@db/agentdesk",
    )
    assert (served.exit_code, added.exit_code) == (2, 2)
    assert "PostgreSQL is not supported yet" in served.stderr
