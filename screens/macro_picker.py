"""The macro picker: find a canned response, see it filled in for THIS ticket, stage it.

Typing filters titles and bodies fuzzily (``agentdesk.domain.macro_search``);
the ticket's suggested macros come first (★), then the most used. The preview
is the reply as it would be sent, with what the macro will change on send.
``enter`` returns a :class:`StagedMacro` for the composer; nothing is applied
until the reply is sent there. The data is read before the picker opens
(:func:`load_picker`, in a worker) when it can be, so it opens in one complete frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain.macro_search import Searchable, fuzzy_filter, searchable
from agentdesk.domain.macros import InvalidMacro, MacroActions, render
from agentdesk.domain.text import one_line, visible_text
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Desk
    from storage.macros import MacroRow


@dataclass(frozen=True)
class StagedMacro:
    """A macro chosen for one ticket: its reply as rendered, and the actions sent with it."""

    macro_id: str
    title: str
    text: str
    actions: MacroActions


def valid_actions(macro: MacroRow) -> MacroActions | None:
    """A stored macro's actions, or None if they no longer pass the checks of a save."""
    from agentdesk.ops.macros import actions_of  # noqa: PLC0415 - the Desk's own reading

    try:
        return actions_of(macro)
    except InvalidMacro:
        return None


@dataclass
class _Entry:
    macro: MacroRow
    suggested: bool
    search: Searchable

    @cached_property
    def actions(self) -> MacroActions | None:
        """Parsed when first shown, not for every one of thousands of macros at open."""
        return valid_actions(self.macro)


@dataclass(frozen=True)
class PickerData:
    """What the picker shows, read before it opens so that its first frame is complete."""

    entries: list[_Entry]
    values: dict[str, str]


def load_picker(desk: Desk, ticket_id: str) -> PickerData:
    """The agent's macros in order (suggested, then most used) and this ticket's values.

    Blocks on SQLite: call it from a worker.
    """
    macros = desk.macros()
    suggested = [macro.id for macro in desk.suggest_macros(ticket_id)]
    return PickerData(_entries(macros, suggested), desk.macro_values(ticket_id))


def _entries(macros: list[MacroRow], suggested: list[str]) -> list[_Entry]:
    """The picker's rows: suggested macros first (best first), then the most used."""
    rank = {macro_id: n for n, macro_id in enumerate(suggested)}
    ordered = sorted(
        macros, key=lambda m: (rank.get(m.id, len(rank)), -m.usage_count, m.title.casefold())
    )
    return [_Entry(m, m.id in rank, searchable(m.title, m.body)) for m in ordered]


def _label(entry: _Entry) -> Text:
    """One line per macro; titles are typed by people, so never markup."""
    macro = entry.macro
    scope = "shared" if macro.shared else "personal"
    uses = f"{macro.usage_count:,} use" + ("" if macro.usage_count == 1 else "s")
    return Text.assemble(  # one line per macro: a long title is cut, the preview has it all
        ("★ " if entry.suggested else "  ", "bold"),
        one_line(macro.title),
        (f"  {scope} · {uses}", "dim"),
        no_wrap=True,
        overflow="ellipsis",
    )


#: Rows a macro list shows at most: building thousands of rows takes a second, and
#: past the first screenfuls a person types to narrow rather than scrolls.
MAX_SHOWN: Final = 50

#: On the ticket screen: use suggestion 1, 2 or 3 (the composer opens with it staged).
SUGGESTION_BINDINGS: Final = [
    Binding(str(n), f"use_suggestion({n - 1})", f"Suggestion {n}", show=False,
            id=f"ticket.suggestion_{n}")
    for n in range(1, 4)
]  # fmt: skip


def staged_suggestions(desk: Desk, ticket_id: str) -> list[StagedMacro]:
    """The ticket's suggested macros, rendered for it (blocking: call from a worker)."""
    values = desk.macro_values(ticket_id)
    staged = []
    for macro in desk.suggest_macros(ticket_id):
        actions = valid_actions(macro)
        if actions is not None:  # a macro whose actions no longer pass is not suggested
            staged.append(StagedMacro(macro.id, macro.title, render(macro.body, values), actions))
    return staged


#: From this width, lists and previews sit side by side.
WIDE: Final = 110


def width_class(width: int) -> str:
    """'-wide' or '-narrow', set when the screen is made.

    Textual's HORIZONTAL_BREAKPOINTS set the class only after the first layout, which
    restyles and lays the screen out a second time: it doubled the time to open.
    """
    return "-wide" if width >= WIDE else "-narrow"


def more_option(hidden: int) -> Option:
    """The last row of a capped list: how many more there are and how to reach them."""
    return Option(Text(f"  … {hidden:,} more: type to narrow", style="dim italic"), disabled=True)


