"""`agentdesk escalate` and `agentdesk escalation …`, run as real subprocesses on real stores.

Every scenario gets its own copy of a store and all processes start together when
the module's fixture is set up (start-up is most of their cost), as in
tests/unit/test_cli_ticket.py, whose runner this reuses.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.desk import Desk
from storage.agents import agent_by_email
from storage.database import Database
from tests.cli_support import sealed_env
from tests.factories import make_escalation_workspace, ticket_id
from tests.unit.test_cli_ticket import Cli, Run, assert_refused, audit, outbox, rows

ANA, DEV, EVA = "ana@support.example.com", "dev@support.example.com", "eva@support.example.com"
HANDOFF = ("--summary", "Sync stuck", "--tried", "Re-login", "--impact", "Three users")


def _desk(db: Database, email: str) -> Desk:
    """A Desk on the real clock: the subprocesses judge the handoff SLA at the real now."""
    with db.read() as conn:
        agent = agent_by_email(conn, email)
    assert agent is not None
    return Desk(db, agent, clock=lambda: int(time.time() * 1000))


def _templates(root: Path) -> tuple[Path, Path]:
    """A plain store, and one where tier 1 escalated #1001 (normal) and #1003 (urgent)."""
    plain = make_escalation_workspace(root / "plain.db", tickets=12).path
    escalated = root / "escalated.db"
    make_escalation_workspace(escalated, tickets=12)
    db = Database.open(escalated)
    try:
        handoff = {"reason": "bug", "summary": "Login loop", "tried": "Cookies", "impact": "One"}
        _desk(db, ANA).escalate("#1001", tier=2, group="Technical", **handoff)
        _desk(db, ANA).escalate("#1003", tier=2, **handoff)
        _desk(db, EVA).note("#1002", "Root cause: CVE-2026-1", restricted=True)
    finally:
        db.close()
    return plain, escalated


def _escalation_id(store: Path, number: int) -> str:
    conn = sqlite3.connect(store)
    try:
        return str(
            conn.execute(
                "SELECT id FROM escalation WHERE ticket_id = ?", (ticket_id(number),)
            ).fetchone()[0]
        )
    finally:
        conn.close()


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    root = tmp_path_factory.mktemp("cli-escalation")
    (root / "home").mkdir()
    plain, escalated = _templates(root)
    c = Cli(root, sealed_env(root), command=())
    try:
        _start(c, plain, escalated)
        yield c
    finally:
        c.close()


def _start(c: Cli, plain: Path, escalated: Path) -> None:
    more = ("--group", "technical", "--links", "https://logs.example/q=1")
    c.start("escalate", plain, "escalate", "1001", "--tier", "2", "--reason", "outage", *HANDOFF,
            *more, "--link", "https://bugs.example/ENG-7", "--json")  # fmt: skip
    c.start("escalate-no-tried", plain, "escalate", "1001", "--tier", "2", "--reason", "bug",
            "--summary", "S", "--tried", " ", "--impact", "I")  # fmt: skip
    c.start("escalate-bad-link", plain, "escalate", "1001", "--tier", "3", "--reason", "bug",
            *HANDOFF, "--link", "bugs.example/1")  # fmt: skip
    c.start("escalate-wrong-group", plain, "escalate", "1001", "--tier", "3", "--reason", "bug",
            *HANDOFF, "--group", "Technical")  # fmt: skip
    c.start("escalate-no-summary", plain, "escalate", "1001", "--tier", "2", "--reason", "bug")
    c.start("escalate-tier-word", plain, "escalate", "1001", "--tier", "two", "--reason", "bug",
            *HANDOFF)  # fmt: skip
    c.start("list-dev-json", escalated, "escalation", "list", "--json", "--as", DEV)
    c.start("list-tier-1", escalated, "escalation", "list")
    c.start("list-all", escalated, "escalation", "list", "--all")
    c.start("list-both", escalated, "escalation", "list", "--all", "--tier", "2")
    c.start("ack", escalated, "escalation", "ack", "1001", "--as", DEV)
    c.start("ack-by-id", escalated, "escalation", "ack", _escalation_id(escalated, 1003),
            "--as", "lee@support.example.com", "--json")  # fmt: skip
    c.start("ack-tier-1", escalated, "escalation", "ack", "1001")
    c.start("ack-unknown", escalated, "escalation", "ack", "01NOSUCHESCALATION00000000")
    c.start("handback", escalated, "escalation", "handback", "1001", "--instructions", "-",
            "--as", DEV, stdin="Collect the sync log\n")  # fmt: skip
    c.start("handback-empty", escalated, "escalation", "handback", "1001", "--instructions",
            " ", "--as", DEV)  # fmt: skip
    c.start("show-tier-1", escalated, "ticket", "show", "1002", "--json")
    c.start("show-tier-3", escalated, "ticket", "show", "1002", "--json", "--as", EVA)
    c.start("show-text-tier-1", escalated, "ticket", "show", "1001")
    c.start("restricted-note-tier-1", plain, "ticket", "note", "1001", "--body", "x",
            "--restricted")  # fmt: skip


# --------------------------------------------------------------------------- escalate


