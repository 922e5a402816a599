"""`agentdesk ticket …`, run as real subprocesses on real store files.

Like tests/unit/test_cli.py: HOME, the XDG dirs and AGENTDESK_CONFIG point into a
tmp dir, every scenario gets its own copy of the store, and all the processes are
started together when the module's fixture is set up (start-up is most of their
cost), then each test checks one result.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desk import Desk
from storage.agents import agent_by_email
from storage.database import Database
from tests.cli_support import sealed_env
from tests.factories import HOSTILE_BODY, T0, add_ticket, make_workspace, ticket_id
from tests.store_dump import Rows
from tests.store_dump import dump_file as dump

TIER_3 = "eva@support.example.com"


def rows(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@dataclass
class Case:
    process: subprocess.Popen[str]
    store: Path
    before: Rows
    stdin: str | None
    result: Run | None = None


@dataclass
class Cli:
    """Starts `agentdesk ticket` processes at once; each result is awaited on demand.

    ``command`` is what follows `agentdesk` (other command groups' tests reuse this).
    """

    root: Path
    env: dict[str, str]
    cases: dict[str, Case] = field(default_factory=dict)
    command: tuple[str, ...] = ("ticket",)

    def start(self, name: str, template: Path, *args: str, stdin: str | None = None) -> None:
        folder = self.root / name
        folder.mkdir()
        store = folder / "team.db"
        shutil.copyfile(template, store)
        process = subprocess.Popen(
            [sys.executable, "-m", "agentdesk", *self.command, *args, "--db", str(store)],
            env=self.env,
            cwd=folder,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.cases[name] = Case(process, store, dump(template), stdin)

    def __getitem__(self, name: str) -> Run:
        case = self.cases[name]
        if case.result is None:
            out, err = case.process.communicate(case.stdin, timeout=60)
            case.result = Run(case.process.returncode, out, err)
        return case.result

    def store(self, name: str) -> Path:
        self[name]
        return self.cases[name].store

    def unchanged(self, name: str) -> bool:
        self[name]
        case = self.cases[name]
        return dump(case.store) == case.before

    def close(self) -> None:
        for case in self.cases.values():
            if case.process.poll() is None:
                case.process.kill()
            if case.result is None:
                case.process.communicate()


def _templates(root: Path) -> tuple[Path, Path]:
    """A plain store, and one with a history (a reply, a note, a status change)."""
    plain = root / "plain.db"
    make_workspace(plain, tickets=12)
    conn = sqlite3.connect(plain, isolation_level=None)
    add_ticket(conn, 2000, subject="Closed one", status="closed")
    conn.execute(
        "INSERT INTO agent (id, name, email, tier, active, created_at)"
        " VALUES ('AG-OLD', 'Old Timer', 'old@support.example.com', '1', 0, ?)",
        (T0,),
    )
    conn.close()
    history = root / "history.db"
    shutil.copyfile(plain, history)
    db = Database.open(history)
    try:
        with db.read() as read:
            ana = agent_by_email(read, "ana@support.example.com")
            eva = agent_by_email(read, TIER_3)  # tier 3 may write restricted notes
        assert ana is not None and eva is not None
        ticks = iter(range(T0 + 1000, T0 + 100_000, 1000))
        desk = Desk(db, ana, clock=lambda: next(ticks))
        desk.reply("#1002", "We are on it.")
        Desk(db, eva, clock=lambda: next(ticks)).note(
            "#1002", "Looks like the [red]SSO[/red] bug", restricted=True
        )
        desk.set_status("#1002", "open")
    finally:
        db.close()
    return plain, history


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    root = tmp_path_factory.mktemp("cli-ticket")
    (root / "home").mkdir()
    plain, history = _templates(root)
    c = Cli(root, sealed_env(root))
    try:
        _start(c, plain, history, root)
        yield c
    finally:
        c.close()


def _start(c: Cli, plain: Path, history: Path, root: Path) -> None:
    body_file = root / "body.txt"
    body_file.write_text("From a file ✓\n", encoding="utf-8")
    # reads
    c.start("list-json", plain, "list", "--view", "all-open", "--limit", "5", "--json")
    c.start("list-default", plain, "list", "--json")
    c.start("list-table", plain, "list", "--view", "all-open")
    c.start("list-query", plain, "list", "--query", "status:open", "--json")
    c.start("show-json", history, "show", "#1002", "--json", "--as", TIER_3)
    c.start("show-text", history, "show", "1002", "--as", TIER_3)
    # changes
    c.start("reply", plain, "reply", "#1001", "--body", "Hello [bold]there[/bold]", "--json")
    c.start("reply-stdin", plain, "reply", "1001", "--body", "-", stdin="Line one\nLine two\n")
    c.start("reply-file", plain, "reply", "1001", "--body-file", str(body_file))
    c.start(
        "note", plain, "note", "1001", "--body", "-", "--restricted", "--as", TIER_3, stdin="x\n"
    )
    c.start(
        "set-several",
        plain,
        "set",
        "1001",
        "--status",
        "pending",
        "--priority",
        "urgent",
        "--assignee",
        "me",
        "--group",
        "frontline",
        "--add-tag",
        "VIP Customer",
        "--add-tag",
        "billing",
        "--json",
    )
    # refusals: exit 1, one line, nothing changed
    c.start("unknown-ticket", plain, "reply", "#99999", "--body", "hi")
    c.start("closed", plain, "note", "#2000", "--body", "hi")
    c.start("illegal", plain, "set", "1001", "--status", "closed")
    c.start("same-value", plain, "set", "1001", "--priority", "normal")
    c.start("empty-body", plain, "reply", "1001", "--body", "-", stdin="  \n\n")
    c.start("unknown-assignee", plain, "set", "1001", "--assignee", "nobody@x.io")
    c.start("all-or-nothing", plain, "set", "1001", "--priority", "urgent", "--add-tag", "no/slash")
    c.start(
        "inactive-agent",
        plain,
        "set",
        "1001",
        "--status",
        "pending",
        "--as",
        "old@support.example.com",
    )
    # usage errors: exit 2
    c.start("set-nothing", plain, "set", "1001")
    c.start("reply-no-body", plain, "reply", "1001")
    c.start("bad-view", plain, "list", "--view", "everything")
    c.start("view-and-query", plain, "list", "--view", "pending", "--query", "x")


def assert_refused(run: Run, code: int = 1) -> str:
    assert run.code == code, run
    assert run.out == ""
    assert len(run.err.splitlines()) == 1, run.err
    assert run.err.startswith("agentdesk: ")
    return run.err.strip()


def outbox(path: Path) -> list[tuple[Any, ...]]:
    return rows(path, "SELECT op, ticket_id, base_version, args FROM outbox ORDER BY seq")


def audit(path: Path) -> list[tuple[Any, ...]]:
    return rows(
        path,
        "SELECT action, field, old_value, new_value, agent_id FROM audit_event ORDER BY rowid",
    )


# --------------------------------------------------------------------------- list


def test_list_json_is_the_view_in_queue_order(cli: Cli) -> None:
    run = cli["list-json"]
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert (data["view"], data["query"], data["total"]) == ("all-open", None, 12)
    assert [t["number"] for t in data["tickets"]] == [1000, 1001, 1002, 1003, 1004]
    assert data["tickets"][0] == {
        "number": 1000,
        "id": ticket_id(1000),
        "subject": "Printer jam number 0",
        "status": "new",
        "priority": "low",
        "requester": "Zoë Ålander",
        "channel": "email",
        "assignee": "Ana Lima",
        "tier": 1,
        "updated_at": T0,
        "version": 1,
        "sla_due_at": None,  # no SLA policy in this workspace
        "sla_paused_left_ms": None,
    }


def test_list_defaults_to_the_agents_view(cli: Cli) -> None:
    run = cli["list-default"]
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["view"] == "my-tier"
    assert len(data["tickets"]) == 12


def test_list_table_shows_customer_text_as_plain_text(cli: Cli) -> None:
    run = cli["list-table"]
    assert run.code == 0, run.err
    assert "All open: 12 of 12" in run.out
    assert "Printer jam number 0" in run.out
    assert "[bold]Mallory[/bold]" in run.out, "markup in a name must print as typed"


def test_list_query(cli: Cli) -> None:
    run = cli["list-query"]
    if importlib.util.find_spec("agentdesk.domain.query") is None:
        assert "--query is not available" in assert_refused(run, code=2)
        return
    assert run.code == 0, run.err
    assert json.loads(run.out)["query"] == "status:open"


# --------------------------------------------------------------------------- show


def test_show_json_has_fields_thread_and_audit(cli: Cli) -> None:
    run = cli["show-json"]
    assert run.code == 0, run.err
    data = json.loads(run.out)
    ticket = data["ticket"]
    assert (ticket["number"], ticket["status"], ticket["version"]) == (1002, "open", 4)
    assert ticket["requester"]["name"] == "[bold]Mallory[/bold]"
    assert ticket["first_response_at"] == T0 + 1000
    assert ticket["tags"] == []
    thread = [(m["kind"], m["author"], m["body"], m["restricted"]) for m in data["thread"]]
    assert thread == [
        ("customer", "[bold]Mallory[/bold]", HOSTILE_BODY, False),
        ("public", "Ana Lima", "We are on it.", False),
        ("internal", "Eva Novak", "Looks like the [red]SSO[/red] bug", True),
    ]
    trail = [(e["action"], e["agent"], e["old_value"], e["new_value"]) for e in data["audit"]]
    assert trail[0] == ("set_status", "Ana Lima", "pending", "open")
    assert [e["action"] for e in data["audit"]] == ["set_status", "note", "reply"]
    assert all(
        e["mutation_id"].endswith(f":{n}") for e, n in zip(data["audit"], (3, 2, 1), strict=True)
    )


def test_show_text_is_plain_and_neutralises_control_sequences(cli: Cli) -> None:
    run = cli["show-text"]
    assert run.code == 0, run.err
    assert "#1002  Login problem 2" in run.out
    assert "[link=http://evil.example]click[/link] ␛[2J␛[31mred" in run.out
    assert "\x1b" not in run.out
    assert "Looks like the [red]SSO[/red] bug" in run.out
    assert run.out.index("We are on it.") < run.out.index("Looks like the")  # oldest first
    assert "Audit trail (3 events, newest first)" in run.out
    assert "status: pending → open" in run.out


# --------------------------------------------------------------------------- changes


def test_reply_with_body(cli: Cli) -> None:
    run = cli["reply"]
    assert run.code == 0, run.err
    (applied,) = json.loads(run.out)["applied"]
    assert applied | {"mutation_seq": 1} == {
        "ticket_id": ticket_id(1001),
        "number": 1001,
        "op": "reply",
        "mutation_seq": 1,
        "version": 2,
    }
    store = cli.store("reply")
    bodies = rows(store, "SELECT kind, body, author_agent_id FROM message WHERE kind = 'public'")
    assert bodies == [("public", "Hello [bold]there[/bold]", "AG-ANA")]
    ((op, tid, base, args),) = outbox(store)
    assert (op, tid, base, json.loads(args)["body"]) == (
        "reply",
        ticket_id(1001),
        1,
        "Hello [bold]there[/bold]",
    )
    assert [a[0] for a in audit(store)] == ["reply"]


def test_reply_from_stdin_and_from_a_file(cli: Cli) -> None:
    for name, body in (("reply-stdin", "Line one\nLine two"), ("reply-file", "From a file ✓")):
        run = cli[name]
        assert run.code == 0, run.err
        assert run.out == "#1001: reply sent (version 2)\n"
        assert rows(cli.store(name), "SELECT body FROM message WHERE kind = 'public'") == [(body,)]


def test_restricted_note_from_stdin(cli: Cli) -> None:
    run = cli["note"]
    assert run.code == 0, run.err
    assert rows(
        cli.store("note"), "SELECT kind, body, restricted FROM message WHERE kind != 'customer'"
    ) == [("internal", "x", 1)]


def test_set_applies_several_changes_together(cli: Cli) -> None:
    run = cli["set-several"]
    assert run.code == 0, run.err
    applied = json.loads(run.out)["applied"]
    assert [(a["op"], a["version"]) for a in applied] == [
        ("assign", 2),
        ("set_priority", 3),
        ("add_tags", 4),
        ("set_status", 5),
    ]
    store = cli.store("set-several")
    assert rows(
        store,
        "SELECT status, priority, assignee_id, group_id, version FROM ticket WHERE number = 1001",
    ) == [("pending", "urgent", "AG-ANA", "GR-FRONT", 5)]
    tags = rows(
        store, "SELECT tag FROM ticket_tag WHERE ticket_id = ? ORDER BY tag", ticket_id(1001)
    )
    assert tags == [("billing",), ("vip-customer",)]
    assert [(op, base) for op, _, base, _ in outbox(store)] == [
        ("assign", 1),
        ("set_priority", 2),
        ("add_tags", 3),
        ("set_status", 4),
    ]
    assert [a[0] for a in audit(store)] == ["assign", "set_priority", "add_tags", "set_status"]


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown-ticket", "agentdesk: no ticket #99999"),
        ("closed", "#2000 is closed and can no longer change; a follow-up needs a new ticket"),
        ("illegal", "#1001 cannot go from open to closed"),
        ("same-value", "#1001 already has normal priority"),
        ("empty-body", "the message is empty"),
        ("unknown-assignee", "no agent 'nobody@x.io'"),
        ("all-or-nothing", "#1001: tag 'no/slash' contains '/'"),
        ("inactive-agent", "old@support.example.com is deactivated"),
    ],
)
def test_refusals_exit_1_with_one_line_and_change_nothing(
    cli: Cli, case: str, message: str
) -> None:
    assert message in assert_refused(cli[case])
    assert cli.unchanged(case)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("set-nothing", "nothing to change"),
        ("reply-no-body", "--body TEXT, --body - (stdin) or --body-file PATH"),
        ("bad-view", "unknown view 'everything'; use one of: my-open, unassigned"),
        ("view-and-query", "give --view or --query, not both"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, case: str, message: str) -> None:
    assert message in assert_refused(cli[case], code=2)
    assert cli.unchanged(case)
