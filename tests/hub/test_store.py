"""open_hub: the feed triggers, the one-time backfill, and Desk.replay on a hub store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agentdesk.desk import Applied, Desk, Recorded
from agentdesk.domain.workflow import NotPermitted
from agentdesk.hub.conflict import seen_version
from agentdesk.hub.store import open_hub
from storage.agents import agent_by_email
from storage.replication import SYNCED
from tests.factories import make_workspace, ticket_id


def _changes(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return conn.execute("SELECT entity, op, entity_id FROM change ORDER BY seq").fetchall()


def test_a_store_becomes_a_hub_once_with_every_row_backfilled(tmp_path: Path) -> None:
    make_workspace(tmp_path / "hub.db", tickets=10)
    db = open_hub(tmp_path / "hub.db")
    with db.read() as conn:
        backfilled = _changes(conn)
        counts = {
            spec.table: conn.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0]
            for spec in SYNCED
        }
    db.close()
    reopened = open_hub(tmp_path / "hub.db")
    with reopened.read() as conn:
        assert _changes(conn) == backfilled  # no second backfill
        assert conn.execute("SELECT value FROM setting WHERE key = 'role'").fetchone()[0] == "hub"
    reopened.close()
    by_entity = {table: sum(1 for e, _, _ in backfilled if e == table) for table in counts}
    assert by_entity == counts
    order = [entity for entity, _, _ in backfilled]
    assert order.index("agent") < order.index("ticket") < order.index("message")


def test_every_insert_update_and_delete_of_a_synced_table_lands_in_the_feed(
    tmp_path: Path,
) -> None:
    make_workspace(tmp_path / "hub.db", tickets=2)
    db = open_hub(tmp_path / "hub.db")
    try:
        with db.read() as conn:
            start = conn.execute("SELECT max(seq) FROM change").fetchone()[0]
        with db.transaction() as conn:
            conn.execute("INSERT INTO ticket_tag VALUES (?, 'vip')", (ticket_id(1000),))
            conn.execute("UPDATE ticket SET priority = 'high' WHERE number = 1001")
            conn.execute("DELETE FROM ticket_tag WHERE tag = 'vip'")
            conn.execute("INSERT INTO setting VALUES ('not', 'synced')")
        with db.read() as conn:
            rows = conn.execute(
                "SELECT entity, op, entity_id, payload FROM change WHERE seq > ? ORDER BY seq",
                (start,),
            ).fetchall()
    finally:
        db.close()
    key = f'{{"ticket_id":"{ticket_id(1000)}","tag":"vip"}}'
    assert [(entity, op) for entity, op, _, _ in rows] == [
        ("ticket_tag", "upsert"),
        ("ticket", "upsert"),
        ("ticket_tag", "delete"),
    ]
    assert rows[0][2] == key and rows[2][2] == key and rows[2][3] == "null"
    assert '"priority":"high"' in rows[1][3]


def test_replay_writes_no_outbox_row_and_audits_under_the_given_id(tmp_path: Path) -> None:
    make_workspace(tmp_path / "hub.db", tickets=3)
    db = open_hub(tmp_path / "hub.db")
    try:
        with db.read() as conn:
            ana = agent_by_email(conn, "ana@support.example.com")
        assert ana is not None
        desk = Desk(db, ana)
        recorded: list[Applied | Recorded] = []
        result = desk.replay(
            "CL-X:42",
            "reply",
            ticket_id(1001),
            {"body": "Hi", "message_id": "MSG-X"},
            record=lambda _conn, applied: recorded.append(applied),
        )
        assert isinstance(result, Applied)
        assert (result.mutation_seq, result.version) == (42, 2)
        assert recorded == [result]
        with pytest.raises(NotPermitted):
            desk.replay("CL-X:43", "note", ticket_id(1001), {"body": "x", "restricted": True})

        def fail(_conn: sqlite3.Connection, _result: Applied | Recorded) -> None:
            raise RuntimeError("the hub could not record it")

        with pytest.raises(RuntimeError):
            desk.replay("CL-X:44", "note", ticket_id(1001), {"body": "lost"}, record=fail)
        with db.read() as conn:
            assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
            audit = conn.execute(
                "SELECT mutation_id, version FROM audit_event WHERE ticket_id = ?",
                (ticket_id(1001),),
            ).fetchall()
            notes = conn.execute("SELECT count(*) FROM message WHERE body = 'lost'").fetchone()
    finally:
        db.close()
    assert audit == [("CL-X:42", 2)]
    assert notes == (0,)  # the record hook failed: the change rolled back with it


def test_local_desk_actions_audit_the_ticket_version_too(tmp_path: Path) -> None:
    make_workspace(tmp_path / "ws.db", tickets=2)
    db = open_hub(tmp_path / "ws.db")
    try:
        with db.read() as conn:
            ana = agent_by_email(conn, "ana@support.example.com")
        assert ana is not None
        Desk(db, ana).set_priority("#1001", "high")
        Desk(db, ana).set_priority("#1001", "low")
        with db.read() as conn:
            versions = [row[0] for row in conn.execute("SELECT version FROM audit_event")]
    finally:
        db.close()
    assert sorted(versions) == [2, 3]


@pytest.mark.parametrize(
    ("base", "own", "seen"),
    [
        (3, [], 3),  # no own edits: the base is what the agent saw
        (4, [5], 3),  # one own edit (hub v5) stacked on hub v3
        (5, [4, 5], 5),  # two own edits with nobody between: v5 is what it saw
        (4, [3], 4),  # an own edit the client had pulled back already
        (6, [5, 7], 5),  # pulled v5 (own), then one more own edit became v7
    ],
)
def test_seen_version_removes_the_client_s_own_stacked_edits(
    base: int, own: list[int], seen: int
) -> None:
    assert seen_version(base, own) == seen
