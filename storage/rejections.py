"""Mutations the hub rejected, as the ticket screen lists them until the agent acknowledges them.

The sync engine marks a refused outbox row ``state = 'rejected'`` with ``error = "code:
reason"``; the row is never deleted, so nothing the agent did disappears without a trace.
Acknowledging only stamps ``acknowledged_at`` (a workstation-local fact, never pushed).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejected mutation of a ticket: what was tried, when, and why the hub said no."""

    seq: int
    op: str
    args: str
    at: int
    code: str
    reason: str


def _split_error(error: str | None) -> tuple[str, str]:
    """``"conflict: Ben set …"`` -> ("conflict", "Ben set …"); a bare reason keeps code ""."""
    text = (error or "").strip()
    code, sep, reason = text.partition(": ")
    if sep and code and " " not in code:
        return code, reason.strip()
    return "", text


def ticket_rejections(conn: sqlite3.Connection, ticket_id: str) -> list[Rejection]:
    """The ticket's rejected mutations not yet acknowledged, oldest first."""
    rows = conn.execute(
        "SELECT seq, op, args, at, error FROM outbox "
        "WHERE ticket_id = ? AND state = 'rejected' AND acknowledged_at IS NULL ORDER BY seq",
        (ticket_id,),
    ).fetchall()
    return [Rejection(seq, op, args, at, *_split_error(error)) for seq, op, args, at, error in rows]


def acknowledge_rejections(conn: sqlite3.Connection, seqs: list[int], at: int) -> int:
    """Stamp these rejected rows as seen (call inside a transaction); returns how many."""
    if not seqs:
        return 0
    marks = ",".join("?" * len(seqs))
    cursor = conn.execute(
        f"UPDATE outbox SET acknowledged_at = ? WHERE state = 'rejected' "
        f"AND acknowledged_at IS NULL AND seq IN ({marks})",
        (at, *seqs),
    )
    return cursor.rowcount


def tickets_to_repair(conn: sqlite3.Connection) -> list[str]:
    """Tickets with rejected mutations the agent has not dismissed, earliest rejection first.

    The sync engine repairs them from the hub when it starts, so a repair lost with
    a killed process is made by the next one (repairing twice changes nothing).
    """
    rows = conn.execute(
        "SELECT ticket_id FROM outbox WHERE state = 'rejected' AND acknowledged_at IS NULL"
        " AND ticket_id IS NOT NULL GROUP BY ticket_id ORDER BY min(seq)"
    ).fetchall()
    return [str(row[0]) for row in rows]
