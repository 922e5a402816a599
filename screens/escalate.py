"""The escalation form: the handoff a higher tier needs, checked field by field.

`e` on the queue or a ticket (and on the escalations screen, to escalate further)
opens it. The same rules the Desk applies (:mod:`agentdesk.domain.escalation`)
are checked on ``ctrl+s`` and explained under each field, so a refusal never
costs what was typed. Escape asks before discarding typed text. The form scrolls,
so it fits 80x24.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static, TextArea

from agentdesk.domain.escalation import (
    FIELDS,
    REASON_LABELS,
    REASONS,
    HandoffFields,
    check_may_escalate,
    handoff_problems,
    target_tiers,
    tier_problem,
)
from screens.confirm import ConfirmScreen
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Applied, Desk
    from storage.escalations import TierGroup

NO_GROUP: Final = ""
_TEXT_FIELDS: Final = ("tried", "impact", "links")


class EscalateScreen(ModalScreen["Applied | None"], NotifyWorkerErrors):
    """Fill in the handoff and escalate; dismisses with the applied action, or None."""

    CSS_PATH = "escalate.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Escalate", priority=True, id="escalate.submit"),
        Binding("escape", "cancel", "Cancel", id="escalate.cancel"),
    ]

    def __init__(
        self,
        desk: Desk,
        ticket_id: str,
        number: int,
        ticket_tier: int,
        groups: Sequence[TierGroup],
        *,
        tier: int | None = None,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.ticket_id = ticket_id
        self.number = number
        self.ticket_tier = ticket_tier
        self.groups = list(groups)
        targets = target_tiers(ticket_tier)
        self.first_tier = tier if tier in targets else targets[0] if targets else None
        self._sending = False

    def compose(self) -> ComposeResult:
        tiers = [(f"Tier {t}", t) for t in target_tiers(self.ticket_tier)]
        with Vertical(id="escalate-frame"):
            yield Static(
                f"Escalate #{self.number} from tier {self.ticket_tier} — "
                "the next tier reads this handoff",
                id="escalate-title",
                markup=False,
            )
            with VerticalScroll(id="escalate-form"):
                yield from self._fields(tiers)
            yield Static("", id="escalate-error", markup=False)
            yield Static(
                "ctrl+s escalate · tab next field · esc cancel", id="escalate-hint", markup=False
            )

    def _fields(self, tiers: list[tuple[str, int]]) -> ComposeResult:
        """The form's fields, each with its label above and its complaint below."""
        with Horizontal(id="escalate-routing"):
            with Vertical(classes="column"):
                yield _label("Tier")
                yield Select(tiers, allow_blank=False, value=self.first_tier, id="tier")
            with Vertical(classes="column"):
                yield _label("Group")
                yield Select(self._group_options(self.first_tier), allow_blank=False, id="group")
            with Vertical(classes="column"):
                yield _label("Reason *")
                reasons = [(REASON_LABELS[r], r) for r in REASONS]
                yield Select(reasons, prompt="Choose…", id="reason")
        for field in ("tier", "group", "reason"):  # full width: the columns are narrow
            yield _error(field)
        yield _label("Summary * — one line on what is wrong")
        yield Input(placeholder="e.g. Refunds fail with 'charge not refundable'", id="summary")
        yield _error("summary")
        yield _label("Steps already tried *")
        yield TextArea(id="tried", soft_wrap=True)
        yield _error("tried")
        yield _label("Customer impact * — who is affected, how badly")
        yield TextArea(id="impact", soft_wrap=True)
        yield _error("impact")
        yield _label("Links and log excerpts")
        yield TextArea(id="links", soft_wrap=True)
        yield _error("links")
        yield _label("Bug tracker link")
        yield Input(placeholder="https://…", id="link")
        yield _error("link")

    def on_mount(self) -> None:
        self.query_one("#reason", Select).focus()

    def _group_options(self, tier: int | None) -> list[tuple[Text, str]]:
        """The groups of ``tier`` (group names are plain text), then "no group"."""
        fitting = [(Text(g.name), g.id) for g in self.groups if g.tier == tier]
        return [*fitting, (Text("No group"), NO_GROUP)]

    @on(Select.Changed, "#tier")
    def _tier_changed(self, event: Select.Changed) -> None:
        tier = event.value if isinstance(event.value, int) else None
        self.query_one("#group", Select).set_options(self._group_options(tier))

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _edited(self, event: Input.Changed | TextArea.Changed | Select.Changed) -> None:
        """Editing a field clears its complaint."""
        field = event.control.id
        if field in FIELDS and not self._sending:
            self._show_error(field, "")
            self._show_error("", "")

    # -- values ------------------------------------------------------------------------

    def _text(self, field: str) -> str:
        if field in _TEXT_FIELDS:
            return self.query_one(f"#{field}", TextArea).text
        return self.query_one(f"#{field}", Input).value

    def _choice(self, field: str) -> object:
        value = self.query_one(f"#{field}", Select).value
        return None if value is Select.NULL else value

    def _typed_anything(self) -> bool:
        typed = any(self._text(f).strip() for f in ("summary", "link", *_TEXT_FIELDS))
        return typed or self._choice("reason") is not None

    # -- submit ------------------------------------------------------------------------

    def action_submit(self) -> None:
        if self._sending:
            return
        tier = self._choice("tier")
        reason = self._choice("reason")
        fields: HandoffFields = {
            "to_tier": tier if isinstance(tier, int) else None,
            "reason": reason if isinstance(reason, str) else "",
            "summary": self._text("summary"),
            "tried": self._text("tried"),
            "impact": self._text("impact"),
            "links": self._text("links"),
            "external_url": self._text("link"),
        }
        problems = handoff_problems(self.number, self.ticket_tier, **fields)
        for field in FIELDS:
            self._show_error(field, problems.get(field, ""))
        if problems:
            plural = "s" if len(problems) > 1 else ""
            self._show_error("", f"{len(problems)} field{plural} to fix before escalating")
            self.query_one(f"#{next(iter(problems))}").focus()
            return
        group = self._choice("group")
        self._sending = True
        self._show_error("", "Escalating…")
        self._send(fields, group if isinstance(group, str) and group else None)

    @work(thread=True, exclusive=True, group="escalate-send", exit_on_error=False)
    def _send(self, fields: HandoffFields, group: str | None) -> None:
        from agentdesk.desk import DeskError  # noqa: PLC0415 - keep the TUI start light
        from storage.errors import StoreError  # noqa: PLC0415

        try:
            applied = self.desk.escalate(
                self.ticket_id,
                tier=fields["to_tier"] or 0,  # checked above: a tier was chosen
                reason=fields["reason"],
                summary=fields["summary"],
                tried=fields["tried"],
                impact=fields["impact"],
                links=fields["links"],
                group=group,
                link=fields["external_url"] or None,
            )
        except (DeskError, StoreError) as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self.dismiss, applied)

    def _refused(self, exc: Exception) -> None:
        self._sending = False
        field = getattr(exc, "field", "")
        self._show_error("", "" if field else str(exc))
        if field:
            self._show_error(field, str(exc))

    def _show_error(self, field: str, message: str) -> None:
        """Put ``message`` under ``field`` ("" for the line under the form); "" clears it."""
        target = self.query_one(f"#error-{field}" if field else "#escalate-error", Static)
        target.update(message)
        target.set_class(bool(message), "-shown")

    # -- cancel ------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self._typed_anything():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = ConfirmScreen("Discard this escalation?", "What you typed is not kept.")
        self.app.push_screen(question, answered)


