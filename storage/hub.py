"""SQL for the hub side: tokens, clients, mutation results, channels, deliveries, presence.

Only the hub writes these tables (a workstation leaves them empty); every function
runs inside the caller's transaction and never commits. Sections belong to one
capability each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from storage.sql import Connection, Dialect, dialect_of, json_field

# --------------------------------------------------------------------------- tokens [A]


def insert_token(conn: Connection, *, token_hash: str, agent_id: str, label: str, at: int) -> None:
    """Store a new bearer token of the agent (its SHA-256 hex, never the token)."""
    conn.execute(
        "INSERT INTO hub_token (token_hash, agent_id, label, created_at) VALUES (?, ?, ?, ?)",
        (token_hash, agent_id, label, at),
    )


def token_agent(conn: Connection, token_hash: str) -> tuple[str, bool] | None:
    """(agent id, whether the token is revoked) for a known token hash, else ``None``."""
    row = conn.execute(
        "SELECT agent_id, revoked_at IS NOT NULL FROM hub_token WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    return None if row is None else (str(row[0]), bool(row[1]))


def revoke_tokens(conn: Connection, agent_id: str, *, at: int) -> int:
    """Revoke every live token of the agent; returns how many."""
    cursor = conn.execute(
        "UPDATE hub_token SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL",
        (at, agent_id),
    )
    return cursor.rowcount


#: The channels a hub has (the ``channel`` table's CHECK).
CHANNELS: Final = ("email", "chat", "web", "survey")


def insert_agent(
    conn: Connection, *, agent_id: str, name: str, email: str, tier: str, at: int
) -> None:
    """A new agent (active)."""
    conn.execute(
        "INSERT INTO agent (id, name, email, tier, created_at) VALUES (?, ?, ?, ?, ?)",
        (agent_id, name, email, tier, at),
    )


def add_membership(conn: Connection, agent_id: str, group_id: str) -> None:
    """Put the agent in the group (already there is fine)."""
    conn.execute(
        "INSERT INTO agent_group_member (agent_id, group_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (agent_id, group_id),
    )


# --------------------------------------------------------------------------- mutations [A]


@dataclass(frozen=True, slots=True)
class ClientRow:
    """A workstation the hub knows: the agent it pushes as and its last judged seq."""

    client_id: str
    agent_id: str
    last_seq: int


@dataclass(frozen=True, slots=True)
class MutationResult:
    """How the hub judged one mutation, kept so that a repeat gets the same answer."""

    seq: int
    status: str  # 'applied' | 'rejected'
    code: str | None
    reason: str | None


def client_row(conn: Connection, client_id: str) -> ClientRow | None:
    """The workstation, if it has pushed (or pulled with its id) before."""
    row = conn.execute(
        "SELECT client_id, agent_id, last_seq FROM hub_client WHERE client_id = ?", (client_id,)
    ).fetchone()
    return None if row is None else ClientRow(*row)


def claim_client(conn: Connection, client_id: str, agent_id: str, *, at: int) -> ClientRow:
    """Register the workstation to the agent unless it is known; returns it as stored."""
    conn.execute(
        "INSERT INTO hub_client (client_id, agent_id, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (client_id) DO NOTHING",
        (client_id, agent_id, at),
    )
    found = client_row(conn, client_id)
    assert found is not None  # inserted or already there, in this transaction
    return found


def record_result(
    conn: Connection, client_id: str, result: MutationResult, *, op: str, at: int
) -> bool:
    """Keep the result and move the client's ``last_seq`` to it, in the caller's transaction.

    Returns ``False`` (writing nothing) if the seq was judged already: a concurrent
    repeat of the same push got there first.
    """
    moved = conn.execute(
        "UPDATE hub_client SET last_seq = ?, seen_at = ? WHERE client_id = ? AND last_seq < ?",
        (result.seq, at, client_id, result.seq),
    ).rowcount
    if moved != 1:
        return False
    conn.execute(
        "INSERT INTO hub_mutation (client_id, seq, op, status, code, reason, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (client_id, result.seq, op, result.status, result.code, result.reason, at),
    )
    return True


def stored_result(conn: Connection, client_id: str, seq: int) -> MutationResult | None:
    """The first result given for this mutation, if it was judged."""
    row = conn.execute(
        "SELECT seq, status, code, reason FROM hub_mutation WHERE client_id = ? AND seq = ?",
        (client_id, seq),
    ).fetchone()
    return None if row is None else MutationResult(*row)


@dataclass(frozen=True, slots=True)
class FieldEvent:
    """A ticket's audit event as the conflict rule reads it."""

    action: str
    field: str
    new_value: str | None
    version: int
    mutation_id: str | None
    agent_name: str | None


