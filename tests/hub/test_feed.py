"""GET /v1/changes over real HTTP: order, cursor, pages, long-poll, and who sees what."""

from __future__ import annotations

import threading
import time

import httpx

from storage.stores import open_store
from tests.factories import T0, ticket_id
from tests.hub.conftest import HubServer
from tests.hub.helpers import mutation, push, results, scalar, whole_feed


def test_the_backfilled_feed_pages_in_server_order_with_a_cursor(hub_server: HubServer) -> None:
    with hub_server.client("lead") as client:
        first = client.get("/v1/changes", params={"limit": 7}).json()
        second = client.get("/v1/changes", params={"after": first["next"], "limit": 7}).json()
        everything = whole_feed(client, limit=50)
        tail = client.get("/v1/changes", params={"after": everything[-1]["seq"]}).json()
    seqs = [change["seq"] for change in everything]
    assert seqs == sorted(set(seqs))
    assert [c["seq"] for c in first["changes"]] == seqs[:7]
    assert first["more"] is True and first["next"] == seqs[6]
    assert [c["seq"] for c in second["changes"]] == seqs[7:14]
    assert tail == {"changes": [], "next": seqs[-1], "more": False, "last_seq": 0}
    entities = [change["entity"] for change in everything]
    assert entities.index("customer") < entities.index("ticket") < entities.index("message")
    assert entities.count("ticket") == 20
    assert entities.count("message") == scalar(hub_server.store, "SELECT count(*) FROM message")
    ticket = next(c for c in everything if c["entity"] == "ticket")
    assert ticket["op"] == "upsert"
    assert ticket["key"] == {"id": ticket["row"]["id"]}
    assert {"number", "version", "sla_due_at"} <= set(ticket["row"])
    assert "unsolved" not in ticket["row"]
    tag = next(c for c in everything if c["entity"] == "agent_group_member")
    assert set(tag["key"]) == {"agent_id", "group_id"}


def test_a_change_written_through_the_hub_wakes_a_long_poll_at_once(
    hub_server: HubServer,
) -> None:
    with hub_server.client("1") as client:
        cursor = client.get("/v1/changes", params={"limit": 5000}).json()["next"]
        answers: list[tuple[float, httpx.Response]] = []

        def poll() -> None:
            with hub_server.client("2") as other:
                answer = other.get("/v1/changes", params={"after": cursor, "wait": 10})
            answers.append((time.monotonic(), answer))

        waiter = threading.Thread(target=poll)
        waiter.start()
        time.sleep(0.3)
        written = time.monotonic()
        assert results(
            push(client, "CL-ANA", mutation(1, "note", ticket_id(1000), {"body": "Looking"}))
        ) == [("applied", None)]
        waiter.join(timeout=10)
    arrived, answer = answers[0]
    assert arrived - written < 0.5
    entities = {change["entity"] for change in answer.json()["changes"]}
    assert {"message", "ticket", "audit_event"} <= entities


def test_a_write_by_another_process_reaches_a_long_poll_within_a_second(
    hub_server: HubServer,
) -> None:
    with hub_server.client("1") as client:
        cursor = client.get("/v1/changes", params={"limit": 5000}).json()["next"]
        timer = threading.Timer(0.3, _tag_directly, args=(hub_server,))
        started = time.monotonic()
        timer.start()
        answer = client.get("/v1/changes", params={"after": cursor, "wait": 10}).json()
        elapsed = time.monotonic() - started
    assert answer["changes"][0]["key"] == {"ticket_id": ticket_id(1001), "tag": "vip"}
    assert 0.3 <= elapsed < 1.3


def _tag_directly(hub: HubServer) -> None:
    """Another connection writes, as another process would (no notifier involved)."""
    db = open_store(hub.store)
    try:
        with db.transaction() as conn:
            conn.execute("INSERT INTO ticket_tag VALUES (?, 'vip')", (ticket_id(1001),))
    finally:
        db.close()


