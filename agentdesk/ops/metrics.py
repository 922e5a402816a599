"""Handle sessions through the Desk: the time an agent spent on a ticket, for AHT.

Recording one is a mutation that is not about the ticket's fields (the ticket's
version and last update must not move when someone merely looks at it), so it is a
workspace mutation (:data:`WORKSPACE_PLANNERS`): one transaction with one audit event
and one outbox row, which the hub replays to count the whole team's handling time.
The session's id travels in its args, so a replay records it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from agentdesk.domain.handling import MAX_SESSION_MS
from agentdesk.domain.metrics import duration_text
from agentdesk.domain.workflow import InvalidValue
from agentdesk.ops.base import (
    PlanContext,
    WorkspaceChange,
    WorkspacePlanner,
    arg_int,
    arg_str,
    resolve_ticket,
)
from storage.metrics import insert_handle_session, ticket_number
from storage.sql import Connection


@dataclass(frozen=True, slots=True)
class SaveSession:
    """Insert the session's row."""

    session_id: str
    ticket_id: str
    agent_id: str
    started_at: int
    ended_at: int

    def write(self, conn: Connection) -> None:
        """Write the row (a replay of the same session writes nothing)."""
        insert_handle_session(
            conn,
            session_id=self.session_id,
            ticket_id=self.ticket_id,
            agent_id=self.agent_id,
            started_at=self.started_at,
            ended_at=self.ended_at,
        )


def plan_record_handling(context: PlanContext, args: Mapping[str, object]) -> WorkspaceChange:
    """Judge a session: a known ticket, and a span no longer than a session may be."""
    ticket_id = resolve_ticket(context.conn, arg_str(args, "ticket"))
    started, ended = arg_int(args, "started_at"), arg_int(args, "ended_at")
    if not 0 <= ended - started <= MAX_SESSION_MS:
        raise InvalidValue(
            f"a handle session lasts 0 to {MAX_SESSION_MS // 60_000} minutes; "
            f"got {started} to {ended}"
        )
    session_id = arg_str(args, "id")
    number = ticket_number(context.conn, ticket_id)
    return WorkspaceChange(
        op="record_handling",
        args={"id": session_id, "ticket": ticket_id, "started_at": started, "ended_at": ended},
        field="handle_session",
        old_value=None,
        new_value=f"#{number} {duration_text(ended - started)}",
        effects=(SaveSession(session_id, ticket_id, context.agent.id, started, ended),),
    )


WORKSPACE_PLANNERS: Final[Mapping[str, WorkspacePlanner]] = {
    "record_handling": plan_record_handling,
}
