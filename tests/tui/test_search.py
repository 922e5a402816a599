"""Search, saved views and sorting in the queue, driven by keys."""

from __future__ import annotations

from screens.picker import PickerScreen
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle, wait_for
from tests.tui.test_actions import choose
from widgets.queue_table import QueueTable
from widgets.search_bar import SearchBar


def table_of(app: object) -> QueueTable:
    return app.screen.query_one(QueueTable)  # type: ignore[attr-defined, no-any-return]


async def test_field_search_shows_results_in_the_same_table(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.screen.query_one(SearchBar).has_class("-active")
        await pilot.press(*"status:pending", "enter")
        await settle(pilot)
        # The factory cycles new/open/pending/on-hold: 50 of 200 are pending.
        await wait_for(pilot, lambda: "50 tickets" in screen_text(app))
        assert "Search:" in screen_text(app)
        table = table_of(app)
        assert table.has_focus
        assert table.current_row is not None and table.current_row.status == "pending"
        await pilot.press("j")
        assert table.current_row is not None and table.current_row.status == "pending"


async def test_free_text_search(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"printer", "enter")
        await settle(pilot)
        # Every tenth subject is "Printer jam number N".
        await wait_for(pilot, lambda: "20 tickets" in screen_text(app))
        assert "Printer jam number 0" in screen_text(app)


async def test_a_bad_query_is_explained_in_place_and_keeps_the_results(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"stauts:open")
        await wait_for(pilot, lambda: "status" in screen_text(app) and "stauts" in screen_text(app))
        assert "200 tickets" in screen_text(app)  # still the view's rows
        assert app.screen.query_one(SearchBar).input.has_focus  # typing goes on


async def test_escape_leaves_the_search(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"status:pending", "enter")
        await wait_for(pilot, lambda: "50 tickets" in screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "200 tickets" in screen_text(app))
        assert "My tier" in screen_text(app)
        assert not app.screen.query_one(SearchBar).has_class("-active")


async def test_a_search_saved_as_a_view_gets_key_8(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"status:pending", "enter")
        await wait_for(pilot, lambda: "50 tickets" in screen_text(app))
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("ctrl+u", *"Waiting on customers", "enter")
        await wait_for(pilot, lambda: "Waiting on customers" in screen_text(app))
        await pilot.press("1")
        await settle(pilot)
        assert "My open" in screen_text(app)
        await pilot.press("8")  # after the seven built-in views (7: SLA at risk)
        await settle(pilot)
        await wait_for(pilot, lambda: "Waiting on customers" in screen_text(app))
        assert "50 tickets" in screen_text(app)


async def test_sort_by_number_and_reverse(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        await choose(pilot, "number")
        await settle(pilot)
        table = table_of(app)
        assert table.current_row is not None and table.current_row.number == 1199
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        await choose(pilot, "number")  # the same column again reverses it
        await settle(pilot)
        assert table.current_row is not None and table.current_row.number == 1000


async def test_a_view_name_with_markup_is_shown_literally(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"status:new", "enter")
        await wait_for(pilot, lambda: "50 tickets" in screen_text(app))
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("ctrl+u", *"[red]VIP[/red]", "enter")
        await wait_for(pilot, lambda: "[red]VIP[/red]" in screen_text(app))
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert "8  [red]VIP[/red]" in screen_text(app)
