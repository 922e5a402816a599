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
from screens.macro_picker import SUGGESTION_BINDINGS, StagedMacro, staged_suggestions
from screens.sla import sla_window_ms
from screens.sync_link import SyncLink
from storage.agents import AgentRow
from storage.database import Database
from storage.escalations import EscalationRow, ticket_escalations
from storage.incidents import TicketLinks, ticket_links
from storage.rejections import Rejection, acknowledge_rejections, ticket_rejections
from storage.tickets import (
    ThreadMessage,
    TicketDetail,
    TicketSummary,
    requester_ticket_count,
    requester_tickets,
    ticket_detail,
)
from widgets.audit_view import AuditView
from widgets.escalation_history import EscalationHistory
from widgets.macro_suggestions import MacroSuggestions
from widgets.presence_line import PresenceLine
from widgets.rejections import RejectionList
from widgets.sla_text import sla_line
from widgets.thread_view import ThreadView
from widgets.ticket_header import TicketHeader
from widgets.ticket_links import TicketLinksLine, TicketLinksPanel
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.ops.sla import TicketSla
    from storage.writes import AuditRow


@dataclass(frozen=True)
class TicketData:
    """Everything the screen shows, read in one worker."""

    detail: TicketDetail
    messages: list[ThreadMessage]
    others: list[TicketSummary]
    others_total: int
    audit: list[AuditRow]
    links: TicketLinks
    escalations: list[EscalationRow]
    sla: TicketSla | None = None
    rejections: tuple[Rejection, ...] = ()


