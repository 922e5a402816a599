"""AgentDeskApp: screens, global keys, the command palette and store-change polling."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from agentdesk.commands import AgentDeskCommands
from agentdesk.config import Settings
from agentdesk.domain.views import View, default_view
from agentdesk.workspace import Workspace
from screens.events import StoreChanged
from screens.queue import QueueScreen
from widgets.queue_table import QueueTable
from widgets.queue_window import QueueWindow
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Desk

STORE_POLL_SECONDS = 1.0


class AgentDeskApp(App[None], NotifyWorkerErrors):
    """The workstation. Build it with :func:`make_app` so tests never read a user's config."""

    TITLE = "agentdesk"
    COMMANDS = App.COMMANDS | {AgentDeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette"),
    ]

    def __init__(self, workspace: Workspace, settings: Settings) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings
        agent = workspace.agent
        self.first_view = default_view(agent)
        # Read the first window before the event loop starts, so the very first frame
        # already shows tickets (milliseconds even at a million rows; the loop is not running).
        self._first_page = QueueWindow(workspace.db, self.first_view.query(agent)).load(0, 0)
        self._data_version = 0

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
        agent = self.workspace.agent
        self.push_screen(
            QueueScreen(self.workspace.db, agent, self.first_view, first_page=self._first_page)
        )
        # The baseline is taken now (a sub-millisecond PRAGMA), so a commit made by
        # another process before the first poll is still noticed.
        self._data_version = self.workspace.db.data_version()
        self.set_interval(STORE_POLL_SECONDS, self._check_store)

    def _queue_screen(self) -> QueueScreen | None:
        queues = [screen for screen in self.screen_stack if isinstance(screen, QueueScreen)]
        return queues[0] if queues else None

    def views(self) -> list[View]:
        """The views the queue offers (built-in and saved)."""
        queue = self._queue_screen()
        return queue.views if queue is not None else []

    def show_view(self, key: str) -> None:
        """Go back to the queue and switch it to view ``key`` (from the palette)."""
        queue = self._queue_screen()
        if queue is None:
            return
        while self.screen is not queue:
            self.pop_screen()
        for view in queue.views:
            if view.key == key:
                queue.show_view(view)

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
    from screens.help import HelpScreen  # noqa: PLC0415
    from screens.picker import PickerScreen  # noqa: PLC0415
    from screens.prompt import PromptScreen  # noqa: PLC0415
    from screens.ticket import TicketScreen  # noqa: PLC0415
    from widgets.search_bar import SearchBar  # noqa: PLC0415
    from widgets.thread_view import ThreadView  # noqa: PLC0415

    owners: list[type[DOMNode]] = [AgentDeskApp, QueueScreen, TicketScreen, HelpScreen]
    owners += [ComposerScreen, PickerScreen, PromptScreen, QueueTable, SearchBar, ThreadView]
    return {
        binding.id
        for owner in owners
        for binding in owner.BINDINGS
        if isinstance(binding, Binding) and binding.id
    }


def make_app(workspace: Workspace, settings: Settings) -> AgentDeskApp:
    """The one factory the CLI, ``make run`` and the tests use."""
    return AgentDeskApp(workspace, settings)
