"""Versioned schema migrations, applied in order when a store is opened.

The schema version lives in SQLite's ``PRAGMA user_version``; each migration is a
script that moves the database from version ``n - 1`` to ``n`` inside one
transaction, so a crash mid-migration leaves the previous version intact.
``storage.models`` mirrors the latest schema for typed access; a test checks the
two agree column by column.

Timestamps are integer milliseconds since the Unix epoch (UTC): compact, cheap to
index and compare, and free of time-zone ambiguity.
"""

from __future__ import annotations

from typing import Final

#: ``PRAGMA application_id`` marking a file as an agentdesk store ("AGDK").
APPLICATION_ID: Final = 0x4147444B

UNSOLVED_STATUSES: Final = ("new", "open", "pending", "on-hold")

_V1: Final = """
CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE customer (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    organization TEXT,
    plan TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'enterprise')),
    created_at INTEGER NOT NULL
);

CREATE TABLE agent_group (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tier INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 3),
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE agent (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL CHECK (tier IN ('1', '2', '3', 'lead', 'admin')),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE agent_group_member (
    agent_id TEXT NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES agent_group(id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, group_id)
);

CREATE TABLE sla_policy (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    priority TEXT CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    plan TEXT CHECK (plan IN ('free', 'pro', 'enterprise')),
    first_response_minutes INTEGER,
    next_response_minutes INTEGER,
    resolution_minutes INTEGER,
    calendar TEXT NOT NULL DEFAULT '{}',
    position INTEGER NOT NULL DEFAULT 0
);

-- number is the short human id (#1042) and the rowid, so FTS rows stay attached
-- through VACUUM; id is the global ULID used by sync.
CREATE TABLE ticket (
    number INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'open', 'pending', 'on-hold', 'solved', 'closed')),
    priority TEXT NOT NULL DEFAULT 'normal'
        CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'chat', 'web', 'social', 'phone')),
    requester_id TEXT NOT NULL REFERENCES customer(id),
    assignee_id TEXT REFERENCES agent(id),
    group_id TEXT REFERENCES agent_group(id),
    tier INTEGER NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 3),
    sla_policy_id TEXT REFERENCES sla_policy(id),
    parent_id TEXT REFERENCES ticket(id),
    merged_into_id TEXT REFERENCES ticket(id),
    external_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    first_response_at INTEGER,
    solved_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    unsolved INTEGER GENERATED ALWAYS AS
        (status IN ('new', 'open', 'pending', 'on-hold')) VIRTUAL
);
CREATE INDEX ix_ticket_updated ON ticket (updated_at);
CREATE INDEX ix_ticket_unsolved_updated ON ticket (unsolved, updated_at);
CREATE INDEX ix_ticket_unsolved_tier ON ticket (unsolved, tier, updated_at);
CREATE INDEX ix_ticket_assignee ON ticket (assignee_id, unsolved, updated_at);
CREATE INDEX ix_ticket_status ON ticket (status, updated_at);
CREATE INDEX ix_ticket_requester ON ticket (requester_id, updated_at);
CREATE INDEX ix_ticket_solved ON ticket (solved_at);

CREATE TABLE ticket_tag (
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
) WITHOUT ROWID;
CREATE INDEX ix_ticket_tag_tag ON ticket_tag (tag, ticket_id);

-- seq is the rowid the FTS index points at; id is the global ULID.
CREATE TABLE message (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'public', 'internal')),
    author_agent_id TEXT REFERENCES agent(id),
    author_customer_id TEXT REFERENCES customer(id),
    body TEXT NOT NULL,
    channel TEXT,
    external_id TEXT,
    in_reply_to TEXT,
    restricted INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_message_ticket ON message (ticket_id, created_at);

CREATE TABLE macro (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    actions TEXT NOT NULL DEFAULT '{}',
    owner_id TEXT REFERENCES agent(id),
    usage_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE escalation (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    from_tier INTEGER NOT NULL,
    to_tier INTEGER NOT NULL,
    group_id TEXT REFERENCES agent_group(id),
    reason TEXT NOT NULL,
    summary TEXT NOT NULL,
    tried TEXT NOT NULL DEFAULT '',
    impact TEXT NOT NULL DEFAULT '',
    links TEXT NOT NULL DEFAULT '',
    created_by_id TEXT REFERENCES agent(id),
    created_at INTEGER NOT NULL,
    acknowledged_by_id TEXT REFERENCES agent(id),
    acknowledged_at INTEGER,
    state TEXT NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'acknowledged', 'handed-back', 'closed'))
);
CREATE INDEX ix_escalation_ticket ON escalation (ticket_id, created_at);
CREATE INDEX ix_escalation_state ON escalation (to_tier, state, created_at);

CREATE TABLE audit_event (
    id TEXT PRIMARY KEY,
    ticket_id TEXT REFERENCES ticket(id) ON DELETE CASCADE,
    agent_id TEXT REFERENCES agent(id),
    action TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    mutation_id TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX ix_audit_ticket ON audit_event (ticket_id, at);

CREATE TABLE change (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    at INTEGER NOT NULL
);

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    op TEXT NOT NULL,
    ticket_id TEXT,
    base_version INTEGER,
    args TEXT NOT NULL,
    at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'applied', 'rejected')),
    error TEXT
);
CREATE INDEX ix_outbox_state ON outbox (state, seq);

CREATE TABLE sync_cursor (
    channel TEXT PRIMARY KEY,
    cursor TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE draft (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    agent_id TEXT NOT NULL REFERENCES agent(id),
    kind TEXT NOT NULL CHECK (kind IN ('public', 'internal')),
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (ticket_id, agent_id, kind)
);

-- Full-text search over subjects and message bodies, kept in step by triggers.
CREATE VIRTUAL TABLE ticket_fts USING fts5(
    subject, content='ticket', content_rowid='number', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE message_fts USING fts5(
    body, content='message', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER ticket_fts_ai AFTER INSERT ON ticket BEGIN
    INSERT INTO ticket_fts (rowid, subject) VALUES (new.number, new.subject);
END;
CREATE TRIGGER ticket_fts_ad AFTER DELETE ON ticket BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, subject) VALUES ('delete', old.number, old.subject);
END;
CREATE TRIGGER ticket_fts_au AFTER UPDATE OF subject ON ticket BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, subject) VALUES ('delete', old.number, old.subject);
    INSERT INTO ticket_fts (rowid, subject) VALUES (new.number, new.subject);
END;
CREATE TRIGGER message_fts_ai AFTER INSERT ON message BEGIN
    INSERT INTO message_fts (rowid, body) VALUES (new.seq, new.body);
END;
CREATE TRIGGER message_fts_ad AFTER DELETE ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, body) VALUES ('delete', old.seq, old.body);
END;
CREATE TRIGGER message_fts_au AFTER UPDATE OF body ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, body) VALUES ('delete', old.seq, old.body);
    INSERT INTO message_fts (rowid, body) VALUES (new.seq, new.body);
END;
"""

