"""The queue screen: a view's tickets in a virtual table, with its name and live count.

Views switch with 1…9 (or `v` for the list with live counts), `/` searches with
the query language, `o` sorts, `x` marks rows, and the ticket actions (reply,
note, status, priority, assign, tags) apply to the marked rows or the current one.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from agentdesk.domain.views import DEFAULT_SLA_AT_RISK_MINUTES, View
from agentdesk.saved_views import all_views, save_view
from screens.actions import ACTION_BINDINGS, TicketActions, TicketRef
from screens.events import StoreChanged
from screens.picker import Choice, PickerScreen
from screens.prompt import PromptScreen
from storage.agents import AgentRow
from storage.database import Database
from storage.queue import SORT_COLUMNS, QueueQuery, count
from widgets.queue_table import QueueTable
from widgets.queue_window import PageLoad
from widgets.search_bar import SearchBar
from widgets.worker_errors import NotifyWorkerErrors

SORT_TITLES = {
    "updated": "Last update",
    "created": "Created",
    "number": "Ticket number",
    "priority": "Priority (urgent first)",
    "status": "Status (new first)",
    "sla": "SLA (next due first)",
}
#: Sorts whose natural first direction is ascending (the rest start descending).
ASCENDING_FIRST = frozenset({"sla"})


class QueueScreen(Screen[None], TicketActions, NotifyWorkerErrors):
    """Where an agent spends the day: pick the next ticket and act on it."""

    CSS_PATH = "queue.tcss"
    AUTO_FOCUS = "#queue-table"
    HELP: ClassVar[str] = (
        "The queue shows one view's tickets, newest activity first. Move with j/k, jump with "
        "g/G and PageUp/PageDown, enter opens a ticket. 1-9 switch views (v lists them with "
        'counts), / searches (e.g. status:open tag:billing -tag:spam created:>7d "printer '
        'jam"), o sorts. x marks rows: actions then apply to every marked ticket. I links '
        "them to an incident (the ticket under the cursor, an open incident or a number), m "
        "merges duplicates into a ticket of the same requester. e escalates the ticket to a "
        "higher tier; E lists the escalations waiting for your tier. SLA: time to the next "
        "target (!2h overdue); 7 lists those at risk."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", key_display="/", id="queue.search"),
        Binding("v", "views", "Views", show=False, id="queue.views"),
        Binding("o", "sort", "Sort", show=False, id="queue.sort"),
        Binding("S", "save_view", "Save view", show=False, id="queue.save_view"),
        Binding("escape", "clear", "Clear", show=False, id="queue.clear"),
        Binding("M", "macros", "Macros", show=False, id="queue.macros"),
        Binding("E", "app.escalations", "Escalations", show=False, id="queue.escalations"),
        Binding("I", "link_incident", "Incident…", show=False, id="queue.link_incident"),
        *[
            Binding(str(n), f"view({n})", f"View {n}", show=False, id=f"queue.view_{n}")
            for n in range(1, 10)
        ],
        *ACTION_BINDINGS,
    ]

    def __init__(
        self,
        db: Database,
        agent: AgentRow,
        view: View,
        *,
        first_page: PageLoad | None = None,
        sla_at_risk_minutes: int = DEFAULT_SLA_AT_RISK_MINUTES,
    ) -> None:
        super().__init__()
        self.db = db
        self.agent = agent
        self._first_page = first_page
        self.view = view
        self.sla_at_risk_minutes = sla_at_risk_minutes
        self.views: list[View] = all_views(db, agent, sla_at_risk_minutes=sla_at_risk_minutes)
        self.search_text = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="queue-bar"):
            yield Static(self.view.title, id="queue-view", markup=False)
            yield Static("counting…", id="queue-count", markup=False)
            yield Static("", id="queue-marks", markup=False)
            yield Static(
                f"{self.agent.name} · {self._tier_label()}", id="queue-agent", markup=False
            )
        yield SearchBar(id="search")
        yield QueueTable(
            self.db,
            self.view.query(self.agent),
            first_page=self._first_page,
            sla_window_ms=self.sla_at_risk_minutes * 60_000,
            id="queue-table",
        )
        yield Footer()

    def _tier_label(self) -> str:
        tier = self.agent.tier
        return f"tier {tier}" if tier.isdigit() else tier

    @property
    def table(self) -> QueueTable:
        """The queue table of this screen."""
        return self.query_one(QueueTable)

    @property
    def search_bar(self) -> SearchBar:
        """The search line."""
        return self.query_one(SearchBar)

    # -- views -------------------------------------------------------------------------

    def show_view(self, view: View) -> None:
        """Switch the table to another view (leaving any search)."""
        self.view = view
        self.search_text = ""
        self.search_bar.close()
        self._set_title(view.title)
        self.table.set_query(view.query(self.agent))
        self.table.focus()

    def _set_title(self, title: str) -> None:
        self.query_one("#queue-view", Static).update(title)
        self.query_one("#queue-count", Static).update("counting…")

    def action_view(self, number: int) -> None:
        if 1 <= number <= len(self.views):
            self.show_view(self.views[number - 1])

    def action_views(self) -> None:
        self._count_views()

    @work(thread=True, exclusive=True, group="view-counts")
    def _count_views(self) -> None:
        """Count every view off the UI thread, then offer them with their counts."""
        with self.db.read() as conn:
            counts = [count(conn, view.query(self.agent)) for view in self.views]
        choices = [
            Choice(view.key, f"{n}  {view.title}", f"{total:,}")
            for n, (view, total) in enumerate(zip(self.views, counts, strict=True), start=1)
        ]
        self.app.call_from_thread(self._pick_view, choices)

    def _pick_view(self, choices: list[Choice]) -> None:
        def chosen(key: str | None) -> None:
            for view in self.views:
                if view.key == key:
                    self.show_view(view)

        self.app.push_screen(PickerScreen("Views", choices, current=self.view.key), chosen)

    def action_save_view(self) -> None:
        if not self.search_text:
            self.notify(
                "Search first (/), then press S to save the search as a view.", markup=False
            )
            return
        query = self.search_text

        def named(name: str | None) -> None:
            if name is not None and name.strip():
                self._save_view(query, name.strip())

        self.app.push_screen(PromptScreen("Save this search as a view named", value=query), named)

    @work(thread=True, group="save-view")
    def _save_view(self, query: str, name: str) -> None:
        view = save_view(self.db, self.agent, query, name)
        views = all_views(self.db, self.agent, sla_at_risk_minutes=self.sla_at_risk_minutes)
        self.app.call_from_thread(self._view_saved, view, views)

    def _view_saved(self, view: View, views: list[View]) -> None:
        self.views = views
        self.view = view
        self.search_text = ""
        self.search_bar.close()
        self.table.focus()
        self._set_title(view.title)
        keys = [v.key for v in views]
        position = keys.index(view.key) + 1
        key = f" (key {position})" if position <= 9 else " (v lists it)"
        self.notify(f"Saved view “{view.title}”{key}", markup=False)

    # -- search ------------------------------------------------------------------------

    def action_search(self) -> None:
        self.search_bar.open()

    @on(SearchBar.Changed)
    def _search_changed(self, event: SearchBar.Changed) -> None:
        from agentdesk.domain.query import (  # noqa: PLC0415 - loaded on first search
            QuerySyntaxError,
            compile_query,
            parse_query,
        )

        text = event.text.strip()
        if not text:
            self.search_text = ""
            self.search_bar.show_summary("")
            self._set_title(self.view.title)
            self.table.set_query(self.view.query(self.agent))
            return
        try:
            query = compile_query(text, self.agent, base=None)
            summary = parse_query(text).describe()
        except QuerySyntaxError as exc:
            self.search_bar.show_error(str(exc))
            return
        self.search_text = text
        self.search_bar.show_summary(summary)
        self._set_title(f"Search: {summary}")
        self.table.set_query(query)
        if event.submitted:
            self.table.focus()

    @on(SearchBar.Cancelled)
    def _search_cancelled(self) -> None:
        self.show_view(self.view)

    def action_clear(self) -> None:
        """Escape: leave the search, else unmark the marked rows."""
        if self.search_text:
            self.show_view(self.view)
        else:
            self.table.clear_marks()

    # -- sort --------------------------------------------------------------------------

    def action_sort(self) -> None:
        current = self.table.window.query
        choices = [
            Choice(key, SORT_TITLES.get(key, key.title()), "↓" if current.descending else "↑")
            if key == current.sort
            else Choice(key, SORT_TITLES.get(key, key.title()))
            for key in SORT_COLUMNS
        ]
        self.app.push_screen(
            PickerScreen("Sort by (again to reverse)", choices, current=current.sort),
            self._sort_by,
        )

    def _sort_by(self, key: str | None) -> None:
        if key is None or key not in SORT_COLUMNS:
            return
        current = self.table.window.query
        first = key not in ASCENDING_FIRST
        descending = not current.descending if key == current.sort else first
        self.table.set_query(
            QueueQuery(current.filter, sort=key, descending=descending)  # type: ignore[arg-type]
        )

    @on(QueueTable.HeaderClicked)
    def _header_clicked(self, event: QueueTable.HeaderClicked) -> None:
        self._sort_by(event.column if event.column in SORT_COLUMNS else None)

    # -- table events ------------------------------------------------------------------

    @on(QueueTable.CountChanged)
    def _count_changed(self, event: QueueTable.CountChanged) -> None:
        noun = "ticket" if event.total == 1 else "tickets"
        self.query_one("#queue-count", Static).update(f"{event.total:,} {noun}")

    @on(QueueTable.MarksChanged)
    def _marks_changed(self, event: QueueTable.MarksChanged) -> None:
        text = f"{event.count} marked · esc unmarks" if event.count else ""
        self.query_one("#queue-marks", Static).update(text)

    @on(QueueTable.Selected)
    def _open_ticket(self, event: QueueTable.Selected) -> None:
        from screens.ticket import TicketScreen  # noqa: PLC0415 - loaded on first open

        self.app.push_screen(TicketScreen(self.db, self.agent, event.row.id))

    def targets(self) -> list[TicketRef]:
        """Marked tickets, or the one under the cursor."""
        if self.table.marked:
            return [TicketRef(id_, number) for id_, number in self.table.marked.items()]
        row = self.table.current_row
        return [] if row is None else [TicketRef(row.id, row.number)]

    def cursor_target(self) -> TicketRef | None:
        """The row under the cursor, marked or not."""
        row = self.table.current_row
        return None if row is None else TicketRef(row.id, row.number)

    def after_action(self, targets: list[TicketRef]) -> None:
        """Bulk actions consume the marks."""
        if len(targets) > 1:
            self.table.clear_marks()

    def on_store_changed(self, _: StoreChanged) -> None:
        self.table.reload(self._view_again())

    def _view_again(self) -> QueueQuery | None:
        """The view's query built anew, so one measured from now (SLA at risk) takes in
        what fell due since; ``None`` while searching or sorted another way."""
        if self.search_text:
            return None
        fresh, current = self.view.query(self.agent), self.table.window.query
        same_order = (fresh.sort, fresh.descending) == (current.sort, current.descending)
        return fresh if same_order else None
