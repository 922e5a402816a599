"""`?`: every key of the screen underneath, read from its live bindings."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """(keys, description) for every enabled binding of ``screen``, one row per action."""
    by_action: dict[tuple[int, str], tuple[list[str], str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or binding.system:
            continue
        slot = (id(active.node), binding.action)
        keys, _ = by_action.setdefault(slot, ([], binding.description or binding.action))
        keys.append(screen.app.get_key_display(replace(binding, key=key)))
    return [(" / ".join(keys), description) for keys, description in by_action.values()]


class HelpScreen(ModalScreen[None]):
    """Keys and a short guide for the screen it was opened from."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(
                f"Help — {self.target.__class__.__name__.removesuffix('Screen')}",
                id="help-title",
                markup=False,
            )
            text = getattr(self.target, "HELP", "")
            if text:
                yield Static(text, id="help-text", markup=False)
            table: DataTable[str] = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action")
            for keys, description in binding_rows(self.target):
                table.add_row(keys, description)
            yield table
            yield Static("escape closes", id="help-hint", markup=False)
