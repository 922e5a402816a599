"""The Desk: every action an agent takes, as ONE store transaction.

Each action writes, all-or-nothing: the ticket's row change (version + 1,
``updated_at``), exactly one ``audit_event`` and exactly one ``outbox`` mutation
``{client_id, seq, op, ticket_id, base_version, args, at}`` for the hub. The rules
live in :mod:`agentdesk.domain.workflow`; the named methods, :meth:`Desk.apply`
(which the sync engine and hub call to replay a mutation by name) and
:meth:`Desk.bulk` all go through the same code, so a rule is enforced once.

Methods block on SQLite: the TUI calls them from thread workers. The store's lock
is held for the transaction only.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Final

from agentdesk.domain import timefmt
from agentdesk.domain.incidents import InvalidLink
from agentdesk.domain.macro_search import order_suggestions, suggestion_terms
from agentdesk.domain.roles import sees_restricted
from agentdesk.domain.workflow import (
    BodyTooLarge,
    Change,
    DeskError,
    EmptyBody,
    InactiveAgent,
    InvalidTag,
    InvalidTransition,
    InvalidValue,
    NewMessage,
    NothingToChange,
    NotPermitted,
    Party,
    TicketClosed,
    UnknownAgent,
    UnknownGroup,
    UnknownTicket,
    plan_add_tags,
    plan_assign,
    plan_message,
    plan_priority,
    plan_remove_tags,
    plan_status,
)
from agentdesk.ops import escalations, incidents
from agentdesk.ops import macros as macro_ops
from agentdesk.ops import metrics as metric_ops
from agentdesk.ops import sla as sla_ops
from agentdesk.ops.base import (
    PlanContext,
    Planner,
    WorkspaceChange,
    WorkspacePlanner,
    arg_bool,
    arg_optional_str,
    arg_str,
    arg_strings,
)
from storage.agents import AgentRow, get_setting
from storage.errors import StoreError
from storage.ids import new_ulid
from storage.incidents import link_facts, unsolved_linked_ids
from storage.macros import (
    MacroRow,
    get_macro,
    macros_used_on,
    rank_macros,
    ticket_text,
    visible_macros,
)
from storage.sql import Connection, Store
from storage.tickets import Clearance, ThreadMessage, TicketNotFound, resolve_ticket_id, thread
from storage.writes import (
    AuditRow,
    TicketState,
    WriteContext,
    add_tags,
    audit_rows,
    delete_draft,
    ensure_setting,
    find_agent,
    find_group,
    get_draft,
    insert_audit,
    insert_message,
    insert_outbox,
    remove_tags,
    ticket_state,
    update_ticket,
    upsert_draft,
)

__all__ = [
    "OPS",
    "Action",
    "Applied",
    "AuditRow",
    "BodyTooLarge",
    "Desk",
    "DeskError",
    "EmptyBody",
    "InactiveAgent",
    "InvalidTag",
    "InvalidTransition",
    "InvalidValue",
    "NotPermitted",
    "NothingToChange",
    "Recorded",
    "TicketClosed",
    "UnknownAgent",
    "UnknownGroup",
    "UnknownTicket",
]

CLIENT_ID_SETTING: Final = "client_id"
DRAFT_KINDS: Final = ("public", "internal")


@dataclass(frozen=True)
class Applied:
    """An action that was committed: the ticket's new version and the mutation's ``seq``."""

    ticket_id: str
    number: int
    op: str
    mutation_seq: int
    version: int


@dataclass(frozen=True)
class Action:
    """One mutation by name, as :meth:`Desk.apply_many` and the outbox know it."""

    op: str
    ticket: str
    args: Mapping[str, object]


@dataclass(frozen=True)
class Recorded:
    """A mutation that is not about a ticket (a macro's), committed: what it changed."""

    op: str
    entity_id: str
    mutation_seq: int


#: Judges a replayed action before it is written (the hub's conflict rule); raises a
#: DeskError to refuse it. Gets the open transaction, the ticket as it is, the action and
#: the planned change (``None`` when the Desk refused it: the judge may refuse it better).
Judge = Callable[[Connection, TicketState, Action, Change | None], None]
#: Writes rows of its own in a replay's transaction once the change is written.
Record = Callable[[Connection, Applied | Recorded], None]


@dataclass
class _Batch:
    """An open write transaction and what has been applied in it so far."""

    conn: Connection
    client_id: str
    now: int
    applied: list[Applied] = field(default_factory=list)
    broken: BaseException | None = None  # a write failed half-way: never commit
    #: Tickets whose SLA clocks the batch moved, recomputed once each before it commits.
    sla_tickets: dict[str, None] = field(default_factory=dict)
    #: The replayed mutation's id ("client:seq"): no outbox row, the audit keeps this id.
    replay: str | None = None
    judge: Judge | None = None

    def mutation_id(self, seq: int) -> str:
        """The id of the mutation with this seq: the replayed one's, else our own."""
        return self.replay or f"{self.client_id}:{seq}"


class Desk:
    """The acting agent's hands on the store.

    Args:
        db: The open store.
        agent: Who acts; re-checked (exists, active) inside every transaction.
        clock: Epoch milliseconds; tests pass a fixed one.
    """

    def __init__(
        self, db: Store, agent: AgentRow, *, clock: Callable[[], int] | None = None
    ) -> None:
        self.db = db
        self.agent = agent
        self._clock = clock or timefmt.now_ms
        self._client_id: str | None = None
        self._local = threading.local()  # .batch: the transaction this thread's actions join

    # ------------------------------------------------------------------ identity

    @property
    def client_id(self) -> str:
        """This workstation's id (a ULID in the ``setting`` table), made on first use."""
        batch: _Batch | None = getattr(self._local, "batch", None)
        if batch is not None:
            return batch.client_id
        if self._client_id is None:
            with self.db.read() as conn:
                stored = get_setting(conn, CLIENT_ID_SETTING)
            if stored is None:
                with self._writing() as conn:
                    stored = ensure_setting(conn, CLIENT_ID_SETTING, new_ulid(self._clock()))
            self._client_id = stored
        return self._client_id

    # ------------------------------------------------------------------ actions

    def reply(self, ticket: str, body: str) -> Applied:
        """Send a public reply (written with ``synchronous = FULL``); the status is untouched."""
        return self.apply("reply", ticket, {"body": body})

    def note(self, ticket: str, body: str, *, restricted: bool = False) -> Applied:
        """Add an internal note; ``restricted`` flags it as sensitive (stored on the message)."""
        return self.apply("note", ticket, {"body": body, "restricted": restricted})

    def set_status(self, ticket: str, status: str) -> Applied:
        """Move the ticket along the workflow (solving stamps ``solved_at``)."""
        return self.apply("set_status", ticket, {"status": status})

    def set_priority(self, ticket: str, priority: str) -> Applied:
        """Change the priority."""
        return self.apply("set_priority", ticket, {"priority": priority})

    def assign(
        self,
        ticket: str,
        *,
        agent: str | EllipsisType | None = ...,
        group: str | EllipsisType | None = ...,
    ) -> Applied:
        """Assign to an agent (email or id) and/or a group (name or id).

        ``None`` unassigns; ``...`` (the default) leaves that side unchanged.
        """
        args: dict[str, object] = {}
        if not isinstance(agent, EllipsisType):
            args["assignee"] = agent
        if not isinstance(group, EllipsisType):
            args["group"] = group
        return self.apply("assign", ticket, args)

    def assign_to_me(self, ticket: str) -> Applied:
        """Take the ticket."""
        return self.assign(ticket, agent=self.agent.id)

    def add_tags(self, ticket: str, tags: Iterable[str]) -> Applied:
        """Add tags (normalised; those already there are skipped)."""
        return self.apply("add_tags", ticket, {"tags": _tag_list(tags)})

    def remove_tags(self, ticket: str, tags: Iterable[str]) -> Applied:
        """Remove tags (normalised; those not there are skipped)."""
        return self.apply("remove_tags", ticket, {"tags": _tag_list(tags)})

    def apply(self, op: str, ticket: str, args: Mapping[str, object]) -> Applied:
        """Apply one mutation by op name, with every rule the named methods enforce.

        This is what the sync engine and the hub call to replay a mutation; ``args``
        is the outbox payload (a reply's or note's ``message_id`` is kept if given).
        """
        return self.apply_many([Action(op, ticket, args)])[0]

    def apply_many(self, actions: Sequence[Action]) -> list[Applied]:
        """Apply several actions, in order, in ONE transaction: all of them or none.

        Each action is judged against the state the previous ones left and writes
        its own audit event and outbox mutation. With more than one action, a
        refusal's message starts with the ticket it concerns.

        Raises:
            DeskError: the first refusal; nothing was written.
            StoreError: the store failed; nothing was written.
        """
        if not actions:
            return []
        durable = any(action.op == "reply" for action in actions)
        with self._batch(durable=durable) as batch:
            return [
                self._apply_one(batch, action, name_ticket=len(actions) > 1) for action in actions
            ]

    def bulk(self, tickets: Sequence[str], action: Callable[[Desk, str], object]) -> list[Applied]:
        """Run ``action(desk, ticket)`` for each ticket, all in ONE transaction.

        ``action`` calls the Desk's named methods as usual (for example
        ``lambda desk, t: desk.set_status(t, "solved")``, or several calls per
        ticket); they join this transaction instead of committing on their own, and
        each still writes its own audit event and outbox mutation. If any ticket
        refuses, nothing changes and the error names that ticket (``#1042: ...``).

        Returns:
            Every action applied, in order.
        """
        if not tickets:
            return []
        with self._batch(durable=True) as batch:
            for ticket in tickets:
                try:
                    action(self, ticket)
                except DeskError as exc:
                    named = _named(exc, _label(batch.conn, ticket))
                    if named is None:
                        raise
                    raise named from exc
            return list(batch.applied)

    def apply_workspace(self, op: str, args: Mapping[str, object]) -> Recorded:
        """Apply one mutation that is not about a ticket (a macro's), by op name.

        Like :meth:`apply`: one transaction with one audit event and one outbox
        row, both with no ticket; it joins the thread's open batch, if any.
        """
        return self.apply_workspace_many([(op, args)])[0]

    def apply_workspace_many(
        self, actions: Sequence[tuple[str, Mapping[str, object]]]
    ) -> list[Recorded]:
        """Several workspace mutations in ONE transaction, in order: all of them or none."""
        with self._batch(durable=False) as batch:
            return [self._apply_workspace_one(batch, op, args) for op, args in actions]

    def check_workspace(
        self, actions: Sequence[tuple[str, Mapping[str, object]]]
    ) -> list[tuple[int, DeskError]]:
        """Judge each workspace mutation against the store as it is, writing nothing.

        Returns every refusal with the position of its action, so a whole file can
        be checked before anything is applied.
        """
        refused: list[tuple[int, DeskError]] = []
        with self.db.read() as conn:
            context = PlanContext(conn, self.agent, self._clock())
            for position, (op, args) in enumerate(actions):
                try:
                    _workspace_planner(op)(context, args)
                except DeskError as exc:
                    refused.append((position, exc))
        return refused

    # ---------------------------------------------------- macros (agentdesk.ops.macros)

    def create_macro(
        self,
        title: str,
        body: str,
        actions: Mapping[str, object] | None = None,
        *,
        shared: bool = False,
        macro_id: str | None = None,
    ) -> Recorded:
        """Save a new macro: personal (the agent's own), or shared (leads and admins only).

        ``actions`` uses the keys status, priority, add_tags, remove_tags and group.
        """
        args = {"title": title, "body": body, "actions": dict(actions or {}), "shared": shared}
        return self.apply_workspace("create_macro", args | ({"id": macro_id} if macro_id else {}))

    def update_macro(
        self,
        macro_id: str,
        *,
        title: str,
        body: str,
        actions: Mapping[str, object],
        shared: bool,
    ) -> Recorded:
        """Replace a macro's title, body, actions and scope; its usage stays."""
        args = {"id": macro_id, "title": title, "body": body, "actions": dict(actions)}
        return self.apply_workspace("update_macro", args | {"shared": shared})

    def delete_macro(self, macro_id: str) -> Recorded:
        """Delete a macro (and its usage history; the audit trail keeps the deletion)."""
        return self.apply_workspace("delete_macro", {"id": macro_id})

    def macros(self) -> list[MacroRow]:
        """The macros this agent may use: the shared ones, then their own."""
        with self.db.read() as conn:
            return visible_macros(conn, self.agent.id)

    def macro_values(self, ticket: str) -> dict[str, str]:
        """What each placeholder becomes on this ticket, for this agent (previews)."""
        with self.db.read() as conn:
            return macro_ops.values_for(conn, _resolve(conn, ticket), self.agent)

    def render_macro(self, ticket: str, macro_id: str) -> str:
        """The reply the macro would send on this ticket (nothing is written)."""
        with self.db.read() as conn:
            macro = macro_ops.visible_macro(conn, self.agent, macro_id)
            return macro_ops.render_reply(conn, _resolve(conn, ticket), macro.body, self.agent)

    def send_macro(
        self,
        ticket: str,
        macro_id: str,
        *,
        body: str | None = None,
        with_actions: bool = True,
    ) -> list[Applied]:
        """Reply with a macro and apply its actions, all in ONE transaction.

        ``body`` is the reply as the agent edited it (default: the macro rendered
        for this ticket). The reply's mutation names the macro, which counts the
        use; each action the ticket does not already satisfy follows as its own
        mutation, status last. Inside :meth:`bulk` it joins the bulk's transaction,
        so one macro answers many tickets, rendered for each.
        """
        with self._batch(durable=True) as batch:
            conn = batch.conn
            macro = macro_ops.visible_macro(conn, self.agent, macro_id)
            ticket_id = _resolve(conn, ticket)
            if body is None:
                body = macro_ops.render_reply(conn, ticket_id, macro.body, self.agent)
            start = len(batch.applied)
            reply = Action("reply", ticket_id, {"body": body, "macro_id": macro.id})
            self._apply_one(batch, reply, name_ticket=False)
            state = ticket_state(conn, ticket_id)
            assert state is not None  # resolved in this transaction
            actions = macro_ops.actions_of(macro) if with_actions else None
            for op, args in macro_ops.macro_steps(conn, state, actions) if actions else []:
                self._apply_one(batch, Action(op, ticket_id, args), name_ticket=False)
            return batch.applied[start:]

    def suggest_macros(self, ticket: str, limit: int = 3) -> list[MacroRow]:
        """The macros most likely to fit the ticket, best first.

        Ranked by BM25 from the ticket's subject and its customer's first and
        latest messages against each macro's text and its profile of past tickets
        (``storage.macros``); macros already used on this ticket come last.
        """
        with self.db.read() as conn:
            ticket_id = _resolve(conn, ticket)
            text = ticket_text(conn, ticket_id)
            assert text is not None  # resolved just now
            used = macros_used_on(conn, ticket_id)
            terms = suggestion_terms((text.subject, text.first_message, text.last_message))
            ranked = rank_macros(conn, terms, agent_id=self.agent.id, limit=limit + len(used))
            best = order_suggestions([macro_id for macro_id, _ in ranked], used, limit)
            return [macro for macro_id in best if (macro := get_macro(conn, macro_id))]

    # ---------------------------------------------------- escalations (agentdesk.ops.escalations)

    def escalate(
        self,
        ticket: str,
        *,
        tier: int,
        reason: str,
        summary: str,
        tried: str,
        impact: str,
        links: str = "",
        group: str | None = None,
        link: str | None = None,
    ) -> Applied:
        """Hand the ticket to a higher tier's queue (unassigned) with the handoff it needs.

        ``group`` (name or id) must serve ``tier``; ``link`` is a bug-tracker URL. The
        handoff is also written to the thread as an internal note.
        """
        args = {"tier": tier, "reason": reason, "summary": summary, "tried": tried}
        args |= {"impact": impact, "links": links, "group": group, "link": link}
        return self.apply("escalate", ticket, args)

    def acknowledge(self, ref: str) -> Applied:
        """Take ownership of the escalation (a ticket reference or an escalation id)."""
        return self._apply_to_escalation("acknowledge_escalation", ref, {})

    def hand_back(self, ref: str, instructions: str) -> Applied:
        """Return the ticket to the tier it came from, to the agent who escalated it."""
        return self._apply_to_escalation("hand_back", ref, {"instructions": instructions})

    def thread(self, ticket: str) -> list[ThreadMessage]:
        """The ticket's thread as this agent may read it (restricted notes by role)."""
        clearance = Clearance(self.agent.id, sees_restricted(self.agent.tier))
        with self.db.read() as conn:
            return thread(conn, _resolve(conn, ticket), clearance=clearance)

    def _apply_to_escalation(self, op: str, ref: str, args: dict[str, object]) -> Applied:
        with self.db.read() as conn:
            ticket, named = escalations.escalation_target(conn, ref)
        return self.apply(op, ticket, args | named)

    # ------------------------------------------ incidents and merges (agentdesk.ops.incidents)

    def link_incident(self, ticket: str, incident: str) -> Applied:
        """Link the ticket to an incident (a parent ticket), moving it from any other one."""
        return self.apply("link_incident", ticket, {"incident": incident})

    def unlink_incident(self, ticket: str) -> Applied:
        """Take the ticket out of its incident."""
        return self.apply("unlink_incident", ticket, {})

    def merge(self, source: str, into: str) -> list[Applied]:
        """Merge a duplicate into another ticket of the same requester, in one transaction.

        Both tickets change, so each gets its own mutation, audit event and internal
        note: ``merge`` closes the source and points it at the target,
        ``record_merge`` records it on the target. Both threads stay whole; the
        target's thread shows the source's messages (``storage.tickets.thread``).
        """
        return self.apply_many(
            [
                Action("merge", source, {"into": into}),
                Action("record_merge", into, {"source": source}),
            ]
        )

    def solve_incident(self, incident: str, macro_id: str) -> list[Applied]:
        """Answer an incident's tickets with one macro and solve them, in ONE transaction.

        Every unsolved linked ticket, then the incident itself unless it is solved
        already (its requester is affected too), gets the macro rendered for its own
        requester (:meth:`send_macro`, actions included) and is solved unless the
        macro solved it. The linked tickets are read inside the transaction, so one
        linked meanwhile is answered too; any refusal leaves every ticket as it was.
        """
        with self._batch(durable=True) as batch:
            conn = batch.conn
            facts = link_facts(conn, _resolve(conn, incident))
            assert facts is not None  # resolved in this transaction
            if not facts.linked_count:
                raise InvalidLink(f"#{facts.number} has no linked tickets: it is not an incident")
            tickets = unsolved_linked_ids(conn, facts.id)
            if facts.status not in ("solved", "closed"):
                tickets.append(facts.id)
            if not tickets:
                raise NothingToChange(f"#{facts.number} and its linked tickets are solved already")

            def answer(desk: Desk, ticket: str) -> None:
                desk.send_macro(ticket, macro_id)
                after = ticket_state(conn, ticket)
                if after is not None and after.status != "solved":
                    desk.set_status(ticket, "solved")

            start = len(batch.applied)
            self.bulk(tickets, answer)
            return batch.applied[start:]

    # ---------------------------------------------------- metrics (agentdesk.ops.metrics)

    def record_handling(self, ticket: str, started_at: int, ended_at: int) -> Recorded:
        """Record a handle session: time this agent spent on the ticket (for AHT)."""
        args = {"id": new_ulid(ended_at), "ticket": ticket}  # recorded when it ends
        return self.apply_workspace(
            "record_handling", args | {"started_at": started_at, "ended_at": ended_at}
        )

    # ---------------------------------------------------- sla (agentdesk.ops.sla)

    def set_sla_policy(self, name: str, changes: Mapping[str, object]) -> Recorded:
        """Create the policy called ``name``, or change the given fields of it.

        ``changes`` uses the ``sla_policy`` columns (``first_response_minutes``,
        ``calendar`` as an object or JSON, ``position``, …; ``None`` clears a target or a
        match). Only the policy is written; :meth:`recompute_sla` then updates the
        tickets it may apply to (``agentdesk sla set`` does both).
        """
        return self.apply_workspace("set_sla_policy", {**changes, "name": name})

    def recompute_sla(
        self,
        *,
        unsolved_only: bool = True,
        matching: Sequence[tuple[str | None, str | None]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Recompute stored SLA clocks, a batch per transaction; returns how many tickets.

        Derived data: no audit event, no outbox row. ``matching`` keeps the tickets of
        those (priority, plan) pairs (``None`` matches any).
        """
        try:
            return sla_ops.recompute(
                self.db,
                now=self._clock(),
                unsolved_only=unsolved_only,
                matching=matching,
                progress=progress,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.db.target}: {exc}") from exc

    def ticket_sla(self, ticket: str) -> sla_ops.TicketSla:
        """The ticket's SLA policy and clocks as they stand now (nothing is written)."""
        with self.db.read() as conn:
            return sla_ops.ticket_sla(conn, _resolve(conn, ticket), self._clock())

    # ---------------------------------------------------- sync (agentdesk.hub, agentdesk.sync)

    def replay(
        self,
        mutation_id: str,
        op: str,
        ticket_id: str | None,
        args: Mapping[str, object],
        *,
        judge: Judge | None = None,
        record: Record | None = None,
    ) -> Applied | Recorded:
        """Apply a mutation made elsewhere (``mutation_id`` = "client:seq"), by op name.

        The same planners, rules and transaction as :meth:`apply` (or
        :meth:`apply_workspace` when ``ticket_id`` is ``None``), but no outbox row:
        the mutation already has one, on the client that made it, and the audit
        event keeps its id. ``judge`` may refuse the planned change before it is
        written; ``record`` writes its own rows (the hub's result of the mutation)
        in the same transaction, so the change and its result commit together.

        Raises:
            DeskError: the refusal (the Desk's or the judge's); nothing was written.
        """
        with self._batch(durable=op == "reply", replay=mutation_id, judge=judge) as batch:
            result: Applied | Recorded
            if ticket_id is None:
                result = self._apply_workspace_one(batch, op, args)
            else:
                result = self._apply_one(batch, Action(op, ticket_id, args), name_ticket=False)
            if record is not None:
                record(batch.conn, result)
            return result

    # ------------------------------------------------------------------ drafts (local only)

    def save_draft(self, ticket: str, kind: str, body: str) -> None:
        """Keep what the agent is typing (no audit, no outbox); an empty body deletes it."""
        _check_kind(kind)
        with self._local_write() as conn:
            ticket_id = _resolve(conn, ticket)
            if body.strip():
                now = self._clock()
                upsert_draft(
                    conn,
                    draft_id=new_ulid(now),
                    ticket_id=ticket_id,
                    agent_id=self.agent.id,
                    kind=kind,
                    body=body,
                    at=now,
                )
            else:
                delete_draft(conn, ticket_id, self.agent.id, kind)

    def load_draft(self, ticket: str, kind: str) -> str | None:
        """The agent's saved draft of this kind on this ticket, if any."""
        _check_kind(kind)
        with self.db.read() as conn:
            return get_draft(conn, _resolve(conn, ticket), self.agent.id, kind)

    def discard_draft(self, ticket: str, kind: str) -> None:
        """Forget the agent's draft (no-op if there is none)."""
        _check_kind(kind)
        with self._local_write() as conn:
            delete_draft(conn, _resolve(conn, ticket), self.agent.id, kind)

    # ------------------------------------------------------------------ reads

    def audit_trail(self, ticket: str) -> list[AuditRow]:
        """The ticket's audit events, newest first, with the acting agents' names."""
        with self.db.read() as conn:
            return audit_rows(conn, _resolve(conn, ticket))

    # ------------------------------------------------------------------ internals

    @contextmanager
    def _writing(self, *, durable: bool = False) -> Iterator[Connection]:
        """A write transaction; ``durable`` syncs it to disk before returning."""
        try:
            with self.db.transaction(durable=durable) as conn:
                yield conn
        except sqlite3.Error as exc:
            raise StoreError(f"{self.db.target}: {exc}") from exc

    @contextmanager
    def _batch(
        self, *, durable: bool, replay: str | None = None, judge: Judge | None = None
    ) -> Iterator[_Batch]:
        """The transaction actions write in: the thread's open one, or a new one.

        Nesting lets :meth:`bulk` wrap the named methods: they join its
        transaction, and only the outermost batch commits (or rolls back). A
        replay (``replay`` = its mutation id) always has a transaction of its own.
        """
        outer: _Batch | None = getattr(self._local, "batch", None)
        if outer is not None:
            if replay is not None:
                raise RuntimeError("a replayed mutation cannot join another transaction")
            yield outer
            return
        with self._writing(durable=durable) as conn:
            self._check_actor(conn)
            now = self._clock()
            client_id = self._client_id or ensure_setting(conn, CLIENT_ID_SETTING, new_ulid(now))
            batch = _Batch(conn, client_id, now, replay=replay, judge=judge)
            self._local.batch = batch
            try:
                yield batch
            finally:
                self._local.batch = None
            if batch.broken is not None:  # swallowed by a bulk action: roll back anyway
                raise StoreError(f"{self.db.target}: {batch.broken}") from batch.broken
            sla_ops.refresh(conn, list(batch.sla_tickets), now)
        self._client_id = client_id  # only once it is committed

    @contextmanager
    def _local_write(self) -> Iterator[Connection]:
        """A write that is not a mutation (drafts): joins the thread's batch, if any."""
        batch: _Batch | None = getattr(self._local, "batch", None)
        if batch is not None:
            yield batch.conn
            return
        with self._writing() as conn:
            yield conn

    def _check_actor(self, conn: Connection) -> None:
        found = find_agent(conn, self.agent.id)
        if found is None:
            raise UnknownAgent(f"agent {self.agent.email} no longer exists in this workspace")
        if not found.active:
            raise InactiveAgent(f"{found.email} is deactivated and cannot change tickets")

    def _apply_one(self, batch: _Batch, action: Action, *, name_ticket: bool) -> Applied:
        """Judge one action and write its row change, audit event and outbox mutation."""
        conn = batch.conn
        state = ticket_state(conn, _resolve(conn, action.ticket))
        assert state is not None  # resolved in this transaction
        try:
            change = self._judged_plan(batch, state, action)
        except DeskError as exc:
            named = _named(exc, f"#{state.number}") if name_ticket else None
            if named is None:
                raise
            raise named from exc
        try:
            return self._write(batch, state, change)
        except BaseException as exc:
            batch.broken = exc
            raise

    def _judged_plan(self, batch: _Batch, state: TicketState, action: Action) -> Change:
        """Plan the action; a replay's judge may refuse the change, or explain a refusal.

        The judge sees a refusal too (with no change): "Ben solved it after you
        acted" says more than "cannot go from solved to pending". What is already
        as asked (NothingToChange) is not the judge's business.
        """
        try:
            change = self._plan(batch.conn, state, action, batch.now)
        except NothingToChange:
            raise
        except DeskError:
            if batch.judge is not None:
                batch.judge(batch.conn, state, action, None)
            raise
        if batch.judge is not None:
            batch.judge(batch.conn, state, action, change)
        return change

    def _write(self, batch: _Batch, state: TicketState, change: Change) -> Applied:
        """Write an accepted change: row, thread, tags, then outbox and audit."""
        conn, now = batch.conn, batch.now
        version = update_ticket(
            conn, state.id, base_version=state.version, columns=change.columns, at=now
        )
        if change.message is not None:
            message = change.message
            insert_message(
                conn,
                message_id=message.id,
                ticket_id=state.id,
                kind=message.kind,
                body=message.body,
                author_agent_id=self.agent.id,
                restricted=message.restricted,
                at=now,
            )
            delete_draft(conn, state.id, self.agent.id, message.kind)  # it was sent
        add_tags(conn, state.id, change.tags_added)
        remove_tags(conn, state.id, change.tags_removed)
        seq = self._log(batch, state.id, state.version, change, version)
        context = WriteContext(state.id, self.agent.id, now, batch.mutation_id(seq))
        for effect in change.effects:
            effect.write(conn, context)
        if sla_ops.moves_clock(change):
            batch.sla_tickets[state.id] = None
        applied = Applied(state.id, state.number, change.op, seq, version)
        batch.applied.append(applied)
        return applied

    def _apply_workspace_one(self, batch: _Batch, op: str, args: Mapping[str, object]) -> Recorded:
        """Judge one workspace mutation and write its audit event, outbox row and effects."""
        context = PlanContext(batch.conn, self.agent, batch.now)
        change = _workspace_planner(op)(context, args)
        try:
            seq = self._log(batch, None, None, change, None)
            for effect in change.effects:
                effect.write(batch.conn)
        except BaseException as exc:
            batch.broken = exc
            raise
        return Recorded(change.op, str(change.args.get("id", "")), seq)

    def _log(
        self,
        batch: _Batch,
        ticket_id: str | None,
        base_version: int | None,
        change: Change | WorkspaceChange,
        version: int | None,
    ) -> int:
        """Write the change's outbox mutation and audit event; returns the mutation's seq.

        A replayed mutation has its outbox row on the client that made it: only
        the audit event is written, with the replayed id, and its seq is returned.
        """
        conn, now = batch.conn, batch.now
        if batch.replay is not None:
            seq = int(batch.replay.rpartition(":")[2])
        else:
            seq = insert_outbox(
                conn,
                client_id=batch.client_id,
                op=change.op,
                ticket_id=ticket_id,
                base_version=base_version,
                args=json.dumps(change.args, ensure_ascii=False, sort_keys=True),
                at=now,
            )
        insert_audit(
            conn,
            event_id=new_ulid(now),
            ticket_id=ticket_id,
            agent_id=self.agent.id,
            action=change.op,
            field=change.field,
            old_value=change.old_value,
            new_value=change.new_value,
            mutation_id=batch.mutation_id(seq),
            at=now,
            version=version,
        )
        return seq

    def _plan(self, conn: Connection, state: TicketState, action: Action, now: int) -> Change:
        """Judge one action against the ticket's state: the Change to write, or a refusal."""
        planner = PLANNERS.get(action.op)
        if planner is None:
            raise InvalidValue(f"unknown action {action.op!r}; known: {', '.join(OPS)}")
        return planner(PlanContext(conn, self.agent, now), state, action.args)


# --------------------------------------------------------------------------- core planners


def _message_planner(kind: str) -> Planner:
    """Reply (public) or note (internal): the op name decides the kind, never the args."""

    def plan(context: PlanContext, state: TicketState, args: Mapping[str, object]) -> Change:
        message_id = arg_optional_str(args, "message_id") or new_ulid(context.now)
        restricted = kind == "internal" and arg_bool(args, "restricted")
        if restricted and not sees_restricted(context.agent.tier):
            raise NotPermitted(
                "only tier-3 agents, leads and admins can write restricted notes; "
                "write an ordinary internal note instead"
            )
        message = NewMessage(message_id, kind, arg_str(args, "body"), restricted)
        change = plan_message(state, message, context.now)
        return macro_ops.with_macro_use(change, args) if kind == "public" else change

    return plan


def _plan_assign(context: PlanContext, state: TicketState, args: Mapping[str, object]) -> Change:
    conn = context.conn
    assignee = group = None
    if "assignee" in args:
        current = _agent_party(conn, state.assignee_id)
        assignee = (current, _wanted_agent(conn, arg_optional_str(args, "assignee")))
    if "group" in args:
        current = _group_party(conn, state.group_id)
        group = (current, _wanted_group(conn, arg_optional_str(args, "group")))
    return plan_assign(state, assignee=assignee, group=group)


#: Every op the Desk knows: the triage core, then each capability's module.
PLANNERS: Final[Mapping[str, Planner]] = {
    "reply": _message_planner("public"),
    "note": _message_planner("internal"),
    "set_status": lambda context, state, args: plan_status(
        state, arg_str(args, "status"), context.now
    ),
    "set_priority": lambda _context, state, args: plan_priority(state, arg_str(args, "priority")),
    "assign": _plan_assign,
    "add_tags": lambda _context, state, args: plan_add_tags(state, arg_strings(args, "tags")),
    "remove_tags": lambda _context, state, args: plan_remove_tags(state, arg_strings(args, "tags")),
    **incidents.PLANNERS,
    **escalations.PLANNERS,
}
OPS: Final = tuple(PLANNERS)

#: Mutations that are not about a ticket (ticket_id NULL in the outbox and the audit).
WORKSPACE_PLANNERS: Final[Mapping[str, WorkspacePlanner]] = {
    **macro_ops.WORKSPACE_PLANNERS,
    **metric_ops.WORKSPACE_PLANNERS,
    **sla_ops.WORKSPACE_PLANNERS,
}


def _workspace_planner(op: str) -> WorkspacePlanner:
    planner = WORKSPACE_PLANNERS.get(op)
    if planner is None:
        known = ", ".join(WORKSPACE_PLANNERS)
        raise InvalidValue(f"unknown workspace action {op!r}; known: {known}")
    return planner


# --------------------------------------------------------------------------- helpers


def _resolve(conn: Connection, ticket: str) -> str:
    """The ticket's id; an unknown reference is a refusal (UnknownTicket), not a store fault."""
    try:
        return resolve_ticket_id(conn, ticket)
    except TicketNotFound as exc:
        raise UnknownTicket(str(exc)) from exc


def _label(conn: Connection, ticket: str) -> str:
    """'#1042' for a ticket reference, or the reference itself if it matches nothing."""
    try:
        state = ticket_state(conn, resolve_ticket_id(conn, ticket))
    except TicketNotFound:
        return ticket
    return ticket if state is None else f"#{state.number}"


def _named(exc: DeskError, label: str) -> DeskError | None:
    """The same refusal with the ticket in front, or ``None`` if it already names it."""
    return None if label in str(exc) else type(exc)(f"{label}: {exc}")


def _check_kind(kind: str) -> None:
    if kind not in DRAFT_KINDS:
        raise InvalidValue(f"unknown draft kind {kind!r}; use one of: {', '.join(DRAFT_KINDS)}")


def _tag_list(tags: Iterable[str]) -> list[str]:
    """A lone string is one tag, not an iterable of one-letter tags."""
    return [tags] if isinstance(tags, str) else list(tags)


def _agent_party(conn: Connection, agent_id: str | None) -> Party:
    found = None if agent_id is None else find_agent(conn, agent_id)
    return Party(agent_id, found.email if found else agent_id)


def _group_party(conn: Connection, group_id: str | None) -> Party:
    found = None if group_id is None else find_group(conn, group_id)
    return Party(group_id, found.name if found else group_id)


def _wanted_agent(conn: Connection, ref: str | None) -> Party:
    if ref is None:
        return Party(None, None)
    found = find_agent(conn, ref)
    if found is None:
        raise UnknownAgent(f"no agent {ref!r}; `agentdesk agents` lists them")
    if not found.active:
        raise UnknownAgent(f"{found.email} is deactivated and cannot take tickets")
    return Party(found.id, found.email)


def _wanted_group(conn: Connection, ref: str | None) -> Party:
    if ref is None:
        return Party(None, None)
    found = find_group(conn, ref)
    if found is None:
        raise UnknownGroup(f"no group {ref!r}")
    return Party(found.id, found.name)
