"""Recording the hub's verdicts on pushed mutations, so that nothing is dropped silently.

An applied mutation leaves the outbox (state ``applied``). A rejected one stays
in it as ``rejected`` with "code: reason", which the ticket screen lists; its
optimistic audit event goes (it never happened), and the words of a rejected
reply or note come back as the agent's draft on that ticket, unless they are
already writing another one. The ticket itself is then repaired from the hub
(:func:`agentdesk.sync.apply.apply_snapshot`), which the caller does with the
ticket ids returned here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Final

from agentdesk.sync.apply import transaction
from agentdesk.sync.wire import REJECTED, PushAnswer
from storage.agents import agent_by_email
from storage.database import Database
from storage.ids import new_ulid
from storage.sync import OutboxRow, drop_mutation_audit, mark_applied, mark_rejected
from storage.writes import get_draft, upsert_draft

#: Ops whose ``body`` is the agent's words, and the draft kind they return to.
DRAFT_KIND: Final = {"reply": "public", "note": "internal"}


def record_results(
    db: Database, rows: Sequence[OutboxRow], answer: PushAnswer, *, agent_email: str, now: int
) -> list[str]:
    """Mark each pushed row applied or rejected, in ONE transaction.

    Returns:
        The tickets with a rejected mutation, to repair from the hub.
    """
    by_seq = {row.seq: row for row in rows}
    rejected = [
        (by_seq[result.seq], result.error)
        for result in answer.results
        if result.status == REJECTED and result.seq in by_seq
    ]
    with transaction(db) as conn:
        mark_applied(
            conn, [r.seq for r in answer.results if r.status != REJECTED and r.seq in by_seq]
        )
        for row, error in rejected:
            mark_rejected(conn, row.seq, error)
            drop_mutation_audit(conn, row.ticket_id, row.mutation_id)
            _restore_draft(conn, row, agent_email, now)
    return list(dict.fromkeys(row.ticket_id for row, _ in rejected if row.ticket_id))


def _restore_draft(conn: sqlite3.Connection, row: OutboxRow, agent_email: str, now: int) -> None:
    """Give a rejected reply's or note's words back as a draft, if the agent has none."""
    kind = DRAFT_KIND.get(row.op)
    if kind is None or row.ticket_id is None:
        return
    body = json.loads(row.args).get("body")
    agent = agent_by_email(conn, agent_email)
    if not isinstance(body, str) or agent is None:
        return
    if get_draft(conn, row.ticket_id, agent.id, kind) is None:
        upsert_draft(
            conn,
            draft_id=new_ulid(now),
            ticket_id=row.ticket_id,
            agent_id=agent.id,
            kind=kind,
            body=body,
            at=now,
        )