def field_events_after(conn: Connection, ticket_id: str, version: int) -> list[FieldEvent]:
    """The ticket's audit events with a field, newer than ``version``: newest first."""
    rows = conn.execute(
        "SELECT e.action, e.field, e.new_value, e.version, e.mutation_id, a.name"
        " FROM audit_event AS e"
        " LEFT JOIN agent AS a ON a.id = e.agent_id"
        " WHERE e.ticket_id = ? AND e.version > ? AND e.field IS NOT NULL"
        " ORDER BY e.version DESC, e.rowid DESC",
        (ticket_id, version),
    ).fetchall()
    return [FieldEvent(*row) for row in rows]


def client_versions(conn: Connection, ticket_id: str, client_id: str) -> list[int]:
    """The ticket versions this client's mutations made on the hub."""
    rows = conn.execute(
        "SELECT version FROM audit_event WHERE ticket_id = ?1 AND version IS NOT NULL"
        " AND mutation_id >= ?2 || ':' AND mutation_id < ?2 || ';'",
        (ticket_id, client_id),
    ).fetchall()
    return [int(row[0]) for row in rows]


# --------------------------------------------------------------------------- feed [A]


@cache
def _visible(dialect: Dialect) -> str:
    """The feed as a caller may read it, as a WHERE condition (made once per dialect).

    Restricted internal notes only for the cleared (?3 = 1) and their author (?2),
    personal macros only for their owner, audit events of no ticket (a personal
    macro's title, an SLA policy) only for their agent. Deletes carry no row, so
    they pass. Tests the cheap entity comparison before reading JSON.
    """

    def field(key: str) -> str:
        return json_field(dialect, "payload", key)

    return f"""(
    entity NOT IN ('message', 'macro', 'audit_event') OR op = 'delete'
    OR (entity = 'message' AND (?3 = 1 OR {field("restricted")} = '0'
        OR {field("author_agent_id")} = ?2))
    OR (entity = 'macro' AND coalesce({field("owner_id")}, ?2) = ?2)
    OR (entity = 'audit_event' AND ({field("ticket_id")} IS NOT NULL
        OR {field("agent_id")} = ?2))
)"""


def last_change(conn: Connection) -> int:
    """The newest change's seq (0 for an empty feed)."""
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM change").fetchone()[0])


def change_page(
    conn: Connection,
    *,
    after: int,
    upto: int,
    limit: int,
    agent_id: str,
    cleared: bool,
) -> list[tuple[int, str]]:
    """Up to ``limit`` changes in (after, upto] the agent may read: (seq, change as JSON).

    The JSON object is assembled by the database from the stored key and row JSON, so a
    page of thousands of rows is served without parsing any of them.
    """
    rows = conn.execute(
        'SELECT seq, \'{"seq":\' || seq || \',"entity":"\' || entity || \'","op":"\' || op'
        " || '\",\"key\":' || entity_id || ',\"row\":' || payload || '}'"
        f" FROM change WHERE seq > ?1 AND seq <= ?5 AND {_visible(dialect_of(conn))}"
        " ORDER BY seq LIMIT ?4",
        (after, agent_id, int(cleared), limit, upto),
    ).fetchall()
    return [(int(seq), str(text)) for seq, text in rows]


# --------------------------------------------------------------------------- channels [B]


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """A channel's webhook secret, where its replies go, and its body size limit."""

    name: str
    secret: str
    outbound_url: str | None
    max_body_bytes: int


def channel_row(conn: Connection, name: str) -> ChannelRow | None:
    """The channel's configuration, or ``None`` if this hub has none for it."""
    row = conn.execute(
        "SELECT name, secret, outbound_url, max_body_bytes FROM channel WHERE name = ?", (name,)
    ).fetchone()
    return None if row is None else ChannelRow(*row)


