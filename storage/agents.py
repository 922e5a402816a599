"""Agents and workspace settings: who is acting, and the workspace's defaults."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AgentRow:
    """An agent with the names of their groups."""

    id: str
    name: str
    email: str
    tier: str
    active: bool
    groups: tuple[str, ...]


_AGENT_SELECT = """
SELECT a.id, a.name, a.email, a.tier, a.active,
       COALESCE(group_concat(g.name, ', '), '')
FROM agent AS a
LEFT JOIN agent_group_member AS m ON m.agent_id = a.id
LEFT JOIN agent_group AS g ON g.id = m.group_id
"""


def _agent(row: tuple[str, str, str, str, int, str]) -> AgentRow:
    groups = tuple(sorted(name for name in row[5].split(", ") if name))
    return AgentRow(row[0], row[1], row[2], row[3], bool(row[4]), groups)


def list_agents(conn: sqlite3.Connection) -> list[AgentRow]:
    """Every agent, by tier then name."""
    rows = conn.execute(f"{_AGENT_SELECT} GROUP BY a.id ORDER BY a.tier, a.name").fetchall()
    return [_agent(row) for row in rows]


def agent_by_email(conn: sqlite3.Connection, email: str) -> AgentRow | None:
    """The agent with this email (case-insensitive), if any."""
    row = conn.execute(
        f"{_AGENT_SELECT} WHERE lower(a.email) = lower(?) GROUP BY a.id", (email.strip(),)
    ).fetchone()
    return None if row is None else _agent(row)


def get_setting(conn: sqlite3.Connection, key: str) -> str | None:
    """A workspace setting, or ``None`` if unset."""
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Create or replace a workspace setting (call inside a transaction)."""
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
