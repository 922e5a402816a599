"""Opening, refusing, migrating and writing a store: real SQLite files in tmp_path."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import storage.database
from storage.database import Database
from storage.errors import StoreError
from storage.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.factories import make_workspace

Snapshot = dict[str, tuple[str, int]]


def snapshot(directory: Path) -> Snapshot:
    """Every file in ``directory`` with its sha256 and size (so new -wal/-shm files show)."""
    result: Snapshot = {}
    for entry in sorted(directory.iterdir()):
        if entry.is_file():
            data = entry.read_bytes()
            result[entry.name] = (hashlib.sha256(data).hexdigest(), len(data))
    return result


def pragma(path: Path, name: str) -> object:
    """Read one pragma through a fresh connection of our own (not the code under test)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def table_names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_schema")}
    finally:
        conn.close()


def assert_one_line(exc: StoreError) -> str:
    message = str(exc)
    assert message, "a refusal must say why"
    assert "\n" not in message and "\r" not in message, message
    return message


# --------------------------------------------------------------------------- a new store


def test_new_store_has_version_application_id_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = Database.open(path)
    try:
        with db.read() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    finally:
        db.close()
    # What is stored in the file, seen by a connection that is not ours.
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "journal_mode") == "wal"
    assert {"ticket", "message", "customer", "agent", "ticket_fts", "message_fts"} <= table_names(
        path
    )


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "fk.db")
    try:
        with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
            conn.execute(
                "INSERT INTO ticket (number, id, subject, channel, requester_id, created_at,"
                " updated_at) VALUES (1, 'T1', 's', 'email', 'NO-SUCH-CUSTOMER', 0, 0)"
            )
        with db.read() as conn:
            assert conn.execute("SELECT count(*) FROM ticket").fetchone()[0] == 0
    finally:
        db.close()


def test_reopening_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = Database.open(path)
    with db.transaction() as conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('k', 'v')")
    db.close()
    schema_before = _schema_sql(path)

    for _ in range(3):
        db = Database.open(path)
        try:
            with db.read() as conn:
                assert conn.execute("SELECT value FROM setting WHERE key = 'k'").fetchone() == (
                    "v",
                )
                assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        finally:
            db.close()
    assert _schema_sql(path) == schema_before


def test_two_handles_on_one_store(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first = Database.open(path)
    second = Database.open(path)
    try:
        with first.transaction() as conn:
            conn.execute("INSERT INTO setting (key, value) VALUES ('a', '1')")
        with second.read() as conn:
            assert conn.execute("SELECT value FROM setting WHERE key = 'a'").fetchone() == ("1",)
    finally:
        first.close()
        second.close()


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    db = Database.open(path)
    db.close()
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "application_id") == APPLICATION_ID


def test_open_expands_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    db = Database.open("~/home.db")
    try:
        assert db.path == tmp_path / "home.db"
    finally:
        db.close()
    assert (tmp_path / "home.db").exists()


