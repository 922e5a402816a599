"""Small hand-made workspaces for tests: real SQLite files with rows we know by heart."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
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


def link_to_incident(conn: sqlite3.Connection, incident: int, tickets: Iterable[int]) -> None:
    """Link tickets to ticket ``incident`` directly in the store (as a synced change would)."""
    conn.executemany(
        "UPDATE ticket SET parent_id = ? WHERE number = ?",
        [(ticket_id(incident), number) for number in tickets],
    )


#: Groups of the upper tiers, for escalations (the base workspace has only Frontline).
TIER_GROUPS = (
    ("GR-TECH", "Technical", 2),
    ("GR-PAY", "Payments", 2),
    ("GR-ENG", "Engineering", 3),
)


def add_tier_groups(conn: sqlite3.Connection) -> None:
    """Tier-2 and tier-3 groups (:data:`TIER_GROUPS`), with Dev in Technical, Eva in Engineering."""
    conn.executemany("INSERT INTO agent_group (id, name, tier) VALUES (?, ?, ?)", TIER_GROUPS)
    conn.executemany(
        "INSERT INTO agent_group_member VALUES (?, ?)",
        [("AG-DEV", "GR-TECH"), ("AG-EVA", "GR-ENG")],
    )


def make_escalation_workspace(path: Path, tickets: int = 200) -> Workspace:
    """:func:`make_workspace` plus :func:`add_tier_groups`."""
    workspace = make_workspace(path, tickets)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        add_tier_groups(conn)
    finally:
        conn.close()
    return workspace


#: Macros of :func:`make_macro_workspace`: (id, title, body, actions JSON, owner id).
MACROS = (
    (
        "MA-REFUND",
        "Refund approved",
        "Hi {{customer.first_name}},\n\nI've issued a full refund for your payment.\n\n"
        "Best,\n{{agent.first_name}}",
        '{"status": "solved", "add_tags": ["refund"]}',
        None,
    ),
    (
        "MA-RESET",
        "Password reset steps",
        "Hi {{customer.first_name}},\n\nYou can reset your password at "
        "https://app.example/reset; the link is valid for an hour.\n\n{{agent.first_name}}",
        '{"status": "pending", "add_tags": ["password-reset"]}',
        None,
    ),
    (
        "MA-PRINTER",
        "Printer jam troubleshooting",
        "Hi {{customer.first_name}},\n\nPlease power off the printer and clean the roller.",
        '{"status": "pending", "priority": "high"}',
        None,
    ),
    (
        "MA-SHIP",
        "Shipping delay apology",
        "Hi {{customer.first_name}},\n\nSorry your order #{{ticket.id}} is late.",
        '{"status": "pending", "add_tags": ["shipping"], "group": "Frontline"}',
        None,
    ),
    ("MA-ANA", "Ana's thanks", "Thanks, {{customer.name}}! — {{agent.name}}", "{}", "AG-ANA"),
    ("MA-BEN", "Ben's secret", "Only Ben sees this one.", "{}", "AG-BEN"),
)

#: Past tickets each macro answered (subject, customer message): what suggestions learn.
MACRO_HISTORY = (
    ("MA-REFUND", "Charged twice this month", "My card was charged twice, I want my money back"),
    ("MA-REFUND", "Money back please", "I was charged twice for the subscription"),
    ("MA-REFUND", "Duplicate payment on my card", "Two payments on my card statement"),
    ("MA-RESET", "Cannot login", "I forgot my password and cannot login"),
    ("MA-RESET", "Login link expired", "The login link says expired"),
    ("MA-SHIP", "Where is my parcel", "The parcel has not arrived, tracking shows nothing"),
)
MACRO_HISTORY_FIRST = 9000


def add_macros(conn: sqlite3.Connection) -> None:
    """The macros of :data:`MACROS` and the tickets of :data:`MACRO_HISTORY` they answered."""
    from storage.macros import refresh_all_profiles  # noqa: PLC0415 - only macro tests

    conn.executemany(
        "INSERT INTO macro (id, title, body, actions, owner_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*macro, T0, T0) for macro in MACROS],
    )
    for n, (macro, subject, body) in enumerate(MACRO_HISTORY):
        number = MACRO_HISTORY_FIRST + n
        add_ticket(conn, number, subject=subject, status="closed", body=body, updated_at=T0 - 9)
        conn.execute(
            "INSERT INTO macro_use (macro_id, ticket_id, agent_id, at) VALUES (?, ?, ?, ?)",
            (macro, ticket_id(number), "AG-BEN", T0 - 5),
        )
    refresh_all_profiles(conn)


def make_macro_workspace(path: Path, tickets: int = 200) -> Workspace:
    """:func:`make_workspace` plus :func:`add_macros`."""
    workspace = make_workspace(path, tickets)
    db = Database.open(path)
    try:
        with db.transaction() as conn:
            add_macros(conn)
    finally:
        db.close()
    return workspace


#: SLA policies of :func:`make_sla_workspace`, tried in this order (around the clock, UTC):
#: (id, name, priority, first response, next response, resolution minutes).
SLA_POLICIES = (
    ("SP-LOW", "Low", "low", 20, 60, 480),
    ("SP-ANY", "Everything else", None, 120, 240, 480),
)


def add_sla_policies(conn: sqlite3.Connection) -> None:
    """The policies of :data:`SLA_POLICIES`."""
    conn.executemany(
        "INSERT INTO sla_policy (id, name, priority, first_response_minutes,"
        " next_response_minutes, resolution_minutes, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*policy, position) for position, policy in enumerate(SLA_POLICIES)],
    )


def make_sla_workspace(path: Path, tickets: int = 200) -> Workspace:
    """:func:`make_workspace` plus :func:`add_sla_policies`, clocks computed at :data:`T0`.

    Ticket ``1000 + i`` is created ``i + 1`` minutes before T0. Low (new, i % 4 == 0):
    first reply due 20 minutes after creation, so #1000 has 19m left and #1020 is 1m
    overdue. Normal (open): due in 1h58m for #1001. High (pending) and urgent (on-hold):
    paused, their status taken to hold since their last update.
    """
    from agentdesk.ops.sla import recompute  # noqa: PLC0415 - only SLA tests

    workspace = make_workspace(path, tickets)
    db = Database.open(path)
    try:
        with db.transaction() as conn:
            add_sla_policies(conn)
        recompute(db, now=T0)
    finally:
        db.close()
    return workspace
