"""The search language of the queue's ``/`` and ``agentdesk ticket list --query``.

::

    status:open priority:high assignee:me tag:billing -tag:spam created:>7d "printer jam" refund

A query is terms separated by spaces; every term must hold (AND). A term is
``field:value``, a bare word or a "quoted phrase", and ``-`` in front negates it.

Fields (names and values ignore case; an enumerated value may be shortened to a
unique prefix, so ``priority:urg`` is urgent):

* ``status:`` new, open, pending, on-hold, solved, closed, or ``unsolved`` (the first four)
* ``priority:`` low, normal, high, urgent; ``channel:`` email, chat, web, social, phone
* ``tier:`` 1, 2 or 3; ``id:`` ``1042`` or ``#1042`` (a bare ``#1042`` works too)
* ``assignee:`` ``me``, ``none`` or an agent's email or name (prefix of any word);
  ``is:mine`` and ``is:unassigned`` are ``assignee:me`` and ``assignee:none``
* ``group:`` a group's name (prefix of any word), or ``none``
* ``tag:`` a tag; ``requester:`` the start of the customer's name, email, email
  domain or organization (``requester:acme`` finds zoe@acme.example and "Acme Corp")
* ``created:`` and ``updated:`` an age or a date: ``>7d`` (more than 7 days ago),
  ``<2h`` (less than 2 hours ago), ``7d`` (in the last 7 days), units m, h, d, w;
  ``>=2026-11-01``, ``2026-11-01`` (that day), ``2026-11-01..2026-11-20`` (both days
  included; ``*`` leaves a side open). Dates are local days.
* ``sla:`` the next SLA target: ``breached`` (overdue), ``paused`` (pending or on-hold),
  ``<2h`` (due within 2 hours, overdue ones included; ``2h`` is the same), ``>1d``
  (due more than a day from now)

Repeating a field, or a comma list (``status:open,pending``), ORs its values; tags
are the exception, as on GitHub: ``tag:a tag:b`` wants both, ``tag:a,b`` either.
Negated values are all excluded. Words and phrases are searched in subjects and
messages (FTS5): every word must occur in the ticket, a phrase's words together in
its subject or in one message, and ``refun*`` matches words starting "refun".

:func:`parse_query` is pure and raises only :class:`QuerySyntaxError`, whose
message a person can act on; :func:`compile_query` turns a query into a storage
:class:`~storage.queue.QueueQuery` for one agent at one moment.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from agentdesk.domain import timefmt
from storage.agents import AgentRow
from storage.migrations import UNSOLVED_STATUSES
from storage.queue import (
    CHANNELS,
    PRIORITIES,
    SLA_PAUSED_SPAN,
    STATUSES,
    QueueQuery,
    Refs,
    Span,
    TicketFilter,
    sla_due_before,
    sla_due_from,
)
from storage.search import TextTerm

UNSOLVED: Final = UNSOLVED_STATUSES

FIELDS: Final = (
    "status",
    "priority",
    "assignee",
    "group",
    "tier",
    "tag",
    "channel",
    "requester",
    "created",
    "updated",
    "id",
    "is",
    "sla",
)
_STATUS_WORDS: Final = {**{s: (s,) for s in STATUSES}, "unsolved": UNSOLVED}
_STATUS_ALIASES: Final = {"onhold": "on-hold", "on_hold": "on-hold", "hold": "on-hold"}
_IS_WORDS: Final = {"mine": "me", "unassigned": "none"}
_SLA_WORDS: Final = ("breached", "paused")
_UNITS: Final = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}

_FIELD: Final = re.compile(r"([A-Za-z][A-Za-z_]*):")
_NUMBER: Final = re.compile(r"#?(\d{1,18})")
_DURATION: Final = re.compile(r"(\d{1,6})([A-Za-z]+)")
_DATE: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_OPERATORS: Final[tuple[Literal[">=", "<=", ">", "<"], ...]] = (">=", "<=", ">", "<")


class QuerySyntaxError(ValueError):
    """A query a person typed that cannot be read, with where the problem starts.

    ``str(error)`` is the whole explanation, e.g. "unknown field 'stauts' at 1 —
    did you mean 'status'?"; ``position`` is the 0-based index into the query text
    (the message counts columns from 1, as editors do).
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    @property
    def column(self) -> int:
        """The position counted from 1, as in the message."""
        return self.position + 1