def _label(text: str) -> Static:
    return Static(text, classes="field-label", markup=False)


def _error(field: str) -> Static:
    return Static("", id=f"error-{field}", classes="field-error", markup=False)


# --------------------------------------------------------------------------- opening it


def open_escalation_form(
    owner: DOMNode,
    desk: Desk,
    ticket_id: str,
    number: int,
    done: Callable[[Applied], None],
    *,
    tier: int | None = None,
) -> None:
    """Read the ticket's tier and the groups off the UI thread, then open the form.

    An agent who may not escalate the ticket, or a ticket already at tier 3, is told
    why at once instead of after typing a handoff.
    """
    from storage.escalations import ticket_routing, tier_groups  # noqa: PLC0415

    app = owner.app

    def load() -> None:
        with desk.db.read() as conn:
            routing = ticket_routing(conn, ticket_id)
            groups = tier_groups(conn)
        app.call_from_thread(show, routing.tier, groups)

    def show(ticket_tier: int, groups: list[TierGroup]) -> None:
        from agentdesk.desk import DeskError  # noqa: PLC0415

        try:
            check_may_escalate(number, desk.agent.tier, ticket_tier)
        except DeskError as exc:
            app.notify(str(exc), title="Not done", severity="warning", markup=False)
            return
        if not target_tiers(ticket_tier):
            problem = tier_problem(number, ticket_tier, None) or ""
            app.notify(problem, title="Not done", severity="warning", markup=False)
            return

        def finished(applied: Applied | None) -> None:
            if applied is not None:
                done(applied)

        form = EscalateScreen(desk, ticket_id, number, ticket_tier, groups, tier=tier)
        app.push_screen(form, finished)

    owner.run_worker(load, thread=True, group="escalate-load", exit_on_error=False)
