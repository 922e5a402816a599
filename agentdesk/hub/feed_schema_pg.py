"""The change feed's SQL on PostgreSQL: one trigger function serves every table.

:mod:`agentdesk.hub.feed_schema` lists a trigger per table and event for SQLite;
PostgreSQL passes the table's key and omitted columns to one PL/pgSQL function
as trigger arguments and builds the row's JSON with ``to_jsonb``, so a column
added by a later migration is synced with no change here either. The JSON has
the same fields as SQLite's (key order aside, which JSON readers ignore).
"""

from __future__ import annotations

from typing import Final

from storage.replication import SYNCED, TableSpec
from storage.sql import Connection

_NOW_MS: Final = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

_FUNCTION: Final = f"""CREATE OR REPLACE FUNCTION hub_feed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
    k jsonb;
BEGIN
    SELECT jsonb_object_agg(name, r -> name) INTO k FROM unnest(TG_ARGV[0]::text[]) AS name;
    INSERT INTO change (entity, entity_id, op, payload, at) VALUES (
        TG_TABLE_NAME, k::text,
        CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END,
        CASE WHEN TG_OP = 'DELETE' THEN 'null' ELSE (r - TG_ARGV[1]::text[])::text END,
        {_NOW_MS});
    RETURN NULL;
END $$"""


def _array(names: tuple[str, ...]) -> str:
    """A PostgreSQL text-array literal (our column names need no quoting)."""
    return "{" + ",".join(names) + "}"


def omitted(conn: Connection, spec: TableSpec) -> tuple[str, ...]:
    """The columns the feed leaves out: the spec's, and the computed ones.

    Generated columns are never written; an ``ALWAYS`` identity is the ``rowid``
    PostgreSQL keeps where SQLite's implicit one orders ties (``storage.pg_schema``).
    """
    generated = conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?"
        " AND (is_generated = 'ALWAYS' OR identity_generation = 'ALWAYS')",
        (spec.table,),
    ).fetchall()
    return (*spec.omit, *(row[0] for row in generated))


def key_json(spec: TableSpec, alias: str) -> str:
    """SQL for the row's key as JSON text."""
    pairs = ", ".join(f"'{name}', {alias}.{name}" for name in spec.key)
    return f"jsonb_build_object({pairs})::text"


def row_json(conn: Connection, spec: TableSpec, alias: str) -> str:
    """SQL for the row as JSON text, without the omitted columns."""
    return f"(to_jsonb({alias}) - '{_array(omitted(conn, spec))}'::text[])::text"


def install_triggers(conn: Connection) -> None:
    """Create (or replace) the feed function and one trigger per synced table."""
    conn.execute(_FUNCTION)
    for spec in SYNCED:
        conn.execute(
            f"CREATE OR REPLACE TRIGGER hub_feed_{spec.table}"
            f" AFTER INSERT OR UPDATE OR DELETE ON {spec.table} FOR EACH ROW"
            f" EXECUTE FUNCTION hub_feed('{_array(spec.key)}', '{_array(omitted(conn, spec))}')"
        )


def backfill(conn: Connection) -> None:
    """One upsert change per existing row, table by table in dependency order."""
    for spec in SYNCED:
        order = ", ".join(f"t.{name}" for name in spec.key)
        conn.execute(
            "INSERT INTO change (entity, entity_id, op, payload, at)"
            f" SELECT '{spec.table}', {key_json(spec, 't')}, 'upsert',"
            f" {row_json(conn, spec, 't')}, {_NOW_MS} FROM {spec.table} AS t ORDER BY {order}"
        )
