"""The virtual queue table: renders only the visible rows, fetched as windows from SQLite.

Opening and scrolling cost the same for a thousand or a million tickets: the
widget's virtual height is the row count, ``render_line`` paints from the page
cache (or a placeholder), and missing pages are read in thread workers whose
results come back as messages. A cursor move repaints two lines.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from agentdesk.domain import timefmt
from agentdesk.domain.sla_badge import Risk
from storage.database import Database
from storage.queue import QueueQuery, QueueRow
from widgets.queue_columns import GAP, Layout, column_at, fit, layout_for, sla_badge
from widgets.queue_window import PageLoad, QueueWindow
from widgets.worker_errors import NotifyWorkerErrors

_HEADER_LINES = 1
#: The SLA column's colour by risk (its text already says breached '!' and 'pause').
_SLA_STYLES = {
    Risk.BREACHED: "sla-breached",
    Risk.AT_RISK: "sla-at-risk",
    Risk.PAUSED: "sla-paused",
}


class QueueTable(ScrollView, NotifyWorkerErrors, can_focus=True, inherit_bindings=False):
    """A keyboard-driven, virtually rendered list of tickets."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="queue.open"),
        Binding("j,down", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="queue.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="queue.page_up"),
        Binding("g,home", "first", "Top", show=False, id="queue.top"),
        Binding("G,end", "last", "Bottom", show=False, id="queue.bottom"),
        Binding("x,space", "toggle_mark", "Mark", show=False, id="queue.mark"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-table--header",
        "queue-table--cursor",
        "queue-table--marked",
        "queue-table--placeholder",
        "queue-table--urgent",
        "queue-table--high",
        "queue-table--low",
        "queue-table--new",
        "queue-table--open",
        "queue-table--pending",
        "queue-table--on-hold",
        "queue-table--solved",
        "queue-table--closed",
        "queue-table--sla-breached",
        "queue-table--sla-at-risk",
        "queue-table--sla-paused",
    }

    DEFAULT_CSS = """
    QueueTable {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        & > .queue-table--header { text-style: bold; background: $panel; color: $text; }
        & > .queue-table--cursor { background: $block-cursor-background; }
        &:focus > .queue-table--cursor { background: $block-cursor-background; text-style: bold; }
        & > .queue-table--marked { background: $accent 25%; }
        & > .queue-table--placeholder { color: $text-disabled; }
        & > .queue-table--urgent { color: $text-error; text-style: bold; }
        & > .queue-table--high { color: $text-warning; }
        & > .queue-table--low { color: $text-muted; }
        & > .queue-table--new { color: $text-accent; text-style: bold; }
        & > .queue-table--open { color: $text-primary; }
        & > .queue-table--pending { color: $text-warning; }
        & > .queue-table--on-hold { color: $text-secondary; }
        & > .queue-table--solved { color: $text-success; }
        & > .queue-table--closed { color: $text-muted; }
        & > .queue-table--sla-breached { color: $text-error; text-style: bold; }
        & > .queue-table--sla-at-risk { color: $text-warning; text-style: bold; }
        & > .queue-table--sla-paused { color: $text-muted; }
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False, init=False)

    class Highlighted(Message):
        """The cursor moved onto a row (``row`` is None while its page loads)."""

        def __init__(self, table: QueueTable, index: int, row: QueueRow | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row = row

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, QueueTable.Highlighted)

    class Selected(Message):
        """A row was opened (enter or a click)."""

        def __init__(self, table: QueueTable, row: QueueRow) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class MarksChanged(Message):
        """Rows were marked or unmarked for a bulk action."""

        def __init__(self, table: QueueTable, count: int) -> None:
            super().__init__()
            self.table = table
            self.count = count

    class HeaderClicked(Message):
        """A column title was clicked (the screen may sort by it)."""

        def __init__(self, table: QueueTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

    class CountChanged(Message):
        """The number of rows in the current query changed (or became known)."""

        def __init__(self, table: QueueTable, total: int) -> None:
            super().__init__()
            self.table = table
            self.total = total

    class _PageLoaded(Message):
        def __init__(self, load: PageLoad, focus_number: int | None) -> None:
            super().__init__()
            self.load = load
            self.focus_number = focus_number

    def __init__(
        self,
        db: Database,
        query: QueueQuery,
        *,
        first_page: PageLoad | None = None,
        sla_window_ms: int = 60 * 60_000,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.window = QueueWindow(db, query)
        #: A next SLA target due within this long is at risk (yellow).
        self.sla_window_ms = sla_window_ms
        if first_page is not None:
            self.window.accept(first_page)
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._layout: Layout = layout_for(80)
        self._styles: dict[str, Style] = {}
        self._now_ms = timefmt.now_ms()
        #: Marked tickets, id -> number; marks survive view switches and searches.
        self.marked: dict[str, int] = {}

    # -- public API ----------------------------------------------------------------

    @property
    def total(self) -> int | None:
        """Rows in the query, once counted."""
        return self.window.total

    @property
    def current_row(self) -> QueueRow | None:
        """The row under the cursor, if loaded."""
        return self.window.row(self.cursor)

    def clear_marks(self) -> None:
        """Unmark every row."""
        if self.marked:
            self.marked.clear()
            self._strips.clear()
            self.refresh()
            self.post_message(self.MarksChanged(self, 0))

    def set_query(self, query: QueueQuery) -> None:
        """Show another query from its first row."""
        self.window.reset(query)
        self._strips.clear()
        self.cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        self._request(0, with_total=True)

    def reload(self, query: QueueQuery | None = None) -> None:
        """Re-read the query after the store changed, keeping the cursor on its ticket.

        ``query`` replaces it with the same view built again (one whose window moves
        with the clock); the rows shown stay until the fresh ones arrive.
        """
        current = self.current_row
        self.window.reset(query, keep_stale=True)
        self._strips.clear()
        self._request_reload(current.number if current else None)

    # -- loading ---------------------------------------------------------------------

    def on_mount(self) -> None:
        total = self.window.total
        if total is None:
            self._request(0, with_total=True)
        else:
            self.virtual_size = Size(self.scrollable_content_region.width, total + _HEADER_LINES)
            self.post_message(self.CountChanged(self, total))
        self.set_interval(30, self._tick)

    def _tick(self) -> None:
        """Ages ('5m') drift with time: repaint with a fresh clock now and then."""
        self._now_ms = timefmt.now_ms()
        self._strips.clear()
        self.refresh()

    def _request(self, page: int, *, with_total: bool = False) -> None:
        generation = self.window.generation
        self.run_worker(
            partial(self._load, generation, page, with_total),
            thread=True,
            group="queue-pages",
            exit_on_error=False,
        )

    def _load(self, generation: int, page: int, with_total: bool) -> None:
        try:
            if page == 0 and with_total:
                # Rows first, count after: a count of a common word at 1M takes longer.
                load = self.window.load_first(generation)
                self.post_message(self._PageLoaded(load, None))
                if load.total is not None:
                    return
                load = PageLoad(generation, 0, load.rows, self.window.count())
            else:
                load = self.window.load(generation, page, with_total=with_total)
        except Exception:
            self.window.abandon(generation, page)
            raise
        self.post_message(self._PageLoaded(load, None))

    def _request_reload(self, number: int | None) -> None:
        generation = self.window.generation
        self.run_worker(
            partial(self._reload_worker, generation, number),
            thread=True,
            group="queue-pages",
            exit_on_error=False,
        )

    def _reload_worker(self, generation: int, number: int | None) -> None:
        index = self.window.locate(number) if number is not None else None
        target = self.cursor if index is None else index
        page = target // self.window.page_size
        self.window.mark_pending([page])
        load = self.window.load(generation, page, with_total=True)
        self.post_message(self._PageLoaded(load, number if index is not None else None))
        if index is not None:
            self.app.call_from_thread(self._move_cursor_silently, index)

    def _move_cursor_silently(self, index: int) -> None:
        self.cursor = index

    @on(_PageLoaded)
    def _page_loaded(self, event: _PageLoaded) -> None:
        event.stop()
        previous_total = self.window.total
        previous_rows = self.virtual_size.height
        if not self.window.accept(event.load):
            return
        rows = self.window.known_rows or 0
        if rows + _HEADER_LINES != previous_rows:
            self.virtual_size = Size(self.scrollable_content_region.width, rows + _HEADER_LINES)
        total = self.window.total
        if total is not None and total != previous_total:
            self.post_message(self.CountChanged(self, total))
            if self.cursor >= total:
                self.cursor = max(0, total - 1)
        if event.load.page == self.cursor // self.window.page_size:
            self.post_message(self.Highlighted(self, self.cursor, self.current_row))
        self.refresh()
        self._fill_viewport()

    def _fill_viewport(self) -> None:
        """Ask for the pages the viewport (plus one each side) still lacks."""
        if self.window.total is None:
            return
        first = int(self.scroll_offset.y)
        last = first + max(1, self.size.height - _HEADER_LINES)
        for page in self.window.missing_pages(first, last):
            self._request(page)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._fill_viewport()

    def on_resize(self) -> None:
        self._layout = layout_for(self.scrollable_content_region.width)
        self._strips.clear()
        rows = self.window.known_rows
        if rows is not None:
            self.virtual_size = Size(self.scrollable_content_region.width, rows + _HEADER_LINES)
        self._fill_viewport()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    # -- cursor ----------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        total = self.window.known_rows or 0
        return max(0, min(value, total - 1)) if total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old + _HEADER_LINES)
        self.refresh_line(new + _HEADER_LINES)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, new, self.current_row))

    def _scroll_cursor_into_view(self) -> None:
        region = Region(0, self.cursor + _HEADER_LINES, self.size.width, 1)
        self.scroll_to_region(
            region, spacing=Spacing(top=_HEADER_LINES), animate=False, immediate=True
        )

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - _HEADER_LINES)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor += self._page_height()

    def action_page_up(self) -> None:
        self.cursor -= self._page_height()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = (self.window.total or 1) - 1

    def action_toggle_mark(self) -> None:
        row = self.current_row
        if row is None:
            return
        if self.marked.pop(row.id, None) is None:
            self.marked[row.id] = row.number
        self.refresh_line(self.cursor + _HEADER_LINES)
        self.post_message(self.MarksChanged(self, len(self.marked)))
        self.cursor += 1

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y - _HEADER_LINES
        if event.y < _HEADER_LINES:
            column = column_at(self._layout, event.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column.key))
            return
        if index == self.cursor:
            self.action_open()
        self.cursor = index

    # -- rendering -------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(f"queue-table--{name}", partial=True)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y < _HEADER_LINES:
            return self._header_strip(width, base)
        index = int(self.scroll_offset.y) + y - _HEADER_LINES
        total = self.window.known_rows
        if total is None or index >= total:
            return Strip.blank(width, base)
        row = self.window.row(index)
        if row is None:
            self.call_after_refresh(self._fill_viewport)
            text = fit("  …", width)
            return Strip([Segment(text, base + self._style("placeholder"))], width)
        is_cursor = index == self.cursor
        is_marked = row.id in self.marked
        key = (row, is_cursor, is_marked, width, self._now_ms)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._row_strip(row, is_cursor, is_marked, width, base)
            self._strips[key] = strip
        return strip

    def _header_strip(self, width: int, base: Style) -> Strip:
        style = base + self._style("header")
        segments = []
        for column, cells in self._layout.columns:
            segments.append(Segment(fit(column.title, cells, right=column.right), style))
            segments.append(Segment(" " * GAP, style))
        return Strip(segments).adjust_cell_length(width, style)

    def _row_strip(
        self, row: QueueRow, is_cursor: bool, is_marked: bool, width: int, base: Style
    ) -> Strip:
        line_style = base + self._style("marked") if is_marked else base
        if is_cursor:
            line_style += self._style("cursor")
        segments = []
        for column, cells in self._layout.columns:
            style = line_style
            if column.key == "priority" and row.priority in ("urgent", "high", "low"):
                style = line_style + self._style(row.priority)
            elif column.key == "status":
                style = line_style + self._style(row.status)
            if column.key == "sla":
                sla = sla_badge(row, self._now_ms, self.sla_window_ms)
                value = sla.text
                if sla.risk in _SLA_STYLES:
                    style = line_style + self._style(_SLA_STYLES[sla.risk])
            elif column.key == "mark" and is_marked:
                value = "✓"
            else:
                value = column.value(row, self._now_ms)
            text = fit(value, cells, right=column.right)
            segments.append(Segment(text, style))
            segments.append(Segment(" " * GAP, line_style))
        return Strip(segments).adjust_cell_length(width, line_style)
