"""A ticket's thread: customer messages, public replies and internal notes, oldest first.

Bodies are untrusted: they are shown as plain ``Text`` (never parsed as markup)
with control characters made visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from agentdesk.domain.text import one_line, visible_text
from agentdesk.domain.timefmt import timestamp
from storage.tickets import ThreadMessage

KIND_LABELS: Final = {
    "customer": "Customer",
    "public": "Public reply",
    "internal": "Internal note",
}


class MessageCard(Static):
    """One message, styled by kind (the CSS classes are the message kinds)."""

    DEFAULT_CSS = """
    MessageCard {
        padding: 0 1;
        margin: 0 0 1 0;
        border-left: thick $panel;
        &.customer { border-left: thick $primary; background: $boost; }
        &.public { border-left: thick $success; }
        &.internal { border-left: thick $warning; background: $warning 10%; }
    }
    """

    def __init__(self, message: ThreadMessage) -> None:
        label = KIND_LABELS.get(message.kind, message.kind)
        if message.restricted:
            label += " (restricted)"
        if message.source_number is not None:  # written on a ticket merged into this one
            label += f" · from #{message.source_number}"
        heading = Text.assemble(
            (one_line(message.author), "bold"),
            (f" · {label} · {timestamp(message.created_at)}", "dim"),
        )
        body = Text(visible_text(message.body))
        super().__init__(Text("\n").join([heading, body]), classes=message.kind)
        self.message = message


class ThreadView(VerticalScroll, can_focus=True, inherit_bindings=False):
    """The scrollable thread; j/k scroll it line by line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="thread.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="thread.up"),
        Binding("G,end", "scroll_end", "Newest", show=False, id="thread.end"),
        Binding("g,home", "scroll_home", "Oldest", show=False, id="thread.home"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="thread.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="thread.page_up"),
    ]

    #: The thread; setting it rebuilds the cards (a thread is tens of messages, not thousands).
    messages: reactive[tuple[ThreadMessage, ...] | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        if self.messages is None:
            yield Static("Loading…", classes="empty")
        elif not self.messages:
            yield Static("No messages yet.", classes="empty")
        else:
            for message in self.messages:
                yield MessageCard(message)

    async def show(self, messages: Sequence[ThreadMessage]) -> None:
        """Show ``messages`` and scroll to the newest, if they changed."""
        thread = tuple(messages)
        if thread != self.messages:
            self.messages = thread
            await self.recompose()
            self.scroll_end(animate=False, immediate=True)
