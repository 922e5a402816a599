"""One line on the ticket screen: the macros most likely to fit, each with its key."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from agentdesk.domain.text import one_line


class MacroSuggestions(Static):
    """``Suggested: 1 Refund approved · 2 …  (c: all macros)``; hidden when there are none."""

    DEFAULT_CSS = """
    MacroSuggestions {
        height: 1;
        padding: 0 1;
        display: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    MacroSuggestions.-shown {
        display: block;
    }
    """

    def show(self, titles: Sequence[str]) -> None:
        """Show these titles (macro titles are typed by people: plain text)."""
        line = Text("Suggested:", style="bold")
        for number, title in enumerate(titles, start=1):
            line.append(f" {number} ", style="reverse")
            line.append(" " + one_line(title) + " ")
        line.append(" c: all macros", style="dim")
        self.update(line)
        self.set_class(bool(titles), "-shown")
