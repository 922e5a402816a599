"""Who is calling: bearer tokens, the agents behind them, and role checks.

A token is ``adk_`` + 256 random bits (``secrets.token_urlsafe(32)``); only its
SHA-256 is stored, so a copy of the database gives nobody a way in, and a plain
hash suffices because the token itself is unguessable. Every endpoint but the
signed webhooks depends on :func:`authenticate` (401 otherwise); endpoints for
some roles add :func:`require_role` with a predicate of
:mod:`agentdesk.domain.roles` (403 with the reason), so the hub judges roles by
the same rules as the Desk.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agentdesk.domain import timefmt
from agentdesk.domain.roles import ROLES, sees_restricted
from agentdesk.hub.context import Hub
from agentdesk.hub.errors import forbidden, unauthorized
from storage import hub as sql
from storage.agents import AgentRow, agent_by_email
from storage.ids import new_ulid
from storage.sql import Store
from storage.writes import find_agent, find_group

TOKEN_PREFIX: Final = "adk_"

_bearer = HTTPBearer(auto_error=False, description="A token from `agentdesk hub add-agent`.")


def new_token() -> str:
    """A fresh bearer token (shown once, stored hashed)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in ``hub_token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AgentError(ValueError):
    """An agent cannot be added as asked (unknown tier or group); the message says why."""


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token issued to an agent, and whether the agent was created for it."""

    agent: AgentRow
    token: str
    created: bool


def add_agent(
    db: Store,
    *,
    name: str,
    email: str,
    tier: str,
    groups: Sequence[str] = (),
    label: str = "",
) -> NewToken:
    """Issue a token to the agent with this email, creating the agent if there is none.

    An existing agent keeps their name and tier; ``groups`` (names or ids, which
    must exist) are added to theirs. One transaction: the agent, memberships and
    token appear together (and in the feed, through the hub's triggers).

    Raises:
        AgentError: an unknown tier or group.
    """
    if tier not in ROLES:
        raise AgentError(f"unknown tier {tier!r}; use one of: {', '.join(ROLES)}")
    now = timefmt.now_ms()
    token = new_token()
    with db.transaction() as conn:
        existing = agent_by_email(conn, email)
        agent_id = existing.id if existing else new_ulid(now)
        if existing is None:
            sql.insert_agent(conn, agent_id=agent_id, name=name, email=email, tier=tier, at=now)
        for ref in groups:
            group = find_group(conn, ref)
            if group is None:
                raise AgentError(f"no group {ref!r}")
            sql.add_membership(conn, agent_id, group.id)
        sql.insert_token(conn, token_hash=hash_token(token), agent_id=agent_id, label=label, at=now)
        agent = agent_by_email(conn, email)
    assert agent is not None  # written in this transaction
    return NewToken(agent, token, existing is None)


@dataclass(frozen=True, slots=True)
class Caller:
    """The agent a request acts as."""

    agent: AgentRow

    @property
    def sees_restricted(self) -> bool:
        """Whether restricted internal notes of others reach this caller."""
        return sees_restricted(self.agent.tier)


def _caller_of(db: Store, token_hash: str) -> Caller | str:
    """The token's agent, or why the token is refused."""
    with db.read() as conn:
        found = sql.token_agent(conn, token_hash)
        if found is None:
            return "unknown token"
        agent_id, revoked = found
        if revoked:
            return "this token was revoked; ask an admin for a new one"
        ref = find_agent(conn, agent_id)
        agent = None if ref is None else agent_by_email(conn, ref.email)
    if agent is None or not agent.active:
        return "the token's agent is deactivated"
    return Caller(agent)


async def authenticate(
    hub: Hub,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """FastAPI dependency: the calling agent, or 401."""
    if credentials is None:
        raise unauthorized("missing bearer token (Authorization: Bearer adk_...)")
    token_hash = hash_token(credentials.credentials)
    found = await hub.read(lambda db: _caller_of(db, token_hash))
    if isinstance(found, str):
        raise unauthorized(found)
    return found


#: A route parameter that receives the authenticated :class:`Caller`.
Authenticated = Annotated[Caller, Depends(authenticate)]


def require_role(rule: Callable[[str], bool], reason: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers whose tier passes ``rule``; others get 403 ``reason``.

    ``rule`` is a predicate of :mod:`agentdesk.domain.roles`, e.g.
    ``Depends(require_role(is_overseer, "only leads and admins can list deliveries"))``.
    """

    async def check(caller: Authenticated) -> Caller:
        if not rule(caller.agent.tier):
            raise forbidden(reason)
        return caller

    return check
