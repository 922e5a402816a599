"""Messages the app sends to every screen."""

from __future__ import annotations

from textual.message import Message


class StoreChanged(Message):
    """Another connection (the hub sync, a CLI command) committed to the store."""
