"""A ticket's escalations under its header: who sent it up, when, where, why, and what became
of it. Hidden on tickets never escalated, so the thread keeps its room."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rich.text import Text
from textual.widgets import Static

from agentdesk.domain.escalation import history_line
from storage.escalations import EscalationRow

#: Lines shown at most; older escalations are counted, not listed.
SHOWN: Final = 3


class EscalationHistory(Static):
    """One line per escalation, oldest first; the newest :data:`SHOWN` of them."""

    DEFAULT_CSS = """
    EscalationHistory {
        display: none;
        height: auto;
        padding: 0 1;
        background: $warning 10%;
    }
    EscalationHistory.-shown { display: block; }
    """

    def show(self, rows: Sequence[EscalationRow]) -> None:
        """List ``rows`` (a ticket's escalations, oldest first); none hides the widget."""
        lines = [
            Text(history_line(row), "bold" if row.state == "open" else "") for row in rows[-SHOWN:]
        ]
        earlier = len(rows) - SHOWN
        if earlier > 0:
            lines.insert(0, Text(f"{earlier} earlier ones are in the audit trail (h)", "dim"))
        title = Text("Escalations ", "bold")
        self.update(Text("\n").join([title + lines[0], *lines[1:]]) if lines else "")
        self.set_class(bool(rows), "-shown")
