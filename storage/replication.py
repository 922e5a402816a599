"""The tables a hub and its replicas share: one list, read by both sides.

The hub's change feed carries these tables (``agentdesk.hub.feed_schema`` makes
its triggers, backfill and snapshots from them) and a replica writes nothing
else from the feed (``storage.sync``). Parents come before children, so rows
applied in feed order never meet a dangling reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A synced table: its key columns and the columns that never leave a store."""

    table: str
    key: tuple[str, ...]
    #: Kept by each store for itself (a message's ``seq`` is the local FTS rowid).
    omit: tuple[str, ...] = ()
    #: Whether its rows belong to one ticket, through ``ticket_id``.
    per_ticket: bool = False


#: The feed's tables, parents before children.
SYNCED: Final = (
    TableSpec("customer", ("id",)),
    TableSpec("agent", ("id",)),
    TableSpec("agent_group", ("id",)),
    TableSpec("agent_group_member", ("agent_id", "group_id")),
    TableSpec("sla_policy", ("id",)),
    TableSpec("ticket", ("id",)),
    TableSpec("ticket_tag", ("ticket_id", "tag"), per_ticket=True),
    TableSpec("message", ("id",), omit=("seq",), per_ticket=True),
    TableSpec("macro", ("id",)),
    TableSpec("escalation", ("id",), per_ticket=True),
    TableSpec("audit_event", ("id",), per_ticket=True),
    TableSpec("survey_answer", ("id",), per_ticket=True),
    TableSpec("handle_session", ("id",), per_ticket=True),
    TableSpec("sla_clock", ("ticket_id", "target", "cycle"), per_ticket=True),
    TableSpec("ticket_status_change", ("ticket_id", "at", "status"), per_ticket=True),
)
BY_TABLE: Final = {spec.table: spec for spec in SYNCED}
