"""The SQLModel classes describe the tables the migrations create, column by column."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import Table
from sqlmodel import Session, SQLModel, create_engine, select

from storage import models
from storage.database import Database
from storage.search import fts_phrase, match_ticket_numbers
from storage.tickets import (
    EVERY_NOTE,
    requester_tickets,
    resolve_ticket_id,
    thread,
    ticket_detail,
)

#: Columns the schema computes itself; the models leave them out on purpose.
GENERATED = {("ticket", "unsolved")}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = tmp_path_factory.mktemp("models") / "schema.db"
    Database.open(path).close()
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


class Col(NamedTuple):
    """One column as ``PRAGMA table_xinfo`` describes it."""

    type: str
    notnull: bool
    pk: int  # position in the primary key, 0 if not part of it
    hidden: int  # 2 or 3 for generated columns


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, Col]:
    return {
        name: Col(decl, bool(notnull), pk, hidden)
        for (_cid, name, decl, notnull, _default, pk, hidden) in conn.execute(
            f"PRAGMA table_xinfo({table})"
        )
    }


def _real_tables(conn: sqlite3.Connection) -> set[str]:
    """Ordinary tables of the schema: no sqlite_* tables, FTS5 tables or their shadows."""
    rows = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").fetchall()
    virtual = {name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")}
    return {
        name
        for name, _ in rows
        if not name.startswith("sqlite_")
        and name not in virtual
        and not any(name.startswith(f"{v}_") for v in virtual)
    }


TABLES = sorted(SQLModel.metadata.tables.items())


def test_models_cover_every_table(schema: sqlite3.Connection) -> None:
    assert set(SQLModel.metadata.tables) == _real_tables(schema)


@pytest.mark.parametrize(("name", "table"), TABLES, ids=[name for name, _ in TABLES])
def test_model_matches_migrated_table(schema: sqlite3.Connection, name: str, table: Table) -> None:
    db = _columns(schema, name)
    assert db, f"table {name} does not exist in the migrated schema"
    stored = {c for c, info in db.items() if (name, c) not in GENERATED}

    # Same column names (generated columns exempt).
    assert {c.name for c in table.columns} == stored

    # Same primary key, in the same order.
    db_pk = [c for c, info in sorted(db.items(), key=lambda kv: kv[1].pk) if info.pk]
    assert [c.name for c in table.primary_key.columns] == db_pk

    # Where the model says NOT NULL, so does the table, and the other way round
    # (INTEGER PRIMARY KEY columns are rowid aliases: SQLite reports them nullable).
    for column in table.columns:
        if column.primary_key:
            continue
        assert (not column.nullable) == db[column.name].notnull, (
            f"{name}.{column.name}: model nullable={column.nullable}, "
            f"schema NOT NULL={db[column.name].notnull}"
        )

    # Same foreign keys.
    model_fks = {
        (fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys
    }
    db_fks = {
        (row[3], row[2], row[4]) for row in schema.execute(f"PRAGMA foreign_key_list({name})")
    }
    assert model_fks == db_fks


@pytest.mark.parametrize(("name", "table"), TABLES, ids=[name for name, _ in TABLES])
def test_single_column_unique_constraints_agree(
    schema: sqlite3.Connection, name: str, table: Table
) -> None:
    db_unique: set[str] = set()
    for _seq, index, unique, origin, _partial in schema.execute(f"PRAGMA index_list({name})"):
        if unique and origin == "u":
            cols = [row[2] for row in schema.execute(f"PRAGMA index_info({index})")]
            if len(cols) == 1:
                db_unique.add(cols[0])
    assert {c.name for c in table.columns if c.unique} == db_unique


def test_generated_column_exists_only_in_the_schema(schema: sqlite3.Connection) -> None:
    info = _columns(schema, "ticket")["unsolved"]
    assert info.hidden in (2, 3)  # generated (virtual or stored)
    assert "unsolved" not in models.Ticket.model_fields


# --------------------------------------------------------------------------- writing via the ORM


def _write_through_orm(path: Path) -> int:
    """Write a small workspace with SQLModel only; return the new ticket's number."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            session.add(
                models.Customer(
                    id="CU-ORM",
                    name="Ørjan Ødegård",
                    email="orjan@example.no",
                    plan="pro",
                    created_at=1_000,
                )
            )
            session.add(
                models.Agent(
                    id="AG-ORM",
                    name="Olu Ade",
                    email="olu@support.example",
                    tier="2",
                    created_at=1_000,
                )
            )
            session.add(models.AgentGroup(id="GR-ORM", name="Billing", tier=2))
            session.add(models.SlaPolicy(id="SLA-ORM", name="Pro plan", plan="pro"))
            session.commit()

            older = models.Ticket(
                id="01ORMTICKETOLDER000000000A",
                subject="Older ticket",
                status="solved",
                channel="email",
                requester_id="CU-ORM",
                created_at=1_000,
                updated_at=1_500,
            )
            ticket = models.Ticket(
                id="01ORMTICKET000000000000000",
                subject="Webhook deliveries delayed",
                priority="high",
                channel="web",
                requester_id="CU-ORM",
                assignee_id="AG-ORM",
                group_id="GR-ORM",
                sla_policy_id="SLA-ORM",
                tier=2,
                created_at=2_000,
                updated_at=3_000,
            )
            session.add(older)
            session.add(ticket)
            session.commit()
            session.refresh(ticket)
            number = ticket.number
            assert number is not None  # the rowid SQLite assigned

            session.add(models.TicketTag(ticket_id=ticket.id, tag="webhooks"))
            session.add(models.TicketTag(ticket_id=ticket.id, tag="api"))
            session.add(
                models.Message(
                    id="MSG-ORM-1",
                    ticket_id=ticket.id,
                    kind="customer",
                    author_customer_id="CU-ORM",
                    body="Deliveries arrive an hour late",
                    created_at=2_000,
                )
            )
            session.add(
                models.Message(
                    id="MSG-ORM-2",
                    ticket_id=ticket.id,
                    kind="internal",
                    author_agent_id="AG-ORM",
                    body="Queue backlog on worker 3",
                    restricted=True,
                    created_at=2_500,
                )
            )
            session.commit()

            # And the ORM reads the schema's defaults and generated values back.
            stored = session.exec(select(models.Ticket).where(models.Ticket.number == number)).one()
            assert (stored.status, stored.version) == ("new", 1)
    finally:
        engine.dispose()
    return number


