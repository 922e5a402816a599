"""``POST /v1/mutations``: a workstation's outbox, applied at most once each, in order.

Idempotency: a mutation is ``(client_id, seq)``. A client id is registered to the
agent that first pushes (or pulls) with it; another agent pushing with it gets
403. Mutations are judged in order; one with ``seq`` at or below the client's
``last_seq`` was judged before and gets its first result again, nothing applied.
Otherwise it is replayed through the hub's Desk acting as the caller
(:meth:`agentdesk.desk.Desk.replay`) and its result (``hub_mutation``) and the
client's ``last_seq`` are written in the same transaction as the change, so a
push retried after a dropped connection applies each mutation once.

The merge rule (also in the README):

* ``reply`` / ``note``: the thread is append-only; a message never conflicts and
  keeps the id the workstation gave it.
* ``add_tags`` / ``remove_tags``: tags merge as sets; a tag already added (or
  removed) counts as applied ("already so").
* Every other ticket op (``set_status``, ``set_priority``, ``assign``, escalation
  and incident/merge ops) is judged by the Desk's rules against the hub's
  current state. If it carries a ``base_version`` and someone else (another
  client, or the hub itself) changed the SAME field after the version the agent
  saw, it is rejected with code ``conflict`` and a reason naming who set what
  ("Ben Okafor set status to solved after your change was made; it is solved
  now"). A chain of offline edits by one client is judged against the version
  its first edit saw (:mod:`agentdesk.hub.conflict`).
* A Desk refusal rejects the mutation with the Desk's sentence (code from its
  class: ``forbidden``, ``not_found``, ``closed``, ``invalid``); ``NothingToChange``
  (the ticket already is as asked) is applied, with the sentence as its reason.
* Workspace ops (no ticket, e.g. macros) follow the Desk's workspace rules.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Annotated, Any, Final

from fastapi import APIRouter
from pydantic import BaseModel, Field

from agentdesk.desk import Applied, Desk, Recorded
from agentdesk.domain import timefmt
from agentdesk.domain.workflow import (
    DeskError,
    InactiveAgent,
    NothingToChange,
    NotPermitted,
    TicketClosed,
    UnknownAgent,
    UnknownGroup,
    UnknownTicket,
)
from agentdesk.hub.auth import Authenticated, Caller
from agentdesk.hub.body import NUL_REASON, holds_nul
from agentdesk.hub.conflict import Conflict, conflict_judge
from agentdesk.hub.context import Hub
from agentdesk.hub.errors import forbidden
from storage import hub as sql
from storage.sql import Connection, Store

MAX_BATCH: Final = 500
#: Mutations judged per hold of the hub's write lock.
WRITE_CHUNK: Final = 25

#: A refusal's code, by the class of the Desk's error (first match wins).
_CODES: Final[tuple[tuple[type[DeskError], str], ...]] = (
    (Conflict, "conflict"),
    (NotPermitted, "forbidden"),
    (InactiveAgent, "forbidden"),
    (UnknownTicket, "not_found"),
    (UnknownAgent, "not_found"),
    (UnknownGroup, "not_found"),
    (TicketClosed, "closed"),
)

router = APIRouter(tags=["sync"])


class Mutation(BaseModel):
    """One outbox row, as the workstation stored it."""

    seq: Annotated[int, Field(ge=1)]
    op: Annotated[str, Field(min_length=1, max_length=64)]
    ticket_id: str | None = None
    base_version: int | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    at: int


class MutationBatch(BaseModel):
    """A push: the workstation's id and its next mutations, in seq order."""

    client_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
    mutations: Annotated[list[Mutation], Field(max_length=MAX_BATCH)]


class Result(BaseModel):
    """How one mutation was judged."""

    seq: int
    status: str
    code: str | None
    reason: str | None


class PushAnswer(BaseModel):
    """Every mutation's result, and the client's last judged seq."""

    results: list[Result]
    last_seq: int


class _AlreadyJudged(Exception):
    """A concurrent repeat of the push judged this seq first: its result stands."""


def code_of(error: DeskError) -> str:
    """The result code of a Desk refusal."""
    return next((code for kind, code in _CODES if isinstance(error, kind)), "invalid")


def claim(db: Store, client_id: str, caller: Caller) -> sql.ClientRow:
    """The client, registered to the caller if new; 403 if it belongs to someone else."""
    with db.read() as conn:
        client = sql.client_row(conn, client_id)
    if client is None:
        with db.transaction() as conn:
            client = sql.claim_client(conn, client_id, caller.agent.id, at=timefmt.now_ms())
    if client.agent_id != caller.agent.id:
        raise forbidden(f"client {client_id} belongs to another agent; log in again on it")
    return client