def test_reopening_an_existing_store_by_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`agentdesk --db store.db` passes a relative path; reopening it must work."""
    monkeypatch.chdir(tmp_path)
    Database.open("store.db").close()  # creating works (no read-only probe on a new file)
    db = Database.open("store.db")  # the read-only probe builds a file: URI from the path
    db.close()


def test_close_is_idempotent(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "c.db")
    db.close()
    db.close()


# --------------------------------------------------------------------------- refusals


def _foreign_db(path: Path, *, application_id: int, user_version: int, wal: bool) -> None:
    conn = sqlite3.connect(path)
    try:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE stuff (id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute("INSERT INTO stuff (note) VALUES ('hello')")
        conn.execute(f"PRAGMA application_id = {application_id}")
        conn.execute(f"PRAGMA user_version = {user_version}")
        conn.commit()
    finally:
        conn.close()
    assert not Path(f"{path}-wal").exists(), "closing the last connection removes the WAL"


def _too_new(path: Path) -> None:
    _foreign_db(path, application_id=APPLICATION_ID, user_version=SCHEMA_VERSION + 1, wal=False)


def _too_new_wal(path: Path) -> None:
    """What a newer agentdesk leaves behind: its stores are in WAL mode."""
    _foreign_db(path, application_id=APPLICATION_ID, user_version=SCHEMA_VERSION + 1, wal=True)


def _other_app(path: Path) -> None:
    _foreign_db(path, application_id=0, user_version=0, wal=False)


def _other_app_wal(path: Path) -> None:
    _foreign_db(path, application_id=0, user_version=3, wal=True)


def _other_application_id(path: Path) -> None:
    _foreign_db(path, application_id=0x0F055112, user_version=1, wal=False)


def _garbage(path: Path) -> None:
    data = random.Random(1042).randbytes(16_384)
    assert not data.startswith(b"SQLite format 3")
    path.write_bytes(data)


def _short_garbage(path: Path) -> None:
    path.write_bytes(b"SQLite")  # shorter than the 16-byte magic


def _text_file(path: Path) -> None:
    path.write_text("key = 'this is a config file, not a database'\n")


def _truncated(fraction: float | None, size: int | None = None) -> Callable[[Path], None]:
    """A real agentdesk store cut short: the SQLite header is intact, later pages are gone."""

    def build(path: Path) -> None:
        source = path.with_name("source.db")
        make_workspace(source, tickets=60)
        data = source.read_bytes()
        source.unlink()
        keep = size if size is not None else int(len(data) * (fraction or 0))
        assert data.startswith(b"SQLite format 3\x00") and keep < len(data)
        path.write_bytes(data[:keep])

    return build


REFUSALS: dict[str, Callable[[Path], None]] = {
    "too-new": _too_new,
    "too-new-wal": _too_new_wal,
    "other-app": _other_app,
    "other-app-wal": _other_app_wal,
    "other-application-id": _other_application_id,
    "garbage": _garbage,
    "short-garbage": _short_garbage,
    "text-file": _text_file,
    "truncated-header-only": _truncated(None, size=100),
    "truncated-first-page": _truncated(None, size=4096),
    "truncated-half": _truncated(0.5),
}


@pytest.mark.parametrize("build", REFUSALS.values(), ids=REFUSALS.keys())
def test_refusal_raises_one_line_store_error_and_leaves_file_untouched(
    tmp_path: Path, build: Callable[[Path], None]
) -> None:
    path = tmp_path / "refused.db"
    build(path)
    before = snapshot(tmp_path)
    assert set(before) == {"refused.db"}

    with pytest.raises(StoreError) as caught:
        Database.open(path)

    assert str(path) in assert_one_line(caught.value)
    assert snapshot(tmp_path) == before, "the refused file (and its directory) must be untouched"


def test_too_new_message_names_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    _too_new(path)
    with pytest.raises(StoreError) as caught:
        Database.open(path)
    message = assert_one_line(caught.value)
    assert f"v{SCHEMA_VERSION + 1}" in message
    assert f"v{SCHEMA_VERSION}" in message
    assert "upgrade" in message


def test_directory_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "store.db"
    target.mkdir()
    (target / "inside.txt").write_text("x")
    before = snapshot(target)
    with pytest.raises(StoreError) as caught:
        Database.open(target)
    assert "directory" in assert_one_line(caught.value)
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]


def test_missing_parent_directory_is_refused_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "deeper" / "store.db"
    with pytest.raises(StoreError) as caught:
        Database.open(target)
    message = assert_one_line(caught.value)
    assert "does not exist" in message
    assert str(target.parent) in message
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux procfs")
@pytest.mark.parametrize("target", ["/proc/agentdesk-test.db", "/proc/self/agentdesk-test.db"])
def test_path_that_even_root_cannot_create(target: str) -> None:
    with pytest.raises(StoreError) as caught:
        Database.open(target)
    assert target in assert_one_line(caught.value)
    assert not Path(target).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StoreError) as caught:
            Database.open(locked / "store.db")
        assert "not writable" in assert_one_line(caught.value)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    Database.open(path).close()
    path.chmod(0o400)
    before = snapshot(tmp_path)
    try:
        with pytest.raises(StoreError) as caught:
            Database.open(path)
        assert "permission" in assert_one_line(caught.value)
        assert snapshot(tmp_path) == before
    finally:
        path.chmod(0o600)


# --------------------------------------------------------------------------- migrations

BAD_V2 = {
    "runtime-error": "CREATE TABLE half_made (x INTEGER);\nINSERT INTO no_such_table VALUES (1);",
    "syntax-error": "CREATE TABLE half_made (x INTEGER);\nTHIS IS NOT SQL;",
    "constraint": (
        "CREATE TABLE half_made (x INTEGER NOT NULL);\nINSERT INTO half_made VALUES (NULL);"
    ),
}


def _with_v2(monkeypatch: pytest.MonkeyPatch, v2: str) -> None:
    monkeypatch.setattr(storage.database, "MIGRATIONS", (*MIGRATIONS, v2))
    monkeypatch.setattr(storage.database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)


@pytest.mark.parametrize("v2", BAD_V2.values(), ids=BAD_V2.keys())
def test_failing_migration_rolls_back_an_existing_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, v2: str
) -> None:
    path = tmp_path / "store.db"
    Database.open(path).close()
    _with_v2(monkeypatch, v2)

    with pytest.raises(StoreError) as caught:
        Database.open(path)

    assert f"v{SCHEMA_VERSION + 1}" in assert_one_line(caught.value)
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert "half_made" not in table_names(path)
    assert {p.name for p in tmp_path.iterdir()} == {"store.db"}, "no connection left open"

    monkeypatch.undo()  # the store is still usable at the current version
    db = Database.open(path)
    db.close()


@pytest.mark.parametrize("v2", BAD_V2.values(), ids=BAD_V2.keys())
def test_failing_migration_on_a_new_store_keeps_the_good_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, v2: str
) -> None:
    path = tmp_path / "fresh.db"
    _with_v2(monkeypatch, v2)
    with pytest.raises(StoreError):
        Database.open(path)
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "application_id") == APPLICATION_ID
    assert "half_made" not in table_names(path)
    assert "ticket" in table_names(path)


def test_a_good_migration_upgrades_an_existing_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.db"
    make_workspace(path, tickets=3)
    _with_v2(monkeypatch, "CREATE TABLE added_in_v2 (x INTEGER);")
    db = Database.open(path)
    try:
        with db.read() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
            assert conn.execute("SELECT count(*) FROM ticket").fetchone()[0] == 3
    finally:
        db.close()
    assert "added_in_v2" in table_names(path)


# --------------------------------------------------------------------------- transactions


def test_transaction_commits_on_success(tmp_path: Path) -> None:
    path = tmp_path / "tx.db"
    db = Database.open(path)
    try:
        with db.transaction() as conn:
            conn.execute("INSERT INTO setting (key, value) VALUES ('a', '1')")
            conn.execute("INSERT INTO setting (key, value) VALUES ('b', '2')")
            # Not visible to anybody else until the block ends.
            assert _other_reader_values(path) == {}
        assert _other_reader_values(path) == {"a": "1", "b": "2"}
        with db.read() as conn:
            assert not conn.in_transaction
    finally:
        db.close()


@pytest.mark.parametrize("error", [ValueError("boom"), KeyboardInterrupt()])
def test_transaction_rolls_back_on_exception(tmp_path: Path, error: BaseException) -> None:
    path = tmp_path / "tx.db"
    db = Database.open(path)
    try:
        with db.transaction() as conn:
            conn.execute("INSERT INTO setting (key, value) VALUES ('kept', 'yes')")
        with pytest.raises(type(error)) as caught, db.transaction() as conn:
            conn.execute("INSERT INTO setting (key, value) VALUES ('a', '1')")
            conn.execute("UPDATE setting SET value = 'no' WHERE key = 'kept'")
            raise error
        assert caught.value is error
        assert _other_reader_values(path) == {"kept": "yes"}
        with db.read() as conn:
            assert not conn.in_transaction
            assert dict(conn.execute("SELECT key, value FROM setting").fetchall()) == {
                "kept": "yes"
            }
        with db.transaction() as conn:  # the connection is usable again
            conn.execute("INSERT INTO setting (key, value) VALUES ('after', '1')")
        assert _other_reader_values(path) == {"kept": "yes", "after": "1"}
    finally:
        db.close()


def test_failed_statement_rolls_back_the_whole_transaction(tmp_path: Path) -> None:
    path = tmp_path / "tx.db"
    db = Database.open(path)
    try:
        with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
            conn.execute("INSERT INTO setting (key, value) VALUES ('a', '1')")
            conn.execute("INSERT INTO setting (key, value) VALUES ('a', '2')")  # duplicate key
        assert _other_reader_values(path) == {}
    finally:
        db.close()


def test_read_turns_database_errors_into_store_errors(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "r.db")
    try:
        with pytest.raises(StoreError), db.read() as conn:
            conn.execute("SELECT * FROM no_such_table")
    finally:
        db.close()


def test_data_version_changes_when_another_connection_commits(tmp_path: Path) -> None:
    path = tmp_path / "dv.db"
    db = Database.open(path)
    try:
        start = db.data_version()
        assert db.data_version() == start  # stable while nothing happens

        with db.transaction() as conn:  # our own commits do not count
            conn.execute("INSERT INTO setting (key, value) VALUES ('own', '1')")
        assert db.data_version() == start

        other = sqlite3.connect(path)
        try:
            other.execute("INSERT INTO setting (key, value) VALUES ('other', '1')")
            other.commit()
            after_first = db.data_version()
            assert after_first != start
            other.execute("UPDATE setting SET value = '2' WHERE key = 'other'")
            other.commit()
            assert db.data_version() != after_first
        finally:
            other.close()
    finally:
        db.close()


# --------------------------------------------------------------------------- helpers


def _schema_sql(path: Path) -> list[tuple[str, str, str | None]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, sql FROM sqlite_schema ORDER BY name").fetchall()
    finally:
        conn.close()


def _other_reader_values(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT key, value FROM setting").fetchall())
    finally:
        conn.close()
