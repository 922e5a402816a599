"""Reading a request body within a size limit, and decoding it as UTF-8 JSON.

A webhook's body is read before anything else is done with it (its signature
covers the raw bytes). The limit is enforced twice: on a declared
``Content-Length``, before a byte is read, and while streaming, since a chunked
body declares nothing and a declared length can lie. Each failure is a
:class:`~agentdesk.hub.errors.HubError`: 400 (unreadable) or 413 (too large).
"""

from __future__ import annotations

import json
from typing import Final

from starlette.requests import Request

from agentdesk.hub.errors import HubError


def _too_large(limit: int) -> HubError:
    return HubError(413, f"the body is over the limit of {limit:,} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise HubError(400, "Content-Length must be a whole number")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_json(body: bytes) -> object:
    """The body as JSON; invalid UTF-8 and malformed JSON are refused (400).

    JSON that parses but cannot be stored is malformed too: ``NaN``/``Infinity``
    (not JSON), ``\\ud800``-style lone surrogates (no such character, and SQLite
    could not encode it), ``\\u0000`` (PostgreSQL text cannot hold it: refused on
    either store, so a hub behaves the same on both), and nesting too deep to parse.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HubError(400, f"the body is not valid UTF-8 ({exc.reason})") from exc
    try:
        data = json.loads(text, parse_constant=_no_constant)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeEncodeError
        raise HubError(400, f"the body is not valid JSON: {exc}") from exc
    if holds_nul(data):
        raise HubError(400, f"the body holds a {NUL_REASON}")
    return data


#: Why text with U+0000 is refused (the start of a sentence's object).
NUL_REASON: Final = "NUL character (\\u0000), which no text field stores"


def holds_nul(data: object) -> bool:
    """Whether any string in the JSON value (keys included) contains U+0000."""
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(holds_nul(key) or holds_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(holds_nul(item) for item in data)
    return False


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")
