"""Escalations through the Desk on real store files: escalate, acknowledge, hand back.

Each is one transaction with one audit event and one outbox mutation; the
escalation row and the handoff note are written in it; every refusal leaves every
row as it was; the role rules hold for replayed mutations as for key presses.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desk import Applied, Desk, DeskError, NotPermitted, UnknownGroup, UnknownTicket
from agentdesk.domain.escalation import (
    AlreadyAcknowledged,
    GroupNotInTier,
    InvalidEscalationTier,
    InvalidExternalLink,
    InvalidReason,
    MissingHandoffField,
    NoEscalation,
)
from agentdesk.domain.query import compile_query
from agentdesk.domain.workflow import InvalidTransition, TicketClosed
from storage.database import Database
from storage.escalations import incoming, ticket_escalations
from storage.queue import count, fetch_window
from storage.search import fts_phrase, match_ticket_numbers
from tests.factories import T0, add_ticket, make_escalation_workspace, ticket_id
from tests.store_dump import dump
from tests.unit.test_desk import MAY_CHANGE, Clock, agent, audit, outbox, query

ANA, BEN = "ana@support.example.com", "ben@support.example.com"
DEV, EVA, LEE = "dev@support.example.com", "eva@support.example.com", "lee@support.example.com"
OLD = "old@support.example.com"
MINUTE = 60_000
HANDOFF: dict[str, Any] = {
    "reason": "bug",
    "summary": "Login fails after the password reset",
    "tried": "Reset the password twice\nCleared the session",
    "impact": "The customer cannot work",
}
# Factory tickets: #1000 new/low, #1001 open/normal, #1002 pending/high, #1003 on-hold/urgent.
LOW, NORMAL, URGENT = "#1000", "#1001", "#1003"
CLOSED, SOLVED, FRONTLINE = "#2000", "#2001", "#2002"
ESCALATION_TABLES = MAY_CHANGE | {"escalation"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("escalations") / "template.db"
    make_escalation_workspace(path, tickets=12)
    conn = sqlite3.connect(path, isolation_level=None)
    add_ticket(conn, 2000, subject="Closed one", status="closed")
    add_ticket(conn, 2001, subject="Solved one", status="solved")
    add_ticket(conn, 2002, subject="In Frontline", assignee="AG-ANA")
    conn.execute("UPDATE ticket SET group_id = 'GR-FRONT' WHERE number = 2002")
    conn.execute(
        "INSERT INTO agent (id, name, email, tier, active, created_at)"
        " VALUES ('AG-OLD', 'Old Timer', ?, '1', 1, ?)",
        (OLD, T0),
    )
    conn.close()
    return path


@pytest.fixture
def db(tmp_path: Path, template: Path) -> Iterator[Database]:
    path = tmp_path / "desk.db"
    shutil.copyfile(template, path)
    database = Database.open(path)
    yield database
    database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desks(db: Database, clock: Clock) -> Callable[[str], Desk]:
    """A Desk per agent, all on one clock."""
    return lambda email: Desk(db, agent(db, email), clock=clock)


def escalation(db: Database, ref: str) -> dict[str, Any]:
    """The ticket's newest escalation, as a dict of its columns."""
    with db.read() as conn:
        conn.row_factory = sqlite3.Row
        try:
            row = conn.execute(
                "SELECT * FROM escalation WHERE ticket_id = ? ORDER BY created_at DESC, rowid DESC",
                (ticket_id(int(ref[1:])),),
            ).fetchone()
        finally:
            conn.row_factory = None
    return dict(row)


def routing(db: Database, ref: str) -> tuple[Any, ...]:
    return query(
        db,
        "SELECT tier, group_id, assignee_id, version FROM ticket WHERE number = ?",
        int(ref[1:]),
    )[0]


def notes(db: Database, ref: str) -> list[tuple[Any, ...]]:
    return query(
        db,
        "SELECT author_agent_id, body, restricted FROM message"
        " WHERE ticket_id = ? AND kind = 'internal' ORDER BY seq",
        ticket_id(int(ref[1:])),
    )


