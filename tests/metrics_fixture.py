"""A hand-made workspace whose metrics are known by heart (see the table in ``make``).

Times are relative to ``T0`` (the tests' fixed now); the period under test is the
week before it, ``[T0 - 7d, T0)``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.database import Database
from tests.factories import T0, add_agents

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK_START = T0 - 7 * DAY

#: The known answers over [T0 - 7d, T0), all tickets (see ``make``).
EXPECTED = {
    "created": 6,  # 2, 3, 4, 5, 6, 8
    "solved": 4,  # 2, 3, 4, 9
    "backlog_start": 2,  # 7 (open), 9 (solved later)
    "backlog_end": 3,  # 5, 6, 7
    "frt_ms": [30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR],  # 2, 4, 3, 5
    "one_touch": 2,  # 2, 9 (3 has two replies, 4 was reopened)
    "handled": 3,  # 2, 3, 9
    "handle_ms": 60 * MINUTE,  # 10 + (5 + 15) + 30 minutes
    "csat": (4, 2),  # answers, satisfied: 5, 4, 3, 1
    "nps": (5, 3, 1),  # answers, promoters, detractors: 10, 9, 9, 7, 3
    # SLA targets: 9 ended in the week (7 met), 1 open past due (#5's resolution).
    "sla": (9, 7, 1),
}


def tid(number: int) -> str:
    """Ticket ``number``'s id."""
    return f"01METRIC{number:018d}"


def add_ticket(
    conn: sqlite3.Connection,
    number: int,
    *,
    created: int,
    status: str = "open",
    replies: tuple[int, ...] = (),
    solved: int | None = None,
    updated: int | None = None,
    group: str | None = None,
    policy: str | None = None,
    channel: str = "email",
    tags: tuple[str, ...] = (),
) -> None:
    """A ticket with its customer message and public replies at the given times."""
    first = min(replies, default=None)
    last = max((created, *replies, *([solved] if solved else [])))
    conn.execute(
        "INSERT INTO ticket (number, id, subject, status, channel, requester_id, group_id,"
        " sla_policy_id, created_at, updated_at, first_response_at, solved_at)"
        " VALUES (?, ?, ?, ?, ?, 'CU-1', ?, ?, ?, ?, ?, ?)",
        (
            number,
            tid(number),
            f"Ticket {number}",
            status,
            channel,
            group,
            policy,
            created,
            updated or last,
            first,
            solved,
        ),
    )
    conn.execute(
        "INSERT INTO message (id, ticket_id, kind, author_customer_id, body, created_at)"
        " VALUES (?, ?, 'customer', 'CU-1', 'Help', ?)",
        (f"M-{number}-0", tid(number), created),
    )
    conn.executemany(
        "INSERT INTO message (id, ticket_id, kind, author_agent_id, body, created_at)"
        " VALUES (?, ?, 'public', 'AG-ANA', 'Answer', ?)",
        [(f"M-{number}-{n}", tid(number), at) for n, at in enumerate(replies, start=1)],
    )
    conn.executemany(
        "INSERT INTO ticket_tag (ticket_id, tag) VALUES (?, ?)", [(tid(number), t) for t in tags]
    )


def add_session(conn: sqlite3.Connection, number: int, start: int, minutes: int) -> None:
    """A handle session of Ana's on ticket ``number``."""
    conn.execute(
        "INSERT INTO handle_session (id, ticket_id, agent_id, started_at, ended_at)"
        " VALUES (?, ?, 'AG-ANA', ?, ?)",
        (f"HS-{number}-{start}", tid(number), start, start + minutes * MINUTE),
    )


def add_clock(
    conn: sqlite3.Connection,
    number: int,
    target: str,
    *,
    ended: int | None,
    met: int | None,
    due: int | None = None,
    cycle: int = 0,
) -> None:
    """An ``sla_clock`` row of ticket ``number`` (only what attainment reads matters)."""
    conn.execute(
        "INSERT INTO sla_clock (ticket_id, target, cycle, started_at, ended_at, elapsed_ms,"
        " target_ms, due_at, met) VALUES (?, ?, ?, 0, ?, 0, 60000, ?, ?)",
        (tid(number), target, cycle, ended, due, met),
    )


def add_answer(conn: sqlite3.Connection, number: int, kind: str, score: int, at: int) -> None:
    """A survey answer about ticket ``number``."""
    conn.execute(
        "INSERT INTO survey_answer (id, ticket_id, customer_id, kind, score, answered_at)"
        " VALUES (?, ?, 'CU-1', ?, ?, ?)",
        (f"SV-{number}-{kind}", tid(number), kind, score, at),
    )


