"""Ticket actions shared by the queue and ticket screens: one implementation, two places.

Each action asks what it needs (a status, an agent, tags) in a modal, then runs
the Desk in a thread worker — the UI never waits on SQLite — and reports the
outcome as a notification. Marked rows make an action bulk: one transaction,
all tickets or none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol, cast

from textual import work
from textual.binding import Binding
from textual.dom import DOMNode

from screens.events import broadcast_store_changed
from screens.picker import Choice, PickerScreen
from screens.prompt import PromptScreen
from storage.agents import AgentRow, list_agents

if TYPE_CHECKING:
    from agentdesk.desk import Applied, Desk
    from screens.macro_picker import PickerData, StagedMacro
    from storage.database import Database

ACTION_BINDINGS: Final = [
    Binding("r", "reply", "Reply", id="ticket.reply"),
    Binding("n", "note", "Note", id="ticket.note"),
    Binding("s", "set_status", "Status", id="ticket.status"),
    Binding("p", "set_priority", "Priority", show=False, id="ticket.priority"),
    Binding("a", "assign_me", "Take", id="ticket.assign_me"),
    Binding("A", "assign_to", "Assign…", show=False, id="ticket.assign_to"),
    Binding("t", "tags", "Tags", show=False, id="ticket.tags"),
    Binding("e", "escalate", "Escalate", show=False, id="ticket.escalate"),
    Binding("c", "macro", "Canned", show=False, id="ticket.macro"),
    Binding("m", "merge", "Merge…", show=False, id="ticket.merge"),
]


@dataclass(frozen=True)
class TicketRef:
    """A ticket an action applies to: its id and the number people know it by."""

    id: str
    number: int


DeskCall = Callable[["Desk", str], "Applied | list[Applied]"]


def _numbers(targets: list[TicketRef]) -> str:
    shown = ", ".join(f"#{t.number}" for t in targets[:5])
    return shown + (f" and {len(targets) - 5} more" if len(targets) > 5 else "")


class DeskOwner(Protocol):
    """The app, as far as actions are concerned: it owns the acting agent's Desk."""

    @property
    def desk(self) -> Desk:
        """The Desk every action goes through."""
        ...


