"""SQLModel tables: typed access to the schema that ``storage.migrations`` creates.

The migrations are the source of truth for the database file; these classes must
describe the same columns (``tests/storage/test_models.py`` compares them). Ids are
ULID strings made where the row is born; times are epoch milliseconds (UTC).
Imported lazily: the TUI's start-up path reads through ``storage.database``.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Setting(SQLModel, table=True):
    """Workspace-wide key/value settings (e.g. the default agent)."""

    key: str = Field(primary_key=True)
    value: str


class Customer(SQLModel, table=True):
    """A person who writes in; ``plan`` drives SLA targets."""

    id: str = Field(primary_key=True)
    name: str
    email: str = Field(unique=True)
    organization: str | None = None
    plan: str = "free"
    created_at: int


class AgentGroup(SQLModel, table=True):
    """A team of agents serving one tier (Frontline, Billing, Engineering…)."""

    __tablename__ = "agent_group"
    id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    tier: int
    description: str = ""


class Agent(SQLModel, table=True):
    """A support agent; ``tier`` is '1', '2', '3', 'lead' or 'admin'."""

    id: str = Field(primary_key=True)
    name: str
    email: str = Field(unique=True)
    tier: str
    active: bool = True
    created_at: int


class AgentGroupMember(SQLModel, table=True):
    """Which agents belong to which groups."""

    __tablename__ = "agent_group_member"
    agent_id: str = Field(primary_key=True, foreign_key="agent.id")
    group_id: str = Field(primary_key=True, foreign_key="agent_group.id")


class SlaPolicy(SQLModel, table=True):
    """Response and resolution targets for a priority and/or plan."""

    __tablename__ = "sla_policy"
    id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    priority: str | None = None
    plan: str | None = None
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    calendar: str = "{}"
    position: int = 0


class Ticket(SQLModel, table=True):
    """A support request. ``number`` is the short human id and the rowid."""

    number: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True)
    subject: str
    status: str = "new"
    priority: str = "normal"
    channel: str
    requester_id: str = Field(foreign_key="customer.id")
    assignee_id: str | None = Field(default=None, foreign_key="agent.id")
    group_id: str | None = Field(default=None, foreign_key="agent_group.id")
    tier: int = 1
    sla_policy_id: str | None = Field(default=None, foreign_key="sla_policy.id")
    parent_id: str | None = Field(default=None, foreign_key="ticket.id")
    merged_into_id: str | None = Field(default=None, foreign_key="ticket.id")
    external_id: str | None = None
    created_at: int
    updated_at: int
    first_response_at: int | None = None
    solved_at: int | None = None
    version: int = 1
    sla_due_at: int | None = None
    sla_target: str | None = None
    sla_paused_left_ms: int | None = None


class TicketTag(SQLModel, table=True):
    """One tag on one ticket."""

    __tablename__ = "ticket_tag"
    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id")
    tag: str = Field(primary_key=True)


class Message(SQLModel, table=True):
    """One entry of a thread; append-only. ``kind``: customer, public or internal."""

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    kind: str
    author_agent_id: str | None = Field(default=None, foreign_key="agent.id")
    author_customer_id: str | None = Field(default=None, foreign_key="customer.id")
    body: str
    channel: str | None = None
    external_id: str | None = None
    in_reply_to: str | None = None
    restricted: bool = False
    created_at: int


class Macro(SQLModel, table=True):
    """A canned response; ``owner_id`` is None for a shared macro."""

    id: str = Field(primary_key=True)
    title: str
    body: str
    actions: str = "{}"
    owner_id: str | None = Field(default=None, foreign_key="agent.id")
    usage_count: int = 0
    created_at: int
    updated_at: int


class MacroUse(SQLModel, table=True):
    """One reply a macro wrote on a ticket: its usage count and its suggestion profile."""

    __tablename__ = "macro_use"
    seq: int | None = Field(default=None, primary_key=True)
    macro_id: str = Field(foreign_key="macro.id")
    ticket_id: str = Field(foreign_key="ticket.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    at: int


class MacroDoc(SQLModel, table=True):
    """A macro's search document (kept by triggers): ``seq`` is its row in ``macro_fts``."""

    __tablename__ = "macro_doc"
    seq: int | None = Field(default=None, primary_key=True)
    macro_id: str = Field(unique=True, foreign_key="macro.id")
    profile: str = ""
    tickets: int = 0


