"""The dashboard at 80x24 and wide, with a spike. Review the SVGs before accepting them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from screens.dashboard import DashboardScreen
from tests import metrics_fixture as fx
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle, wait_for
from widgets.metric_line import LOADING, MetricLine

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 50), id="160x50")]


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(
    snap_compare: object, app_factory: AppFactory, tmp_path: Path, size: tuple[int, int]
) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: all(m.value != LOADING for m in app.screen.query(MetricLine)))
        await wait_for(pilot, lambda: "spike" in screen_text(app))  # type: ignore[arg-type]
        await settle(pilot)

    app = app_factory(agent="lee@support.example.com", path=fx.make_with_spike(tmp_path / "s.db"))
    assert snap_compare(app, terminal_size=size, run_before=ready)  # type: ignore[operator]
