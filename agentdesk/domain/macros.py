"""Canned responses: templates, their placeholders and the ticket changes they stage.

Everything a macro is checked against lives here and is pure, so the Desk, the
macro manager's form and ``agentdesk macro import`` refuse exactly the same
things with the same sentences. A template is checked when the macro is SAVED:
an unknown placeholder or a stray ``{{`` never reaches a customer. Rendering a
checked template cannot fail.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from agentdesk.domain.text import one_line
from agentdesk.domain.workflow import (
    PRIORITIES,
    STATUSES,
    DeskError,
    InvalidTag,
    normalise_tag,
)

#: Every placeholder a template may use, with what it becomes (the form lists them).
PLACEHOLDERS: Final[Mapping[str, str]] = {
    "customer.first_name": "the requester's first name",
    "customer.name": "the requester's full name",
    "customer.email": "the requester's email address",
    "customer.organization": "the requester's organization (empty if none)",
    "ticket.id": "the ticket's number, e.g. 1042 (write #{{ticket.id}} for #1042)",
    "ticket.subject": "the ticket's subject",
    "ticket.group": "the ticket's group, e.g. Billing (empty if none)",
    "agent.first_name": "your first name",
    "agent.name": "your full name",
    "agent.email": "your email address",
}
ACTION_KEYS: Final = ("status", "priority", "add_tags", "remove_tags", "group")
MAX_TITLE_LENGTH: Final = 120
MAX_TEMPLATE_BYTES: Final = 16 * 1024
MAX_ACTION_TAGS: Final = 20

_MARK: Final = re.compile(r"\{\{|\}\}")
_NAME: Final = re.compile(r"[\w.]+")


class InvalidMacro(DeskError):
    """A macro that cannot be saved; ``field`` names the part to fix (``actions.status``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidTemplate(InvalidMacro):
    """A body with an unknown placeholder or braces that do not form one."""

    def __init__(self, message: str, *, field: str | None = "body") -> None:
        super().__init__(message, field=field)


class MacroNotFound(DeskError):
    """No macro with that id that this agent may see."""


class MacroForbidden(DeskError):
    """The macro exists but this agent may not change it (shared macros: leads and admins)."""


# --------------------------------------------------------------------------- templates


def valid_placeholders() -> str:
    """The placeholders, as a person would type them, for error messages and help."""
    return ", ".join("{{" + name + "}}" for name in PLACEHOLDERS)


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _unknown(name: str, text: str, offset: int) -> InvalidTemplate:
    close = difflib.get_close_matches(name.lower(), PLACEHOLDERS, n=1, cutoff=0.6)
    hint = f" (did you mean {{{{{close[0]}}}}}?)" if close else ""
    return InvalidTemplate(
        f"unknown placeholder {{{{{name}}}}} at {_where(text, offset)}{hint}; "
        f"valid placeholders are {valid_placeholders()}"
    )


def placeholders_in(template: str) -> list[tuple[int, int, str]]:
    """Each placeholder as (start, end, name); refuses a template that is not well formed.

    ``{{ name }}`` may have spaces inside the braces. Single braces are ordinary
    text; a ``{{`` that is not closed on its line, a ``}}`` that closes nothing,
    an empty or oddly shaped name, or an unknown name is refused.

    Raises:
        InvalidTemplate: naming the first problem, where it is and what is valid.
    """
    found: list[tuple[int, int, str]] = []
    position = 0
    while (mark := _MARK.search(template, position)) is not None:
        start = mark.start()
        if mark.group() == "}}":
            raise InvalidTemplate(
                f"'}}}}' at {_where(template, start)} closes no placeholder; "
                "placeholders look like {{customer.first_name}}"
            )
        close = template.find("}}", start + 2)
        line_end = template.find("\n", start)
        reopened = template.find("{{", start + 2)
        if close == -1 or -1 < line_end < close or -1 < reopened < close:
            raise InvalidTemplate(
                f"'{{{{' at {_where(template, start)} is not closed with '}}}}' on its line; "
                "placeholders look like {{customer.first_name}}"
            )
        name = template[start + 2 : close].strip()
        if not _NAME.fullmatch(name):
            shown = template[start : close + 2]
            raise InvalidTemplate(
                f"{shown!r} at {_where(template, start)} is not a placeholder; "
                f"valid placeholders are {valid_placeholders()}"
            )
        if name not in PLACEHOLDERS:
            raise _unknown(name, template, start)
        found.append((start, close + 2, name))
        position = close + 2
    return found


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with every placeholder replaced by its value (missing ones empty).

    Raises:
        InvalidTemplate: the template was never checked (a saved macro always is).
    """
    parts: list[str] = []
    position = 0
    for start, end, name in placeholders_in(template):
        parts.append(template[position:start])
        parts.append(values.get(name, ""))
        position = end
    parts.append(template[position:])
    return "".join(parts)


def first_name(name: str) -> str:
    """The first word of a name, the way a greeting uses it."""
    words = name.split()
    return words[0] if words else ""


@dataclass(frozen=True, slots=True)
class TemplateFacts:
    """What a template may say about the ticket, its requester and the agent."""

    customer_name: str
    customer_email: str
    customer_organization: str | None
    ticket_number: int
    ticket_subject: str
    ticket_group: str | None
    agent_name: str
    agent_email: str


def template_values(facts: TemplateFacts) -> dict[str, str]:
    """Each placeholder's value; customer text is folded to one line, controls made visible."""
    customer = one_line(facts.customer_name)
    agent = one_line(facts.agent_name)
    return {
        "customer.first_name": first_name(customer),
        "customer.name": customer,
        "customer.email": one_line(facts.customer_email),
        "customer.organization": one_line(facts.customer_organization or ""),
        "ticket.id": str(facts.ticket_number),
        "ticket.subject": one_line(facts.ticket_subject),
        "ticket.group": one_line(facts.ticket_group or ""),
        "agent.first_name": first_name(agent),
        "agent.name": agent,
        "agent.email": facts.agent_email,
    }


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class MacroActions:
    """The ticket changes a macro stages; they apply only when its reply is sent."""

    status: str | None = None
    priority: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    group: str | None = None

    def to_json(self) -> dict[str, object]:
        """Only the actions that are set, in :data:`ACTION_KEYS` order (stored as JSON)."""
        values: dict[str, object] = {
            "status": self.status,
            "priority": self.priority,
            "add_tags": list(self.add_tags),
            "remove_tags": list(self.remove_tags),
            "group": self.group,
        }
        return {key: values[key] for key in ACTION_KEYS if values[key]}

    def describe(self) -> str:
        """One line a person reads: ``status → pending, +refund, group → Billing``."""
        parts = [f"status → {self.status}"] if self.status else []
        parts += [f"priority → {self.priority}"] if self.priority else []
        parts += [f"+{tag}" for tag in self.add_tags]
        parts += [f"-{tag}" for tag in self.remove_tags]
        parts += [f"group → {self.group}"] if self.group else []
        return ", ".join(parts)


def _tags(raw: object, field: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = raw.split()
    if not isinstance(raw, list | tuple) or not all(isinstance(t, str) for t in raw):
        raise InvalidMacro("tags must be a list of text", field=field)
    try:
        tags = tuple(dict.fromkeys(normalise_tag(str(t)) for t in raw))
    except InvalidTag as exc:
        raise InvalidMacro(str(exc), field=field) from exc
    if len(tags) > MAX_ACTION_TAGS:
        raise InvalidMacro(f"a macro may change at most {MAX_ACTION_TAGS} tags", field=field)
    return tags


def _choice(raw: object, field: str, allowed: Iterable[str]) -> str | None:
    if raw is None or raw == "":
        return None
    allowed = tuple(allowed)
    if not isinstance(raw, str) or raw.strip().lower() not in allowed:
        noun = field.rpartition(".")[2]
        raise InvalidMacro(f"unknown {noun} {raw!r}; use one of: {', '.join(allowed)}", field=field)
    return raw.strip().lower()


def parse_actions(raw: Mapping[str, object]) -> MacroActions:
    """Check a macro's actions (from JSON, TOML or a form) with the Desk's own rules.

    ``new`` is refused as a status: no ticket can move back to new. Whether a
    group exists is the Desk's to check (it needs the store).

    Raises:
        InvalidMacro: with ``field`` set to ``actions.<key>``.
    """
    unknown = [key for key in raw if key not in ACTION_KEYS]
    if unknown:
        raise InvalidMacro(
            f"unknown action {unknown[0]!r}; macro actions are: {', '.join(ACTION_KEYS)}",
            field="actions",
        )
    status = _choice(raw.get("status"), "actions.status", (s for s in STATUSES if s != "new"))
    priority = _choice(raw.get("priority"), "actions.priority", PRIORITIES)
    add = _tags(raw.get("add_tags", ()), "actions.add_tags")
    remove = _tags(raw.get("remove_tags", ()), "actions.remove_tags")
    both = [tag for tag in add if tag in remove]
    if both:
        raise InvalidMacro(
            f"tag {both[0]!r} is both added and removed; keep it in one list",
            field="actions.remove_tags",
        )
    group = raw.get("group")
    if group is not None and not isinstance(group, str):
        raise InvalidMacro("the group must be a group's name", field="actions.group")
    return MacroActions(status, priority, add, remove, (group or "").strip() or None)


# --------------------------------------------------------------------------- a whole macro


@dataclass(frozen=True, slots=True)
class MacroDraft:
    """A macro as checked for saving: trimmed title, normalised body, parsed actions."""

    title: str
    body: str
    actions: MacroActions
    shared: bool


def check_title(title: str) -> str:
    """The title to store (spaces folded), or a refusal."""
    folded = " ".join(title.split())
    if not folded:
        raise InvalidMacro("the title is empty; name the macro", field="title")
    if len(folded) > MAX_TITLE_LENGTH:
        raise InvalidMacro(
            f"the title is {len(folded)} characters long; the limit is {MAX_TITLE_LENGTH}",
            field="title",
        )
    return folded


def check_template(body: str) -> str:
    """The body to store (line ends normalised, blank lines around dropped), or a refusal."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line.rstrip() for line in lines).strip("\n")
    if not text.strip():
        raise InvalidTemplate("the body is empty; write the reply the macro sends")
    size = len(text.encode("utf-8"))
    if size > MAX_TEMPLATE_BYTES:
        raise InvalidTemplate(
            f"the body is {size:,} bytes; the limit is {MAX_TEMPLATE_BYTES // 1024} KiB"
        )
    placeholders_in(text)
    return text


def check_macro(
    title: str, body: str, actions: Mapping[str, object], *, shared: bool
) -> MacroDraft:
    """Everything about a macro that can be judged without the store.

    Raises:
        InvalidMacro: the first problem, in the order title, body, actions.
    """
    return MacroDraft(check_title(title), check_template(body), parse_actions(actions), shared)
