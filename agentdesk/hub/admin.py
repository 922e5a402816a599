"""Running the team: agents and their tokens, and the channels' webhook settings.

Adding agents and configuring channels is for admins
(:func:`agentdesk.domain.roles.administers_hub`); any agent may list the team.
A channel's secret is write-only: no answer ever contains it.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from agentdesk.domain.roles import administers_hub
from agentdesk.hub.auth import AgentError, Authenticated, Caller, add_agent, require_role
from agentdesk.hub.context import Hub
from agentdesk.hub.errors import HubError, not_found
from agentdesk.hub.feed import AgentOut, agent_out
from storage import hub as sql
from storage.agents import agent_by_email, list_agents
from storage.sql import Store

router = APIRouter(tags=["admin"])

Admin = Annotated[
    Caller, Depends(require_role(administers_hub, "only admins can add agents and set channels"))
]
MAX_CHANNEL_BODY: Final = 16 * 1024 * 1024


class NewAgent(BaseModel):
    """``POST /v1/agents``."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
    tier: Annotated[str, Field(description="1, 2, 3, lead or admin")]
    groups: list[str] = Field(default_factory=list)


class IssuedToken(BaseModel):
    """The new agent and their token: shown once, stored hashed."""

    agent: AgentOut
    token: str


class ChannelSettings(BaseModel):
    """``PUT /v1/channels/{name}``: the fields to change (a new channel needs a secret)."""

    secret: Annotated[str | None, Field(min_length=16, max_length=256)] = None
    outbound_url: Annotated[str | None, Field(pattern=r"^https?://", max_length=2000)] = None
    max_body_bytes: Annotated[int | None, Field(ge=1024, le=MAX_CHANNEL_BODY)] = None


class ChannelOut(BaseModel):
    """A channel's settings, without its secret."""

    name: str
    outbound_url: str | None
    max_body_bytes: int


def _create(db: Store, body: NewAgent) -> IssuedToken:
    with db.read() as conn:
        if agent_by_email(conn, body.email) is not None:
            raise HubError(409, f"{body.email} is already an agent; `hub add-agent` adds a token")
    try:
        issued = add_agent(db, name=body.name, email=body.email, tier=body.tier, groups=body.groups)
    except AgentError as exc:
        raise HubError(422, str(exc)) from exc
    return IssuedToken(agent=agent_out(issued.agent), token=issued.token)


@router.post("/v1/agents", response_model=IssuedToken, status_code=201, summary="Add an agent")
async def create_agent(body: NewAgent, _admin: Admin, hub: Hub) -> IssuedToken:
    """Create an agent with a first token (admins only)."""
    return await hub.write(partial(_create, body=body))


def _list(db: Store) -> list[AgentOut]:
    with db.read() as conn:
        return [agent_out(agent) for agent in list_agents(conn)]


@router.get("/v1/agents", response_model=list[AgentOut], summary="The team")
async def agents(_caller: Authenticated, hub: Hub) -> list[AgentOut]:
    """Every agent with tier and groups (for assignment pickers)."""
    return await hub.read(_list)


def _set_channel(db: Store, name: str, body: ChannelSettings) -> ChannelOut:
    try:
        with db.transaction() as conn:
            row = sql.set_channel(
                conn,
                name,
                secret=body.secret,
                outbound_url=body.outbound_url,
                max_body_bytes=body.max_body_bytes,
            )
    except ValueError as exc:
        raise HubError(422, str(exc)) from exc
    return ChannelOut(
        name=row.name, outbound_url=row.outbound_url, max_body_bytes=row.max_body_bytes
    )


@router.put("/v1/channels/{name}", response_model=ChannelOut, summary="Configure a channel")
async def set_channel(name: str, body: ChannelSettings, _admin: Admin, hub: Hub) -> ChannelOut:
    """Set a channel's webhook secret, outbound endpoint or body limit (admins only)."""
    if name not in sql.CHANNELS:
        raise not_found(f"no channel {name!r}; channels: {', '.join(sql.CHANNELS)}")
    return await hub.write(partial(_set_channel, name=name, body=body))