def set_channel(
    conn: Connection,
    name: str,
    *,
    secret: str | None = None,
    outbound_url: str | None = None,
    max_body_bytes: int | None = None,
    clear_outbound: bool = False,
) -> ChannelRow:
    """Configure a channel: the given fields change, the others stay; returns the result.

    A channel seen for the first time needs a ``secret``. ``clear_outbound`` removes
    the endpoint (replies on the channel stop being queued).
    """
    current = channel_row(conn, name)
    if current is None:
        if not secret:
            raise ValueError(f"channel {name} is new: give it a secret")
        current = ChannelRow(name, secret, None, _DEFAULT_MAX_BODY)
    row = ChannelRow(
        name,
        secret or current.secret,
        None if clear_outbound else outbound_url or current.outbound_url,
        max_body_bytes or current.max_body_bytes,
    )
    conn.execute(
        "INSERT INTO channel (name, secret, outbound_url, max_body_bytes) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET secret = excluded.secret,"
        " outbound_url = excluded.outbound_url, max_body_bytes = excluded.max_body_bytes",
        (row.name, row.secret, row.outbound_url, row.max_body_bytes),
    )
    return row


_DEFAULT_MAX_BODY: Final = 256 * 1024  # the schema's default for channel.max_body_bytes

# --------------------------------------------------------------------------- inbound [B]


@dataclass(frozen=True, slots=True)
class TicketRef:
    """A ticket as threading judges it."""

    id: str
    number: int
    status: str
    subject: str


@dataclass(frozen=True, slots=True)
class KnownMessage:
    """A customer message already stored (a provider delivered the same mail again)."""

    ticket_id: str
    number: int
    message_id: str
    threaded: bool


_TICKET_REF: Final = "SELECT t.id, t.number, t.status, t.subject FROM ticket AS t"


def known_message(conn: Connection, external_id: str) -> KnownMessage | None:
    """The customer message stored with this Message-ID; ``threaded`` if it was not its
    ticket's first message."""
    row = conn.execute(
        "SELECT m.ticket_id, t.number, m.id, EXISTS (SELECT 1 FROM message AS e"
        " WHERE e.ticket_id = m.ticket_id AND e.seq < m.seq)"
        " FROM message AS m JOIN ticket AS t ON t.id = m.ticket_id"
        " WHERE m.external_id = ? AND m.kind = 'customer' ORDER BY m.seq LIMIT 1",
        (external_id,),
    ).fetchone()
    return None if row is None else KnownMessage(row[0], row[1], row[2], bool(row[3]))


def ticket_answered(conn: Connection, message_ids: Sequence[str]) -> TicketRef | None:
    """The ticket holding any of these Message-IDs (the latest one named that is known),
    followed through merges to the ticket that absorbed it."""
    for external_id in reversed(message_ids):
        row = conn.execute(
            "SELECT ticket_id FROM message WHERE external_id = ? ORDER BY seq LIMIT 1",
            (external_id,),
        ).fetchone()
        if row is not None:
            return _surviving(conn, row[0])
    return None


def ticket_with_key(conn: Connection, external_id: str) -> TicketRef | None:
    """The newest ticket of a conversation (``ticket.external_id``, e.g. ``chat:<id>``)."""
    row = conn.execute(
        "SELECT id FROM ticket WHERE external_id = ? ORDER BY number DESC LIMIT 1", (external_id,)
    ).fetchone()
    return None if row is None else _surviving(conn, row[0])


def _surviving(conn: Connection, ticket_id: str) -> TicketRef:
    """The ticket, or the one it was merged into (and so on), as a TicketRef."""
    row = conn.execute(
        "WITH RECURSIVE chain (id, depth) AS (SELECT ?, 0 UNION ALL"
        " SELECT t.merged_into_id, c.depth + 1 FROM chain AS c JOIN ticket AS t ON t.id = c.id"
        " WHERE t.merged_into_id IS NOT NULL AND c.depth < 32)"
        f" {_TICKET_REF} JOIN chain AS c ON c.id = t.id ORDER BY c.depth DESC LIMIT 1",
        (ticket_id,),
    ).fetchone()
    return TicketRef(*row)


def customer_id_by_email(conn: Connection, email: str) -> str | None:
    """The customer with this email address, compared case-insensitively."""
    row = conn.execute(
        "SELECT id FROM customer WHERE email = ? COLLATE NOCASE ORDER BY created_at LIMIT 1",
        (email,),
    ).fetchone()
    return None if row is None else str(row[0])


