"""Write a whole demo workspace into an empty store, fast and reproducibly.

The team, SLA policies and canned responses go in first; then customers and tickets
stream in batches (one transaction each, see :mod:`agentdesk.demo.produce`) under bulk-load
mode. Everything random comes from one ``random.Random(seed)`` consumed in a fixed
order, and every time is derived from ``now_ms``, so the same
``(tickets, seed, now_ms)`` gives byte-identical rows.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import Final

from agentdesk.demo import feedback, macros, produce, sla
from agentdesk.demo.bulk import BulkLoad
from agentdesk.demo.ids import UlidFactory
from agentdesk.demo.people import AGENTS, DEFAULT_AGENT_EMAIL, GROUPS
from agentdesk.demo.produce import Plan
from agentdesk.demo.tickets import (
    ESCALATION_COLUMNS,
    MESSAGE_COLUMNS,
    TICKET_COLUMNS,
    Team,
)
from agentdesk.demo.timeline import DAY_MS, HOUR_MS
from storage.database import Database
from storage.macros import insert_macro, recount_usage, refresh_all_profiles
from storage.sla import CLOCK_COLUMNS, policy_rows

FIRST_TICKET_NUMBER: Final = 1000


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


_INSERT_TICKET: Final = _insert("ticket", TICKET_COLUMNS)
_INSERT_MESSAGE: Final = _insert("message", MESSAGE_COLUMNS)
_INSERT_TAG: Final = "INSERT INTO ticket_tag (ticket_id, tag) VALUES (?, ?)"
_INSERT_ESCALATION: Final = _insert("escalation", ESCALATION_COLUMNS)
_INSERT_MACRO_USE: Final = _insert("macro_use", ("macro_id", "ticket_id", "agent_id", "at"))
_INSERT_STATUS_CHANGE: Final = _insert("ticket_status_change", ("ticket_id", "at", "status"))
_INSERT_SLA_CLOCK: Final = _insert("sla_clock", CLOCK_COLUMNS)
_INSERT_CUSTOMER: Final = (
    "INSERT INTO customer (id, name, email, organization, plan, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What was written, for the CLI to print."""

    tickets: int
    messages: int
    customers: int
    agents: int
    macros: int
    escalations: int
    elapsed_seconds: float


