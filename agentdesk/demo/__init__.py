"""A deterministic demo workspace, so the desk can be tried (and tested) without real data.

``generate_workspace`` fills an empty store with agents, customers, SLA policies,
canned responses and as many realistic tickets as asked for; the same
``(tickets, seed, now_ms)`` always gives the same rows.
"""

from __future__ import annotations

from agentdesk.demo.generate import DemoSummary, generate_workspace
from agentdesk.demo.people import AGENTS, DEFAULT_AGENT_EMAIL, GROUPS, DemoAgent, DemoGroup

__all__ = [
    "AGENTS",
    "DEFAULT_AGENT_EMAIL",
    "GROUPS",
    "DemoAgent",
    "DemoGroup",
    "DemoSummary",
    "generate_workspace",
]