def insert_customer(conn: Connection, *, customer_id: str, name: str, email: str, at: int) -> None:
    """A customer who wrote in for the first time (plan 'free' until someone says otherwise)."""
    conn.execute(
        "INSERT INTO customer (id, name, email, created_at) VALUES (?, ?, ?, ?)",
        (customer_id, name, email, at),
    )


def insert_ticket(
    conn: Connection,
    *,
    ticket_id: str,
    subject: str,
    priority: str,
    channel: str,
    requester_id: str,
    external_id: str | None,
    at: int,
) -> int:
    """A new ticket (status 'new', version 1); returns its number."""
    cursor = conn.execute(
        "INSERT INTO ticket (id, subject, priority, channel, requester_id, external_id,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING number",
        (ticket_id, subject, priority, channel, requester_id, external_id, at, at),
    )
    return int(cursor.fetchone()[0])


def insert_customer_message(
    conn: Connection,
    *,
    message_id: str,
    ticket_id: str,
    customer_id: str,
    body: str,
    channel: str,
    external_id: str | None,
    in_reply_to: str | None,
    at: int,
) -> None:
    """Append what a customer wrote, verbatim, to the thread."""
    conn.execute(
        "INSERT INTO message (id, ticket_id, kind, author_customer_id, body, channel,"
        " external_id, in_reply_to, created_at) VALUES (?, ?, 'customer', ?, ?, ?, ?, ?, ?)",
        (message_id, ticket_id, customer_id, body, channel, external_id, in_reply_to, at),
    )


def ticket_requester(conn: Connection, ticket_id: str) -> str:
    """Who asked: a survey answer about the ticket is theirs."""
    return str(
        conn.execute("SELECT requester_id FROM ticket WHERE id = ?", (ticket_id,)).fetchone()[0]
    )


def survey_answer_id(conn: Connection, ticket_id: str, kind: str) -> str | None:
    """The id of the ticket's answer of this kind, if it has one (a new answer keeps it)."""
    row = conn.execute(
        "SELECT id FROM survey_answer WHERE ticket_id = ? AND kind = ?", (ticket_id, kind)
    ).fetchone()
    return None if row is None else str(row[0])


# --------------------------------------------------------------------------- deliveries [B]

#: The Message-ID our outgoing mail carries for a message id: ``<id@agentdesk>``.
OUTGOING_DOMAIN: Final = "agentdesk"

#: Hub-only (``agentdesk.hub.store.open_hub`` installs it): a public reply on a ticket
#: whose channel has an outbound endpoint is queued for delivery in the transaction that
#: writes it, whoever writes it (a replayed reply, a macro, an incident's solve), and
#: gets the Message-ID it will be sent with plus the customer mail it answers, so the
#: customer's reply threads back. Internal notes and customer messages never match;
#: replies on channels with no endpoint (phone, social) are not queued.
DELIVERY_TRIGGER: Final = f"""CREATE TRIGGER hub_delivery_enqueue AFTER INSERT ON message
WHEN new.kind = 'public' AND EXISTS (
    SELECT 1 FROM ticket AS t JOIN channel AS c ON c.name = t.channel
    WHERE t.id = new.ticket_id AND c.outbound_url IS NOT NULL)
BEGIN
    INSERT INTO delivery (message_id, ticket_id, channel, next_attempt_at, created_at)
        SELECT new.id, t.id, t.channel, 0, new.created_at FROM ticket AS t
        WHERE t.id = new.ticket_id;
    UPDATE message SET
        external_id = coalesce(external_id, '<' || new.id || '@{OUTGOING_DOMAIN}>'),
        in_reply_to = coalesce(in_reply_to, (SELECT m.external_id FROM message AS m
            WHERE m.ticket_id = new.ticket_id AND m.kind = 'customer'
                AND m.external_id IS NOT NULL ORDER BY m.seq DESC LIMIT 1))
    WHERE id = new.id;
END"""


