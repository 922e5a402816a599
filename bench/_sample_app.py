"""A tiny Textual app the terminal driver is tested and demonstrated against.

It mimics the shape of the real queue screen (rows that start with ``#<id>``, a cursor moved
with j/k, quit on q) without depending on the real app, so the driver can be checked on its own.

Run: ``python bench/_sample_app.py [ROWS]`` (default 1000 rows).
"""

from __future__ import annotations

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static


class SampleQueue(App[None]):
    """A list of fake tickets with a status line that echoes the cursor position."""

    CSS = """
    OptionList { height: 1fr; }
    #status { height: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "move(1)", "Down"),
        Binding("k", "move(-1)", "Up"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, rows: int) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        options = [
            f"#{1000 + n}  Customer {n % 97:>2} cannot log in after reset  open"
            for n in range(self._rows)
        ]
        yield OptionList(*options, id="queue")
        yield Static("cursor 0", id="status")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def action_move(self, delta: int) -> None:
        """Move the cursor; the status line makes every move visible as text, too."""
        queue = self.query_one(OptionList)
        if delta > 0:
            queue.action_cursor_down()
        else:
            queue.action_cursor_up()
        self.query_one("#status", Static).update(f"cursor {queue.highlighted}")


def main(argv: list[str]) -> None:
    """Entry point; the optional first argument is the number of rows."""
    rows = int(argv[1]) if len(argv) > 1 else 1000
    SampleQueue(rows).run()


if __name__ == "__main__":
    main(sys.argv)
