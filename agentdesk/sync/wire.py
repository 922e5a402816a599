"""The hub's JSON as plain dataclasses (see /v1/me, /v1/changes, /v1/mutations).

Plain dataclasses and hand-written readers rather than pydantic: this module is
on the TUI's path, where pydantic's import alone would cost a noticeable part
of the start-up budget, and the shapes are few and flat. Every reader checks
types, so a hub that answers something unexpected gives a :class:`WireError`
naming the field instead of a ``KeyError`` deep in the engine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from storage.sync import OutboxRow

#: Results of a mutation the hub judged.
APPLIED: Final = "applied"
REJECTED: Final = "rejected"


class WireError(ValueError):
    """The hub answered JSON of the wrong shape."""


@dataclass(frozen=True, slots=True)
class HubAgent:
    """The agent a token belongs to, as the hub knows them."""

    id: str
    name: str
    email: str
    tier: str
    active: bool


@dataclass(frozen=True, slots=True)
class Me:
    """``GET /v1/me``: who the token is, and which hub answered."""

    agent: HubAgent
    hub_name: str


@dataclass(frozen=True, slots=True)
class FeedChange:
    """One row change: an upsert carries the whole row, a delete only its key."""

    seq: int
    entity: str
    op: str
    key: dict[str, Any]
    row: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Page:
    """``GET /v1/changes``: changes in hub order, the cursor after them, this client's last seq."""

    changes: list[FeedChange]
    next: int
    more: bool
    last_seq: int


@dataclass(frozen=True, slots=True)
class MutationResult:
    """How the hub judged one mutation."""

    seq: int
    status: str
    code: str | None
    reason: str | None

    @property
    def error(self) -> str:
        """What the outbox keeps and the ticket screen shows: "code: reason"."""
        reason = self.reason or "refused by the hub"
        return f"{self.code}: {reason}" if self.code else reason


@dataclass(frozen=True, slots=True)
class PushAnswer:
    """``POST /v1/mutations``: one result per mutation sent, and the client's last seq."""

    results: list[MutationResult]
    last_seq: int


# --------------------------------------------------------------------------- requests


def push_body(client_id: str, rows: Sequence[OutboxRow]) -> bytes:
    """The request body pushing ``rows`` (their ``args`` already JSON, sent as objects)."""
    mutations = [
        {
            "seq": row.seq,
            "op": row.op,
            "ticket_id": row.ticket_id,
            "base_version": row.base_version,
            "args": json.loads(row.args),
            "at": row.at,
        }
        for row in rows
    ]
    payload = {"client_id": client_id, "mutations": mutations}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- answers


def parse_me(data: object) -> Me:
    """Read ``GET /v1/me``."""
    body = _object(data, "answer")
    agent = _object(body.get("agent"), "agent")
    hub = body.get("hub")
    name = _str(hub, "name", "hub") if isinstance(hub, Mapping) else "hub"
    return Me(
        HubAgent(
            id=_str(agent, "id", "agent"),
            name=_str(agent, "name", "agent"),
            email=_str(agent, "email", "agent"),
            tier=_str(agent, "tier", "agent"),
            active=bool(agent.get("active", True)),
        ),
        name,
    )


def parse_page(data: object) -> Page:
    """Read ``GET /v1/changes``."""
    body = _object(data, "answer")
    return Page(
        parse_changes(body.get("changes")),
        next=_int(body, "next", "answer"),
        more=bool(body.get("more", False)),
        last_seq=_int(body, "last_seq", "answer"),
    )


def parse_changes(raw: object) -> list[FeedChange]:
    """Read a list of feed changes (a page's, or a ticket snapshot's).

    Written for speed, as the first sync reads a million of them: the checks
    are inline and each change is built once.
    """
    if not isinstance(raw, list):
        raise WireError("'changes' must be a list")
    changes = []
    for item in raw:
        try:
            entity, op, key, row = item["entity"], item["op"], item["key"], item.get("row")
            seq = item.get("seq", 0)
        except (KeyError, TypeError, AttributeError) as exc:
            raise WireError(f"a change lacks {exc}") from exc
        if type(entity) is not str or type(key) is not dict or type(seq) is not int:
            raise WireError(f"malformed change {item!r:.200}")
        if op == "upsert":
            if type(row) is not dict:
                raise WireError(f"an upsert of {entity} must carry its row")
        elif op == "delete":
            row = None
        else:
            raise WireError(f"change 'op' must be upsert or delete, got {op!r}")
        changes.append(FeedChange(seq, entity, op, key, row))
    return changes


def parse_snapshot(data: object) -> list[FeedChange]:
    """Read ``GET /v1/tickets/{ref}/snapshot``: the ticket's rows as changes."""
    return parse_changes(_object(data, "answer").get("changes"))


def parse_push(data: object) -> PushAnswer:
    """Read ``POST /v1/mutations``."""
    body = _object(data, "answer")
    raw = body.get("results")
    if not isinstance(raw, list):
        raise WireError("'results' must be a list")
    results = []
    for entry in raw:
        item = _object(entry, "result")
        status = item.get("status")
        if status not in (APPLIED, REJECTED):
            raise WireError(f"result 'status' must be applied or rejected, got {status!r}")
        results.append(
            MutationResult(
                seq=_int(item, "seq", "result"),
                status=status,
                code=_optional_str(item, "code"),
                reason=_optional_str(item, "reason"),
            )
        )
    return PushAnswer(results, _int(body, "last_seq", "answer"))


def error_detail(data: object) -> str | None:
    """The ``detail`` sentence of a hub error answer, if it has one."""
    if isinstance(data, Mapping):
        detail = data.get("detail")
        if isinstance(detail, str) and detail:
            return detail
    return None


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"{what} must be a JSON object")
    return value


def _str(value: Mapping[str, object], key: str, what: str) -> str:
    found = value.get(key)
    if not isinstance(found, str):
        raise WireError(f"{what} '{key}' must be text")
    return found


def _optional_str(value: Mapping[str, object], key: str) -> str | None:
    found = value.get(key)
    return found if isinstance(found, str) else None


def _int(value: Mapping[str, object], key: str, what: str) -> int:
    found = value.get(key)
    if not isinstance(found, int) or isinstance(found, bool):
        raise WireError(f"{what} '{key}' must be a whole number")
    return found
