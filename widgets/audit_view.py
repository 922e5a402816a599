"""The audit trail of a ticket, newest first: who changed what, when, from what to what."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agentdesk.domain.text import one_line
from agentdesk.domain.timefmt import timestamp
from storage.writes import AuditRow


def describe(entry: AuditRow) -> Text:
    """One line per event, e.g. '2026-11-25 14:03 Ana Lima  status: open → pending'."""
    who = one_line(entry.agent_name or "system")
    if entry.field and (entry.old_value is not None or entry.new_value is not None):
        old, new = one_line(entry.old_value or "—"), one_line(entry.new_value or "—")
        change = f"{entry.field}: {old} → {new}"
    else:
        change = entry.action
    return Text.assemble((timestamp(entry.at), "dim"), " ", (who, "bold"), "  ", change)


class AuditView(VerticalScroll):
    """Hidden until toggled (`h`); shows every audit event of the ticket."""

    DEFAULT_CSS = """
    AuditView {
        display: none;
        width: 1fr;
        border-left: solid $primary;
        padding: 0 1;
    }
    """

    async def show(self, entries: Sequence[AuditRow]) -> None:
        """Replace the listed events."""
        await self.remove_children()
        title = Static(f"Audit trail ({len(entries)} events, newest first)", markup=False)
        title.styles.text_style = "bold"
        lines = [describe(entry) for entry in entries] or [Text("No changes yet.", "dim")]
        await self.mount_all([title, Static(Text("\n").join(lines))])
