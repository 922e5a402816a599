"""The ticket screen's SLA line: the policy, then where each target stands.

The words carry the state ('met', 'missed', 'overdue 2h', 'due in 42m', 'paused'), so
the line reads the same without colour; colour only repeats it, with the queue's
at-risk window deciding yellow.
"""

from __future__ import annotations

from rich.text import Text

from agentdesk.domain.sla import Policy, SlaClocks, State, TargetClock, describe_clock, shown_clocks
from agentdesk.domain.text import one_line


def sla_line(policy: Policy, clocks: SlaClocks, now: int, window_ms: int) -> Text:
    """'SLA High · first reply met (12m/2h) · resolution due in 3d (2h/24h)'."""
    parts = [Text.assemble(("SLA ", "dim"), (one_line(policy.name), "bold"))]
    parts += [
        Text(describe_clock(clock, now), _style(clock, now, window_ms))
        for clock in shown_clocks(clocks)
    ]
    return Text(" · ").join(parts)


def _style(clock: TargetClock, now: int, window_ms: int) -> str:
    if clock.state is State.BREACHED:
        return "bold red"
    if clock.state is State.MET:
        return "green"
    if clock.state is State.PAUSED:
        return "dim"
    due_soon = clock.due_at is not None and clock.due_at - now <= window_ms
    return "bold yellow" if due_soon else ""
