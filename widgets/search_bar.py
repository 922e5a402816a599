"""The queue's search line: a query input and, under it, what is wrong with the query.

Typing is debounced; the screen compiles the text and answers with
:meth:`SearchBar.show_error` or :meth:`SearchBar.show_summary`, so a syntax error
is explained in place and never interrupts typing.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

DEBOUNCE_SECONDS = 0.15


class SearchBar(Vertical):
    """An Input for queries plus a one-line status; hidden until shown."""

    DEFAULT_CSS = """
    SearchBar {
        height: auto;
        display: none;
        &.-active { display: block; }
        & > Input, & > Input:focus { border: none; height: 1; padding: 0 1; background: $boost; }
        #search-status { height: 1; padding: 0 1; color: $text-muted; }
        #search-status.-error { color: $text-error; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear search", id="search.cancel"),
    ]

    class Changed(Message):
        """The query text settled (after the debounce) or was submitted."""

        def __init__(self, bar: SearchBar, text: str, submitted: bool) -> None:
            super().__init__()
            self.bar = bar
            self.text = text
            self.submitted = submitted

    class Cancelled(Message):
        """The agent left the search with escape."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder='status:open tag:billing -tag:spam created:>7d "printer jam"',
            id="search-input",
        )
        yield Static("", id="search-status", markup=False)

    @property
    def input(self) -> Input:
        """The query input."""
        return self.query_one(Input)

    @property
    def text(self) -> str:
        """The current query text."""
        return self.input.value

    def open(self) -> None:
        """Show the bar and put the cursor in it."""
        self.add_class("-active")
        self.input.focus()

    def run(self, text: str) -> None:
        """Show the bar with ``text`` and search it at once, as if typed and submitted."""
        self.open()
        self.input.value = text
        self.input.post_message(Input.Submitted(self.input, text))

    def close(self) -> None:
        """Hide the bar and forget the query."""
        self.remove_class("-active")
        self.input.value = ""
        self._set_status("", error=False)

    def show_error(self, message: str) -> None:
        """Explain what is wrong with the query."""
        self._set_status(message, error=True)

    def show_summary(self, summary: str) -> None:
        """Say what the query means."""
        self._set_status(summary, error=False)

    def _set_status(self, text: str, *, error: bool) -> None:
        status = self.query_one("#search-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(
            DEBOUNCE_SECONDS, lambda: self.post_message(self.Changed(self, self.text, False))
        )

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self.post_message(self.Changed(self, self.text, True))

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())
