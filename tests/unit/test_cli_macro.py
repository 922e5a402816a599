"""`agentdesk macro list|export|import` on real store files (typer's runner, in process)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agentdesk.cli import app
from agentdesk.desk import Desk
from storage.agents import agent_by_email
from storage.database import Database
from tests.factories import make_macro_workspace, make_workspace
from tests.store_dump import dump_file as dump

LEE = "lee@support.example.com"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "200"})


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = make_macro_workspace(tmp_path / "team.db", tickets=5).path
    db = Database.open(path)
    try:
        with db.read() as conn:
            lee = agent_by_email(conn, LEE)
        assert lee is not None
        Desk(db, lee).create_macro("Lee's own", 'Say "hi" \\ to {{customer.name}}\n\n\tindented')
    finally:
        db.close()
    return path


def test_list_json(store: Path) -> None:
    result = run("macro", "list", "--json", "--db", str(store))
    assert result.exit_code == 0
    macros = json.loads(result.stdout)
    titles = [m["title"] for m in macros]
    assert "Ben's secret" not in titles
    refund = next(m for m in macros if m["id"] == "MA-REFUND")
    assert refund["scope"] == "shared"
    assert refund["actions"] == {"status": "solved", "add_tags": ["refund"]}
    assert refund["usage_count"] == 0


def test_list_for_people(store: Path) -> None:
    result = run("macro", "list", "--db", str(store))
    assert result.exit_code == 0
    assert "Refund approved" in result.stdout
    assert "MA-REFUND" in result.stdout
    assert "status → solved, +refund" in result.stdout


def test_round_trip_is_byte_identical(store: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.toml"
    assert run("macro", "export", str(first), "--db", str(store), "--as", LEE).exit_code == 0
    fresh = make_workspace(tmp_path / "fresh.db", tickets=1).path
    imported = run("macro", "import", str(first), "--db", str(fresh), "--as", LEE)
    assert imported.exit_code == 0, imported.stderr
    assert "5 created, 0 updated, 0 unchanged" in imported.stdout
    second = run("macro", "export", "--db", str(fresh), "--as", LEE)
    assert second.stdout == first.read_text(encoding="utf-8")
    again = run("macro", "import", str(first), "--db", str(fresh), "--as", LEE)
    assert "0 created, 0 updated, 5 unchanged" in again.stdout


def test_import_updates_by_id_and_creates_without_one(store: Path, tmp_path: Path) -> None:
    file = tmp_path / "m.toml"
    file.write_text(
        '[[macro]]\nid = "MA-RESET"\ntitle = "Reset v2"\nscope = "shared"\nbody = "New text"\n\n'
        '[[macro]]\ntitle = "Brand new"\nscope = "personal"\nbody = "Hello {{agent.name}}"\n',
        encoding="utf-8",
    )
    result = run("macro", "import", str(file), "--db", str(store), "--as", LEE)
    assert result.exit_code == 0, result.stderr
    assert "1 created, 1 updated, 0 unchanged" in result.stdout
    conn = sqlite3.connect(store)
    try:
        assert conn.execute("SELECT title FROM macro WHERE id = 'MA-RESET'").fetchone() == (
            "Reset v2",
        )
        owner = conn.execute("SELECT owner_id FROM macro WHERE title = 'Brand new'").fetchone()
        ops = [op for (op,) in conn.execute("SELECT op FROM outbox ORDER BY seq")]
    finally:
        conn.close()
    assert owner == ("AG-LEE",)
    assert ops[-2:] == ["update_macro", "create_macro"]


def test_import_is_all_or_nothing_with_every_problem(store: Path, tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(
        '[[macro]]\ntitle = "Fine"\nbody = "ok"\n\n'
        '[[macro]]\ntitle = "Shared by a tier-1"\nscope = "shared"\nbody = "ok"\n\n'
        '[[macro]]\ntitle = "Lost group"\nbody = "ok"\nactions = { group = "Nowhere" }\n\n'
        '[[macro]]\nid = "MA-BEN"\ntitle = "Not mine"\nbody = "ok"\n',
        encoding="utf-8",
    )
    before = dump(store)
    result = run("macro", "import", str(file), "--db", str(store))  # as Ana, tier 1
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"agentdesk: {file}:macro[2]: shared macros are managed by leads and admins; "
        "save it as a personal macro",
        f"{file}:macro[3]:actions.group: no group 'Nowhere'; groups: Frontline",
        f"{file}:macro[4]: macro \"Ben's secret\" is Ben Okafor's personal macro; "
        "only they can change it",
    ]
    assert dump(store) == before


def test_file_problems_are_reported_before_the_store_is_opened(store: Path, tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text('[[macro]]\ntitle = "x"\nbody = "Hi {{customer.nmae}}"\n', encoding="utf-8")
    before = dump(store)
    result = run("macro", "import", str(file), "--db", str(store))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"agentdesk: {file}:macro[1]:body: unknown placeholder {{{{customer.nmae}}}} at line 1"
    )
    assert dump(store) == before
    missing = run("macro", "import", str(tmp_path / "none.toml"), "--db", str(store))
    assert missing.exit_code == 2


def test_dry_run_writes_nothing(store: Path, tmp_path: Path) -> None:
    file = tmp_path / "m.toml"
    file.write_text('[[macro]]\ntitle = "New"\nbody = "Hi"\n', encoding="utf-8")
    before = dump(store)
    result = run("macro", "import", str(file), "--dry-run", "--db", str(store))
    assert result.exit_code == 0
    assert "would import" in result.stdout and "1 created" in result.stdout
    assert dump(store) == before
