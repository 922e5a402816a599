"""One metric on one line: its name, its value, a sparkline of its recent days, a note.

Used by the dashboard for FRT, FCR, AHT, CSAT, NPS, volume and backlog. The value
shows "…" until the figures arrive from their worker, so a line is never blank.

One widget draws the whole line, with Textual's sparkline renderable (what its
``Sparkline`` widget draws) in the middle: seven lines of four widgets each cost the
dashboard about 0.2 s of its first frame, for nothing a person can see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.renderables.sparkline import Sparkline
from textual.widget import Widget

LOADING = "…"
LABEL_WIDTH = 14
VALUE_WIDTH = 8
SPARK_WIDTH = 14


def fill_gaps(values: Sequence[float | None]) -> list[float]:
    """A series for a sparkline: a day with nothing to measure repeats the day before
    (the first known value before any), so a gap reads as "no change", not as zero."""
    first = next((v for v in values if v is not None), 0.0)
    out: list[float] = []
    last = first
    for value in values:
        last = last if value is None else value
        out.append(last)
    return out


class MetricLine(Widget):
    """``FRT median   3h 05m ▁▂▃▅▆▇█  p90 9h · 1,234 answered``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "metric-line--label",
        "metric-line--value",
        "metric-line--note",
        "metric-line--low",
        "metric-line--high",
    }
    DEFAULT_CSS = """
    MetricLine {
        height: 1;
        & > .metric-line--label { color: $text-muted; }
        & > .metric-line--value { text-style: bold; }
        & > .metric-line--note { color: $text-muted; }
        & > .metric-line--low { color: $primary 30%; }
        & > .metric-line--high { color: $primary; }
    }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.value = LOADING
        self.series: list[float] = []
        self.note = ""

    def show(self, value: str, series: Sequence[float | None], note: str = "") -> None:
        """Paint the value, its sparkline (oldest day first) and a note."""
        self.value, self.series, self.note = value, fill_gaps(series), note
        self.refresh()

    def render(self) -> RenderableType:
        def style(name: str) -> str:
            return str(self.get_component_rich_style(f"metric-line--{name}"))

        _, base = self.background_colors
        low = base + self.get_component_styles("metric-line--low").color
        high = base + self.get_component_styles("metric-line--high").color
        line = Table.grid(padding=(0, 1))
        line.add_column(width=LABEL_WIDTH, no_wrap=True)
        line.add_column(width=VALUE_WIDTH, justify="right", no_wrap=True)
        line.add_column(width=SPARK_WIDTH, no_wrap=True)
        line.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        line.add_row(
            Text(self.label, style=style("label")),
            Text(self.value, style=style("value")),
            Sparkline(
                self.series,
                width=SPARK_WIDTH,
                min_color=low.rich_color,
                max_color=high.rich_color,
            ),
            Text(self.note, style=style("note")),
        )
        return line