def assert_one_more_mutation(db: Database, before: Any, applied: Applied, op: str) -> None:
    """One audit event and one outbox row more than ``before``, linked to ``applied``."""
    after = dump(db)
    assert len(after["outbox"]) == len(before["outbox"]) + 1
    assert len(after["audit_event"]) == len(before["audit_event"]) + 1
    mutation = outbox(db)[-1]
    event = audit(db)[-1]
    assert (mutation["op"], event["action"]) == (op, op)
    assert mutation["seq"] == applied.mutation_seq
    assert event["mutation_id"] == f"{mutation['client_id']}:{mutation['seq']}"
    changed = {name for name, rows in after.items() if rows != before[name]}
    assert changed <= ESCALATION_TABLES, changed - ESCALATION_TABLES


# --------------------------------------------------------------------------- escalate


def test_escalate_moves_the_ticket_and_records_the_handoff(
    db: Database, desks: Callable[[str], Desk], clock: Clock
) -> None:
    ana = desks(ANA)
    ana.save_draft(FRONTLINE, "internal", "my own note in progress")
    before = dump(db)
    applied = ana.escalate(
        FRONTLINE,
        tier=2,
        group="technical",
        links="https://logs.example/q=1",
        link="https://bugs.example/ENG-1",
        **HANDOFF,
    )
    assert_one_more_mutation(db, before, applied, "escalate")
    assert routing(db, FRONTLINE) == (2, "GR-TECH", None, 2)
    row = escalation(db, FRONTLINE)
    assert {k: row[k] for k in ("from_tier", "to_tier", "group_id", "from_group_id")} == {
        "from_tier": 1,
        "to_tier": 2,
        "group_id": "GR-TECH",
        "from_group_id": "GR-FRONT",
    }
    assert (row["reason"], row["summary"], row["state"]) == ("bug", HANDOFF["summary"], "open")
    assert (row["tried"], row["impact"]) == (HANDOFF["tried"], HANDOFF["impact"])
    assert (row["links"], row["external_url"]) == (
        "https://logs.example/q=1",
        "https://bugs.example/ENG-1",
    )
    assert (row["created_by_id"], row["created_at"]) == ("AG-ANA", clock.last)
    assert row["ack_due_at"] == clock.last + 8 * 60 * MINUTE  # normal priority: 8 h
    ((author, body, restricted),) = notes(db, FRONTLINE)
    assert (author, restricted) == ("AG-ANA", 0)
    assert body.startswith("Escalated from tier 1 to tier 2 (Technical) · reason: Bug\n")
    assert "Tried:\nReset the password twice\nCleared the session\n" in body
    assert body.endswith("Bug tracker: https://bugs.example/ENG-1")
    event = audit(db)[-1]
    assert (event["field"], event["old"], event["new"]) == (
        "escalation",
        "tier 1 (Frontline)",
        "tier 2 (Technical) · Bug",
    )
    args = outbox(db)[-1]["args"]
    assert args["escalation_id"] == row["id"]
    assert (args["tier"], args["group"], args["link"]) == (2, "GR-TECH", row["external_url"])
    assert ana.load_draft(FRONTLINE, "internal") == "my own note in progress"


def test_the_ack_target_follows_the_priority(
    db: Database, desks: Callable[[str], Desk], clock: Clock
) -> None:
    desks(ANA).escalate(URGENT, tier=2, **HANDOFF)
    assert escalation(db, URGENT)["ack_due_at"] == clock.last + 30 * MINUTE
    desks(ANA).escalate(LOW, tier=3, **HANDOFF)
    assert escalation(db, LOW)["ack_due_at"] == clock.last + 24 * 60 * MINUTE
    assert routing(db, LOW)[:2] == (3, None)  # no group asked for: none


def test_acknowledge_takes_ownership(
    db: Database, desks: Callable[[str], Desk], clock: Clock
) -> None:
    desks(ANA).escalate(NORMAL, tier=2, group="Technical", **HANDOFF)
    before = dump(db)
    applied = desks(DEV).acknowledge(NORMAL)
    assert_one_more_mutation(db, before, applied, "acknowledge_escalation")
    assert routing(db, NORMAL)[:3] == (2, "GR-TECH", "AG-DEV")
    row = escalation(db, NORMAL)
    assert (row["state"], row["acknowledged_by_id"], row["acknowledged_at"]) == (
        "acknowledged",
        "AG-DEV",
        clock.last,
    )
    assert audit(db)[-1]["new"] == "tier 2, acknowledged by dev@support.example.com"


