"""A cap on request bodies, answered in the hub's JSON error shape (413).

A declared ``Content-Length`` over the cap is refused before the app runs; a body
that grows past it while streaming (chunked, or a lying length) is refused as it
is read. Webhooks are left alone: each channel has its own limit, checked by
:mod:`agentdesk.hub.body` before the signature.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agentdesk.hub.errors import HubError, error_response


class BodyLimit:
    """ASGI middleware refusing bodies over ``limit`` bytes, except under ``exempt``."""

    def __init__(self, app: ASGIApp, *, limit: int, exempt: str) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt

    def _detail(self) -> str:
        return f"the body is over the limit of {self.limit:,} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await error_response(HubError(413, self._detail()))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, self._detail())  # FastAPI re-raises it to our handler
            return message

        await self.app(scope, counted, send)
