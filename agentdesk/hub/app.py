"""The hub's ASGI app: one factory used by ``agentdesk hub``, the demo and the tests.

:func:`create_app` opens the store as a hub (triggers, backfill) before serving,
so a bad path fails at once with a one-line reason rather than on the first
request. The lifespan starts the :class:`~agentdesk.hub.context.HubContext`, its
watcher of other processes' writes, and the background tasks (the delivery
worker); at shutdown the tasks are asked to stop, given a moment, then cancelled.
The OpenAPI document is served at ``/openapi.json`` to authenticated callers only,
like everything else but the signed webhooks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI

from agentdesk import __version__
from agentdesk.hub import admin, delivery, feed, inbound, mutations, presence
from agentdesk.hub.auth import Authenticated
from agentdesk.hub.context import HubContext, HubSettings
from agentdesk.hub.errors import install_error_handlers
from agentdesk.hub.limits import BodyLimit
from agentdesk.hub.store import open_hub
from storage.stores import canonical

#: A coroutine that runs as long as the app: it gets the hub and an event set at shutdown.
BackgroundTask = Callable[[HubContext, asyncio.Event], Coroutine[Any, Any, None]]

#: Every router the hub serves.
ROUTERS: Final = (
    feed.router,
    mutations.router,
    admin.router,
    inbound.router,
    delivery.router,
    presence.router,
)
#: What runs beside the requests by default.
BACKGROUND_TASKS: Final[tuple[BackgroundTask, ...]] = (delivery.run_delivery_worker,)
_STOP_GRACE_SECONDS: Final = 5.0


def create_app(
    db_path: Path | str,
    *,
    settings: HubSettings | None = None,
    tasks: Sequence[BackgroundTask] = BACKGROUND_TASKS,
) -> FastAPI:
    """The hub on the store at ``db_path``: a file or a PostgreSQL URL.

    The store is created, migrated and made a hub if needed.

    Raises:
        StoreError: the store cannot be opened; nothing is served.
    """
    target = canonical(db_path)
    open_hub(target).close()
    hub_settings = settings or HubSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = HubContext(target, hub_settings)
        app.state.hub = hub
        stop = asyncio.Event()
        watcher = asyncio.create_task(hub.watch())
        running = [asyncio.create_task(task(hub, stop)) for task in tasks]
        try:
            yield
        finally:
            stop.set()
            if running:
                await asyncio.wait(running, timeout=_STOP_GRACE_SECONDS)
            for task in (watcher, *running):
                task.cancel()
            await asyncio.gather(watcher, *running, return_exceptions=True)
            hub.close()

    app = FastAPI(
        title="agentdesk hub",
        version=__version__,
        description="The team hub: change feed, mutations, channels. Bearer tokens from "
        "`agentdesk hub add-agent`; webhooks are signed instead.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(
        BodyLimit,
        limit=hub_settings.max_body_bytes,
        exempt="/v1/inbound/",
        checks_own_text="/v1/mutations",
    )
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(_caller: Authenticated) -> dict[str, Any]:
        return app.openapi()

    return app