def test_acknowledge_by_escalation_id_and_by_a_lead(
    db: Database, desks: Callable[[str], Desk]
) -> None:
    desks(ANA).escalate(NORMAL, tier=3, **HANDOFF)
    escalation_id = escalation(db, NORMAL)["id"]
    applied = desks(LEE).acknowledge(escalation_id.lower())
    assert applied.number == 1001
    assert escalation(db, NORMAL)["acknowledged_by_id"] == "AG-LEE"


def test_hand_back_returns_the_ticket_with_instructions(
    db: Database, desks: Callable[[str], Desk], clock: Clock
) -> None:
    desks(ANA).escalate(FRONTLINE, tier=2, group="Technical", **HANDOFF)
    desks(DEV).acknowledge(FRONTLINE)
    before = dump(db)
    applied = desks(DEV).hand_back(FRONTLINE, "  Ask the customer for a HAR file.\n")
    assert_one_more_mutation(db, before, applied, "hand_back")
    assert routing(db, FRONTLINE)[:3] == (1, "GR-FRONT", "AG-ANA")
    row = escalation(db, FRONTLINE)
    assert (row["state"], row["handed_back_by_id"], row["handed_back_at"]) == (
        "handed-back",
        "AG-DEV",
        clock.last,
    )
    assert row["instructions"] == "Ask the customer for a HAR file."
    assert notes(db, FRONTLINE)[-1] == (
        "AG-DEV",
        "Handed back from tier 2 to tier 1 (assigned to Ana Lima)\n"
        "Instructions: Ask the customer for a HAR file.",
        0,
    )
    assert audit(db)[-1]["new"] == "handed back to tier 1"


def test_hand_back_of_an_unacknowledged_escalation_to_an_inactive_agent(
    db: Database, desks: Callable[[str], Desk]
) -> None:
    desks(OLD).escalate(NORMAL, tier=2, **HANDOFF)
    with db.transaction() as conn:
        conn.execute("UPDATE agent SET active = 0 WHERE id = 'AG-OLD'")
    desks(DEV).hand_back(NORMAL, "Needs the order number first")
    assert routing(db, NORMAL)[:3] == (1, None, None)
    assert notes(db, NORMAL)[-1][1].startswith("Handed back from tier 2 to tier 1\n")


def test_escalate_further_then_hand_back_down_the_chain(
    db: Database, desks: Callable[[str], Desk]
) -> None:
    desks(ANA).escalate(FRONTLINE, tier=2, group="Technical", **HANDOFF)
    first = escalation(db, FRONTLINE)
    # Tier 2 passes it on without acknowledging first: passing it on takes it.
    desks(DEV).escalate(
        FRONTLINE,
        tier=3,
        group="Engineering",
        link="https://bugs.example/ENG-9",
        **(HANDOFF | {"reason": "outage"}),
    )
    second = escalation(db, FRONTLINE)
    assert (second["from_tier"], second["to_tier"], second["continues_id"]) == (2, 3, first["id"])
    assert second["from_group_id"] == "GR-TECH"
    with db.read() as conn:
        history = ticket_escalations(conn, ticket_id(2002))
    assert [(e.to_tier, e.state, e.acknowledged_by_name) for e in history] == [
        (2, "acknowledged", "Dev Patel"),
        (3, "open", None),
    ]
    desks(EVA).acknowledge(FRONTLINE)
    desks(EVA).hand_back(FRONTLINE, "Fixed in 2.4.2; tell the customer")
    assert routing(db, FRONTLINE)[:3] == (2, "GR-TECH", "AG-DEV")
    desks(DEV).hand_back(FRONTLINE, "Ask them to update to 2.4.2")
    assert routing(db, FRONTLINE)[:3] == (1, "GR-FRONT", "AG-ANA")
    with db.read() as conn:
        states = [e.state for e in ticket_escalations(conn, ticket_id(2002))]
    assert states == ["handed-back", "handed-back"]


