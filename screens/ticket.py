"""The ticket screen: the header, the thread oldest-first, and the requester's other tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain import timefmt
from agentdesk.domain.text import one_line
from screens.actions import ACTION_BINDINGS, TicketActions, TicketRef
from screens.events import StoreChanged
from storage.agents import AgentRow
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
from widgets.audit_view import AuditView
from widgets.thread_view import ThreadView
from widgets.ticket_header import TicketHeader
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from storage.writes import AuditRow


@dataclass(frozen=True)
class TicketData:
    """Everything the screen shows, read in one worker."""

    detail: TicketDetail
    messages: list[ThreadMessage]
    others: list[TicketSummary]
    others_total: int
    audit: list[AuditRow]


class TicketScreen(Screen[None], TicketActions, NotifyWorkerErrors):
    """One ticket, read top to bottom; escape goes back to the queue where it was."""

    CSS_PATH = "ticket.tcss"
    AUTO_FOCUS = "#thread"
    HELP: ClassVar[str] = (
        "The thread reads oldest first: customer messages, public replies and internal notes "
        "are marked apart. r replies to the customer, n adds an internal note, s/p set "
        "status and priority, a takes the ticket, A assigns it, t edits tags, h shows the "
        "audit trail (newest first). Tab moves to the requester's other tickets."
    )
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="ticket.back"),
        Binding("o", "toggle_others", "Other tickets", show=False, id="ticket.others"),
        Binding("h", "toggle_audit", "History", show=False, id="ticket.audit"),
        *ACTION_BINDINGS,
    ]

    class Loaded(Message):
        """The worker read the ticket."""

        def __init__(self, data: TicketData) -> None:
            super().__init__()
            self.data = data

    def __init__(self, db: Database, agent: AgentRow, ticket_id: str) -> None:
        super().__init__()
        self.db = db
        self.agent = agent
        self.ticket_id = ticket_id
        self.data: TicketData | None = None

    def compose(self) -> ComposeResult:
        yield TicketHeader("Loading…", id="ticket-header")
        with Horizontal(id="ticket-body"):
            yield ThreadView(id="thread")
            yield AuditView(id="audit")
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
                self.desk.audit_trail(self.ticket_id),
            )
        self.post_message(self.Loaded(data))

    async def on_ticket_screen_loaded(self, message: TicketScreen.Loaded) -> None:
        data = message.data
        self.data = data
        self.query_one(TicketHeader).show(data.detail)
        await self.query_one(AuditView).show(data.audit)
        await self.query_one(ThreadView).show(data.messages)
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
            self.app.push_screen(TicketScreen(self.db, self.agent, event.option.id))

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_others(self) -> None:
        self.toggle_class("show-others")

    def action_toggle_audit(self) -> None:
        self.toggle_class("show-audit")

    def targets(self) -> list[TicketRef]:
        """This ticket, once loaded."""
        return [] if self.data is None else [TicketRef(self.ticket_id, self.data.detail.number)]

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load()