class TicketScreen(Screen[None], TicketActions, NotifyWorkerErrors):
    """One ticket, read top to bottom; escape goes back to the queue where it was."""

    CSS_PATH = "ticket.tcss"
    AUTO_FOCUS = "#thread"
    HELP: ClassVar[str] = (
        "The thread reads oldest first: customer messages, public replies and internal notes "
        "are marked apart. r replies to the customer, n adds an internal note, s/p set "
        "status and priority, a takes the ticket, A assigns it, t edits tags, h shows the "
        "audit trail (newest first). Tab moves to the requester's other tickets. c picks a "
        "canned response; 1-3 use one of the suggested macros shown under the header. e escalates "
        "to a higher tier; the ticket's escalations are listed under the header. I links the "
        "ticket to an incident, m merges it into another ticket of the same requester; on an "
        "incident, R replies to every unsolved linked ticket with one macro and solves them. "
        "Synced with a hub: a change the hub refused is listed under the header with its "
        "reason until x dismisses it, and a line warns when someone else is viewing or "
        "replying to the ticket."
    )
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="ticket.back"),
        Binding("o", "toggle_others", "Other tickets", show=False, id="ticket.others"),
        Binding("h", "toggle_audit", "History", show=False, id="ticket.audit"),
        Binding("I", "link_incident", "Incident…", show=False, id="ticket.link_incident"),
        Binding("R", "solve_incident", "Solve incident", id="ticket.solve_incident"),
        Binding(
            "x", "dismiss_rejections", "Dismiss refused", show=False, id="ticket.dismiss_rejections"
        ),
        *ACTION_BINDINGS,
        *SUGGESTION_BINDINGS,
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
        self.suggestions: list[StagedMacro] = []

    def compose(self) -> ComposeResult:
        yield TicketHeader("Loading…", id="ticket-header")
        yield MacroSuggestions(id="macro-suggestions")
        yield TicketLinksLine(id="ticket-links")
        yield EscalationHistory(id="escalation-history")
        yield RejectionList(id="rejections")
        yield PresenceLine(id="presence")
        with Horizontal(id="ticket-body"):
            yield ThreadView(id="thread")
            yield AuditView(id="audit")
            with Vertical(id="others"):
                yield TicketLinksPanel(id="links")
                yield Static("Requester's other tickets", id="others-title", markup=False)
                yield OptionList(id="others-list")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        sync = getattr(self.app, "sync", None)  # the app's SyncLink when the store has a hub
        if isinstance(sync, SyncLink):
            sync.watch_presence(self, self.ticket_id, self.query_one(PresenceLine))

    @work(thread=True, exclusive=True, group="ticket-load", exit_on_error=False)
    def load(self) -> None:
        """Read the ticket off the UI thread, then show it."""
        with self.db.read() as conn:
            detail = ticket_detail(conn, self.ticket_id)
            data = TicketData(
                detail,
                self.desk.thread(self.ticket_id),
                requester_tickets(conn, detail.requester_id, exclude=self.ticket_id),
                requester_ticket_count(conn, detail.requester_id) - 1,
                self.desk.audit_trail(self.ticket_id),
                links=ticket_links(conn, self.ticket_id),
                escalations=ticket_escalations(conn, self.ticket_id),
                sla=self.desk.ticket_sla(self.ticket_id),
                rejections=tuple(ticket_rejections(conn, self.ticket_id)),
            )
        self.post_message(self.Loaded(data))

    async def on_ticket_screen_loaded(self, message: TicketScreen.Loaded) -> None:
        data = message.data
        self.data = data
        sla = None
        if data.sla is not None and data.sla.policy is not None and data.sla.clocks is not None:
            sla = sla_line(data.sla.policy, data.sla.clocks, timefmt.now_ms(), sla_window_ms(self))
        self.query_one(TicketHeader).show(data.detail, sla=sla)
        self._suggest()
        self.query_one(TicketLinksLine).show(data.links)
        self.query_one(TicketLinksPanel).show(data.links)
        self.query_one(EscalationHistory).show(data.escalations)
        self.query_one(RejectionList).show(list(data.rejections))
        self.refresh_bindings()  # solving an incident is offered only on one
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
    @on(OptionList.OptionSelected, "#links-list")
    def _open_other(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(TicketScreen(self.db, self.agent, event.option.id))

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_others(self) -> None:
        self.toggle_class("show-others")

    def action_toggle_audit(self) -> None:
        self.toggle_class("show-audit")

    # -- canned responses --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="macro-suggestions", exit_on_error=False)
    def _suggest(self) -> None:
        """Rank the macros for this ticket off the UI thread (BM25 over the macros' documents)."""
        staged = staged_suggestions(self.desk, self.ticket_id)
        self.app.call_from_thread(self._suggested, staged)

    def _suggested(self, staged: list[StagedMacro]) -> None:
        self.suggestions = staged
        self.query_one(MacroSuggestions).show([macro.title for macro in staged])

    def action_use_suggestion(self, index: int) -> None:
        targets = self.targets()
        if targets and index < len(self.suggestions):
            self.compose_macro(targets[0], self.suggestions[index])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Solving an incident is offered only on an incident."""
        if action == "solve_incident":
            return self.data is not None and self.data.links.is_incident
        if action == "dismiss_rejections":
            return self.data is not None and bool(self.data.rejections)
        return True

    @work(thread=True, exclusive=True, group="rejections", exit_on_error=False)
    def action_dismiss_rejections(self) -> None:
        """``x``: the agent has read the refused changes; they leave the screen, not the store."""
        seqs = [r.seq for r in self.data.rejections] if self.data is not None else []
        if not seqs:
            self.app.call_from_thread(
                self.notify, "Nothing was refused on this ticket", markup=False
            )
            return
        with self.db.transaction() as conn:
            acknowledge_rejections(conn, seqs, timefmt.now_ms())
        self.load()

    def action_solve_incident(self) -> None:
        from screens.links import solve_incident  # noqa: PLC0415 - loaded when first used

        if self.data is None:
            return
        if self.data.links.is_incident:
            solve_incident(self, self.data.detail.status, self.data.links)
        else:  # reached from the palette: say why nothing happens
            number = self.data.detail.number
            self.notify(f"#{number} is not an incident: no tickets are linked to it", markup=False)

    def targets(self) -> list[TicketRef]:
        """This ticket, once loaded."""
        return [] if self.data is None else [TicketRef(self.ticket_id, self.data.detail.number)]

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load()