def test_row_written_through_sqlmodel_is_read_by_storage(tmp_path: Path) -> None:
    path = tmp_path / "orm.db"
    Database.open(path).close()
    number = _write_through_orm(path)

    db = Database.open(path)
    try:
        with db.read() as conn:
            tid = resolve_ticket_id(conn, f"#{number}")
            assert tid == "01ORMTICKET000000000000000"
            detail = ticket_detail(conn, tid)
            assert detail.subject == "Webhook deliveries delayed"
            assert (detail.status, detail.priority, detail.tier) == ("new", "high", 2)
            assert detail.requester_name == "Ørjan Ødegård"
            assert detail.requester_plan == "pro"
            assert detail.assignee_name == "Olu Ade"
            assert detail.group_name == "Billing"
            assert detail.sla_policy == "Pro plan"
            assert detail.tags == ("api", "webhooks")
            assert detail.version == 1

            messages = thread(conn, tid, clearance=EVERY_NOTE)
            assert [(m.author, m.kind, m.restricted) for m in messages] == [
                ("Ørjan Ødegård", "customer", False),
                ("Olu Ade", "internal", True),
            ]

            (other,) = requester_tickets(conn, "CU-ORM", exclude=tid)
            assert other.subject == "Older ticket"

            # The FTS triggers fired for rows the ORM inserted.
            assert match_ticket_numbers(conn, fts_phrase("webhook")) == [number]
            backlog = "SELECT count(*) FROM message_fts WHERE message_fts MATCH '\"backlog\"'"
            assert conn.execute(backlog).fetchone() == (1,)
            # ... though search leaves the restricted note out.
            assert match_ticket_numbers(conn, fts_phrase("backlog")) == []

            unsolved = conn.execute(
                "SELECT unsolved FROM ticket WHERE number = ?", (number,)
            ).fetchone()[0]
            assert unsolved == 1
    finally:
        db.close()
