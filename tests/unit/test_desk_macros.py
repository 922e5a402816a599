"""Macros through the Desk: managing them as mutations with no ticket, and sending one.

Every change is one transaction with one audit event and one outbox row (ticket
NULL for a macro's own changes); a refusal leaves every row as it was.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desk import Desk, DeskError, InvalidTransition, NothingToChange, NotPermitted
from agentdesk.domain.macros import InvalidMacro, InvalidTemplate, MacroNotFound
from storage.agents import agent_by_email
from storage.database import Database
from tests.factories import T0, add_ticket, make_macro_workspace, ticket_id
from tests.store_dump import dump


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("desk-macros") / "template.db"
    make_macro_workspace(path, tickets=12)
    conn = sqlite3.connect(path, isolation_level=None)
    add_ticket(conn, 2000, subject="Closed one", status="closed")
    add_ticket(conn, 2001, subject="Solved one", status="solved")
    add_ticket(conn, 2002, subject="Charged twice on my card", body="Two payments, money back?")
    conn.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "store.db"
    shutil.copy(template, path)
    database = Database.open(path)
    yield database
    database.close()


def desk_for(db: Database, email: str) -> Desk:
    with db.read() as conn:
        agent = agent_by_email(conn, email)
    assert agent is not None
    ticks = iter(range(T0 + 1000, T0 + 10_000_000, 1000))
    return Desk(db, agent, clock=lambda: next(ticks))


@pytest.fixture
def ana(db: Database) -> Desk:
    return desk_for(db, "ana@support.example.com")


@pytest.fixture
def lee(db: Database) -> Desk:
    return desk_for(db, "lee@support.example.com")


def one(db: Database, sql: str, *args: object) -> Any:
    with db.read() as conn:
        return conn.execute(sql, args).fetchone()


def all_rows(db: Database, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        return conn.execute(sql, args).fetchall()


# --------------------------------------------------------------------------- managing macros


def test_create_is_one_mutation_with_no_ticket(db: Database, lee: Desk) -> None:
    recorded = lee.create_macro(
        "Outage", "Hi {{customer.first_name}}, we're on it.", {"status": "on-hold"}, shared=True
    )
    macro = one(db, "SELECT title, body, actions, owner_id FROM macro WHERE id = ?",
                recorded.entity_id)  # fmt: skip
    assert macro == ("Outage", "Hi {{customer.first_name}}, we're on it.",
                     '{"status": "on-hold"}', None)  # fmt: skip
    outbox = all_rows(db, "SELECT op, ticket_id, base_version, args FROM outbox")
    assert len(outbox) == 1
    op, ticket, base, args = outbox[0]
    assert (op, ticket, base) == ("create_macro", None, None)
    assert json.loads(args) == {
        "id": recorded.entity_id,
        "title": "Outage",
        "body": "Hi {{customer.first_name}}, we're on it.",
        "actions": {"status": "on-hold"},
        "shared": True,
    }
    audit = all_rows(db, "SELECT action, ticket_id, field, new_value, mutation_id FROM audit_event")
    assert audit == [
        ("create_macro", None, "macro", "Outage", f"{lee.client_id}:{recorded.mutation_seq}")
    ]


def test_personal_macro_is_the_owners(db: Database, ana: Desk) -> None:
    recorded = ana.create_macro("Mine", "Thanks!")
    assert one(db, "SELECT owner_id FROM macro WHERE id = ?", recorded.entity_id) == ("AG-ANA",)
    assert "Mine" in [m.title for m in ana.macros()]
    ben = desk_for(db, "ben@support.example.com")
    assert "Mine" not in [m.title for m in ben.macros()]


def test_agents_see_shared_and_their_own(ana: Desk) -> None:
    titles = [m.title for m in ana.macros()]
    assert "Refund approved" in titles
    assert "Ana's thanks" in titles
    assert "Ben's secret" not in titles
    assert titles.index("Refund approved") < titles.index("Ana's thanks")  # shared first


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda d: d.create_macro("X", "Hi", shared=True), NotPermitted,
         "shared macros are managed by leads and admins"),
        (lambda d: d.create_macro("X", "Hi {{nope.x}}"), InvalidTemplate, "unknown placeholder"),
        (lambda d: d.create_macro("", "Hi"), InvalidMacro, "the title is empty"),
        (lambda d: d.create_macro("X", "Hi", {"group": "Nowhere"}), InvalidMacro,
         "no group 'Nowhere'; groups: Frontline"),
        (lambda d: d.create_macro("X", "Hi", {"status": "new"}), InvalidMacro, "unknown status"),
        (lambda d: d.update_macro("MA-REFUND", title="T", body="B", actions={}, shared=True),
         NotPermitted, "shared macros are managed by leads and admins"),
        (lambda d: d.delete_macro("MA-REFUND"), NotPermitted, "managed by leads and admins"),
        (lambda d: d.delete_macro("MA-BEN"), NotPermitted,
         "macro \"Ben's secret\" is Ben Okafor's personal macro; only they can change it"),
        (lambda d: d.delete_macro("MA-NONE"), MacroNotFound, "no macro MA-NONE"),
        (lambda d: d.update_macro("MA-ANA", title="Ana's thanks",
                                  body="Thanks, {{customer.name}}! — {{agent.name}}", actions={},
                                  shared=True), NotPermitted, "managed by leads and admins"),
        (lambda d: d.update_macro("MA-ANA", title="Ana's thanks",
                                  body="Thanks, {{customer.name}}! — {{agent.name}}", actions={},
                                  shared=False), NothingToChange, "is already like that"),
        (lambda d: d.send_macro("#1001", "MA-BEN"), MacroNotFound, "no macro MA-BEN"),
        (lambda d: d.send_macro("#2000", "MA-REFUND"), DeskError, "#2000 is closed"),
        (lambda d: d.send_macro("#2001", "MA-RESET"), InvalidTransition,
         "#2001 cannot go from solved to pending"),
        (lambda d: d.send_macro("#1001", "MA-REFUND", body="  "), DeskError, "message is empty"),
    ],
)  # fmt: skip
def test_refusals_write_nothing(
    db: Database, ana: Desk, call: Any, error: type[DeskError], message: str
) -> None:
    before = dump(db)
    with pytest.raises(error) as refused:
        call(ana)
    assert message in str(refused.value)
    assert dump(db) == before


def test_lead_updates_and_deletes_shared(db: Database, lee: Desk) -> None:
    lee.update_macro(
        "MA-REFUND",
        title="Refund issued",
        body="Refunded.",
        actions={"status": "solved"},
        shared=True,
    )
    sql = "SELECT title, body, actions, usage_count FROM macro WHERE id = 'MA-REFUND'"
    assert one(db, sql) == (
        "Refund issued",
        "Refunded.",
        '{"status": "solved"}',
        0,
    )
    audit = one(db, "SELECT action, field, old_value, new_value FROM audit_event")
    assert audit == ("update_macro", "title,body,actions", "Refund approved", "Refund issued")
    lee.delete_macro("MA-REFUND")
    assert one(db, "SELECT count(*) FROM macro WHERE id = 'MA-REFUND'") == (0,)
    assert one(db, "SELECT count(*) FROM macro_use WHERE macro_id = 'MA-REFUND'") == (0,)
    assert [r[0] for r in all_rows(db, "SELECT op FROM outbox ORDER BY seq")] == [
        "update_macro",
        "delete_macro",
    ]


def test_lead_shares_a_personal_macro(db: Database, lee: Desk) -> None:
    mine = lee.create_macro("Lead's", "Hi")
    assert one(db, "SELECT owner_id FROM macro WHERE id = ?", mine.entity_id) == ("AG-LEE",)
    lee.update_macro(mine.entity_id, title="Lead's", body="Hi", actions={}, shared=True)
    assert one(db, "SELECT owner_id FROM macro WHERE id = ?", mine.entity_id) == (None,)


def test_check_workspace_reports_every_refusal_and_writes_nothing(db: Database, ana: Desk) -> None:
    before = dump(db)
    refused = ana.check_workspace(
        [
            ("create_macro", {"title": "ok", "body": "fine"}),
            ("create_macro", {"title": "", "body": "fine"}),
            ("delete_macro", {"id": "MA-REFUND"}),
            ("rename_everything", {}),
        ]
    )
    assert [(n, type(e).__name__) for n, e in refused] == [
        (1, "InvalidMacro"),
        (2, "NotPermitted"),
        (3, "InvalidValue"),
    ]
    assert dump(db) == before


# --------------------------------------------------------------------------- sending a macro


def test_send_macro_replies_applies_actions_and_counts_the_use(db: Database, ana: Desk) -> None:
    applied = ana.send_macro("#1001", "MA-REFUND")
    assert [a.op for a in applied] == ["reply", "add_tags", "set_status"]
    body = one(db, "SELECT body FROM message WHERE ticket_id = ? AND kind = 'public'",
               ticket_id(1001))  # fmt: skip
    assert body == ("Hi José,\n\nI've issued a full refund for your payment.\n\nBest,\nAna",)
    assert one(db, "SELECT status FROM ticket WHERE number = 1001") == ("solved",)
    assert one(db, "SELECT count(*) FROM ticket_tag WHERE ticket_id = ? AND tag = 'refund'",
               ticket_id(1001)) == (1,)  # fmt: skip
    reply_args = json.loads(one(db, "SELECT args FROM outbox WHERE op = 'reply'")[0])
    assert reply_args["macro_id"] == "MA-REFUND"
    assert one(db, "SELECT usage_count FROM macro WHERE id = 'MA-REFUND'") == (1,)
    assert one(db, "SELECT agent_id FROM macro_use WHERE ticket_id = ?", ticket_id(1001)) == (
        "AG-ANA",
    )
    assert one(db, "SELECT count(*) FROM audit_event") == (3,)


def test_edited_body_and_actions_already_satisfied(db: Database, ana: Desk) -> None:
    # #1002 is pending already: the status action is skipped, not refused.
    applied = ana.send_macro("#1002", "MA-RESET", body="My own words")
    assert [a.op for a in applied] == ["reply", "add_tags"]
    assert one(db, "SELECT body FROM message WHERE ticket_id = ? AND kind = 'public'",
               ticket_id(1002)) == ("My own words",)  # fmt: skip


def test_group_and_priority_actions(db: Database, ana: Desk) -> None:
    applied = ana.send_macro("#1001", "MA-SHIP")
    assert [a.op for a in applied] == ["reply", "assign", "add_tags", "set_status"]
    assert one(db, "SELECT group_id FROM ticket WHERE number = 1001") == ("GR-FRONT",)
    body = one(db, "SELECT body FROM message WHERE ticket_id = ? AND kind = 'public'",
               ticket_id(1001))[0]  # fmt: skip
    assert "order #1001 is late" in body


def test_without_actions_sends_only_the_reply(db: Database, ana: Desk) -> None:
    applied = ana.send_macro("#2001", "MA-RESET", with_actions=False)
    assert [a.op for a in applied] == ["reply"]
    assert one(db, "SELECT usage_count FROM macro WHERE id = 'MA-RESET'") == (1,)


def test_bulk_sends_one_macro_rendered_per_ticket(db: Database, ana: Desk) -> None:
    def send(desk: Desk, ticket: str) -> object:
        return desk.send_macro(ticket, "MA-SHIP")

    applied = ana.bulk(["#1001", "#1003"], send)
    assert [(a.number, a.op) for a in applied][:2] == [(1001, "reply"), (1001, "assign")]
    bodies = all_rows(db, "SELECT body FROM message WHERE kind = 'public' ORDER BY seq")
    assert [b for (b,) in bodies][-2:] == [
        "Hi José,\n\nSorry your order #1001 is late.",
        "Hi Zoë,\n\nSorry your order #1003 is late.",
    ]
    assert one(db, "SELECT usage_count FROM macro WHERE id = 'MA-SHIP'") == (2,)


def test_bulk_refusal_names_the_ticket_and_writes_nothing(db: Database, ana: Desk) -> None:
    before = dump(db)
    with pytest.raises(DeskError, match="#2000"):
        ana.bulk(["#1001", "#2000"], lambda desk, t: desk.send_macro(t, "MA-REFUND"))
    assert dump(db) == before


def test_a_replayed_reply_counts_its_macro(db: Database, ana: Desk) -> None:
    ana.apply("reply", "#1001", {"body": "from the hub", "macro_id": "MA-PRINTER"})
    assert one(db, "SELECT usage_count FROM macro WHERE id = 'MA-PRINTER'") == (1,)
    # A macro deleted since is not counted, and the reply is not refused.
    ana.apply("reply", "#1001", {"body": "again", "macro_id": "MA-GONE"})
    assert one(db, "SELECT count(*) FROM macro_use WHERE macro_id = 'MA-GONE'") == (0,)


def test_render_and_values(ana: Desk) -> None:
    assert ana.render_macro("#1001", "MA-ANA") == "Thanks, José García! — Ana Lima"
    values = ana.macro_values("#1001")
    assert values["ticket.id"] == "1001"
    assert values["agent.email"] == "ana@support.example.com"


# --------------------------------------------------------------------------- suggestions


def test_suggestions_learn_from_past_tickets(ana: Desk) -> None:
    # Nothing in the refund macro's own text says "charged" or "card": its past tickets do.
    assert ana.suggest_macros("#2002")[0].id == "MA-REFUND"


def test_suggestions_use_the_macro_text_too(ana: Desk) -> None:
    # "Printer jam number 0": the printer macro's title; no past ticket needed.
    assert ana.suggest_macros("#1000")[0].id == "MA-PRINTER"


def test_suggestions_hide_others_personal_macros_and_put_used_ones_last(
    db: Database, ana: Desk
) -> None:
    ben = desk_for(db, "ben@support.example.com")
    ana.send_macro("#2002", "MA-REFUND", with_actions=False)
    ranked = [m.id for m in ana.suggest_macros("#2002", limit=6)]
    assert ranked[-1] == "MA-REFUND"
    assert "MA-BEN" not in ranked
    assert all(m.id != "MA-ANA" for m in ben.suggest_macros("#2002", limit=6))
