"""Command palette provider: every view, every action of the current screen, help and quit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Final

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from agentdesk.app import AgentDeskApp

#: (palette title, action name, help) for screen actions, offered where the screen has them.
SCREEN_ACTIONS: Final = (
    ("Reply to the customer", "reply", "Write a public reply (r)"),
    ("Add an internal note", "note", "Write a note only agents see (n)"),
    ("Set status", "set_status", "new, open, pending, on-hold, solved, closed (s)"),
    ("Set priority", "set_priority", "low, normal, high, urgent (p)"),
    ("Take: assign to me", "assign_me", "Assign the ticket(s) to yourself (a)"),
    ("Assign to…", "assign_to", "Assign the ticket(s) to an agent (A)"),
    ("Edit tags", "tags", "Add or remove tags (t)"),
    ("Canned response…", "macro", "Reply with a macro, filled in for this ticket (c)"),
    ("Canned responses: manage macros", "macros", "List, create, edit, delete macros (M)"),
    ("Search", "search", "Search with the query language (/)"),
    ("Sort", "sort", "Sort the queue by a column (o)"),
    ("Save search as view", "save_view", "Keep the current search as a view (S)"),
    ("Show audit trail", "toggle_audit", "Who changed what on this ticket (h)"),
    ("Open the spike's tickets", "open_spike", "The tickets behind a volume spike (f)"),
    ("Link the spike's tickets to an incident", "link_spike", "All of them at once (I)"),
    ("Refresh the dashboard", "reload", "Count every panel again (r)"),
    ("Link to an incident", "link_incident", "Link the ticket(s) to an incident ticket (I)"),
    ("Merge into another ticket", "merge", "Merge a duplicate of the same requester (m)"),
    ("Solve incident with a macro", "solve_incident", "Reply to its tickets and solve (R)"),
    ("Escalate to a higher tier", "escalate", "Hand the ticket to tier 2 or 3 with a handoff (e)"),
    ("Dismiss refused changes", "dismiss_rejections", "The hub refused them; they stay logged (x)"),
)


class AgentDeskCommands(Provider):
    """Views ('View: Unassigned'), screen actions ('Set status') and app commands."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: AgentDeskApp = self.app  # type: ignore[assignment]
        screen = self.screen
        commands: list[tuple[str, Callable[[], object], str]] = [
            (
                f"View: {view.title}",
                partial(app.show_view, view.key),
                f"Show the {view.title} queue",
            )
            for view in app.views()
        ]
        commands += [
            (title, partial(screen.run_action, action), help_text)
            for title, action, help_text in SCREEN_ACTIONS
            if hasattr(screen, f"action_{action}")
        ]
        commands += [
            (
                "Dashboard: backlog, workload, 14-day metrics, spikes",
                app.action_dashboard,
                "The team lead's view (L)",
            ),
            (
                "Escalations",
                app.action_escalations,
                "Escalations waiting for your tier, by handoff SLA (E)",
            ),
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