# --------------------------------------------------------------------------- parsed form


@dataclass(frozen=True, slots=True)
class When:
    """A time condition as typed, resolved against "now" only when compiled.

    ``op`` compares an age (``kind == "age"``, ``ms`` long) or a local day
    (``kind == "day"``, ``day`` as "YYYY-MM-DD"); ``low``/``high`` make a range.
    """

    op: Literal["", ">=", "<=", ">", "<"]
    kind: Literal["age", "day", "range"]
    ms: int = 0
    day: str = ""
    text: str = ""
    low: When | None = None
    high: When | None = None


Value = str | int | When | TextTerm


@dataclass(frozen=True, slots=True)
class Clause:
    """One term: a field (``text`` for words and phrases), its values (ORed), negation."""

    field: str
    values: tuple[Value, ...]
    negated: bool
    position: int


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query as clauses, in the order typed."""

    text: str
    clauses: tuple[Clause, ...]

    def describe(self) -> str:
        """A short summary for the queue's header, e.g. 'open or pending · tag billing'."""
        parts: list[str] = []
        for field, negated, values in _grouped(self.clauses):
            if field == "tag" and not negated:
                parts.extend(f"tag {_or(group)}" for group in values)
            elif field == "text":
                parts.extend(("not " if negated else "") + _show_text(v) for v in values[0])
            else:
                parts.append(_describe(field, negated, [v for g in values for v in g]))
        return " · ".join(parts)


def _grouped(clauses: Sequence[Clause]) -> list[tuple[str, bool, list[tuple[Value, ...]]]]:
    """Clauses of one field and sign together, in order of first appearance."""
    groups: dict[tuple[str, bool], list[tuple[Value, ...]]] = {}
    for clause in clauses:
        groups.setdefault((clause.field, clause.negated), []).append(clause.values)
    result = [(field, negated, values) for (field, negated), values in groups.items()]
    if any(field == "text" for field, _, _ in result):
        # All words in one list per sign, so describe shows each once.
        for i, (field, negated, values) in enumerate(result):
            if field == "text":
                result[i] = (field, negated, [tuple(v for g in values for v in g)])
    return result


def _or(values: Iterable[object]) -> str:
    return " or ".join(str(v) for v in dict.fromkeys(values))


def _show_text(value: Value) -> str:
    assert isinstance(value, TextTerm)
    star = "*" if value.prefix else ""
    return f"“{value.words}”{star}" if " " in value.words else f"{value.words}{star}"


def _describe(field: str, negated: bool, values: list[Value]) -> str:
    no = "not " if negated else ""
    if field == "status":
        statuses = [str(v) for v in values]
        if set(UNSOLVED) <= set(statuses):
            statuses = ["unsolved", *(s for s in statuses if s not in UNSOLVED)]
        return no + _or(statuses)
    if field == "priority":
        return f"{no}{_or(values)} priority"
    if field == "channel":
        return f"{no}via {_or(values)}"
    if field == "tier":
        return f"{no}tier {_or(values)}"
    if field == "assignee":
        people = [str(v) for v in values if v != "none"]
        parts = [f"assigned to {_or(people)}"] if people else []
        if "none" in values:
            parts.append("assigned" if negated and not people else "unassigned")
        return (no if people else "") + " or ".join(parts)
    if field == "group":
        names = ["no group" if v == "none" else str(v) for v in values]
        return f"{no}group {_or(names)}" if names != ["no group"] else f"{no}in no group"
    if field == "tag":
        return f"not tag {_or(values)}"
    if field == "requester":
        return f"{no}from {_or(values)}"
    if field in ("created", "updated"):
        return no + " or ".join(f"{field} {_describe_when(v)}" for v in values)
    if field == "id":
        return no + _or(f"#{v}" for v in values)
    if field == "sla":
        return no + " or ".join(dict.fromkeys(_describe_sla(v) for v in values))
    return f"{no}{field} {_or(values)}"


