"""Incident links and merges through the Desk, on real store files.

Each link is one mutation on the linked ticket; a merge is two (the source and
the target), always in one transaction; every refusal leaves every row as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentdesk.desk import Desk, DeskError, InvalidValue, NothingToChange, UnknownTicket
from agentdesk.domain.incidents import InvalidLink, InvalidMerge
from storage.database import Database
from tests.factories import add_ticket, link_to_incident, make_workspace, ticket_id
from tests.store_dump import assert_refused_unchanged, dump
from tests.unit.test_desk import Clock, agent, audit, outbox, query, ticket

# The factory's requesters go round CU-1, CU-2, CU-3 (#1000 CU-1, #1001 CU-2, #1002 CU-3, …);
# statuses go new, open, pending, on-hold. #1005 (CU-3, open) is an incident with #1006 and
# #1007 linked; #1011 (CU-3) was merged into #1008; #2000 (CU-1) is closed.
INCIDENT, MERGED = "#1005", "#1011"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("incidents") / "template.db"
    make_workspace(path, tickets=12)
    conn = sqlite3.connect(path, isolation_level=None)
    add_ticket(conn, 2000, subject="Closed one", status="closed")
    link_to_incident(conn, 1005, [1006, 1007])
    conn.execute(
        "UPDATE ticket SET status = 'closed', merged_into_id = ? WHERE number = 1011",
        (ticket_id(1008),),
    )
    conn.close()
    return path


@pytest.fixture
def db(tmp_path: Path, template: Path) -> Iterator[Database]:
    path = tmp_path / "incidents.db"
    shutil.copyfile(template, path)
    database = Database.open(path)
    yield database
    database.close()


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk(db, agent(db), clock=Clock())


def notes(db: Database, ref: str) -> list[str]:
    rows = query(
        db,
        "SELECT body FROM message WHERE ticket_id = ? AND kind = 'internal' ORDER BY seq",
        ticket_id(int(ref[1:])),
    )
    return [body for (body,) in rows]


# --------------------------------------------------------------------------- links


def test_link_sets_the_parent_with_one_audit_event_and_one_mutation(
    db: Database, desk: Desk
) -> None:
    applied = desk.link_incident("#1001", INCIDENT)
    assert (applied.number, applied.op, applied.version) == (1001, "link_incident", 2)
    assert ticket(db, "#1001")["parent_id"] == ticket_id(1005)
    assert ticket(db, INCIDENT)["version"] == 1  # the incident itself is only read
    (mutation,) = outbox(db)
    assert (mutation["op"], mutation["ticket_id"]) == ("link_incident", ticket_id(1001))
    assert mutation["args"] == {"incident": ticket_id(1005)}  # ids travel, not numbers
    (event,) = audit(db)
    assert (event["action"], event["field"], event["old"], event["new"]) == (
        "link_incident",
        "incident",
        None,
        "#1005",
    )
    assert event["mutation_id"] == f"{desk.client_id}:{mutation['seq']}"


def test_linking_to_another_incident_moves_the_ticket(db: Database, desk: Desk) -> None:
    desk.link_incident("#1006", "#1009")
    assert ticket(db, "#1006")["parent_id"] == ticket_id(1009)
    (event,) = audit(db)
    assert (event["old"], event["new"]) == ("#1005", "#1009")


def test_unlink(db: Database, desk: Desk) -> None:
    desk.unlink_incident("#1006")
    assert ticket(db, "#1006")["parent_id"] is None
    (event,) = audit(db)
    assert (event["action"], event["old"], event["new"]) == ("unlink_incident", "#1005", None)
    assert outbox(db)[0]["args"] == {}


def test_bulk_link_is_one_transaction_with_a_mutation_per_ticket(db: Database, desk: Desk) -> None:
    statements: list[str] = []
    with db.read() as conn:
        conn.set_trace_callback(statements.append)
    try:
        applied = desk.bulk(["#1001", "#1002", "#1003"], lambda d, t: d.link_incident(t, "#1009"))
    finally:
        with db.read() as conn:
            conn.set_trace_callback(None)
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert [a.number for a in applied] == [1001, 1002, 1003]
    assert [m["op"] for m in outbox(db)] == ["link_incident"] * 3
    assert len(audit(db)) == 3
    parents = query(db, "SELECT number FROM ticket WHERE parent_id = ?", ticket_id(1009))
    assert sorted(n for (n,) in parents) == [1001, 1002, 1003]


# --------------------------------------------------------------------------- merges


def test_merge_closes_the_source_and_records_it_on_the_target(db: Database, desk: Desk) -> None:
    desk.save_draft("#1003", "internal", "half a thought")  # the merge must not eat it
    applied = desk.merge("#1000", "#1003")
    assert [(a.number, a.op, a.version) for a in applied] == [
        (1000, "merge", 2),
        (1003, "record_merge", 2),
    ]
    source, target = ticket(db, "#1000"), ticket(db, "#1003")
    assert (source["status"], source["merged_into_id"]) == ("closed", ticket_id(1003))
    assert source["solved_at"] is None  # not solved: it moved
    assert (target["status"], target["merged_into_id"]) == ("on-hold", None)
    mutations, events = outbox(db), audit(db)
    assert [(m["op"], m["ticket_id"]) for m in mutations] == [
        ("merge", ticket_id(1000)),
        ("record_merge", ticket_id(1003)),
    ]
    assert mutations[0]["args"]["into"] == ticket_id(1003)
    assert mutations[1]["args"]["source"] == ticket_id(1000)
    assert [(e["ticket_id"], e["field"], e["old"], e["new"]) for e in events] == [
        (ticket_id(1000), "merged_into", None, "#1003"),
        (ticket_id(1003), "merged_from", None, "#1000"),
    ]
    assert [e["mutation_id"] for e in events] == [f"{desk.client_id}:{m['seq']}" for m in mutations]
    assert notes(db, "#1000") == [
        "Merged into #1003: this ticket is closed and its messages show in #1003's thread."
    ]
    assert notes(db, "#1003") == [
        "#1000 was merged into this ticket; its messages show in this thread, marked #1000."
    ]
    # nothing moved: the source keeps its customer message, the target its own
    for number in (1000, 1003):
        assert query(db, "SELECT ticket_id FROM message WHERE id = ?", f"MSG-{number}") == [
            (ticket_id(number),)
        ]
    assert desk.load_draft("#1003", "internal") == "half a thought"


def test_merge_replays_on_another_replica(db: Database, desk: Desk, template: Path) -> None:
    desk.merge("#1000", "#1003")
    desk.link_incident("#1001", INCIDENT)
    replica_path = db.path.with_name("replica.db")
    shutil.copyfile(template, replica_path)
    replica_db = Database.open(replica_path)
    try:
        replica = Desk(replica_db, agent(replica_db), clock=Clock())
        for mutation in outbox(db):
            replica.apply(mutation["op"], mutation["ticket_id"], mutation["args"])

        def state(database: Database) -> list[tuple[object, ...]]:
            return query(
                database,
                "SELECT t.number, t.status, t.parent_id, t.merged_into_id, t.version,"
                " (SELECT group_concat(m.id || ':' || m.body, '|') FROM message AS m"
                "  WHERE m.ticket_id = t.id) FROM ticket AS t ORDER BY t.number",
            )

        assert state(replica_db) == state(db)
        with pytest.raises(NothingToChange, match="#1003 already records the merge of #1000"):
            replica.apply("record_merge", "#1003", {"source": "#1000"})
    finally:
        replica_db.close()


# --------------------------------------------------------------------------- refusals

Attempt = Callable[[Desk], object]

REFUSALS: list[tuple[str, Attempt, type[DeskError], str]] = [
    (
        "link to itself",
        lambda d: d.link_incident("#1001", "#1001"),
        InvalidLink,
        "#1001 cannot be linked to itself",
    ),
    (
        "nested: the incident is itself linked",
        lambda d: d.link_incident("#1001", "#1006"),
        InvalidLink,
        "#1006 is itself linked to incident #1005; link to #1005 instead",
    ),
    (
        "an incident under another",
        lambda d: d.link_incident(INCIDENT, "#1001"),
        InvalidLink,
        "#1005 is an incident with 2 linked tickets; an incident cannot be linked under another",
    ),
    (
        "closed ticket",
        lambda d: d.link_incident("#2000", INCIDENT),
        InvalidLink,
        "#2000 is closed; a closed ticket can no longer be linked",
    ),
    (
        "closed incident",
        lambda d: d.link_incident("#1001", "#2000"),
        InvalidLink,
        "#2000 is closed; link to an open incident",
    ),
    (
        "merged ticket",
        lambda d: d.link_incident(MERGED, INCIDENT),
        InvalidLink,
        "#1011 was merged into #1008; link #1008 instead",
    ),
    (
        "merged incident",
        lambda d: d.link_incident("#1001", MERGED),
        InvalidLink,
        "#1011 was merged into #1008; link to #1008 instead",
    ),
    (
        "already linked there",
        lambda d: d.link_incident("#1006", INCIDENT),
        NothingToChange,
        "#1006 is already linked to incident #1005",
    ),
    (
        "unknown incident",
        lambda d: d.link_incident("#1001", "#99999"),
        UnknownTicket,
        "no ticket #99999",
    ),
    (
        "incident missing from a replayed mutation",
        lambda d: d.apply("link_incident", "#1001", {}),
        InvalidValue,
        "'incident' must be text",
    ),
    (
        "unlink what is not linked",
        lambda d: d.unlink_incident("#1001"),
        NothingToChange,
        "#1001 is not linked to an incident",
    ),
    (
        "a bulk link with one refusal",
        lambda d: d.bulk(["#1001", INCIDENT], lambda d, t: d.link_incident(t, "#1009")),
        InvalidLink,
        "#1005 is an incident with 2 linked tickets",
    ),
    (
        "merge another requester's ticket",
        lambda d: d.merge("#1001", "#1000"),
        InvalidMerge,
        "#1001 and #1000 have different requesters; only tickets of the same requester",
    ),
    (
        "merge into itself",
        lambda d: d.merge("#1000", "#1000"),
        InvalidMerge,
        "#1000 cannot be merged into itself",
    ),
    (
        "merge a closed ticket",
        lambda d: d.merge("#2000", "#1000"),
        InvalidMerge,
        "#2000 is closed; a closed ticket can no longer be merged",
    ),
    (
        "merge into a closed ticket",
        lambda d: d.merge("#1000", "#2000"),
        InvalidMerge,
        "#2000 is closed; merge into an open ticket of the same requester",
    ),
    (
        "merge a merged ticket again",
        lambda d: d.merge(MERGED, "#1002"),
        InvalidMerge,
        "#1011 was already merged into #1008",
    ),
    (
        "merge into a merged ticket",
        lambda d: d.merge("#1002", MERGED),
        InvalidMerge,
        "#1011 was merged into #1008; merge into #1008 instead",
    ),
    (
        "merge an incident that has linked tickets",
        lambda d: d.merge(INCIDENT, "#1002"),
        InvalidMerge,
        "#1005 is an incident with 2 linked tickets; link them to #1002",
    ),
    (
        "record a merge that did not happen",
        lambda d: d.apply("record_merge", "#1002", {"source": "#1008"}),
        InvalidMerge,
        "#1008 is not merged into #1002; merge it first",
    ),
    (
        "a bulk merge with one refusal",
        lambda d: d.bulk(["#1003", "#1001"], lambda d, t: d.merge(t, "#1000")),
        InvalidMerge,
        "#1001 and #1000 have different requesters",
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


def test_merged_tickets_stay_merged_after_the_target_is_merged_on(db: Database, desk: Desk) -> None:
    """A → B, then B → C: every step is legal, and each ticket says where it went."""
    desk.merge("#1002", "#1008")  # #1008 already holds #1011
    desk.merge("#1008", "#1005")  # an incident may receive a duplicate
    rows = query(
        db,
        "SELECT number, merged_into_id FROM ticket WHERE number IN (1002, 1008, 1011)"
        " ORDER BY number",
    )
    assert rows == [(1002, ticket_id(1008)), (1008, ticket_id(1005)), (1011, ticket_id(1008))]


def test_bulk_merge_of_several_duplicates(db: Database, desk: Desk) -> None:
    applied = desk.bulk(["#1000", "#1006"], lambda d, t: d.merge(t, "#1003"))
    assert [a.op for a in applied] == ["merge", "record_merge"] * 2
    assert notes(db, "#1003") == [
        "#1000 was merged into this ticket; its messages show in this thread, marked #1000.",
        "#1006 was merged into this ticket; its messages show in this thread, marked #1006.",
    ]


# --------------------------------------------------------------------------- solving with a macro

FIXED = "Hi {{customer.first_name}}, the outage is over. — {{agent.first_name}}"


def replies(db: Database) -> dict[int, str]:
    rows = query(
        db,
        "SELECT t.number, m.body FROM message AS m JOIN ticket AS t ON t.id = m.ticket_id"
        " WHERE m.kind = 'public'",
    )
    return dict(rows)


def test_solve_incident_answers_every_unsolved_ticket_with_the_macro_in_one_transaction(
    db: Database, desk: Desk
) -> None:
    with db.transaction() as conn:  # a solved linked ticket is left alone
        conn.execute(
            "UPDATE ticket SET status = 'solved', parent_id = ? WHERE number = 1003",
            (ticket_id(1005),),
        )
    macro = desk.create_macro("Outage over", FIXED).entity_id
    statements: list[str] = []
    with db.read() as conn:
        conn.set_trace_callback(statements.append)
    try:
        applied = desk.solve_incident(INCIDENT, macro)
    finally:
        with db.read() as conn:
            conn.set_trace_callback(None)
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert [(a.number, a.op) for a in applied] == [
        (1006, "reply"),
        (1006, "set_status"),
        (1007, "reply"),
        (1007, "set_status"),
        (1005, "reply"),
        (1005, "set_status"),
    ]
    assert [ticket(db, f"#{n}")["status"] for n in (1005, 1006, 1007)] == ["solved"] * 3
    assert replies(db) == {  # rendered for each requester
        1006: "Hi Zoë, the outage is over. — Ana",
        1007: "Hi José, the outage is over. — Ana",
        1005: "Hi [bold]Mallory[/bold], the outage is over. — Ana",
    }
    assert ticket(db, "#1003")["version"] == 1
    assert len(outbox(db)) == len(audit(db)) == 7  # the macro's creation, then six


def test_a_macro_that_solves_is_not_followed_by_a_second_solve(db: Database, desk: Desk) -> None:
    macro = desk.create_macro("Fixed", FIXED, {"status": "solved"}).entity_id
    applied = desk.solve_incident(INCIDENT, macro)
    assert [a.op for a in applied] == ["reply", "set_status"] * 3


SOLVE_REFUSALS: list[tuple[str, Attempt, type[DeskError], str]] = [
    (
        "not an incident",
        lambda d: d.solve_incident("#1001", d.create_macro("M", FIXED).entity_id),
        InvalidLink,
        "#1001 has no linked tickets: it is not an incident",
    ),
    (
        "an unknown macro",
        lambda d: d.solve_incident(INCIDENT, "01NOSUCHMACRO"),
        DeskError,
        "01NOSUCHMACRO",
    ),
]


@pytest.mark.parametrize(
    ("attempt", "error", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in SOLVE_REFUSALS],
)
def test_a_refused_solve_changes_no_ticket(
    db: Database, desk: Desk, attempt: Attempt, error: type[DeskError], message: str
) -> None:
    before = query(db, "SELECT number, status, version FROM ticket ORDER BY number")
    messages = query(db, "SELECT count(*) FROM message")
    with pytest.raises(error, match=message):
        attempt(desk)
    assert query(db, "SELECT number, status, version FROM ticket ORDER BY number") == before
    assert query(db, "SELECT count(*) FROM message") == messages


def test_solving_an_incident_that_is_all_solved_is_refused(db: Database, desk: Desk) -> None:
    macro = desk.create_macro("Outage over", FIXED).entity_id
    desk.bulk([INCIDENT, "#1006", "#1007"], lambda d, t: d.set_status(t, "solved"))
    before = dump(db)
    with pytest.raises(NothingToChange, match="#1005 and its linked tickets are solved already"):
        desk.solve_incident(INCIDENT, macro)
    assert dump(db) == before


def test_one_refusal_rolls_back_every_reply(db: Database, desk: Desk) -> None:
    """#1007's reply is refused (its subject makes it too large), so #1006's is undone too."""
    macro = desk.create_macro("Echo", "About {{ticket.subject}}: fixed.").entity_id
    with db.transaction() as conn:
        conn.execute("UPDATE ticket SET subject = ? WHERE number = 1007", ("x" * 70_000,))
    before = dump(db)
    with pytest.raises(DeskError, match=r"^#1007: the message is 70,\d+ bytes"):
        desk.solve_incident(INCIDENT, macro)
    assert dump(db) == before
