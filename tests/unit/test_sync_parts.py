"""Sync pieces that need no hub: credentials, Retry-After, backoff, feed checks."""

from __future__ import annotations

import os
import random
import stat
import time
from email.utils import formatdate
from pathlib import Path

import pytest

from agentdesk.sync import credentials
from agentdesk.sync.client import parse_retry_after
from agentdesk.sync.engine import BACKOFF_CAP, backoff
from agentdesk.sync.wire import WireError, parse_page
from storage.database import Database
from storage.sync import FeedError, RowWriter

LOGIN = credentials.Credentials("http://127.0.0.1:8765", "adk_secret", "ana@example.com")


def test_credentials_are_written_0600_and_read_back(tmp_path: Path) -> None:
    db_path = tmp_path / "team.db"
    path = credentials.save(db_path, LOGIN)
    assert path == tmp_path / "team.db.hub.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.load(db_path) == LOGIN
    assert "adk_secret" not in repr(LOGIN)
    assert credentials.delete(db_path)
    assert credentials.load(db_path) is None
    assert not credentials.delete(db_path)


def test_credentials_readable_by_others_are_refused(tmp_path: Path) -> None:
    path = credentials.save(tmp_path / "team.db", LOGIN)
    os.chmod(path, 0o644)
    with pytest.raises(credentials.CredentialsError, match="chmod 600"):
        credentials.load(tmp_path / "team.db")
    credentials.save(tmp_path / "team.db", LOGIN)  # saving again narrows it back
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    in_a_minute = parse_retry_after(formatdate(time.time() + 60, usegmt=True))
    assert in_a_minute is not None
    assert 55 <= in_a_minute <= 61


def test_backoff_is_full_jitter_capped_at_30_s() -> None:
    rng = random.Random(1)
    assert all(0 <= backoff(1, rng) <= 1.0 for _ in range(100))
    assert max(backoff(50, rng) for _ in range(500)) <= BACKOFF_CAP
    assert max(backoff(50, rng) for _ in range(500)) > BACKOFF_CAP / 2


@pytest.mark.parametrize(
    "changes",
    [
        [{"entity": "ticket", "op": "upsert", "key": {"id": "T"}}],  # no row
        [{"entity": "ticket", "op": "merge", "key": {"id": "T"}, "row": {}}],
        [{"entity": 3, "op": "delete", "key": {"id": "T"}}],
        "nope",
    ],
)
def test_malformed_pages_are_refused(changes: object) -> None:
    with pytest.raises(WireError):
        parse_page({"changes": changes, "next": 1, "more": False, "last_seq": 0})


def test_the_feed_cannot_write_local_tables_or_unknown_keys(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "replica.db")
    try:
        with db.transaction() as conn:
            writer = RowWriter(conn)
            for table in ("outbox", "setting", "draft", "sync_cursor", "hub_token"):
                with pytest.raises(FeedError):
                    writer.upsert(table, ["seq"], [{"seq": 1}])
            with pytest.raises(FeedError):
                writer.delete("ticket", ["id; DROP TABLE ticket"], [("x",)])
            assert "seq" not in writer.columns("message")  # the local rowid is never written
    finally:
        db.close()