def _describe_sla(value: Value) -> str:
    if not isinstance(value, When):
        return f"SLA {value}"
    within = value.op in ("", "<", "<=")
    return f"SLA due {'within' if within else 'in more than'} {value.text}"


def _describe_when(value: Value) -> str:
    assert isinstance(value, When)
    if value.kind == "range":
        low = "…" if value.low is None else _bound_text(value.low)
        high = "…" if value.high is None else _bound_text(value.high)
        return f"{low} – {high}"
    subject = value.text if value.kind == "age" else value.day
    if value.kind == "age":
        return {
            ">": f"more than {subject} ago",
            ">=": f"at least {subject} ago",
            "<": f"less than {subject} ago",
            "<=": f"in the last {subject}",
            "": f"in the last {subject}",
        }[value.op]
    return {
        ">": f"after {subject}",
        ">=": f"since {subject}",
        "<": f"before {subject}",
        "<=": f"up to {subject}",
        "": f"on {subject}",
    }[value.op]


def _bound_text(value: When) -> str:
    return f"{value.text} ago" if value.kind == "age" else value.day


# --------------------------------------------------------------------------- parsing


def parse_query(text: str) -> ParsedQuery:
    """Read a query into clauses.

    Raises:
        QuerySyntaxError: for anything a person should fix, with where it is.
    """
    return ParsedQuery(text, tuple(_clauses(text)))


@dataclass(frozen=True, slots=True)
class _Item:
    """One value of a term as typed, with where it starts."""

    text: str
    position: int


def _clauses(text: str) -> Iterator[Clause]:
    i, end = 0, len(text)
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = text[i] == "-" and i + 1 < end and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            phrase, i = _quoted(text, i)
            clause = _text_clause(phrase, False, negated, start)
            if clause is not None:
                yield clause
            continue
        match = _FIELD.match(text, i)
        if match:
            i = match.end()
            items, i = _items(text, i)
            yield _field_clause(match[1], match.start(), items, negated, start)
            continue
        word_end = i
        while word_end < end and not text[word_end].isspace():
            word_end += 1
        word = text[i:word_end]
        i = word_end
        number = _NUMBER.fullmatch(word)
        if number and word.startswith("#"):
            yield Clause("id", (int(number[1]),), negated, start)
            continue
        prefix = word.endswith("*")
        clause = _text_clause(word.rstrip("*"), prefix, negated, start)
        if clause is not None:
            yield clause


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The text between the quote at ``start`` and the next one; the index after it."""
    close = text.find('"', start + 1)
    if close < 0:
        raise QuerySyntaxError(
            f'unclosed quote at {start + 1} — add a closing " to end the phrase', start
        )
    return text[start + 1 : close], close + 1


def _items(text: str, i: int) -> tuple[list[_Item], int]:
    """A field's comma-separated values (each maybe quoted), up to the next space."""
    items: list[_Item] = []
    end = len(text)
    while True:
        if i < end and text[i] == '"':
            value, after = _quoted(text, i)
            items.append(_Item(value, i))
            i = after
        else:
            stop = i
            while stop < end and not text[stop].isspace() and text[stop] != ",":
                stop += 1
            if stop > i:
                items.append(_Item(text[i:stop], i))
            i = stop
        if i < end and text[i] == ",":
            i += 1
            continue
        if i < end and not text[i].isspace():
            # Text glued to a closing quote, e.g. tag:"a"b.
            raise QuerySyntaxError(
                f"unexpected {text[i]!r} at {i + 1} — put a space or a comma after a quote", i
            )
        return items, i


def _text_clause(words: str, prefix: bool, negated: bool, position: int) -> Clause | None:
    """A word or phrase; ``None`` when it has nothing searchable (only punctuation)."""
    words = " ".join(words.split())
    if not any(ch.isalnum() for ch in words):
        return None
    return Clause("text", (TextTerm(words, prefix=prefix),), negated, position)


