"""Handle sessions: how long an agent had a ticket in front of them, for AHT.

A session starts when a ticket's screen becomes the one the agent looks at and ends
when it stops being it: back to the queue, another ticket opened, the app quit.
Dialogs over the ticket (the composer, pickers) are part of handling it. Sessions
shorter than :data:`MIN_SESSION_MS` are glances while browsing and are not recorded;
a session longer than :data:`MAX_SESSION_MS` is counted as that long, since a screen
left open that long was most likely left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MIN_SESSION_MS: Final = 5_000
MAX_SESSION_MS: Final = 30 * 60_000


@dataclass(frozen=True, slots=True)
class HandleSession:
    """Time spent on one ticket: ``[started_at, ended_at)`` in epoch ms."""

    ticket_id: str
    started_at: int
    ended_at: int


class HandleClock:
    """Follows which ticket is in front of the agent; hands back each finished session."""

    def __init__(self) -> None:
        self._ticket: str | None = None
        self._since = 0

    @property
    def ticket(self) -> str | None:
        """The ticket being handled now, if any."""
        return self._ticket

    def show(self, ticket_id: str | None, now: int) -> HandleSession | None:
        """The agent now looks at ``ticket_id`` (``None``: at no ticket).

        Returns:
            The session this ends, if it is long enough to record (capped).
        """
        if ticket_id == self._ticket:
            return None
        ended = self._end(now)
        self._ticket, self._since = ticket_id, now
        return ended

    def _end(self, now: int) -> HandleSession | None:
        if self._ticket is None or now - self._since < MIN_SESSION_MS:
            return None
        return HandleSession(self._ticket, self._since, min(now, self._since + MAX_SESSION_MS))
