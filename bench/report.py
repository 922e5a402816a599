"""Lay benchmark figures out side by side, as plain text for the console or Markdown for docs.

Generic on purpose: columns are whatever the caller measured under (data-set sizes, terminal
sizes, commits) and rows are metric descriptors, so the same code prints every bench.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Results = Mapping[str, Mapping[str, float | None]]
"""Column label -> metric key -> value (None when not measured or the run failed)."""

MISSING = "-"


@dataclass(frozen=True)
class Metric:
    """One row of the table.

    Attributes:
        key: Key of the value in each column's mapping.
        label: Row heading, units included, e.g. "key→frame p95 (ms)".
        digits: Decimals shown; fixed per row so a column of figures lines up.
        scale: Multiplier applied before formatting, e.g. 1/1024 to show KiB as MiB.
        target: Free text for the optional target column, e.g. "< 1.0".
    """

    key: str
    label: str
    digits: int = 1
    scale: float = 1.0
    target: str = ""


def render_text(results: Results, metrics: Sequence[Metric], *, title: str = "") -> str:
    """A fixed-width table: labels left-aligned, figures right-aligned, one column per run."""
    header, rows = _cells(results, metrics)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return " | ".join([first, *rest]).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    body = [line(header), rule, *(line(row) for row in rows)]
    return "\n".join([title, *body] if title else body)


def render_markdown(results: Results, metrics: Sequence[Metric], *, title: str = "") -> str:
    """The same table as GitHub-flavoured Markdown, ready to paste into the README."""
    header, rows = _cells(results, metrics)
    align = [":--", *("--:" for _ in header[1:])]
    body = [_md_row(header), _md_row(align), *(_md_row(row) for row in rows)]
    return "\n".join([f"**{title}**", "", *body] if title else body)


def _cells(results: Results, metrics: Sequence[Metric]) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows; the target column only appears when some metric has one."""
    columns = list(results)
    with_target = any(metric.target for metric in metrics)
    header = ["metric", *columns, *(["target"] if with_target else [])]
    rows = []
    for metric in metrics:
        row = [metric.label]
        for column in columns:
            value = results[column].get(metric.key)
            row.append(MISSING if value is None else f"{value * metric.scale:.{metric.digits}f}")
        if with_target:
            row.append(metric.target or MISSING)
        rows.append(row)
    return header, rows


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
