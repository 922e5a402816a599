"""SLA clocks through the Desk: every write that moves a clock stores it in its own
transaction; policy edits are audited mutations; a recompute agrees with the writes.

The workspace is :func:`tests.factories.make_sla_workspace` (policies around the
clock, clocks computed at ``T0``): #1000 is new/low (first reply due 20 minutes after
creation), #1001 open/normal (2 hours), #1002 pending/high, #1003 on-hold/urgent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.desk import Action, Desk, DeskError, NothingToChange, NotPermitted
from agentdesk.domain.workflow import InvalidValue
from agentdesk.ops.sla import affected, recompute
from storage.agents import agent_by_email
from storage.database import Database
from storage.sla import policy_named
from tests.factories import MINUTE, T0, make_sla_workspace, ticket_id

HOUR = 60 * MINUTE


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sla_workspace(tmp_path_factory.mktemp("desk-sla") / "template.db", 24).path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "store.db"
    shutil.copy(template, path)
    database = Database.open(path)
    yield database
    database.close()


class Clock:
    """A settable clock for the Desk: tests move time on by hand."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + 5 * MINUTE)


def desk_for(db: Database, email: str, clock: Clock) -> Desk:
    with db.read() as conn:
        agent = agent_by_email(conn, email)
    assert agent is not None
    return Desk(db, agent, clock=clock)


@pytest.fixture
def ana(db: Database, clock: Clock) -> Desk:
    return desk_for(db, "ana@support.example.com", clock)


@pytest.fixture
def lee(db: Database, clock: Clock) -> Desk:
    return desk_for(db, "lee@support.example.com", clock)


