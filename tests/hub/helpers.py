"""Small helpers for hub tests: pushing mutations, reading the whole feed, counting rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from storage.stores import open_store


def mutation(
    seq: int, op: str, ticket: str | None, args: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """One outbox row as a workstation pushes it."""
    return {"seq": seq, "op": op, "ticket_id": ticket, "args": args, "at": 0, **extra}


def push(client: httpx.Client, client_id: str, *mutations: dict[str, Any]) -> httpx.Response:
    """POST the mutations as one batch."""
    return client.post("/v1/mutations", json={"client_id": client_id, "mutations": list(mutations)})


def results(answer: httpx.Response) -> list[tuple[str, str | None]]:
    """(status, code) of each result of a push answer."""
    assert answer.status_code == 200, answer.text
    return [(r["status"], r["code"]) for r in answer.json()["results"]]


def whole_feed(client: httpx.Client, *, limit: int = 1000) -> list[dict[str, Any]]:
    """Every change the client may read, page by page."""
    changes: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get("/v1/changes", params={"after": after, "limit": limit}).json()
        changes += page["changes"]
        after = page["next"]
        if not page["more"]:
            return changes


def scalar(store: str | Path, sql: str, *params: object) -> Any:
    """One value read from the store (a file or a PostgreSQL URL)."""
    db = open_store(store)
    try:
        with db.read() as conn:
            return conn.execute(sql, params).fetchone()[0]
    finally:
        db.close()
