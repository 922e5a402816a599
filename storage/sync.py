"""The replica side of sync in SQL: the outbox's states, the hub cursor, feed rows.

A workstation's store is a replica of the hub's: rows arrive as feed changes
(an upsert of a whole row, or a delete by key) and are written here in the
caller's transaction, together with the cursor they advance, so a crash never
leaves rows without their cursor or a cursor ahead of its rows. Writes are
grouped by table and sent with ``executemany``, since the first sync of a
large team copies millions of rows.

Only the tables in :data:`REPLICATED` can be written from the feed: a hub (or
anything pretending to be one) can never touch the outbox, drafts, settings or
the cursor. Columns are checked against the local table, and columns this
replica must own (``message.seq``, the rowid its search index points at) are
never written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Final

from storage.replication import BY_TABLE, SYNCED
from storage.sql import Connection

#: Feed entities a replica stores: the hub's tables of the same names.
REPLICATED: Final = frozenset(BY_TABLE)
#: Columns the replica keeps for itself whatever the feed says.
LOCAL_COLUMNS: Final[Mapping[str, frozenset[str]]] = {
    spec.table: frozenset(spec.omit) for spec in SYNCED if spec.omit
}
#: Entities whose rows belong to one ticket, through ``ticket_id``.
TICKET_SCOPED: Final = frozenset(spec.table for spec in SYNCED if spec.per_ticket)
HUB_CURSOR: Final = "hub"


class FeedError(ValueError):
    """A feed change this replica cannot store (unknown table, column or key)."""


# --------------------------------------------------------------------------- outbox


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A mutation waiting for the hub: ``args`` is its JSON text, as written by the Desk."""

    seq: int
    client_id: str
    op: str
    ticket_id: str | None
    base_version: int | None
    args: str
    at: int

    @property
    def mutation_id(self) -> str:
        """The id the hub and the audit trail know the mutation by: ``client_id:seq``."""
        return f"{self.client_id}:{self.seq}"


_OUTBOX_SELECT: Final = "SELECT seq, client_id, op, ticket_id, base_version, args, at FROM outbox"


def pending_mutations(conn: Connection, *, after: int = 0, limit: int = 200) -> list[OutboxRow]:
    """Pending mutations with ``seq > after``, oldest first (the order the hub applies)."""
    rows = conn.execute(
        f"{_OUTBOX_SELECT} WHERE state = 'pending' AND seq > ? ORDER BY seq LIMIT ?",
        (after, limit),
    ).fetchall()
    return [OutboxRow(*row) for row in rows]


def pending_of_tickets(
    conn: Connection, ticket_ids: Iterable[str], *, after: int
) -> list[OutboxRow]:
    """Pending mutations on these tickets with ``seq > after``, oldest first."""
    ids = list(dict.fromkeys(ticket_ids))
    found: list[OutboxRow] = []
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        found += [
            OutboxRow(*row)
            for row in conn.execute(
                f"{_OUTBOX_SELECT} WHERE ticket_id IN ({marks}) AND state = 'pending' AND seq > ?",
                (*chunk, after),
            )
        ]
    return sorted(found, key=lambda row: row.seq)


def pending_workspace(conn: Connection, *, after: int) -> list[OutboxRow]:
    """Pending mutations that are not about a ticket (macros, policies), oldest first."""
    rows = conn.execute(
        f"{_OUTBOX_SELECT} WHERE ticket_id IS NULL AND state = 'pending' AND seq > ? ORDER BY seq",
        (after,),
    ).fetchall()
    return [OutboxRow(*row) for row in rows]


def pending_count(conn: Connection) -> int:
    """How many mutations wait for the hub."""
    return int(conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])


def mark_applied(conn: Connection, seqs: Iterable[int]) -> None:
    """The hub applied these mutations (or had already: a repeat)."""
    conn.executemany(
        "UPDATE outbox SET state = 'applied', error = NULL WHERE seq = ?",
        [(seq,) for seq in seqs],
    )


def mark_rejected(conn: Connection, seq: int, error: str) -> None:
    """The hub refused this mutation; ``error`` ("code: reason") tells the agent why."""
    conn.execute("UPDATE outbox SET state = 'rejected', error = ? WHERE seq = ?", (error, seq))


# --------------------------------------------------------------------------- cursor


def get_cursor(conn: Connection, channel: str = HUB_CURSOR) -> int:
    """The last feed seq stored for ``channel`` (0 before the first pull)."""
    row = conn.execute("SELECT cursor FROM sync_cursor WHERE channel = ?", (channel,)).fetchone()
    return 0 if row is None else int(row[0])


def set_cursor(conn: Connection, value: int, at: int, channel: str = HUB_CURSOR) -> None:
    """Advance the cursor; call in the transaction that stored the rows it covers."""
    conn.execute(
        "INSERT INTO sync_cursor (channel, cursor, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (channel) DO UPDATE SET cursor = excluded.cursor,"
        " updated_at = excluded.updated_at",
        (channel, str(value), at),
    )


# --------------------------------------------------------------------------- feed rows