#: :data:`DELIVERY_TRIGGER` on PostgreSQL: the ids are set on the row BEFORE it is
#: written (so the feed's AFTER trigger sends the row as stored), the delivery is
#: queued AFTER (its foreign key needs the message).
_PG_DELIVERY: Final = (
    """CREATE OR REPLACE FUNCTION hub_delivery_queued(message message) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT message.kind = 'public' AND EXISTS (
        SELECT 1 FROM ticket AS t JOIN channel AS c ON c.name = t.channel
        WHERE t.id = message.ticket_id AND c.outbound_url IS NOT NULL)
$$""",
    f"""CREATE OR REPLACE FUNCTION hub_delivery_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF hub_delivery_queued(NEW) THEN
        NEW.external_id := coalesce(NEW.external_id, '<' || NEW.id || '@{OUTGOING_DOMAIN}>');
        NEW.in_reply_to := coalesce(NEW.in_reply_to, (SELECT m.external_id FROM message AS m
            WHERE m.ticket_id = NEW.ticket_id AND m.kind = 'customer'
                AND m.external_id IS NOT NULL ORDER BY m.seq DESC LIMIT 1));
    END IF;
    RETURN NEW;
END $$""",
    """CREATE OR REPLACE FUNCTION hub_delivery_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF hub_delivery_queued(NEW) THEN
        INSERT INTO delivery (message_id, ticket_id, channel, next_attempt_at, created_at)
            SELECT NEW.id, t.id, t.channel, 0, NEW.created_at FROM ticket AS t
            WHERE t.id = NEW.ticket_id;
    END IF;
    RETURN NULL;
END $$""",
    "CREATE OR REPLACE TRIGGER hub_delivery_ids BEFORE INSERT ON message"
    " FOR EACH ROW EXECUTE FUNCTION hub_delivery_ids()",
    "CREATE OR REPLACE TRIGGER hub_delivery_enqueue AFTER INSERT ON message"
    " FOR EACH ROW EXECUTE FUNCTION hub_delivery_enqueue()",
)


def install_delivery_trigger(conn: Connection) -> None:
    """Create :data:`DELIVERY_TRIGGER`, replacing an older definition (hub stores only).

    Call inside a write transaction; a hub that has it as written is left alone.
    """
    if dialect_of(conn) == "postgresql":
        for statement in _PG_DELIVERY:
            conn.execute(statement)
        return
    row = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'hub_delivery_enqueue'"
    ).fetchone()
    if row is not None and row[0] == DELIVERY_TRIGGER:
        return
    conn.execute("DROP TRIGGER IF EXISTS hub_delivery_enqueue")
    conn.execute(DELIVERY_TRIGGER)


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """A claimed delivery with everything its request is made of.

    ``lease`` is the ``leased_until`` this claim wrote: the result is written only
    while the row still carries it, so a worker whose lease ran out (and whose row
    another process claimed since) cannot overwrite the newer attempt.
    """

    id: int
    lease: int
    attempts: int
    channel: str
    outbound_url: str | None
    secret: str | None
    message_id: str
    body: str
    outgoing_id: str | None
    in_reply_to: str | None
    ticket_id: str
    number: int
    subject: str
    status: str
    to_email: str
    to_name: str


def claim_deliveries(
    conn: Connection, *, now: int, lease_until: int, limit: int
) -> list[DeliveryJob]:
    """Lease up to ``limit`` due pending deliveries (oldest due first) until ``lease_until``.

    Call in a write transaction (``BEGIN IMMEDIATE``): SQLite runs one writer at a
    time, so two hub processes never lease the same row.
    """
    ids = [
        row[0]
        for row in conn.execute(
            "UPDATE delivery SET leased_until = ?1 WHERE id IN (SELECT id FROM delivery"
            " WHERE state = 'pending' AND next_attempt_at <= ?2"
            " AND (leased_until IS NULL OR leased_until <= ?2)"
            " ORDER BY next_attempt_at, id LIMIT ?3) RETURNING id",
            (lease_until, now, limit),
        ).fetchall()
    ]
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(
        "SELECT d.id, d.leased_until, d.attempts, d.channel, c.outbound_url, c.secret, m.id,"
        " m.body, m.external_id, m.in_reply_to, t.id, t.number, t.subject, t.status,"
        " u.email, u.name"
        " FROM delivery AS d JOIN message AS m ON m.id = d.message_id"
        " JOIN ticket AS t ON t.id = d.ticket_id JOIN customer AS u ON u.id = t.requester_id"
        f" LEFT JOIN channel AS c ON c.name = d.channel WHERE d.id IN ({marks}) ORDER BY d.id",
        ids,
    ).fetchall()
    return [DeliveryJob(*row) for row in rows]


