"""What a planner gets and returns, and readers for a mutation's JSON arguments.

A planner judges one action against the ticket's state inside the Desk's write
transaction: it may read (``context.conn``) but never writes; it returns the
:class:`~agentdesk.domain.workflow.Change` to write or raises a ``DeskError``.
The argument readers refuse wrong types with the same sentences everywhere, since
``args`` may come from a replayed mutation rather than our own code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from agentdesk.domain.workflow import Change, InvalidValue, UnknownTicket
from storage.agents import AgentRow
from storage.sql import Connection
from storage.tickets import TicketNotFound, resolve_ticket_id
from storage.writes import TicketState


@dataclass(frozen=True, slots=True)
class PlanContext:
    """The open transaction, who acts, and the action's time (epoch ms)."""

    conn: Connection
    agent: AgentRow
    now: int


#: Judges ``args`` against the ticket: the Change to write, or a DeskError.
Planner = Callable[[PlanContext, TicketState, Mapping[str, object]], Change]


class WorkspaceEffect(Protocol):
    """A row write of a mutation that is not about a ticket (a macro's row)."""

    def write(self, conn: Connection) -> None:
        """Write inside the caller's transaction; never commit."""
        ...


@dataclass(frozen=True, slots=True)
class WorkspaceChange:
    """What a mutation that is not about one ticket writes, and how it is recorded.

    As for a ticket's :class:`~agentdesk.domain.workflow.Change`: ``args`` is the
    outbox payload, ``field``/``old_value``/``new_value`` the audit text; the Desk
    writes the outbox and audit rows (with no ticket) and then ``effects``.
    """

    op: str
    args: Mapping[str, object]
    field: str | None
    old_value: str | None
    new_value: str | None
    effects: tuple[WorkspaceEffect, ...]


#: Judges a mutation that is not about a ticket: the change to write, or a DeskError.
WorkspacePlanner = Callable[[PlanContext, Mapping[str, object]], WorkspaceChange]


def resolve_ticket(conn: Connection, ref: str) -> str:
    """The ticket's id; an unknown reference is a refusal (UnknownTicket), not a store fault."""
    try:
        return resolve_ticket_id(conn, ref)
    except TicketNotFound as exc:
        raise UnknownTicket(str(exc)) from exc


def arg_str(args: Mapping[str, object], key: str) -> str:
    """A required text argument."""
    value = args.get(key)
    if not isinstance(value, str):
        raise InvalidValue(f"'{key}' must be text")
    return value


def arg_optional_str(args: Mapping[str, object], key: str) -> str | None:
    """A text argument that may be missing or null."""
    value = args.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidValue(f"'{key}' must be text or null")
    return value


def arg_bool(args: Mapping[str, object], key: str) -> bool:
    """A true/false argument, false when missing."""
    value = args.get(key, False)
    if not isinstance(value, bool):
        raise InvalidValue(f"'{key}' must be true or false")
    return value


def arg_int(args: Mapping[str, object], key: str) -> int:
    """A required whole-number argument (booleans are not numbers here)."""
    value = args.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidValue(f"'{key}' must be a whole number")
    return value


def arg_strings(args: Mapping[str, object], key: str) -> list[str]:
    """A required list of text."""
    value = args.get(key)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidValue(f"'{key}' must be a list of text")
    return [str(v) for v in value]
