"""The SLA column, the "SLA at risk" view, the SLA sort and the ticket screen's SLA line.

The store is :func:`tests.factories.make_sla_workspace` (clocks computed at T0, which
is also the app's clock in tests): #1000 has 19 minutes left of its first response,
#1020 is 1 minute overdue, #1002 and #1003 are paused (pending, on-hold), #1001 has
1h58m left.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.style import Style
from textual.strip import Strip

from agentdesk.app import AgentDeskApp, make_app
from agentdesk.config import Settings
from agentdesk.workspace import Workspace, open_workspace
from screens.picker import PickerScreen
from screens.ticket import TicketScreen
from storage.migrations import SLA_ORDER
from tests.factories import MINUTE, T0, make_sla_workspace
from tests.tui.helpers import screen_text, settle, wait_for
from tests.tui.test_actions import choose
from widgets.queue_table import QueueTable

MakeApp = Callable[..., AgentDeskApp]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sla_workspace(tmp_path_factory.mktemp("tui-sla") / "sla.db").path


@pytest.fixture
def make(template: Path, tmp_path: Path) -> Iterator[MakeApp]:
    """Apps on a copy of the SLA workspace, with an at-risk window in minutes."""
    path = tmp_path / "sla.db"
    path.write_bytes(template.read_bytes())
    opened: list[Workspace] = []

    def build(minutes: int = 60, agent: str | None = None) -> AgentDeskApp:
        settings = Settings(db=path, agent=agent, sla_at_risk_minutes=minutes)
        workspace = open_workspace(settings)
        opened.append(workspace)
        return make_app(workspace, settings)

    yield build
    for workspace in opened:
        workspace.close()


def table_of(app: AgentDeskApp) -> QueueTable:
    return app.screen.query_one(QueueTable)


def sla_cell(table: QueueTable, number: int) -> tuple[str, Style]:
    """The SLA column's text and style on the row of ticket ``number`` (it must be loaded)."""
    index = next(
        i
        for i in range(table.window.known_rows or 0)
        if (row := table.window.row(i)) and row.number == number
    )
    row = table.window.row(index)
    assert row is not None
    strip: Strip = table._row_strip(row, False, False, 80, Style())
    left = sum(cells + 1 for column, cells in table._layout.columns[:4])  # mark … status
    cells = strip.crop(left, left + 5)
    text = "".join(segment.text for segment in cells)
    style = next(segment.style for segment in cells if segment.text.strip())
    assert style is not None
    return text, style


def component(table: QueueTable, name: str) -> Style:
    return table.get_component_rich_style(f"queue-table--{name}", partial=True)


async def test_the_sla_column_shows_time_left_overdue_and_paused(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[1]
        assert header.split()[:5] == ["#", "Pri", "Status", "SLA", "Subject"]
        table = table_of(app)
        await pilot.press("G")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert sla_cell(table, 1000) == ("  19m", component(table, "sla-at-risk"))
        assert sla_cell(table, 1020)[0] == "  !1m"  # breached reads without colour too
        assert sla_cell(table, 1020)[1] == component(table, "sla-breached")
        assert sla_cell(table, 1002) == ("pause", component(table, "sla-paused"))
        text, style = sla_cell(table, 1001)  # 1h58m left: outside the window
        assert (text, style.color) == ("   1h", None)
        lines = screen_text(app).splitlines()
        assert any(line.split()[:4] == ["#1020", "low", "new", "!1m"] for line in lines)


async def test_the_configured_window_decides_what_is_at_risk(make: MakeApp) -> None:
    app = make(minutes=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.sla_window_ms == 10 * MINUTE
        text, style = sla_cell(table, 1000)  # 19 minutes left: not within 10
        assert (text, style.color) == ("  19m", None)
        await pilot.press("7")
        await settle(pilot)
        shown = [table.window.row(i) for i in range(table.window.known_rows or 0)]
        assert 1000 not in [row.number for row in shown if row is not None]


async def test_the_at_risk_view_lists_breached_and_due_soon_by_due_time(
    make: MakeApp, template: Path
) -> None:
    conn = sqlite3.connect(template)
    expected = [
        number
        for (number,) in conn.execute(
            f"SELECT number FROM ticket WHERE {SLA_ORDER} <= ? ORDER BY {SLA_ORDER}, number",
            (T0 + 60 * MINUTE,),
        )
    ]
    conn.close()
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert screen_text(app).startswith(f" SLA at risk {len(expected)} tickets")
        table = table_of(app)
        await wait_for(pilot, lambda: table.window.row(0) is not None)
        first = [table.window.row(i) for i in range(min(len(expected), 64))]
        assert [row.number for row in first if row is not None] == expected[:64]
        dues = [row.sla_due_at for row in first if row is not None]
        assert dues == sorted(dues) and dues[0] is not None and dues[0] < T0
        first_row = screen_text(app).splitlines()[2].split()
        assert first_row[0] == f"#{expected[0]}" and first_row[3].startswith("!")


async def test_sorting_by_sla_puts_the_next_due_first(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert "SLA (next due first)" in screen_text(app)
        await choose(pilot, "sla")
        await settle(pilot)
        table = table_of(app)
        query = table.window.query
        assert (query.sort, query.descending) == ("sla", False)
        rows = [table.window.row(i) for i in range(20)]
        dues = [row.sla_due_at for row in rows if row is not None]
        assert dues == sorted(dues)
        assert dues[0] is not None and dues[0] < T0  # the longest overdue on top


async def test_the_ticket_screen_shows_the_policy_and_each_target(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # #1000
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        text = " ".join(screen_text(app).split())
        assert "SLA Low · first reply due in 19m (1m/20m) · resolution due in 7h (1m/8h)" in text


async def test_a_reply_from_the_queue_moves_the_clock_shown(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        app.desk.reply("1000", "On it")  # as another workstation's sync would land it
        await pilot.app.workers.wait_for_complete()
        table.reload()
        await settle(pilot)
        # First reply met: resolution (8 h from creation) is what falls due next.
        assert sla_cell(table, 1000)[0] == "   7h"
