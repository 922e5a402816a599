"""Saved views: an agent's searches kept by name, after the built-in views (keys 8-9).

Stored per agent as JSON in the workspace ``setting`` table: they are an agent's
preferences, not ticket data, so they carry no audit event and never sync.
"""

from __future__ import annotations

import json

from agentdesk.domain.views import DEFAULT_SLA_AT_RISK_MINUTES, View, builtin_views, saved_view
from storage.agents import AgentRow, get_setting, set_setting
from storage.database import Database


def _key(agent: AgentRow) -> str:
    return f"saved_views:{agent.id}"


def load_saved(db: Database, agent: AgentRow) -> list[tuple[str, str]]:
    """(name, query) pairs in the order they were saved."""
    with db.read() as conn:
        raw = get_setting(conn, _key(agent))
    try:
        pairs = json.loads(raw) if raw else []
        return [(str(name), str(query)) for name, query in pairs]
    except (ValueError, TypeError):
        return []  # a damaged preference must not stop the queue from opening


def all_views(
    db: Database, agent: AgentRow, *, sla_at_risk_minutes: int = DEFAULT_SLA_AT_RISK_MINUTES
) -> list[View]:
    """Built-in views (with the configured SLA at-risk window), then the agent's saved ones."""
    saved = (saved_view(name, query) for name, query in load_saved(db, agent))
    return [*builtin_views(sla_at_risk_minutes), *saved]


def save_view(db: Database, agent: AgentRow, query: str, name: str | None = None) -> View:
    """Save ``query`` under ``name`` (default: the query itself), replacing one of that name."""
    name = (name or query).strip()
    kept = [(n, q) for n, q in load_saved(db, agent) if n != name] + [(name, query)]
    with db.transaction() as conn:
        set_setting(conn, _key(agent), json.dumps(kept, ensure_ascii=False))
    return saved_view(name, query)
