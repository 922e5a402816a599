"""Who may do what, by role: written once, judged by the Desk on the workstation and the hub.

An agent's ``tier`` is '1', '2' or '3' (the support tiers) or 'lead' / 'admin',
who may act at every tier. Rules take the tier text, not an agent row, so they
stay pure and trivially testable.
"""

from __future__ import annotations

from typing import Final

SUPPORT_TIERS: Final = ("1", "2", "3")
OVERSEERS: Final = frozenset({"lead", "admin"})
ROLES: Final = (*SUPPORT_TIERS, *sorted(OVERSEERS))


def is_overseer(tier: str) -> bool:
    """Leads and admins: they act at every tier."""
    return tier in OVERSEERS


def tier_number(tier: str) -> int | None:
    """1, 2 or 3 for a support tier; ``None`` for a lead or admin."""
    return int(tier) if tier in SUPPORT_TIERS else None


def works_at_tier(tier: str, ticket_tier: int) -> bool:
    """Whether the agent takes work at this tier: their own tier, or any for overseers."""
    return is_overseer(tier) or tier_number(tier) == ticket_tier


def sees_restricted(tier: str) -> bool:
    """Restricted internal notes: tier 3, leads and admins (and always their author)."""
    return tier == "3" or is_overseer(tier)


def manages_shared_macros(tier: str) -> bool:
    """Shared canned responses are curated by leads and admins; anyone keeps personal ones."""
    return is_overseer(tier)


def may_escalate(tier: str, ticket_tier: int) -> bool:
    """Escalating is for whoever holds the ticket's tier or a higher one (and overseers)."""
    number = tier_number(tier)
    return is_overseer(tier) or (number is not None and number >= ticket_tier)


def incoming_tiers(tier: str) -> tuple[int, ...]:
    """The tiers whose incoming escalations the agent works: their own, or all for overseers."""
    if is_overseer(tier):
        return (2, 3)
    number = tier_number(tier)
    return (number,) if number is not None and number > 1 else ()


def manages_sla_policies(tier: str) -> bool:
    """SLA policies bind the whole team: leads and admins set them."""
    return is_overseer(tier)


def administers_hub(tier: str) -> bool:
    """Agents, their tokens and the hub's channels are an admin's: they open the doors."""
    return tier == "admin"