def _field_clause(name: str, at: int, items: list[_Item], negated: bool, start: int) -> Clause:
    field = name.lower()
    if field not in FIELDS:
        raise QuerySyntaxError(_unknown_field(name, at), at)
    if not items:
        raise QuerySyntaxError(
            f"missing value for '{field}' at {at + 1} — e.g. {_EXAMPLES[field]}", at
        )
    values: list[Value] = []
    for item in items:
        values.extend(_value(field, item))
    if field == "is":
        field = "assignee"
    return Clause(field, tuple(dict.fromkeys(values)), negated, start)


_EXAMPLES: Final = {
    "status": "status:open",
    "priority": "priority:high",
    "assignee": "assignee:me",
    "group": "group:billing",
    "tier": "tier:2",
    "tag": "tag:billing",
    "channel": "channel:email",
    "requester": "requester:acme",
    "created": "created:>7d",
    "updated": "updated:<2h",
    "id": "id:1042",
    "is": "is:unassigned",
    "sla": "sla:breached or sla:<2h",
}


def _unknown_field(name: str, at: int) -> str:
    close = difflib.get_close_matches(name.lower(), FIELDS, n=1, cutoff=0.6)
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else f'fields are {", ".join(FIELDS)}; put text with a colon in quotes: "{name}:…"'
    )
    return f"unknown field '{name}' at {at + 1} — {hint}"


def _value(field: str, item: _Item) -> list[Value]:
    raw = item.text.strip()
    at = item.position
    if field == "status":
        return list(_STATUS_WORDS[_choose("status", raw, _STATUS_WORDS, at, _STATUS_ALIASES)])
    if field == "priority":
        return [_choose("priority", raw, PRIORITIES, at)]
    if field == "channel":
        return [_choose("channel", raw, CHANNELS, at)]
    if field == "is":
        return [_IS_WORDS[_choose("is:", raw, _IS_WORDS, at)]]
    if field == "tier":
        if raw not in ("1", "2", "3"):
            raise QuerySyntaxError(f"unknown tier '{raw}' at {at + 1} — one of 1, 2, 3", at)
        return [int(raw)]
    if field == "id":
        number = _NUMBER.fullmatch(raw)
        if number is None:
            raise QuerySyntaxError(
                f"bad ticket number '{raw}' at {at + 1} — e.g. id:1042 or #1042", at
            )
        return [int(number[1])]
    if field in ("created", "updated"):
        return [_when(field, raw, at)]
    if field == "sla":
        return [_sla_value(raw, at)]
    if not raw:
        raise QuerySyntaxError(f"empty {field} at {at + 1}", at)
    if field == "tag":
        return ["-".join(raw.lower().split())]
    if field in ("assignee", "group") and raw.lower() in ("me", "none"):
        if field == "group" and raw.lower() == "me":
            raise QuerySyntaxError(f"'me' is not a group (at {at + 1})", at)
        return [raw.lower()]
    return [raw]


def _choose(
    what: str,
    raw: str,
    words: Iterable[str],
    at: int,
    aliases: dict[str, str] | None = None,
) -> str:
    """The word of ``words`` that ``raw`` names, exactly, by alias or by a unique prefix."""
    options = list(words)
    word = raw.lower()
    word = (aliases or {}).get(word, word)
    if word in options:
        return word
    starting = [option for option in options if word and option.startswith(word)]
    if len(starting) == 1:
        return starting[0]
    if len(starting) > 1:
        raise QuerySyntaxError(f"{what} '{raw}' at {at + 1} could be {' or '.join(starting)}", at)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    raise QuerySyntaxError(
        f"unknown {what} '{raw}' at {at + 1}; one of {', '.join(options)}{hint}", at
    )


def _when(field: str, raw: str, at: int) -> When:
    """``>7d``, ``<=2h``, ``7d``, ``2026-11-01``, ``>=2026-11-01``, ``a..b``."""
    if ".." in raw:
        left, _, right = raw.partition("..")
        low = None if left.strip() in ("", "*") else _operand(field, left.strip(), at)
        high = None if right.strip() in ("", "*") else _operand(field, right.strip(), at)
        if low is None and high is None:
            raise QuerySyntaxError(
                f"empty range for '{field}' at {at + 1} — e.g. 2026-11-01..2026-11-20", at
            )
        return When("", "range", text=raw, low=low, high=high)
    op = next((op for op in _OPERATORS if raw.startswith(op)), None)
    size = 0 if op is None else len(op)
    operand = _operand(field, raw[size:].strip(), at + size)
    return When(op or "", operand.kind, ms=operand.ms, day=operand.day, text=operand.text)


