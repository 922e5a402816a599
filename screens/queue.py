"""The queue screen: a view's tickets in a virtual table, with its name and live count."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from agentdesk.domain.views import View
from screens.events import StoreChanged
from storage.agents import AgentRow
from storage.database import Database
from widgets.queue_table import QueueTable


class QueueScreen(Screen[None]):
    """Where an agent spends the day: pick the next ticket and open it."""

    CSS_PATH = "queue.tcss"
    HELP: ClassVar[str] = (
        "The queue shows one view's tickets, newest activity first. Move with j/k or the "
        "arrows, jump with g/G and PageUp/PageDown, and press enter to open a ticket."
    )
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self, db: Database, agent: AgentRow, view: View) -> None:
        super().__init__()
        self.db = db
        self.agent = agent
        self.view = view

    def compose(self) -> ComposeResult:
        with Horizontal(id="queue-bar"):
            yield Static(self.view.title, id="queue-view", markup=False)
            yield Static("counting…", id="queue-count", markup=False)
            yield Static(
                f"{self.agent.name} · {self._tier_label()}", id="queue-agent", markup=False
            )
        yield QueueTable(self.db, self.view.query(self.agent), id="queue-table")
        yield Footer()

    def _tier_label(self) -> str:
        tier = self.agent.tier
        return f"tier {tier}" if tier.isdigit() else tier

    @property
    def table(self) -> QueueTable:
        """The queue table of this screen."""
        return self.query_one(QueueTable)

    def show_view(self, view: View) -> None:
        """Switch the table to another view."""
        self.view = view
        self.query_one("#queue-view", Static).update(view.title)
        self.query_one("#queue-count", Static).update("counting…")
        self.table.set_query(view.query(self.agent))

    @on(QueueTable.CountChanged)
    def _count_changed(self, event: QueueTable.CountChanged) -> None:
        noun = "ticket" if event.total == 1 else "tickets"
        self.query_one("#queue-count", Static).update(f"{event.total:,} {noun}")

    @on(QueueTable.Selected)
    def _open_ticket(self, event: QueueTable.Selected) -> None:
        from screens.ticket import TicketScreen  # noqa: PLC0415 - loaded on first open, not at start

        self.app.push_screen(TicketScreen(self.db, event.row.id))

    def on_store_changed(self, _: StoreChanged) -> None:
        self.table.reload()
