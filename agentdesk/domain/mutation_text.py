"""Naming a mutation in words, for the agent whose change the hub rejected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

_FIXED: Final = {
    "reply": "your reply",
    "note": "your internal note",
    "assign": "the assignment",
    "acknowledge_escalation": "taking the escalation",
    "hand_back": "the hand-back",
    "unlink_incident": "unlinking from the incident",
    "merge": "the merge",
    "record_merge": "the merge",
    "link_incident": "linking to the incident",
}
#: Ops whose refusal leaves typed text behind; the engine restores it as the draft.
TEXT_OPS: Final = frozenset({"reply", "note"})


def describe(op: str, args: Mapping[str, object]) -> str:
    """``set_status`` + ``{"status": "solved"}`` -> "status → solved"; an unknown op its name."""
    if op in ("set_status", "set_priority"):
        field = op.removeprefix("set_")
        return f"{field} → {args.get(field, '?')}"
    if op in ("add_tags", "remove_tags"):
        sign = "+" if op == "add_tags" else "-"
        tags = args.get("tags")
        names = [str(t) for t in tags] if isinstance(tags, list) else []
        return "tags " + " ".join(sign + name for name in names) if names else "tags"
    if op == "escalate":
        return f"escalation to tier {args.get('tier', '?')}"
    return _FIXED.get(op, op.replace("_", " "))
