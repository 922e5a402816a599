"""AgentDeskApp: screens, global keys, the command palette and store-change polling."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from agentdesk.commands import AgentDeskCommands
from agentdesk.config import Settings
from agentdesk.domain.roles import is_overseer
from agentdesk.domain.views import View, default_view
from agentdesk.workspace import Workspace
from screens.events import StoreChanged
from screens.handling import HandleTracker
from screens.queue import QueueScreen
from widgets.queue_table import QueueTable
from widgets.queue_window import QueueWindow
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Desk
    from agentdesk.reports import Live
    from screens.sync_link import SyncLink

STORE_POLL_SECONDS = 1.0


class AgentDeskApp(App[None], NotifyWorkerErrors):
    """The workstation. Build it with :func:`make_app` so tests never read a user's config."""

    TITLE = "agentdesk"
    COMMANDS = App.COMMANDS | {AgentDeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette"),
        Binding("L", "dashboard", "Dashboard", show=False, id="app.dashboard"),
    ]

    def __init__(self, workspace: Workspace, settings: Settings) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings
        agent = workspace.agent
        self.first_view = default_view(agent)
        # Read the first window before the event loop starts, so the very first frame
        # already shows tickets (milliseconds even at a million rows; the loop is not running).
        # A lead starts on the dashboard: their queue is made when first shown.
        self._first_page = (
            None
            if is_overseer(agent.tier)
            else QueueWindow(workspace.db, self.first_view.query(agent)).load(0, 0)
        )
        self._queue_instance: QueueScreen | None = None
        self._data_version = 0
        self._handling = HandleTracker(self)
        #: The link to the hub when the store is logged in to one (made on mount).
        self.sync: SyncLink | None = None
        # A lead's first screen is the dashboard: its live panels are read now, for the
        # same reason (tens of milliseconds at a million tickets, from one small index).
        self._first_live: Live | None = None
        if is_overseer(agent.tier):
            from agentdesk import reports  # noqa: PLC0415 - leads and admins only

            with workspace.db.read() as conn:
                self._first_live = reports.live(conn, None)  # breaching: from the worker

    @property
    def sla_window_ms(self) -> int:
        """A next SLA target due within this long is at risk (``sla_at_risk_minutes``)."""
        return self.settings.sla_at_risk_minutes * 60_000

    @cached_property
    def desk(self) -> Desk:
        """The acting agent's Desk, built on first use (keeps its imports off the first paint)."""
        from agentdesk.desk import Desk  # noqa: PLC0415

        return Desk(self.workspace.db, self.workspace.agent)

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        if is_overseer(self.workspace.agent.tier):  # leads and admins start on the dashboard
            self.action_dashboard()
        else:
            self.push_screen(self._queue_screen())
        self._handling.attach()
        # The baseline is taken now (a sub-millisecond PRAGMA), so a commit made by
        # another process before the first poll is still noticed.
        self._data_version = self.workspace.db.data_version()
        self.set_interval(STORE_POLL_SECONDS, self._check_store)
        # After the first frame: its imports and the engine's start stay off the first paint.
        self.call_after_refresh(self._start_sync)

    def _start_sync(self) -> None:
        """Sync with the hub in the background, if the store is logged in to one."""
        from screens.sync_link import SyncLink  # noqa: PLC0415 - after the first paint

        self.sync = SyncLink.for_store(self, self.workspace.db.path, self.workspace.agent)
        if self.sync is not None:
            self.sync.start()

    def on_unmount(self) -> None:
        self._handling.close()
        if self.sync is not None:
            self.sync.close()

    def _queue_screen(self) -> QueueScreen:
        """The queue, made on first use and installed, so leaving it (for a lead's dashboard
        under it) keeps its view, search and cursor."""
        if self._queue_instance is None:
            self._queue_instance = QueueScreen(
                self.workspace.db,
                self.workspace.agent,
                self.first_view,
                first_page=self._first_page,
                sla_at_risk_minutes=self.settings.sla_at_risk_minutes,
            )
            self.install_screen(self._queue_instance, "queue")
        return self._queue_instance

    def show_queue(self) -> QueueScreen:
        """Bring the queue to the front: back down the stack to it, or push it (a lead's
        dashboard is under it); a queue shown again reloads what changed while away."""
        queue = self._queue_screen()
        if queue in self.screen_stack:
            while self.screen is not queue:
                self.pop_screen()
            return queue
        away = queue.is_mounted
        self.push_screen(queue)
        if away:
            queue.post_message(StoreChanged())
        return queue

    def views(self) -> list[View]:
        """The views the queue offers (built-in and saved)."""
        return self._queue_screen().views

    def show_view(self, key: str) -> None:
        """Go back to the queue and switch it to view ``key`` (from the palette)."""

        def switch(queue: QueueScreen) -> None:
            for view in queue.views:
                if view.key == key:
                    queue.show_view(view)

        self._on_queue(switch)

    def show_search(self, text: str) -> None:
        """Go back to the queue and search ``text`` there (the dashboard's spike action)."""
        self._on_queue(lambda queue: queue.search_bar.run(text))

    def _on_queue(self, act: Callable[[QueueScreen], object]) -> None:
        """Show the queue and act on it: now, or once it is built (a lead's, the first time)."""
        queue = self.show_queue()
        if queue.is_mounted:
            act(queue)
        else:
            queue.call_after_refresh(lambda: act(queue))

    def action_dashboard(self) -> None:
        """``L``: the team lead's dashboard; on the dashboard, the queue."""
        from agentdesk.domain.metrics import FrtClock  # noqa: PLC0415 - loaded with the dashboard
        from screens.dashboard import DashboardScreen  # noqa: PLC0415 - loaded when first shown

        dashboards = [s for s in self.screen_stack if isinstance(s, DashboardScreen)]
        if isinstance(self.screen, DashboardScreen):
            self.show_queue()
        elif dashboards:  # a lead's, under the queue
            while self.screen is not dashboards[0]:
                self.pop_screen()
        else:
            first_live, self._first_live = self._first_live, None
            self.push_screen(
                DashboardScreen(
                    self.workspace.db,
                    self.workspace.agent,
                    frt_clock=FrtClock(self.settings.frt_clock),
                    first_live=first_live,
                )
            )

    def action_escalations(self) -> None:
        """``E`` on the queue, or the palette: the escalations that came up to my tier."""
        from screens.escalations import EscalationsScreen  # noqa: PLC0415 - loaded when first shown

        if not isinstance(self.screen, EscalationsScreen):
            agent = self.workspace.agent
            self.push_screen(EscalationsScreen(self.workspace.db, agent, self.desk))

    def action_help(self) -> None:
        from screens.help import HelpScreen  # noqa: PLC0415 - loaded when first asked for

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    @work(thread=True, exclusive=True, group="store-poll", exit_on_error=False)
    def _check_store(self) -> None:
        """Notice commits by other processes (sync, CLI) and tell every screen."""
        version = self.workspace.db.data_version()
        if version != self._data_version:
            self.call_from_thread(self._broadcast_store_changed)
        self._data_version = version

    def _broadcast_store_changed(self) -> None:
        for screen in self.screen_stack:
            screen.post_message(StoreChanged())