def _sla_value(raw: str, at: int) -> Value:
    """``breached``, ``paused`` (a unique prefix will do), or a time left: ``<2h``, ``>1d``."""
    if raw and not raw[0].isdigit() and raw[0] not in "<>":
        return _choose("sla", raw, _SLA_WORDS, at)
    op = next((op for op in _OPERATORS if raw.startswith(op)), None)
    duration = _DURATION.fullmatch(raw[len(op or "") :].strip())
    if duration is None or duration[2].lower() not in _UNITS:
        raise QuerySyntaxError(
            f"bad sla value '{raw}' at {at + 1} — breached, paused, or a time left such as "
            "<2h or >1d (units m, h, d, w)",
            at,
        )
    unit = duration[2].lower()
    return When(op or "", "age", ms=int(duration[1]) * _UNITS[unit], text=f"{duration[1]}{unit}")


def _operand(field: str, raw: str, at: int) -> When:
    """An age such as ``7d`` or a day such as ``2026-11-01``."""
    duration = _DURATION.fullmatch(raw)
    if duration:
        unit = duration[2].lower()
        if unit not in _UNITS:
            raise QuerySyntaxError(
                f"bad duration '{raw}' at {at + 1} — use m, h, d or w, e.g. 7d", at
            )
        return When("", "age", ms=int(duration[1]) * _UNITS[unit], text=f"{duration[1]}{unit}")
    date = _DATE.fullmatch(raw)
    if date:
        try:
            day = datetime(int(date[1]), int(date[2]), int(date[3]))
        except ValueError:
            raise QuerySyntaxError(f"bad date '{raw}' at {at + 1}", at) from None
        return When("", "day", day=day.strftime("%Y-%m-%d"), text=raw)
    if raw and raw[0].isdigit() and "-" in raw:
        raise QuerySyntaxError(f"bad date '{raw}' at {at + 1} — write YYYY-MM-DD", at)
    raise QuerySyntaxError(
        f"bad {field} value '{raw}' at {at + 1} — e.g. >7d, <2h, 2026-11-01 or "
        "2026-11-01..2026-11-20",
        at,
    )


# --------------------------------------------------------------------------- compiling


def compile_query(
    text: str,
    agent: AgentRow,
    *,
    now_ms: int | None = None,
    base: TicketFilter | None = None,
) -> QueueQuery:
    """The storage query for ``text`` as ``agent`` means it now, most recently updated first.

    ``assignee:me`` becomes the agent's id and ages become times before ``now_ms``
    (default: the clock). With ``base`` (a view's filter) the result has both.

    Raises:
        QuerySyntaxError: if the text is not a valid query.
    """
    now = timefmt.now_ms() if now_ms is None else now_ms
    found = to_filter(parse_query(text), agent, now)
    return QueueQuery(filter=found if base is None else base.narrow(found))


