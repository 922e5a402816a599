"""The throwaway PostgreSQL server: a private non-root cluster, a new empty database per test."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.postgres import PgCluster

TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"


def test_each_test_gets_a_new_empty_database(pg_cluster: PgCluster, pg_url: str) -> None:
    assert pg_url.startswith(f"postgresql://{pg_cluster.user}@127.0.0.1:{pg_cluster.port}/t")
    with psycopg.connect(pg_url) as conn:
        assert conn.execute(TABLES).fetchall() == []
        encoding = conn.execute("SHOW server_encoding").fetchone()
    assert encoding == ("UTF8",)


def test_databases_are_isolated_and_dropped(pg_cluster: PgCluster, pg_url: str) -> None:
    with pg_cluster.database("other") as other_url:
        assert other_url != pg_url
        with psycopg.connect(pg_url) as conn:
            conn.execute("CREATE TABLE marker (id integer PRIMARY KEY)")
            conn.execute("INSERT INTO marker VALUES (1)")
        with psycopg.connect(other_url) as other:
            assert other.execute(TABLES).fetchall() == []
            # Still connected at the end: the drop must not wait for us.
            other_name = other.info.dbname
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT id FROM marker").fetchall() == [(1,)]
        gone = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [other_name])
        assert gone.fetchall() == []


def test_server_runs_as_a_non_root_user_and_durability_is_off(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()
        settings: dict[str, str] = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings"
                " WHERE name IN ('fsync', 'synchronous_commit', 'max_connections')"
            ).fetchall()
        )
    assert pid is not None
    assert Path(f"/proc/{pid[0]}").stat().st_uid != 0
    assert settings == {"fsync": "off", "synchronous_commit": "off", "max_connections": "200"}


def test_the_unix_socket_reaches_the_same_server(pg_cluster: PgCluster, pg_url: str) -> None:
    dbname = pg_url.rsplit("/", 1)[1]
    socket_dir = str(pg_cluster.socket_dir)
    with psycopg.connect(
        host=socket_dir, port=pg_cluster.port, user=pg_cluster.user, dbname=dbname
    ) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (dbname,)