def test_escalate_writes_the_handoff_in_one_mutation(cli: Cli) -> None:
    run = cli["escalate"]
    assert run.code == 0, run.err
    (applied,) = json.loads(run.out)["applied"]
    assert (applied["number"], applied["op"], applied["version"]) == (1001, "escalate", 2)
    store = cli.store("escalate")
    assert rows(store, "SELECT tier, group_id, assignee_id FROM ticket WHERE number = 1001") == [
        (2, "GR-TECH", None)
    ]
    assert rows(
        store, "SELECT reason, summary, tried, impact, links, external_url, state FROM escalation"
    ) == [
        (
            "outage",
            "Sync stuck",
            "Re-login",
            "Three users",
            "https://logs.example/q=1",
            "https://bugs.example/ENG-7",
            "open",
        )
    ]
    ((op, _, _, args),) = outbox(store)
    assert (op, json.loads(args)["group"]) == ("escalate", "GR-TECH")
    assert [(a[0], a[1]) for a in audit(store)] == [("escalate", "escalation")]
    (note,) = rows(store, "SELECT body FROM message WHERE kind = 'internal'")
    assert note[0].startswith("Escalated from tier 1 to tier 2 (Technical) · reason: Outage")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("escalate-no-tried", "the steps already tried are required, so nobody repeats them"),
        ("escalate-bad-link", "the link must be a web address starting with http:// or https://"),
        ("escalate-wrong-group", "Technical is a tier-2 group; tier-3 groups: Engineering"),
        ("ack-tier-1", "only tier-2 agents, leads and admins can acknowledge an escalation"),
        ("ack-unknown", "no ticket or escalation 01NOSUCHESCALATION00000000"),
        ("handback-empty", "instructions are required: tell the lower tier what to do next"),
        ("restricted-note-tier-1", "only tier-3 agents, leads and admins can write restricted"),
    ],
)
def test_refusals_exit_1_with_the_tui_sentence_and_change_nothing(
    cli: Cli, case: str, message: str
) -> None:
    assert message in assert_refused(cli[case])
    assert cli.unchanged(case)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("escalate-no-summary", "Missing option '--summary'"),
        ("escalate-tier-word", "Invalid value for '--tier'"),
        ("list-both", "give --tier or --all, not both"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, case: str, message: str) -> None:
    run = cli[case]
    assert run.code == 2, run
    assert message in " ".join(run.err.replace("│", " ").split())
    assert cli.unchanged(case)


# --------------------------------------------------------------------------- list


def test_list_json_is_the_tiers_queue_due_first(cli: Cli) -> None:
    run = cli["list-dev-json"]
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["tiers"] == [2]
    listed = [(e["ticket"]["number"], e["priority"], e["handoff_sla"]) for e in data["escalations"]]
    assert listed == [(1003, "urgent", "waiting"), (1001, "normal", "waiting")]
    first = data["escalations"][0]
    assert first["ack_due_at"] == first["created_at"] + 30 * 60_000  # urgent: 30 minutes
    assert (first["created_by"], first["reason"], first["state"]) == ("Ana Lima", "bug", "open")


def test_list_as_tier_1_says_where_to_look(cli: Cli) -> None:
    run = cli["list-tier-1"]
    assert (run.code, run.err) == (0, "")
    assert "No escalations come to tier 1" in run.out


def test_list_all_is_a_plain_table(cli: Cli) -> None:
    run = cli["list-all"]
    assert run.code == 0, run.err
    assert "Escalations to tier 2, tier 3: 2" in run.out
    assert run.out.index("1003") < run.out.index("1001")
    assert re.search(r"due in (29|30)m", run.out), run.out


# --------------------------------------------------------------------------- ack, handback


def test_ack_assigns_the_ticket_to_the_engineer(cli: Cli) -> None:
    run = cli["ack"]
    assert run.code == 0, run.err
    assert run.out == "#1001: escalation acknowledged; assigned to you (version 3)\n"
    store = cli.store("ack")
    assert rows(store, "SELECT assignee_id FROM ticket WHERE number = 1001") == [("AG-DEV",)]
    assert rows(
        store, "SELECT state, acknowledged_by_id FROM escalation WHERE ticket_id = ?",
        ticket_id(1001),
    ) == [("acknowledged", "AG-DEV")]  # fmt: skip


def test_ack_by_escalation_id(cli: Cli) -> None:
    run = cli["ack-by-id"]
    assert run.code == 0, run.err
    assert json.loads(run.out)["applied"][0]["number"] == 1003
    assert rows(cli.store("ack-by-id"), "SELECT assignee_id FROM ticket WHERE number = 1003") == [
        ("AG-LEE",)
    ]


def test_handback_reads_instructions_from_stdin(cli: Cli) -> None:
    run = cli["handback"]
    assert run.code == 0, run.err
    assert run.out == "#1001: handed back (version 3)\n"
    store = cli.store("handback")
    assert rows(store, "SELECT tier, group_id, assignee_id FROM ticket WHERE number = 1001") == [
        (1, None, "AG-ANA")
    ]
    assert rows(
        store, "SELECT state, instructions FROM escalation WHERE ticket_id = ?", ticket_id(1001)
    ) == [("handed-back", "Collect the sync log")]


# --------------------------------------------------------------------------- ticket show


def _thread(run: Run) -> list[str]:
    assert run.code == 0, run.err
    return [m["body"] for m in json.loads(run.out)["thread"]]


def test_show_hides_restricted_notes_from_tier_1(cli: Cli) -> None:
    assert "Root cause: CVE-2026-1" not in _thread(cli["show-tier-1"])
    assert "Root cause: CVE-2026-1" in _thread(cli["show-tier-3"])


def test_show_lists_the_escalations(cli: Cli) -> None:
    run = cli["show-text-tier-1"]
    assert run.code == 0, run.err
    assert "Escalations (1, oldest first):" in run.out
    assert "Ana Lima: tier 1 → 2 (Technical) · Bug · waiting" in run.out
    assert json.loads(cli["show-tier-1"].out)["escalations"] == []
