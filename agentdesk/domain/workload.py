"""The live backlog, folded for the dashboard: by status and priority, by tier, by channel,
and per agent.

The store counts unsolved tickets once per combination of fields
(:func:`storage.metrics.open_cells`); every view here is a sum over those counts,
so the panels always add up to the same total.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from storage.metrics import OpenCell

_K = TypeVar("_K", bound=Hashable)


def totals(cells: Iterable[OpenCell], key: Callable[[OpenCell], _K]) -> dict[_K, int]:
    """Unsolved tickets per value of ``key`` (a status, a (status, priority) pair, a tier…)."""
    out: dict[_K, int] = {}
    for cell in cells:
        k = key(cell)
        out[k] = out.get(k, 0) + cell.count
    return out


@dataclass(frozen=True, slots=True)
class AgentLoad:
    """One agent's unsolved tickets: how many, and when the oldest was created."""

    agent_id: str
    open: int
    oldest_created_at: int


def workload(cells: Sequence[OpenCell]) -> list[AgentLoad]:
    """Every agent with unsolved tickets assigned, the busiest first (then oldest work)."""
    loads: dict[str, AgentLoad] = {}
    for cell in cells:
        if cell.assignee_id is None:
            continue
        seen = loads.get(cell.assignee_id)
        if seen is None:
            loads[cell.assignee_id] = AgentLoad(
                cell.assignee_id, cell.count, cell.oldest_created_at
            )
        else:
            loads[cell.assignee_id] = AgentLoad(
                cell.assignee_id,
                seen.open + cell.count,
                min(seen.oldest_created_at, cell.oldest_created_at),
            )
    return sorted(loads.values(), key=lambda a: (-a.open, a.oldest_created_at, a.agent_id))


def unassigned(cells: Iterable[OpenCell]) -> int:
    """Unsolved tickets nobody holds."""
    return sum(cell.count for cell in cells if cell.assignee_id is None)
