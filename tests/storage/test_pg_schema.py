"""storage.pg_schema against the SQLite store: same tables, keys, indexes and trigger effects.

The catalog tests read both engines' catalogs and compare them; the behaviour tests
write the same rows to a fresh SQLite store and a fresh PostgreSQL database and
compare what the triggers and constraints made of them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from storage.database import Database
from storage.migrations import APPLICATION_ID, EMAIL_DOMAIN, SCHEMA_VERSION
from storage.pg_schema import PG_SCHEMA_VERSION, STATEMENTS, create_schema

#: What SQLite has that the PostgreSQL schema leaves out: full-text search and its own tables.
FTS_TABLES = ("ticket_fts", "message_fts", "macro_fts")
#: What PostgreSQL has that SQLite keeps elsewhere (PRAGMA application_id, user_version).
PG_ONLY_TABLES = {"schema_meta"}
#: The implicit rowid of these SQLite tables is read by code, so in PostgreSQL it is a column.
PG_ROWID_TABLES = {"escalation", "audit_event"}
#: Identity keys that also accept explicit values, as a rowid alias does.
PG_ONLY_TRIGGERS = {"ticket_number_as_rowid", "message_seq_as_rowid"}
SQLITE_TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision"}
PG_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


class Both:
    """A SQLite store and a PostgreSQL database given the same statements."""

    def __init__(self, lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
        self.lite = lite
        self.pg = pg

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """Run ``sql`` (``?`` placeholders) on both."""
        self.lite.execute(sql, params)
        self.pg.execute(sql.replace("?", "%s"), params)

    def same(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query, asserting both engines return the same ones."""
        lite = [tuple(row) for row in self.lite.execute(sql, params).fetchall()]
        pg = [tuple(row) for row in self.pg.execute(sql.replace("?", "%s"), params).fetchall()]
        assert lite == pg
        return lite


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = Database.open(tmp_path / "x.db")
    with db.read() as conn:
        yield conn
    db.close()


