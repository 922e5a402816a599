"""`agentdesk hub add-agent|revoke|channel|copy` and their errors (typer's runner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agentdesk.cli import app
from agentdesk.demo import generate_workspace
from agentdesk.hub.auth import hash_token
from storage.database import Database
from tests.factories import T0, make_workspace
from tests.hub.conftest import free_port
from tests.hub.helpers import scalar
from tests.store_dump import dump_store


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


def test_an_unreachable_postgres_server_is_one_clear_line_without_the_password() -> None:
    url = f"postgresql://hub:s3cret@127.0.0.1:{free_port()}/agentdesk"
    served = run("--db", url)
    added = run("add-agent", "--name", "A", "--email", "a@x.io", "--tier", "1", "--db", url)
    for answer in (served, added):
        assert answer.exit_code == 1
        assert len(answer.stderr.strip().splitlines()) == 1  # libpq's lines folded into one
        assert f"cannot open postgresql://hub:***@127.0.0.1:{url.split(':')[3]}" in answer.stderr
        assert "s3cret" not in answer.stderr


def test_copy_moves_a_sqlite_hub_to_postgres_feed_and_all(tmp_path: Path, pg_url: str) -> None:
    path = str(make_workspace(tmp_path / "hub.db", tickets=30).path)
    assert run("add-agent", "--name", "Ada", "--email", "ada@x.io", "--tier", "admin", "--db", path)
    fed = scalar(path, "SELECT count(*) FROM change")

    copied = run("copy", path, "--to", pg_url)
    again = run("copy", path, "--to", pg_url)

    assert copied.exit_code == 0, copied.stderr
    assert "copied " in copied.stderr and "rows of" in copied.stderr
    for table in ("ticket", "message", "agent", "hub_token", "change"):
        sql = f"SELECT count(*) FROM {table}"
        assert scalar(pg_url, sql) == scalar(path, sql), table
    # The feed came along: a workstation synced against the file carries on where it was.
    assert scalar(pg_url, "SELECT max(seq) FROM change") == fed
    # New rows continue the numbering (tickets, feed) instead of colliding with copied ones.
    token = run("add-agent", "--name", "Bo", "--email", "bo@x.io", "--tier", "1", "--db", pg_url)
    assert token.exit_code == 0 and token.stdout.startswith("adk_")
    assert scalar(pg_url, "SELECT min(seq) FROM change WHERE seq > ?", fed) == fed + 1
    assert again.exit_code == 1 and "already holds rows" in again.stderr


def test_copy_takes_a_demo_workspace_whole_and_refused_rows_leave_nothing(
    tmp_path: Path, pg_url: str
) -> None:
    """Macros, SLA policies, clocks, surveys: every table arrives with the same rows."""
    db = Database.open(tmp_path / "demo.db")
    try:
        generate_workspace(db, tickets=150, now_ms=T0)
    finally:
        db.close()
    path = str(tmp_path / "demo.db")

    copied = run("copy", path, "--to", pg_url)

    assert copied.exit_code == 0, copied.stderr
    lite = dump_store(path)
    copy = dump_store(pg_url)
    for table in ("ticket", "message", "macro", "macro_doc", "sla_policy", "sla_clock"):
        assert len(copy[table]) == len(lite[table]) > 0, table
    assert sorted(copy["macro_doc"]) == sorted(lite["macro_doc"])


def test_copy_refuses_what_is_not_a_postgres_url_or_not_a_store(tmp_path: Path) -> None:
    path = str(make_workspace(tmp_path / "hub.db", tickets=1).path)
    assert run("copy", path, "--to", str(tmp_path / "other.db")).exit_code == 2
    assert run("copy", str(tmp_path / "none.db"), "--to", "postgresql://h/db").exit_code == 2