def test_escalations_close_with_their_ticket(db: Database, desks: Callable[[str], Desk]) -> None:
    desks(ANA).escalate(NORMAL, tier=2, **HANDOFF)
    desks(ANA).escalate(URGENT, tier=2, **HANDOFF)
    desks(DEV).set_status(NORMAL, "solved")
    assert escalation(db, NORMAL)["state"] == "closed"
    with db.read() as conn:
        assert [e.number for e in incoming(conn, (2,))] == [1003]
    desks(DEV).set_status(NORMAL, "open")  # reopened at tier 2: it can still go back
    with pytest.raises(NoEscalation, match="ended when the ticket was solved"):
        desks(DEV).acknowledge(NORMAL)
    desks(DEV).hand_back(NORMAL, "Reopened; yours again")
    assert routing(db, NORMAL)[0] == 1


def test_incoming_lists_waiting_ones_first_due_first_from_an_index(
    db: Database, desks: Callable[[str], Desk]
) -> None:
    for ref in (LOW, NORMAL, URGENT, FRONTLINE):
        desks(ANA).escalate(ref, tier=2, **HANDOFF)
    desks(DEV).acknowledge(FRONTLINE)
    with db.read() as conn:
        rows = incoming(conn, (2,))
        assert [(e.number, e.state) for e in rows] == [
            (1003, "open"),  # urgent: due in 30 minutes
            (1001, "open"),  # normal: 8 hours
            (1000, "open"),  # low: 24 hours
            (2002, "acknowledged"),
        ]
        assert incoming(conn, (3,)) == []
        assert incoming(conn, ()) == []
        assert [e.number for e in incoming(conn, (2, 3), limit=1)] == [1003, 2002]
        plan = " ".join(
            str(row)
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM escalation WHERE to_tier IN (2)"
                " AND state = 'open' ORDER BY ack_due_at LIMIT 5"
            )
        )
    assert "ix_escalation_due" in plan


def test_the_outbox_replays_escalations_on_another_replica(
    db: Database, desks: Callable[[str], Desk], template: Path
) -> None:
    desks(ANA).escalate(FRONTLINE, tier=2, group="Technical", **HANDOFF)
    desks(DEV).acknowledge(FRONTLINE)
    desks(DEV).escalate(FRONTLINE, tier=3, link="https://bugs.example/1", **HANDOFF)
    desks(EVA).hand_back(FRONTLINE, "Fixed")
    replica_path = db.path.with_name("replica.db")
    shutil.copyfile(template, replica_path)
    replica_db = Database.open(replica_path)
    actors = {"AG-ANA": ANA, "AG-DEV": DEV, "AG-EVA": EVA}
    try:
        for mutation, event in zip(outbox(db), audit(db), strict=True):
            replica = Desk(replica_db, agent(replica_db, actors[event["agent_id"]]), clock=Clock())
            replica.apply(mutation["op"], mutation["ticket_id"], mutation["args"])

        def state(database: Database) -> tuple[object, ...]:
            with database.read() as conn:
                escalations = conn.execute(
                    "SELECT id, from_tier, to_tier, group_id, from_group_id, reason, summary,"
                    " tried, impact, links, external_url, created_by_id, acknowledged_by_id,"
                    " state, handed_back_by_id, instructions, continues_id"
                    " FROM escalation ORDER BY id"
                ).fetchall()
            messages = query(
                database,
                "SELECT id, kind, author_agent_id, body FROM message WHERE ticket_id = ?"
                " ORDER BY seq",
                ticket_id(2002),
            )
            return routing(database, FRONTLINE), escalations, messages

        assert state(replica_db) == state(db)
    finally:
        replica_db.close()


# --------------------------------------------------------------------------- refusals

Attempt = Callable[[Callable[[str], Desk]], object]


def _escalated(desks: Callable[[str], Desk], ref: str = NORMAL, tier: int = 2) -> None:
    desks(ANA).escalate(ref, tier=tier, **HANDOFF)


