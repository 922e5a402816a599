"""Storing what the hub sends: a pulled page, or a ticket's snapshot after a rejection.

Each is ONE transaction: the rows, the cursor they advance (for a page), and
the replay of this workstation's pending mutations on top
(:mod:`agentdesk.sync.rebase`). The TUI, on its own connection, therefore sees
either the state before or the state after, never rows without the agent's
pending actions. Foreign keys are checked at commit, since a page may name a
parent row later in the same page (an incident after its linked tickets).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Final

from agentdesk.sync.rebase import rebase
from agentdesk.sync.wire import FeedChange, Page
from storage.agents import agent_by_email, get_setting
from storage.database import Database
from storage.errors import StoreError
from storage.sync import (
    TICKET_SCOPED,
    OutboxRow,
    RowWriter,
    delete_ticket_rows_except,
    drop_optimistic_audit,
    pending_of_tickets,
    pending_workspace,
    set_cursor,
)

#: Outbox args naming rows a pending mutation made (kept when a ticket is repaired).
_MADE_ROW_ARGS: Final = ("message_id", "escalation_id")


@dataclass
class Touched:
    """What a batch of changes wrote: ticket ids (for replays) and other rows' ids."""

    rows: int = 0
    tickets: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PageApplied:
    """A stored page: how many changes, the new cursor, how many pending actions replayed."""

    rows: int
    cursor: int
    replayed: int


def apply_page(db: Database, page: Page, *, agent_email: str, now: int) -> PageApplied:
    """Store a pulled page, its cursor and the replay of pending actions, in ONE transaction."""
    with transaction(db) as conn:
        return store_page(conn, page, agent_email=agent_email, now=now)


def store_page(conn: sqlite3.Connection, page: Page, *, agent_email: str, now: int) -> PageApplied:
    """Write a page's rows and cursor and replay pending actions, in the caller's transaction.

    Mutations the hub has judged (``seq <= page.last_seq``) are not replayed: the
    hub's rows already hold them. They stay pending until the next push brings
    their result, so a rejection is never mistaken for an acceptance.
    """
    touched = write_changes(conn, page.changes)
    set_cursor(conn, page.next, now)
    pending = pending_of_tickets(conn, touched.tickets, after=page.last_seq)
    pending += [
        row for row in pending_workspace(conn, after=page.last_seq) if _named_id(row) in touched.ids
    ]
    replayed = _replay(conn, agent_email, pending, now)
    return PageApplied(touched.rows, page.next, replayed)


def apply_snapshot(
    db: Database, ticket_id: str, changes: Sequence[FeedChange], *, agent_email: str, now: int
) -> None:
    """Make the replica's ticket what the hub says it is, then replay pending actions on it.

    The ticket's tags, messages and escalations that the snapshot lacks are
    deleted, except those a pending mutation made; then the pending mutations
    are replayed, so what remains is the hub's ticket plus the agent's
    unconfirmed actions.
    """
    with transaction(db) as conn:
        write_changes(conn, changes)
        pending = pending_of_tickets(conn, [ticket_id], after=0)
        made = {value for row in pending for value in _made_rows(row)}
        for table, key in (("message", "id"), ("escalation", "id"), ("ticket_tag", "tag")):
            listed = {change.key.get(key) for change in changes if change.entity == table}
            delete_ticket_rows_except(conn, table, ticket_id, key, listed | made)
        _replay(conn, agent_email, pending, now)


def write_changes(conn: sqlite3.Connection, changes: Sequence[FeedChange]) -> Touched:
    """Write feed changes in feed order, each run of like changes as one ``executemany``.

    Feed order is the hub's commit order, so applying it as is needs no merging;
    a backfill is long runs of one table, which is what makes the first sync
    fast. The replica's own audit event of a mutation gives way to the hub's.

    Raises:
        FeedError: a change names a table or column the replica does not take.
    """
    conn.execute("PRAGMA defer_foreign_keys = ON")
    writer = RowWriter(conn)
    touched = Touched(rows=len(changes))
    prefix = f"{get_setting(conn, 'client_id')}:"
    for (entity, op, keys, _), run in groupby(changes, key=_run_key):
        batch = list(run)
        _note_touched(touched, entity, batch)
        if op == "delete":
            writer.delete(entity, keys, [tuple(change.key.values()) for change in batch])
            continue
        rows = [change.row for change in batch if change.row is not None]
        writer.upsert(entity, keys, rows)
        if entity == "audit_event":
            drop_optimistic_audit(conn, _hub_events_of(rows, prefix))
    return touched


def _run_key(change: FeedChange) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Changes with equal keys can share one statement: same table, op and columns."""
    columns = () if change.row is None else tuple(change.row)
    return change.entity, change.op, tuple(change.key), columns


def _note_touched(touched: Touched, entity: str, batch: Sequence[FeedChange]) -> None:
    """Remember the tickets (and other rows) a run wrote, for the replay of pending actions."""
    if entity == "ticket":
        touched.tickets.update(str(change.key.get("id")) for change in batch)
    elif entity in TICKET_SCOPED:
        touched.tickets.update(
            str(source["ticket_id"])
            for change in batch
            if "ticket_id" in (source := change.row if change.row is not None else change.key)
        )
    else:
        touched.ids.update(str(change.key["id"]) for change in batch if "id" in change.key)


def _hub_events_of(
    rows: Iterable[Mapping[str, Any]], prefix: str
) -> Iterator[tuple[str | None, str, str]]:
    """(ticket, mutation, event id) of the hub's audit events for this client's mutations."""
    for row in rows:
        mutation = row.get("mutation_id")
        if isinstance(mutation, str) and mutation.startswith(prefix):
            yield row.get("ticket_id"), mutation, str(row["id"])


def _replay(
    conn: sqlite3.Connection, agent_email: str, pending: Sequence[OutboxRow], now: int
) -> int:
    if not pending:
        return 0
    agent = agent_by_email(conn, agent_email)
    return 0 if agent is None else rebase(conn, agent, pending, now)


def _args(row: OutboxRow) -> dict[str, object]:
    args = json.loads(row.args)
    return args if isinstance(args, dict) else {}


def _named_id(row: OutboxRow) -> str | None:
    """The row a workspace mutation is about (a macro's id), if it names one."""
    value = _args(row).get("id")
    return value if isinstance(value, str) else None


def _made_rows(row: OutboxRow) -> list[str]:
    """Ids of rows (a reply, an escalation) the mutation made on its ticket."""
    args = _args(row)
    return [value for key in _MADE_ROW_ARGS if isinstance(value := args.get(key), str)]


@contextmanager
def transaction(db: Database) -> Iterator[sqlite3.Connection]:
    """A write transaction on the engine's connection; a store failure is a StoreError."""
    try:
        with db.transaction() as conn:
            yield conn
    except sqlite3.Error as exc:
        raise StoreError(f"{db.path}: {exc}") from exc
