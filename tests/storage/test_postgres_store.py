"""A store on PostgreSQL: SQLite's calling conventions, its errors, and refusals at open."""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest

from storage.database import Database
from storage.errors import StoreError
from storage.migrations import SCHEMA_VERSION
from storage.postgres import PgDatabase, translate
from storage.sql import redacted
from storage.stores import open_store


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ? + ?", "SELECT %s + %s"),
        ("SELECT '?' || ?", "SELECT '?' || %s"),
        ("SELECT ?2, ?1, ?2", "SELECT %(p2)s, %(p1)s, %(p2)s"),
        ("SELECT 5 % ? LIKE 'a%'", "SELECT 5 %% %s LIKE 'a%%'"),
        ('SELECT "odd?name" FROM t', 'SELECT "odd?name" FROM t'),
    ],
)
def test_placeholders_become_psycopg_s_and_quoted_text_is_left_alone(
    sql: str, expected: str
) -> None:
    assert translate(sql, has_parameters=True).sql == expected


def test_statements_run_with_sqlite_placeholders_and_answers(pg_url: str) -> None:
    db = open_store(pg_url)
    try:
        with db.transaction() as conn:
            conn.execute("CREATE TABLE t (n BIGINT PRIMARY KEY, s TEXT)")
            conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a%"), (2, "b?"), (3, None)])
        with db.read() as conn:
            assert conn.execute("SELECT s FROM t WHERE n = ?2 OR n = ?1", (1, 2)).fetchall() == [
                ("a%",),
                ("b?",),
            ]
            # A sum of bigints is numeric in PostgreSQL: it comes back as an int, as in SQLite.
            assert conn.execute("SELECT sum(n), avg(n) FROM t").fetchone() == (6, 2)
            assert conn.execute(
                "SELECT s FROM t WHERE s IS NOT DISTINCT FROM ?", (None,)
            ).fetchall() == [(None,)]
    finally:
        db.close()


def test_errors_arrive_as_the_sqlite3_classes_and_roll_the_transaction_back(pg_url: str) -> None:
    db = open_store(pg_url)
    try:
        with db.transaction() as conn:
            conn.execute("CREATE TABLE t (n BIGINT PRIMARY KEY)")
        with pytest.raises(sqlite3.IntegrityError, match="duplicate key"), db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (1)")
            conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(StoreError, match="does not exist"), db.read() as conn:
            conn.execute("SELECT * FROM nowhere")
        with db.read() as conn:
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    finally:
        db.close()


def test_writers_of_two_connections_take_turns(pg_url: str) -> None:
    """The advisory lock: a second writer waits for the first one's commit."""
    first, second = open_store(pg_url), open_store(pg_url)
    order: list[str] = []
    try:
        with first.transaction() as conn:
            conn.execute("CREATE TABLE t (who TEXT)")
        entered = threading.Event()

        def write() -> None:
            entered.set()
            with second.transaction() as conn:
                order.append("second")
                conn.execute("INSERT INTO t VALUES ('second')")

        with first.transaction() as conn:
            thread = threading.Thread(target=write)
            thread.start()
            entered.wait()
            thread.join(timeout=0.5)
            assert thread.is_alive()  # blocked on the lock, not interleaved
            order.append("first")
            conn.execute("INSERT INTO t VALUES ('first')")
        thread.join(timeout=10)
        assert order == ["first", "second"]
    finally:
        first.close()
        second.close()


def test_a_new_database_gets_the_schema_and_reopens_unchanged(pg_url: str) -> None:
    open_store(pg_url).close()
    db = open_store(pg_url)
    try:
        with db.read() as conn:
            assert conn.execute("SELECT schema_version FROM schema_meta").fetchall() == [
                (SCHEMA_VERSION,)
            ]
    finally:
        db.close()


def test_a_database_of_someone_else_is_refused_untouched(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute("CREATE TABLE invoices (id INT)")
    with pytest.raises(StoreError, match="not an agentdesk database"):
        PgDatabase.open(pg_url)
    with psycopg.connect(pg_url) as raw:
        tables = raw.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    assert tables == [("invoices",)]


def test_a_newer_schema_is_refused_with_what_to_do(pg_url: str) -> None:
    open_store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute("UPDATE schema_meta SET schema_version = schema_version + 1")
    with pytest.raises(StoreError, match=f"v{SCHEMA_VERSION + 1}, newer .* upgrade agentdesk"):
        open_store(pg_url)


def test_a_password_never_reaches_a_message() -> None:
    assert redacted("postgresql://hub:pw@db:5432/x") == "postgresql://hub:***@db:5432/x"
    assert redacted("postgresql://hub@db/x") == "postgresql://hub@db/x"
    assert redacted("/srv/hub.db") == "/srv/hub.db"


def test_a_workstation_store_cannot_be_a_postgres_url() -> None:
    with pytest.raises(StoreError, match=r"postgresql://a:\*\*\*@h/db: .* only be a hub's store"):
        Database.open("postgresql://a:pw@h/db")
