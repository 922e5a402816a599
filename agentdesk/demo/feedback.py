"""Survey answers and handle sessions for a generated workspace, made in SQL from its tickets.

Written after the tickets (one ``INSERT … SELECT`` each), so the tickets' random stream
is untouched and a million-ticket workspace pays seconds, not minutes. Every value is
a function of the row it comes from (a multiplicative hash of the ticket number or the
message seq), so the same tickets always give the same answers. Ids are ULIDs made from
the source row's id, which is cheap in SQL: an answer's has its own time and the random
part of its ticket's id; a session's is recorded when its message is written, so it has
the message's time and the message's random part, turned by one character.

- About a quarter of the solved tickets get a CSAT answer and an eighth an NPS answer,
  10 minutes to a day and a half after the solve; a slow first reply lowers the score.
- Every public reply and internal note by an agent on a ticket created in the last
  :data:`SESSIONS_SINCE_MS` comes with the handle session that wrote it: 1 to 20 minutes
  on the ticket, ending when the message was sent.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from agentdesk.demo.ids import CROCKFORD
from agentdesk.demo.timeline import DAY_MS, HOUR_MS, MINUTE_MS

#: Odd multipliers of Knuth's multiplicative hash, one per independent draw.
_MULTIPLIERS: Final = (2654435761, 2246822519)


def hash_sql(key: str, draw: int = 0) -> str:
    """A 32-bit hash of the integer expression ``key``; another ``draw`` is another hash."""
    return f"((({key}) * {_MULTIPLIERS[draw]}) % 4294967296)"


def ulid_sql(ms: str, source_id: str) -> str:
    """A ULID of the time ``ms`` whose random part is that of the ULID ``source_id``, the
    row it is made from (SQL expressions): unique as long as the sources are."""
    digits = [
        f"substr('{CROCKFORD}', ((({ms}) >> {shift}) & 31) + 1, 1)" for shift in range(45, -1, -5)
    ]
    return " || ".join([*digits, f"substr({source_id}, 11, 16)"])


def recorded_with_sql(source_id: str) -> str:
    """The ULID of a row recorded at the same instant as the ULID ``source_id`` (SQL): its
    time, and its random part turned by one character (distinct sources stay distinct)."""
    return (
        f"substr({source_id}, 1, 10) || substr({source_id}, 12, 15) || substr({source_id}, 11, 1)"
    )


# The surveyed tickets: hash h of the number picks who answers (h % 100 < 37: a quarter
# CSAT, an eighth NPS) and the score.
_SOLVED: Final = f"""
SELECT number, id, requester_id, {hash_sql("number")} AS h,
       min(solved_at + {10 * MINUTE_MS} + {hash_sql("number", 1)} % {36 * HOUR_MS}, :now - 1)
           AS answered,
       (first_response_at - created_at > {8 * HOUR_MS}) AS slow
FROM ticket WHERE solved_at IS NOT NULL AND {hash_sql("number")} % 100 < 37
"""
#: Score cut-offs on u = 0..99 (u moves up 15 for a slow first reply): the first band
#: scoring below the cut-off wins.
_CSAT_SCORE: Final = (
    "CASE WHEN u < 48 THEN 5 WHEN u < 76 THEN 4 WHEN u < 86 THEN 3 WHEN u < 93 THEN 2 ELSE 1 END"
)
_NPS_SCORE: Final = (
    "CASE WHEN u < 30 THEN 10 WHEN u < 50 THEN 9 WHEN u < 65 THEN 8 WHEN u < 75 THEN 7"
    " WHEN u < 82 THEN 6 WHEN u < 87 THEN 5 ELSE (99 - u) % 5 END"
)
_ANSWERS: Final = f"""
INSERT INTO survey_answer (id, ticket_id, customer_id, kind, score, answered_at)
SELECT {ulid_sql("answered", "id")}, id, requester_id, kind,
       CASE kind WHEN 'csat' THEN {_CSAT_SCORE} ELSE {_NPS_SCORE} END, answered
FROM (
    SELECT number, id, requester_id, answered,
           CASE WHEN h % 100 < 25 THEN 'csat' ELSE 'nps' END AS kind,
           min(99, (h >> 8) % 100 + 15 * slow) AS u
    FROM ({_SOLVED})
)
ORDER BY 1
"""
#: Handle time has been recorded for this long before the demo's now: tickets created
#: since have the sessions of their replies and notes, older ones none (as on a desk that
#: started recording then; it also keeps a million-ticket demo quick to make).
SESSIONS_SINCE_MS: Final = 60 * DAY_MS
_SESSIONS: Final = f"""
INSERT INTO handle_session (id, ticket_id, agent_id, started_at, ended_at)
SELECT {recorded_with_sql("id")}, ticket_id, author_agent_id, started, created_at
FROM (
    SELECT m.id, m.ticket_id, m.author_agent_id, m.created_at,
           max(t.created_at, m.created_at - {MINUTE_MS}
               - {hash_sql("m.seq")} % {19 * MINUTE_MS}) AS started
    FROM ticket AS t JOIN message AS m ON m.ticket_id = t.id
    WHERE t.created_at >= :now - {SESSIONS_SINCE_MS}
      AND m.author_agent_id IS NOT NULL AND m.kind IN ('public', 'internal')
)
ORDER BY 1
"""


def write_feedback(conn: sqlite3.Connection, *, now_ms: int) -> None:
    """Survey answers and handle sessions for every ticket in the store (inside a transaction).

    Rows go in id order: the primary-key index then grows at its end instead of taking
    inserts all over (a million-ticket store's sessions do not fit the page cache).
    """
    conn.execute(_ANSWERS, {"now": now_ms})
    conn.execute(_SESSIONS, {"now": now_ms})