def generate_workspace(
    db: Database,
    *,
    tickets: int,
    seed: int = 7,
    now_ms: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty store with a demo team, customers and ``tickets`` tickets.

    ``now_ms`` anchors every time (default: the current hour, so a demo made today
    looks live); ``progress(done, tickets)`` is called after each batch, the last
    call once the search index is built too.

    Raises:
        ValueError: ``tickets`` is not positive, or the store already has tickets or
            customers (a demo never mixes with real data).
    """
    if tickets < 1:
        raise ValueError(f"tickets must be at least 1, not {tickets}")
    if now_ms is None:
        now_ms = int(time.time() * 1000) // HOUR_MS * HOUR_MS
    started = time.perf_counter()
    rng = random.Random(seed)
    ulid = UlidFactory(rng)
    with db.lock:
        with db.transaction() as conn:
            _refuse_unless_empty(conn)
            team = _write_team(conn, rng, ulid, now_ms)
            first_seq = int(
                conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM message").fetchone()[0]
            )
        customer_count = max(50, tickets // 4)
        plan = Plan(
            tickets=tickets,
            customers=customer_count,
            now_ms=now_ms,
            first_number=FIRST_TICKET_NUMBER,
            first_seq=first_seq,
            team=team,
            rng_state=rng.getstate(),
        )
        messages = escalations = 0
        bulk = BulkLoad(db)
        try:
            bulk.start()
            with closing(produce.rows(plan)) as items:
                for item in items:
                    batch = item.batch
                    with db.transaction() as conn:
                        conn.executemany(_INSERT_CUSTOMER, item.customers)
                        conn.executemany(_INSERT_TICKET, batch.tickets)
                        conn.executemany(_INSERT_MESSAGE, batch.messages)
                        conn.executemany(_INSERT_TAG, batch.tags)
                        conn.executemany(_INSERT_ESCALATION, batch.escalations)
                        conn.executemany(_INSERT_MACRO_USE, batch.macro_uses)
                        conn.executemany(_INSERT_STATUS_CHANGE, batch.status_changes)
                        conn.executemany(_INSERT_SLA_CLOCK, batch.sla_clocks)
                    messages += len(batch.messages)
                    escalations += len(batch.escalations)
                    if progress is not None and 0 < item.done < tickets:
                        progress(item.done, tickets)
            bulk.finish()
            with db.transaction() as conn:
                _write_settings(conn, tickets=tickets, seed=seed, now_ms=now_ms)
                _write_personal_macros(conn, seed=seed, now_ms=now_ms)
                recount_usage(conn)
                refresh_all_profiles(conn)
                feedback.write_feedback(conn, now_ms=now_ms)
        except BaseException:
            bulk.abort(partial(_remove_rows, first_seq=first_seq))
            raise
        db.checkpoint()
    if progress is not None:
        progress(tickets, tickets)
    return DemoSummary(
        tickets=tickets,
        messages=messages,
        customers=customer_count,
        agents=len(AGENTS),
        macros=len(macros.STARTER_MACROS) + len(macros.PERSONAL_MACROS),
        escalations=escalations,
        elapsed_seconds=time.perf_counter() - started,
    )


def _refuse_unless_empty(conn: sqlite3.Connection) -> None:
    for table in ("ticket", "customer"):
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
            raise ValueError(
                f"this store already has {table}s; a demo workspace needs an empty store "
                "(use a new database file)"
            )


def _write_team(
    conn: sqlite3.Connection, rng: random.Random, ulid: UlidFactory, now_ms: int
) -> Team:
    """Groups, agents, memberships, SLA policies and starter macros.

    Rows that already exist (same group name, agent email, policy name or shared
    macro title) are kept and reused, so a team set up by hand is not duplicated.
    """
    team_since = now_ms - 730 * DAY_MS
    for group in GROUPS:
        conn.execute(
            "INSERT OR IGNORE INTO agent_group (id, name, tier, description) VALUES (?, ?, ?, ?)",
            (ulid(team_since), group.name, group.tier, group.description),
        )
    group_ids = {
        str(name): str(gid)
        for name, gid in conn.execute("SELECT name, id FROM agent_group").fetchall()
    }
    agent_ids: dict[str, str] = {}
    for n, agent in enumerate(AGENTS):
        joined = team_since + n * 17 * DAY_MS
        conn.execute(
            "INSERT OR IGNORE INTO agent (id, name, email, tier, active, created_at) "
            "VALUES (?, ?, ?, ?, 1, ?)",
            (ulid(joined), agent.name, agent.email, agent.tier, joined),
        )
        row = conn.execute("SELECT id FROM agent WHERE email = ?", (agent.email,)).fetchone()
        agent_ids[agent.email] = str(row[0])
        conn.executemany(
            "INSERT OR IGNORE INTO agent_group_member (agent_id, group_id) VALUES (?, ?)",
            [(agent_ids[agent.email], group_ids[g]) for g in agent.groups],
        )
    members = {
        group.name: [
            (agent_ids[a.email], a.first_name)
            for a in AGENTS
            if group.name in a.groups and a.tier == str(group.tier)
        ]
        for group in GROUPS
    }
    for position, policy in enumerate(sla.POLICIES):
        conn.execute(
            "INSERT OR IGNORE INTO sla_policy (id, name, priority, plan, first_response_minutes,"
            " next_response_minutes, resolution_minutes, calendar, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ulid(team_since),
                policy.name,
                policy.priority,
                policy.plan,
                policy.first_response_minutes,
                policy.next_response_minutes,
                policy.resolution_minutes,
                sla.calendar_json(policy.business_hours, now_ms),
                position,
            ),
        )
    sla_ids = {str(name): str(pid) for name, pid in conn.execute("SELECT name, id FROM sla_policy")}
    existing = {
        str(title) for (title,) in conn.execute("SELECT title FROM macro WHERE owner_id IS NULL")
    }
    for macro in macros.STARTER_MACROS:
        created = now_ms - rng.randrange(60, 600) * DAY_MS
        updated = created + rng.randrange(0, 50) * DAY_MS
        usage = int(rng.paretovariate(1.2) * 12) - 10
        macro_id = ulid(created)
        if macro.title in existing:
            continue
        conn.execute(
            "INSERT INTO macro (id, title, body, actions, owner_id, usage_count, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
            (
                macro_id,
                macro.title,
                macro.body,
                json.dumps(macro.actions, ensure_ascii=False, sort_keys=True),
                max(usage, 0),
                created,
                updated,
            ),
        )
    shared = dict(conn.execute("SELECT title, id FROM macro WHERE owner_id IS NULL").fetchall())
    reply_macros = {
        key: str(shared[title]) for key, title in macros.MACRO_REPLIES.items() if title in shared
    }
    return Team(
        group_ids=group_ids,
        members=members,
        sla_ids=sla_ids,
        reply_macros=reply_macros,
        sla_policies=tuple(policy_rows(conn)),
    )


def _write_personal_macros(conn: sqlite3.Connection, *, seed: int, now_ms: int) -> None:
    """A few agents' own macros, with ids from their own generator (the tickets' stays as is)."""
    ulid = UlidFactory(random.Random(f"personal-macros-{seed}"))
    for n, (email, macro) in enumerate(macros.PERSONAL_MACROS):
        owner = conn.execute("SELECT id FROM agent WHERE email = ?", (email,)).fetchone()
        created = now_ms - (90 - 7 * n) * DAY_MS
        macro_id = ulid(created)
        if conn.execute(
            "SELECT 1 FROM macro WHERE owner_id = ? AND title = ?", (owner[0], macro.title)
        ).fetchone():
            continue  # kept from an earlier run, like the team's other rows
        insert_macro(
            conn,
            macro_id=macro_id,
            title=macro.title,
            body=macro.body,
            actions=json.dumps(macro.actions, ensure_ascii=False, sort_keys=True),
            owner_id=str(owner[0]),
            at=created,
        )


def _write_settings(conn: sqlite3.Connection, *, tickets: int, seed: int, now_ms: int) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
        [
            ("demo.tickets", str(tickets)),
            ("demo.seed", str(seed)),
            ("demo.now_ms", str(now_ms)),
            ("default_agent", DEFAULT_AGENT_EMAIL),
        ],
    )


def _remove_rows(conn: sqlite3.Connection, *, first_seq: int) -> None:
    """Delete what a failed run wrote, leaving the store as empty as it was.

    Runs in bulk-load mode (no search triggers, no foreign-key checks), and only
    after the store was checked to hold no tickets or customers of its own.
    """
    conn.execute("DELETE FROM macro_use")
    conn.execute("DELETE FROM sla_clock")
    conn.execute("DELETE FROM ticket_status_change")
    conn.execute("DELETE FROM escalation")
    conn.execute("DELETE FROM ticket_tag")
    conn.execute("DELETE FROM message WHERE seq >= ?", (first_seq,))
    conn.execute("DELETE FROM ticket")
    conn.execute("DELETE FROM customer")
    conn.execute("DELETE FROM setting WHERE key LIKE 'demo.%'")
