"""The ticket screen: the header, the thread oldest-first, and the requester's other tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain import timefmt
from agentdesk.domain.text import one_line
from screens.events import StoreChanged
from storage.database import Database
from storage.tickets import (
    ThreadMessage,
    TicketDetail,
    TicketSummary,
    requester_ticket_count,
    requester_tickets,
    thread,
    ticket_detail,
)
from widgets.thread_view import ThreadView
from widgets.ticket_header import TicketHeader
from widgets.worker_errors import NotifyWorkerErrors


@dataclass(frozen=True)
class TicketData:
    """Everything the screen shows, read in one worker."""

    detail: TicketDetail
    messages: list[ThreadMessage]
    others: list[TicketSummary]
    others_total: int


class TicketScreen(Screen[None], NotifyWorkerErrors):
    """One ticket, read top to bottom; escape goes back to the queue where it was."""

    CSS_PATH = "ticket.tcss"
    HELP: ClassVar[str] = (
        "The thread reads oldest first: customer messages, public replies and internal notes "
        "are marked apart. Tab moves to the requester's other tickets; enter opens one."
    )
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="ticket.back"),
        Binding("o", "toggle_others", "Other tickets", id="ticket.others"),
    ]

    def __init__(self, db: Database, ticket_id: str) -> None:
        super().__init__()
        self.db = db
        self.ticket_id = ticket_id
        self.data: TicketData | None = None

    def compose(self) -> ComposeResult:
        yield TicketHeader("Loading…", id="ticket-header")
        with Horizontal(id="ticket-body"):
            yield Vertical(id="thread-slot")
            with Vertical(id="others"):
                yield Static("Requester's other tickets", id="others-title", markup=False)
                yield OptionList(id="others-list")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="ticket-load", exit_on_error=False)
    def load(self) -> None:
        """Read the ticket off the UI thread, then show it."""
        with self.db.read() as conn:
            detail = ticket_detail(conn, self.ticket_id)
            data = TicketData(
                detail,
                thread(conn, self.ticket_id),
                requester_tickets(conn, detail.requester_id, exclude=self.ticket_id),
                requester_ticket_count(conn, detail.requester_id) - 1,
            )
        self.app.call_from_thread(self._show, data)

    def _show(self, data: TicketData) -> None:
        first_load = self.data is None
        self.data = data
        self.query_one(TicketHeader).show(data.detail)
        slot = self.query_one("#thread-slot", Vertical)
        slot.remove_children()
        view = ThreadView(data.messages, id="thread")
        slot.mount(view)
        if first_load:
            view.focus()
            view.call_after_refresh(view.scroll_end, animate=False)
        now = timefmt.now_ms()
        options = [
            Option(
                Text.assemble(
                    (f"#{other.number} ", "bold"),
                    (f"{other.status} · {timefmt.ago(other.updated_at, now)}\n", "dim"),
                    one_line(other.subject),
                ),
                id=other.id,
            )
            for other in data.others
        ]
        others = self.query_one("#others-list", OptionList)
        others.clear_options()
        others.add_options(options or [Option("No other tickets", disabled=True)])
        if options:
            others.highlighted = 0
        shown = f"newest {len(data.others)} of " if len(data.others) < data.others_total else ""
        self.query_one("#others-title", Static).update(
            f"Other tickets ({shown}{data.others_total})\n"
            f"from {one_line(data.detail.requester_name)}"
        )

    @on(OptionList.OptionSelected, "#others-list")
    def _open_other(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(TicketScreen(self.db, event.option.id))

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_others(self) -> None:
        self.toggle_class("show-others")

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load()
