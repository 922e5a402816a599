"""Presence: telling the hub which ticket this agent is on, and asking who else is.

Best effort by design: a collision warning that comes a few seconds late or not at
all (offline) is no reason to interrupt the agent, so every failure is one
:class:`PresenceUnavailable` the screen shrugs off. The hub forgets a presence after
30 s, so the screen announces itself again every few seconds while it is open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    import httpx

State = Literal["viewing", "replying", "gone"]
#: Presence is a hint: give up quickly rather than hold a worker.
TIMEOUT: Final = 3.0


class PresenceUnavailable(Exception):
    """The hub could not be asked (offline, refused, or an unexpected answer)."""


@dataclass(frozen=True, slots=True)
class Presence:
    """Another agent on the ticket."""

    agent_id: str
    name: str
    state: str
    expires_at: int


class PresenceClient:
    """``POST /v1/presence`` and ``GET /v1/presence`` with the workstation's token."""

    def __init__(
        self, url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        import httpx  # noqa: PLC0415 - off the TUI's first paint

        self._http = httpx.AsyncClient(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(TIMEOUT),
            transport=transport,
        )

    async def announce(self, ticket_id: str, state: State) -> None:
        """Say this agent is viewing or replying to the ticket, or has left it ("gone")."""
        body = json.dumps({"ticket_id": ticket_id, "state": state}).encode()
        await self._send("POST", "/v1/presence", content=body)

    async def others(self, ticket_id: str) -> list[Presence]:
        """Who else is on the ticket now (the hub leaves the caller out)."""
        data = await self._send("GET", "/v1/presence", params={"ticket_id": ticket_id})
        present = data.get("present")
        try:
            return [
                Presence(str(p["agent_id"]), str(p["name"]), str(p["state"]), int(p["expires_at"]))
                for p in (present if isinstance(present, list) else [])
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise PresenceUnavailable(f"unexpected presence answer: {exc}") from exc

    async def _send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, object]:
        import httpx  # noqa: PLC0415

        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            response = await self._http.request(
                method, path, content=content, params=params, headers=headers
            )
        except httpx.HTTPError as exc:
            raise PresenceUnavailable(str(exc) or type(exc).__name__) from exc
        if not response.is_success:
            raise PresenceUnavailable(f"{path} answered {response.status_code}")
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise PresenceUnavailable(f"{path} did not answer JSON") from exc
        if not isinstance(data, dict):
            raise PresenceUnavailable(f"{path} did not answer an object")
        return data

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()
