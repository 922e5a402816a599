"""Two agents on one ticket, one of them offline: both converge, nothing typed is lost."""

from __future__ import annotations

from pathlib import Path

from storage.database import Database
from tests.factories import AGENTS, ticket_id
from tests.hub.conftest import HubServer
from tests.sync.helpers import compared_rows, dead_url, hub_desk, query, workstation

ANA, BEN = AGENTS[0], AGENTS[1]
TICKET = ticket_id(1001)  # open, high priority


def test_offline_and_online_edits_of_one_ticket_converge(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ana = workstation(hub_server, tmp_path, ANA[2])
    ben = workstation(hub_server, tmp_path, BEN[2])
    ana.sync()
    ben.sync()
    with ben.desk() as desk:  # Ben's link is down: this stays on his workstation
        desk.reply(TICKET, "Ben: have you tried turning it off and on?")
        desk.add_tags(TICKET, ["ben-was-here"])
        desk.note(TICKET, "Ben: customer sounds upset")
    assert ben.sync(url=dead_url()).state == "offline"
    with ana.desk() as desk:
        desk.reply(TICKET, "Ana: we are looking into it")
        desk.add_tags(TICKET, ["ana-was-here"])
        desk.set_status(TICKET, "pending")
    assert str(ana.sync()) == "synced"

    offline = ben.sync(url=dead_url())
    assert (offline.state, offline.pending) == ("offline", 3)
    assert ben.sync().state == "synced"
    assert ana.sync().state == "synced"

    hub_rows = compared_rows(hub_server.store, hidden_from=ANA[0])
    assert ana.rows() == ben.rows() == hub_rows
    bodies = {
        row[-1]
        for row in query(ana.path, "SELECT kind, body FROM message WHERE ticket_id = ?", TICKET)
    }
    assert {
        "Ben: have you tried turning it off and on?",
        "Ben: customer sounds upset",
        "Ana: we are looking into it",
    } <= bodies
    assert query(
        ben.path, "SELECT tag FROM ticket_tag WHERE ticket_id = ? ORDER BY tag", TICKET
    ) == [
        ("ana-was-here",),
        ("ben-was-here",),
    ]
    assert query(ben.path, "SELECT status FROM ticket WHERE id = ?", TICKET) == [("pending",)]
    assert {state for _, _, state, _ in ana.outbox() + ben.outbox()} == {"applied"}
    # one audit event per mutation, the hub's: the optimistic local ones gave way
    assert query(ben.path, "SELECT count(*) FROM audit_event WHERE ticket_id = ?", TICKET) == query(
        hub_server.store, "SELECT count(*) FROM audit_event WHERE ticket_id = ?", TICKET
    )


def test_a_stale_change_is_rejected_with_its_reason_and_the_ticket_repaired(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ana = workstation(hub_server, tmp_path, ANA[2])
    ben = workstation(hub_server, tmp_path, BEN[2])
    ana.sync()
    ben.sync()
    with ben.desk() as desk:
        desk.set_priority(TICKET, "low")  # made on the version both saw
    with ana.desk() as desk:
        desk.set_priority(TICKET, "urgent")
    ana.sync()

    assert ben.sync().state == "synced"

    [(_, op, state, error)] = ben.outbox()
    assert (op, state) == ("set_priority", "rejected")
    assert error is not None
    assert error.startswith("conflict: ")
    assert "Ana Lima" in error
    assert "urgent" in error
    assert query(ben.path, "SELECT priority FROM ticket WHERE id = ?", TICKET) == [("urgent",)]
    audit = "SELECT id, action, mutation_id FROM audit_event WHERE ticket_id = ? ORDER BY id"
    assert query(ben.path, audit, TICKET) == query(hub_server.store, audit, TICKET)
    assert ben.rows() == ana.rows() == compared_rows(hub_server.store, hidden_from=ANA[0])


def test_a_rejected_reply_comes_back_as_the_draft(hub_server: HubServer, tmp_path: Path) -> None:
    ben = workstation(hub_server, tmp_path, BEN[2])
    ben.sync()
    words = "Here is the long answer I wrote on the train"
    with ben.desk() as desk:
        desk.reply(TICKET, words)
        desk.add_tags(TICKET, ["train"])
    with hub_desk(hub_server, ANA[2]) as desk:  # meanwhile the ticket is closed on the hub
        desk.set_status(TICKET, "solved")
        desk.set_status(TICKET, "closed")

    assert ben.sync().state == "synced"

    states = {op: (state, error) for _, op, state, error in ben.outbox()}
    assert states["reply"][0] == "rejected"
    assert states["reply"][1] is not None
    assert "closed" in states["reply"][1]
    with ben.desk() as desk:
        assert desk.load_draft(TICKET, "public") == words
    assert query(ben.path, "SELECT count(*) FROM message WHERE body = ?", words) == [(0,)]
    assert query(ben.path, "SELECT status FROM ticket WHERE id = ?", TICKET) == [("closed",)]
    assert ben.rows() == compared_rows(hub_server.store, hidden_from=BEN[0])


def test_a_rejected_reply_keeps_a_draft_already_there(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ben = workstation(hub_server, tmp_path, BEN[2])
    ben.sync()
    with ben.desk() as desk:
        desk.reply(TICKET, "first answer")
        desk.save_draft(TICKET, "public", "a newer draft")
    with hub_desk(hub_server, ANA[2]) as desk:
        desk.set_status(TICKET, "solved")
        desk.set_status(TICKET, "closed")

    ben.sync()

    with ben.desk() as desk:
        assert desk.load_draft(TICKET, "public") == "a newer draft"
    assert [(op, state) for _, op, state, _ in ben.outbox()] == [("reply", "rejected")]


def test_a_repair_lost_with_a_killed_engine_is_made_by_the_next_one(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ben = workstation(hub_server, tmp_path, BEN[2])
    ben.sync()
    words = "An answer the hub will refuse"
    with ben.desk() as desk:
        desk.reply(TICKET, words)
    with hub_desk(hub_server, ANA[2]) as desk:
        desk.set_status(TICKET, "solved")
        desk.set_status(TICKET, "closed")
    # The engine recorded the hub's verdict, then died before repairing the ticket.
    db = Database.open(ben.path)
    try:
        with db.transaction() as conn:
            conn.execute("UPDATE outbox SET state = 'rejected', error = 'closed: #1001 is closed'")
    finally:
        db.close()
    assert query(ben.path, "SELECT count(*) FROM message WHERE body = ?", words) == [(1,)]

    assert ben.sync().state == "synced"

    assert query(ben.path, "SELECT count(*) FROM message WHERE body = ?", words) == [(0,)]
    assert ben.rows() == compared_rows(hub_server.store, hidden_from=BEN[0])
