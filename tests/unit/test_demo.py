"""The demo workspace generator: reproducible, realistic, consistent, and safe to run."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from ulid import ULID

from agentdesk.demo import (
    AGENTS,
    DEFAULT_AGENT_EMAIL,
    DemoSummary,
    bulk,
    corpus,
    generate_workspace,
    produce,
)
from agentdesk.demo.bulk import fts_triggers, secondary_indexes
from agentdesk.demo.scenarios import SCENARIOS
from agentdesk.demo.tickets import Team
from storage.database import Database

NOW_MS = 1_767_268_800_000  # 2026-01-01 12:00 UTC, a Thursday
TICKETS = 1000

DOCUMENTED_AGENTS = {
    "ana@support.example.com": ("Ana Lima", "1"),
    "ben@support.example.com": ("Ben Okafor", "1"),
    "chloe@support.example.com": ("Chloé Martin", "1"),
    "diego@support.example.com": ("Diego Ruiz", "1"),
    "dev@support.example.com": ("Dev Patel", "2"),
    "grace@support.example.com": ("Grace Kim", "2"),
    "eva@support.example.com": ("Eva Novak", "3"),
    "lee@support.example.com": ("Lee Park", "lead"),
    "sam@support.example.com": ("Sam Admin", "admin"),
}

CONTENT_TABLES = (
    "setting",
    "customer",
    "agent_group",
    "agent",
    "agent_group_member",
    "sla_policy",
    "ticket",
    "ticket_tag",
    "message",
    "macro",
    "escalation",
    "macro_use",
    "macro_doc",
)


def _make(path: Path, tickets: int, seed: int = 7) -> tuple[Database, DemoSummary]:
    db = Database.open(path)
    summary = generate_workspace(db, tickets=tickets, seed=seed, now_ms=NOW_MS)
    return db, summary


def _dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    with db.read() as conn:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in CONTENT_TABLES
        }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db, summary = _make(tmp_path_factory.mktemp("demo") / "demo.db", TICKETS)
    yield db, summary
    db.close()


@pytest.fixture(scope="module")
def conn(demo: tuple[Database, DemoSummary]) -> Iterator[sqlite3.Connection]:
    with demo[0].read() as connection:
        yield connection


def _one(conn: sqlite3.Connection, sql: str, *args: object) -> object:
    return conn.execute(sql, args).fetchone()[0]


# --- reproducibility -------------------------------------------------------------------


def test_same_seed_gives_identical_rows(tmp_path: Path) -> None:
    first, _ = _make(tmp_path / "a.db", 400)
    second, _ = _make(tmp_path / "b.db", 400)
    assert _dump(first) == _dump(second)


def test_different_seed_gives_different_rows(tmp_path: Path) -> None:
    first, _ = _make(tmp_path / "a.db", 400, seed=1)
    second, _ = _make(tmp_path / "b.db", 400, seed=2)
    a, b = _dump(first), _dump(second)
    assert a["ticket"] != b["ticket"]
    assert a["message"] != b["message"]


def test_worker_process_and_batch_size_do_not_change_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference, _ = _make(tmp_path / "in-process.db", 300)
    used_worker: list[int] = []
    real = produce._from_worker

    def spy(plan: produce.Plan) -> Iterator[produce.Rows]:
        used_worker.append(plan.tickets)
        yield from real(plan)

    monkeypatch.setattr(produce, "PARALLEL_MIN_TICKETS", 1)
    monkeypatch.setattr(produce, "BATCH_TICKETS", 70)
    monkeypatch.setattr(produce, "_from_worker", spy)
    parallel, summary = _make(tmp_path / "worker.db", 300)
    assert used_worker == [300]
    assert summary.tickets == 300
    assert _dump(parallel) == _dump(reference)


# --- the team --------------------------------------------------------------------------


def test_documented_agents_exist_with_their_tiers(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT email, name, tier, active FROM agent").fetchall()
    assert {email: (name, tier) for email, name, tier, _ in rows} == DOCUMENTED_AGENTS
    assert all(active == 1 for *_, active in rows)
    assert {a.email: (a.name, a.tier) for a in AGENTS} == DOCUMENTED_AGENTS
    assert DEFAULT_AGENT_EMAIL == "ana@support.example.com"


def test_groups_have_members_of_their_tier(conn: sqlite3.Connection) -> None:
    groups = dict(conn.execute("SELECT name, tier FROM agent_group").fetchall())
    assert groups == {"Frontline": 1, "Billing": 1, "Technical": 2, "Engineering": 3}
    members = conn.execute(
        "SELECT g.name, a.email FROM agent_group_member m JOIN agent a ON a.id = m.agent_id "
        "JOIN agent_group g ON g.id = m.group_id"
    ).fetchall()
    assert ("Frontline", "ana@support.example.com") in members
    assert ("Billing", "ana@support.example.com") in members
    assert ("Technical", "dev@support.example.com") in members
    assert ("Engineering", "eva@support.example.com") in members


def test_settings_rows_are_written(conn: sqlite3.Connection) -> None:
    settings = dict(conn.execute("SELECT key, value FROM setting").fetchall())
    assert settings["demo.tickets"] == str(TICKETS)
    assert settings["demo.seed"] == "7"
    assert settings["demo.now_ms"] == str(NOW_MS)
    assert settings["default_agent"] == DEFAULT_AGENT_EMAIL


def test_summary_counts_match_the_store(
    demo: tuple[Database, DemoSummary], conn: sqlite3.Connection
) -> None:
    summary = demo[1]
    assert summary.tickets == _one(conn, "SELECT count(*) FROM ticket") == TICKETS
    assert summary.messages == _one(conn, "SELECT count(*) FROM message")
    assert summary.customers == _one(conn, "SELECT count(*) FROM customer") == 250
    assert summary.agents == 9
    assert summary.macros == _one(conn, "SELECT count(*) FROM macro")
    assert summary.escalations == _one(conn, "SELECT count(*) FROM escalation")
    assert summary.elapsed_seconds > 0


# --- tickets and threads ---------------------------------------------------------------


def test_every_ticket_opens_with_a_customer_message(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT t.number, count(m.seq), "
        "(SELECT kind FROM message f WHERE f.ticket_id = t.id ORDER BY f.seq LIMIT 1) "
        "FROM ticket t LEFT JOIN message m ON m.ticket_id = t.id GROUP BY t.number"
    ).fetchall()
    assert len(rows) == TICKETS
    assert all(1 <= count <= 6 for _, count, _ in rows)
    assert {first for *_, first in rows} == {"customer"}
    average = sum(count for _, count, _ in rows) / len(rows)
    assert 2.2 <= average <= 3.0


def test_threads_mix_replies_follow_ups_and_internal_notes(conn: sqlite3.Connection) -> None:
    kinds = dict(conn.execute("SELECT kind, count(*) FROM message GROUP BY kind").fetchall())
    assert set(kinds) == {"customer", "public", "internal"}
    notes = [b for (b,) in conn.execute("SELECT body FROM message WHERE kind = 'internal'")]
    assert any(n.startswith("Checked logs") for n in notes)
    public = conn.execute(
        "SELECT count(*) FROM message WHERE kind = 'public' AND author_agent_id IS NULL"
    ).fetchone()[0]
    customer = conn.execute(
        "SELECT count(*) FROM message m JOIN ticket t ON t.id = m.ticket_id "
        "WHERE m.kind = 'customer' AND m.author_customer_id IS NOT t.requester_id"
    ).fetchone()[0]
    assert public == customer == 0


def test_statuses_channels_priorities_and_tiers_are_all_represented(
    conn: sqlite3.Connection,
) -> None:
    def counts(column: str) -> dict[object, int]:
        return dict(conn.execute(f"SELECT {column}, count(*) FROM ticket GROUP BY 1").fetchall())

    statuses = counts("status")
    assert set(statuses) == {"new", "open", "pending", "on-hold", "solved", "closed"}
    assert statuses["closed"] > TICKETS / 2
    assert set(counts("channel")) == {"email", "chat", "web", "social", "phone"}
    assert counts("channel")["email"] > counts("channel")["chat"] > counts("channel")["phone"]
    priorities = counts("priority")
    assert set(priorities) == {"low", "normal", "high", "urgent"}
    assert priorities["normal"] > priorities["high"] > priorities["urgent"]
    tiers = counts("tier")
    assert set(tiers) == {1, 2, 3}
    assert tiers[1] > tiers[2] > tiers[3]
    unsolved = _one(conn, "SELECT sum(unsolved) FROM ticket")
    assert isinstance(unsolved, int)
    assert 0.03 * TICKETS <= unsolved <= 0.12 * TICKETS


def test_subjects_vary(conn: sqlite3.Connection) -> None:
    distinct = _one(conn, "SELECT count(DISTINCT subject) FROM ticket")
    assert isinstance(distinct, int)
    assert distinct > TICKETS * 0.4


def test_ana_has_open_tickets_assigned(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT t.status FROM ticket t JOIN agent a ON a.id = t.assignee_id "
        "WHERE a.email = ? AND t.unsolved",
        (DEFAULT_AGENT_EMAIL,),
    ).fetchall()
    assert len(rows) >= 5
    assert ("open",) in rows


def test_assignees_match_the_ticket_tier(conn: sqlite3.Connection) -> None:
    mismatched = conn.execute(
        "SELECT count(*) FROM ticket t JOIN agent a ON a.id = t.assignee_id "
        "WHERE a.tier != CAST(t.tier AS TEXT)"
    ).fetchone()[0]
    assert mismatched == 0
    unassigned_new = _one(
        conn, "SELECT count(*) FROM ticket WHERE status = 'new' AND assignee_id IS NULL"
    )
    assert isinstance(unassigned_new, int) and unassigned_new > 0
    group_tiers = conn.execute(
        "SELECT DISTINCT t.tier, g.tier FROM ticket t JOIN agent_group g ON g.id = t.group_id"
    ).fetchall()
    assert all(ticket_tier == group_tier for ticket_tier, group_tier in group_tiers)


def test_times_are_consistent(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT t.number, t.status, t.created_at, t.updated_at, t.first_response_at, "
        "t.solved_at, min(m.created_at), max(m.created_at), "
        "min(CASE WHEN m.kind = 'public' THEN m.created_at END) "
        "FROM ticket t JOIN message m ON m.ticket_id = t.id GROUP BY t.number ORDER BY t.number"
    ).fetchall()
    assert rows[0][0] == 1000
    previous = 0
    for _, status, created, updated, first, solved, m_min, m_max, p_min in rows:
        assert created >= previous
        previous = created
        assert NOW_MS - 400 * 86_400_000 < created <= updated < NOW_MS
        assert m_min == created and m_max == updated
        assert first == p_min
        assert (solved is not None) == (status in ("solved", "closed"))
        if solved is not None:
            assert created <= solved <= updated
    numbers = [r[0] for r in rows]
    assert numbers == list(range(1000, 1000 + TICKETS))
    # Denser recently: the last quarter of the year holds more than a quarter of tickets.
    recent = sum(1 for r in rows if r[2] > NOW_MS - 91 * 86_400_000)
    assert recent > TICKETS * 0.3


def test_ids_are_ulids_of_the_row_time(conn: sqlite3.Connection) -> None:
    for ticket_id, created in conn.execute("SELECT id, created_at FROM ticket LIMIT 50"):
        assert ULID.from_str(ticket_id).milliseconds == created
    for message_id, created in conn.execute("SELECT id, created_at FROM message LIMIT 50"):
        assert ULID.from_str(message_id).milliseconds == created


def test_tags_follow_the_scenario_and_plan(conn: sqlite3.Connection) -> None:
    tags = dict(conn.execute("SELECT tag, count(*) FROM ticket_tag GROUP BY tag").fetchall())
    for tag in ("billing", "refund", "login", "bug", "outage", "vip", "escalated"):
        assert tags.get(tag, 0) > 0, tag
    vip_not_enterprise = _one(
        conn,
        "SELECT count(*) FROM ticket_tag g JOIN ticket t ON t.id = g.ticket_id "
        "JOIN customer c ON c.id = t.requester_id WHERE g.tag = 'vip' AND c.plan != 'enterprise'",
    )
    assert vip_not_enterprise == 0


def test_rows_satisfy_constraints_that_bulk_mode_skips(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    bad_enum = _one(
        conn,
        "SELECT count(*) FROM ticket WHERE status NOT IN "
        "('new', 'open', 'pending', 'on-hold', 'solved', 'closed') "
        "OR priority NOT IN ('low', 'normal', 'high', 'urgent') "
        "OR channel NOT IN ('email', 'chat', 'web', 'social', 'phone') OR tier NOT BETWEEN 1 AND 3",
    )
    assert bad_enum == 0
    assert _one(conn, "SELECT count(*) FROM ticket WHERE version != 1") == 0


# --- customers, SLAs, macros, escalations ----------------------------------------------


def test_customers_are_varied_and_share_organizations(conn: sqlite3.Connection) -> None:
    plans = dict(conn.execute("SELECT plan, count(*) FROM customer GROUP BY plan").fetchall())
    assert plans["free"] > plans["pro"] > plans["enterprise"] > 0
    names = [n for (n,) in conn.execute("SELECT name FROM customer")]
    assert sum(1 for n in names if not n.isascii()) > 10
    shared = _one(
        conn,
        "SELECT max(n) FROM (SELECT count(*) n FROM customer "
        "WHERE organization IS NOT NULL GROUP BY organization)",
    )
    assert isinstance(shared, int) and shared >= 3
    repeat = _one(
        conn,
        "SELECT count(*) FROM (SELECT requester_id FROM ticket GROUP BY 1 HAVING count(*) > 2)",
    )
    assert isinstance(repeat, int) and repeat > 50


def test_sla_policies_and_ticket_policies(conn: sqlite3.Connection) -> None:
    policies = conn.execute(
        "SELECT name, priority, plan, first_response_minutes, calendar FROM sla_policy "
        "ORDER BY position"
    ).fetchall()
    assert len(policies) >= 5
    for *_, calendar in policies:
        parsed = json.loads(calendar)
        assert {"tz", "hours", "holidays"} <= set(parsed)
        assert set(parsed["hours"]) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    missing = _one(conn, "SELECT count(*) FROM ticket WHERE sla_policy_id IS NULL")
    assert missing == 0
    enterprise_policies = conn.execute(
        "SELECT DISTINCT p.plan FROM ticket t JOIN customer c ON c.id = t.requester_id "
        "JOIN sla_policy p ON p.id = t.sla_policy_id WHERE c.plan = 'enterprise'"
    ).fetchall()
    assert enterprise_policies == [("enterprise",)]


def test_starter_macros(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT title, body, actions, owner_id, usage_count FROM macro WHERE owner_id IS NULL"
    ).fetchall()
    assert 15 <= len(rows) <= 20
    bodies = " ".join(body for _, body, *_ in rows)
    for placeholder in ("customer.first_name", "customer.name", "ticket.id", "ticket.subject",
                        "agent.first_name", "agent.name"):  # fmt: skip
        assert "{{" + placeholder + "}}" in bodies
    actions = [json.loads(a) for _, _, a, *_ in rows]
    assert {"status": "pending", "add_tags": ["refund"]} in actions
    assert len({usage for *_, usage in rows}) > 5


def test_every_demo_macro_passes_the_checks_of_a_saved_macro() -> None:
    from agentdesk.demo.macros import PERSONAL_MACROS, STARTER_MACROS  # noqa: PLC0415
    from agentdesk.domain.macros import check_macro  # noqa: PLC0415

    for macro in (*STARTER_MACROS, *(m for _, m in PERSONAL_MACROS)):
        check_macro(macro.title, macro.body, macro.actions, shared=True)


def test_personal_macros_belong_to_their_owners(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT a.email, m.title FROM macro m JOIN agent a ON a.id = m.owner_id"
    ).fetchall()
    assert ("ana@support.example.com", "Ana — quick check-in") in rows
    assert {email for email, _ in rows} == {"ana@support.example.com", "dev@support.example.com"}


def test_replies_written_by_starter_macros_are_recorded_as_uses(conn: sqlite3.Connection) -> None:
    uses = _one(conn, "SELECT count(*) FROM macro_use")
    assert isinstance(uses, int) and uses > TICKETS // 10
    # Each use is a public reply by its agent at that moment, on a ticket of the macro's kind.
    orphans = _one(
        conn,
        "SELECT count(*) FROM macro_use u WHERE NOT EXISTS (SELECT 1 FROM message m"
        " WHERE m.ticket_id = u.ticket_id AND m.kind = 'public' AND m.created_at = u.at"
        " AND m.author_agent_id = u.agent_id)",
    )
    assert orphans == 0
    refund_tags = conn.execute(
        "SELECT DISTINCT tt.tag FROM macro_use u JOIN macro m ON m.id = u.macro_id"
        " JOIN ticket_tag tt ON tt.ticket_id = u.ticket_id WHERE m.title = 'Refund approved'"
    ).fetchall()
    assert ("billing",) in refund_tags
    # Usage counts include the recorded uses; profiles hold the latest tickets.
    least = _one(
        conn,
        "SELECT min(m.usage_count - (SELECT count(*) FROM macro_use u WHERE u.macro_id = m.id))"
        " FROM macro m",
    )
    assert least == 0
    profiled = _one(conn, "SELECT count(*) FROM macro_doc WHERE tickets > 0")
    assert isinstance(profiled, int) and profiled >= 10


def test_escalations_for_tier_2_and_3_tickets(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT t.tier, t.unsolved, max(e.to_tier), count(e.id), min(e.summary != ''), "
        "min(e.tried != ''), min(e.impact != '') FROM ticket t "
        "LEFT JOIN escalation e ON e.ticket_id = t.id WHERE t.tier > 1 GROUP BY t.number"
    ).fetchall()
    assert rows
    for tier, _, to_tier, count, summary, tried, impact in rows:
        assert to_tier == tier
        assert count == tier - 1
        assert summary == tried == impact == 1
    states = {s for (s,) in conn.execute("SELECT state FROM escalation")}
    assert {"open", "acknowledged", "closed"} <= states
    notes = _one(
        conn, "SELECT count(*) FROM message WHERE kind = 'internal' AND body LIKE 'Escalating to%'"
    )
    assert notes == _one(conn, "SELECT count(*) FROM escalation")


# --- search, hostile text, bulk mode ---------------------------------------------------


def test_full_text_search_finds_subjects_and_bodies(conn: sqlite3.Connection) -> None:
    subjects = [
        s
        for (s,) in conn.execute(
            "SELECT t.subject FROM ticket_fts f JOIN ticket t ON t.number = f.rowid "
            "WHERE ticket_fts MATCH 'refund'"
        )
    ]
    expected = _one(conn, "SELECT count(*) FROM ticket WHERE subject LIKE '%refund%'")
    assert subjects and len(subjects) == expected
    assert all("refund" in s.lower() for s in subjects)
    bodies = _one(conn, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'checked logs'")
    assert isinstance(bodies, int) and bodies > 0
    conn.execute("INSERT INTO ticket_fts (ticket_fts) VALUES ('integrity-check')")
    conn.execute("INSERT INTO message_fts (message_fts) VALUES ('integrity-check')")


def test_triggers_and_indexes_are_restored_verbatim(
    demo: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    fresh = Database.open(tmp_path / "fresh.db")
    with fresh.read() as reference, demo[0].read() as generated:
        assert fts_triggers(generated) == fts_triggers(reference)
        assert len(fts_triggers(generated)) == 6
        assert secondary_indexes(generated) == secondary_indexes(reference)
    fresh.close()


def test_search_triggers_work_after_generation(tmp_path: Path) -> None:
    db, _ = _make(tmp_path / "t.db", 60)
    with db.transaction() as conn:
        requester = conn.execute("SELECT id FROM customer LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO ticket (id, subject, channel, requester_id, created_at, updated_at) "
            "VALUES ('01JTESTTICKET0000000000000', 'Zanzibar flamingo', 'email', ?, 1, 1)",
            (requester,),
        )
    with db.read() as conn:
        hits = conn.execute("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH 'flamingo'")
        assert len(hits.fetchall()) == 1


def test_connection_pragmas_are_restored(demo: tuple[Database, DemoSummary]) -> None:
    with demo[0].read() as conn:
        assert _one(conn, "PRAGMA synchronous") == 1
        assert _one(conn, "PRAGMA foreign_keys") == 1
        assert _one(conn, "PRAGMA ignore_check_constraints") == 0
        assert _one(conn, "PRAGMA cache_size") == -8000


def test_hostile_text_is_planted_in_customer_messages(conn: sqlite3.Connection) -> None:
    for needle in (
        "[bold red]URGENT[/]",
        "[link=http://evil.example]click[/link]",
        "\x1b[2J\x1b[31m",
    ):
        kinds = {
            k
            for (k,) in conn.execute("SELECT kind FROM message WHERE instr(body, ?) > 0", (needle,))
        }
        assert kinds == {"customer"}, needle
    hostile = _one(conn, "SELECT count(*) FROM message WHERE instr(body, char(27)) > 0")
    assert isinstance(hostile, int) and hostile >= 1
    subject = _one(conn, "SELECT count(*) FROM ticket WHERE subject LIKE '[bold red]URGENT[/]%'")
    assert subject == 1


# --- refusals and failure --------------------------------------------------------------


def test_refuses_a_store_that_has_tickets(demo: tuple[Database, DemoSummary]) -> None:
    db = demo[0]
    with pytest.raises(ValueError, match="already has tickets"):
        generate_workspace(db, tickets=10, now_ms=NOW_MS)
    with db.read() as conn:
        assert _one(conn, "SELECT count(*) FROM ticket") == TICKETS


def test_refuses_a_non_positive_size(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "empty.db")
    with pytest.raises(ValueError, match="at least 1"):
        generate_workspace(db, tickets=0)
    db.close()


def test_progress_reports_every_batch_and_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(produce, "BATCH_TICKETS", 100)
    calls: list[tuple[int, int]] = []
    db = Database.open(tmp_path / "p.db")
    generate_workspace(db, tickets=350, now_ms=NOW_MS, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(100, 350), (200, 350), (300, 350), (350, 350)]
    db.close()


def test_a_failed_run_leaves_an_empty_store_that_can_be_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(produce, "BATCH_TICKETS", 100)
    db = Database.open(tmp_path / "f.db")

    def interrupt(done: int, total: int) -> None:
        if done >= 200:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_workspace(db, tickets=500, now_ms=NOW_MS, progress=interrupt)
    with db.read() as conn:
        for table in ("ticket", "message", "ticket_tag", "escalation", "customer"):
            assert _one(conn, f"SELECT count(*) FROM {table}") == 0, table
        assert len(fts_triggers(conn)) == 6
        assert _one(conn, "PRAGMA foreign_keys") == 1
        assert _one(conn, "SELECT count(*) FROM setting WHERE key LIKE 'demo.%'") == 0
    summary = generate_workspace(db, tickets=500, now_ms=NOW_MS)
    assert summary.tickets == 500
    with db.read() as conn:
        assert _one(conn, "SELECT count(*) FROM agent") == 9
        assert _one(conn, "SELECT count(*) FROM macro") == summary.macros
    db.close()


def test_an_interrupted_search_rebuild_also_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(conn: sqlite3.Connection, table: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk, "_rebuild", interrupted)
    db = Database.open(tmp_path / "r.db")
    with pytest.raises(KeyboardInterrupt):
        generate_workspace(db, tickets=120, now_ms=NOW_MS)
    fresh = Database.open(tmp_path / "fresh.db")
    with db.read() as conn, fresh.read() as reference:
        assert _one(conn, "SELECT count(*) FROM ticket") == 0
        assert _one(conn, "SELECT count(*) FROM message") == 0
        assert fts_triggers(conn) == fts_triggers(reference)
        assert secondary_indexes(conn) == secondary_indexes(reference)
        assert _one(conn, "PRAGMA foreign_keys") == 1
        assert _one(conn, "PRAGMA synchronous") == 1
    monkeypatch.undo()
    assert generate_workspace(db, tickets=120, now_ms=NOW_MS).tickets == 120
    fresh.close()
    db.close()


def test_a_failing_worker_is_reported(tmp_path: Path) -> None:
    broken = produce.Plan(
        tickets=10,
        customers=5,
        now_ms=NOW_MS,
        first_number=1000,
        first_seq=1,
        team=Team(group_ids={}, members={}, sla_ids={}),
        rng_state=random.Random(1).getstate(),
    )
    with pytest.raises(RuntimeError, match="KeyError"):
        list(produce._from_worker(broken))


def test_every_template_uses_known_slots() -> None:
    rng = random.Random(3)
    values = {name: fill(rng) for name, fill in corpus.SLOTS.items()}
    values.update(plan="pro", company=corpus.COMPANY)
    for scenario in SCENARIOS:
        assert scenario.variants, scenario.key
        texts = [*scenario.followups, *scenario.notes, *scenario.updates, *scenario.subjects_i18n]
        for variant in scenario.variants:
            texts += [*variant.subjects, variant.opening, variant.first_reply, variant.resolution]
        for text in texts:
            assert "{" not in text.format_map(values), (scenario.key, text)