def test_a_long_poll_with_nothing_new_answers_when_the_wait_is_over(
    hub_server: HubServer,
) -> None:
    with hub_server.client("1") as client:
        cursor = client.get("/v1/changes", params={"limit": 5000}).json()["next"]
        started = time.monotonic()
        answer = client.get("/v1/changes", params={"after": cursor, "wait": 0.4}).json()
    assert 0.35 < time.monotonic() - started < 1.5
    assert answer == {"changes": [], "next": cursor, "more": False, "last_seq": 0}


def test_restricted_notes_reach_only_the_cleared_and_their_author(hub_server: HubServer) -> None:
    note = {"body": "Card ends 4242", "restricted": True, "message_id": "MSG-SECRET"}
    with hub_server.client("3") as eva:
        assert results(push(eva, "CL-EVA", mutation(1, "note", ticket_id(1003), note))) == [
            ("applied", None)
        ]
    seen = {}
    for role in ("1", "2", "3", "lead"):
        with hub_server.client(role) as client:
            feed = whole_feed(client)
            snapshot = client.get(f"/v1/tickets/{ticket_id(1003)}/snapshot").json()
        seen[role] = (
            any(c["key"] == {"id": "MSG-SECRET"} for c in feed),
            any(c["key"] == {"id": "MSG-SECRET"} for c in snapshot["changes"]),
        )
    assert seen == {
        "1": (False, False),
        "2": (False, False),
        "3": (True, True),
        "lead": (True, True),
    }


def test_personal_macros_reach_only_their_owner(hub_server: HubServer) -> None:
    db = open_store(hub_server.store)
    try:
        with db.transaction() as conn:
            conn.execute(
                "INSERT INTO macro (id, title, body, owner_id, created_at, updated_at)"
                " VALUES ('MA-BEN', 'Ben only', 'x', 'AG-BEN', ?1, ?1),"
                " ('MA-ALL', 'Shared', 'y', NULL, ?1, ?1)",
                (T0,),
            )
    finally:
        db.close()
    ben = hub_server.mint("ben@support.example.com")
    with hub_server.client("1") as ana, hub_server.client() as anonymous:
        ana_macros = {c["key"]["id"] for c in whole_feed(ana) if c["entity"] == "macro"}
        anonymous.headers["Authorization"] = f"Bearer {ben}"
        ben_macros = {c["key"]["id"] for c in whole_feed(anonymous) if c["entity"] == "macro"}
    assert ana_macros == {"MA-ALL"}
    assert ben_macros == {"MA-ALL", "MA-BEN"}


def test_the_snapshot_is_the_ticket_s_rows_as_feed_changes(hub_server: HubServer) -> None:
    with hub_server.client("1") as client:
        snapshot = client.get("/v1/tickets/%231000/snapshot").json()
    entities = [change["entity"] for change in snapshot["changes"]]
    assert entities == ["ticket", "message"]
    assert snapshot["changes"][0]["row"]["number"] == 1000
    assert snapshot["seq"] == scalar(hub_server.store, "SELECT max(seq) FROM change")


def test_audit_events_of_no_ticket_reach_only_their_agent(hub_server: HubServer) -> None:
    """A personal macro's audit event names its title: it stays with its owner."""
    macro = {"title": "Ben's private shortcut", "body": "x", "actions": {}, "shared": False}
    ben_token = hub_server.mint("ben@support.example.com")
    with hub_server.client() as ben, hub_server.client("1") as ana:
        ben.headers["Authorization"] = f"Bearer {ben_token}"
        assert results(push(ben, "CL-BEN", mutation(1, "create_macro", None, macro))) == [
            ("applied", None)
        ]
        assert results(push(ben, "CL-BEN", mutation(2, "note", ticket_id(1003), {"body": "hi"})))
        audits = {
            name: [c["row"] for c in whole_feed(client) if c["entity"] == "audit_event"]
            for name, client in (("ben", ben), ("ana", ana))
        }
    for name in ("ben", "ana"):  # a ticket's audit events reach everyone who reads the ticket
        assert any(row["action"] == "note" for row in audits[name])
    assert [row["new_value"] for row in audits["ben"] if row["action"] == "create_macro"] == [
        "Ben's private shortcut"
    ]
    assert not [row for row in audits["ana"] if row["ticket_id"] is None]
