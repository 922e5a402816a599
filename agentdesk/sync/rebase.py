"""Replaying this workstation's pending mutations on top of rows just pulled from the hub.

The Desk applies an agent's action to the replica at once (optimistic) and
queues it in the outbox. A pull then overwrites the rows the hub changed,
which can undo such an action before the hub has seen it: the agent would see
their "solved" flip back to "open" for a moment. So after every pulled page
(in its transaction) the pending mutations of the tickets it touched are
judged again by the same planners as the Desk's and written on top —
Replicache's rebase.

Unlike :meth:`agentdesk.desk.Desk.apply`, a replay writes no outbox row and no
audit event (the pending mutation already is one, and the hub will record the
real event), and it is idempotent, because rows a pull never overwrites (our
own messages, escalations, notes) are still there:

* a message op whose message exists only re-applies its ticket columns;
* an effect that would insert a row that exists is skipped (savepoint);
* a refusal (the hub's state makes the action impossible or moot) skips it:
  the hub judges the mutation and, if it rejects it, the ticket is repaired.

Nothing here commits; the caller's transaction does.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Sequence
from functools import partial

from agentdesk.desk import PLANNERS, WORKSPACE_PLANNERS
from agentdesk.domain.workflow import Change, DeskError
from agentdesk.ops import sla as sla_ops
from agentdesk.ops.base import PlanContext
from storage.agents import AgentRow
from storage.sql import Connection
from storage.sync import OutboxRow, message_exists
from storage.writes import (
    WriteContext,
    add_tags,
    insert_message,
    remove_tags,
    ticket_state,
    update_ticket,
)


def rebase(conn: Connection, agent: AgentRow, pending: Sequence[OutboxRow], now: int) -> int:
    """Replay ``pending`` (oldest first) as ``agent``; returns how many wrote something."""
    moved_clocks: dict[str, None] = {}
    replayed = 0
    for row in pending:
        context = PlanContext(conn, agent, now)
        if row.ticket_id is None:
            wrote = _replay_workspace(context, row)
        else:
            wrote = _replay_ticket(context, row, row.ticket_id, moved_clocks)
        replayed += wrote
    sla_ops.refresh(conn, list(moved_clocks), now)
    return replayed


def _replay_ticket(
    context: PlanContext, row: OutboxRow, ticket_id: str, moved_clocks: dict[str, None]
) -> bool:
    conn = context.conn
    state = ticket_state(conn, ticket_id)
    planner = PLANNERS.get(row.op)
    if state is None or planner is None:
        return False
    try:
        change = planner(context, state, json.loads(row.args))
    except DeskError:
        return False
    if change.message is not None and message_exists(conn, change.message.id):
        # Applied here before: the message and the effects made with it are in place.
        change = dataclasses.replace(change, message=None, effects=())
    if change.message is not None:
        message = change.message
        insert_message(
            conn,
            message_id=message.id,
            ticket_id=ticket_id,
            kind=message.kind,
            body=message.body,
            author_agent_id=context.agent.id,
            restricted=message.restricted,
            at=row.at,
        )
    context_of_write = WriteContext(ticket_id, context.agent.id, context.now, row.mutation_id)
    written = _write_effects(conn, change, context_of_write)
    if not (
        written or change.message or change.columns or change.tags_added or change.tags_removed
    ):
        return False
    update_ticket(
        conn, ticket_id, base_version=state.version, columns=change.columns, at=context.now
    )
    add_tags(conn, ticket_id, change.tags_added)
    remove_tags(conn, ticket_id, change.tags_removed)
    if sla_ops.moves_clock(change):
        moved_clocks[ticket_id] = None
    return True


def _replay_workspace(context: PlanContext, row: OutboxRow) -> bool:
    planner = WORKSPACE_PLANNERS.get(row.op)
    if planner is None:
        return False
    try:
        change = planner(context, json.loads(row.args))
    except DeskError:
        return False
    conn = context.conn
    return sum(_once(conn, partial(effect.write, conn)) for effect in change.effects) > 0


def _write_effects(conn: Connection, change: Change, context: WriteContext) -> int:
    return sum(_once(conn, partial(effect.write, conn, context)) for effect in change.effects)


def _once(conn: Connection, write: Callable[[], None]) -> bool:
    """Run one effect's write; if its row is already there, undo it and report False."""
    conn.execute("SAVEPOINT replay_effect")
    try:
        write()
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK TO replay_effect")
        conn.execute("RELEASE replay_effect")
        return False
    conn.execute("RELEASE replay_effect")
    return True