def binding_ids() -> set[str]:
    """Every binding id a keymap may name, from the app and its screens and widgets."""
    from screens.composer import ComposerScreen  # noqa: PLC0415 - the screens opened later
    from screens.confirm import ConfirmScreen  # noqa: PLC0415
    from screens.dashboard import DashboardScreen  # noqa: PLC0415
    from screens.escalate import EscalateScreen  # noqa: PLC0415
    from screens.escalations import EscalationsScreen, HandoffScreen  # noqa: PLC0415
    from screens.help import HelpScreen  # noqa: PLC0415
    from screens.macro_form import MacroFormScreen  # noqa: PLC0415
    from screens.macro_picker import MacroPickerScreen  # noqa: PLC0415
    from screens.macros import MacrosScreen  # noqa: PLC0415
    from screens.picker import PickerScreen  # noqa: PLC0415
    from screens.prompt import PromptScreen  # noqa: PLC0415
    from screens.ticket import TicketScreen  # noqa: PLC0415
    from widgets.search_bar import SearchBar  # noqa: PLC0415
    from widgets.thread_view import ThreadView  # noqa: PLC0415

    owners: list[type[DOMNode]] = [AgentDeskApp, QueueScreen, TicketScreen, HelpScreen]
    owners += [ComposerScreen, PickerScreen, PromptScreen, QueueTable, SearchBar, ThreadView]
    owners += [MacroPickerScreen, MacroFormScreen, MacrosScreen]
    owners += [ConfirmScreen]
    owners += [DashboardScreen]
    owners += [EscalateScreen, EscalationsScreen, HandoffScreen]
    return {
        binding.id
        for owner in owners
        for binding in owner.BINDINGS
        if isinstance(binding, Binding) and binding.id
    }


def make_app(workspace: Workspace, settings: Settings) -> AgentDeskApp:
    """The one factory the CLI, ``make run`` and the tests use."""
    return AgentDeskApp(workspace, settings)
