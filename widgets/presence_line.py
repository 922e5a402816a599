"""Collision warning on a ticket: who else is on it right now ("Ana is replying").

Fed by the presence client (agentdesk.sync.presence) every few seconds; hidden when
nobody else is there. Names come from the hub: plain ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from agentdesk.domain.text import one_line
from agentdesk.sync.presence import Presence


def presence_text(present: Sequence[Presence]) -> str:
    """``[Ana replying, Ben viewing]`` -> "⚠ Ana is replying · Ben is viewing".

    First names, as a team calls each other; the full name where two share one.
    """
    firsts = [p.name.split(" ", 1)[0] for p in present]
    parts = [
        f"{first if firsts.count(first) == 1 else p.name} is {p.state}"
        for first, p in zip(firsts, present, strict=True)
    ]
    return ("⚠ " + " · ".join(one_line(part) for part in parts)) if parts else ""


class PresenceLine(Static):
    """Others on this ticket; a reply in progress stands out more than a viewer."""

    DEFAULT_CSS = """
    PresenceLine {
        display: none;
        height: 1;
        padding: 0 1;
        background: $warning 25%;
        &.-shown { display: block; }
        &.-replying { background: $error 30%; text-style: bold; }
    }
    """

    def show(self, present: Sequence[Presence]) -> None:
        """Show who else is here, or hide the line."""
        text = presence_text(present)
        self.update(Text(text))
        self.set_class(bool(text), "-shown")
        self.set_class(any(p.state == "replying" for p in present), "-replying")
