"""The one exception the store raises for anything a person must be told."""

from __future__ import annotations


class StoreError(Exception):
    """A store could not be opened or used; the message is one line for a person."""