def _acknowledged(desks: Callable[[str], Desk]) -> None:
    _escalated(desks)
    desks(DEV).acknowledge(NORMAL)


REFUSALS: list[tuple[str, Callable[[Callable[[str], Desk]], None] | None, Attempt, Any, str]] = [
    (
        "tier not above",
        _escalated,
        lambda d: d(DEV).escalate(NORMAL, tier=2, **HANDOFF),
        InvalidEscalationTier,
        "#1001 is at tier 2; it can go to tier 3, not tier 2",
    ),
    (
        "tier 1 target",
        None,
        lambda d: d(ANA).escalate(NORMAL, tier=1, **HANDOFF),
        InvalidEscalationTier,
        "can go to tier 2 or 3, not tier 1",
    ),
    (
        "group of another tier",
        None,
        lambda d: d(ANA).escalate(NORMAL, tier=2, group="Engineering", **HANDOFF),
        GroupNotInTier,
        "Engineering is a tier-3 group; tier-2 groups: Payments, Technical",
    ),
    (
        "unknown group",
        None,
        lambda d: d(ANA).escalate(NORMAL, tier=2, group="Nope", **HANDOFF),
        UnknownGroup,
        "no group 'Nope'",
    ),
    (
        "unknown reason",
        None,
        lambda d: d(ANA).escalate(NORMAL, tier=2, **(HANDOFF | {"reason": "vibes"})),
        InvalidReason,
        "unknown reason 'vibes'",
    ),
    (
        "no summary",
        None,
        lambda d: d(ANA).escalate(NORMAL, tier=2, **(HANDOFF | {"summary": " "})),
        MissingHandoffField,
        "the summary is required",
    ),
    (
        "no impact",
        None,
        lambda d: d(ANA).escalate(NORMAL, tier=2, **(HANDOFF | {"impact": ""})),
        MissingHandoffField,
        "customer impact is required",
    ),
    (
        "bad link",
        None,
        lambda d: d(ANA).escalate(NORMAL, tier=2, link="bugs.example/1", **HANDOFF),
        InvalidExternalLink,
        "http:// or https://",
    ),
    (
        "closed ticket",
        None,
        lambda d: d(ANA).escalate(CLOSED, tier=2, **HANDOFF),
        TicketClosed,
        "#2000 is closed",
    ),
    (
        "solved ticket",
        None,
        lambda d: d(ANA).escalate(SOLVED, tier=2, **HANDOFF),
        InvalidTransition,
        "#2001 is solved; reopen it before escalating it",
    ),
    (
        "tier 1 escalating a tier-2 ticket",
        _escalated,
        lambda d: d(BEN).escalate(NORMAL, tier=3, **HANDOFF),
        NotPermitted,
        "#1001 is at tier 2; only agents of tier 2 or above",
    ),
    (
        "acknowledge without an escalation",
        None,
        lambda d: d(DEV).acknowledge(NORMAL),
        NoEscalation,
        "#1001 has no escalation to acknowledge",
    ),
    (
        "acknowledge twice",
        _acknowledged,
        lambda d: d(DEV).acknowledge(NORMAL),
        AlreadyAcknowledged,
        "was already acknowledged by Dev Patel",
    ),
    (
        "tier 1 acknowledging",
        _escalated,
        lambda d: d(BEN).acknowledge(NORMAL),
        NotPermitted,
        "only tier-2 agents, leads and admins can acknowledge an escalation to tier 2",
    ),
    (
        "tier 3 acknowledging for tier 2",
        _escalated,
        lambda d: d(EVA).acknowledge(NORMAL),
        NotPermitted,
        "only tier-2 agents",
    ),
    (
        "hand back without instructions",
        _acknowledged,
        lambda d: d(DEV).hand_back(NORMAL, " \n "),
        MissingHandoffField,
        "instructions are required",
    ),
    (
        "tier 1 handing back",
        _acknowledged,
        lambda d: d(BEN).hand_back(NORMAL, "do it"),
        NotPermitted,
        "can hand back an escalation to tier 2",
    ),
    (
        "hand back a tier-1 ticket",
        None,
        lambda d: d(DEV).hand_back(NORMAL, "do it"),
        NoEscalation,
        "#1001 has no escalation to hand back",
    ),
    (
        "unknown reference",
        None,
        lambda d: d(DEV).acknowledge("01NOSUCHESCALATION00000000"),
        UnknownTicket,
        "no ticket or escalation 01NOSUCHESCALATION00000000",
    ),
    (
        "restricted note by tier 1",
        None,
        lambda d: d(ANA).note(NORMAL, "secret", restricted=True),
        NotPermitted,
        "only tier-3 agents, leads and admins can write restricted notes",
    ),
    (
        "restricted note by tier 2",
        None,
        lambda d: d(DEV).note(NORMAL, "secret", restricted=True),
        NotPermitted,
        "restricted notes",
    ),
]


