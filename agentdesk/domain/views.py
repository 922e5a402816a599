"""Built-in queue views, and which one an agent sees first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from agentdesk.domain import timefmt
from storage.agents import AgentRow
from storage.queue import QueueQuery, TicketFilter, sla_due_before

MINUTE_MS: Final = 60_000
#: The at-risk window when the config does not set ``sla_at_risk_minutes``.
DEFAULT_SLA_AT_RISK_MINUTES: Final = 60


@dataclass(frozen=True)
class View:
    """A named queue: a query that may depend on who is looking."""

    key: str
    title: str
    build: Callable[[AgentRow], QueueQuery]

    def query(self, agent: AgentRow) -> QueueQuery:
        """The query this view runs for ``agent``."""
        return self.build(agent)


def tier_number(agent: AgentRow) -> int | None:
    """The numeric tier of an agent, or ``None`` for leads and admins."""
    return int(agent.tier) if agent.tier.isdigit() else None


def sla_at_risk_view(window_minutes: int = DEFAULT_SLA_AT_RISK_MINUTES) -> View:
    """Every ticket whose next SLA target is breached or due within the window, the next
    due first (the longest overdue on top). The window is measured from when the view is
    read; it is one range of the SLA order, so a page costs the same at any store size."""

    def build(_agent: AgentRow) -> QueueQuery:
        limit = timefmt.now_ms() + window_minutes * MINUTE_MS
        at_risk = TicketFilter(sla=(sla_due_before(limit + 1),))
        return QueueQuery(at_risk, sort="sla", descending=False)

    return View("sla-at-risk", "SLA at risk", build)


def builtin_views(sla_at_risk_minutes: int = DEFAULT_SLA_AT_RISK_MINUTES) -> tuple[View, ...]:
    """The built-in views, keys 1-7, with the configured at-risk window."""
    return (*_FIXED_VIEWS, sla_at_risk_view(sla_at_risk_minutes))


_FIXED_VIEWS: Final[tuple[View, ...]] = (
    View("my-open", "My open", lambda a: QueueQuery(TicketFilter(unsolved=True, assignee_id=a.id))),
    View(
        "unassigned",
        "Unassigned",
        lambda a: QueueQuery(TicketFilter(unsolved=True, unassigned=True)),
    ),
    View(
        "my-tier", "My tier", lambda a: QueueQuery(TicketFilter(unsolved=True, tier=tier_number(a)))
    ),
    View("all-open", "All open", lambda a: QueueQuery(TicketFilter(unsolved=True))),
    View("pending", "Pending", lambda a: QueueQuery(TicketFilter(statuses=("pending",)))),
    View(
        "recently-solved",
        "Recently solved",
        lambda a: QueueQuery(TicketFilter(unsolved=False)),
    ),
)
BUILTIN_VIEWS: Final = builtin_views()
VIEWS_BY_KEY: Final = {view.key: view for view in BUILTIN_VIEWS}


def saved_view(name: str, query_text: str) -> View:
    """A view from a saved search (compiled for whoever looks at it)."""
    from agentdesk.domain.query import compile_query  # noqa: PLC0415 - only saved views need it

    return View(f"saved:{name}", name, lambda a: compile_query(query_text, a))


def default_view(agent: AgentRow) -> View:
    """Tier agents start on their tier's queue; leads and admins on everything open."""
    return VIEWS_BY_KEY["my-tier" if tier_number(agent) is not None else "all-open"]
