"""Presence: who is viewing or replying to a ticket, so two agents do not answer at once.

A workstation says ``POST /v1/presence`` while its agent has a ticket open (again
every few seconds: a claim lasts :data:`TTL_MS`) and ``gone`` when they leave;
``GET /v1/presence?ticket_id=`` lists the others there, which is how the ticket
screen warns "Ana is replying". A claim that was not renewed simply expires, so a
workstation that vanished (killed, offline) never leaves a ghost behind. Presence
is hub-only: it is not in the change feed, and its times are the hub's wall clock.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from agentdesk.hub.auth import Authenticated
from agentdesk.hub.context import Hub
from agentdesk.hub.courier import wall_ms
from agentdesk.hub.errors import not_found
from storage import hub as sql
from storage.sql import Connection, Store
from storage.tickets import TicketNotFound, resolve_ticket_id

#: How long a claim lasts unless renewed (milliseconds).
TTL_MS: Final = 30_000

router = APIRouter(prefix="/v1", tags=["presence"])

TicketRef = Annotated[str, Field(min_length=1, max_length=64)]


class PresenceIn(BaseModel):
    """The caller's state on a ticket (its id or ``#number``); ``gone`` withdraws it."""

    ticket_id: TicketRef
    state: Literal["viewing", "replying", "gone"]


class Present(BaseModel):
    """Another agent on the ticket, until ``expires_at`` (epoch ms)."""

    model_config = ConfigDict(from_attributes=True)

    agent_id: str
    name: str
    state: str
    expires_at: int


class PresenceList(BaseModel):
    """The other agents on a ticket now, those replying first."""

    present: list[Present]


@router.post("/presence", status_code=204, response_class=Response)
async def announce(claim: PresenceIn, caller: Authenticated, hub: Hub) -> Response:
    """Say the caller is viewing or replying to the ticket (for 30 s), or has left it."""

    def write(db: Store) -> None:
        now = wall_ms()
        with db.transaction() as conn:
            ticket_id = _ticket(conn, claim.ticket_id)
            if claim.state == "gone":
                sql.clear_presence(conn, agent_id=caller.agent.id, ticket_id=ticket_id, now=now)
            else:
                sql.set_presence(
                    conn,
                    agent_id=caller.agent.id,
                    ticket_id=ticket_id,
                    state=claim.state,
                    expires_at=now + TTL_MS,
                )

    await hub.write(write)
    return Response(status_code=204)


@router.get("/presence", response_model=PresenceList)
async def present(
    ticket_id: Annotated[str, Query(min_length=1, max_length=64)], caller: Authenticated, hub: Hub
) -> PresenceList:
    """Who else is on the ticket now (expired claims are never listed)."""

    def read(db: Store) -> list[sql.PresenceRow]:
        with db.read() as conn:
            found = _ticket(conn, ticket_id)
            return sql.present_on(conn, found, now=wall_ms(), exclude=caller.agent.id)

    rows = await hub.read(read)
    return PresenceList(present=[Present.model_validate(row) for row in rows])


def _ticket(conn: Connection, ref: str) -> str:
    try:
        return resolve_ticket_id(conn, ref)
    except TicketNotFound as exc:
        raise not_found(str(exc)) from exc
