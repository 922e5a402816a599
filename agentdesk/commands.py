"""Command palette provider: every view and every app-level command, searchable."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from agentdesk.domain.views import BUILTIN_VIEWS

if TYPE_CHECKING:
    from agentdesk.app import AgentDeskApp


class AgentDeskCommands(Provider):
    """Views ('View: Unassigned') and actions ('Help', 'Quit')."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: AgentDeskApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, Callable[[], object], str]] = [
            (
                f"View: {view.title}",
                partial(app.show_view, view.key),
                f"Show the {view.title} queue",
            )
            for view in BUILTIN_VIEWS
        ]
        commands += [
            ("Help: keys of this screen", app.action_help, "Show every key of the current screen"),
            ("Quit agentdesk", app.action_quit, "Leave the app"),
        ]
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
