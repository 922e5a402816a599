"""Queue columns: what each shows and how the row fits any terminal width.

Columns drop out in a fixed order as the terminal narrows, so the subject never
shrinks below a readable width (80x24 keeps number, priority, status, SLA, subject,
requester and assignee; the age comes back from 84 columns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from rich.cells import cell_len, set_cell_size

from agentdesk.domain.sla_badge import SlaBadge, badge
from agentdesk.domain.text import one_line
from agentdesk.domain.timefmt import ago
from storage.queue import QueueRow

MIN_SUBJECT: Final = 20
GAP: Final = 1


@dataclass(frozen=True)
class Column:
    """One queue column. ``drop`` orders hiding as the width shrinks (lowest goes first)."""

    key: str
    title: str
    width: int
    value: Callable[[QueueRow, int], str]
    drop: int | None = None
    right: bool = False


def _short_name(name: str | None) -> str:
    """'Ana Lima' -> 'Ana L.'; unassigned shows as a dash."""
    if not name:
        return "—"
    first, _, rest = name.partition(" ")
    return f"{first} {rest[0]}." if rest else first


def sla_badge(row: QueueRow, now: int, window_ms: int) -> SlaBadge:
    """The SLA column of a row: its text, and its risk for the colour."""
    paused = row.sla_paused_left_ms is not None
    return badge(row.sla_due_at, paused=paused, now=now, window_ms=window_ms)


COLUMNS: Final[tuple[Column, ...]] = (
    Column("mark", " ", 1, lambda r, _: " "),
    Column("number", "#", 8, lambda r, _: f"#{r.number}"),
    Column("priority", "Pri", 6, lambda r, _: r.priority),
    Column("status", "Status", 7, lambda r, _: r.status),
    Column("sla", "SLA", 5, lambda r, now: sla_badge(r, now, 0).text, drop=5, right=True),
    Column("subject", "Subject", 0, lambda r, _: one_line(r.subject)),
    Column("requester", "Requester", 15, lambda r, _: one_line(r.requester), drop=4),
    Column("channel", "Chan", 6, lambda r, _: r.channel, drop=1),
    Column("assignee", "Assignee", 9, lambda r, _: _short_name(r.assignee), drop=3),
    Column("tier", "Tier", 4, lambda r, _: f"T{r.tier}", drop=0),
    Column("updated", "Upd", 4, lambda r, now: ago(r.updated_at, now), right=True, drop=2),
)


@dataclass(frozen=True)
class Layout:
    """The columns shown at one width, each with its cell width."""

    columns: tuple[tuple[Column, int], ...]
    width: int


def layout_for(width: int) -> Layout:
    """Fit the columns into ``width`` cells, dropping the least important first."""
    shown = list(COLUMNS)
    droppable = sorted((c for c in COLUMNS if c.drop is not None), key=lambda c: c.drop or 0)

    def subject_width() -> int:
        fixed = sum(c.width for c in shown if c.key != "subject")
        return width - fixed - GAP * (len(shown) - 1)

    while subject_width() < MIN_SUBJECT and droppable:
        shown.remove(droppable.pop(0))
    subject = max(MIN_SUBJECT, subject_width())
    return Layout(
        tuple((c, subject if c.key == "subject" else c.width) for c in shown),
        width,
    )


def column_at(layout: Layout, x: int) -> Column | None:
    """The column under cell ``x`` of a row (for header clicks)."""
    left = 0
    for column, width in layout.columns:
        if left <= x < left + width + GAP:
            return column
        left += width + GAP
    return None


def fit(text: str, width: int, *, right: bool = False) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, marking a cut with an ellipsis."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = " " * (width - cell_len(text))
    return pad + text if right else text + pad