def columns(db: Database, number: int) -> tuple[Any, ...]:
    """(policy, due_at, target, paused_left_ms) of ticket ``number``."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT sla_policy_id, sla_due_at, sla_target, sla_paused_left_ms FROM ticket"
            " WHERE number = ?",
            (number,),
        ).fetchone()
    return tuple(row)


def clocks(db: Database, number: int) -> list[tuple[Any, ...]]:
    """(target, cycle, ended_at, elapsed_ms, due_at, met) of each clock row, in key order."""
    with db.read() as conn:
        return conn.execute(
            "SELECT target, cycle, ended_at, elapsed_ms, due_at, met FROM sla_clock"
            " WHERE ticket_id = ? ORDER BY target, cycle",
            (ticket_id(number),),
        ).fetchall()


def history(db: Database, number: int) -> list[tuple[int, str]]:
    with db.read() as conn:
        return conn.execute(
            "SELECT at, status FROM ticket_status_change WHERE ticket_id = ? ORDER BY at",
            (ticket_id(number),),
        ).fetchall()


def created(number: int) -> int:
    """Creation time of a factory ticket: ``i + 1`` minutes before T0."""
    return T0 - (number - 1000 + 1) * MINUTE


# --------------------------------------------------------------------------- writes


def test_a_reply_ends_the_first_response_and_stores_the_next_due_target(
    db: Database, ana: Desk, clock: Clock
) -> None:
    assert columns(db, 1000) == ("SP-LOW", created(1000) + 20 * MINUTE, "first_response", None)
    ana.reply("1000", "Looking into it")
    # First reply met after 6 minutes; resolution (8 h) is now what falls due next.
    assert columns(db, 1000) == ("SP-LOW", created(1000) + 8 * HOUR, "resolution", None)
    assert clocks(db, 1000) == [
        ("first_response", 0, clock.now, 6 * MINUTE, None, 1),
        ("resolution", 0, None, 6 * MINUTE, created(1000) + 8 * HOUR, None),
    ]


def test_pending_pauses_and_reopening_resumes_with_a_later_due_time(
    db: Database, ana: Desk, clock: Clock
) -> None:
    ana.set_status("1001", "pending")  # 7 minutes after creation
    assert columns(db, 1001) == ("SP-ANY", None, "first_response", 113 * MINUTE)
    clock.now += 3 * HOUR
    ana.set_status("1001", "open")
    # Three paused hours push the 2-hour first response back by three hours.
    assert columns(db, 1001)[1:3] == (created(1001) + 5 * HOUR, "first_response")
    assert history(db, 1001) == [(T0 + 5 * MINUTE, "pending"), (clock.now, "open")]


def test_solving_ends_every_open_target(db: Database, ana: Desk, clock: Clock) -> None:
    ana.set_status("1000", "solved")
    assert columns(db, 1000) == ("SP-LOW", None, None, None)
    assert [(target, ended, met) for target, _, ended, _, _, met in clocks(db, 1000)] == [
        ("first_response", clock.now, 1),
        ("resolution", clock.now, 1),
    ]


def test_a_priority_change_chooses_the_policy_again(db: Database, ana: Desk) -> None:
    ana.set_priority("1000", "normal")
    assert columns(db, 1000) == ("SP-ANY", created(1000) + 2 * HOUR, "first_response", None)


def test_a_note_or_a_tag_leaves_the_clocks_alone(db: Database, ana: Desk) -> None:
    before = (columns(db, 1000), clocks(db, 1000))
    ana.note("1000", "internal only")
    ana.add_tags("1000", ["billing"])
    assert (columns(db, 1000), clocks(db, 1000)) == before


def test_the_clocks_are_written_in_the_action_s_transaction(db: Database, ana: Desk) -> None:
    before = (columns(db, 1000), clocks(db, 1000), history(db, 1000))
    with pytest.raises(DeskError):  # the second action is refused: nothing is written
        ana.apply_many(
            [
                Action("set_status", "1000", {"status": "pending"}),
                Action("set_status", "1000", {"status": "new"}),
            ]
        )
    assert (columns(db, 1000), clocks(db, 1000), history(db, 1000)) == before


def test_a_bulk_action_moves_each_ticket_s_clock(db: Database, ana: Desk) -> None:
    ana.bulk(["1000", "1004"], lambda desk, ticket: desk.set_status(ticket, "pending"))
    assert columns(db, 1000)[1:3] == (None, "first_response")
    assert columns(db, 1004)[1:3] == (None, "first_response")


def test_a_merge_closes_the_duplicate_s_clocks(db: Database, ana: Desk, clock: Clock) -> None:
    ana.merge("1003", "1000")  # both from the same requester (CU-1)
    assert columns(db, 1003) == ("SP-ANY", None, None, None)
    assert all(ended == clock.now for _, _, ended, _, _, _ in clocks(db, 1003))


# --------------------------------------------------------------------------- status history


def test_every_status_change_is_recorded_by_the_trigger(db: Database) -> None:
    with db.transaction() as conn:  # as a sync pull would write it, bypassing the Desk
        conn.execute(
            "UPDATE ticket SET status = 'solved', updated_at = ? WHERE number = 1001", (T0 + 1,)
        )
        conn.execute(
            "UPDATE ticket SET priority = 'high', updated_at = ? WHERE number = 1001", (T0 + 2,)
        )
        conn.execute(
            "UPDATE ticket SET status = 'solved', updated_at = ? WHERE number = 1001", (T0 + 3,)
        )
    assert history(db, 1001) == [(T0 + 1, "solved")]  # the same status again is no change


# --------------------------------------------------------------------------- recompute


def test_a_recompute_stores_what_the_writes_stored(db: Database, ana: Desk, clock: Clock) -> None:
    ana.reply("1000", "On it")
    clock.now += 20 * MINUTE
    ana.set_status("1001", "pending")
    clock.now += 2 * HOUR
    ana.set_status("1001", "open")
    ana.reply("1001", "Back to you")
    clock.now += 1 * HOUR
    ana.set_status("1000", "solved")
    ana.set_priority("1005", "urgent")
    incremental = _derived(db)
    with db.transaction() as conn:  # forget everything derived
        conn.execute("DELETE FROM sla_clock")
        conn.execute("UPDATE ticket SET sla_policy_id = NULL, sla_due_at = NULL")
    assert recompute(db, now=clock.now, unsolved_only=False) == 24
    assert _derived(db) == incremental


def _derived(db: Database) -> tuple[list[Any], list[Any]]:
    """Every derived column and clock row, the time counted so far by an open clock
    aside (it is as of the ticket's last write)."""
    with db.read() as conn:
        tickets = conn.execute(
            "SELECT number, sla_policy_id, sla_due_at, sla_target, sla_paused_left_ms"
            " FROM ticket ORDER BY number"
        ).fetchall()
        rows = conn.execute(
            "SELECT ticket_id, target, cycle, policy_id, started_at, ended_at,"
            " CASE WHEN ended_at IS NULL THEN NULL ELSE elapsed_ms END, target_ms, due_at, met"
            " FROM sla_clock ORDER BY ticket_id, target, cycle"
        ).fetchall()
    return tickets, rows


# --------------------------------------------------------------------------- policies


def _audit(db: Database) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        return conn.execute(
            "SELECT a.ticket_id, a.action, a.field, a.old_value, a.new_value, o.op, o.ticket_id"
            " FROM audit_event AS a JOIN outbox AS o ON a.mutation_id = o.client_id || ':' || o.seq"
            " ORDER BY a.rowid"
        ).fetchall()


def test_setting_a_policy_is_one_audited_mutation(db: Database, lee: Desk) -> None:
    lee.set_sla_policy("Low", {"first_response_minutes": 45, "calendar": {"tz": "Europe/Berlin"}})
    (event,) = _audit(db)
    assert event[:3] == (None, "set_sla_policy", "first_response_minutes,calendar")
    assert event[3] == (
        "Low (low · any plan): first reply 20m, next reply 1h, resolution 8h; 24x7 UTC"
    )
    assert event[4] == (
        "Low (low · any plan): first reply 45m, next reply 1h, resolution 8h; 24x7 Europe/Berlin"
    )
    assert event[5:] == ("set_sla_policy", None)
    with db.read() as conn:
        stored = policy_named(conn, "low")
    assert stored is not None and stored.first_response_minutes == 45


def test_a_new_policy_is_tried_last_unless_placed(db: Database, lee: Desk) -> None:
    lee.set_sla_policy("VIP", {"plan": "enterprise", "first_response_minutes": 5})
    lee.set_sla_policy("Top", {"first_response_minutes": 1, "position": -1})
    with db.read() as conn:
        vip, top = policy_named(conn, "VIP"), policy_named(conn, "Top")
    assert vip is not None and vip.position == 2
    assert top is not None and top.position == -1


def test_a_policy_edit_then_its_tickets_recomputed(db: Database, lee: Desk) -> None:
    with db.read() as conn:
        old = policy_named(conn, "Low")
    lee.set_sla_policy("Low", {"first_response_minutes": 60})
    with db.read() as conn:
        new = policy_named(conn, "Low")
    assert columns(db, 1000)[1] == created(1000) + 20 * MINUTE  # not yet recomputed
    assert lee.recompute_sla(matching=affected(old, new)) == 6  # the six low tickets
    assert columns(db, 1000)[1] == created(1000) + HOUR


@pytest.mark.parametrize(
    ("name", "changes", "error", "message"),
    [
        ("Low", {"calendar": '{"hours": {"tue": [["09:00", "25:00"]]}}'}, InvalidValue,
         "calendar.hours.tue[0]: '25:00' is not a time of day"),
        ("Low", {"calendar": {"tz": "Mars/Olympus"}}, InvalidValue,
         "calendar.tz: unknown time zone 'Mars/Olympus'"),
        ("Low", {"first_response_minutes": 0}, InvalidValue,
         "SLA policy 'Low': first_response_minutes must be a whole number of minutes above 0"),
        ("Low", {"plan": "gold"}, InvalidValue, "unknown plan 'gold'"),
        ("New", {"priority": "urgent"}, InvalidValue, "SLA policy 'New': set at least one target"),
        ("Low", {"first_response_minutes": 20}, NothingToChange,
         "SLA policy 'Low' is already like that"),
        ("", {"first_response_minutes": 20}, InvalidValue, "a policy needs a name"),
    ],
)  # fmt: skip
def test_a_bad_policy_is_refused_naming_what_is_wrong(
    db: Database,
    lee: Desk,
    name: str,
    changes: dict[str, object],
    error: type[DeskError],
    message: str,
) -> None:
    with pytest.raises(error) as caught:
        lee.set_sla_policy(name, changes)
    assert str(caught.value).startswith(message)
    assert _audit(db) == []


def test_renaming_onto_another_policy_is_refused(db: Database, lee: Desk) -> None:
    with db.read() as conn:
        low = policy_named(conn, "Low")
    assert low is not None
    with pytest.raises(InvalidValue, match="another policy is already called 'Everything else'"):
        lee.apply_workspace("set_sla_policy", {"id": low.id, "name": "everything else"})


def test_only_leads_and_admins_set_policies(db: Database, ana: Desk) -> None:
    with pytest.raises(NotPermitted, match="SLA policies are set by leads and admins"):
        ana.set_sla_policy("Low", {"first_response_minutes": 5})
    assert _audit(db) == []


def test_an_unusable_stored_policy_is_skipped_not_fatal(db: Database, ana: Desk) -> None:
    with db.transaction() as conn:  # written by another tool, around our checks
        conn.execute("UPDATE sla_policy SET calendar = '{\"tz\": 5}' WHERE id = 'SP-LOW'")
    ana.reply("1000", "Still works")
    assert columns(db, 1000)[0] == "SP-ANY"  # the next policy that matches


def test_the_ticket_s_clocks_as_they_stand(db: Database, ana: Desk, clock: Clock) -> None:
    found = ana.ticket_sla("1000")
    assert found.policy is not None and found.policy.name == "Low"
    assert found.clocks is not None and found.clocks.first_response is not None
    assert found.clocks.first_response.elapsed_ms == 6 * MINUTE  # at the Desk's now
    assert clocks(db, 1000)[0][3] == MINUTE  # nothing written: the stored row is as of T0


# --------------------------------------------------------------------------- escalations


def test_an_escalation_s_handoff_target_counts_the_policy_s_business_hours(
    db: Database, ana: Desk, lee: Desk
) -> None:
    office = {
        "tz": "UTC",
        "hours": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    }
    lee.set_sla_policy("Everything else", {"calendar": office})
    # T0 + 5 min is Thursday 20:31 UTC, after hours: a normal ticket's 8 hours to
    # acknowledge are all of Friday's office hours.
    ana.escalate("1001", tier=2, reason="bug", summary="Crash", tried="Restart", impact="Down")
    friday_close = T0 - (20 * HOUR + 26 * MINUTE + 40_000) + 24 * HOUR + 17 * HOUR
    with db.read() as conn:
        (due,) = conn.execute(
            "SELECT ack_due_at FROM escalation WHERE ticket_id = ?", (ticket_id(1001),)
        ).fetchone()
    assert due == friday_close
    # A ticket no policy applies to (#1000: low, an enterprise requester) keeps wall time.
    lee.set_sla_policy("Low", {"plan": "free"})
    lee.set_sla_policy("Everything else", {"priority": "normal"})
    ana.escalate("1000", tier=2, reason="bug", summary="Crash", tried="Restart", impact="Down")
    with db.read() as conn:
        (due,) = conn.execute(
            "SELECT ack_due_at FROM escalation WHERE ticket_id = ?", (ticket_id(1000),)
        ).fetchone()
    assert due == T0 + 5 * MINUTE + 24 * HOUR  # low priority: 24 hours