@pytest.mark.parametrize(
    ("setup", "attempt", "error", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_refusals_write_nothing(
    db: Database,
    desks: Callable[[str], Desk],
    setup: Callable[[Callable[[str], Desk]], None] | None,
    attempt: Attempt,
    error: type[DeskError],
    message: str,
) -> None:
    if setup is not None:
        setup(desks)
    before = dump(db)
    with pytest.raises(error) as info:
        attempt(desks)
    assert message in str(info.value)
    assert dump(db) == before


def test_a_stale_escalation_id_is_refused(db: Database, desks: Callable[[str], Desk]) -> None:
    _escalated(desks)
    first = escalation(db, NORMAL)["id"]
    desks(DEV).escalate(NORMAL, tier=3, **HANDOFF)
    before = dump(db)
    with pytest.raises(NoEscalation, match="no longer in force"):
        desks(DEV).hand_back(first, "too late")
    assert dump(db) == before


def test_a_replayed_acknowledgement_by_the_wrong_tier_is_refused(
    db: Database, desks: Callable[[str], Desk]
) -> None:
    """The hub replays mutations through Desk.apply: the role rules hold there too."""
    _escalated(desks)
    with pytest.raises(NotPermitted):
        desks(ANA).apply("acknowledge_escalation", NORMAL, {})


# --------------------------------------------------------------------------- restricted notes


def test_restricted_notes_show_only_to_cleared_roles_and_their_author(
    db: Database, desks: Callable[[str], Desk]
) -> None:
    desks(EVA).note(NORMAL, "Root cause is in the auth service", restricted=True)
    desks(LEE).note(NORMAL, "Legal hold", restricted=True)
    desks(DEV).note(NORMAL, "Plain note")
    with db.transaction() as conn:  # written while Ana was tier 3, say: hers to read
        conn.execute(
            "INSERT INTO message (id, ticket_id, kind, author_agent_id, body, restricted,"
            " created_at) VALUES ('MSG-OWN', ?, 'internal', 'AG-ANA', 'mine', 1, ?)",
            (ticket_id(1001), T0 + 10**6),
        )

    def bodies(email: str) -> list[str]:
        return [m.body for m in desks(email).thread(NORMAL) if m.kind == "internal"]

    everything = ["Root cause is in the auth service", "Legal hold", "Plain note", "mine"]
    assert bodies(EVA) == everything
    assert bodies(LEE) == everything
    assert bodies(DEV) == ["Plain note"]
    assert bodies(BEN) == ["Plain note"]
    assert bodies(ANA) == ["Plain note", "mine"]


def test_search_never_matches_words_only_a_restricted_note_holds(
    db: Database, desks: Callable[[str], Desk]
) -> None:
    desks(EVA).note(NORMAL, "zanzibar exploit details", restricted=True)
    desks(EVA).note(URGENT, "zanzibar mentioned openly")
    ana = agent(db, ANA)
    with db.read() as conn:
        assert match_ticket_numbers(conn, fts_phrase("zanzibar")) == [1003]
        assert match_ticket_numbers(conn, fts_phrase("exploit")) == []
        for text, expected in (("zanzibar", [1003]), ("exploit", []), ("exploit urgent", [])):
            query_ = compile_query(text, ana)
            assert [row.number for row in fetch_window(conn, query_, 0, 50)] == expected, text
            assert count(conn, query_) == len(expected), text
