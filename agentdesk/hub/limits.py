"""A cap on request bodies (413), and no NUL character in any request (400).

A declared ``Content-Length`` over the cap is refused before the app runs; a body
that grows past it while streaming (chunked, or a lying length) is refused as it
is read. Webhooks are left alone: each channel has its own limit, checked by
:mod:`agentdesk.hub.body` before the signature.

U+0000 is refused wherever a request carries text (path, query, JSON ``\\u0000``):
PostgreSQL text cannot hold it, and a hub answers the same on either store. A
push's mutations are checked one by one instead (:mod:`agentdesk.hub.mutations`):
refusing the whole batch would stall the workstation's outbox behind one note.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agentdesk.hub.body import NUL_REASON
from agentdesk.hub.errors import HubError, error_response

_NUL_DETAIL: Final = f"the request holds a {NUL_REASON}"


#: ``\\u0000`` in JSON text: the escape, not an escaped backslash followed by "u0000".
_JSON_NUL: Final = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _nul_in_url(scope: Scope) -> bool:
    return "\x00" in str(scope["path"]) or b"%00" in bytes(scope.get("query_string", b""))


class BodyLimit:
    """ASGI middleware refusing bodies over ``limit`` bytes, except under ``exempt``.

    Bodies under ``checks_own_text`` are not scanned for NUL (their route does it).
    """

    def __init__(self, app: ASGIApp, *, limit: int, exempt: str, checks_own_text: str) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt
        self.checks_own_text = checks_own_text

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
        if _nul_in_url(scope):
            await error_response(HubError(400, _NUL_DETAIL))(scope, receive, send)
            return
        body = bytearray()
        scan = not str(scope["path"]).startswith(self.checks_own_text)

        async def counted() -> Message:
            message = await receive()
            body.extend(message.get("body", b""))
            if len(body) > self.limit:
                raise HTTPException(413, self._detail())  # FastAPI re-raises it to our handler
            if scan and not message.get("more_body") and _JSON_NUL.search(body):
                raise HTTPException(400, _NUL_DETAIL)
            return message

        await self.app(scope, counted, send)