@pytest.fixture
def pg(pg_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        with conn.transaction():
            create_schema(conn)
        yield conn


@pytest.fixture
def both(lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> Both:
    return Both(lite, pg)


# --------------------------------------------------------------------------- catalogs


def lite_tables(conn: sqlite3.Connection) -> set[str]:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    return {
        name for name in names if not name.startswith("sqlite_") and not name.startswith(FTS_TABLES)
    }


def pg_tables(conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    return {row[0] for row in rows}


def lite_columns(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    """(name, type, not null, default, generated) per column, in order.

    A primary key column counts as NOT NULL: PostgreSQL makes it so, and SQLite lets a
    non-integer key of a rowid table hold NULL only by a legacy quirk no code relies on.
    """
    return [
        (name, SQLITE_TYPES[kind], bool(notnull or pk), default, hidden in (2, 3))
        for _, name, kind, notnull, default, pk, hidden in conn.execute(
            f"PRAGMA table_xinfo({table})"
        )
    ]


def pg_columns(conn: psycopg.Connection[Any], table: str) -> list[tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
        " pg_get_expr(d.adbin, d.adrelid), a.attgenerated <> ''"
        " FROM pg_attribute AS a"
        " LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY a.attnum",
        (table,),
    )
    return [
        (name, kind, notnull, None if generated or default is None else _unc(default), generated)
        for name, kind, notnull, default, generated in rows
    ]


def _unc(default: str) -> str:
    """A PostgreSQL default without its cast: ``'free'::text`` → ``'free'``."""
    return re.sub(r"::[a-z ]+$", "", default)


def pg_key_names(conn: psycopg.Connection[Any], relid: int, keys: list[int]) -> list[str | None]:
    """Column names of attribute numbers (``None`` for 0, an index expression)."""
    names = dict(
        conn.execute(
            "SELECT attnum, attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0", (relid,)
        ).fetchall()
    )
    return [names.get(key) for key in keys]


def lite_primary_key(conn: sqlite3.Connection, table: str) -> list[str]:
    rows = conn.execute(f"PRAGMA table_xinfo({table})").fetchall()
    return [row[1] for row in sorted((row for row in rows if row[5]), key=lambda row: row[5])]


def pg_primary_key(conn: psycopg.Connection[Any], table: str) -> list[str | None]:
    row = conn.execute(
        "SELECT conrelid::bigint, conkey FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'p'",
        (table,),
    ).fetchone()
    return [] if row is None else pg_key_names(conn, row[0], list(row[1]))


def lite_indexes(conn: sqlite3.Connection, table: str) -> dict[str, tuple[Any, ...]]:
    """Named indexes: (unique, partial, key columns as (name or None, NOCASE))."""
    out = {}
    for _, name, unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
        if origin != "c":
            continue
        keys = tuple(
            (column, collation == "NOCASE")
            for _, _, column, _, collation, key in conn.execute(f"PRAGMA index_xinfo({name})")
            if key
        )
        out[name] = (bool(unique), bool(partial), keys)
    return out


def pg_indexes(conn: psycopg.Connection[Any], table: str) -> dict[str, tuple[Any, ...]]:
    """The same for indexes that back no constraint."""
    rows = conn.execute(
        "SELECT c.relname, i.indrelid::bigint, i.indisunique, i.indpred IS NOT NULL,"
        " i.indkey::int2[], (SELECT array_agg(coalesce(k.collname, '') ORDER BY n)"
        "   FROM unnest(i.indcollation::oid[]) WITH ORDINALITY AS u(coll, n)"
        "   LEFT JOIN pg_collation AS k ON k.oid = u.coll)"
        " FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = i.indexrelid)",
        (table,),
    ).fetchall()
    out = {}
    for name, relid, unique, partial, keys, collations in rows:
        columns = pg_key_names(conn, relid, list(keys))
        nocase = [collation == "nocase" for collation in collations]
        out[name] = (unique, partial, tuple(zip(columns, nocase, strict=True)))
    return out


def lite_uniques(conn: sqlite3.Connection, table: str) -> set[tuple[str, ...]]:
    out = set()
    for _, name, _, origin, _ in conn.execute(f"PRAGMA index_list({table})"):
        if origin == "u":
            out.add(tuple(row[2] for row in conn.execute(f"PRAGMA index_info({name})")))
    return out


def pg_uniques(conn: psycopg.Connection[Any], table: str) -> set[tuple[str | None, ...]]:
    rows = conn.execute(
        "SELECT conrelid::bigint, conkey FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'u'",
        (table,),
    ).fetchall()
    return {tuple(pg_key_names(conn, relid, list(keys))) for relid, keys in rows}


def lite_foreign_keys(conn: sqlite3.Connection, table: str) -> set[tuple[Any, ...]]:
    """(columns, parent table, parent columns, ON UPDATE, ON DELETE) per foreign key."""
    grouped: dict[int, list[Any]] = {}
    for fk_id, _, parent, column, parent_column, on_update, on_delete, _ in conn.execute(
        f"PRAGMA foreign_key_list({table})"
    ):
        entry = grouped.setdefault(fk_id, [(), parent, (), on_update, on_delete])
        entry[0] += (column,)
        entry[2] += (parent_column,)
    return {tuple(entry) for entry in grouped.values()}


def pg_foreign_keys(conn: psycopg.Connection[Any], table: str) -> set[tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT conrelid::bigint, conkey, confrelid::bigint, confrelid::regclass::text, confkey,"
        " confupdtype, confdeltype FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f'",
        (table,),
    ).fetchall()
    return {
        (
            tuple(pg_key_names(conn, relid, list(keys))),
            parent,
            tuple(pg_key_names(conn, parent_relid, list(parent_keys))),
            PG_ACTIONS[on_update],
            PG_ACTIONS[on_delete],
        )
        for relid, keys, parent_relid, parent, parent_keys, on_update, on_delete in rows
    }


def lite_check_count(conn: sqlite3.Connection, table: str) -> int:
    sql = conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
    return len(re.findall(r"\bCHECK\s*\(", sql, flags=re.IGNORECASE))


def pg_check_count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
        (table,),
    ).fetchone()
    assert row is not None
    return int(row[0])


_TRIGGER_HEAD = re.compile(
    r"CREATE\s+TRIGGER\s+(\w+)\s+(BEFORE|AFTER)\s+(.+?)\s+ON\s+(?:\w+\.)?(\w+)",
    re.IGNORECASE | re.DOTALL,
)


def _head(sql: str) -> tuple[str, ...]:
    """(name, timing, event, table) of a CREATE TRIGGER statement, spaces and case evened."""
    match = _TRIGGER_HEAD.match(sql.strip())
    assert match is not None, sql
    name, timing, event, table = match.groups()
    return name, timing.upper(), " ".join(event.split()).upper(), table


def _fts_only(sql: str) -> bool:
    """Whether every statement of a SQLite trigger writes a full-text table."""
    body = re.search(r"\bBEGIN\b(.*)\bEND\b", sql, flags=re.IGNORECASE | re.DOTALL)
    assert body is not None
    statements = [part for part in body.group(1).split(";") if part.strip()]
    return all(re.search(r"\bINTO\s+\w+_fts\b", part, re.IGNORECASE) for part in statements)


def lite_triggers(conn: sqlite3.Connection) -> set[tuple[str, ...]]:
    rows = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'trigger'").fetchall()
    return {_head(sql) for (sql,) in rows if not _fts_only(sql)}


def pg_triggers(conn: psycopg.Connection[Any]) -> set[tuple[str, ...]]:
    rows = conn.execute(
        "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger AS t"
        " JOIN pg_class AS c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    ).fetchall()
    return {_head(sql) for (sql,) in rows}


def test_versions_agree(pg: psycopg.Connection[Any]) -> None:
    assert PG_SCHEMA_VERSION == SCHEMA_VERSION
    rows = pg.execute("SELECT application_id, schema_version FROM schema_meta").fetchall()
    assert rows == [(APPLICATION_ID, SCHEMA_VERSION)]


def test_statements_are_single_statements() -> None:
    for statement in STATEMENTS:
        assert statement == statement.strip()
        assert not statement.endswith(";")


def test_same_tables(lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
    assert pg_tables(pg) == lite_tables(lite) | PG_ONLY_TABLES


def test_same_columns(lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
    for table in sorted(lite_tables(lite)):
        pg_cols = pg_columns(pg, table)
        if table in PG_ROWID_TABLES:
            assert pg_cols[-1] == ("rowid", "bigint", True, None, False)
            pg_cols = pg_cols[:-1]
        assert pg_cols == lite_columns(lite, table), table


def test_same_keys_and_constraints(lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
    for table in sorted(lite_tables(lite)):
        assert pg_primary_key(pg, table) == lite_primary_key(lite, table), table
        assert pg_uniques(pg, table) == lite_uniques(lite, table), table
        assert pg_foreign_keys(pg, table) == lite_foreign_keys(lite, table), table
        assert pg_check_count(pg, table) == lite_check_count(lite, table), table


def test_same_indexes(lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
    for table in sorted(lite_tables(lite)):
        assert pg_indexes(pg, table) == lite_indexes(lite, table), table


def test_same_triggers(lite: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
    ported = pg_triggers(pg)
    assert {head[0] for head in ported} - {head[0] for head in lite_triggers(lite)} == (
        PG_ONLY_TRIGGERS
    )
    assert {head for head in ported if head[0] not in PG_ONLY_TRIGGERS} == lite_triggers(lite)


# --------------------------------------------------------------------------- behaviour

T = 1_767_225_600_000  # 2026-01-01, past 2^31 as every stored time is


def seed(both: Both, tickets: int = 1) -> None:
    """A customer, two agents, a group and ``tickets`` new tickets t1, t2, ..."""
    both.run(
        "INSERT INTO customer (id, name, email, created_at) VALUES ('c1', 'Ann', 'a@x', ?)", (T,)
    )
    for agent in ("a1", "a2"):
        both.run(
            "INSERT INTO agent (id, name, email, tier, created_at) VALUES (?, ?, ?, '1', ?)",
            (agent, agent, f"{agent}@desk", T),
        )
    both.run("INSERT INTO agent_group (id, name, tier) VALUES ('g1', 'Tier 2', 2)")
    for n in range(1, tickets + 1):
        both.run(
            "INSERT INTO ticket (id, subject, channel, requester_id, created_at, updated_at)"
            " VALUES (?, 'Help', 'email', 'c1', ?, ?)",
            (f"t{n}", T, T),
        )


def escalate(both: Both, escalation_id: str, ticket_id: str, state: str, at: int = T) -> None:
    both.run(
        "INSERT INTO escalation (id, ticket_id, from_tier, to_tier, reason, summary, created_at,"
        " state) VALUES (?, ?, 1, 2, 'bug', 'it broke', ?, ?)",
        (escalation_id, ticket_id, at, state),
    )


def test_status_change_trigger(both: Both) -> None:
    seed(both, tickets=2)
    steps = [
        ("t1", "open", T + 1),
        ("t1", "open", T + 2),  # same status: no row
        ("t1", "solved", T + 3),
        ("t1", "open", T + 3),
        ("t1", "solved", T + 3),  # the same (ticket, at, status) again: ignored
        ("t2", "pending", T + 4),
    ]
    for ticket, status, at in steps:
        both.run("UPDATE ticket SET status = ?, updated_at = ? WHERE id = ?", (status, at, ticket))
    both.run("UPDATE ticket SET priority = 'high', updated_at = ? WHERE id = 't2'", (T + 5,))
    # Setting status to itself is an UPDATE OF status, but WHEN filters it out.
    both.run("UPDATE ticket SET status = status, updated_at = ? WHERE id = 't2'", (T + 6,))
    rows = both.same("SELECT ticket_id, at, status FROM ticket_status_change ORDER BY 1, 2, 3")
    assert rows == [
        ("t1", T + 1, "open"),
        ("t1", T + 3, "open"),
        ("t1", T + 3, "solved"),
        ("t2", T + 4, "pending"),
    ]


def test_escalation_closes_with_its_ticket(both: Both) -> None:
    seed(both, tickets=2)
    states = ("open", "acknowledged", "handed-back", "closed")
    for n, state in enumerate(states):
        escalate(both, f"e{n}", "t1", state)
    escalate(both, "e9", "t2", "open")
    both.run("UPDATE ticket SET status = 'pending', updated_at = ? WHERE id = 't1'", (T + 1,))
    assert both.same("SELECT count(*) FROM escalation WHERE state = 'closed'") == [(1,)]
    both.run("UPDATE ticket SET status = 'solved', updated_at = ? WHERE id = 't1'", (T + 2,))
    rows = both.same("SELECT id, state FROM escalation ORDER BY id")
    assert rows == [
        ("e0", "closed"),
        ("e1", "closed"),
        ("e2", "handed-back"),
        ("e3", "closed"),
        ("e9", "open"),
    ]
    # Fires on every UPDATE OF status to solved/closed, not only on a change.
    both.run("UPDATE escalation SET state = 'open' WHERE id = 'e0'")
    both.run("UPDATE ticket SET status = 'solved' WHERE id = 't1'")
    assert both.same("SELECT state FROM escalation WHERE id = 'e0'") == [("closed",)]
    both.run("UPDATE escalation SET state = 'open' WHERE id = 'e9'")
    both.run("UPDATE ticket SET status = 'closed', updated_at = ? WHERE id = 't2'", (T + 3,))
    assert both.same("SELECT state FROM escalation WHERE id = 'e9'") == [("closed",)]


def test_macro_doc_follows_macros(both: Both) -> None:
    seed(both)
    for n in (1, 2, 3):
        both.run(
            "INSERT INTO macro (id, title, body, created_at, updated_at) VALUES (?, ?, 'b', ?, ?)",
            (f"m{n}", f"Macro {n}", T, T),
        )
    both.run("UPDATE macro_doc SET profile = 'printer jam', tickets = 2 WHERE macro_id = 'm2'")
    both.run("UPDATE macro SET title = 'Renamed' WHERE id = 'm2'")
    both.run("INSERT INTO macro_use (macro_id, ticket_id, at) VALUES ('m1', 't1', ?)", (T,))
    both.run("DELETE FROM macro WHERE id = 'm1'")
    rows = both.same("SELECT seq, macro_id, profile, tickets FROM macro_doc ORDER BY seq")
    assert rows == [(2, "m2", "printer jam", 2), (3, "m3", "", 0)]
    assert both.same("SELECT count(*) FROM macro_use") == [(0,)]


def test_rowid_keys_take_explicit_and_automatic_values(both: Both) -> None:
    seed(both)  # t1 is ticket 1
    both.run(
        "INSERT INTO ticket (number, id, subject, channel, requester_id, created_at, updated_at)"
        " VALUES (1000, 't1000', 's', 'web', 'c1', ?, ?)",
        (T, T),
    )
    both.run(
        "INSERT INTO ticket (number, id, subject, channel, requester_id, created_at, updated_at)"
        " VALUES (NULL, 'tnull', 's', 'web', 'c1', ?, ?)",
        (T, T),
    )
    both.run(
        "INSERT INTO ticket (id, subject, channel, requester_id, created_at, updated_at)"
        " VALUES ('tauto', 's', 'web', 'c1', ?, ?)",
        (T, T),
    )
    both.run(
        "INSERT INTO ticket (number, id, subject, channel, requester_id, created_at, updated_at)"
        " VALUES (500, 't500', 's', 'web', 'c1', ?, ?)",
        (T, T),
    )
    rows = both.same("SELECT number, id FROM ticket ORDER BY number")
    assert rows == [(1, "t1"), (500, "t500"), (1000, "t1000"), (1001, "tnull"), (1002, "tauto")]
    for seq, message_id in ((7, "m7"), (None, "m8"), (None, "m9")):
        both.run(
            "INSERT INTO message (seq, id, ticket_id, kind, body, created_at)"
            " VALUES (?, ?, 't1', 'customer', 'hi', ?)",
            (seq, message_id, T),
        )
    both.run(
        "INSERT INTO message (id, ticket_id, kind, body, created_at)"
        " VALUES ('m10', 't1', 'public', 'hello', ?)",
        (T,),
    )
    assert both.same("SELECT seq, id FROM message ORDER BY seq") == [
        (7, "m7"),
        (8, "m8"),
        (9, "m9"),
        (10, "m10"),
    ]


def test_rowid_orders_ties_by_insertion(both: Both) -> None:
    seed(both)
    for escalation_id in ("e3", "e1", "e2"):
        escalate(both, escalation_id, "t1", "open")
    for event_id in ("z", "a", "m"):
        both.run(
            "INSERT INTO audit_event (id, ticket_id, action, at) VALUES (?, 't1', 'note', ?)",
            (event_id, T),
        )
    assert both.same(
        "SELECT e.id FROM escalation AS e WHERE e.ticket_id = ? ORDER BY e.created_at, e.rowid",
        ("t1",),
    ) == [("e3",), ("e1",), ("e2",)]
    assert both.same("SELECT e.id FROM audit_event AS e ORDER BY e.at DESC, e.rowid DESC") == [
        ("m",),
        ("a",),
        ("z",),
    ]


def test_unsolved_is_generated(both: Both) -> None:
    seed(both, tickets=6)
    statuses = ("new", "open", "pending", "on-hold", "solved", "closed")
    for n, status in enumerate(statuses, start=1):
        both.run("UPDATE ticket SET status = ? WHERE id = ?", (status, f"t{n}"))
    rows = both.same("SELECT status, unsolved FROM ticket ORDER BY number")
    assert [unsolved for _, unsolved in rows] == [1, 1, 1, 1, 0, 0]


def test_deletes_cascade(both: Both) -> None:
    seed(both, tickets=2)
    escalate(both, "e1", "t1", "open")
    both.run(
        "INSERT INTO message (id, ticket_id, kind, body, created_at)"
        " VALUES ('m1', 't1', 'public', 'x', ?)",
        (T,),
    )
    both.run("INSERT INTO ticket_tag (ticket_id, tag) VALUES ('t1', 'vip'), ('t2', 'vip')")
    both.run(
        "INSERT INTO delivery (message_id, ticket_id, channel, next_attempt_at, created_at)"
        " VALUES ('m1', 't1', 'email', ?, ?)",
        (T, T),
    )
    both.run("DELETE FROM ticket WHERE id = 't1'")
    counts = "SELECT (SELECT count(*) FROM escalation), (SELECT count(*) FROM message),"
    counts += " (SELECT count(*) FROM ticket_tag), (SELECT count(*) FROM delivery)"
    assert both.same(counts) == [(0, 0, 1, 0)]
    both.run("INSERT INTO hub_token (token_hash, agent_id, created_at) VALUES ('h', 'a1', ?)", (T,))
    both.run("DELETE FROM agent WHERE id = 'a1'")
    assert both.same("SELECT count(*) FROM hub_token") == [(0,)]


REFUSED = [
    "INSERT INTO customer (id, name, email, plan, created_at) VALUES ('c2', 'B', 'b@x', 'gold', 1)",
    "INSERT INTO customer (id, name, email, created_at) VALUES ('c2', 'B', 'a@x', 1)",
    "INSERT INTO customer (id, name, created_at) VALUES ('c2', 'B', 1)",
    "INSERT INTO agent_group (id, name, tier) VALUES ('g2', 'G', 4)",
    "INSERT INTO agent (id, name, email, tier, created_at) VALUES ('a9', 'A', 'a9@x', '4', 1)",
    "INSERT INTO ticket (id, subject, channel, requester_id, created_at, updated_at)"
    " VALUES ('t9', 's', 'fax', 'c1', 1, 1)",
    "INSERT INTO ticket (id, subject, channel, requester_id, created_at, updated_at)"
    " VALUES ('t9', 's', 'web', 'nobody', 1, 1)",
    "UPDATE ticket SET status = 'lost'",
    "UPDATE ticket SET sla_target = 'lunch'",
    "UPDATE ticket SET tier = 0",
    "INSERT INTO survey_answer (id, ticket_id, kind, score, answered_at)"
    " VALUES ('s1', 't1', 'csat', 7, 1)",
    "INSERT INTO survey_answer (id, ticket_id, kind, score, answered_at)"
    " VALUES ('s1', 't1', 'nps', 11, 1)",
    "INSERT INTO handle_session (id, ticket_id, started_at, ended_at) VALUES ('h1', 't1', 2, 1)",
    "INSERT INTO sla_clock (ticket_id, target, started_at, elapsed_ms, target_ms, met)"
    " VALUES ('t1', 'resolution', 1, 0, 1, 2)",
    "INSERT INTO channel (name, secret) VALUES ('fax', 's')",
    "INSERT INTO channel (name, secret, max_body_bytes) VALUES ('web', 's', 0)",
    "INSERT INTO delivery (message_id, ticket_id, channel, next_attempt_at, created_at)"
    " VALUES ('nope', 't1', 'email', 1, 1)",
    "INSERT INTO hub_mutation (client_id, seq, op, status, at)"
    " VALUES ('ghost', 1, 'x', 'applied', 1)",
    "INSERT INTO presence (agent_id, ticket_id, state, expires_at)"
    " VALUES ('a1', 't1', 'typing', 1)",
    "INSERT INTO draft (id, ticket_id, agent_id, kind, body, updated_at)"
    " VALUES ('d1', 't1', 'a1', 'customer', 'x', 1)",
    "INSERT INTO outbox (client_id, op, args, at, state) VALUES ('w', 'op', '{}', 1, 'lost')",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_both_refuse(both: Both, statement: str) -> None:
    seed(both)
    with pytest.raises(sqlite3.IntegrityError):
        both.lite.execute(statement)
    with pytest.raises(psycopg.errors.IntegrityError):
        both.pg.execute(statement)


def test_nocase_prefix_ranges_match(both: Both) -> None:
    """The queue's customer-prefix SQL (COLLATE NOCASE ranges, instr) reads the same."""
    people = [
        ("Acme Ops", "ops@ACME.example", "ACME"),
        ("acme bot", "bot@acme.example", "acme"),
        ("Zed", "zed@zeta.example", "Zeta Corp"),
        ("Ackbar", "ack@fleet.example", None),
    ]
    for n, (name, email, organization) in enumerate(people):
        both.run(
            "INSERT INTO customer (id, name, email, organization, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (f"c{n}", name, email, organization, T),
        )
    for column in ("name", "email", EMAIL_DOMAIN, "organization"):
        for prefix in ("acme", "ACM", "ac", "z", "ops@a"):
            both.same(
                f"SELECT id FROM customer WHERE {column} COLLATE NOCASE >= ?"
                f" AND {column} COLLATE NOCASE < ? ORDER BY id",
                (prefix, prefix + "\U0010ffff"),
            )
    rows = both.same(
        f"SELECT id FROM customer WHERE {EMAIL_DOMAIN} COLLATE NOCASE >= ?"
        f" AND {EMAIL_DOMAIN} COLLATE NOCASE < ? ORDER BY id",
        ("acme", "acme\U0010ffff"),
    )
    assert rows == [("c0",), ("c1",)]