#: Bits below a rank in the composite sort keys: ``rank << 42 | updated_at`` keeps
#: millisecond timestamps intact until the year 2109 and stays within 64 bits.
RANK_SHIFT: Final = 1 << 42

#: Priority rank, urgent highest, so "priority, descending" puts urgent first.
PRIORITY_RANK: Final = (
    "CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END"
)
#: Status rank in workflow order, new highest, so "status, descending" reads like the
#: workflow; the unsolved statuses (2-5) and the solved ones (0-1) are each contiguous.
STATUS_RANK: Final = (
    "CASE status WHEN 'new' THEN 5 WHEN 'open' THEN 4 WHEN 'pending' THEN 3"
    " WHEN 'on-hold' THEN 2 WHEN 'solved' THEN 1 ELSE 0 END"
)
#: One integer per ticket for the priority and status sorts: the rank, then the last
#: update. An index on the expression serves both the sort and, as a range of it, a
#: priority or status filter. Queries must spell the expression exactly like this
#: (``storage.queue`` builds them from these constants) for SQLite to use the index.
PRIORITY_ORDER: Final = f"(({PRIORITY_RANK}) * {RANK_SHIFT} + updated_at)"
STATUS_ORDER: Final = f"(({STATUS_RANK}) * {RANK_SHIFT} + updated_at)"
#: The part of an email address after the '@', for "requester:acme" on acme.example.
EMAIL_DOMAIN: Final = "substr(email, instr(email, '@') + 1)"

