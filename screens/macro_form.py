"""The macro form: title, body and actions of a new or existing macro.

The form checks what it can at once (``agentdesk.domain.macros``), then saves
through the Desk in a worker, which checks the rest (the group exists, who may
share). A refusal is shown under the form and the field at fault is marked and
focused; nothing typed is lost. Escape asks before throwing changes away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea
from textual.widgets.select import NoSelection

from agentdesk.domain.macros import PLACEHOLDERS, InvalidMacro, MacroActions, check_macro
from agentdesk.domain.workflow import PRIORITIES, STATUSES
from screens.confirm import ConfirmScreen
from screens.macro_picker import valid_actions
from screens.picker import Choice, PickerScreen
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Desk
    from storage.macros import MacroRow

#: Which widget shows the problem of an ``InvalidMacro.field``.
_FIELD_WIDGETS = {
    "title": "#macro-title",
    "body": "#macro-body",
    "actions": "#macro-add-tags",
    "actions.status": "#macro-status",
    "actions.priority": "#macro-priority",
    "actions.group": "#macro-group",
    "actions.add_tags": "#macro-add-tags",
    "actions.remove_tags": "#macro-remove-tags",
}


@dataclass(frozen=True)
class MacroFields:
    """What the form holds; ``macro_id`` is None for a new macro."""

    macro_id: str | None
    title: str
    body: str
    actions: MacroActions
    shared: bool


def fields_of(macro: MacroRow) -> MacroFields:
    """The form for an existing macro (actions that no longer pass are left out)."""
    actions = valid_actions(macro) or MacroActions()
    return MacroFields(macro.id, macro.title, macro.body, actions, macro.shared)


def copy_fields(macro: MacroRow) -> MacroFields:
    """A new personal macro starting from another one."""
    return replace(fields_of(macro), macro_id=None, title=f"Copy of {macro.title}", shared=False)


def _select(widget_id: str, values: Sequence[str], current: str | None, prompt: str) -> Select[str]:
    options = [(value, value) for value in values]
    if current and current not in values:
        options.append((current, current))  # a value the store no longer offers stays visible
    value: str | NoSelection = current if current else Select.NULL
    return Select(options, prompt=prompt, value=value, id=widget_id, compact=True)


class MacroFormScreen(ModalScreen[str | None], NotifyWorkerErrors):
    """Edit one macro; dismisses with the saved macro's id, or None if nothing was saved."""

    CSS_PATH = "macro_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="macro_form.save"),
        Binding("ctrl+o", "placeholder", "Placeholder", priority=True, id="macro_form.placeholder"),
        Binding("escape", "cancel", "Cancel", id="macro_form.cancel"),
    ]

    def __init__(
        self, desk: Desk, fields: MacroFields, *, groups: Sequence[str], may_share: bool
    ) -> None:
        super().__init__()
        self.desk = desk
        self.fields = fields
        self.groups = list(groups)
        self.may_share = may_share
        self._saving = False

    def compose(self) -> ComposeResult:
        f, actions = self.fields, self.fields.actions
        heading = "New macro" if f.macro_id is None else "Edit macro"
        with Vertical(id="macro-form-box"):
            yield Static(heading, id="macro-form-title", markup=False)
            with Horizontal(classes="macro-form-row"):
                yield Label("Title", classes="macro-form-label")
                yield Input(f.title, id="macro-title", compact=True)
            yield TextArea(f.body, id="macro-body", soft_wrap=True, compact=True)
            yield Static(
                "ctrl+o inserts a placeholder: "
                + ", ".join("{{" + name + "}}" for name in PLACEHOLDERS),
                id="macro-form-placeholders",
                markup=False,
            )
            with Horizontal(classes="macro-form-row"):
                yield Label("Status", classes="macro-form-label")
                yield _select("macro-status", [s for s in STATUSES if s != "new"],
                              actions.status, "unchanged")  # fmt: skip
                yield Label("Priority", classes="macro-form-label")
                yield _select("macro-priority", PRIORITIES, actions.priority, "unchanged")
                yield Label("Group", classes="macro-form-label")
                yield _select("macro-group", self.groups, actions.group, "unchanged")
            with Horizontal(classes="macro-form-row"):
                yield Label("Add tags", classes="macro-form-label")
                yield Input(" ".join(actions.add_tags), id="macro-add-tags", compact=True)
                yield Label("Remove tags", classes="macro-form-label")
                yield Input(" ".join(actions.remove_tags), id="macro-remove-tags", compact=True)
            yield Checkbox(
                "Shared with the team (leads and admins manage shared macros)",
                f.shared,
                id="macro-shared",
                disabled=not self.may_share,
                compact=True,
            )
            yield Static("", id="macro-form-error", markup=False)
            yield Static(
                "ctrl+s save · ctrl+o insert a placeholder · tab next field · esc cancel",
                id="macro-form-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#macro-title", Input).focus()

    # -- reading the form --------------------------------------------------------------

    def _value(self, widget_id: str) -> str | None:
        value = self.query_one(widget_id, Select).value
        return value if isinstance(value, str) else None

    def current(self) -> MacroFields:
        """The form as it is now (not yet checked)."""
        actions = MacroActions(
            status=self._value("#macro-status"),
            priority=self._value("#macro-priority"),
            add_tags=tuple(self.query_one("#macro-add-tags", Input).value.split()),
            remove_tags=tuple(self.query_one("#macro-remove-tags", Input).value.split()),
            group=self._value("#macro-group"),
        )
        return replace(
            self.fields,
            title=self.query_one("#macro-title", Input).value,
            body=self.query_one("#macro-body", TextArea).text,
            actions=actions,
            shared=self.query_one("#macro-shared", Checkbox).value,
        )

    # -- saving ------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        fields = self.current()
        raw = fields.actions.to_json()
        try:  # the checks that need no store, at once
            check_macro(fields.title, fields.body, raw, shared=fields.shared)
        except InvalidMacro as exc:
            self._refused(str(exc), exc.field)
            return
        self._saving = True
        self._save(fields, raw)

    @work(thread=True, exclusive=True, group="macro-form-save", exit_on_error=False)
    def _save(self, fields: MacroFields, raw: dict[str, object]) -> None:
        from agentdesk.desk import DeskError, NothingToChange  # noqa: PLC0415 - off the start

        try:
            if fields.macro_id is None:
                recorded = self.desk.create_macro(
                    fields.title, fields.body, raw, shared=fields.shared
                )
            else:
                recorded = self.desk.update_macro(
                    fields.macro_id,
                    title=fields.title,
                    body=fields.body,
                    actions=raw,
                    shared=fields.shared,
                )
        except NothingToChange:
            self.app.call_from_thread(self.dismiss, None)
            return
        except DeskError as exc:
            self.app.call_from_thread(self._refused, str(exc), getattr(exc, "field", None))
            return
        self.app.call_from_thread(self.dismiss, recorded.entity_id)

    def _refused(self, reason: str, field: str | None) -> None:
        """Say why, mark the field at fault and put the cursor there; keep every value."""
        self._saving = False
        self.query_one("#macro-form-error", Static).update(reason)
        for marked in self.query(".-invalid"):
            marked.remove_class("-invalid")
        selector = _FIELD_WIDGETS.get(field or "")
        if selector is not None:
            widget: Widget = self.query_one(selector)
            widget.add_class("-invalid")
            widget.focus()

    # -- placeholders and leaving ------------------------------------------------------

    def action_placeholder(self) -> None:
        choices = [Choice(name, "{{" + name + "}}", hint) for name, hint in PLACEHOLDERS.items()]

        def chosen(name: str | None) -> None:
            if name is not None:
                body = self.query_one("#macro-body", TextArea)
                body.insert("{{" + name + "}}")
                body.focus()

        self.app.push_screen(PickerScreen("Insert a placeholder", choices, filterable=True), chosen)

    def action_cancel(self) -> None:
        if self.current() == self.fields:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard your changes to this macro?"), answered)
