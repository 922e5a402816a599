"""Macros in the store: their search documents follow every change, profiles stay bounded,
and a store made before macros had documents gets them when it is migrated."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import macros as store
from storage.database import Database
from storage.migrations import APPLICATION_ID, MIGRATIONS
from tests.factories import T0, add_ticket, make_macro_workspace, ticket_id


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(make_macro_workspace(tmp_path / "m.db", tickets=5).path)
    yield database
    database.close()


def matches(db: Database, word: str) -> set[str]:
    """Ids of the macros whose search document has ``word`` (in any column)."""
    with db.read() as conn:
        return {m for m, _ in store.rank_macros(conn, [word], agent_id="AG-LEE", limit=50)}


def fts_ok(db: Database) -> None:
    with db.read() as conn:
        conn.execute("INSERT INTO macro_fts (macro_fts) VALUES ('integrity-check')")


def test_documents_follow_inserts_updates_and_deletes(db: Database) -> None:
    assert matches(db, "roller") == {"MA-PRINTER"}
    with db.transaction() as conn:
        store.update_macro(conn, macro_id="MA-PRINTER", title="Label printer", body="Reboot it.",
                           actions="{}", owner_id=None, at=T0)  # fmt: skip
        store.insert_macro(conn, macro_id="MA-NEW", title="Roller cleaning", body="Use alcohol.",
                           actions="{}", owner_id=None, at=T0)  # fmt: skip
    assert matches(db, "roller") == {"MA-NEW"}
    assert matches(db, "reboot") == {"MA-PRINTER"}
    with db.transaction() as conn:
        store.delete_macro(conn, "MA-NEW")
    assert matches(db, "roller") == set()
    assert matches(db, "alcohol") == set()
    fts_ok(db)


def test_profiles_hold_what_customers_wrote_and_follow_new_uses(db: Database) -> None:
    assert "MA-REFUND" in matches(db, "twice")  # from its past tickets only
    assert matches(db, "toaster") == set()
    with db.transaction() as conn:
        add_ticket(conn, 3000, subject="Broken toaster", body="It sparks")
        store.record_use(conn, macro_id="MA-SHIP", ticket_id=ticket_id(3000), agent_id="AG-ANA",
                         at=T0 + 5)  # fmt: skip
    assert matches(db, "toaster") == {"MA-SHIP"}
    assert matches(db, "sparks") == {"MA-SHIP"}
    with db.read() as conn:
        usage = conn.execute("SELECT usage_count FROM macro WHERE id = 'MA-SHIP'").fetchone()
        tickets = conn.execute(
            "SELECT tickets FROM macro_doc WHERE macro_id = 'MA-SHIP'"
        ).fetchone()
    assert (usage[0], tickets[0]) == (1, 2)
    fts_ok(db)


def test_a_profile_keeps_only_the_latest_tickets(db: Database) -> None:
    with db.transaction() as conn:
        for n in range(store.PROFILE_TICKETS + 5):
            add_ticket(conn, 4000 + n, subject=f"Subject word{n}", body=f"body {n}")
            store.record_use(conn, macro_id="MA-PRINTER", ticket_id=ticket_id(4000 + n),
                             agent_id="AG-ANA", at=T0 + n)  # fmt: skip
        profile, tickets = conn.execute(
            "SELECT profile, tickets FROM macro_doc WHERE macro_id = 'MA-PRINTER'"
        ).fetchone()
    assert tickets == store.PROFILE_TICKETS
    assert "word0\n" not in profile
    assert f"word{store.PROFILE_TICKETS + 4}\n" in profile
    assert matches(db, "word0") == set()
    fts_ok(db)


def test_only_the_message_before_the_reply_is_in_the_profile(db: Database) -> None:
    with db.transaction() as conn:
        add_ticket(conn, 3001, subject="Question", body="earlier words", updated_at=T0)
        store.record_use(conn, macro_id="MA-SHIP", ticket_id=ticket_id(3001), agent_id="AG-ANA",
                         at=T0 + 1)  # fmt: skip
        conn.execute(
            "INSERT INTO message (id, ticket_id, kind, author_customer_id, body, created_at)"
            " VALUES ('LATER', ?, 'customer', 'CU-1', 'afterwards words', ?)",
            (ticket_id(3001), T0 + 2),
        )
        store.refresh_profile(conn, "MA-SHIP")
    assert matches(db, "earlier") == {"MA-SHIP"}
    assert matches(db, "afterwards") == set()


def test_visibility_and_ticket_reads(db: Database) -> None:
    with db.read() as conn:
        ana = [m.id for m in store.visible_macros(conn, "AG-ANA")]
        ranked = store.rank_macros(conn, ["only", "ben"], agent_id="AG-ANA", limit=5)
        text = store.ticket_text(conn, ticket_id(1001))
        facts = store.ticket_facts(conn, ticket_id(1001))
        used = store.macros_used_on(conn, ticket_id(9000))
    assert "MA-BEN" not in ana and "MA-ANA" in ana
    assert ranked == []
    assert text == store.TicketText("Login problem 1", "Message body 1", "Message body 1")
    assert facts is not None and (facts.number, facts.customer_name) == (1001, "José García")
    assert used == {"MA-REFUND"}
    assert store.rank_macros(conn, [], agent_id="AG-ANA", limit=3) == []


def test_terms_are_never_fts_syntax(db: Database) -> None:
    with db.read() as conn:
        assert store.rank_macros(conn, ['"', "OR", "NEAR(", "*"], agent_id="AG-ANA", limit=3) == []


def test_a_version_2_store_gets_documents_for_its_macros(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO macro (id, title, body, created_at, updated_at)"
        " VALUES ('OLD', 'Legacy refund', 'Money back', 1, 1)"
    )
    conn.close()
    db = Database.open(path)
    try:
        assert matches(db, "legacy") == {"OLD"}
        assert matches(db, "money") == {"OLD"}
    finally:
        db.close()