#: The queue's SLA order, one integer per ticket: the next due instant of a running or
#: breached target, then paused tickets by least business time left, then unsolved
#: tickets without a target, then solved and closed ones. Every SLA filter (breached,
#: due within a window, paused) is a range of it, served by ``ix_ticket_sla_order``; the
#: index in ``_V3`` spells this expression exactly (a test checks).
SLA_PAUSED: Final = 1 << 53
SLA_NONE: Final = 1 << 54
SLA_SOLVED: Final = 1 << 55
SLA_ORDER: Final = (
    f"(CASE WHEN status IN ('solved', 'closed') THEN {SLA_SOLVED}"
    " WHEN sla_due_at IS NOT NULL THEN sla_due_at"
    f" WHEN sla_paused_left_ms IS NOT NULL THEN {SLA_PAUSED} + sla_paused_left_ms"
    f" ELSE {SLA_NONE} END)"
)

# v2: indexes for the search language and the extra sorts. Every filter the query
# language offers on a ticket column can start from an index, and every sort key is
# an index order. Customer prefixes are case-insensitive (ASCII) through NOCASE.
_V2: Final = f"""
CREATE INDEX ix_ticket_created ON ticket (created_at);
CREATE INDEX ix_ticket_priority_order ON ticket ({PRIORITY_ORDER});
CREATE INDEX ix_ticket_status_order ON ticket ({STATUS_ORDER});
CREATE INDEX ix_ticket_status_priority ON ticket (status, priority, updated_at);
CREATE INDEX ix_ticket_channel ON ticket (channel, updated_at);
CREATE INDEX ix_ticket_tier ON ticket (tier, updated_at);
CREATE INDEX ix_ticket_group ON ticket (group_id, updated_at);

CREATE INDEX ix_customer_name ON customer (name COLLATE NOCASE);
CREATE INDEX ix_customer_email ON customer (email COLLATE NOCASE);
CREATE INDEX ix_customer_domain ON customer ({EMAIL_DOMAIN} COLLATE NOCASE);
CREATE INDEX ix_customer_organization ON customer (organization COLLATE NOCASE);
"""

