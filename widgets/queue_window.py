"""The queue's page cache: which rows are loaded, and the cheapest way to load the rest.

No Textual here, so the paging logic is tested against a real SQLite file alone.
A page is ``page_size`` consecutive rows of one query. To load page *p*, the cache
seeks by keyset from a loaded neighbour (*p-1* or *p+1*) when it has one, which
costs the same anywhere in a million rows; otherwise it jumps with OFFSET from
whichever end is nearer. Pages carry the cache's generation, so a page that
arrives after the query changed (or the store did) is dropped, not shown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from storage.database import Database
from storage.queue import (
    QueueQuery,
    QueueRow,
    count,
    fetch_after,
    fetch_before,
    fetch_window,
    fetch_window_from_end,
    position_of,
)

DEFAULT_PAGE_SIZE: Final = 64
DEFAULT_MAX_PAGES: Final = 48


@dataclass(frozen=True, slots=True)
class PageLoad:
    """The result of loading one page, tagged with the generation it was asked for."""

    generation: int
    page: int
    rows: list[QueueRow]
    total: int | None = None


class QueueWindow:
    """A bounded LRU of pages of one query, with the plan for loading missing ones.

    ``row``, ``missing_pages`` and ``accept`` run on the UI thread; ``load`` runs in
    a worker thread and only reads the neighbour keys under a lock.
    """

    def __init__(
        self,
        db: Database,
        query: QueueQuery,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self.db = db
        self.page_size = page_size
        self.max_pages = max_pages
        self.query = query
        self.total: int | None = None
        self.generation = 0
        self._pages: OrderedDict[int, list[QueueRow]] = OrderedDict()
        self._stale: OrderedDict[int, list[QueueRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._lock = threading.Lock()

    # -- UI thread -----------------------------------------------------------------

    def reset(self, query: QueueQuery | None = None, *, keep_stale: bool = False) -> int:
        """Start a new generation: forget every page; a new query may be given.

        With ``keep_stale`` (a reload of the same query) the old pages keep being
        shown until their fresh copies arrive, so a refresh does not flicker.
        """
        with self._lock:
            if query is not None:
                self.query = query
            self.generation += 1
            self._stale = self._pages if keep_stale else OrderedDict()
            self._pages = OrderedDict()
            self._pending.clear()
            if not keep_stale:
                self.total = None
            return self.generation

    def mark_pending(self, pages: list[int]) -> None:
        """Record pages a caller is loading itself, so they are not asked for twice."""
        with self._lock:
            self._pending.update(pages)

    def row(self, index: int) -> QueueRow | None:
        """The row at ``index`` if its page is loaded."""
        page, slot = divmod(index, self.page_size)
        with self._lock:
            rows = self._pages.get(page)
            if rows is None:
                rows = self._stale.get(page)
                if rows is None:
                    return None
            else:
                self._pages.move_to_end(page)
        return rows[slot] if slot < len(rows) else None

    def missing_pages(self, first: int, last: int, *, prefetch: int = 1) -> list[int]:
        """Pages covering rows ``first..last`` (plus ``prefetch`` each side) not loaded or asked.

        The returned pages are marked pending, so each is requested once.
        """
        if self.total is not None:
            last = min(last, self.total - 1)
        if last < first:
            return []
        lo = max(0, first // self.page_size - prefetch)
        hi = last // self.page_size + prefetch
        if self.total is not None:
            hi = min(hi, max(0, (self.total - 1) // self.page_size))
        with self._lock:
            wanted = [
                page
                for page in range(lo, hi + 1)
                if page not in self._pages and page not in self._pending
            ]
            self._pending.update(wanted)
        # Nearest the viewport first, so the visible rows arrive before prefetched ones.
        centre = first // self.page_size
        return sorted(wanted, key=lambda page: abs(page - centre))

    def accept(self, load: PageLoad) -> bool:
        """Store a loaded page if it belongs to the current generation."""
        with self._lock:
            if load.generation != self.generation:
                return False
            self._pending.discard(load.page)
            self._stale.pop(load.page, None)
            if load.total is not None:
                self.total = load.total
            self._pages[load.page] = load.rows
            self._pages.move_to_end(load.page)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
            return True

    def abandon(self, generation: int, page: int) -> None:
        """Forget that ``page`` is pending (its load failed), so it can be asked again."""
        with self._lock:
            if generation == self.generation:
                self._pending.discard(page)

    # -- worker thread -------------------------------------------------------------

    def load(self, generation: int, page: int, *, with_total: bool = False) -> PageLoad:
        """Read one page (and optionally the count) from the store."""
        with self._lock:
            query = self.query
            before = self._pages.get(page - 1)
            after = self._pages.get(page + 1)
            total = self.total
        size = self.page_size
        with self.db.read() as conn:
            if with_total or total is None:
                total = count(conn, query)
            if before and len(before) == size:
                rows = fetch_after(conn, query, before[-1].keyset, size)
            elif after:
                rows = fetch_before(conn, query, after[0].keyset, size)
            else:
                start = page * size
                limit = max(0, min(size, total - start))
                from_end = total - start - limit
                if from_end < start:
                    rows = fetch_window_from_end(conn, query, from_end, limit)
                else:
                    rows = fetch_window(conn, query, start, size)
        return PageLoad(generation, page, rows, total)

    def load_first(self, generation: int) -> PageLoad:
        """The first page without waiting for the count (it can take longer than the rows).

        A short first page is the whole query, so its length is the count.
        """
        with self._lock:
            query = self.query
        with self.db.read() as conn:
            rows = fetch_window(conn, query, 0, self.page_size)
        total = len(rows) if len(rows) < self.page_size else None
        return PageLoad(generation, 0, rows, total)

    def count(self) -> int:
        """How many rows the current query has (worker thread)."""
        with self._lock:
            query = self.query
        with self.db.read() as conn:
            return count(conn, query)

    @property
    def known_rows(self) -> int | None:
        """Rows that can be shown now: the count, or the first page while counting."""
        if self.total is not None:
            return self.total
        with self._lock:
            first = self._pages.get(0)
        return None if first is None else len(first)

    def locate(self, number: int) -> int | None:
        """Where ticket ``number`` now sits in the query's order (worker thread)."""
        with self.db.read() as conn:
            return position_of(conn, self.query, number)