def judge(db: Store, caller: Caller, client_id: str, mutation: Mutation) -> sql.MutationResult:
    """Apply or reject one mutation, once; a repeat returns the stored first result."""
    with db.read() as conn:
        stored = sql.stored_result(conn, client_id, mutation.seq)
        client = sql.client_row(conn, client_id)
    if stored is not None or (client is not None and mutation.seq <= client.last_seq):
        return stored or _lost(mutation.seq)
    if holds_nul([mutation.op, mutation.ticket_id, mutation.args]):
        reason = f"its text holds a {NUL_REASON}; nothing was changed"
        return _settle(db, client_id, mutation, _rejected_invalid(mutation, reason))
    now = timefmt.now_ms()
    applied = sql.MutationResult(mutation.seq, "applied", None, None)

    def record(conn: Connection, _result: Applied | Recorded) -> None:
        if not sql.record_result(conn, client_id, applied, op=mutation.op, at=now):
            raise _AlreadyJudged

    desk = Desk(db, caller.agent, clock=timefmt.now_ms)
    try:
        desk.replay(
            f"{client_id}:{mutation.seq}",
            mutation.op,
            mutation.ticket_id,
            mutation.args,
            judge=conflict_judge(client_id, mutation.base_version),
            record=record,
        )
    except _AlreadyJudged:
        return _stored(db, client_id, mutation.seq)
    except NothingToChange as exc:
        result = sql.MutationResult(mutation.seq, "applied", None, str(exc))
        return _settle(db, client_id, mutation, result)
    except DeskError as exc:
        result = sql.MutationResult(mutation.seq, "rejected", code_of(exc), str(exc))
        return _settle(db, client_id, mutation, result)
    except UnicodeEncodeError as exc:  # a "\ud800"-style escape: rolled back, like a refusal
        reason = f"its text is not Unicode ({exc.reason}); nothing was changed"
        return _settle(db, client_id, mutation, _rejected_invalid(mutation, reason))
    return applied


def _rejected_invalid(mutation: Mutation, reason: str) -> sql.MutationResult:
    return sql.MutationResult(mutation.seq, "rejected", "invalid", reason)


def _settle(
    db: Store, client_id: str, mutation: Mutation, result: sql.MutationResult
) -> sql.MutationResult:
    """Record a result that changed nothing else; a concurrent repeat's result wins."""
    with db.transaction() as conn:
        if sql.record_result(conn, client_id, result, op=mutation.op, at=timefmt.now_ms()):
            return result
    return _stored(db, client_id, mutation.seq)


def _stored(db: Store, client_id: str, seq: int) -> sql.MutationResult:
    with db.read() as conn:
        return sql.stored_result(conn, client_id, seq) or _lost(seq)


def _lost(seq: int) -> sql.MutationResult:
    """A seq below last_seq with no stored result: the client skipped it (never pushed)."""
    return sql.MutationResult(seq, "rejected", "skipped", "this mutation came after a later one")


def _last_seq(db: Store, client_id: str) -> int:
    with db.read() as conn:
        client = sql.client_row(conn, client_id)
    return 0 if client is None else client.last_seq


@router.post(
    "/v1/mutations",
    response_model=PushAnswer,
    summary="Push a batch of mutations (each applied at most once)",
)
async def push(batch: MutationBatch, caller: Authenticated, hub: Hub) -> PushAnswer:
    """Judge the batch in seq order; each mutation commits (or is refused) on its own.

    One transaction per mutation, and the write lock is let go every
    :data:`WRITE_CHUNK` mutations, so a webhook arriving meanwhile waits for a few
    mutations, not for 500; each chunk is one trip to a worker thread.
    """
    ordered = sorted(batch.mutations, key=lambda m: m.seq)
    results: list[Result] = []
    last_seq = 0
    for start in range(0, max(len(ordered), 1), WRITE_CHUNK):
        work = partial(
            _judge_chunk,
            caller=caller,
            client_id=batch.client_id,
            mutations=ordered[start : start + WRITE_CHUNK],
        )
        judged, last_seq = await hub.write(work)
        results += (Result(**dataclasses.asdict(result)) for result in judged)
    return PushAnswer(results=results, last_seq=last_seq)


def _judge_chunk(
    db: Store, caller: Caller, client_id: str, mutations: list[Mutation]
) -> tuple[list[sql.MutationResult], int]:
    """Claim the client, judge each mutation in turn; with the client's last judged seq."""
    claim(db, client_id, caller)
    judged = [judge(db, caller, client_id, mutation) for mutation in mutations]
    return judged, _last_seq(db, client_id)
