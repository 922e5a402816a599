"""The Desk on real store files: each action is one transaction with one audit event and
one outbox mutation, and every refusal leaves every row exactly as it was."""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desk import (
    Action,
    Applied,
    BodyTooLarge,
    Desk,
    DeskError,
    EmptyBody,
    InactiveAgent,
    InvalidTag,
    InvalidTransition,
    InvalidValue,
    NothingToChange,
    TicketClosed,
    UnknownAgent,
    UnknownGroup,
    UnknownTicket,
)
from agentdesk.domain.workflow import MAX_BODY_BYTES
from storage.agents import AgentRow, agent_by_email
from storage.database import Database
from storage.errors import StoreError
from tests.factories import T0, add_ticket, make_workspace, ticket_id
from tests.store_dump import Rows, assert_refused_unchanged, dump

#: The tables an action may touch; anything else changing is a bug.
MAY_CHANGE = {"ticket", "ticket_tag", "audit_event", "outbox", "setting", "sqlite_sequence"} | {
    "message",
    "message_fts",
    "message_fts_data",
    "message_fts_idx",
    "message_fts_docsize",
    "ticket_status_change",  # status history and SLA clocks, derived in the same transaction
    "sla_clock",
}
START = T0 + 60_000

# Tickets the factory makes (i = number - 1000): status new/open/pending/on-hold by i % 4,
# priority low/normal/high/urgent by i % 4, assigned to Ana when i % 3 == 0.
NEW, OPEN, PENDING = "#1000", "#1001", "#1002"
CLOSED, SOLVED, TAGGED = "#2000", "#2001", "#2002"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("desk") / "template.db"
    make_workspace(path, tickets=12)
    conn = sqlite3.connect(path, isolation_level=None)
    add_ticket(conn, 2000, subject="Closed one", status="closed")
    add_ticket(conn, 2001, subject="Solved one", status="solved")
    conn.execute("UPDATE ticket SET solved_at = ? WHERE number = 2001", (T0 - 5,))
    add_ticket(conn, 2002, subject="Tagged one", tags=("billing", "vip"))
    conn.execute(
        "INSERT INTO agent (id, name, email, tier, active, created_at)"
        " VALUES ('AG-OLD', 'Old Timer', 'old@support.example.com', '1', 0, ?)",
        (T0,),
    )
    conn.close()
    return path


class Clock:
    """A clock that ticks one second per call, so every write has its own time."""

    def __init__(self) -> None:
        self.ticks = itertools.count(START, 1000)
        self.last = START

    def __call__(self) -> int:
        self.last = next(self.ticks)
        return self.last


@pytest.fixture
def db(tmp_path: Path, template: Path) -> Iterator[Database]:
    path = tmp_path / "desk.db"
    shutil.copyfile(template, path)
    database = Database.open(path)
    yield database
    database.close()


def agent(db: Database, email: str = "ana@support.example.com") -> AgentRow:
    with db.read() as conn:
        found = agent_by_email(conn, email)
    assert found is not None
    return found


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(db: Database, clock: Clock) -> Desk:
    return Desk(db, agent(db), clock=clock)


