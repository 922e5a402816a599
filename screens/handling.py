"""Handle sessions from what is on screen: which ticket the agent has in front of them.

The app reports every screen change here; the ticket in front is the one whose screen
is topmost once dialogs are set aside (a composer or a picker over a ticket is work on
that ticket). :class:`~agentdesk.domain.handling.HandleClock` decides when a session
ends and whether it counts; a finished one is recorded through the Desk in a thread
worker, so the agent never waits for it. The session open when the app quits is
recorded as it closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import ModalScreen, Screen

from agentdesk.domain import timefmt
from agentdesk.domain.handling import HandleClock, HandleSession
from screens.actions import DeskOwner

if TYPE_CHECKING:
    from textual.app import App


def ticket_in_front(stack: list[Screen[object]]) -> str | None:
    """The ticket of the topmost screen that is not a dialog, if that screen shows one."""
    for screen in reversed(stack):
        if not isinstance(screen, ModalScreen):
            ticket = getattr(screen, "ticket_id", None)
            return ticket if isinstance(ticket, str) else None
    return None


class HandleTracker:
    """Follows the app's screens and records each handle session."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._clock = HandleClock()

    def attach(self) -> None:
        """Start following screen changes (call once the app is running)."""
        self._app.screen_change_signal.subscribe(self._app, self._changed)

    def _changed(self, _: Screen[object]) -> None:
        ended = self._clock.show(ticket_in_front(self._app.screen_stack), timefmt.now_ms())
        if ended is not None:
            self._app.run_worker(
                lambda: self._record(ended), thread=True, group="handling", exit_on_error=False
            )

    def close(self) -> None:
        """The app is closing: record the session in progress now (a few milliseconds).

        Nothing can be shown any more, so a session that cannot be recorded (the
        ticket or the agent is gone) is dropped rather than raised.
        """
        from agentdesk.desk import DeskError  # noqa: PLC0415 - the Desk is loaded lazily
        from storage.errors import StoreError  # noqa: PLC0415

        ended = self._clock.show(None, timefmt.now_ms())
        if ended is not None:
            try:
                self._record(ended)
            except (DeskError, StoreError):
                return

    def _record(self, session: HandleSession) -> None:
        desk = cast(DeskOwner, self._app).desk
        desk.record_handling(session.ticket_id, session.started_at, session.ended_at)
