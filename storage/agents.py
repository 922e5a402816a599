"""Agents and workspace settings: who is acting, and the workspace's defaults."""

from __future__ import annotations

from dataclasses import dataclass

from storage.sql import Connection, dialect_of, string_agg


@dataclass(frozen=True, slots=True)
class AgentRow:
    """An agent with the names of their groups."""

    id: str
    name: str
    email: str
    tier: str
    active: bool
    groups: tuple[str, ...]


def _agent_select(conn: Connection) -> str:
    groups = string_agg(dialect_of(conn), "g.name", ", ")
    return (
        f"SELECT a.id, a.name, a.email, a.tier, a.active, COALESCE({groups}, '')"
        " FROM agent AS a"
        " LEFT JOIN agent_group_member AS m ON m.agent_id = a.id"
        " LEFT JOIN agent_group AS g ON g.id = m.group_id"
    )


def _agent(row: tuple[str, str, str, str, int, str]) -> AgentRow:
    groups = tuple(sorted(name for name in row[5].split(", ") if name))
    return AgentRow(row[0], row[1], row[2], row[3], bool(row[4]), groups)


def list_agents(conn: Connection) -> list[AgentRow]:
    """Every agent, by tier then name."""
    rows = conn.execute(f"{_agent_select(conn)} GROUP BY a.id ORDER BY a.tier, a.name").fetchall()
    return [_agent(row) for row in rows]


def agent_by_email(conn: Connection, email: str) -> AgentRow | None:
    """The agent with this email (case-insensitive), if any."""
    row = conn.execute(
        f"{_agent_select(conn)} WHERE lower(a.email) = lower(?) GROUP BY a.id", (email.strip(),)
    ).fetchone()
    return None if row is None else _agent(row)


def get_setting(conn: Connection, key: str) -> str | None:
    """A workspace setting, or ``None`` if unset."""
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_setting(conn: Connection, key: str, value: str) -> None:
    """Create or replace a workspace setting (call inside a transaction)."""
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
