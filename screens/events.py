"""Messages the app sends to every screen."""

from __future__ import annotations

from textual.app import App
from textual.message import Message


class StoreChanged(Message):
    """Another connection (the hub sync, a CLI command) committed to the store."""


def broadcast_store_changed(app: App[object]) -> None:
    """Tell every screen that the store changed (after this process wrote to it)."""
    for screen in app.screen_stack:
        screen.post_message(StoreChanged())