class TicketActions(DOMNode):
    """Mixed into a screen (as a later base) that has ``db`` and ``agent``."""

    db: Database
    agent: AgentRow

    @property
    def desk(self) -> Desk:
        """The app's Desk (built on first use)."""
        return cast(DeskOwner, self.app).desk

    def targets(self) -> list[TicketRef]:
        """The tickets an action applies to now."""
        raise NotImplementedError

    def after_action(self, targets: list[TicketRef]) -> None:
        """Hook run on the UI thread after an action succeeded."""

    def cursor_target(self) -> TicketRef | None:
        """The ticket under the cursor: the queue's row, the open ticket."""
        targets = self.targets()
        return targets[0] if len(targets) == 1 else None

    def _single_target(self, verb: str) -> TicketRef | None:
        targets = self.targets()
        if len(targets) != 1:
            self.app.notify(
                f"{verb} works on one ticket: open it, or unmark the others (esc)",
                severity="warning",
                markup=False,
            )
            return None
        return targets[0]

    # -- composer ----------------------------------------------------------------------

    def action_reply(self) -> None:
        self._open_composer("public")

    def action_note(self) -> None:
        self._open_composer("internal")

    def _open_composer(self, kind: str) -> None:
        from screens.composer import ComposerScreen  # noqa: PLC0415 - loaded when first used

        target = self._single_target("Replying" if kind == "public" else "A note")
        if target is None:
            return

        def done(applied: Applied | None) -> None:
            if applied is not None:
                noun = "Reply sent" if kind == "public" else "Note added"
                self.app.notify(f"{noun} on #{target.number}", markup=False)
                broadcast_store_changed(self.app)

        self.app.push_screen(ComposerScreen(self.desk, target.id, target.number, kind), done)

    # -- canned responses --------------------------------------------------------------

    def action_macro(self) -> None:
        target = self._single_target("A canned response")
        if target is not None:
            self._open_macro_picker(target)

    @work(thread=True, exclusive=True, group="macro-picker", exit_on_error=False)
    def _open_macro_picker(self, target: TicketRef) -> None:
        """Read the macros first, then open the picker with them (one complete frame)."""
        from screens.macro_picker import load_picker  # noqa: PLC0415 - loaded when used

        data = load_picker(self.desk, target.id)
        self.app.call_from_thread(self._pick_macro, target, data)

    def _pick_macro(self, target: TicketRef, data: PickerData) -> None:
        from screens.macro_picker import MacroPickerScreen  # noqa: PLC0415 - loaded when used

        def chosen(staged: StagedMacro | None) -> None:
            if staged is not None:
                self.compose_macro(target, staged)

        picker = MacroPickerScreen(self.desk, target.id, target.number, data=data)
        self.app.push_screen(picker, chosen)

    def action_macros(self) -> None:
        from screens.macros import MacrosScreen  # noqa: PLC0415 - loaded when first used

        self.app.push_screen(MacrosScreen(self.desk))

    def compose_macro(self, target: TicketRef, staged: StagedMacro) -> None:
        """Open the composer with a macro's reply; its actions apply only when it is sent."""
        from screens.composer import ComposerScreen  # noqa: PLC0415 - loaded when first used

        composer = ComposerScreen(self.desk, target.id, target.number, "public", macro=staged)

        def done(applied: Applied | None) -> None:
            if applied is None:
                return
            changes = staged.actions.describe() if composer.with_actions else ""
            extra = f" · {changes}" if changes else ""
            self.app.notify(
                f"Reply sent on #{target.number} with “{staged.title}”{extra}", markup=False
            )
            broadcast_store_changed(self.app)

        self.app.push_screen(composer, done)

    # -- pickers -----------------------------------------------------------------------

    def action_set_status(self) -> None:
        from agentdesk.domain.workflow import STATUSES  # noqa: PLC0415 - off the first paint

        self._pick_then_apply(
            "Set status",
            [Choice(s, s) for s in STATUSES],
            "status",
            lambda value: lambda desk, ticket: desk.set_status(ticket, value),
        )

    def action_set_priority(self) -> None:
        from agentdesk.domain.workflow import PRIORITIES  # noqa: PLC0415 - off the first paint

        self._pick_then_apply(
            "Set priority",
            [Choice(p, p) for p in PRIORITIES],
            "priority",
            lambda value: lambda desk, ticket: desk.set_priority(ticket, value),
        )

    def action_assign_me(self) -> None:
        targets = self.targets()
        if targets:
            self.run_desk(
                targets,
                f"assigned to {self.agent.name}",
                lambda desk, ticket: desk.assign_to_me(ticket),
            )

    def action_assign_to(self) -> None:
        self._load_agents_then_pick()

    @work(thread=True, exclusive=True, group="assign-agents")
    def _load_agents_then_pick(self) -> None:
        with self.db.read() as conn:
            agents = [a for a in list_agents(conn) if a.active]
        self.app.call_from_thread(self._pick_assignee, agents)

    def _pick_assignee(self, agents: list[AgentRow]) -> None:
        choices = [Choice("", "Unassigned", "nobody")] + [
            Choice(a.email, a.name, f"tier {a.tier}" if a.tier.isdigit() else a.tier)
            for a in agents
        ]

        def chosen(email: str | None) -> None:
            if email is None:
                return
            who = next((a.name for a in agents if a.email == email), "nobody")
            self.run_desk(
                self.targets(),
                f"assigned to {who}",
                lambda desk, ticket: desk.assign(ticket, agent=email or None),
            )

        self.app.push_screen(PickerScreen("Assign to", choices, filterable=True), chosen)

    def action_tags(self) -> None:
        def chosen(text: str | None) -> None:
            if not text or not text.split():
                return
            words = text.split()
            add = [w for w in words if not w.startswith("-")]
            remove = [w[1:] for w in words if w.startswith("-") and len(w) > 1]

            def call(desk: Desk, ticket: str) -> Applied:
                applied = desk.add_tags(ticket, add) if add else None
                return desk.remove_tags(ticket, remove) if remove else applied  # type: ignore[return-value]

            self.run_desk(self.targets(), f"tags {text}", call)

        self.app.push_screen(
            PromptScreen("Tags", hint="billing vip adds tags, -spam removes one; enter applies"),
            chosen,
        )

    def _pick_then_apply(
        self,
        title: str,
        choices: list[Choice],
        noun: str,
        make_call: Callable[[str], DeskCall],
    ) -> None:
        targets = self.targets()
        if not targets:
            return
        heading = f"{title} of {_numbers(targets)}"

        def chosen(value: str | None) -> None:
            if value is not None:
                self.run_desk(targets, f"{noun} {value}", make_call(value))

        self.app.push_screen(PickerScreen(heading, choices), chosen)

    # -- incidents and merges (the dialogs are in screens.links) ------------------------

    def action_link_incident(self) -> None:
        from screens.links import link_incident  # noqa: PLC0415 - loaded when first used

        link_incident(self)

    def action_merge(self) -> None:
        from screens.links import merge  # noqa: PLC0415 - loaded when first used

        merge(self)

    # -- escalations (the form is screens.escalate) -------------------------------------

    def action_escalate(self) -> None:
        from screens.escalate import open_escalation_form  # noqa: PLC0415 - loaded when used

        target = self._single_target("Escalating")
        if target is None:
            return

        def done(applied: Applied) -> None:
            self.app.notify(
                f"#{applied.number} escalated; the handoff is in its thread", markup=False
            )
            self.after_action([target])
            broadcast_store_changed(self.app)

        open_escalation_form(self, self.desk, target.id, target.number, done)

    # -- running -----------------------------------------------------------------------

    def run_desk(self, targets: list[TicketRef], outcome: str, call: DeskCall) -> None:
        """Apply ``call`` to every target in one transaction, in a worker."""
        if targets:
            self._run_desk(targets, outcome, call)

    @work(thread=True, group="desk", exit_on_error=False)
    def _run_desk(self, targets: list[TicketRef], outcome: str, call: DeskCall) -> None:
        from agentdesk.desk import DeskError  # noqa: PLC0415
        from storage.errors import StoreError  # noqa: PLC0415

        try:
            # One transaction even for one ticket: an action may be several writes (tags).
            self.desk.bulk([t.id for t in targets], call)
        except (DeskError, StoreError) as exc:
            self.app.notify(str(exc), title="Not done", severity="warning", markup=False)
            return
        self.app.call_from_thread(self._done, targets, outcome)

    def _done(self, targets: list[TicketRef], outcome: str) -> None:
        self.app.notify(f"{_numbers(targets)}: {outcome}", markup=False)
        self.after_action(targets)
        broadcast_store_changed(self.app)
