"""What screens read of the SLA settings: the at-risk window, owned by the app."""

from __future__ import annotations

from typing import Protocol, cast

from textual.dom import DOMNode


class SlaSettingsOwner(Protocol):
    """The app, as far as SLA colours are concerned: it knows the configured window."""

    @property
    def sla_window_ms(self) -> int:
        """A next SLA target due within this long is at risk."""
        ...


def sla_window_ms(node: DOMNode) -> int:
    """The at-risk window of the app ``node`` runs in."""
    return cast(SlaSettingsOwner, node.app).sla_window_ms
