"""Reads behind the ticket screen, on a real store made by the factories."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.errors import StoreError
from storage.tickets import (
    EVERY_NOTE,
    TicketNotFound,
    requester_tickets,
    resolve_ticket_id,
    thread,
    ticket_detail,
)
from tests.factories import HOSTILE_BODY, MINUTE, T0, add_ticket, make_workspace, ticket_id

TICKETS = 30


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store built per module; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("tickets") / "template.db"
    make_workspace(path, tickets=TICKETS)
    return path


@pytest.fixture
def conn(tmp_path: Path, template: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "tickets.db"
    shutil.copyfile(template, path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    yield connection
    connection.close()


# --------------------------------------------------------------------------- resolve_ticket_id


@pytest.mark.parametrize(
    "ref",
    [
        "#1012",
        "1012",
        " 1012 ",
        "\t#1012\n",
        "01TICKET000000000000001012",
        "01ticket000000000000001012",
        "01TiCkEt000000000000001012",
        "  01ticket000000000000001012  ",
    ],
)
def test_resolve_ticket_id_accepts_numbers_and_ulids(conn: sqlite3.Connection, ref: str) -> None:
    assert resolve_ticket_id(conn, ref) == ticket_id(1012)


def test_resolve_ticket_id_with_a_real_ulid(conn: sqlite3.Connection) -> None:
    real = "01JDQ4Z6R1W8X5K3M9N2P7T0VB"
    conn.execute(
        "INSERT INTO ticket (number, id, subject, channel, requester_id, created_at, updated_at)"
        " VALUES (1, ?, 'ulid', 'web', 'CU-1', ?, ?)",
        (real, T0, T0),
    )
    assert resolve_ticket_id(conn, real.lower()) == real
    assert resolve_ticket_id(conn, "#1") == real


@pytest.mark.parametrize(
    "ref",
    [
        "#99999",
        "99999",
        "0",
        "#",
        "",
        "   ",
        "1012x",
        "# 1012",
        "#-1012",
        "01TICKET999999999999999999",
        "01TICKET00000000000000101",  # one digit short of a real id
        "1012; DROP TABLE ticket",
    ],
)
def test_resolve_ticket_id_refuses_unknown(conn: sqlite3.Connection, ref: str) -> None:
    with pytest.raises(TicketNotFound) as caught:
        resolve_ticket_id(conn, ref)
    assert isinstance(caught.value, StoreError)
    assert ref.strip() in str(caught.value)
    assert conn.execute("SELECT count(*) FROM ticket").fetchone()[0] == TICKETS


# --------------------------------------------------------------------------- ticket_detail


def test_ticket_detail_fields(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO sla_policy (id, name, priority, first_response_minutes)"
        " VALUES ('SLA-URG', 'Urgent 1h', 'urgent', 60)"
    )
    tid = add_ticket(
        conn,
        4242,
        subject="Cannot export invoices",
        status="pending",
        priority="urgent",
        channel="chat",
        requester="CU-1",
        assignee="AG-DEV",
        tier=2,
        updated_at=T0 + 5 * MINUTE,
        tags=("vip", "billing", "api", "Billing"),
    )
    conn.execute(
        "UPDATE ticket SET group_id = 'GR-FRONT', sla_policy_id = 'SLA-URG',"
        " first_response_at = ?, version = 3 WHERE id = ?",
        (T0 + MINUTE, tid),
    )

    detail = ticket_detail(conn, tid)

    assert detail.number == 4242
    assert detail.id == tid
    assert detail.subject == "Cannot export invoices"
    assert (detail.status, detail.priority, detail.channel, detail.tier) == (
        "pending",
        "urgent",
        "chat",
        2,
    )
    assert detail.requester_id == "CU-1"
    assert detail.requester_name == "Zoë Ålander"
    assert detail.requester_email == "zoe@acme.example"
    assert detail.requester_plan == "enterprise"
    assert detail.requester_org == "Acme Corp"
    assert detail.assignee_id == "AG-DEV"
    assert detail.assignee_name == "Dev Patel"
    assert detail.group_name == "Frontline"
    assert detail.sla_policy == "Urgent 1h"
    assert detail.tags == ("Billing", "api", "billing", "vip")  # sorted (binary collation)
    assert detail.created_at == T0 + 4 * MINUTE
    assert detail.updated_at == T0 + 5 * MINUTE
    assert detail.first_response_at == T0 + MINUTE
    assert detail.solved_at is None
    assert detail.version == 3


def test_ticket_detail_of_an_unassigned_untagged_ticket(conn: sqlite3.Connection) -> None:
    detail = ticket_detail(conn, ticket_id(1001))  # CU-2, unassigned, no group/SLA/tags
    assert detail.requester_name == "José García"
    assert detail.requester_org is None
    assert detail.requester_plan == "pro"
    assert detail.assignee_id is None
    assert detail.assignee_name is None
    assert detail.group_name is None
    assert detail.sla_policy is None
    assert detail.tags == ()


def test_ticket_detail_unknown(conn: sqlite3.Connection) -> None:
    with pytest.raises(TicketNotFound):
        ticket_detail(conn, "01NOSUCHTICKET")


# --------------------------------------------------------------------------- thread


def _message(
    conn: sqlite3.Connection,
    msg_id: str,
    *,
    kind: str,
    body: str,
    at: int,
    agent: str | None = None,
    customer: str | None = None,
    restricted: bool = False,
    channel: str | None = None,
    ticket: int = 1003,
) -> None:
    conn.execute(
        "INSERT INTO message (id, ticket_id, kind, author_agent_id, author_customer_id, body,"
        " channel, restricted, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (msg_id, ticket_id(ticket), kind, agent, customer, body, channel, int(restricted), at),
    )


def test_thread_is_oldest_first_with_author_names(conn: sqlite3.Connection) -> None:
    # #1003's factory message (by CU-1, Zoë) is at T0 - 3min - 1min = T0 - 4min.
    # Insert out of time order: the thread is ordered by created_at, then insertion.
    _message(conn, "M-NOTE", kind="internal", body="checked logs", at=T0, agent="AG-EVA")
    _message(conn, "M-REPLY", kind="public", body="Try again?", at=T0 - 2 * MINUTE, agent="AG-ANA")
    _message(
        conn,
        "M-FOLLOW",
        kind="customer",
        body="Still broken",
        at=T0,
        customer="CU-1",
        channel="email",
    )
    _message(
        conn,
        "M-RESTRICTED",
        kind="internal",
        body="secret",
        at=T0 + 1,
        agent="AG-LEE",
        restricted=True,
    )
    _message(conn, "M-ANON", kind="customer", body="who am I", at=T0 + 2)
    _message(
        conn, "M-OTHER", kind="public", body="other ticket", at=T0, ticket=1004, agent="AG-ANA"
    )

    messages = thread(conn, ticket_id(1003), clearance=EVERY_NOTE)

    assert [m.id for m in messages] == [
        "MSG-1003",
        "M-REPLY",
        "M-NOTE",
        "M-FOLLOW",
        "M-RESTRICTED",
        "M-ANON",
    ]
    assert [m.author for m in messages] == [
        "Zoë Ålander",
        "Ana Lima",
        "Eva Novak",
        "Zoë Ålander",
        "Lee Park",
        "unknown",
    ]
    assert [m.kind for m in messages] == [
        "customer",
        "public",
        "internal",
        "customer",
        "internal",
        "customer",
    ]
    created = [m.created_at for m in messages]
    assert created == sorted(created)
    assert messages[0].body == "Message body 3"
    assert messages[3].channel == "email"
    assert [m.restricted for m in messages] == [False, False, False, False, True, False]


def test_thread_keeps_untrusted_text_as_stored(conn: sqlite3.Connection) -> None:
    (message,) = thread(conn, ticket_id(1002), clearance=EVERY_NOTE)
    assert message.body == HOSTILE_BODY
    assert message.author == "[bold]Mallory[/bold]"  # CU-3, a name is untrusted text too


def test_thread_of_unknown_ticket_is_empty(conn: sqlite3.Connection) -> None:
    assert thread(conn, "01NOSUCHTICKET", clearance=EVERY_NOTE) == []


# --------------------------------------------------------------------------- requester_tickets


def test_requester_tickets_excludes_the_ticket_and_is_newest_first(
    conn: sqlite3.Connection,
) -> None:
    # CU-1 requested tickets 1000, 1003, 1006, …; #1000 + i is updated i minutes before T0.
    own = [1000 + i for i in range(TICKETS) if i % 3 == 0]
    conn.execute("UPDATE ticket SET updated_at = ? WHERE number = 1027", (T0 + MINUTE,))

    others = requester_tickets(conn, "CU-1", exclude=ticket_id(1000))

    assert [t.number for t in others] == [1027, *[n for n in own if n not in (1000, 1027)]]
    assert ticket_id(1000) not in {t.id for t in others}
    updated = [t.updated_at for t in others]
    assert updated == sorted(updated, reverse=True)
    first = others[0]
    assert (first.id, first.subject, first.status) == (
        ticket_id(1027),
        "Login problem 27",
        "on-hold",
    )


def test_requester_tickets_without_exclude_and_with_limit(conn: sqlite3.Connection) -> None:
    own = [1000 + i for i in range(TICKETS) if i % 3 == 1]  # CU-2
    assert [t.number for t in requester_tickets(conn, "CU-2")] == own
    assert [t.number for t in requester_tickets(conn, "CU-2", limit=3)] == own[:3]
    assert [
        t.number for t in requester_tickets(conn, "CU-2", exclude=ticket_id(1001), limit=3)
    ] == (own[1:4])


def test_requester_tickets_of_someone_else_is_unaffected_by_exclude(
    conn: sqlite3.Connection,
) -> None:
    # Excluding a ticket of another requester removes nothing.
    own = [1000 + i for i in range(TICKETS) if i % 3 == 2]  # CU-3
    assert [t.number for t in requester_tickets(conn, "CU-3", exclude=ticket_id(1000))] == own
    assert requester_tickets(conn, "CU-404") == []
