"""The app's link to its hub: the sync engine in a thread, the status bar, presence.

Made only for a store logged in to a hub (``<store>.hub.toml``, see
:mod:`agentdesk.sync.credentials`). The engine runs in a thread worker with its own
store connection and event loop; what it commits reaches the screens through the
app's ``PRAGMA data_version`` poll, and its status through :attr:`SyncLink.status`,
an attribute it replaces and the status bar reads. Presence runs in async workers of
the ticket screen: a few small requests every few seconds, never on the UI's path.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from textual.app import App
from textual.screen import ModalScreen, Screen

from agentdesk.sync.credentials import Credentials, CredentialsError, load
from agentdesk.sync.presence import PresenceClient, PresenceUnavailable, State
from widgets.presence_line import PresenceLine
from widgets.sync_bar import StatusLike, SyncBar

if TYPE_CHECKING:
    from storage.agents import AgentRow

#: How often an open ticket tells the hub it is still there and asks who else is.
PRESENCE_SECONDS: Final = 3.0


class Engine(Protocol):
    """What the link needs of :class:`agentdesk.sync.engine.SyncEngine`."""

    async def run(self) -> None: ...
    def stop(self) -> None: ...


EngineFactory = Callable[[Path, Credentials, Callable[[StatusLike], None]], Engine]


def _default_engine(
    db_path: Path, credentials: Credentials, on_status: Callable[[StatusLike], None]
) -> Engine:
    from agentdesk.sync.engine import SyncEngine  # noqa: PLC0415 - only for a logged-in store

    return SyncEngine(db_path, credentials, on_status=on_status)


class SyncLink:
    """Everything the TUI does with the hub, owned by the app for its lifetime."""

    def __init__(
        self,
        app: App[Any],
        db_path: Path,
        credentials: Credentials,
        agent: AgentRow,
        *,
        engine_factory: EngineFactory = _default_engine,
    ) -> None:
        self.app = app
        self.credentials = credentials
        #: The engine's latest status, replaced (never mutated) by the engine's thread.
        self.status: StatusLike | None = None
        self._engine = engine_factory(db_path, credentials, self._on_status)
        self._where = f"{agent.name} · {_host(credentials.url)}"
        self._presence: PresenceClient | None = None
        self._moved = asyncio.Event()  # a screen came or went: presence may have changed

    @classmethod
    def for_store(
        cls, app: App[Any], db_path: Path, agent: AgentRow, **options: EngineFactory
    ) -> SyncLink | None:
        """The link of a logged-in store, or ``None`` for a local-only one.

        A credentials file that cannot be used is said once, and the app runs local-only.
        """
        try:
            credentials = load(db_path)
        except CredentialsError as exc:
            app.notify(str(exc), title="Not syncing", severity="warning", markup=False)
            return None
        return None if credentials is None else cls(app, db_path, credentials, agent, **options)

    # -- engine ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the engine and show the status bar on this and every later screen."""
        self.app.screen_change_signal.subscribe(self.app, self._on_screen_change)
        self._on_screen_change(self.app.screen)
        self.app.run_worker(
            self._run_engine, thread=True, group="sync", name="sync engine", exit_on_error=False
        )

    def _run_engine(self) -> None:
        asyncio.run(self._engine.run())

    def _on_status(self, status: StatusLike) -> None:
        """Called from the engine's thread: one attribute write, no event-loop call."""
        self.status = status

    def close(self) -> None:
        """Stop the engine (its thread ends within a moment); the app is exiting."""
        self._engine.stop()

    # -- status bar -------------------------------------------------------------------

    def _on_screen_change(self, screen: Screen[Any]) -> None:
        self._moved.set()
        if isinstance(screen, ModalScreen) or screen.query(SyncBar):
            return
        if screen.is_mounted:
            screen.mount(SyncBar(lambda: self.status, self._where))
        else:
            screen.call_after_refresh(self._on_screen_change, screen)

    # -- presence ---------------------------------------------------------------------

    def watch_presence(self, screen: Screen[Any], ticket_id: str, line: PresenceLine) -> None:
        """While ``screen`` is open: announce viewing/replying, show who else is on the ticket."""
        screen.run_worker(
            self._presence_loop(screen, ticket_id, line),
            group="presence",
            exclusive=True,
            exit_on_error=False,
        )

    def _client(self) -> PresenceClient:
        if self._presence is None:
            self._presence = PresenceClient(self.credentials.url, self.credentials.token)
        return self._presence

    def _state_on(self, screen: Screen[Any], ticket_id: str) -> State:
        """Replying while a public reply to the ticket is being written over ``screen``;
        viewing while ``screen`` is in front; gone while another screen covers it."""
        from screens.composer import ComposerScreen  # noqa: PLC0415 - avoids an import cycle

        front = self.app.screen
        if isinstance(front, ComposerScreen) and front.ticket_id == ticket_id:
            return "replying" if front.kind == "public" else "viewing"
        return "viewing" if front is screen or isinstance(front, ModalScreen) else "gone"

    async def _presence_loop(self, screen: Screen[Any], ticket_id: str, line: PresenceLine) -> None:
        client = self._client()
        try:
            while True:
                self._moved.clear()
                state = self._state_on(screen, ticket_id)
                try:
                    await client.announce(ticket_id, state)
                    line.show([] if state == "gone" else await client.others(ticket_id))
                except PresenceUnavailable:
                    line.show([])  # offline: the status bar says so
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._moved.wait(), PRESENCE_SECONDS)
        finally:  # the ticket screen closed: say so now rather than after the hub's TTL
            self.app.run_worker(self._leave(client, ticket_id), exit_on_error=False)

    @staticmethod
    async def _leave(client: PresenceClient, ticket_id: str) -> None:
        with contextlib.suppress(PresenceUnavailable):
            await client.announce(ticket_id, "gone")


def _host(url: str) -> str:
    """``http://127.0.0.1:8765/`` -> ``127.0.0.1:8765``: enough to tell hubs apart."""
    return url.split("://", 1)[-1].rstrip("/")
