"""The queue's page cache against a real store: every way of loading a page gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.queue import OPEN_FILTER, QueueQuery, TicketFilter, fetch_window
from tests.factories import make_workspace
from widgets.queue_window import QueueWindow

PAGE = 16
QUERY = QueueQuery(OPEN_FILTER)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    make_workspace(tmp_path / "ws.db", tickets=200)
    store = Database.open(tmp_path / "ws.db")
    yield store
    store.close()


def expected(db: Database, query: QueueQuery = QUERY) -> list[int]:
    with db.read() as conn:
        return [row.number for row in fetch_window(conn, query, 0, 10_000)]


def numbers(window: QueueWindow, first: int, last: int) -> list[int | None]:
    return [(row.number if row else None) for row in map(window.row, range(first, last))]


def test_pages_loaded_by_offset_keyset_and_from_the_end_agree(db: Database) -> None:
    truth = expected(db)
    pages = (len(truth) + PAGE - 1) // PAGE
    # Jump to the last page (from the end), then walk back by keyset from each neighbour.
    window = QueueWindow(db, QUERY, page_size=PAGE, max_pages=pages)
    window.accept(window.load(window.generation, 0, with_total=True))
    for page in reversed(range(1, pages)):
        assert window.accept(window.load(window.generation, page))
    assert numbers(window, 0, len(truth)) == truth
    # Forward from page 0 by keyset.
    window = QueueWindow(db, QUERY, page_size=PAGE, max_pages=pages)
    for page in range(pages):
        window.accept(window.load(window.generation, page))
    assert numbers(window, 0, len(truth)) == truth
    assert window.total == len(truth) == 200


def test_missing_pages_are_asked_once_nearest_first_and_within_the_count(db: Database) -> None:
    window = QueueWindow(db, QUERY, page_size=PAGE)
    window.accept(window.load(window.generation, 0, with_total=True))
    wanted = window.missing_pages(40, 60)
    assert wanted == [2, 1, 3, 4]  # rows 40-60 are pages 2-3, plus one page either side
    assert window.missing_pages(40, 60) == []  # pending: not asked twice
    assert window.missing_pages(190, 400) == [11, 10, 12]  # 200 rows end on page 12
    window.abandon(window.generation, 2)
    assert window.missing_pages(40, 40) == [2]


def test_a_page_from_an_old_generation_is_dropped(db: Database) -> None:
    window = QueueWindow(db, QUERY, page_size=PAGE)
    old = window.load(window.generation, 0, with_total=True)
    window.reset(QueueQuery(TicketFilter(statuses=("pending",))))
    assert not window.accept(old)
    assert window.row(0) is None


def test_the_cache_keeps_at_most_max_pages(db: Database) -> None:
    window = QueueWindow(db, QUERY, page_size=PAGE, max_pages=3)
    for page in range(6):
        window.accept(window.load(window.generation, page, with_total=page == 0))
    assert [window.row(p * PAGE) is not None for p in range(6)] == [False] * 3 + [True] * 3


def test_a_reload_shows_the_old_rows_until_the_new_ones_arrive(db: Database) -> None:
    window = QueueWindow(db, QUERY, page_size=PAGE)
    window.accept(window.load(window.generation, 0, with_total=True))
    first = window.row(0)
    generation = window.reset(keep_stale=True)
    assert window.row(0) == first  # no flicker while re-reading
    assert window.total == 200
    assert window.accept(window.load(generation, 0, with_total=True))
    assert window.row(0) == first


def test_first_page_comes_before_the_count(db: Database) -> None:
    window = QueueWindow(db, QUERY, page_size=PAGE)
    load = window.load_first(window.generation)
    assert load.total is None and len(load.rows) == PAGE  # a full page: more may follow
    window.accept(load)
    assert window.total is None and window.known_rows == PAGE
    assert window.count() == 200
    short = QueueWindow(db, QueueQuery(TicketFilter(requester_id="CU-9")), page_size=PAGE)
    assert short.load_first(short.generation).total == 0  # a short page is the whole query
