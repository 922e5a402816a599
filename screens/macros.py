"""The macro manager: every macro the agent may use, with its scope and usage.

``n`` creates, ``enter``/``e`` edits, ``C`` copies one as a personal macro, ``d``
deletes after a confirmation, ``/`` filters. Shared macros are edited by leads
and admins only; for everyone else the keys that cannot work are not offered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain import roles, timefmt
from agentdesk.domain.macro_search import fuzzy_filter, searchable
from agentdesk.domain.macros import MacroActions
from agentdesk.domain.text import one_line, visible_text
from screens.confirm import ConfirmScreen
from screens.events import StoreChanged, broadcast_store_changed
from screens.macro_form import MacroFields, MacroFormScreen, copy_fields, fields_of
from screens.macro_picker import MAX_SHOWN, more_option, valid_actions, width_class
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Desk
    from storage.macros import MacroRow


class MacrosScreen(Screen[None], NotifyWorkerErrors):
    """List, create, edit and delete canned responses."""

    CSS_PATH = "macros.tcss"
    AUTO_FOCUS = "#macros-list"
    HELP: ClassVar[str] = (
        "Canned responses (macros) you can use: the shared ones, then your own, with how "
        "often each was sent. n creates one, enter or e edits, C copies one as your own, "
        "d deletes, / filters. Shared macros are managed by leads and admins."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="macros.back"),
        Binding("n", "new", "New", id="macros.new"),
        Binding("e", "edit", "Edit", id="macros.edit"),
        Binding("C", "copy", "Copy", id="macros.copy"),
        Binding("d", "delete", "Delete", id="macros.delete"),
        Binding("slash", "filter", "Filter", key_display="/", id="macros.filter"),
        Binding("j", "move(1)", "Down", show=False, id="macros.down"),
        Binding("k", "move(-1)", "Up", show=False, id="macros.up"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__(classes=width_class(self.app.size.width))
        self.desk = desk
        self.macros: list[MacroRow] = []
        self.shown: list[MacroRow] = []
        self.groups: list[str] = []
        self.select_next: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Canned responses", id="macros-bar", markup=False)
        yield Input(placeholder="filter titles and text", id="macros-filter", compact=True)
        with Horizontal(id="macros-body"):
            yield OptionList(id="macros-list")
            with VerticalScroll(id="macros-preview"):
                yield Static("Loading…", id="macros-text")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        wide = width_class(event.size.width) == "-wide"
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-narrow")

    @property
    def may_share(self) -> bool:
        """Whether this agent manages the shared macros."""
        return roles.manages_shared_macros(self.desk.agent.tier)

    @work(thread=True, exclusive=True, group="macros-load", exit_on_error=False)
    def load(self, select: str | None = None) -> None:
        """Read the macros and the groups off the UI thread."""
        from storage.macros import group_names  # noqa: PLC0415 - storage read for the form

        macros = self.desk.macros()
        with self.desk.db.read() as conn:
            groups = group_names(conn)
        self.app.call_from_thread(self._loaded, macros, groups, select)

    def _loaded(self, macros: list[MacroRow], groups: list[str], select: str | None) -> None:
        self.macros = macros
        self.groups = groups
        shared = sum(1 for m in macros if m.shared)
        self.query_one("#macros-bar", Static).update(
            f"Canned responses · {shared} shared · {len(macros) - shared} yours"
        )
        self._show(self.query_one("#macros-filter", Input).value, select)

    def _show(self, query: str, select: str | None = None) -> None:
        positions = fuzzy_filter(query, [searchable(m.title, m.body) for m in self.macros])
        self.shown = [self.macros[n] for n in positions[:MAX_SHOWN]]
        options = self.query_one("#macros-list", OptionList)
        previous = options.highlighted
        options.clear_options()
        options.add_options(
            [
                Option(
                    Text.assemble(
                        one_line(m.title),
                        (
                            f"  {'shared' if m.shared else 'personal'} · {m.usage_count:,} uses",
                            "dim",
                        ),
                        no_wrap=True,
                        overflow="ellipsis",
                    ),
                    id=m.id,
                )
                for m in self.shown
            ]
        )
        if len(positions) > MAX_SHOWN:
            options.add_option(more_option(len(positions) - MAX_SHOWN))
        ids = [m.id for m in self.shown]
        if ids:
            if select in ids:
                options.highlighted = ids.index(select)
            else:
                options.highlighted = min(previous or 0, len(ids) - 1)
        self._preview()

    @on(Input.Changed, "#macros-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#macros-filter")
    def _filter_done(self) -> None:
        self.query_one("#macros-list").focus()

    @on(OptionList.OptionHighlighted, "#macros-list")
    def _highlighted(self) -> None:
        self._preview()

    @on(OptionList.OptionSelected, "#macros-list")
    def _selected(self) -> None:
        self.action_edit()

    def current(self) -> MacroRow | None:
        """The highlighted macro."""
        index = self.query_one("#macros-list", OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    def _preview(self) -> None:
        macro = self.current()
        text = self.query_one("#macros-text", Static)
        self.refresh_bindings()
        if macro is None:
            text.update(Text("No macros here yet: n creates one.", style="dim"))
            return
        valid = valid_actions(macro)
        actions = "invalid, edit the macro" if valid is None else valid.describe() or "the reply"
        owner = "shared" if macro.shared else f"personal ({one_line(macro.owner_name or '')})"
        age = timefmt.ago(macro.updated_at, timefmt.now_ms())
        updated = "just now" if age == "now" else f"{age} ago"
        text.update(
            Text.assemble(
                (one_line(macro.title) + "\n", "bold"),
                (f"{owner} · used {macro.usage_count:,} times · updated {updated}\n", "dim"),
                ("On send: ", "bold"),
                actions + "\n\n",
                visible_text(macro.body),
            )
        )

    def _manageable(self, macro: MacroRow | None) -> bool:
        return macro is not None and (self.may_share if macro.shared else True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edit and delete only what this agent may change; copy needs a macro."""
        if action in ("edit", "delete"):
            return self._manageable(self.current())
        if action == "copy":
            return self.current() is not None
        return True

    # -- actions -----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.shown:
            options = self.query_one("#macros-list", OptionList)
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_filter(self) -> None:
        self.query_one("#macros-filter", Input).focus()

    def action_back(self) -> None:
        filter_input = self.query_one("#macros-filter", Input)
        if filter_input.value:
            filter_input.value = ""
            self.query_one("#macros-list").focus()
            return
        self.dismiss()

    def action_new(self) -> None:
        self._open_form(MacroFields(None, "", "", MacroActions(), shared=False))

    def action_edit(self) -> None:
        macro = self.current()
        if macro is not None and self._manageable(macro):
            self._open_form(fields_of(macro))

    def action_copy(self) -> None:
        macro = self.current()
        if macro is not None:
            self._open_form(copy_fields(macro))

    def _open_form(self, fields: MacroFields) -> None:
        def saved(macro_id: str | None) -> None:
            if macro_id is not None:
                self.notify("Macro saved", markup=False)
                self.select_next = macro_id  # the reload after the broadcast shows it
                broadcast_store_changed(self.app)

        form = MacroFormScreen(self.desk, fields, groups=self.groups, may_share=self.may_share)
        self.app.push_screen(form, saved)

    def action_delete(self) -> None:
        macro = self.current()
        if macro is None or not self._manageable(macro):
            return
        scope = "shared with the whole team" if macro.shared else "personal"
        detail = (
            f"“{one_line(macro.title)}” is {scope} and was used {macro.usage_count:,} times; "
            "its usage history goes with it."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(macro.id, macro.title)

        self.app.push_screen(ConfirmScreen("Delete this macro?", detail), answered)

    @work(thread=True, group="macros-delete", exit_on_error=False)
    def _delete(self, macro_id: str, title: str) -> None:
        from agentdesk.desk import DeskError  # noqa: PLC0415

        try:
            self.desk.delete_macro(macro_id)
        except DeskError as exc:
            self.app.notify(str(exc), title="Not deleted", severity="warning", markup=False)
            return
        self.app.notify(f"Deleted “{one_line(title)}”", markup=False)
        self.app.call_from_thread(broadcast_store_changed, self.app)

    def on_store_changed(self, _: StoreChanged) -> None:
        current = self.current()
        self.load(self.select_next or (current.id if current else None))
        self.select_next = None