class Escalation(SQLModel, table=True):
    """A handoff of a ticket to a higher tier, with what the next tier needs to know."""

    id: str = Field(primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    from_tier: int
    to_tier: int
    group_id: str | None = Field(default=None, foreign_key="agent_group.id")
    reason: str
    summary: str
    tried: str = ""
    impact: str = ""
    links: str = ""
    created_by_id: str | None = Field(default=None, foreign_key="agent.id")
    created_at: int
    acknowledged_by_id: str | None = Field(default=None, foreign_key="agent.id")
    acknowledged_at: int | None = None
    state: str = "open"
    from_group_id: str | None = Field(default=None, foreign_key="agent_group.id")
    ack_due_at: int | None = None
    external_url: str | None = None
    handed_back_by_id: str | None = Field(default=None, foreign_key="agent.id")
    handed_back_at: int | None = None
    instructions: str | None = None
    continues_id: str | None = Field(default=None, foreign_key="escalation.id")


class AuditEvent(SQLModel, table=True):
    """Who changed what, when: one row per field change or action."""

    __tablename__ = "audit_event"
    id: str = Field(primary_key=True)
    ticket_id: str | None = Field(default=None, foreign_key="ticket.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    action: str
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    mutation_id: str | None = None
    at: int
    version: int | None = None


class Change(SQLModel, table=True):
    """The hub's ordered change log that workstations pull."""

    seq: int | None = Field(default=None, primary_key=True)
    entity: str
    entity_id: str
    op: str
    payload: str
    at: int


class Outbox(SQLModel, table=True):
    """A local mutation waiting to be pushed; ``(client_id, seq)`` is its idempotency key."""

    seq: int | None = Field(default=None, primary_key=True)
    client_id: str
    op: str
    ticket_id: str | None = None
    base_version: int | None = None
    args: str
    at: int
    state: str = "pending"
    error: str | None = None
    acknowledged_at: int | None = None


class SyncCursor(SQLModel, table=True):
    """How far a channel has been pulled."""

    __tablename__ = "sync_cursor"
    channel: str = Field(primary_key=True)
    cursor: str
    updated_at: int


class Draft(SQLModel, table=True):
    """Text an agent is composing, saved as they type: one per ticket, agent and kind."""

    __table_args__ = (UniqueConstraint("ticket_id", "agent_id", "kind"),)
    id: str = Field(primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    agent_id: str = Field(foreign_key="agent.id")
    kind: str
    body: str
    updated_at: int


class SurveyAnswer(SQLModel, table=True):
    """A customer's survey answer about a ticket: CSAT 1-5 or NPS 0-10 (``kind``)."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("ticket_id", "kind"),)
    id: str = Field(primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    customer_id: str | None = Field(default=None, foreign_key="customer.id")
    kind: str
    score: int
    comment: str = ""
    answered_at: int


class HandleSession(SQLModel, table=True):
    """Time an agent spent on a ticket's screen, as the TUI recorded it (for AHT)."""

    __tablename__ = "handle_session"
    id: str = Field(primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    started_at: int
    ended_at: int


class SlaClock(SQLModel, table=True):
    """One SLA target instance of a ticket (derived; rewritten when its clock moves)."""

    __tablename__ = "sla_clock"
    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id")
    target: str = Field(primary_key=True)
    cycle: int = Field(default=0, primary_key=True)
    policy_id: str | None = Field(default=None, foreign_key="sla_policy.id")
    started_at: int
    ended_at: int | None = None
    elapsed_ms: int
    target_ms: int
    due_at: int | None = None
    met: bool | None = None


class TicketStatusChange(SQLModel, table=True):
    """A status a ticket entered, and when (written by a trigger on ``ticket.status``)."""

    __tablename__ = "ticket_status_change"
    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id")
    at: int = Field(primary_key=True)
    status: str = Field(primary_key=True)


class HubToken(SQLModel, table=True):
    """An agent's bearer token on the hub, stored hashed (SHA-256 hex)."""

    __tablename__ = "hub_token"
    token_hash: str = Field(primary_key=True)
    agent_id: str = Field(foreign_key="agent.id")
    label: str = ""
    created_at: int
    revoked_at: int | None = None


class HubClient(SQLModel, table=True):
    """A workstation pushing to the hub: its agent and the last mutation seq it judged."""

    __tablename__ = "hub_client"
    client_id: str = Field(primary_key=True)
    agent_id: str = Field(foreign_key="agent.id")
    last_seq: int = 0
    seen_at: int


class HubMutation(SQLModel, table=True):
    """The first result of a pushed mutation, returned again for a repeat."""

    __tablename__ = "hub_mutation"
    client_id: str = Field(primary_key=True, foreign_key="hub_client.client_id")
    seq: int = Field(primary_key=True)
    op: str
    status: str
    code: str | None = None
    reason: str | None = None
    at: int


class Channel(SQLModel, table=True):
    """A hub channel: its inbound webhook's HMAC secret and its outbound endpoint."""

    name: str = Field(primary_key=True)
    secret: str
    outbound_url: str | None = None
    max_body_bytes: int = 262144


class Delivery(SQLModel, table=True):
    """A public reply waiting to be delivered to its channel (retried with backoff)."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True, foreign_key="message.id")
    ticket_id: str = Field(foreign_key="ticket.id")
    channel: str
    state: str = "pending"
    attempts: int = 0
    next_attempt_at: int
    leased_until: int | None = None
    last_error: str | None = None
    delivered_at: int | None = None
    created_at: int


class Presence(SQLModel, table=True):
    """Who is viewing or replying to a ticket, until ``expires_at``."""

    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id")
    agent_id: str = Field(primary_key=True, foreign_key="agent.id")
    state: str
    expires_at: int
