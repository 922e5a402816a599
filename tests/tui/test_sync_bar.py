"""The sync status line: words and a symbol for every state, on every screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from agentdesk.sync.engine import SyncStatus
from tests.factories import AGENTS
from tests.hub.conftest import HubServer
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, wait_for
from tests.tui.sync_support import hub, hub_backend, hub_server, point_at_dead_hub, synced_replica
from widgets.sync_bar import SyncBar, status_text

__all__ = ["hub", "hub_backend", "hub_server"]  # the fixtures

ANA = AGENTS[0][2]


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (None, "↻ syncing…"),
        (SyncStatus("syncing", 2, "sending 2 change(s)"), "↻ syncing…"),
        (SyncStatus("synced", 0), "● synced"),
        (SyncStatus("offline", 3, "cannot reach the hub"), "○ offline (3 pending)"),
        (SyncStatus("offline", 0), "○ offline"),
        (SyncStatus("error", 1, "token refused"), "✗ sync stopped (1 pending): token refused"),
    ],
)
def test_every_state_is_told_in_words(status: SyncStatus | None, text: str) -> None:
    assert status_text(status) == text


class BarApp(App[None]):
    """The bar alone, fed statuses by the test (the engine is not under test here)."""

    def __init__(self) -> None:
        super().__init__()
        self.status: SyncStatus | None = None

    def compose(self) -> ComposeResult:
        yield SyncBar(lambda: self.status, "Ana Lima · 127.0.0.1:8765")


async def test_the_bar_follows_the_status_it_is_fed() -> None:
    app = BarApp()
    async with app.run_test(size=(80, 24)) as pilot:
        bar_line = lambda: screen_text(app).splitlines()[-2]  # noqa: E731 - above the footer row
        await wait_for(pilot, lambda: "↻ syncing…" in bar_line())
        assert "Ana Lima · 127.0.0.1:8765" in bar_line()
        app.status = SyncStatus("offline", 3, "cannot reach the hub")
        await wait_for(pilot, lambda: "○ offline (3 pending)" in bar_line())
        assert app.query_one(SyncBar).has_class("-offline")
        app.status = SyncStatus("synced", 0)
        await wait_for(pilot, lambda: "● synced" in bar_line())


async def test_a_synced_store_says_synced_on_the_queue_the_ticket_and_help(
    hub: HubServer, tmp_path: Path, app_factory: AppFactory
) -> None:
    replica = await synced_replica(hub, ANA, tmp_path / "ana.db")
    app = app_factory(path=replica)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "● synced" in screen_text(app))
        assert f"Ana Lima · {hub.url.removeprefix('http://')}" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Requester" in screen_text(app))
        await wait_for(pilot, lambda: "● synced" in screen_text(app))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: "Help — Ticket" in screen_text(app))
        assert "● synced" in screen_text(app)


async def test_a_change_made_while_the_hub_is_gone_shows_offline_and_pending(
    hub: HubServer, tmp_path: Path, app_factory: AppFactory
) -> None:
    replica = await synced_replica(hub, ANA, tmp_path / "ana.db")
    point_at_dead_hub(replica)
    app = app_factory(path=replica)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "○ offline" in screen_text(app))
        await pilot.press("j", "a")  # take #1001 (unassigned): one pending mutation
        await wait_for(pilot, lambda: "○ offline (1 pending)" in screen_text(app))


async def test_a_local_store_has_no_sync_line(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.sync is None
        assert not app.screen.query(SyncBar)
