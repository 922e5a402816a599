"""The hub's connections come from a pool: threads come and go, connections do not pile up."""

from __future__ import annotations

import threading
import time

import psycopg

from agentdesk.hub.context import StorePool
from storage.stores import open_store

CONNECTIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"


def burst(pool: StorePool, threads: int) -> None:
    """``threads`` new threads each borrow a store at the same time (as a burst of requests)."""
    together = threading.Barrier(threads)

    def borrow() -> None:
        with pool.borrow() as store, store.read() as conn:
            conn.execute("SELECT 1")
            together.wait(timeout=10)

    started = [threading.Thread(target=borrow) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=20)


def settled_count(watcher: psycopg.Connection[tuple[int]], expected: int) -> int:
    """Connections to the database once closed ones have gone (a server ends them a bit later)."""
    deadline = time.monotonic() + 5
    while True:
        row = watcher.execute(CONNECTIONS).fetchone()
        count = row[0] if row else 0
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.02)


def test_bursts_on_new_threads_reuse_connections_and_keep_only_a_few(pg_url: str) -> None:
    open_store(pg_url).close()  # the schema
    pool = StorePool(pg_url, keep=3)
    with psycopg.connect(pg_url, autocommit=True) as watcher:
        for _ in range(3):  # anyio retires idle threads: each burst runs on new ones
            burst(pool, 10)
            assert settled_count(watcher, 3 + 1) == 3 + 1  # kept + the watcher
        pool.close()
        assert settled_count(watcher, 1) == 1