def make(path: Path) -> Path:
    """The metrics workspace.

    ====  =========  =======================  ==========================================
    #     created    first reply / solved     notes
    ====  =========  =======================  ==========================================
    1     -10d       +1h / -9d                all before the week
    2     -6d        +30m / -5d               1 reply: one touch; 10m handled; Frontline
    3     -6d        +2h, +1d / -4d           2 replies; 5m + 15m handled; Frontline
    4     -5d        +1h / -3d                reopened at -3.5d, solved again
    5     -2d        +4h / —                  open
    6     -1d        — / —                    new
    7     -8d        +6h / —                  open since before the week
    8     -3d        — / closed at -2d        merged duplicate: closed, never solved
    9     -20d       +1d / -6.5d              1 reply: one touch; 30m handled
    ====  =========  =======================  ==========================================

    SLA targets in the week: first responses of 2, 4, 5 met and 3 late; 3's next
    response met; resolutions of 2, 3, 9 met and 4 late; 5's resolution open and past due
    (5 is Ana's: her one breaching ticket).
    """
    db = Database.open(path)
    try:
        with db.transaction() as conn:
            add_agents(conn)
            conn.execute(
                "INSERT INTO customer (id, name, email, created_at)"
                " VALUES ('CU-1', 'Zoë', 'zoe@acme.example', ?)",
                (T0 - 30 * DAY,),
            )
            t = T0
            add_ticket(conn, 1, created=t - 10 * DAY, status="closed",
                       replies=(t - 10 * DAY + HOUR,), solved=t - 9 * DAY)  # fmt: skip
            add_ticket(conn, 2, created=t - 6 * DAY, status="solved",
                       replies=(t - 6 * DAY + 30 * MINUTE,), solved=t - 5 * DAY,
                       group="GR-FRONT", channel="chat")  # fmt: skip
            add_ticket(conn, 3, created=t - 6 * DAY, status="solved",
                       replies=(t - 6 * DAY + 2 * HOUR, t - 5 * DAY), solved=t - 4 * DAY,
                       group="GR-FRONT")  # fmt: skip
            add_ticket(conn, 4, created=t - 5 * DAY, status="solved",
                       replies=(t - 5 * DAY + HOUR,), solved=t - 3 * DAY)  # fmt: skip
            conn.execute(
                "INSERT INTO audit_event (id, ticket_id, agent_id, action, field, old_value,"
                " new_value, at) VALUES ('AU-4', ?, 'AG-ANA', 'set_status', 'status',"
                " 'solved', 'open', ?)",
                (tid(4), t - 3 * DAY - 12 * HOUR),
            )
            add_ticket(conn, 5, created=t - 2 * DAY, replies=(t - 2 * DAY + 4 * HOUR,))
            add_ticket(conn, 6, created=t - DAY, status="new")
            add_ticket(conn, 7, created=t - 8 * DAY, replies=(t - 8 * DAY + 6 * HOUR,))
            add_ticket(conn, 8, created=t - 3 * DAY, status="closed", updated=t - 2 * DAY)
            add_ticket(conn, 9, created=t - 20 * DAY, status="closed",
                       replies=(t - 19 * DAY,), solved=t - 6 * DAY - 12 * HOUR)  # fmt: skip
            add_session(conn, 2, t - 6 * DAY + 20 * MINUTE, 10)
            add_session(conn, 3, t - 6 * DAY + HOUR, 5)
            add_session(conn, 3, t - 5 * DAY, 15)
            add_session(conn, 9, t - 19 * DAY, 30)
            for number, score in ((2, 5), (3, 4), (4, 3), (9, 1)):
                add_answer(conn, number, "csat", score, t - 2 * DAY)
            add_answer(conn, 1, "csat", 5, t - 9 * DAY)  # before the week
            for number, score in ((1, 10), (2, 9), (3, 9), (4, 7), (9, 3)):
                add_answer(conn, number, "nps", score, t - DAY)
            fr, nr, res = "first_response", "next_response", "resolution"
            for number, target, ended, met in (
                (1, fr, t - 10 * DAY + HOUR, 1),  # before the week
                (2, fr, t - 6 * DAY + 30 * MINUTE, 1),
                (2, res, t - 5 * DAY, 1),
                (3, fr, t - 6 * DAY + 2 * HOUR, 0),
                (3, res, t - 4 * DAY, 1),
                (4, fr, t - 5 * DAY + HOUR, 1),
                (4, res, t - 3 * DAY, 0),
                (5, fr, t - 2 * DAY + 4 * HOUR, 1),
                (9, fr, t - 19 * DAY, 1),  # before the week
                (9, res, t - 6 * DAY - 12 * HOUR, 1),
            ):
                add_clock(conn, number, target, ended=ended, met=met)
            add_clock(conn, 3, nr, ended=t - 5 * DAY + HOUR, met=1, cycle=1)
            add_clock(conn, 5, res, ended=None, met=None, due=t - DAY)  # breached, open
            conn.execute(
                "UPDATE ticket SET assignee_id = 'AG-ANA', sla_due_at = ?, sla_target ="
                " 'resolution' WHERE id = ?",
                (t - DAY, tid(5)),
            )
            add_clock(conn, 7, res, ended=None, met=None, due=t + DAY)  # not due yet
    finally:
        db.close()
    return path


#: The burst :func:`make_with_spike` adds: tickets 100-111, tagged outage, last hour.
SPIKE = range(100, 112)


def make_with_spike(path: Path) -> Path:
    """:func:`make` plus twelve tickets tagged ``outage`` in the last hour (a spike), spread
    over three channels so that no channel spikes with it."""
    make(path)
    db = Database.open(path)
    try:
        with db.transaction() as conn:
            for n, number in enumerate(SPIKE):
                add_ticket(
                    conn,
                    number,
                    created=T0 - (n + 1) * 4 * MINUTE,
                    status="new",
                    channel=("chat", "web", "social")[n % 3],
                    tags=("outage",),
                )
    finally:
        db.close()
    return path
