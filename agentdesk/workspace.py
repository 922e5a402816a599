"""Opening a workspace: the store plus the agent this process acts as."""

from __future__ import annotations

from dataclasses import dataclass

from agentdesk.config import Settings
from storage.agents import AgentRow, agent_by_email, get_setting, list_agents
from storage.database import Database
from storage.errors import StoreError


class IdentityError(StoreError):
    """The chosen agent does not exist in this workspace."""


@dataclass
class Workspace:
    """An open store and the agent acting on it."""

    db: Database
    agent: AgentRow

    def close(self) -> None:
        """Close the store."""
        self.db.close()


def resolve_agent(db: Database, email: str | None) -> AgentRow:
    """The agent to act as: ``email``, else the workspace default, else the first tier-1 agent.

    Raises:
        IdentityError: if the email is unknown or the workspace has no agents.
    """
    with db.read() as conn:
        chosen = email or get_setting(conn, "default_agent")
        if chosen:
            agent = agent_by_email(conn, chosen)
            if agent is None:
                raise IdentityError(
                    f"no agent {chosen} in {db.path}; `agentdesk agents` lists them"
                )
            return agent
        agents = list_agents(conn)
    for agent in agents:
        if agent.tier == "1" and agent.active:
            return agent
    if agents:
        return agents[0]
    raise IdentityError(f"{db.path} has no agents yet; run `agentdesk demo` for a demo workspace")


def open_workspace(settings: Settings) -> Workspace:
    """Open the configured store and resolve the acting agent.

    Raises:
        StoreError: if the store cannot be opened or the agent is unknown.
    """
    db = Database.open(settings.db_path)
    try:
        return Workspace(db, resolve_agent(db, settings.agent))
    except StoreError:
        db.close()
        raise
