"""Canned responses through the Desk: managing macros, and a reply sent from one.

Creating, changing and deleting a macro are mutations that are not about a
ticket (:data:`WORKSPACE_PLANNERS`): each is one transaction with one audit event
and one outbox row whose ticket is NULL. Personal macros belong to their owner;
shared ones are curated by leads and admins (:func:`roles.manages_shared_macros`).

Sending a macro is a ``reply`` whose args carry ``macro_id`` — so a replay on
the hub counts the use too — followed by the macro's actions as ordinary
mutations, skipping those the ticket already satisfies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from agentdesk.domain import roles
from agentdesk.domain.macros import (
    InvalidMacro,
    MacroActions,
    MacroDraft,
    MacroNotFound,
    TemplateFacts,
    check_macro,
    parse_actions,
    render,
    template_values,
)
from agentdesk.domain.workflow import Change, InvalidValue, NothingToChange, NotPermitted
from agentdesk.ops.base import (
    PlanContext,
    WorkspaceChange,
    WorkspacePlanner,
    arg_bool,
    arg_optional_str,
    arg_str,
)
from storage import macros as store
from storage.agents import AgentRow
from storage.ids import new_ulid
from storage.macros import MacroRow
from storage.sql import Connection
from storage.writes import TicketState, WriteContext, find_group

# --------------------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class SaveMacro:
    """Insert or replace a macro's row."""

    macro_id: str
    draft: MacroDraft
    owner_id: str | None
    at: int
    new: bool

    def write(self, conn: Connection) -> None:
        """Write the row (its search document follows by trigger)."""
        save = store.insert_macro if self.new else store.update_macro
        save(
            conn,
            macro_id=self.macro_id,
            title=self.draft.title,
            body=self.draft.body,
            actions=actions_json(self.draft.actions),
            owner_id=self.owner_id,
            at=self.at,
        )


@dataclass(frozen=True, slots=True)
class DeleteMacro:
    """Remove a macro and its uses."""

    macro_id: str

    def write(self, conn: Connection) -> None:
        """Delete the row."""
        store.delete_macro(conn, self.macro_id)


@dataclass(frozen=True, slots=True)
class MacroUsed:
    """One use of a macro by the reply being written (skipped if the macro is gone)."""

    macro_id: str

    def write(self, conn: Connection, context: WriteContext) -> None:
        """Count the use and refresh the macro's suggestion profile."""
        if store.get_macro(conn, self.macro_id) is not None:
            store.record_use(
                conn,
                macro_id=self.macro_id,
                ticket_id=context.ticket_id,
                agent_id=context.agent_id,
                at=context.at,
            )


# --------------------------------------------------------------------------- reading macros


def actions_json(actions: MacroActions) -> str:
    """The stored form of a macro's actions."""
    return json.dumps(actions.to_json(), ensure_ascii=False)


def actions_of(macro: MacroRow) -> MacroActions:
    """A stored macro's actions, checked as when it was saved."""
    return parse_actions(json.loads(macro.actions))


def visible_macro(conn: Connection, agent: AgentRow, macro_id: str) -> MacroRow:
    """The macro, if this agent may use it (shared, or their own).

    Raises:
        MacroNotFound: no such macro, or another agent's personal one.
    """
    macro = store.get_macro(conn, macro_id)
    if macro is None or macro.owner_id not in (None, agent.id):
        raise MacroNotFound(f"no macro {macro_id}; `agentdesk macro list` shows yours")
    return macro


def values_for(conn: Connection, ticket_id: str, agent: AgentRow) -> dict[str, str]:
    """Each placeholder's value on this ticket, for this agent."""
    facts = store.ticket_facts(conn, ticket_id)
    assert facts is not None  # the caller resolved the ticket
    return template_values(
        TemplateFacts(
            customer_name=facts.customer_name,
            customer_email=facts.customer_email,
            customer_organization=facts.customer_organization,
            ticket_number=facts.number,
            ticket_subject=facts.subject,
            ticket_group=facts.group_name,
            agent_name=agent.name,
            agent_email=agent.email,
        )
    )


def render_reply(conn: Connection, ticket_id: str, body: str, agent: AgentRow) -> str:
    """The macro's body filled with this ticket's and this agent's values."""
    return render(body, values_for(conn, ticket_id, agent))


def macro_steps(
    conn: Connection, state: TicketState, actions: MacroActions
) -> list[tuple[str, dict[str, object]]]:
    """The mutations that carry out ``actions`` on this ticket, status last.

    An action the ticket already satisfies (status already pending, tag already
    there) is left out rather than refused: the reply is what the agent sends.
    """
    steps: list[tuple[str, dict[str, object]]] = []
    if actions.group:
        group = find_group(conn, actions.group)
        if group is None:
            raise InvalidMacro(
                f"the macro assigns group {actions.group!r}, which no longer exists; "
                "edit the macro or send without its actions",
                field="actions.group",
            )
        if group.id != state.group_id:
            steps.append(("assign", {"group": group.id}))
    if actions.priority and actions.priority != state.priority:
        steps.append(("set_priority", {"priority": actions.priority}))
    added = [tag for tag in actions.add_tags if tag not in state.tags]
    if added:
        steps.append(("add_tags", {"tags": added}))
    removed = [tag for tag in actions.remove_tags if tag in state.tags]
    if removed:
        steps.append(("remove_tags", {"tags": removed}))
    if actions.status and actions.status != state.status:
        steps.append(("set_status", {"status": actions.status}))
    return steps


