"""The escalations screen: what has come up to my tier, and how long it has waited.

A tier-2 or tier-3 engineer sees the escalations to their tier (leads and admins
see every tier, filtered with `f`): the waiting ones first, the one due first at
the top, coloured by their handoff SLA, then the ones already taken. `enter`
reads the handoff, `y` acknowledges (takes the ticket), `b` hands it back with
instructions, `e` escalates further. The list is read in a worker and again
whenever the store changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from agentdesk.domain import timefmt
from agentdesk.domain.escalation import (
    ACKNOWLEDGED,
    BREACHED,
    DUE_SOON,
    HandoffSla,
    escalation_sla,
    reason_label,
)
from agentdesk.domain.roles import incoming_tiers, is_overseer
from agentdesk.domain.text import one_line, visible_text
from screens.escalate import open_escalation_form
from screens.events import StoreChanged, broadcast_store_changed
from screens.prompt import PromptScreen
from storage.escalations import EscalationRow, incoming
from widgets.queue_columns import fit
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Applied, Desk
    from storage.agents import AgentRow
    from storage.database import Database

#: How often the ages and SLA states are brought up to date without a store change.
REFRESH_SECONDS: Final = 30.0
SLA_STYLES: Final = {BREACHED: "bold red", DUE_SOON: "yellow", ACKNOWLEDGED: "dim"}
#: (title, width) of every column but the subject, which takes the rest.
_FIXED: Final = (("Ticket", 7), ("From", 10), ("Reason", 14), ("Age", 4), ("Handoff", 12))
_TIER_COLUMN: Final = ("To", 3)

_DeskCall = Callable[["Desk"], "Applied"]


@dataclass(frozen=True)
class Listed:
    """One row: the escalation and its SLA at the time it was read."""

    row: EscalationRow
    sla: HandoffSla


class EscalationsScreen(Screen[None], NotifyWorkerErrors):
    """Incoming escalations for the agent's tier (or every tier, for leads and admins)."""

    CSS_PATH = "escalations.tcss"
    AUTO_FOCUS = "#escalations-table"
    HELP: ClassVar[str] = (
        "Escalations to your tier: waiting ones first (the one due first at the top, red when "
        "the acknowledgement target has passed, yellow in its last quarter), then the ones "
        "already taken. enter reads the handoff, y acknowledges (assigns the ticket to you), "
        "b hands it back to the tier below with instructions, e escalates it further. "
        "Targets: urgent 30 min, high 2 h, normal 8 h, low 24 h."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="escalations.back"),
        Binding("enter", "read", "Read handoff", id="escalations.read"),
        Binding("y", "acknowledge", "Acknowledge", id="escalations.acknowledge"),
        Binding("b", "hand_back", "Hand back", id="escalations.hand_back"),
        Binding("e", "escalate", "Escalate further", id="escalations.escalate"),
        Binding("f", "filter_tier", "Tier filter", id="escalations.filter"),
        Binding("j", "move(1)", "Down", show=False, id="escalations.down"),
        Binding("k", "move(-1)", "Up", show=False, id="escalations.up"),
    ]

    class Loaded(Message):
        """The worker read the list."""

        def __init__(self, rows: list[EscalationRow], tiers: tuple[int, ...]) -> None:
            super().__init__()
            self.rows = rows
            self.tiers = tiers

    def __init__(self, db: Database, agent: AgentRow, desk: Desk) -> None:
        super().__init__()
        self.db = db
        self.agent = agent
        self.desk = desk
        self.own_tiers = incoming_tiers(agent.tier)
        self.tier_filter: int | None = None  # overseers: one tier, or None for all
        self.listed: dict[str, Listed] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="escalations-bar"):
            yield Static("Escalations", id="escalations-title", markup=False)
            yield Static("loading…", id="escalations-count", markup=False)
            yield Static("", id="escalations-filter", markup=False)
        yield DataTable(id="escalations-table", cursor_type="row", zebra_stripes=True)
        yield Static(_empty_text(self.agent.tier), id="escalations-empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @property
    def tiers(self) -> tuple[int, ...]:
        """The tiers listed now."""
        return (self.tier_filter,) if self.tier_filter else self.own_tiers

    @property
    def table(self) -> DataTable[Text]:
        """The list."""
        return self.query_one("#escalations-table", DataTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The tier filter is for leads and admins; row actions need a row."""
        if action == "filter_tier":
            return is_overseer(self.agent.tier)
        if action in ("read", "acknowledge", "hand_back", "escalate"):
            return bool(self.listed)
        return True

    # -- loading -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="escalations-load", exit_on_error=False)
    def load(self) -> None:
        """Read the list off the UI thread."""
        tiers = self.tiers
        with self.db.read() as conn:
            rows = incoming(conn, tiers)
        self.post_message(self.Loaded(rows, tiers))

    def on_escalations_screen_loaded(self, message: EscalationsScreen.Loaded) -> None:
        if message.tiers != self.tiers:
            return  # the filter changed since: a newer load is on its way
        now = timefmt.now_ms()
        before = self.current
        self.listed = {row.id: Listed(row, escalation_sla(row, now)) for row in message.rows}
        self._fill(now, before.row.id if before else None)
        waiting = sum(1 for item in self.listed.values() if item.sla.state != ACKNOWLEDGED)
        late = sum(1 for item in self.listed.values() if item.sla.state == BREACHED)
        count = f"— {waiting} waiting" + (f", {late} overdue" if late else "")
        count += f" · {len(self.listed) - waiting} taken"
        self.query_one("#escalations-count", Static).update(count)
        where = ", ".join(f"tier {t}" for t in self.tiers) or "none"
        self.query_one("#escalations-title", Static).update(f"Escalations · {where}")
        if is_overseer(self.agent.tier):
            shown = "all" if self.tier_filter is None else f"tier {self.tier_filter}"
            self.query_one("#escalations-filter", Static).update(f"f: {shown}")
        self.set_class(not self.listed, "-empty")
        self.refresh_bindings()

    def _fill(self, now: int, current: str | None) -> None:
        """Rebuild the rows, keeping the cursor on the escalation ``current``."""
        table = self.table
        several = len(self.tiers) > 1
        fixed = (*_FIXED[:1], _TIER_COLUMN, *_FIXED[1:]) if several else _FIXED
        subject = max(12, self.size.width - sum(w + 2 for _, w in fixed) - 4)
        table.clear(columns=True)
        titles = [title for title, _ in fixed]
        titles.insert(2 if several else 1, "Subject")
        table.add_columns(*titles)
        for item in self.listed.values():
            row, sla = item.row, item.sla
            cells = [
                Text(f"#{row.number}"),
                Text(fit(one_line(row.subject), subject)),
                Text(fit(one_line(row.created_by_name or "—"), 10)),
                Text(fit(reason_label(row.reason), 14)),
                Text(timefmt.ago(row.created_at, now), justify="right"),
                Text(fit(sla.describe(now), 12), style=SLA_STYLES.get(sla.state, "")),
            ]
            if several:
                cells.insert(1, Text(f"T{row.to_tier}"))
            table.add_row(*cells, key=row.id)
        keys = list(self.listed)
        if current in keys:
            table.move_cursor(row=keys.index(current))

    @property
    def current(self) -> Listed | None:
        """The escalation under the cursor."""
        items = list(self.listed.values())  # the table's rows, in order
        row = self.table.cursor_row
        return items[row] if 0 <= row < len(items) and self.table.row_count else None

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load()

    # -- actions -----------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_move(self, step: int) -> None:
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_filter_tier(self) -> None:
        order: list[int | None] = [None, *self.own_tiers]
        self.tier_filter = order[(order.index(self.tier_filter) + 1) % len(order)]
        self.load()

    @on(DataTable.RowSelected, "#escalations-table")
    def _selected(self) -> None:
        self.action_read()

    def action_read(self) -> None:
        item = self.current
        if item is None:
            return

        def closed(open_ticket: bool | None) -> None:
            if open_ticket:
                from screens.ticket import TicketScreen  # noqa: PLC0415 - on first open

                self.app.push_screen(TicketScreen(self.db, self.agent, item.row.ticket_id))

        self.app.push_screen(HandoffScreen(item, timefmt.now_ms()), closed)

    def action_acknowledge(self) -> None:
        item = self.current
        if item is not None:
            self._run(
                lambda desk: desk.acknowledge(item.row.id),
                f"#{item.row.number}: escalation acknowledged; the ticket is yours",
            )

    def action_hand_back(self) -> None:
        item = self.current
        if item is None:
            return
        row = item.row

        def written(text: str | None) -> None:
            if text is not None:
                self._run(
                    lambda desk: desk.hand_back(row.id, text),
                    f"#{row.number}: handed back to tier {row.from_tier}",
                )

        self.app.push_screen(
            PromptScreen(
                f"Hand #{row.number} back to tier {row.from_tier}: instructions",
                hint="What should they do next? enter hands back, esc cancels",
            ),
            written,
        )

    def action_escalate(self) -> None:
        item = self.current
        if item is None:
            return
        row = item.row

        def done(applied: Applied) -> None:
            self.app.notify(f"#{applied.number}: escalated further", markup=False)
            broadcast_store_changed(self.app)

        open_escalation_form(self, self.desk, row.ticket_id, row.number, done, tier=3)

    @work(thread=True, group="escalations-desk", exit_on_error=False)
    def _run(self, call: _DeskCall, outcome: str) -> None:
        from agentdesk.desk import DeskError  # noqa: PLC0415 - keep the TUI start light
        from storage.errors import StoreError  # noqa: PLC0415

        try:
            call(self.desk)
        except (DeskError, StoreError) as exc:
            self.app.notify(str(exc), title="Not done", severity="warning", markup=False)
            return
        self.app.call_from_thread(self._done, outcome)

    def _done(self, outcome: str) -> None:
        self.app.notify(outcome, markup=False)
        broadcast_store_changed(self.app)


def _empty_text(tier: str) -> str:
    if incoming_tiers(tier):
        return "No escalations waiting. New ones appear here as soon as they are made."
    return (
        "Escalations go to tiers 2 and 3, so none come to tier 1. Each ticket shows its "
        "escalation history, and a ticket handed back comes back assigned to whoever "
        "escalated it (view 1, My open)."
    )


# --------------------------------------------------------------------------- the handoff


class HandoffScreen(ModalScreen[bool]):
    """The structured handoff of one escalation; enter opens the ticket."""

    CSS_PATH = "escalations.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,o", "open_ticket", "Open ticket", id="handoff.open"),
        Binding("escape", "close", "Close", id="handoff.close"),
    ]

    def __init__(self, item: Listed, now: int) -> None:
        super().__init__()
        self.item = item
        self.now = now

    def compose(self) -> ComposeResult:
        row = self.item.row
        with Vertical(id="handoff-box"):
            yield Static(
                Text(f"#{row.number} {one_line(row.subject)}", no_wrap=True, overflow="ellipsis"),
                id="handoff-title",
            )
            with VerticalScroll(id="handoff-body"):
                yield Static(handoff_text(row, self.item.sla, self.now))
            yield Static("enter opens the ticket · esc closes", id="handoff-hint", markup=False)

    def action_open_ticket(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


def handoff_text(row: EscalationRow, sla: HandoffSla, now: int) -> Text:
    """The handoff as a person reads it: who, where, why, then the structured fields."""
    who = one_line(row.created_by_name or "someone")
    where = f"tier {row.from_tier} → tier {row.to_tier}"
    if row.group_name:
        where += f" ({one_line(row.group_name)})"
    lines = [
        Text.assemble(("From ", "dim"), who, ("  ", ""), (where, "bold")),
        Text.assemble(
            ("Reason ", "dim"),
            reason_label(row.reason),
            ("  Escalated ", "dim"),
            timefmt.timestamp(row.created_at),
            ("  Handoff ", "dim"),
            (sla.describe(now), SLA_STYLES.get(sla.state, "")),
        ),
    ]
    if row.acknowledged_by_name:
        lines.append(Text.assemble(("Taken by ", "dim"), one_line(row.acknowledged_by_name)))
    for title, body in (
        ("Summary", row.summary),
        ("Steps already tried", row.tried),
        ("Customer impact", row.impact),
        ("Links and log excerpts", row.links),
        ("Bug tracker", row.external_url or ""),
        ("Hand-back instructions", row.instructions or ""),
    ):
        if body:
            lines += [Text(""), Text(title, "bold"), Text(visible_text(body))]
    return Text("\n").join(lines)
