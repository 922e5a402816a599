"""`agentdesk ticket link|unlink|merge` and what `ticket show` says about links, as real processes.

Uses the harness of tests/unit/test_cli_ticket.py: every scenario gets its own copy
of a store and all processes start together when the module's fixture is set up.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.desk import Desk
from storage.agents import agent_by_email
from storage.database import Database
from tests.cli_support import sealed_env
from tests.factories import T0, link_to_incident, make_workspace, ticket_id
from tests.unit.test_cli_ticket import Cli, assert_refused, rows


def _templates(root: Path) -> tuple[Path, Path]:
    """#1005 is an incident with #1006 and #1007 linked; in the second, #1000 went into #1003."""
    linked = root / "linked.db"
    make_workspace(linked, tickets=12)
    conn = sqlite3.connect(linked, isolation_level=None)
    link_to_incident(conn, 1005, [1006, 1007])
    conn.close()
    merged = root / "merged.db"
    shutil.copyfile(linked, merged)
    db = Database.open(merged)
    try:
        with db.read() as read:
            ana = agent_by_email(read, "ana@support.example.com")
        assert ana is not None
        ticks = iter(range(T0 + 1000, T0 + 100_000, 1000))
        Desk(db, ana, clock=lambda: next(ticks)).merge("#1000", "#1003")
    finally:
        db.close()
    return linked, merged


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    root = tmp_path_factory.mktemp("cli-incidents")
    (root / "home").mkdir()
    linked, merged = _templates(root)
    c = Cli(root, sealed_env(root))
    try:
        c.start("link", linked, "link", "1001", "#1002", "--incident", "#1005", "--json")
        c.start("unlink", linked, "unlink", "1006")
        c.start("merge", linked, "merge", "1000", "--into", "1003")
        c.start("show-incident", linked, "show", "1005", "--json")
        c.start("show-incident-text", linked, "show", "1005")
        c.start("show-source", merged, "show", "1000")
        c.start("show-target", merged, "show", "1003", "--json")
        c.start("show-target-text", merged, "show", "1003")
        c.start("link-nested", linked, "link", "1001", "1005", "--incident", "1009")
        c.start("link-itself", linked, "link", "1001", "--incident", "1001")
        c.start("merge-other-requester", linked, "merge", "1001", "--into", "1000")
        c.start("merge-again", merged, "merge", "1000", "--into", "1006")
        c.start("unlink-not-linked", linked, "unlink", "1001")
        c.start("link-no-incident", linked, "link", "1001")
        yield c
    finally:
        c.close()


def test_link_several_tickets_in_one_go(cli: Cli) -> None:
    run = cli["link"]
    assert run.code == 0, run.err
    applied = json.loads(run.out)["applied"]
    assert [(a["number"], a["op"]) for a in applied] == [
        (1001, "link_incident"),
        (1002, "link_incident"),
    ]
    store = cli.store("link")
    found = rows(store, "SELECT number FROM ticket WHERE parent_id = ?", ticket_id(1005))
    assert sorted(n for (n,) in found) == [1001, 1002, 1006, 1007]


def test_unlink(cli: Cli) -> None:
    run = cli["unlink"]
    assert run.code == 0, run.err
    assert run.out == "#1006: unlinked from its incident (version 2)\n"
    assert rows(cli.store("unlink"), "SELECT parent_id FROM ticket WHERE number = 1006") == [
        (None,)
    ]


def test_merge_reports_both_tickets(cli: Cli) -> None:
    run = cli["merge"]
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "#1000: merged and closed (version 2)",
        "#1003: merge recorded (version 2)",
    ]
    assert rows(
        cli.store("merge"), "SELECT status, merged_into_id FROM ticket WHERE number = 1000"
    ) == [("closed", ticket_id(1003))]


def test_show_json_of_an_incident_lists_its_links(cli: Cli) -> None:
    run = cli["show-incident"]
    assert run.code == 0, run.err
    links = json.loads(run.out)["links"]
    assert (links["linked_total"], links["linked_unsolved"]) == (2, 2)
    assert [t["number"] for t in links["linked"]] == [1006, 1007]
    assert links["linked"][0]["requester"] == "Zoë Ålander"
    assert (links["incident"], links["merged_into"], links["merged_from"]) == (None, None, [])


def test_show_text_of_an_incident(cli: Cli) -> None:
    run = cli["show-incident-text"]
    assert run.code == 0, run.err
    assert "Incident · 2 linked tickets, 2 unsolved" in run.out
    assert "  #1006  pending  Zoë Ålander  Login problem 6" in run.out


def test_show_of_a_merged_ticket_says_where_it_went(cli: Cli) -> None:
    run = cli["show-source"]
    assert run.code == 0, run.err
    assert "Status closed" in run.out
    assert "Merged into #1003 · this ticket is closed; its conversation continues in #1003" in (
        run.out
    )


def test_show_of_the_target_marks_the_merged_messages(cli: Cli) -> None:
    data = json.loads(cli["show-target"].out)
    assert [t["number"] for t in data["links"]["merged_from"]] == [1000]
    by_id = {m["id"]: m for m in data["thread"]}
    assert by_id["MSG-1000"]["source_number"] == 1000
    assert by_id["MSG-1003"]["source_number"] is None
    text = cli["show-target-text"].out
    assert "Merged here: #1000" in text
    assert "(customer, from #1000)" in text


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("link-nested", "#1005 is an incident with 2 linked tickets; an incident cannot be"),
        ("link-itself", "#1001 cannot be linked to itself"),
        ("merge-other-requester", "#1001 and #1000 have different requesters"),
        ("merge-again", "#1000 was already merged into #1003"),
        ("unlink-not-linked", "#1001 is not linked to an incident"),
    ],
)
def test_refusals_exit_1_with_one_line_and_change_nothing(
    cli: Cli, case: str, message: str
) -> None:
    assert message in assert_refused(cli[case])
    assert cli.unchanged(case)


def test_link_without_an_incident_is_a_usage_error(cli: Cli) -> None:
    run = cli["link-no-incident"]
    assert run.code == 2
    assert "--incident" in run.err
    assert cli.unchanged("link-no-incident")