# v3: canned responses and escalations. Incidents link tickets through parent_id and
# merges through merged_into_id; both are looked up from the other side, so they get
# (partial) indexes. Sections below belong to one capability each.
_V3: Final = """
-- incidents and merges
CREATE INDEX ix_ticket_parent ON ticket (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX ix_ticket_merged_into ON ticket (merged_into_id) WHERE merged_into_id IS NOT NULL;

-- macros
-- A use of a macro: the reply it wrote on a ticket (usage counts, suggestions).
CREATE TABLE macro_use (
    seq INTEGER PRIMARY KEY,
    macro_id TEXT NOT NULL REFERENCES macro(id) ON DELETE CASCADE,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    agent_id TEXT REFERENCES agent(id),
    at INTEGER NOT NULL
);
CREATE INDEX ix_macro_use_macro ON macro_use (macro_id, at);
CREATE INDEX ix_macro_use_ticket ON macro_use (ticket_id, macro_id);

-- One search document per macro: its title, body and a bounded profile of what the
-- customers said on the latest tickets it answered. seq is the stable rowid of macro_fts
-- (the macro table's own rowid may change on VACUUM). Suggestions rank these documents
-- with BM25, so their cost depends on the number of macros, never of tickets.
CREATE TABLE macro_doc (
    seq INTEGER PRIMARY KEY,
    macro_id TEXT NOT NULL UNIQUE REFERENCES macro(id) ON DELETE CASCADE,
    profile TEXT NOT NULL DEFAULT '',
    tickets INTEGER NOT NULL DEFAULT 0
);
CREATE VIRTUAL TABLE macro_fts USING fts5(
    title, body, profile, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER macro_doc_ai AFTER INSERT ON macro BEGIN
    INSERT INTO macro_doc (macro_id) VALUES (new.id);
    INSERT INTO macro_fts (rowid, title, body, profile)
        SELECT seq, new.title, new.body, '' FROM macro_doc WHERE macro_id = new.id;
END;
CREATE TRIGGER macro_fts_au AFTER UPDATE OF title, body ON macro BEGIN
    INSERT INTO macro_fts (macro_fts, rowid, title, body, profile)
        SELECT 'delete', seq, old.title, old.body, profile FROM macro_doc WHERE macro_id = old.id;
    INSERT INTO macro_fts (rowid, title, body, profile)
        SELECT seq, new.title, new.body, profile FROM macro_doc WHERE macro_id = new.id;
END;
CREATE TRIGGER macro_doc_bd BEFORE DELETE ON macro BEGIN
    INSERT INTO macro_fts (macro_fts, rowid, title, body, profile)
        SELECT 'delete', seq, old.title, old.body, profile FROM macro_doc WHERE macro_id = old.id;
    DELETE FROM macro_doc WHERE macro_id = old.id;
END;
CREATE TRIGGER macro_doc_au AFTER UPDATE OF profile ON macro_doc BEGIN
    INSERT INTO macro_fts (macro_fts, rowid, title, body, profile)
        SELECT 'delete', old.seq, title, body, old.profile FROM macro WHERE id = old.macro_id;
    INSERT INTO macro_fts (rowid, title, body, profile)
        SELECT new.seq, title, body, new.profile FROM macro WHERE id = new.macro_id;
END;
INSERT INTO macro_doc (macro_id) SELECT id FROM macro ORDER BY created_at, id;
INSERT INTO macro_fts (rowid, title, body, profile)
    SELECT d.seq, m.title, m.body, '' FROM macro_doc AS d JOIN macro AS m ON m.id = d.macro_id;

-- escalations
-- Where the ticket came from (to hand it back), the acknowledgement target, the bug
-- tracker link, the hand-back, and the escalation a further one continues.
ALTER TABLE escalation ADD COLUMN from_group_id TEXT REFERENCES agent_group(id);
ALTER TABLE escalation ADD COLUMN ack_due_at INTEGER;
ALTER TABLE escalation ADD COLUMN external_url TEXT;
ALTER TABLE escalation ADD COLUMN handed_back_by_id TEXT REFERENCES agent(id);
ALTER TABLE escalation ADD COLUMN handed_back_at INTEGER;
ALTER TABLE escalation ADD COLUMN instructions TEXT;
ALTER TABLE escalation ADD COLUMN continues_id TEXT REFERENCES escalation(id);
-- The incoming list: a tier's open escalations, the first due first.
CREATE INDEX ix_escalation_due ON escalation (to_tier, state, ack_due_at);
-- An escalation ends with its ticket, whoever solves it (a Desk action, the hub, a merge),
-- so no incoming list keeps a finished ticket.
CREATE TRIGGER escalation_closed_with_ticket AFTER UPDATE OF status ON ticket
WHEN new.status IN ('solved', 'closed') BEGIN
    UPDATE escalation SET state = 'closed'
    WHERE ticket_id = new.id AND state IN ('open', 'acknowledged');
END;

-- surveys (issue 5)
-- A customer's answer to the survey sent about a ticket: CSAT (1-5, how satisfied) or
-- NPS (0-10, how likely to recommend). One answer per ticket and kind; a new answer
-- replaces the old one. The hub receives them; the demo makes them for solved tickets.
CREATE TABLE survey_answer (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    customer_id TEXT REFERENCES customer(id),
    kind TEXT NOT NULL CHECK (kind IN ('csat', 'nps')),
    score INTEGER NOT NULL
        CHECK (score BETWEEN 0 AND 10 AND (kind = 'nps' OR score BETWEEN 1 AND 5)),
    comment TEXT NOT NULL DEFAULT '',
    answered_at INTEGER NOT NULL,
    UNIQUE (ticket_id, kind)
);
-- CSAT and NPS of a period are counted from this index alone.
CREATE INDEX ix_survey_answered ON survey_answer (kind, answered_at, score);
-- Time an agent spent on a ticket's screen (what AHT adds up), recorded by the TUI.
CREATE TABLE handle_session (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    agent_id TEXT REFERENCES agent(id),
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL CHECK (ended_at >= started_at)
);
CREATE INDEX ix_handle_session_ticket ON handle_session (ticket_id, started_at, ended_at);
-- Metrics: FRT of a period from the index alone; public replies and reopenings of a
-- ticket (FCR) by key, without reading message bodies or other audit events.
CREATE INDEX ix_ticket_first_response ON ticket (first_response_at, created_at, group_id)
    WHERE first_response_at IS NOT NULL;
CREATE INDEX ix_message_public ON message (ticket_id, kind) WHERE kind = 'public';
CREATE INDEX ix_audit_reopen ON audit_event (ticket_id, at)
    WHERE action = 'set_status' AND old_value = 'solved' AND new_value = 'open';
-- The live backlog, counted by every field the dashboard folds it by, from the index alone.
CREATE INDEX ix_ticket_open_cells ON ticket (status, priority, tier, channel, assignee_id,
    created_at) WHERE status IN ('new', 'open', 'pending', 'on-hold');
-- Backlog: tickets closed without a solve (merged duplicates) end when they were closed.
CREATE INDEX ix_ticket_closed_unsolved ON ticket (updated_at, group_id)
    WHERE status = 'closed' AND solved_at IS NULL;

-- sla (issue 5)
-- Derived from a ticket's SLA policy, thread and status history, rewritten in the
-- transaction of every change that moves a clock (storage/sla.py): local to each
-- replica, never in the outbox. sla_due_at: when the next open target falls due (NULL
-- when none is open, or it is paused and not breached); sla_target: which one;
-- sla_paused_left_ms: business time left of a paused next target.
ALTER TABLE ticket ADD COLUMN sla_due_at INTEGER;
ALTER TABLE ticket ADD COLUMN sla_target TEXT
    CHECK (sla_target IN ('first_response', 'next_response', 'resolution'));
ALTER TABLE ticket ADD COLUMN sla_paused_left_ms INTEGER;
-- storage.migrations.SLA_ORDER: the SLA sort, the at-risk view and the sla: search terms.
CREATE INDEX ix_ticket_sla_order ON ticket ((CASE WHEN status IN ('solved', 'closed')
    THEN 36028797018963968 WHEN sla_due_at IS NOT NULL THEN sla_due_at
    WHEN sla_paused_left_ms IS NOT NULL THEN 9007199254740992 + sla_paused_left_ms
    ELSE 18014398509481984 END));
-- One row per target instance (first response; each next-response cycle, numbered from
-- 1; resolution), for attainment: elapsed_ms is business time counted up to ended_at,
-- or up to the last write while the target is open; met is set once it ended.
CREATE TABLE sla_clock (
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    target TEXT NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution')),
    cycle INTEGER NOT NULL DEFAULT 0,
    policy_id TEXT REFERENCES sla_policy(id),
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    elapsed_ms INTEGER NOT NULL,
    target_ms INTEGER NOT NULL,
    due_at INTEGER,
    met INTEGER CHECK (met IN (0, 1)),
    PRIMARY KEY (ticket_id, target, cycle)
) WITHOUT ROWID;
-- Attainment of a period: targets that ended in it, and open ones that fell due in it.
CREATE INDEX ix_sla_clock_ended ON sla_clock (ended_at, target, met) WHERE ended_at IS NOT NULL;
CREATE INDEX ix_sla_clock_open_due ON sla_clock (due_at, target) WHERE ended_at IS NULL;
-- Every status a ticket entered and when, whoever changed it (a Desk op, a merge, a
-- macro, a sync pull): the clocks pause and stop by it. The demo writes its own.
CREATE TABLE ticket_status_change (
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (ticket_id, at, status)
) WITHOUT ROWID;
CREATE TRIGGER ticket_status_change_au AFTER UPDATE OF status ON ticket
WHEN new.status IS NOT old.status BEGIN
    INSERT OR IGNORE INTO ticket_status_change (ticket_id, at, status)
    VALUES (new.id, new.updated_at, new.status);
END;
"""