def to_filter(parsed: ParsedQuery, agent: AgentRow, now_ms: int) -> TicketFilter:
    """The ticket filter of a parsed query (see :func:`compile_query`)."""
    yes: dict[str, list[Value]] = {}
    no: dict[str, list[Value]] = {}
    tag_groups: list[tuple[str, ...]] = []
    for clause in parsed.clauses:
        (no if clause.negated else yes).setdefault(clause.field, []).extend(clause.values)
        if clause.field == "tag" and not clause.negated:
            tag_groups.append(tuple(str(v) for v in clause.values))

    def strings(values: dict[str, list[Value]], field: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(str(v) for v in values.get(field, ())))

    def ints(values: dict[str, list[Value]], field: str) -> tuple[int, ...]:
        return tuple(dict.fromkeys(v for v in values.get(field, ()) if isinstance(v, int)))

    def spans(values: dict[str, list[Value]], field: str) -> tuple[Span, ...]:
        whens = [v for v in values.get(field, ()) if isinstance(v, When)]
        return tuple(dict.fromkeys(_span(w, now_ms) for w in whens))

    def terms(values: dict[str, list[Value]]) -> tuple[TextTerm, ...]:
        return tuple(dict.fromkeys(v for v in values.get("text", ()) if isinstance(v, TextTerm)))

    return TicketFilter(
        statuses=strings(yes, "status"),
        statuses_not=strings(no, "status"),
        priorities=strings(yes, "priority"),
        priorities_not=strings(no, "priority"),
        channels=strings(yes, "channel"),
        channels_not=strings(no, "channel"),
        tiers=ints(yes, "tier"),
        tiers_not=ints(no, "tier"),
        assignees=_refs(strings(yes, "assignee"), agent),
        assignees_not=_refs(strings(no, "assignee"), agent),
        groups=_refs(strings(yes, "group"), agent),
        groups_not=_refs(strings(no, "group"), agent),
        tags=tuple(dict.fromkeys(tag_groups)),
        tags_none=strings(no, "tag"),
        requesters=strings(yes, "requester"),
        requesters_not=strings(no, "requester"),
        created=spans(yes, "created"),
        created_not=spans(no, "created"),
        updated=spans(yes, "updated"),
        updated_not=spans(no, "updated"),
        numbers=ints(yes, "id"),
        numbers_not=ints(no, "id"),
        text=terms(yes),
        text_not=terms(no),
        sla=tuple(dict.fromkeys(_sla_span(v, now_ms) for v in yes.get("sla", ()))),
        sla_not=tuple(dict.fromkeys(_sla_span(v, now_ms) for v in no.get("sla", ()))),
    )


def _refs(values: tuple[str, ...], agent: AgentRow) -> Refs | None:
    if not values:
        return None
    return Refs(
        ids=(agent.id,) if "me" in values else (),
        names=tuple(v for v in values if v not in ("me", "none")),
        nobody="none" in values,
    )


def _sla_span(value: Value, now_ms: int) -> Span:
    """The tickets an ``sla:`` value means at ``now_ms`` (breached: due at or before now)."""
    if value == "breached":
        return sla_due_before(now_ms + 1)
    if value == "paused":
        return SLA_PAUSED_SPAN
    assert isinstance(value, When)
    limit = now_ms + value.ms
    return {
        "<": sla_due_before(limit),
        "<=": sla_due_before(limit + 1),
        "": sla_due_before(limit + 1),
        ">": sla_due_from(limit + 1),
        ">=": sla_due_from(limit),
    }[value.op]


def _span(when: When, now_ms: int) -> Span:
    """The ``[start, end)`` milliseconds a time condition means at ``now_ms``."""
    if when.kind == "range":
        low = None if when.low is None else _instant(when.low, now_ms)
        high = None if when.high is None else _instant(when.high, now_ms)
        if low is not None and high is not None:
            return Span(min(low[0], high[0]), max(low[1], high[1]))
        return Span(None if low is None else low[0], None if high is None else high[1])
    start, end = _instant(when, now_ms)
    if when.kind == "age":
        # An age compares the other way round: more than 7d ago is *before* now - 7d.
        return {
            ">": Span(None, start),
            ">=": Span(None, end),
            "<": Span(end, None),
            "<=": Span(start, None),
            "": Span(start, None),
        }[when.op]
    return {
        ">": Span(end, None),
        ">=": Span(start, None),
        "<": Span(None, start),
        "<=": Span(None, end),
        "": Span(start, end),
    }[when.op]


def _instant(when: When, now_ms: int) -> tuple[int, int]:
    """An age as the millisecond ``[now - age, now - age + 1)``; a day as its local hours."""
    if when.kind == "age":
        return now_ms - when.ms, now_ms - when.ms + 1
    day = datetime.strptime(when.day, "%Y-%m-%d")
    return _local_ms(day), _local_ms(day + timedelta(days=1))


def _local_ms(moment: datetime) -> int:
    """Epoch milliseconds of a local wall-clock time (UTC where the platform cannot say)."""
    try:
        return int(moment.timestamp() * 1000)
    except (OverflowError, OSError, ValueError):
        return int(calendar.timegm(moment.timetuple()) * 1000)
