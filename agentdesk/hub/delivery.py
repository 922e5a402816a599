"""Channels out: the delivery worker the hub's lifespan runs, and ``GET /v1/deliveries``.

The queue and the courier are in :mod:`agentdesk.hub.courier`; this module starts
one courier per hub process on a connection of its own, and lets leads and admins
see what is waiting, what went out and what failed (with the last error).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from agentdesk.domain.roles import is_overseer
from agentdesk.hub.auth import require_role
from agentdesk.hub.context import Hub, HubContext
from agentdesk.hub.courier import Courier, CourierSettings
from storage import hub as sql
from storage.sql import Store
from storage.stores import open_store

MAX_LIMIT: Final = 1000

router = APIRouter(prefix="/v1", tags=["channels"])

_overseer = Depends(require_role(is_overseer, "only leads and admins can list deliveries"))


async def run_delivery_worker(
    context: HubContext, stop: asyncio.Event, settings: CourierSettings | None = None
) -> None:
    """Deliver queued replies until ``stop`` is set (an asyncio task of the app's lifespan)."""
    db = await asyncio.to_thread(open_store, context.target)
    try:
        await Courier(db, settings).run(stop, context.notifier.current)
    finally:
        db.close()


class DeliveryList(BaseModel):
    """The newest deliveries first."""

    deliveries: list[sql.DeliveryRow]


@router.get("/deliveries", response_model=DeliveryList, dependencies=[_overseer])
async def deliveries(
    hub: Hub,
    state: Literal["pending", "delivered", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> DeliveryList:
    """Deliveries of one state (or all), newest first: leads and admins only."""

    def read(db: Store) -> list[sql.DeliveryRow]:
        with db.read() as conn:
            return sql.list_deliveries(conn, state=state, limit=limit)

    rows = await hub.read(read)
    return DeliveryList(deliveries=rows)