# v4: the team hub and sync (issue 6). The same schema serves both sides: a workstation
# leaves the hub's tables empty, the hub leaves the outbox and drafts empty. Sections
# below belong to one capability each.
_V4: Final = """
-- conflicts: the ticket's version after each change, so the hub can tell whether a field
-- changed since the version a mutation was made on (agentdesk.hub.mutations).
ALTER TABLE audit_event ADD COLUMN version INTEGER;
CREATE INDEX ix_audit_ticket_field ON audit_event (ticket_id, field, version)
    WHERE version IS NOT NULL;

-- hub auth: an agent's bearer tokens, stored as SHA-256 hex (tokens are 256-bit random).
CREATE TABLE hub_token (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
    label TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX ix_hub_token_agent ON hub_token (agent_id);

-- hub mutations: each workstation (client_id) pushes as one agent; last_seq is the
-- highest seq applied or rejected; every result is kept so a repeat gets the first one.
CREATE TABLE hub_client (
    client_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agent(id),
    last_seq INTEGER NOT NULL DEFAULT 0,
    seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE hub_mutation (
    client_id TEXT NOT NULL REFERENCES hub_client(client_id),
    seq INTEGER NOT NULL,
    op TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    code TEXT,
    reason TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (client_id, seq)
) WITHOUT ROWID;

-- hub channels: the HMAC secret of each inbound webhook and where replies go out.
CREATE TABLE channel (
    name TEXT PRIMARY KEY CHECK (name IN ('email', 'chat', 'web', 'survey')),
    secret TEXT NOT NULL,
    outbound_url TEXT,
    max_body_bytes INTEGER NOT NULL DEFAULT 262144 CHECK (max_body_bytes > 0)
) WITHOUT ROWID;
-- Threading: a customer's follow-up finds its ticket by the message it answers
-- (email Message-ID) or by its conversation (ticket.external_id, e.g. chat:<id>).
CREATE INDEX ix_message_external ON message (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX ix_ticket_external ON ticket (external_id) WHERE external_id IS NOT NULL;

-- hub delivery: public replies waiting to go out to their channel, retried with backoff;
-- a lease (leased_until) keeps two hub processes from sending the same one at once.
CREATE TABLE delivery (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE REFERENCES message(id) ON DELETE CASCADE,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    leased_until INTEGER,
    last_error TEXT,
    delivered_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_delivery_due ON delivery (state, next_attempt_at);

-- hub presence: who is viewing or replying to a ticket, until expires_at.
CREATE TABLE presence (
    agent_id TEXT NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('viewing', 'replying')),
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
) WITHOUT ROWID;

-- workstation: a ticket's rejected (and pending) mutations, shown on its screen.
CREATE INDEX ix_outbox_ticket ON outbox (ticket_id, state) WHERE ticket_id IS NOT NULL;
-- workstation: rejections: a rejected row is kept; the agent acknowledging it on the ticket
-- screen only stamps it (storage.rejections), so nothing is dropped silently.
ALTER TABLE outbox ADD COLUMN acknowledged_at INTEGER;
"""

#: MIGRATIONS[n - 1] takes the schema from version n - 1 to version n.
MIGRATIONS: Final[tuple[str, ...]] = (_V1, _V2, _V3, _V4)

SCHEMA_VERSION: Final = len(MIGRATIONS)
