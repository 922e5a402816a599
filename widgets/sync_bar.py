"""The sync status line at the bottom of every screen: "● synced", "↻ syncing…",
"○ offline (3 pending)", and which hub and agent this workstation is.

The state is told in words and a symbol, never by colour alone (NO_COLOR, screen
readers, a glance at a tmux pane). The bar reads the latest status from the sync
engine's thread (an attribute it replaces, never mutates) a few times a second, so
the engine never has to reach into the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

#: How often the bar looks at the engine's latest status (seconds).
REFRESH_SECONDS: Final = 0.25


class StatusLike(Protocol):
    """What the bar needs of the engine's status (agentdesk.sync.engine.SyncStatus)."""

    @property
    def state(self) -> str: ...
    @property
    def pending(self) -> int: ...
    @property
    def detail(self) -> str: ...


def status_text(status: StatusLike | None) -> str:
    """The words for a status; ``None`` (no answer yet) reads as syncing."""
    if status is None or status.state == "syncing":
        return "↻ syncing…"
    if status.state == "synced":
        return "● synced"
    pending = f" ({status.pending} pending)" if status.pending else ""
    if status.state == "offline":
        return f"○ offline{pending}"
    stopped = f"✗ sync stopped{pending}"
    return f"{stopped}: {status.detail}" if status.detail else stopped


class SyncBar(Horizontal):
    """One line above the footer: the sync state on the left, hub and agent on the right."""

    DEFAULT_CSS = """
    SyncBar {
        dock: bottom;
        height: 1;
        margin-bottom: 1;
        background: $panel;
        #sync-state { width: auto; padding: 0 1; text-style: bold; }
        #sync-where { width: 1fr; padding: 0 1; text-align: right; color: $text-muted; }
        &.-offline #sync-state { background: $warning 30%; }
        &.-error #sync-state { background: $error 40%; }
    }
    """

    def __init__(self, read: Callable[[], StatusLike | None], where: str) -> None:
        super().__init__()
        self._read = read
        self._where = where
        self._shown: StatusLike | bool | None = False  # False: nothing shown yet

    def compose(self) -> ComposeResult:
        yield Static(status_text(None), id="sync-state", markup=False)
        yield Static(Text(self._where), id="sync-where", markup=False)

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(REFRESH_SECONDS, self.refresh_status)

    def refresh_status(self) -> None:
        """Show the engine's latest status if it changed."""
        status = self._read()
        if status is self._shown:
            return
        self._shown = status
        self.query_one("#sync-state", Static).update(Text(status_text(status)))
        state = "syncing" if status is None else status.state
        self.set_class(state == "offline", "-offline")
        self.set_class(state == "error", "-error")