def mark_delivered(conn: Connection, job: DeliveryJob, *, at: int) -> bool:
    """Record a delivery the endpoint accepted; ``False`` if the lease was lost meanwhile."""
    cursor = conn.execute(
        "UPDATE delivery SET state = 'delivered', attempts = attempts + 1, delivered_at = ?,"
        " last_error = NULL, leased_until = NULL WHERE id = ? AND leased_until = ?",
        (at, job.id, job.lease),
    )
    return cursor.rowcount == 1


def mark_attempt_failed(
    conn: Connection, job: DeliveryJob, *, error: str, retry_at: int | None
) -> bool:
    """Record a failed attempt: due again at ``retry_at``, or given up (``None``).

    Returns ``False`` if the lease was lost meanwhile (nothing is written).
    """
    cursor = conn.execute(
        "UPDATE delivery SET attempts = attempts + 1, last_error = ?1, leased_until = NULL,"
        " state = CASE WHEN CAST(?2 AS BIGINT) IS NULL THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = coalesce(?2, next_attempt_at) WHERE id = ?3 AND leased_until = ?4",
        (error, retry_at, job.id, job.lease),
    )
    return cursor.rowcount == 1


def next_delivery_due(conn: Connection) -> int | None:
    """When the earliest pending delivery falls due (leases ignored), or ``None``."""
    row = conn.execute(
        "SELECT min(max(next_attempt_at, coalesce(leased_until, 0))) FROM delivery"
        " WHERE state = 'pending'"
    ).fetchone()
    return None if row[0] is None else int(row[0])


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """A delivery as leads and admins list it."""

    id: int
    message_id: str
    ticket_id: str
    number: int
    channel: str
    state: str
    attempts: int
    next_attempt_at: int
    last_error: str | None
    delivered_at: int | None
    created_at: int


def list_deliveries(conn: Connection, *, state: str | None, limit: int) -> list[DeliveryRow]:
    """The newest deliveries first, of one state or all."""
    rows = conn.execute(
        "SELECT d.id, d.message_id, d.ticket_id, t.number, d.channel, d.state, d.attempts,"
        " d.next_attempt_at, d.last_error, d.delivered_at, d.created_at"
        " FROM delivery AS d JOIN ticket AS t ON t.id = d.ticket_id"
        " WHERE CAST(?1 AS TEXT) IS NULL OR d.state = ?1 ORDER BY d.id DESC LIMIT ?2",
        (state, limit),
    ).fetchall()
    return [DeliveryRow(*row) for row in rows]


# --------------------------------------------------------------------------- presence [B]


@dataclass(frozen=True, slots=True)
class PresenceRow:
    """Someone on a ticket: viewing or replying, until ``expires_at``."""

    agent_id: str
    name: str
    state: str
    expires_at: int


def set_presence(
    conn: Connection, *, agent_id: str, ticket_id: str, state: str, expires_at: int
) -> None:
    """Say the agent is on the ticket until ``expires_at`` (replacing what they said before)."""
    conn.execute(
        "INSERT INTO presence (agent_id, ticket_id, state, expires_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (ticket_id, agent_id)"
        " DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at",
        (agent_id, ticket_id, state, expires_at),
    )


def clear_presence(conn: Connection, *, agent_id: str, ticket_id: str, now: int) -> None:
    """The agent left the ticket; expired rows of anyone are swept on the way."""
    conn.execute(
        "DELETE FROM presence WHERE (ticket_id = ? AND agent_id = ?) OR expires_at <= ?",
        (ticket_id, agent_id, now),
    )


def present_on(
    conn: Connection, ticket_id: str, *, now: int, exclude: str | None
) -> list[PresenceRow]:
    """Who is on the ticket now, except ``exclude``: those replying first, then by name."""
    rows = conn.execute(
        "SELECT p.agent_id, a.name, p.state, p.expires_at FROM presence AS p"
        " JOIN agent AS a ON a.id = p.agent_id"
        " WHERE p.ticket_id = ? AND p.expires_at > ? AND p.agent_id IS DISTINCT FROM ?"
        " ORDER BY p.state = 'replying' DESC, a.name, p.agent_id",
        (ticket_id, now, exclude),
    ).fetchall()
    return [PresenceRow(*row) for row in rows]
