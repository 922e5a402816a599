"""Talking to the hub over HTTP: one method per endpoint, every failure classified.

The engine only needs to know what to do next, so every failure becomes one
of three errors: :class:`HubUnavailable` (try again later: the network, a
timeout, a 5xx, a 429 — with the hub's ``Retry-After`` when it sent one),
:class:`NotLoggedIn` (the token is refused: a person must log in again) or
:class:`Forbidden` (this agent may not do that). Every request has a timeout.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from email.utils import parsedate_to_datetime
from typing import Any, Final

import httpx

from agentdesk.sync import wire
from storage.sync import OutboxRow

#: Seconds to connect, send or wait for an answer; long-polls add their wait to the read.
TIMEOUT: Final = 10.0
#: The longest long-poll the hub accepts.
MAX_WAIT: Final = 30
USER_AGENT: Final = "agentdesk-workstation"


class SyncError(Exception):
    """Sync could not go on; the message says why in one sentence."""


class HubUnavailable(SyncError):
    """The hub cannot be reached or asked us to wait: retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotLoggedIn(SyncError):
    """The hub refused the token (missing, revoked or for another hub)."""


class Forbidden(SyncError):
    """The hub refused the action for this agent; the message is its reason."""


class HubError(SyncError):
    """The hub answered something this workstation does not understand."""


class HubClient:
    """An HTTP session with one hub, as one agent (their bearer token).

    Args:
        url: The hub's base URL (``http://127.0.0.1:8765``).
        token: The agent's bearer token.
        transport: For tests only: an httpx transport to send through.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            # Plain HTTP has no certificate to check: building the TLS context costs ~50 ms.
            verify=not self.url.startswith("http://"),
        )

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def me(self) -> wire.Me:
        """Who the token belongs to."""
        return wire.parse_me(await self._request("GET", "/v1/me"))

    async def changes(
        self, after: int, *, limit: int = 1000, wait: int = 0, client_id: str | None = None
    ) -> wire.Page:
        """The changes after ``after``; with ``wait`` the hub holds the request until one comes."""
        wait = max(0, min(wait, MAX_WAIT))
        params: dict[str, str | int] = {"after": after, "limit": limit, "wait": wait}
        if client_id:
            params["client_id"] = client_id
        data = await self._request(
            "GET", "/v1/changes", params=params, timeout=self._timeout + wait
        )
        return wire.parse_page(data)

    async def push(self, client_id: str, rows: Sequence[OutboxRow]) -> wire.PushAnswer:
        """Send mutations in seq order; the hub applies each at most once."""
        body = wire.push_body(client_id, rows)
        answer = wire.parse_push(await self._request("POST", "/v1/mutations", content=body))
        sent = {row.seq for row in rows}
        if {result.seq for result in answer.results} != sent:
            raise HubError("the hub's answer does not cover the mutations sent")
        return answer

    async def snapshot(self, ticket_id: str) -> list[wire.FeedChange] | None:
        """The ticket's rows as the hub has them now, or ``None`` if the hub has no such ticket."""
        try:
            data = await self._request("GET", f"/v1/tickets/{ticket_id}/snapshot")
        except _NotFound:
            return None
        return wire.parse_snapshot(data)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        content: bytes | None = None,
        timeout: float | None = None,
    ) -> Any:
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            response = await self._http.request(
                method,
                path,
                params=params,
                content=content,
                headers=headers,
                timeout=httpx.Timeout(timeout) if timeout else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise HubUnavailable(f"{self.url} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise HubUnavailable(f"cannot reach {self.url}: {_reason(exc)}") from exc
        _raise_for(response, self.url)
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise HubError(f"{self.url}{path} did not answer JSON") from exc


class _NotFound(SyncError):
    """404: the hub has no such thing (internal: callers turn it into a result)."""


def _raise_for(response: httpx.Response, url: str) -> None:
    """Turn an error status into the error that says what to do next."""
    status = response.status_code
    if status < 400:
        return
    detail = _detail(response)
    if status == 401:
        raise NotLoggedIn(
            f"{url} refused the token ({detail or 'unauthorized'}); "
            f"run `agentdesk login {url}` again"
        )
    if status == 403:
        raise Forbidden(detail or f"{url} refused: forbidden")
    if status == 404:
        raise _NotFound(detail or "not found")
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise HubUnavailable(
            f"{url} answered {status} ({detail or response.reason_phrase})", retry_after
        )
    raise HubError(f"{url} answered {status}: {detail or response.reason_phrase}")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), if valid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _detail(response: httpx.Response) -> str | None:
    try:
        return wire.error_detail(json.loads(response.content))
    except ValueError:
        return None


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