def with_macro_use(change: Change, args: Mapping[str, object]) -> Change:
    """A reply that names its macro (``args['macro_id']``) also counts the macro's use."""
    macro_id = arg_optional_str(args, "macro_id")
    if macro_id is None:
        return change
    return replace(
        change,
        args={**change.args, "macro_id": macro_id},
        effects=(*change.effects, MacroUsed(macro_id)),
    )


# --------------------------------------------------------------------------- planners

_FIELDS: Final = ("title", "body", "actions", "shared")


def _draft(conn: Connection, args: Mapping[str, object]) -> MacroDraft:
    """The macro in ``args``, checked, with its group spelt as the store spells it."""
    actions = args.get("actions", {})
    if not isinstance(actions, Mapping) or not all(isinstance(k, str) for k in actions):
        raise InvalidMacro("'actions' must be a table of action names", field="actions")
    draft = check_macro(
        arg_str(args, "title"), arg_str(args, "body"), actions, shared=arg_bool(args, "shared")
    )
    group = draft.actions.group
    if group is None:
        return draft
    found = find_group(conn, group)
    if found is None:
        names = ", ".join(store.group_names(conn)) or "none yet"
        raise InvalidMacro(f"no group {group!r}; groups: {names}", field="actions.group")
    return replace(draft, actions=replace(draft.actions, group=found.name))


def _check_may_share(agent: AgentRow) -> None:
    if not roles.manages_shared_macros(agent.tier):
        raise NotPermitted(
            "shared macros are managed by leads and admins; save it as a personal macro"
        )


def _owned(context: PlanContext, args: Mapping[str, object]) -> MacroRow:
    """The macro ``args['id']`` names, if this agent may change it."""
    macro_id = arg_str(args, "id")
    macro = store.get_macro(context.conn, macro_id)
    if macro is None:
        raise MacroNotFound(f"no macro {macro_id}")
    if macro.shared:
        _check_may_share(context.agent)
    elif macro.owner_id != context.agent.id:
        raise NotPermitted(
            f"macro {macro.title!r} is {macro.owner_name or 'another agent'}'s personal macro;"
            " only they can change it"
        )
    return macro


def _payload(macro_id: str, draft: MacroDraft) -> dict[str, object]:
    return {
        "id": macro_id,
        "title": draft.title,
        "body": draft.body,
        "actions": draft.actions.to_json(),
        "shared": draft.shared,
    }


def _create(context: PlanContext, args: Mapping[str, object]) -> WorkspaceChange:
    draft = _draft(context.conn, args)
    if draft.shared:
        _check_may_share(context.agent)
    macro_id = arg_optional_str(args, "id") or new_ulid(context.now)
    if store.get_macro(context.conn, macro_id) is not None:
        raise InvalidValue(f"a macro with id {macro_id} already exists")
    owner = None if draft.shared else context.agent.id
    return WorkspaceChange(
        op="create_macro",
        args=_payload(macro_id, draft),
        field="macro",
        old_value=None,
        new_value=draft.title,
        effects=(SaveMacro(macro_id, draft, owner, context.now, new=True),),
    )


def _update(context: PlanContext, args: Mapping[str, object]) -> WorkspaceChange:
    macro = _owned(context, args)
    draft = _draft(context.conn, args)
    if draft.shared != macro.shared:
        _check_may_share(context.agent)  # sharing a macro, or taking one out of the shared set
    before = (macro.title, macro.body, actions_of(macro), macro.shared)
    after = (draft.title, draft.body, draft.actions, draft.shared)
    changed = [name for name, old, new in zip(_FIELDS, before, after, strict=True) if old != new]
    if not changed:
        raise NothingToChange(f"macro {macro.title!r} is already like that")
    owner = None if draft.shared else (macro.owner_id or context.agent.id)
    return WorkspaceChange(
        op="update_macro",
        args=_payload(macro.id, draft),
        field=",".join(changed),
        old_value=macro.title,
        new_value=draft.title,
        effects=(SaveMacro(macro.id, draft, owner, context.now, new=False),),
    )


def _delete(context: PlanContext, args: Mapping[str, object]) -> WorkspaceChange:
    macro = _owned(context, args)
    return WorkspaceChange(
        op="delete_macro",
        args={"id": macro.id},
        field="macro",
        old_value=macro.title,
        new_value=None,
        effects=(DeleteMacro(macro.id),),
    )


#: Macro mutations, which are not about a ticket.
WORKSPACE_PLANNERS: Final[Mapping[str, WorkspacePlanner]] = {
    "create_macro": _create,
    "update_macro": _update,
    "delete_macro": _delete,
}