def query(db: Database, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        return conn.execute(sql, params).fetchall()


def ticket(db: Database, ref: str) -> dict[str, Any]:
    with db.read() as conn:
        conn.row_factory = sqlite3.Row
        try:
            row = conn.execute("SELECT * FROM ticket WHERE number = ?", (int(ref[1:]),)).fetchone()
        finally:
            conn.row_factory = None
    return dict(row)


def tags(db: Database, ref: str) -> set[str]:
    rows = query(db, "SELECT tag FROM ticket_tag WHERE ticket_id = ?", ticket_id(int(ref[1:])))
    return {tag for (tag,) in rows}


def outbox(db: Database) -> list[dict[str, Any]]:
    rows = query(
        db, "SELECT seq, client_id, op, ticket_id, base_version, args, at, state FROM outbox"
    )
    keys = ("seq", "client_id", "op", "ticket_id", "base_version", "args", "at", "state")
    return [dict(zip(keys, row, strict=True)) | {"args": json.loads(row[5])} for row in rows]


def audit(db: Database) -> list[dict[str, Any]]:
    rows = query(
        db,
        "SELECT id, ticket_id, agent_id, action, field, old_value, new_value, mutation_id, at"
        " FROM audit_event ORDER BY rowid",
    )
    keys = ("id", "ticket_id", "agent_id", "action", "field", "old", "new", "mutation_id", "at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def assert_one_mutation(
    db: Database,
    before: Rows,
    applied: Applied,
    *,
    op: str,
    ref: str,
    field: str | None,
    old: str | None,
    new: str | None,
    args: dict[str, Any],
    at: int,
    agent_id: str = "AG-ANA",
) -> None:
    """Exactly one new audit event and one new outbox row, linked, with these contents."""
    number = int(ref[1:])
    tid = ticket_id(number)
    (mutation,) = outbox(db)
    (event,) = audit(db)
    base_version = 1  # every ticket the factory makes starts at version 1
    client_id = query(db, "SELECT value FROM setting WHERE key = 'client_id'")[0][0]
    assert applied == Applied(tid, number, op, mutation["seq"], base_version + 1)
    assert mutation == {
        "seq": mutation["seq"],
        "client_id": client_id,
        "op": op,
        "ticket_id": tid,
        "base_version": base_version,
        "args": args,
        "at": at,
        "state": "pending",
    }
    assert event == {
        "id": event["id"],
        "ticket_id": tid,
        "agent_id": agent_id,
        "action": op,
        "field": field,
        "old": old,
        "new": new,
        "mutation_id": f"{client_id}:{mutation['seq']}",
        "at": at,
    }
    assert len(event["id"]) == 26
    row = ticket(db, ref)
    assert row["version"] == base_version + 1
    assert row["updated_at"] == at
    changed = {name for name, rows in dump(db).items() if rows != before[name]}
    assert changed <= MAY_CHANGE, changed - MAY_CHANGE


# --------------------------------------------------------------------------- each action


def test_reply_appends_a_public_message_and_starts_first_response(
    db: Database, desk: Desk, clock: Clock
) -> None:
    before = dump(db)
    applied = desk.reply(NEW, "\nThanks, looking into it.\n")
    (message,) = query(
        db,
        "SELECT id, kind, author_agent_id, body, restricted, created_at FROM message"
        " WHERE ticket_id = ? AND kind != 'customer'",
        ticket_id(1000),
    )
    assert message[1:] == ("public", "AG-ANA", "Thanks, looking into it.", 0, clock.last)
    assert_one_mutation(
        db,
        before,
        applied,
        op="reply",
        ref=NEW,
        field="message",
        old=None,
        new=message[0],
        args={"body": "Thanks, looking into it.", "message_id": message[0]},
        at=clock.last,
    )
    row = ticket(db, NEW)
    assert row["first_response_at"] == clock.last
    assert row["status"] == "new", "a reply never changes the status by itself"


def test_a_second_reply_keeps_the_first_response_time(db: Database, desk: Desk) -> None:
    desk.reply(NEW, "one")
    first = ticket(db, NEW)["first_response_at"]
    desk.reply(NEW, "two")
    assert ticket(db, NEW)["first_response_at"] == first
    assert ticket(db, NEW)["version"] == 3


def test_restricted_note_is_internal_and_does_not_count_as_a_response(
    db: Database, clock: Clock
) -> None:
    before = dump(db)
    tier_3 = Desk(db, agent(db, "eva@support.example.com"), clock=clock)
    applied = tier_3.note(OPEN, "Escalate if it happens again", restricted=True)
    ((message_id, kind, restricted),) = query(
        db,
        "SELECT id, kind, restricted FROM message WHERE ticket_id = ? AND kind != 'customer'",
        ticket_id(1001),
    )
    assert (kind, restricted) == ("internal", 1)
    assert_one_mutation(
        db,
        before,
        applied,
        op="note",
        ref=OPEN,
        field="message",
        old=None,
        new=message_id,
        args={"body": "Escalate if it happens again", "message_id": message_id, "restricted": True},
        at=clock.last,
        agent_id="AG-EVA",
    )
    assert ticket(db, OPEN)["first_response_at"] is None


def test_set_status(db: Database, desk: Desk, clock: Clock) -> None:
    before = dump(db)
    applied = desk.set_status(OPEN, "pending")
    assert ticket(db, OPEN)["status"] == "pending"
    assert_one_mutation(
        db,
        before,
        applied,
        op="set_status",
        ref=OPEN,
        field="status",
        old="open",
        new="pending",
        args={"status": "pending"},
        at=clock.last,
    )


def test_solving_stamps_solved_at_and_reopening_clears_it(
    db: Database, desk: Desk, clock: Clock
) -> None:
    desk.set_status(PENDING, "solved")
    assert ticket(db, PENDING)["solved_at"] == clock.last
    desk.set_status(PENDING, "open")
    assert ticket(db, PENDING)["solved_at"] is None
    desk.set_status(SOLVED, "closed")
    assert ticket(db, SOLVED)["solved_at"] == T0 - 5, "closing keeps the solve time"


def test_set_priority(db: Database, desk: Desk, clock: Clock) -> None:
    before = dump(db)
    applied = desk.set_priority(NEW, "urgent")
    assert ticket(db, NEW)["priority"] == "urgent"
    assert_one_mutation(
        db,
        before,
        applied,
        op="set_priority",
        ref=NEW,
        field="priority",
        old="low",
        new="urgent",
        args={"priority": "urgent"},
        at=clock.last,
    )


def test_assign_agent_and_group_at_once(db: Database, desk: Desk, clock: Clock) -> None:
    before = dump(db)
    applied = desk.assign(NEW, agent="BEN@support.example.com", group="frontline")
    row = ticket(db, NEW)
    assert (row["assignee_id"], row["group_id"]) == ("AG-BEN", "GR-FRONT")
    assert_one_mutation(
        db,
        before,
        applied,
        op="assign",
        ref=NEW,
        field="assignee,group",
        old="ana@support.example.com, (none)",
        new="ben@support.example.com, Frontline",
        args={"assignee": "AG-BEN", "group": "GR-FRONT"},
        at=clock.last,
    )


def test_assign_to_me_and_unassign(db: Database, desk: Desk, clock: Clock) -> None:
    before = dump(db)
    applied = desk.assign_to_me(OPEN)
    assert ticket(db, OPEN)["assignee_id"] == "AG-ANA"
    assert_one_mutation(
        db,
        before,
        applied,
        op="assign",
        ref=OPEN,
        field="assignee",
        old=None,
        new="ana@support.example.com",
        args={"assignee": "AG-ANA"},
        at=clock.last,
    )
    desk.assign(OPEN, agent=None)
    assert ticket(db, OPEN)["assignee_id"] is None
    assert audit(db)[-1]["new"] is None


def test_add_tags_normalises_and_skips_present_ones(db: Database, desk: Desk, clock: Clock) -> None:
    before = dump(db)
    applied = desk.add_tags(TAGGED, ["Angry Customer", "VIP"])
    assert tags(db, TAGGED) == {"billing", "vip", "angry-customer"}
    assert_one_mutation(
        db,
        before,
        applied,
        op="add_tags",
        ref=TAGGED,
        field="tags",
        old="billing vip",
        new="angry-customer billing vip",
        args={"tags": ["angry-customer", "vip"]},
        at=clock.last,
    )


def test_remove_tags(db: Database, desk: Desk, clock: Clock) -> None:
    before = dump(db)
    applied = desk.remove_tags(TAGGED, ["VIP", "never-there"])
    assert tags(db, TAGGED) == {"billing"}
    assert_one_mutation(
        db,
        before,
        applied,
        op="remove_tags",
        ref=TAGGED,
        field="tags",
        old="billing vip",
        new="billing",
        args={"tags": ["vip", "never-there"]},
        at=clock.last,
    )


def test_a_single_string_is_one_tag(db: Database, desk: Desk) -> None:
    desk.add_tags(NEW, "refund")
    assert tags(db, NEW) == {"refund"}


def test_tickets_are_found_by_number_hash_or_ulid(db: Database, desk: Desk) -> None:
    for ref in ("#1001", "1001", ticket_id(1001).lower()):
        desk.add_tags(ref, [f"t{len(ref)}"])
    assert len(tags(db, OPEN)) == 3


def test_the_outbox_replays_on_another_replica(db: Database, template: Path) -> None:
    """The args of each mutation are enough to reproduce the change through Desk.apply."""
    lead = "lee@support.example.com"  # a lead may write restricted notes
    desk = Desk(db, agent(db, lead), clock=Clock())
    desk.reply(NEW, "Hello")
    desk.note(NEW, "internal", restricted=True)
    desk.set_status(NEW, "open")
    desk.set_priority(NEW, "high")
    desk.assign(NEW, agent="dev@support.example.com", group="Frontline")
    desk.add_tags(NEW, ["a", "b"])
    desk.remove_tags(NEW, ["a"])
    replica_path = db.path.with_name("replica.db")
    shutil.copyfile(template, replica_path)
    replica_db = Database.open(replica_path)
    try:
        replica = Desk(replica_db, agent(replica_db, lead), clock=Clock())
        for mutation in outbox(db):
            replica.apply(mutation["op"], mutation["ticket_id"], mutation["args"])

        def state(database: Database) -> tuple[object, ...]:
            row = ticket(database, NEW)
            messages = query(
                database,
                "SELECT id, kind, body, restricted FROM message WHERE ticket_id = ? ORDER BY seq",
                ticket_id(1000),
            )
            fields = ("status", "priority", "assignee_id", "group_id", "version")
            return (*(row[name] for name in fields), messages, tags(database, NEW))

        assert state(replica_db) == state(db)
    finally:
        replica_db.close()


# --------------------------------------------------------------------------- refusals


Attempt = Callable[[Desk], object]

REFUSALS: list[tuple[str, Attempt, type[DeskError], str]] = [
    ("unknown ticket", lambda d: d.set_status("#99999", "open"), UnknownTicket, "no ticket #99999"),
    ("unknown ulid", lambda d: d.reply("01NOPE", "hi"), UnknownTicket, "no ticket 01NOPE"),
    (
        "illegal transition",
        lambda d: d.set_status(OPEN, "closed"),
        InvalidTransition,
        "#1001 cannot go from open to closed",
    ),
    ("same status", lambda d: d.set_status(OPEN, "open"), NothingToChange, "#1001 is already open"),
    ("unknown status", lambda d: d.set_status(OPEN, "done"), InvalidValue, "unknown status"),
    (
        "same priority",
        lambda d: d.set_priority(NEW, "low"),
        NothingToChange,
        "already has low priority",
    ),
    ("empty body", lambda d: d.reply(OPEN, " \n\t "), EmptyBody, "the message is empty"),
    ("empty note", lambda d: d.note(OPEN, ""), EmptyBody, "the message is empty"),
    (
        "oversize body",
        lambda d: d.reply(OPEN, "x" * (MAX_BODY_BYTES + 1)),
        BodyTooLarge,
        "limit is 64 KiB",
    ),
    ("reply on closed", lambda d: d.reply(CLOSED, "hi"), TicketClosed, "needs a new ticket"),
    ("note on closed", lambda d: d.note(CLOSED, "hi"), TicketClosed, "needs a new ticket"),
    ("tag on closed", lambda d: d.add_tags(CLOSED, ["x"]), TicketClosed, "#2000 is closed"),
    ("reopen closed", lambda d: d.set_status(CLOSED, "open"), TicketClosed, "#2000 is closed"),
    ("assign closed", lambda d: d.assign_to_me(CLOSED), TicketClosed, "#2000 is closed"),
    (
        "unknown assignee",
        lambda d: d.assign(OPEN, agent="nobody@x.io"),
        UnknownAgent,
        "no agent 'nobody@x.io'",
    ),
    (
        "inactive assignee",
        lambda d: d.assign(OPEN, agent="old@support.example.com"),
        UnknownAgent,
        "deactivated",
    ),
    ("unknown group", lambda d: d.assign(OPEN, group="Billing"), UnknownGroup, "no group"),
    (
        "same assignee",
        lambda d: d.assign(NEW, agent="ana@support.example.com"),
        NothingToChange,
        "already assigned",
    ),
    ("assign nothing", lambda d: d.assign(OPEN), NothingToChange, "give an agent"),
    ("bad tag", lambda d: d.add_tags(OPEN, ["ok", "bad/tag"]), InvalidTag, "contains '/'"),
    ("long tag", lambda d: d.add_tags(OPEN, ["x" * 41]), InvalidTag, "the limit is 40"),
    ("tag present", lambda d: d.add_tags(TAGGED, ["VIP"]), NothingToChange, "already has tag"),
    ("tag absent", lambda d: d.remove_tags(OPEN, ["vip"]), NothingToChange, "has no tag"),
    ("unknown op", lambda d: d.apply("fling", OPEN, {}), InvalidValue, "unknown action 'fling'"),
    ("bad args", lambda d: d.apply("set_status", OPEN, {"status": 3}), InvalidValue, "must be"),
    (
        "bad tag args",
        lambda d: d.apply("add_tags", OPEN, {"tags": "vip"}),
        InvalidValue,
        "list of text",
    ),
    (
        "bulk names the ticket",
        lambda d: d.bulk([OPEN, PENDING, CLOSED], lambda desk, t: desk.set_status(t, "solved")),
        TicketClosed,
        "#2000 is closed",
    ),
    (
        "bulk names the ticket of a generic refusal",
        lambda d: d.bulk([OPEN, PENDING], lambda desk, t: desk.add_tags(t, ["bad tag!"])),
        InvalidTag,
        "#1001: tag 'bad-tag!'",
    ),
    (
        "bulk with an unknown ticket",
        lambda d: d.bulk([OPEN, "#99999"], lambda desk, t: desk.set_priority(t, "urgent")),
        UnknownTicket,
        "no ticket #99999",
    ),
    (
        "several actions, the last refused",
        lambda d: d.apply_many(
            [
                Action("set_priority", OPEN, {"priority": "urgent"}),
                Action("add_tags", OPEN, {"tags": ["x"]}),
                Action("set_status", OPEN, {"status": "open"}),
            ]
        ),
        NothingToChange,
        "#1001 is already open",
    ),
]


@pytest.mark.parametrize(
    ("attempt", "error", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_refusals_leave_every_row_unchanged(
    db: Database, desk: Desk, attempt: Attempt, error: type[DeskError], message: str
) -> None:
    assert_refused_unchanged(db, desk, attempt, error, message)


def test_an_inactive_acting_agent_cannot_act(db: Database) -> None:
    old = agent(db, "old@support.example.com")
    before = dump(db)
    with pytest.raises(InactiveAgent, match=r"old@support\.example\.com is deactivated"):
        Desk(db, old, clock=Clock()).assign_to_me(OPEN)
    assert dump(db) == before


def test_an_agent_deactivated_after_opening_the_desk_is_refused(db: Database, desk: Desk) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE agent SET active = 0 WHERE id = 'AG-ANA'")
    before = dump(db)
    with pytest.raises(InactiveAgent):
        desk.note(OPEN, "still here?")
    assert dump(db) == before


# --------------------------------------------------------------------------- atomicity


@pytest.mark.parametrize("table", ["outbox", "audit_event"])
def test_a_failed_write_mid_transaction_leaves_nothing_behind(
    db: Database, desk: Desk, table: str
) -> None:
    """The row change, the message, the tags and the audit/outbox rows commit together."""
    with db.transaction() as conn:
        conn.execute(
            f"CREATE TEMP TRIGGER fail_{table} BEFORE INSERT ON {table}"
            " BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    before = dump(db)
    with pytest.raises(StoreError, match="disk says no"):
        desk.reply(NEW, "Hello")
    with pytest.raises(StoreError, match="disk says no"):
        desk.add_tags(TAGGED, ["new-tag"])
    assert dump(db) == before
    assert query(db, "PRAGMA synchronous") == [(1,)], "NORMAL is restored after a failed reply"
    with db.transaction() as conn:
        conn.execute(f"DROP TRIGGER fail_{table}")
    desk.reply(NEW, "Hello again")  # the desk is still usable
    (mutation,) = outbox(db)
    assert mutation["client_id"] == desk.client_id
    assert audit(db)[0]["mutation_id"] == f"{desk.client_id}:{mutation['seq']}"


def test_a_reply_is_written_with_synchronous_full(db: Database, desk: Desk) -> None:
    statements: list[str] = []
    with db.read() as conn:
        conn.set_trace_callback(statements.append)
    try:
        desk.reply(OPEN, "durable")
        desk.set_priority(OPEN, "high")
    finally:
        with db.read() as conn:
            conn.set_trace_callback(None)
    pragmas = [s for s in statements if s.startswith(("PRAGMA synchronous", "BEGIN", "COMMIT"))]
    assert pragmas == [
        "PRAGMA synchronous = FULL",
        "BEGIN IMMEDIATE",
        "COMMIT",
        "PRAGMA synchronous = NORMAL",
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]
    assert query(db, "PRAGMA synchronous") == [(1,)]


# --------------------------------------------------------------------------- bulk


def test_bulk_is_one_transaction_with_one_audit_and_outbox_per_ticket(
    db: Database, desk: Desk
) -> None:
    statements: list[str] = []
    with db.read() as conn:
        conn.set_trace_callback(statements.append)
    try:
        applied = desk.bulk([OPEN, PENDING, "1003"], lambda d, t: d.set_status(t, "solved"))
    finally:
        with db.read() as conn:
            conn.set_trace_callback(None)
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert [a.number for a in applied] == [1001, 1002, 1003]
    assert [ticket(db, f"#{n}")["status"] for n in (1001, 1002, 1003)] == ["solved"] * 3
    mutations, events = outbox(db), audit(db)
    assert [m["ticket_id"] for m in mutations] == [ticket_id(n) for n in (1001, 1002, 1003)]
    assert [a.mutation_seq for a in applied] == [m["seq"] for m in mutations]
    assert [e["mutation_id"] for e in events] == [f"{desk.client_id}:{m['seq']}" for m in mutations]
    assert [e["old"] for e in events] == ["open", "pending", "on-hold"]


def test_bulk_actions_may_make_several_changes_per_ticket(db: Database, desk: Desk) -> None:
    def retag(d: Desk, ref: str) -> None:
        d.add_tags(ref, ["triaged", "todo"])
        d.apply_many([Action("remove_tags", ref, {"tags": ["todo"]})])

    applied = desk.bulk([TAGGED, OPEN], retag)
    assert [(a.number, a.op, a.version) for a in applied] == [
        (2002, "add_tags", 2),
        (2002, "remove_tags", 3),
        (1001, "add_tags", 2),
        (1001, "remove_tags", 3),
    ]
    assert tags(db, TAGGED) == {"billing", "vip", "triaged"}
    assert tags(db, OPEN) == {"triaged"}


def test_bulk_rolls_back_what_a_later_refusal_in_the_same_callable_stops(
    db: Database, desk: Desk
) -> None:
    before = dump(db)

    def retag(d: Desk, ref: str) -> None:
        d.add_tags(ref, ["triaged"])
        d.remove_tags(ref, ["vip"])

    with pytest.raises(NothingToChange, match="#1001 has no tag"):
        desk.bulk([TAGGED, OPEN], retag)
    assert dump(db) == before


def test_a_write_failure_swallowed_inside_bulk_still_rolls_everything_back(
    db: Database, desk: Desk
) -> None:
    with db.transaction() as conn:
        conn.execute(
            "CREATE TEMP TRIGGER fail_second BEFORE INSERT ON outbox WHEN"
            " (SELECT count(*) FROM outbox) >= 1 BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    before = dump(db)

    def careless(d: Desk, ref: str) -> None:
        with contextlib.suppress(sqlite3.Error):  # must not commit half an action
            d.set_priority(ref, "urgent")

    with pytest.raises(StoreError, match="disk says no"):
        desk.bulk([NEW, OPEN], careless)
    assert dump(db) == before


def test_refusals_caught_inside_bulk_do_not_undo_the_rest(db: Database, desk: Desk) -> None:
    def solve_if_possible(d: Desk, ref: str) -> None:
        with contextlib.suppress(DeskError):  # a refusal writes nothing: safe to skip
            d.set_status(ref, "solved")

    applied = desk.bulk([OPEN, CLOSED, PENDING], solve_if_possible)
    assert [a.number for a in applied] == [1001, 1002]
    assert len(outbox(db)) == len(audit(db)) == 2


def test_several_actions_on_one_ticket_chain_their_versions(db: Database, desk: Desk) -> None:
    applied = desk.apply_many(
        [
            Action("add_tags", OPEN, {"tags": ["x"]}),
            Action("set_priority", OPEN, {"priority": "urgent"}),
            Action("set_status", OPEN, {"status": "solved"}),
        ]
    )
    assert [a.version for a in applied] == [2, 3, 4]
    assert [m["base_version"] for m in outbox(db)] == [1, 2, 3]
    assert desk.apply_many([]) == []
    assert desk.bulk([], lambda d, t: d.assign_to_me(t)) == []


# --------------------------------------------------------------------------- drafts


def test_drafts_save_load_replace_and_discard_without_audit_or_outbox(
    db: Database, desk: Desk
) -> None:
    assert desk.load_draft(OPEN, "public") is None
    desk.save_draft(OPEN, "public", "Dear cust")
    desk.save_draft(OPEN, "public", "Dear customer,")
    desk.save_draft(OPEN, "internal", "note to self")
    assert desk.load_draft(OPEN, "public") == "Dear customer,"
    assert desk.load_draft("1001", "internal") == "note to self"
    ben = Desk(db, agent(db, "ben@support.example.com"))
    assert ben.load_draft(OPEN, "public") is None, "drafts are per agent"
    desk.discard_draft(OPEN, "internal")
    assert desk.load_draft(OPEN, "internal") is None
    desk.save_draft(OPEN, "public", "  \n ")
    assert desk.load_draft(OPEN, "public") is None, "an empty draft is deleted"
    assert outbox(db) == []
    assert audit(db) == []
    with pytest.raises(InvalidValue, match="unknown draft kind"):
        desk.save_draft(OPEN, "email", "x")
    with pytest.raises(UnknownTicket):
        desk.save_draft("#99999", "public", "x")


def test_sending_a_reply_deletes_its_draft_in_the_same_transaction(desk: Desk) -> None:
    desk.save_draft(OPEN, "public", "Hello there")
    desk.save_draft(OPEN, "internal", "keep me")
    desk.reply(OPEN, "Hello there")
    assert desk.load_draft(OPEN, "public") is None
    assert desk.load_draft(OPEN, "internal") == "keep me"


def test_a_refused_reply_keeps_its_draft(desk: Desk) -> None:
    desk.save_draft(CLOSED, "public", "too late")
    with pytest.raises(TicketClosed):
        desk.reply(CLOSED, "too late")
    assert desk.load_draft(CLOSED, "public") == "too late"


def test_drafts_written_inside_bulk_join_its_transaction(db: Database, desk: Desk) -> None:
    def reply_later(d: Desk, ref: str) -> None:
        d.save_draft(ref, "public", "will reply soon")
        d.assign_to_me(ref)

    with pytest.raises(TicketClosed):
        desk.bulk([OPEN, CLOSED], reply_later)
    assert desk.load_draft(OPEN, "public") is None, "rolled back with the bulk"
    desk.bulk([OPEN], reply_later)
    assert desk.load_draft(OPEN, "public") == "will reply soon"


def test_a_draft_survives_reopening_the_store(db: Database, clock: Clock) -> None:
    Desk(db, agent(db), clock=clock).save_draft(OPEN, "public", "half-written reply")
    db.close()
    reopened = Database.open(db.path)
    try:
        assert Desk(reopened, agent(reopened)).load_draft(OPEN, "public") == "half-written reply"
    finally:
        reopened.close()


def test_a_draft_survives_a_process_that_dies_without_closing(db: Database) -> None:
    script = (
        "import os, sys\n"
        "from agentdesk.desk import Desk\n"
        "from storage.agents import agent_by_email\n"
        "from storage.database import Database\n"
        "db = Database.open(sys.argv[1])\n"
        "with db.read() as conn:\n"
        "    me = agent_by_email(conn, 'ana@support.example.com')\n"
        "Desk(db, me).save_draft('#1001', 'internal', 'typed before the crash')\n"
        "os._exit(0)\n"
    )
    db.close()
    subprocess.run([sys.executable, "-c", script, str(db.path)], check=True, timeout=30)
    reopened = Database.open(db.path)
    try:
        assert Desk(reopened, agent(reopened)).load_draft(OPEN, "internal") == (
            "typed before the crash"
        )
    finally:
        reopened.close()


# --------------------------------------------------------------------------- identity and reads


def test_client_id_is_made_on_first_use_and_stable_across_reopening(db: Database) -> None:
    assert query(db, "SELECT value FROM setting WHERE key = 'client_id'") == []
    client_id = Desk(db, agent(db)).client_id
    assert len(client_id) == 26
    assert Desk(db, agent(db)).client_id == client_id
    db.close()
    reopened = Database.open(db.path)
    try:
        desk = Desk(reopened, agent(reopened))
        assert desk.client_id == client_id
        desk.set_status(OPEN, "pending")
        assert outbox(reopened)[0]["client_id"] == client_id
    finally:
        reopened.close()


def test_audit_trail_is_newest_first_with_agent_names(db: Database, desk: Desk) -> None:
    desk.set_status(OPEN, "pending")
    Desk(db, agent(db, "ben@support.example.com"), clock=Clock()).set_priority(OPEN, "high")
    desk.add_tags(OPEN, ["x"])
    trail = desk.audit_trail("1001")
    assert [(e.action, e.agent_name) for e in trail] == [
        ("add_tags", "Ana Lima"),
        ("set_priority", "Ben Okafor"),
        ("set_status", "Ana Lima"),
    ]
    assert desk.audit_trail(NEW) == []
    with pytest.raises(UnknownTicket):
        desk.audit_trail("#99999")


def test_actions_from_several_threads_each_get_their_own_mutation(db: Database, desk: Desk) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(10):
                desk.add_tags(OPEN, [f"w{worker}-{i}"])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(tags(db, OPEN)) == 40
    assert [m["seq"] for m in outbox(db)] == list(range(1, 41))
    assert ticket(db, OPEN)["version"] == 41
