"""A small modal list to choose one value: a status, a priority, an agent, a view.

Typing filters the list (so "A" then "gr" finds Grace among forty agents), the
arrows move, enter chooses and escape cancels; the result is the chosen value,
or ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class Choice:
    """One entry: what is returned, what is shown, and an optional hint after it."""

    value: str
    label: str
    hint: str = ""


class PickerScreen(ModalScreen[str | None]):
    """Choose one of ``choices``; ``current`` is highlighted first."""

    CSS_PATH = "picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[Choice],
        *,
        current: str | None = None,
        filterable: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current
        self.filterable = filterable

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(self.title_text, id="picker-title", markup=False)
            if self.filterable:
                yield Input(placeholder="type to filter", id="picker-filter")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._show("")
        if self.filterable:
            self.query_one(Input).focus()
        else:
            self.query_one(OptionList).focus()

    def _show(self, needle: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        needle = needle.casefold()
        shown = [c for c in self.choices if needle in f"{c.label} {c.hint}".casefold()]
        # Labels may be typed by people (saved view names): never parse them as markup.
        options.add_options(
            Option(Text.assemble(c.label, ("  " + c.hint, "dim") if c.hint else ""), id=c.value)
            for c in shown
        )
        values = [c.value for c in shown]
        if values:
            options.highlighted = values.index(self.current) if self.current in values else 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submit_filter(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def action_cancel(self) -> None:
        self.dismiss(None)
