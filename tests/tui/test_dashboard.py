"""The dashboard driven by keys, on a store with known figures and a spike (metrics_fixture)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from screens.dashboard import DashboardScreen
from screens.picker import PickerScreen
from screens.prompt import PromptScreen
from screens.queue import QueueScreen
from tests import metrics_fixture as fx
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle, wait_for
from widgets.metric_line import LOADING, MetricLine

LEAD = "lee@support.example.com"


@pytest.fixture
def spike_store(tmp_path: Path) -> Path:
    return fx.make_with_spike(tmp_path / "spike.db")


def metric(app: object, key: str) -> str:
    return app.screen.query_one(f"#metric-{key}", MetricLine).value  # type: ignore[attr-defined]


def numbers_in(app: object) -> bool:
    return all(metric(app, key) != LOADING for key in ("frt", "fcr", "csat", "backlog"))


async def test_a_lead_starts_on_the_dashboard_and_its_numbers_arrive(
    app_factory: AppFactory, spike_store: Path
) -> None:
    app = app_factory(agent=LEAD, path=spike_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: numbers_in(app))
        await settle(pilot)
        # The 14 days before T0 hold the fixture's week and #1 and #7 before it: first
        # replies 30m, 1h, 1h, 2h, 4h, 6h; 1, 2, 3, 4 and 9 solved, 1, 2 and 9 in one touch;
        # 20m handled per timed ticket; CSAT 5, 5, 4, 3, 1; NPS 10, 9, 9, 7, 3.
        assert metric(app, "frt") == "1h 00m"
        assert metric(app, "fcr") == "60.0%"
        assert metric(app, "aht") == "20m"
        assert metric(app, "csat") == "60.0%"
        assert metric(app, "nps") == "+40"
        # 14 days: the week's 10 targets (7 met) and #1's first response (met).
        assert metric(app, "sla") == "72.7%"
        text = screen_text(app)
        assert "7 days 70.0% of 10" in text
        assert "Backlog now: 15 unsolved" in text  # 5, 6, 7 and the twelve new ones
        assert "Lee Park · lead" in text


async def test_the_live_backlog_and_workload_add_up(
    app_factory: AppFactory, spike_store: Path
) -> None:
    app = app_factory(agent=LEAD, path=spike_store)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await settle(pilot)
        lines = [" ".join(line.split()) for line in screen_text(app).splitlines()]
        assert any("new · 13 · · 13" in line for line in lines)  # 12 new outage + #6
        assert any("open · 2 · · 2" in line for line in lines)  # 5, 7
        assert any("total · 15 · · 15" in line for line in lines)
        assert any("(unassigned) 14" in line for line in lines)
        assert any("Ana Lima 1 2d 1" in line for line in lines)  # #5, past its SLA due time
        assert any("By channel email 3 chat 4 web 4 social 4 phone 0" in line for line in lines)


async def test_escape_goes_to_the_queue_and_L_comes_back(
    app_factory: AppFactory, spike_store: Path
) -> None:
    app = app_factory(agent=LEAD, path=spike_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)
        await settle(pilot)
        assert "All open" in screen_text(app)
        await pilot.press("L")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("L")
        assert isinstance(app.screen, QueueScreen)


async def test_any_agent_opens_it_from_the_queue(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("L")
        assert isinstance(app.screen, DashboardScreen)
        await wait_for(pilot, lambda: numbers_in(app))


async def test_keys_work_while_the_panels_are_loading(
    app_factory: AppFactory, spike_store: Path
) -> None:
    app = app_factory(agent=LEAD, path=spike_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        dashboard = app.screen
        db = dashboard.db  # type: ignore[attr-defined]
        gate = threading.Event()

        def hold() -> None:  # a long query elsewhere: every worker waits for the store
            with db.lock:
                gate.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            dashboard.action_reload()  # type: ignore[attr-defined]
            await pilot.press("j", "k", "question_mark")
            await wait_for(pilot, lambda: "Help — Dashboard" in screen_text(app))
            await pilot.press("escape", "escape")
            assert isinstance(app.screen, QueueScreen)
            await pilot.press("L")
            assert isinstance(app.screen, DashboardScreen)
        finally:
            gate.set()
            holder.join()
        await wait_for(pilot, lambda: numbers_in(app))


async def test_a_spike_opens_its_tickets_in_the_queue(
    app_factory: AppFactory, spike_store: Path
) -> None:
    app = app_factory(agent=LEAD, path=spike_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: "1 spike in the last hour" in screen_text(app))
        await wait_for(pilot, lambda: "tag outage: 12 tickets" in screen_text(app))
        await pilot.press("f")
        assert isinstance(app.screen, QueueScreen)
        await wait_for(pilot, lambda: "12 tickets" in screen_text(app))
        assert "Search: tag outage" in screen_text(app)
        assert app.screen.search_text == "tag:outage created:<1h"  # type: ignore[attr-defined]


async def test_a_spike_links_its_tickets_to_an_incident(
    app_factory: AppFactory, spike_store: Path
) -> None:
    app = app_factory(agent=LEAD, path=spike_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: "1 spike" in screen_text(app))
        await pilot.press("I")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        assert picker.title_text.startswith("Link #100, #101")  # type: ignore[attr-defined]
        await pilot.press("enter")  # the only choice: type a ticket's number
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("5", "enter")
        conn = sqlite3.connect(spike_store)

        def linked() -> int:
            sql = "SELECT count(*) FROM ticket WHERE parent_id = ?"
            return int(conn.execute(sql, (fx.tid(5),)).fetchone()[0])

        try:
            await wait_for(pilot, lambda: linked() == len(fx.SPIKE))
        finally:
            conn.close()
        assert isinstance(app.screen, DashboardScreen)


async def test_without_a_spike_its_keys_are_not_offered(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    app = app_factory(agent=LEAD, path=fx.make(tmp_path / "calm.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: "No spikes" in screen_text(app))
        await wait_for(pilot, lambda: "Refresh" in screen_text(app).splitlines()[-1])
        assert "Spike tickets" not in screen_text(app).splitlines()[-1]
        await pilot.press("f")
        assert isinstance(app.screen, DashboardScreen)


async def test_a_view_from_the_palette_opens_the_queue_on_it(
    app_factory: AppFactory, spike_store: Path
) -> None:
    app = app_factory(agent=LEAD, path=spike_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        app.show_view("unassigned")
        await wait_for(pilot, lambda: "Unassigned" in screen_text(app))
        assert isinstance(app.screen, QueueScreen)
        await wait_for(pilot, lambda: "14 tickets" in screen_text(app))  # all but Ana's #5


async def test_the_palette_opens_it(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"dashboard")
        await wait_for(pilot, lambda: "Dashboard: backlog" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
