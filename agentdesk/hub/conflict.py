"""The hub's conflict rule for scalar fields (the rule itself: :mod:`agentdesk.hub.mutations`).

A mutation's ``base_version`` is the ticket's version on the workstation when the
agent acted. That is the hub's version the workstation last pulled, plus one for
each of its own mutations on the ticket still unpushed then (they were applied
locally on top). :func:`seen_version` recovers the hub version from the versions
this client's mutations got on the hub, so a chain of offline edits is judged
against what the agent actually saw, not against its own earlier edits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from agentdesk.desk import Action, Judge
from agentdesk.domain.workflow import Change, DeskError
from storage import hub as sql
from storage.sql import Connection
from storage.writes import TicketState

#: Ops that merge instead of conflicting: the thread is append-only, tags are sets.
MERGED_OPS: Final = frozenset({"reply", "note", "add_tags", "remove_tags"})


class Conflict(DeskError):
    """Someone else changed the same field after the version the mutation was made on."""


def seen_version(base_version: int, own_versions: Iterable[int]) -> int:
    """The hub version the client saw: ``base_version`` less its own unpushed edits.

    ``own_versions`` are the versions the client's mutations produced on the hub.
    Those newer than the seen version were local edits stacked on it, each adding
    one to the local version: the answer is the largest ``h`` with
    ``h + |{own > h}| == base_version`` (``base_version`` itself if none fits).
    """
    own = sorted(own_versions, reverse=True)
    for stacked in range(len(own) + 1):
        seen = base_version - stacked
        if sum(1 for version in own if version > seen) == stacked:
            return seen
    return base_version


def conflict_judge(client_id: str, base_version: int | None) -> Judge | None:
    """The judge for a replayed mutation of ``client_id``; ``None`` without a base version."""
    if base_version is None:
        return None

    def judge(conn: Connection, state: TicketState, action: Action, change: Change | None) -> None:
        if action.op in MERGED_OPS or (change is not None and change.field is None):
            return
        seen = seen_version(base_version, sql.client_versions(conn, state.id, client_id))
        events = [
            event
            for event in sql.field_events_after(conn, state.id, seen)
            if _same_field(event, action, change)
        ]
        others = [event for event in events if not _made_by(event, client_id)]
        if others:
            raise Conflict(_reason(others[0], events[0]))

    return judge


def _same_field(event: sql.FieldEvent, action: Action, change: Change | None) -> bool:
    """The event touched what the change would; a refused action is matched by its op."""
    if change is None or change.field is None:
        return event.action == action.op
    return bool(set(change.field.split(",")) & set(event.field.split(",")))


def _made_by(event: sql.FieldEvent, client_id: str) -> bool:
    return (event.mutation_id or "").startswith(f"{client_id}:")


def _reason(theirs: sql.FieldEvent, latest: sql.FieldEvent) -> str:
    """'Ben Okafor set status to solved after your change was made; it is solved now'."""
    who = theirs.agent_name or "the hub"
    field = theirs.field.replace(",", " and ")
    return (
        f"{who} set {field} to {theirs.new_value or '(none)'} after your change was made;"
        f" it is {latest.new_value or '(none)'} now"
    )
