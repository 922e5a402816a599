"""PostgreSQL for the benchmarks: a throwaway cluster, or a server the caller names.

The throwaway cluster is the tests' own (``tests/postgres.py``: initdb as a non-root
user, a free loopback port), with two differences. It lives on the same disk as the
SQLite stores it is compared with (not the RAM disk the tests prefer), and its
durability matches theirs rather than the tests' fsync-off: a hub's SQLite store
runs in WAL mode with ``synchronous = NORMAL`` (a commit is not flushed, a crash may
lose the last ones, never corrupts), which is PostgreSQL's ``synchronous_commit =
off`` with ``fsync`` and ``full_page_writes`` on.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tests.postgres import DIR_PREFIX, PgCluster, find_bindir, server_account, sweep_stale_clusters

#: Appended after the tests' settings (the last line of postgresql.conf wins); the
#: WAL sizes are the server's defaults, so a bulk copy does not checkpoint every 64 MB.
BENCH_SETTINGS: Final = {
    "fsync": "on",
    "full_page_writes": "on",
    "synchronous_commit": "off",
    "max_wal_size": "'1GB'",
    "min_wal_size": "'80MB'",
}

_USER_TABLES: Final = (
    "SELECT count(*) FROM information_schema.tables"
    " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
)


class PgServer(Protocol):
    """Somewhere to make a new empty database for each store size."""

    @property
    def description(self) -> str:
        """What the server is, for the table's title."""
        ...

    def database(self, hint: str) -> AbstractContextManager[str]:
        """A new empty database's URL for the block, dropped afterwards."""
        ...

    def close(self) -> None:
        """Stop what was started (idempotent)."""
        ...


def have_server_binaries() -> bool:
    """Whether a throwaway cluster can be started here."""
    return find_bindir() is not None


class ThrowawayServer:
    """A private cluster in the temporary directory, stopped and removed by :meth:`close`."""

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(
                "no PostgreSQL server binaries (initdb, pg_ctl, postgres); install postgresql,"
                " set AGENTDESK_PG_BIN, or give --pg-url"
            )
        sweep_stale_clusters(bindir)
        root = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=tempfile.gettempdir()))
        (root / "owner.pid").write_text(str(os.getpid()))  # lets a later sweep remove it
        self.cluster = PgCluster(bindir=bindir, root=root, account=server_account())
        try:
            os.chown(root, self.cluster.account.uid, self.cluster.account.gid)
            self.cluster.init()
            with (self.cluster.data_dir / "postgresql.conf").open("a") as conf:
                conf.write("# bench/pg_server.py\n")
                conf.writelines(f"{key} = {value}\n" for key, value in BENCH_SETTINGS.items())
            self.cluster.start()
        except BaseException:
            self.cluster.stop()
            raise
        version = self.cluster.admin().execute("SHOW server_version").fetchone()
        self.description = (
            f"throwaway PostgreSQL {version[0] if version else '?'} in {root.parent},"
            " synchronous_commit=off"
        )

    def database(self, hint: str) -> AbstractContextManager[str]:
        """A new database on the cluster (``CREATE DATABASE``), dropped afterwards."""
        return self.cluster.database(hint)

    def close(self) -> None:
        """Stop the server and delete its files."""
        self.cluster.stop()


class GivenServer:
    """The caller's database: a new database per size beside it, else a schema per size in it.

    Without the right to create databases, the bench works in schemas of the given
    database, which must then hold no tables (the bench never mixes with other data).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = psycopg.connect(url, autocommit=True)
        info = self.admin.info
        version = self.admin.execute("SHOW server_version").fetchone()
        self.description = f"PostgreSQL {version[0] if version else '?'} at {info.host}:{info.port}"
        self.can_create = bool(
            self.admin.execute(
                "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            == (True,)
        )
        if not self.can_create:
            row = self.admin.execute(_USER_TABLES).fetchone()
            if row is None or row[0]:
                name = info.dbname
                self.admin.close()
                raise RuntimeError(
                    f"{name} holds tables and this role cannot create databases:"
                    " give --pg-url an empty database"
                )

    @contextmanager
    def database(self, hint: str) -> Iterator[str]:
        """A new database beside the given one, or a new schema in it; dropped afterwards."""
        name = f"bench_{re.sub(r'[^a-z0-9]+', '_', hint.lower())}_{os.getpid()}"[:63]
        ident = sql.Identifier(name)
        if self.can_create:
            self.admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(ident))
            try:
                yield urlunsplit(urlsplit(self.url)._replace(path=f"/{name}"))
            finally:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident)
                self.admin.execute(drop)
            return
        self.admin.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
        try:
            yield _with_search_path(self.url, name)
        finally:
            self.admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident))

    def close(self) -> None:
        """Close the administrative connection."""
        self.admin.close()


def _with_search_path(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to ``schema`` (libpq's ``options``)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = f"{query.get('options', '')} -csearch_path={schema}".strip()
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def open_server(url: str | None) -> PgServer:
    """The server at ``url``, or a throwaway one."""
    return GivenServer(url) if url else ThrowawayServer()
