"""Which tables the change feed carries, and the SQL generated from that one list.

Every synced table is named once in :data:`storage.replication.SYNCED` (in dependency order: a row's
parents come first, so a client applying a backfill in feed order never meets a
dangling reference). Its columns are read from the live schema, so a column added
by a later migration is synced without touching this file; :attr:`TableSpec.omit`
names the few that stay local (a message's ``seq`` is the local FTS rowid).

From each spec come the hub-only triggers that append to ``change`` on every
insert, update and delete, the backfill of a store opened as a hub for the first
time, and the snapshot of a ticket's rows. A change row keeps the row's key as a
JSON object in ``entity_id`` and the row itself as a JSON object in ``payload``
(``null`` for a delete), so the feed can hand both out without parsing them.
This module writes SQLite's; :mod:`agentdesk.hub.feed_schema_pg` PostgreSQL's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from agentdesk.hub import feed_schema_pg
from storage.replication import BY_TABLE, SYNCED, TableSpec
from storage.sql import Connection, dialect_of

#: Epoch milliseconds in SQL (``unixepoch('subsec')`` needs SQLite 3.42).
_NOW_MS: Final = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
_TRIGGER_PREFIX: Final = "hub_feed_"


def columns(conn: Connection, spec: TableSpec) -> tuple[str, ...]:
    """The columns the feed sends for this table (generated columns are never listed)."""
    rows = conn.execute(f"PRAGMA table_info({spec.table})").fetchall()
    return tuple(row[1] for row in rows if row[1] not in spec.omit)


def _json(names: tuple[str, ...], alias: str) -> str:
    pairs = ", ".join(f"'{name}', {alias}.{name}" for name in names)
    return f"json_object({pairs})"


def key_json(spec: TableSpec, alias: str) -> str:
    """SQL for the row's key as a JSON object."""
    return _json(spec.key, alias)


def row_json(cols: tuple[str, ...], alias: str) -> str:
    """SQL for the row as a JSON object."""
    return _json(cols, alias)


def _trigger(spec: TableSpec, cols: tuple[str, ...], event: str) -> tuple[str, str]:
    name = f"{_TRIGGER_PREFIX}{spec.table}_{event[0].lower()}"
    row = "OLD" if event == "DELETE" else "NEW"
    op, payload = ("delete", "'null'") if event == "DELETE" else ("upsert", row_json(cols, row))
    sql = (
        f"CREATE TRIGGER {name} AFTER {event} ON {spec.table} BEGIN\n"
        "    INSERT INTO change (entity, entity_id, op, payload, at)\n"
        f"    VALUES ('{spec.table}', {key_json(spec, row)}, '{op}', {payload}, {_NOW_MS});\n"
        "END"
    )
    return name, sql


def triggers(conn: Connection) -> dict[str, str]:
    """Every feed trigger's name and ``CREATE TRIGGER`` statement for the live schema."""
    wanted: dict[str, str] = {}
    for spec in SYNCED:
        cols = columns(conn, spec)
        for event in ("INSERT", "UPDATE", "DELETE"):
            name, sql = _trigger(spec, cols, event)
            wanted[name] = sql
    return wanted


def install_triggers(conn: Connection) -> None:
    """Create the feed triggers, replacing any that no longer match the schema.

    Call inside a write transaction. Unchanged triggers are left alone, so opening
    a hub that is up to date changes nothing.
    """
    if dialect_of(conn) == "postgresql":
        feed_schema_pg.install_triggers(conn)
        return
    existing = dict(
        conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name LIKE ?",
            (f"{_TRIGGER_PREFIX}%",),
        ).fetchall()
    )
    wanted = triggers(conn)
    for name, sql in existing.items():
        if wanted.get(name) != sql:
            conn.execute(f"DROP TRIGGER {name}")
    for name, sql in wanted.items():
        if existing.get(name) != sql:
            conn.execute(sql)


def backfill(conn: Connection) -> None:
    """One upsert change per existing row, table by table in dependency order."""
    if dialect_of(conn) == "postgresql":
        feed_schema_pg.backfill(conn)
        return
    for spec in SYNCED:
        order = " ORDER BY t.rowid" if _has_rowid(conn, spec.table) else ""
        conn.execute(
            "INSERT INTO change (entity, entity_id, op, payload, at)"
            f" SELECT '{spec.table}', {key_json(spec, 't')}, 'upsert',"
            f" {row_json(columns(conn, spec), 't')}, {_NOW_MS} FROM {spec.table} AS t{order}"
        )


def _has_rowid(conn: Connection, table: str) -> bool:
    sql = conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
    return "WITHOUT ROWID" not in str(sql).upper()


def _json_sql(conn: Connection, spec: TableSpec, alias: str) -> tuple[str, str]:
    """SQL for the row's key and the row as JSON text, in the store's dialect."""
    if dialect_of(conn) == "postgresql":
        return feed_schema_pg.key_json(spec, alias), feed_schema_pg.row_json(conn, spec, alias)
    return key_json(spec, alias), row_json(columns(conn, spec), alias)


def rows_where(
    conn: Connection, table: str, where: str, params: tuple[object, ...]
) -> Iterator[tuple[str, str, str]]:
    """(entity, key JSON, row JSON) of the table's rows matching ``where`` (alias ``t``)."""
    key, row = _json_sql(conn, BY_TABLE[table], "t")
    cursor = conn.execute(f"SELECT {key}, {row} FROM {table} AS t WHERE {where}", params)
    for found_key, found_row in cursor:
        yield table, found_key, found_row