class RowWriter:
    """Writes feed rows to one replica connection, caching each statement it builds.

    Statements are built from the table's own column list (``PRAGMA table_info``),
    so a column name from the feed is only ever used if the table has it.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._columns: dict[str, tuple[str, ...]] = {}
        self._statements: dict[
            tuple[str, tuple[str, ...], tuple[str, ...]], tuple[str | None, str]
        ] = {}

    def columns(self, table: str) -> tuple[str, ...]:
        """The table's writable columns (generated and replica-owned ones left out)."""
        if table not in REPLICATED:
            raise FeedError(f"the feed may not write table {table!r}")
        found = self._columns.get(table)
        if found is None:
            local = LOCAL_COLUMNS.get(table, frozenset())
            found = tuple(
                name
                for (_, name, *_rest) in self.conn.execute(f'PRAGMA table_info("{table}")')
                if name not in local
            )
            self._columns[table] = found
        return found

    def upsert(self, table: str, keys: Sequence[str], rows: Sequence[Mapping[str, object]]) -> None:
        """Insert or update whole rows, matched on ``keys``; every row has the same columns.

        Two statements rather than one ``INSERT ... ON CONFLICT DO UPDATE``: an
        upsert's own conflict handling overrides the ``INSERT OR IGNORE`` of the
        triggers it fires (``ticket_status_change_au``), which would then fail.
        New rows are inserted first, then existing ones updated (in the batch's
        order, so the last version of a row wins), only if there were any: a
        first sync inserts only. An update that would change nothing is
        skipped, so unchanged rows fire no trigger at all.
        """
        if not rows:
            return
        known = self.columns(table)
        columns = tuple(name for name in rows[0] if name in known)
        update, insert = self._upsert_sql(table, tuple(keys), columns)
        if len(columns) == 1:
            values = [(row.get(columns[0]),) for row in rows]
        else:
            values = list(map(itemgetter(*columns), rows))  # the caller grouped rows by columns
        inserted = self.conn.executemany(insert, values).rowcount
        if update and inserted < len(values):  # some rows existed: bring them up to date
            self.conn.executemany(update, values)

    def delete(self, table: str, keys: Sequence[str], values: Sequence[Sequence[object]]) -> None:
        """Delete rows by key."""
        if not values:
            return
        self._check_keys(table, keys)
        where = " AND ".join(f'"{name}" = ?' for name in keys)
        self.conn.executemany(f'DELETE FROM "{table}" WHERE {where}', values)

    def _upsert_sql(
        self, table: str, keys: tuple[str, ...], columns: tuple[str, ...]
    ) -> tuple[str | None, str]:
        """(UPDATE of changed rows or None, INSERT of new rows), with ``?N`` = the Nth column."""
        cache_key = (table, keys, columns)
        found = self._statements.get(cache_key)
        if found is not None:
            return found
        self._check_keys(table, keys)
        if not set(keys) <= set(columns):
            raise FeedError(f"{table} rows must carry their key columns {', '.join(keys)}")
        mark = {name: f"?{position}" for position, name in enumerate(columns, start=1)}
        others = [name for name in columns if name not in keys]
        update = None
        if others:
            sets = ", ".join(f'"{name}" = {mark[name]}' for name in others)
            match = " AND ".join(f'"{name}" = {mark[name]}' for name in keys)
            old = ", ".join(f'"{name}"' for name in others)
            new = ", ".join(mark[name] for name in others)
            update = f'UPDATE "{table}" SET {sets} WHERE {match} AND ({old}) IS NOT ({new})'
        names = ", ".join(f'"{name}"' for name in columns)
        target = ", ".join(f'"{name}"' for name in keys)
        insert = (
            f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(mark.values())})'
            f" ON CONFLICT ({target}) DO NOTHING"
        )
        self._statements[cache_key] = (update, insert)
        return update, insert

    def _check_keys(self, table: str, keys: Sequence[str]) -> None:
        known = self.columns(table)
        if not keys or any(name not in known for name in keys):
            raise FeedError(f"{table} has no key ({', '.join(keys)})")


def drop_optimistic_audit(
    conn: Connection, hub_events: Iterable[tuple[str | None, str, str]]
) -> None:
    """Delete this replica's own audit events that the hub's events replace.

    The Desk records an audit event when the agent acts; the hub records its own
    (another id, same ``mutation_id``) when it applies the mutation. Each
    ``(ticket_id, mutation_id, hub_event_id)`` keeps only the hub's event.
    """
    conn.executemany(
        "DELETE FROM audit_event WHERE ticket_id IS ? AND mutation_id = ? AND id <> ?",
        list(hub_events),
    )


def drop_mutation_audit(conn: Connection, ticket_id: str | None, mutation_id: str) -> None:
    """Delete the audit events of a mutation the hub refused (it never happened)."""
    conn.execute(
        "DELETE FROM audit_event WHERE ticket_id IS ? AND mutation_id = ?",
        (ticket_id, mutation_id),
    )


def delete_ticket_rows_except(
    conn: Connection, table: str, ticket_id: str, key: str, keep: Iterable[object]
) -> int:
    """Delete the ticket's rows of ``table`` whose ``key`` is not in ``keep``; returns how many.

    Repairs a ticket from the hub's snapshot: what the hub does not have (and no
    pending mutation made) must not stay on the replica.
    """
    if table not in TICKET_SCOPED:
        raise FeedError(f"{table} rows do not belong to a ticket")
    kept = set(keep)
    doomed = [
        (value,)
        for (value,) in conn.execute(
            f'SELECT "{key}" FROM "{table}" WHERE ticket_id = ?', (ticket_id,)
        )
        if value not in kept
    ]
    conn.executemany(
        f'DELETE FROM "{table}" WHERE ticket_id = ? AND "{key}" = ?',
        [(ticket_id, value) for (value,) in doomed],
    )
    return len(doomed)


def has_tickets(conn: Connection) -> bool:
    """Whether the store holds any ticket (login refuses tickets from elsewhere)."""
    return conn.execute("SELECT 1 FROM ticket LIMIT 1").fetchone() is not None


def message_exists(conn: Connection, message_id: str) -> bool:
    """Whether the replica already holds this message (a replayed reply is not re-added)."""
    return conn.execute("SELECT 1 FROM message WHERE id = ?", (message_id,)).fetchone() is not None


def _chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
