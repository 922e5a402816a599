"""`agentdesk sla list|set|recompute` on real store files (typer's runner, in process)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agentdesk.cli import app
from tests.factories import MINUTE, T0, make_sla_workspace, ticket_id

LEE = "lee@support.example.com"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "100"})


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_sla_workspace(tmp_path / "team.db", tickets=12).path


def query(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_list_for_people_in_the_order_policies_are_tried(store: Path) -> None:
    result = run("sla", "list", "--db", str(store))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    low = next(i for i, line in enumerate(lines) if line.split()[1:2] == ["Low"])
    rest = next(i for i, line in enumerate(lines) if "Everything else" in line)
    assert low < rest  # position order: the first match applies
    assert lines[low].split() == ["0", "Low", "low", "any", "20m", "1h", "8h", "3"]
    assert "Everything else  24x7 (UTC)" in result.stdout


def test_list_json(store: Path) -> None:
    result = run("sla", "list", "--json", "--db", str(store))
    assert result.exit_code == 0
    low, rest = json.loads(result.stdout)
    assert low["name"] == "Low" and low["priority"] == "low" and low["plan"] is None
    assert (low["first_response_minutes"], low["resolution_minutes"]) == (20, 480)
    assert low["unsolved_tickets"] == 3 and low["problem"] is None
    assert rest["calendar"] == {}


def test_set_creates_a_policy_and_recomputes_its_tickets(store: Path, tmp_path: Path) -> None:
    calendar = tmp_path / "office.json"
    calendar.write_text('{"tz": "UTC", "hours": {"thu": [["00:00", "21:00"]]}}')
    result = run(
        "sla", "set", "Normal office", "--priority", "normal", "--first-response", "30m",
        "--calendar", str(calendar), "--position", "0", "--db", str(store), "--as", LEE,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("SLA policy 'Normal office' created (")
    assert "recomputed the SLA clocks of 3 unsolved tickets" in result.stdout
    ((policy, due),) = query(
        store,
        "SELECT p.name, t.sla_due_at FROM ticket AS t JOIN sla_policy AS p"
        " ON p.id = t.sla_policy_id WHERE t.number = 1001",
    )
    # T0 is a Thursday 20:26 UTC: 28 open minutes are left of today's hours.
    assert (policy, due) == ("Normal office", T0 - 2 * MINUTE + 30 * MINUTE)
    ((op, field),) = query(store, "SELECT action, field FROM audit_event")
    assert (op, field) == ("set_sla_policy", "sla_policy")
    assert query(store, "SELECT op, ticket_id FROM outbox") == [("set_sla_policy", None)]


def test_set_changes_only_the_given_fields(store: Path) -> None:
    result = run(
        "sla", "set", "low", "--hours", "mon-fri 09:00-17:00", "--tz", "Europe/Berlin",
        "--resolution", "none", "--db", str(store), "--as", LEE,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "SLA policy 'low' updated" in result.stdout
    ((first, nxt, resolution, calendar),) = query(
        store,
        "SELECT first_response_minutes, next_response_minutes, resolution_minutes, calendar"
        " FROM sla_policy WHERE id = 'SP-LOW'",
    )
    assert (first, nxt, resolution) == (20, 60, None)
    assert json.loads(calendar)["tz"] == "Europe/Berlin"
    assert json.loads(calendar)["hours"]["sat"] == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--hours", "tue 09:00-25:00"], 1,
         "calendar.hours.tue[0]: '25:00' is not a time of day (HH:MM, 00:00 to 24:00)"),
        (["--tz", "Europe/Berlln"], 1, "calendar.tz: unknown time zone 'Europe/Berlln'"),
        (["--hours", "weekdays 9-5"], 1, "hours: 'weekdays 9-5' is not 'DAYS HH:MM-HH:MM'"),
        (["--first-response", "soon"], 1, "'soon' is not a target such as 30m"),
        (["--plan", "gold"], 1, "unknown plan 'gold'"),
        (["--calendar", "missing.json"], 2, "cannot read missing.json"),
        (["--calendar", "x.json", "--tz", "UTC"], 2, "give --calendar FILE, or --tz"),
    ],
)  # fmt: skip
def test_set_refuses_with_one_line_naming_what_is_wrong(
    store: Path, args: list[str], code: int, message: str
) -> None:
    before = query(store, "SELECT * FROM sla_policy ORDER BY id")
    result = run("sla", "set", "Low", *args, "--db", str(store), "--as", LEE)
    assert result.exit_code == code
    assert result.stderr.startswith(f"agentdesk: {message}")
    assert query(store, "SELECT * FROM sla_policy ORDER BY id") == before
    assert query(store, "SELECT count(*) FROM audit_event") == [(0,)]


def test_set_is_for_leads_and_admins(store: Path) -> None:
    result = run("sla", "set", "Low", "--first-response", "5m", "--db", str(store))
    assert result.exit_code == 1
    assert "SLA policies are set by leads and admins" in result.stderr


def test_recompute_rewrites_lost_clocks(store: Path) -> None:
    derived = "SELECT id, sla_policy_id, sla_due_at, sla_target, sla_paused_left_ms FROM ticket"
    before = (query(store, "SELECT * FROM sla_clock ORDER BY 1, 2, 3"), query(store, derived))
    conn = sqlite3.connect(store)
    with conn:
        conn.execute("DELETE FROM sla_clock")
        conn.execute("UPDATE ticket SET sla_policy_id = NULL, sla_due_at = NULL")
    conn.close()
    result = run("sla", "recompute", "--all", "--db", str(store))
    assert result.exit_code == 0
    assert result.stdout.startswith("recomputed the SLA clocks of 12 tickets in ")
    # The clock is T0 in tests, as when the factory computed them.
    assert (query(store, "SELECT * FROM sla_clock ORDER BY 1, 2, 3"), query(store, derived)) == (
        before
    )
    assert query(store, "SELECT sla_target FROM ticket WHERE id = ?", ticket_id(1000)) == [
        ("first_response",)
    ]
