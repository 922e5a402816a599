"""Reads behind incidents and merges, and the thread of a ticket others were merged into."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.incidents import (
    link_facts,
    merge_targets,
    open_incidents,
    ticket_links,
    unsolved_linked_ids,
)
from storage.tickets import EVERY_NOTE, thread
from tests.factories import MINUTE, T0, add_ticket, link_to_incident, make_workspace, ticket_id


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """30 tickets; #1000 (new, CU-1) has #1001-#1004 linked, #1010 (CU-2) has #1013.

    #1006 (CU-1) was merged into #1003 (CU-1), and #1009 (CU-1) into #1006.
    """
    path = make_workspace(tmp_path / "links.db", tickets=30).path
    connection = sqlite3.connect(path, isolation_level=None)
    link_to_incident(connection, 1000, [1001, 1002, 1003, 1004])
    link_to_incident(connection, 1010, [1013])
    connection.execute("UPDATE ticket SET status = 'solved' WHERE number = 1004")
    for source, target in ((1006, 1003), (1009, 1006)):
        connection.execute(
            "UPDATE ticket SET status = 'closed', merged_into_id = ? WHERE number = ?",
            (ticket_id(target), source),
        )
    yield connection
    connection.close()


def test_link_facts(conn: sqlite3.Connection) -> None:
    incident = link_facts(conn, ticket_id(1000))
    linked = link_facts(conn, ticket_id(1001))
    merged = link_facts(conn, ticket_id(1009))
    assert incident is not None and linked is not None and merged is not None
    assert (incident.linked_count, incident.incident_number) == (4, None)
    assert (linked.linked_count, linked.incident_number, linked.requester_id) == (0, 1000, "CU-2")
    assert (merged.status, merged.merged_into_number) == ("closed", 1006)
    assert link_facts(conn, "nope") is None


def test_ticket_links_of_an_incident_lists_unsolved_first_and_counts_apart(
    conn: sqlite3.Connection,
) -> None:
    links = ticket_links(conn, ticket_id(1000), limit=2)
    assert links.is_incident
    assert (links.linked_total, links.linked_unsolved) == (4, 3)
    assert [t.number for t in links.linked] == [1001, 1002]  # newest unsolved, LIMITed
    assert links.linked[0].requester == "José García"
    full = ticket_links(conn, ticket_id(1000))
    assert [t.number for t in full.linked] == [1001, 1002, 1003, 1004]  # solved #1004 last
    assert links.incident is None and links.merged_into is None


def test_ticket_links_of_a_linked_and_of_a_merged_ticket(conn: sqlite3.Connection) -> None:
    linked = ticket_links(conn, ticket_id(1003))
    assert not linked.is_incident
    assert linked.incident is not None and linked.incident.number == 1000
    assert [t.number for t in linked.merged_from] == [1006]
    merged = ticket_links(conn, ticket_id(1009))
    assert merged.merged_into is not None and merged.merged_into.number == 1006


def test_unsolved_linked_ids(conn: sqlite3.Connection) -> None:
    assert unsolved_linked_ids(conn, ticket_id(1000)) == [ticket_id(n) for n in (1001, 1002, 1003)]


def test_open_incidents_newest_first_without_the_excluded_or_solved(
    conn: sqlite3.Connection,
) -> None:
    found = open_incidents(conn)
    assert [(i.number, i.linked) for i in found] == [(1000, 4), (1010, 1)]
    assert [i.number for i in open_incidents(conn, exclude=[ticket_id(1000)])] == [1010]
    assert [i.number for i in open_incidents(conn, limit=1)] == [1000]
    conn.execute("UPDATE ticket SET status = 'solved' WHERE number = 1010")
    assert [i.number for i in open_incidents(conn)] == [1000]


def test_open_incidents_never_walks_the_whole_store(conn: sqlite3.Connection) -> None:
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT parent_id, count(*) FROM ticket"
        " WHERE parent_id IS NOT NULL GROUP BY parent_id"
    ).fetchall()
    assert any("ix_ticket_parent" in row[-1] for row in plan), plan
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    open_incidents(conn)
    conn.set_trace_callback(None)
    (sql,) = statements
    details = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert not any(d.startswith("SCAN p") for d in details), details


def test_merge_targets_are_the_requesters_open_unmerged_tickets(conn: sqlite3.Connection) -> None:
    numbers = [t.number for t in merge_targets(conn, "CU-1", exclude=[ticket_id(1000)])]
    # CU-1 holds every third ticket; #1006 and #1009 are merged, none is solved
    assert numbers[:4] == [1003, 1012, 1015, 1018]
    assert 1000 not in numbers and 1006 not in numbers and 1009 not in numbers
    assert len(merge_targets(conn, "CU-1", limit=3)) == 3


def test_a_target_thread_shows_merged_messages_marked_with_their_ticket(
    conn: sqlite3.Connection,
) -> None:
    add_ticket(conn, 5000, subject="Elsewhere", updated_at=T0 + MINUTE)  # unrelated, not read
    messages = thread(conn, ticket_id(1003), clearance=EVERY_NOTE)
    assert [(m.id, m.source_number) for m in messages] == [
        ("MSG-1009", 1009),  # merged into #1006, which was merged here: read along
        ("MSG-1006", 1006),
        ("MSG-1003", None),
    ]
    own = thread(conn, ticket_id(1006), clearance=EVERY_NOTE)
    assert [(m.id, m.source_number) for m in own] == [("MSG-1009", 1009), ("MSG-1006", None)]
    assert [m.id for m in thread(conn, ticket_id(1009), clearance=EVERY_NOTE)] == ["MSG-1009"]
