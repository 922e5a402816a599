"""Small hand-made workspaces for tests: real SQLite files with rows we know by heart."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.database import Database

T0 = 1_780_000_000_000  # a fixed "now" (2026-05-28) so ages and orders are stable
MINUTE = 60_000

AGENTS = (
    ("AG-ANA", "Ana Lima", "ana@support.example.com", "1"),
    ("AG-BEN", "Ben Okafor", "ben@support.example.com", "1"),
    ("AG-DEV", "Dev Patel", "dev@support.example.com", "2"),
    ("AG-EVA", "Eva Novak", "eva@support.example.com", "3"),
    ("AG-LEE", "Lee Park", "lee@support.example.com", "lead"),
)
STATUSES = ("new", "open", "pending", "on-hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("email", "chat", "web", "social", "phone")
HOSTILE_BODY = (
    "Please help [bold red]NOW[/] [link=http://evil.example]click[/link] \x1b[2J\x1b[31mred"
)


@dataclass(frozen=True)
class Workspace:
    """What a factory made: the path and how many tickets."""

    path: Path
    tickets: int


def ticket_id(number: int) -> str:
    """Deterministic ULID-shaped id for ticket ``number``."""
    return f"01TICKET{number:018d}"


def add_agents(conn: sqlite3.Connection) -> None:
    """The five agents of :data:`AGENTS`, with ana as the default."""
    conn.executemany(
        "INSERT INTO agent (id, name, email, tier, created_at) VALUES (?, ?, ?, ?, ?)",
        [(*agent, T0) for agent in AGENTS],
    )
    conn.execute("INSERT INTO agent_group (id, name, tier) VALUES ('GR-FRONT', 'Frontline', 1)")
    conn.execute("INSERT INTO agent_group_member VALUES ('AG-ANA', 'GR-FRONT')")
    conn.execute("INSERT INTO setting (key, value) VALUES ('default_agent', ?)", (AGENTS[0][2],))


def add_ticket(
    conn: sqlite3.Connection,
    number: int,
    *,
    subject: str,
    status: str = "open",
    priority: str = "normal",
    channel: str = "email",
    requester: str = "CU-1",
    assignee: str | None = None,
    tier: int = 1,
    updated_at: int = T0,
    body: str = "Hello, I need help.",
    tags: tuple[str, ...] = (),
) -> str:
    """Insert one ticket with a first customer message; returns its id."""
    tid = ticket_id(number)
    conn.execute(
        "INSERT INTO ticket (number, id, subject, status, priority, channel, requester_id,"
        " assignee_id, tier, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            number,
            tid,
            subject,
            status,
            priority,
            channel,
            requester,
            assignee,
            tier,
            updated_at - MINUTE,
            updated_at,
        ),
    )
    conn.execute(
        "INSERT INTO message (id, ticket_id, kind, author_customer_id, body, created_at)"
        " VALUES (?, ?, 'customer', ?, ?, ?)",
        (f"MSG-{number}", tid, requester, body, updated_at - MINUTE),
    )
    conn.executemany(
        "INSERT INTO ticket_tag (ticket_id, tag) VALUES (?, ?)", [(tid, tag) for tag in tags]
    )
    return tid


def make_workspace(path: Path, tickets: int = 200) -> Workspace:
    """A store with agents, three customers and ``tickets`` varied tickets.

    Ticket ``1000 + i`` is updated ``i`` minutes before :data:`T0`, so the queue's
    default order (newest first) is #1000, #1001, #1002, …
    """
    db = Database.open(path)
    try:
        with db.transaction() as conn:
            add_agents(conn)
            conn.executemany(
                "INSERT INTO customer (id, name, email, organization, plan, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    ("CU-1", "Zoë Ålander", "zoe@acme.example", "Acme Corp", "enterprise", T0),
                    ("CU-2", "José García", "jose@example.org", None, "pro", T0),
                    ("CU-3", "[bold]Mallory[/bold]", "mallory@evil.example", None, "free", T0),
                ],
            )
            for i in range(tickets):
                add_ticket(
                    conn,
                    1000 + i,
                    subject=f"Printer jam number {i}" if i % 10 == 0 else f"Login problem {i}",
                    status=STATUSES[i % 4],  # every listed ticket is unsolved
                    priority=PRIORITIES[i % 4],
                    channel=CHANNELS[i % 5],
                    requester=f"CU-{1 + i % 3}",
                    assignee="AG-ANA" if i % 3 == 0 else None,
                    updated_at=T0 - i * MINUTE,
                    body=HOSTILE_BODY if i == 2 else f"Message body {i}",
                )
    finally:
        db.close()
    return Workspace(path, tickets)
