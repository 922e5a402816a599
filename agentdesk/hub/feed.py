"""Reading the hub: who am I, the change feed (with long-poll), a ticket's snapshot.

The feed is the ``change`` table, written by the hub's triggers in commit order
(:mod:`agentdesk.hub.feed_schema`). A page is filtered by the caller's clearance
and served as JSON assembled by SQLite (:func:`storage.hub.change_page`), so
an initial sync of many thousands of rows costs no parsing. The cursor a page
returns is the feed's newest seq when the page ends the feed, even if the last
rows were not the caller's to see, so a client never re-reads hidden rows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from agentdesk.hub import feed_schema
from agentdesk.hub.auth import Authenticated, Caller
from agentdesk.hub.context import Hub
from agentdesk.hub.errors import forbidden, not_found
from storage import hub as sql
from storage.agents import AgentRow
from storage.migrations import SCHEMA_VERSION
from storage.sql import Store
from storage.tickets import TicketNotFound, resolve_ticket_id

MAX_LIMIT: Final = 5000
MAX_WAIT: Final = 30.0
#: Seconds between checks, during a long-poll, that its client is still there.
DISCONNECT_CHECK: Final = 1.0

router = APIRouter(tags=["feed"])


class AgentOut(BaseModel):
    """An agent as the API shows one."""

    id: str
    name: str
    email: str
    tier: str
    active: bool
    groups: list[str]


class Me(BaseModel):
    """``GET /v1/me``."""

    agent: AgentOut
    hub: dict[str, Any]  # {"name": ..., "schema": 4}


class FeedChange(BaseModel):
    """One row change: an upsert carries the row, a delete only the key."""

    seq: int
    entity: str
    op: str
    key: dict[str, Any]
    row: dict[str, Any] | None


class ChangesPage(BaseModel):
    """``GET /v1/changes``: changes after the cursor, the next cursor, and the client's last seq."""

    changes: list[FeedChange]
    next: int
    more: bool
    last_seq: int


class Snapshot(BaseModel):
    """A ticket's rows as feed changes, taken at feed position ``seq``."""

    seq: int
    changes: list[FeedChange]


def agent_out(agent: AgentRow) -> AgentOut:
    """An agent row for the API."""
    return AgentOut(
        id=agent.id,
        name=agent.name,
        email=agent.email,
        tier=agent.tier,
        active=agent.active,
        groups=list(agent.groups),
    )


@router.get("/v1/me", response_model=Me, summary="The calling agent and the hub")
async def me(caller: Authenticated, hub: Hub) -> Me:
    """Who the token belongs to: a workstation checks its login with this."""
    info = {"name": hub.settings.name, "schema": SCHEMA_VERSION}
    return Me(agent=agent_out(caller.agent), hub=info)


@dataclass(frozen=True, slots=True)
class _Page:
    rows: list[str]
    next: int
    more: bool
    last_seq: int


def _read_page(
    db: Store, *, caller: Caller, after: int, limit: int, client_id: str | None
) -> _Page:
    with db.read() as conn:
        last_seq = 0
        if client_id is not None:
            client = sql.client_row(conn, client_id)
            if client is not None and client.agent_id != caller.agent.id:
                raise forbidden(f"client {client_id} belongs to another agent")
            last_seq = 0 if client is None else client.last_seq
        upto = sql.last_change(conn)
        rows = sql.change_page(
            conn,
            after=after,
            upto=upto,
            limit=limit + 1,
            agent_id=caller.agent.id,
            cleared=caller.sees_restricted,
        )
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1][0] if more else max(after, upto)
    return _Page([text for _, text in rows], cursor, more, last_seq)


@router.get(
    "/v1/changes",
    response_model=ChangesPage,
    summary="Row changes after a cursor, in server order (long-poll with wait)",
)
async def changes(
    request: Request,
    caller: Authenticated,
    hub: Hub,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1000,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT)] = 0,
    client_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Changes after ``after``; with ``wait``, hold an empty answer until a change arrives.

    A write of this hub process wakes the wait at once; one of another process
    within the hub's poll interval (100 ms). A client that went away ends the wait
    within :data:`DISCONNECT_CHECK` seconds, so no held request delays a shutdown.
    """
    read = partial(_read_page, caller=caller, after=after, limit=limit, client_id=client_id)
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        seen = hub.notifier.current()
        page = await hub.read(read)
        left = deadline - asyncio.get_running_loop().time()
        if page.rows or page.next > after or left <= 0 or await request.is_disconnected():
            return _json(page)
        await hub.wait_for_change(seen, min(left, DISCONNECT_CHECK))


def _json(page: _Page) -> Response:
    body = (
        f'{{"changes":[{",".join(page.rows)}],"next":{page.next},'
        f'"more":{"true" if page.more else "false"},"last_seq":{page.last_seq}}}'
    )
    return Response(body, media_type="application/json")


#: A snapshot's tables and how each finds the ticket's rows (alias ``t``).
_SNAPSHOT: Final = (
    ("ticket", "t.id = ?"),
    ("ticket_tag", "t.ticket_id = ?"),
    (
        "message",
        "t.ticket_id = ? AND (? = 1 OR t.restricted = 0 OR t.author_agent_id"
        " IS NOT DISTINCT FROM ?)",
    ),
    ("escalation", "t.ticket_id = ?"),
)


def _snapshot(db: Store, *, caller: Caller, ref: str) -> Snapshot:
    with db.snapshot() as conn:  # one consistent view of the rows and the feed position
        try:
            ticket_id = resolve_ticket_id(conn, ref)
        except TicketNotFound as exc:
            raise not_found(str(exc)) from exc
        seq = sql.last_change(conn)
        found: list[FeedChange] = []
        for table, where in _SNAPSHOT:
            params: tuple[object, ...] = (ticket_id,)
            if table == "message":
                params = (ticket_id, int(caller.sees_restricted), caller.agent.id)
            for entity, key, row in feed_schema.rows_where(conn, table, where, params):
                found.append(
                    FeedChange.model_validate_json(
                        f'{{"seq":{seq},"entity":"{entity}","op":"upsert","key":{key},"row":{row}}}'
                    )
                )
    return Snapshot(seq=seq, changes=found)


@router.get(
    "/v1/tickets/{ref}/snapshot",
    response_model=Snapshot,
    summary="A ticket's current rows (ticket, tags, visible messages, escalations)",
)
async def snapshot(ref: str, caller: Authenticated, hub: Hub) -> Snapshot:
    """The complete current set of the ticket's rows, to repair a replica's copy of it."""
    return await hub.read(partial(_snapshot, caller=caller, ref=ref))