def on_send_text(actions: MacroActions | None) -> str:
    """What the composer and the preview say will happen when the reply is sent."""
    if actions is None:
        return "On send: its actions are invalid; edit the macro (M)"
    described = actions.describe()
    return f"On send: {described}" if described else "On send: the reply only"


class MacroPickerScreen(ModalScreen[StagedMacro | None], NotifyWorkerErrors):
    """Choose a macro for one ticket; dismisses with it staged, or None."""

    CSS_PATH = "macro_picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="macro_picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="macro_picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="macro_picker.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="macro_picker.page_down"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="macro_picker.page_up"),
    ]

    def __init__(
        self, desk: Desk, ticket_id: str, number: int, *, data: PickerData | None = None
    ) -> None:
        """``data`` from :func:`load_picker` opens the picker complete; without it, the
        picker reads it in a worker once open."""
        super().__init__(classes=width_class(self.app.size.width))
        self.desk = desk
        self.ticket_id = ticket_id
        self.number = number
        self.entries: list[_Entry] = []
        self.values: dict[str, str] = {}
        self._searchables: list[Searchable] = []
        self.shown: list[_Entry] = []
        self._data = data
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="macro-picker-box"):
            yield Static(
                f"Canned responses for #{self.number}", id="macro-picker-title", markup=False
            )
            yield Input(
                placeholder="type to search titles and text", id="macro-picker-filter", compact=True
            )
            with Horizontal(id="macro-picker-body"):
                yield OptionList(id="macro-picker-list")
                with VerticalScroll(id="macro-picker-preview"):
                    yield Static("", id="macro-picker-text")
            yield Static("", id="macro-picker-staged", markup=False)
            yield Static(
                "↑↓ choose · enter use in the composer · esc cancel",
                id="macro-picker-hint",
                markup=False,
            )

    def on_resize(self, event: events.Resize) -> None:
        wide = width_class(event.size.width) == "-wide"
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-narrow")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self._data is not None:
            self._loaded(self._data)
        else:
            self._load()

    @work(thread=True, exclusive=True, group="macro-picker-load", exit_on_error=False)
    def _load(self) -> None:
        data = load_picker(self.desk, self.ticket_id)
        self.app.call_from_thread(self._loaded, data)

    def _loaded(self, data: PickerData) -> None:
        self.entries = data.entries
        self.values = data.values
        self._searchables = [entry.search for entry in data.entries]
        self.loaded = True
        self._show(self.query_one(Input).value)

    @on(Input.Changed, "#macro-picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        if self.loaded:
            self._show(event.value)

    def _show(self, query: str) -> None:
        """List the entries matching ``query``, best first, and preview the first."""
        with self.app.batch_update():  # one repaint for the list, the preview and the line
            self._fill_list(query)

    def _fill_list(self, query: str) -> None:
        positions = fuzzy_filter(query, self._searchables)
        self.shown = [self.entries[n] for n in positions[:MAX_SHOWN]]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(_label(entry), id=entry.macro.id) for entry in self.shown])
        if len(positions) > MAX_SHOWN:
            options.add_option(more_option(len(positions) - MAX_SHOWN))
        if self.shown:
            options.highlighted = 0
        self._preview(self.shown[0] if self.shown else None, query)

    @on(OptionList.OptionHighlighted, "#macro-picker-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if 0 <= event.option_index < len(self.shown):
            self._preview(self.shown[event.option_index], "")

    def _preview(self, entry: _Entry | None, query: str) -> None:
        text = self.query_one("#macro-picker-text", Static)
        staged = self.query_one("#macro-picker-staged", Static)
        if entry is None:
            empty = f"No macro matches {query!r}." if query.strip() else "No macros yet."
            text.update(Text(f"{empty} Macros are managed with M in the queue.", style="dim"))
            staged.update("")
            return
        macro = entry.macro
        scope = "shared" if macro.shared else "personal"
        text.update(
            Text.assemble(
                (one_line(macro.title) + "\n", "bold"),
                (f"{scope} · used {macro.usage_count:,} times\n\n", "dim"),
                visible_text(render(macro.body, self.values)),
            )
        )
        staged.update(on_send_text(entry.actions))

    def action_move(self, step: int) -> None:
        if self.shown:
            options = self.query_one(OptionList)
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    @on(Input.Submitted, "#macro-picker-filter")
    def _submitted(self) -> None:
        self._choose(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected, "#macro-picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.shown):
            return
        entry = self.shown[index]
        if entry.actions is None:
            self.notify(
                f"“{entry.macro.title}” has invalid actions; fix it in the macro manager (M)",
                severity="warning",
                markup=False,
            )
            return
        text = render(entry.macro.body, self.values)
        self.dismiss(StagedMacro(entry.macro.id, entry.macro.title, text, entry.actions))

    def action_cancel(self) -> None:
        self.dismiss(None)
