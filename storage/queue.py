"""Queue windows: a page of tickets for a filter + sort, and a fast count.

A window is fetched by keyset (``WHERE (key, number) < (?, ?)``) when the caller
knows a neighbouring row, which costs the same on page 1 and page 20,000, and by
``OFFSET`` (from the top or, reversed, from the bottom) when it jumps. Every order
is tie-broken by ``ticket.number`` (the rowid), so keysets never skip or repeat
rows; the built-in views' filters with the "updated" sort read straight from an
index whose implicit rowid suffix matches that order (tests check the plans).

Every sort key is an index order over all tickets (``updated``, ``created``,
``number``, and ``priority``/``status``, which are expression indexes of schema v2:
rank, then last update). The query-language filters (the fields after ``requester_id``)
each have an index too, and :func:`_plan` picks which one a statement starts from
with a few capped counts, because SQLite has no statistics to tell ``tag:gdpr``
(rare, start there) from ``tag:billing`` (a quarter of the desk, better walk the
sort index and test each row). A plan only changes speed, never the rows.

Words and phrases become sets of ticket numbers that a connection keeps while the
store is unchanged (``storage.search.matching_set``): making one costs about a
microsecond per message that contains the word, then the count and every page of
the search reuse it.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import partial
from typing import Any, Final, Literal, TypeVar

from storage.migrations import (
    EMAIL_DOMAIN,
    PRIORITY_ORDER,
    RANK_SHIFT,
    SLA_NONE,
    SLA_ORDER,
    SLA_PAUSED,
    SLA_SOLVED,
    STATUS_ORDER,
    UNSOLVED_STATUSES,
)
from storage.search import (
    MESSAGE_TICKETS_SQL,
    SUBJECT_NUMBERS_SQL,
    TICKET_HAS_MESSAGE_SQL,
    TextTerm,
    estimate_matches,
    fts_term,
    kept_set,
    matching_set,
)

STATUSES: Final = ("new", "open", "pending", "on-hold", "solved", "closed")
SOLVED: Final = ("solved", "closed")
PRIORITIES: Final = ("low", "normal", "high", "urgent")
CHANNELS: Final = ("email", "chat", "web", "social", "phone")
TIERS: Final = (1, 2, 3)

#: The ranks of ``storage.migrations.PRIORITY_RANK`` / ``STATUS_RANK`` (a test checks).
PRIORITY_RANKS: Final = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
STATUS_RANKS: Final = {"closed": 0, "solved": 1, "on-hold": 2, "pending": 3, "open": 4, "new": 5}

SortKey = Literal["updated", "created", "number", "priority", "status", "sla"]


def _on_ticket(expression: str) -> str:
    """A schema expression over ticket columns, written against the alias ``t``."""
    columns = r"\b(priority|status|updated_at|sla_due_at|sla_paused_left_ms)\b"
    return re.sub(columns, r"t.\1", expression)


_PRIORITY_ORDER: Final = _on_ticket(PRIORITY_ORDER)
_STATUS_ORDER: Final = _on_ticket(STATUS_ORDER)
_SLA_ORDER: Final = _on_ticket(SLA_ORDER)

#: Sort key -> the ticket expression it orders by (tie-broken by number). Each one is
#: an index order: ``priority`` is urgent first then most recently updated (when
#: descending), ``status`` is new, open, pending, on-hold, solved, closed, then most
#: recently updated; ``sla`` (ascending) is the next SLA target due first, breached
#: ones on top, then paused clocks, then tickets without one (``SLA_ORDER``).
SORT_COLUMNS: Final[dict[str, str]] = {
    "updated": "t.updated_at",
    "created": "t.created_at",
    "number": "t.number",
    "priority": _PRIORITY_ORDER,
    "status": _STATUS_ORDER,
    "sla": _SLA_ORDER,
}


@dataclass(frozen=True, slots=True)
class Span:
    """A time range ``[start, end)`` in epoch milliseconds; ``None`` is open-ended."""

    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Refs:
    """Agents or groups, by id or by name (an email or a name prefix), or none at all."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    nobody: bool = False


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Which tickets a view shows; fields combine with AND, empty means any.

    The first seven fields are the built-in views'. The rest are what the search
    language needs: ``x`` holds any of its values, ``x_not`` none of them; each inner
    tuple of ``tags`` is one any-of group and every group must hold; every ``text``
    term must match and no ``text_not`` term may; ``also`` holds further filters that
    must hold as well (how a search narrows a view that already uses the same fields).
    ``sla`` spans are ranges of ``storage.migrations.SLA_ORDER``, made by
    :func:`sla_due_before`, :func:`sla_due_from` and :data:`SLA_PAUSED_SPAN`.
    """

    unsolved: bool | None = None
    statuses: tuple[str, ...] = ()
    assignee_id: str | None = None
    unassigned: bool = False
    tier: int | None = None
    group_id: str | None = None
    requester_id: str | None = None

    statuses_not: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    priorities_not: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    channels_not: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    tiers_not: tuple[int, ...] = ()
    assignees: Refs | None = None
    assignees_not: Refs | None = None
    groups: Refs | None = None
    groups_not: Refs | None = None
    tags: tuple[tuple[str, ...], ...] = ()
    tags_none: tuple[str, ...] = ()
    requesters: tuple[str, ...] = ()
    requesters_not: tuple[str, ...] = ()
    created: tuple[Span, ...] = ()
    created_not: tuple[Span, ...] = ()
    updated: tuple[Span, ...] = ()
    updated_not: tuple[Span, ...] = ()
    numbers: tuple[int, ...] = ()
    numbers_not: tuple[int, ...] = ()
    sla: tuple[Span, ...] = ()
    sla_not: tuple[Span, ...] = ()
    text: tuple[TextTerm, ...] = ()
    text_not: tuple[TextTerm, ...] = ()
    also: tuple[TicketFilter, ...] = field(default=())

    @property
    def searches(self) -> bool:
        """Whether any query-language field is set (then ``statuses`` is planned too)."""
        return any(getattr(self, f.name) != f.default for f in fields(self)[_FIRST_SEARCH_FIELD:])

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition and its parameters (always at least ``1``)."""
        return _Conditions(self, "updated").sql(None)

    def narrow(self, other: TicketFilter) -> TicketFilter:
        """Tickets that match both filters (fields set on one side only are merged)."""
        default = TicketFilter()
        merged: dict[str, Any] = {}
        for f in fields(TicketFilter):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "also":
                merged["also"] = (*mine, *theirs)
            elif theirs == getattr(default, f.name) or theirs == mine:
                merged[f.name] = mine
            elif mine == getattr(default, f.name):
                merged[f.name] = theirs
            else:
                return replace(self, also=(*self.also, other))
        return TicketFilter(**merged)


_FIRST_SEARCH_FIELD: Final = [f.name for f in fields(TicketFilter)].index("statuses_not")

#: Unsolved tickets: new, open, pending and on-hold (see ``UNSOLVED_STATUSES``).
OPEN_FILTER: Final = TicketFilter(unsolved=True)

#: Tickets whose SLA clock is paused (pending or on-hold before its target fell due).
SLA_PAUSED_SPAN: Final = Span(SLA_PAUSED, SLA_NONE)


def sla_due_before(instant: int) -> Span:
    """Tickets whose next SLA target falls due before ``instant`` (breached ones too)."""
    return Span(None, instant)


def sla_due_from(instant: int) -> Span:
    """Tickets whose next SLA target falls due at ``instant`` or later (not paused ones)."""
    return Span(instant, SLA_PAUSED)


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """A filter and a sort: everything that decides which rows a window holds."""

    filter: TicketFilter = OPEN_FILTER
    sort: SortKey = "updated"
    descending: bool = True

    @property
    def fingerprint(self) -> tuple[object, ...]:
        """Hashable identity for caches: equal fingerprints mean equal row orders."""
        return (self.filter, self.sort, self.descending)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One ticket as the queue shows it."""

    number: int
    id: str
    priority: str
    status: str
    subject: str
    requester: str
    channel: str
    assignee: str | None
    tier: int
    updated_at: int
    version: int
    sla_due_at: int | None
    sla_paused_left_ms: int | None
    sort_value: int

    @property
    def keyset(self) -> tuple[int, int]:
        """The position of this row in its query's order."""
        return (self.sort_value, self.number)


# --------------------------------------------------------------------------- conditions

#: A condition with fewer rows than this is *narrow*: a window starts from its index
#: and sorts what it finds; when every condition is broader, a window walks the sort
#: order and tests each row. Sorting costs a table read per row unless the index
#: holds the sort value too (``covers``) and nothing else needs testing, which
#: affords a few times as many rows.
NARROW: Final = 4000
NARROW_COVERED: Final = 10_000
#: How far the counts that choose where a count starts look.
COUNT_PROBE: Final = 100_000
#: A count tests another condition as a set of numbers (about a microsecond per member
#: to make) rather than per row (a row read and a probe, about five) when the set is
#: at most this many times the rows tested.
SET_AFFORDABLE: Final = 4

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Driver:
    """A condition an index can start from.

    ``plain`` lets SQLite use the index; ``filter`` is the same test with none
    (``+column``) or as a correlated EXISTS (one key probe per row), for when another
    condition drives. :meth:`estimate` counts its rows alone, lazily and capped: by
    ``probe`` (a ``SELECT 1 …``), by FTS5 for ``text``, or a known ``size``.
    ``ordered``: sort keys its index yields in order; ``covers``: sort keys whose
    value its index holds, so sorting its rows reads no table row.
    """

    plain: str
    plain_params: tuple[Any, ...]
    filter: str
    filter_params: tuple[Any, ...]
    probe: str
    probe_params: tuple[Any, ...]
    text: str = ""
    size: int | None = None
    ordered: frozenset[str] = frozenset()
    covers: frozenset[str] = frozenset()
    #: An exact count of the condition alone that reads no ticket row, if there is one.
    count_alone: str = ""
    #: Whether ``size`` is that exact count.
    exact: bool = False
    #: The test as a set of numbers made once per statement, for a count that tests
    #: many rows: a few probes per row instead of reading each row's id.
    filter_set: str = ""
    #: What starting from a row of this condition costs, relative to an index that
    #: gives ticket numbers (a tag gives ticket ids, so each row is looked up).
    row_cost: int = 1
    #: The TEMP table of matching numbers this condition is, if it is one.
    table: str = ""
    #: Makes ``plain`` (and its parameters) when this condition is chosen to drive.
    lazy: Callable[[], tuple[str, tuple[Any, ...]]] | None = None

    def estimate(self, conn: sqlite3.Connection, cap: int) -> int:
        """Rows of this condition alone, counted no further than about ``cap``."""
        if self.size is not None:
            return self.size
        if self.text:
            return estimate_matches(conn, self.text, cap)
        sql = f"SELECT count(*) FROM ({self.probe} LIMIT ?)"
        return int(conn.execute(sql, [*self.probe_params, cap]).fetchone()[0])


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _allowed(domain: Sequence[_T], anyof: Iterable[_T], noneof: Iterable[_T]) -> tuple[_T, ...]:
    """The values of ``domain`` in ``anyof`` (all, if empty) and not in ``noneof``."""
    wanted, unwanted = set(anyof), set(noneof)
    return tuple(v for v in domain if (not wanted or v in wanted) and v not in unwanted)


def _spans(column: str, spans: Sequence[Span]) -> tuple[str, list[Any]]:
    """``column`` within any of ``spans`` (an OR of ranges)."""
    parts: list[str] = []
    params: list[Any] = []
    for span in spans:
        bounds = []
        if span.start is not None:
            bounds.append(f"{column} >= ?")
            params.append(span.start)
        if span.end is not None:
            bounds.append(f"{column} < ?")
            params.append(span.end)
        parts.append(" AND ".join(bounds) or "1")
    return "(" + " OR ".join(f"({part})" for part in parts) + ")", params


def _like_prefix(text: str) -> str:
    """A LIKE pattern for ``text…`` with ``%``, ``_`` and ``\\`` taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: Sorts after every string that starts with a given prefix (U+10FFFF sorts last).
_PREFIX_END: Final = "\U0010ffff"
_CUSTOMER_COLUMNS: Final = (
    "c.name",
    "c.email",
    EMAIL_DOMAIN.replace("email", "c.email"),
    "c.organization",
)
_IS_REQUESTER: Final = "c.id = t.requester_id"


def _customer_match(texts: Sequence[str]) -> tuple[str, list[Any]]:
    """Customers whose name, email, email domain or organization starts with a text.

    Case-insensitive for ASCII letters; each is a range on a NOCASE index of schema v2.
    """
    parts: list[str] = []
    params: list[Any] = []
    for text in texts:
        for column in _CUSTOMER_COLUMNS:
            parts.append(f"({column} COLLATE NOCASE >= ? AND {column} COLLATE NOCASE < ?)")
            params += [text, text + _PREFIX_END]
    return "(" + (" OR ".join(parts) or "0") + ")", params


def _refs_match(refs: Refs, column: str, table: str) -> tuple[str, list[Any]]:
    """``column`` (an assignee or group id) is one of ``refs``, which ``table`` names.

    A name matches an agent's email (whole or prefix) or the start of any word of
    an agent's or group's name, ignoring ASCII case.
    """
    parts: list[str] = []
    params: list[Any] = []
    if refs.ids:
        parts.append(f"{column} IN ({_marks(refs.ids)})")
        params += refs.ids
    if refs.names:
        named = []
        for name in refs.names:
            pattern = _like_prefix(name)
            named.append("r.name LIKE ? ESCAPE '\\' OR r.name LIKE ? ESCAPE '\\'")
            params += [pattern, f"% {pattern}"]
            if table == "agent":
                named.append("r.email LIKE ? ESCAPE '\\'")
                params.append(pattern)
        parts.append(f"{column} IN (SELECT r.id FROM {table} AS r WHERE {' OR '.join(named)})")
    if refs.nobody:
        parts.append(f"{column} IS NULL")
    return "(" + (" OR ".join(parts) or "0") + ")", params


def _text_match(expression: str, *, indexed: bool) -> tuple[str, list[Any]]:
    """Tickets whose subject or a message matches; ``indexed`` lets the sets drive.

    Message hits stay ticket ids (``t.id IN``): turning them into numbers would cost
    another index lookup per hit.
    """
    plus = "" if indexed else "+"
    return (
        f"({plus}t.number IN ({SUBJECT_NUMBERS_SQL}) OR {plus}t.id IN ({MESSAGE_TICKETS_SQL}))",
        [expression, expression],
    )


class _Conditions:
    """The WHERE clause of one statement over ``ticket AS t``: fixed tests and drivers.

    Under the update sort the view fields are fixed (their indexes were made for that
    order); every other condition an index can serve is a :class:`_Driver`, and
    :meth:`sql` writes them so that only the driver a plan chose can use its index.
    """

    def __init__(
        self,
        f: TicketFilter,
        sort: str,
        conn: sqlite3.Connection | None = None,
        texts: set[str] | None = None,
    ) -> None:
        self.sort = sort
        self.conn = conn
        #: Every term of the whole query, whose kept sets must outlive its statement.
        self.texts = set() if texts is None else texts
        self.texts.update(fts_term(term) for term in (*f.text, *f.text_not))
        self.fixed: list[str] = []
        self.fixed_params: list[Any] = []
        self.drivers: list[_Driver] = []
        self._builtin(f)
        self._enumerated(f)
        self._people(f)
        self._tags(f)
        self._requesters(f)
        self._times(f)
        self._numbers(f)
        self._sla(f)
        self._text(f)
        for sub in f.also:
            where, params = _Conditions(sub, sort, conn, self.texts).sql(None)
            self._fix(f"({where})", *params)

    def sql(self, plan: int | None, as_sets: Iterable[int] = ()) -> tuple[str, list[Any]]:
        """The condition; ``plan`` is the driver allowed an index (all: None, none: -1);
        the drivers in ``as_sets`` test with their ``filter_set``."""
        clauses = list(self.fixed)
        params = list(self.fixed_params)
        as_sets = set(as_sets)
        for i, driver in enumerate(self.drivers):
            if i in as_sets and driver.filter_set and plan != i:
                clauses.append(driver.filter_set)
                params += driver.filter_params
            elif plan is None or plan == i:
                plain, plain_params = driver.lazy() if driver.lazy else (driver.plain, ())
                clauses.append(plain)
                params += plain_params if driver.lazy else driver.plain_params
            else:
                clauses.append(driver.filter)
                params += driver.filter_params
        return (" AND ".join(clauses) or "1"), params

    def _fix(self, clause: str, *params: Any) -> None:
        self.fixed.append(clause)
        self.fixed_params.extend(params)

    def _drive(
        self,
        plain: str,
        params: Sequence[Any],
        *,
        filter: str | None = None,
        filter_params: Sequence[Any] | None = None,
        probe: str | None = None,
        ordered: Iterable[str] = (),
        covers: Iterable[str] = (),
        text: str = "",
        size: int | None = None,
        exact: bool = False,
        count_alone: str = "",
        filter_set: str = "",
        row_cost: int = 1,
        table: str = "",
        lazy: Callable[[], tuple[str, tuple[Any, ...]]] | None = None,
    ) -> None:
        self.drivers.append(
            _Driver(
                plain=plain,
                plain_params=tuple(params),
                filter=f"+{plain}" if filter is None else filter,
                filter_params=tuple(params if filter_params is None else filter_params),
                probe=f"SELECT 1 FROM ticket AS t WHERE {plain}" if probe is None else probe,
                probe_params=tuple(params),
                text=text,
                size=size,
                exact=exact,
                table=table,
                lazy=lazy,
                ordered=frozenset(ordered),
                covers=frozenset(covers),
                count_alone=count_alone,
                filter_set=filter_set,
                row_cost=row_cost,
            )
        )

    # -- the filter's fields -------------------------------------------------------------

    def _builtin(self, f: TicketFilter) -> None:
        """The view fields: fixed under the update sort, which the views' indexes serve;
        under another sort they become drivers, so a broad view can walk that sort."""
        tests: list[tuple[str, list[Any]]] = []
        if f.unsolved is not None:
            if self.sort == "status":
                # The unsolved statuses rank 2-5, the solved ones 0-1: one range each.
                self._ranked("t.status", UNSOLVED_STATUSES if f.unsolved else SOLVED, "status")
            elif self.sort == "sla":
                # Solved and closed tickets sort after every unsolved one: a range too.
                span = Span(None, SLA_SOLVED) if f.unsolved else Span(SLA_SOLVED, None)
                self._sla_spans((span,))
            else:
                tests.append(("t.unsolved = ?", [int(f.unsolved)]))
        if len(f.statuses) == 1 and not f.searches:
            if self.sort == "status":
                self._ranked("t.status", f.statuses, "status")
            else:
                tests.append(("t.status = ?", [f.statuses[0]]))
        if f.unassigned:
            tests.append(("t.assignee_id IS NULL", []))
        elif f.assignee_id is not None:
            tests.append(("t.assignee_id = ?", [f.assignee_id]))
        for column, value in (
            ("t.tier", f.tier),
            ("t.group_id", f.group_id),
            ("t.requester_id", f.requester_id),
        ):
            if value is not None:
                tests.append((f"{column} = ?", [value]))
        for test, params in tests:
            if self.sort == "updated":
                self._fix(test, *params)
            else:
                self._drive(test, params, covers={"updated"})

    def _enumerated(self, f: TicketFilter) -> None:
        """Status, priority, channel and tier sets, each as the values still allowed."""
        by_status = f.statuses_not or len(f.statuses) > 1 or (f.statuses and f.searches)
        statuses = _allowed(STATUSES, f.statuses, f.statuses_not) if by_status else None
        by_priority = f.priorities or f.priorities_not
        priorities = _allowed(PRIORITIES, f.priorities, f.priorities_not) if by_priority else None
        if statuses == () or priorities == ():
            self._fix("0")
        elif statuses and priorities and self.sort not in ("status", "priority"):
            self._status_and_priority(statuses, priorities)
        else:
            if statuses:
                self._ranked("t.status", statuses, "status")
            if priorities:
                self._ranked("t.priority", priorities, "priority")
        for column, domain, anyof, noneof in (
            ("t.channel", CHANNELS, f.channels, f.channels_not),
            ("t.tier", TIERS, f.tiers, f.tiers_not),
        ):
            if not (anyof or noneof):
                continue
            values = _allowed(domain, anyof, noneof)
            if not values:
                self._fix("0")
                continue
            # (channel, updated_at) and (tier, updated_at) give one value in update order.
            self._drive(
                f"{column} IN ({_marks(values)})",
                values,
                ordered={"updated"} if len(values) == 1 else (),
                covers={"updated"},
            )

    def _status_and_priority(self, statuses: tuple[str, ...], priorities: tuple[str, ...]) -> None:
        """Both sets at once, from ``ix_ticket_status_priority`` (status, priority, updated)."""
        test = f"t.status IN ({_marks(statuses)}) AND t.priority IN ({_marks(priorities)})"
        single = len(statuses) == len(priorities) == 1
        self._drive(
            test,
            [*statuses, *priorities],
            filter=f"+t.status IN ({_marks(statuses)}) AND +t.priority IN ({_marks(priorities)})",
            ordered={"updated"} if single else (),
            covers={"updated"},
        )

    def _ranked(self, column: str, allowed: tuple[str, ...], sort: str) -> None:
        """A status or priority set: a range of its order index when the ranks are adjacent.

        The range alone is exact (the rank sits above the 42 bits of the timestamp),
        so it is counted from the index without reading a row.
        """
        ranks = sorted((STATUS_RANKS if sort == "status" else PRIORITY_RANKS)[v] for v in allowed)
        test = f"{column} IN ({_marks(allowed)})"
        adjacent = ranks[-1] - ranks[0] + 1 == len(ranks)
        solved = {UNSOLVED_STATUSES: 0, SOLVED: 1}.get(allowed)
        if column == "t.status" and self.sort != "status" and solved is not None:
            # All the unsolved (or solved) statuses: the views' (unsolved, …) indexes.
            self._drive("t.unsolved = ?", [1 - solved], ordered={"updated"}, covers={"updated"})
            return
        if column == "t.status" and (self.sort != "status" or not adjacent):
            # (status, updated_at) of schema v1; one status comes in update order.
            ordered = {"updated"} if len(allowed) == 1 else set()
            self._drive(test, allowed, ordered=ordered, covers={"updated"})
            return
        if not adjacent:
            self._drive(test, allowed)
            return
        order = SORT_COLUMNS[sort]
        lo, hi = ranks[0] * RANK_SHIFT, (ranks[-1] + 1) * RANK_SHIFT
        self._drive(
            f"{order} >= ? AND {order} < ?",
            [lo, hi],
            filter=f"+{test}",
            filter_params=allowed,
            ordered={sort},
            covers={sort},
        )

    def _people(self, f: TicketFilter) -> None:
        for refs, negated, column, table in (
            (f.assignees, False, "t.assignee_id", "agent"),
            (f.assignees_not, True, "t.assignee_id", "agent"),
            (f.groups, False, "t.group_id", "agent_group"),
            (f.groups_not, True, "t.group_id", "agent_group"),
        ):
            if refs is None:
                continue
            test, params = _refs_match(refs, column, table)
            if negated:
                self._fix(f"{test} IS NOT 1", *params)
            else:
                filter_test = test.replace(column, f"+{column}")
                self._drive(test, params, filter=filter_test, covers={"updated"})

    def _tags(self, f: TicketFilter) -> None:
        for group in f.tags:
            if not group:
                continue
            if set(group) <= set(f.tags_none):
                self._fix("0")  # tag:x -tag:x: nothing to look for
                continue
            marks = _marks(group)
            self._drive(
                f"t.id IN (SELECT ticket_id FROM ticket_tag WHERE tag IN ({marks}))",
                group,
                filter=(
                    "EXISTS (SELECT 1 FROM ticket_tag AS tt WHERE tt.ticket_id = t.id"
                    f" AND tt.tag IN ({marks}))"
                ),
                probe=f"SELECT 1 FROM ticket_tag WHERE tag IN ({marks})",
                filter_set=(
                    "+t.number IN (SELECT tk.number FROM ticket_tag AS tt"
                    f" JOIN ticket AS tk ON tk.id = tt.ticket_id WHERE tt.tag IN ({marks}))"
                ),
                row_cost=4,
                # (ticket_id, tag) is the key: one tag counts each ticket once.
                count_alone=(
                    f"SELECT count(*) FROM ticket_tag WHERE tag IN ({marks})"
                    if len(group) == 1
                    else ""
                ),
            )
        if f.tags_none:
            self._fix(
                "NOT EXISTS (SELECT 1 FROM ticket_tag AS tt WHERE tt.ticket_id = t.id"
                f" AND tt.tag IN ({_marks(f.tags_none)}))",
                *f.tags_none,
            )

    def _requesters(self, f: TicketFilter) -> None:
        if f.requesters:
            match, params = _customer_match(f.requesters)
            self._drive(
                f"t.requester_id IN (SELECT c.id FROM customer AS c WHERE {match})",
                params,
                filter=f"EXISTS (SELECT 1 FROM customer AS c WHERE {_IS_REQUESTER} AND {match})",
                probe=(
                    "SELECT 1 FROM customer AS c JOIN ticket AS t ON t.requester_id = c.id"
                    f" WHERE {match}"
                ),
                covers={"updated"},  # (requester_id, updated_at) of schema v1
            )
        if f.requesters_not:
            match, params = _customer_match(f.requesters_not)
            self._fix(
                f"NOT EXISTS (SELECT 1 FROM customer AS c WHERE {_IS_REQUESTER} AND {match})",
                *params,
            )

    def _times(self, f: TicketFilter) -> None:
        for column, spans, negated, sort in (
            ("t.created_at", f.created, False, "created"),
            ("t.created_at", f.created_not, True, "created"),
            ("t.updated_at", f.updated, False, "updated"),
            ("t.updated_at", f.updated_not, True, "updated"),
        ):
            if not spans:
                continue
            test, params = _spans(column, spans)
            if negated:
                self._fix(f"NOT {test}", *params)
            else:
                self._drive(
                    test,
                    params,
                    filter=_spans(f"+{column}", spans)[0],
                    ordered={sort} if len(spans) == 1 else (),
                    covers={sort},
                )

    def _numbers(self, f: TicketFilter) -> None:
        if f.numbers:
            self._drive(f"t.number IN ({_marks(f.numbers)})", f.numbers, size=len(set(f.numbers)))
        if f.numbers_not:
            self._fix(f"t.number NOT IN ({_marks(f.numbers_not)})", *f.numbers_not)

    def _sla(self, f: TicketFilter) -> None:
        if f.sla:
            self._sla_spans(f.sla)
        if f.sla_not:
            test, params = _spans(_SLA_ORDER, f.sla_not)
            self._fix(f"NOT {test}", *params)

    def _sla_spans(self, spans: Sequence[Span]) -> None:
        """Ranges of the SLA order; one range walks ``ix_ticket_sla_order`` in order."""
        test, params = _spans(_SLA_ORDER, spans)
        self._drive(
            test,
            params,
            filter=_spans(f"+{_SLA_ORDER}", spans)[0],
            ordered={"sla"} if len(spans) == 1 else (),
            covers={"sla"},
        )

    def _text(self, f: TicketFilter) -> None:
        """Words and phrases.

        To drive, a term is a set of ticket numbers the connection keeps (see
        :func:`storage.search.matching_set`; without a connection, FTS5 subqueries). To
        test the rows another condition finds, a kept set is probed if there is one;
        else the hits stay message numbers, checked per ticket, which for a few
        thousand tickets is far cheaper than turning every hit into a ticket.
        """
        for term in f.text:
            expression = fts_term(term)
            kept = None if self.conn is None else kept_set(self.conn, expression)
            if kept is not None:
                name, rows = kept
                self._drive(f"t.number IN {name}", (), size=rows, exact=True, table=name)
                continue
            plain, params = _text_match(expression, indexed=True)
            self._drive(
                plain,
                params,
                filter=f"(+t.number IN ({SUBJECT_NUMBERS_SQL}) OR {TICKET_HAS_MESSAGE_SQL})",
                text=expression,
                lazy=None
                if self.conn is None
                else partial(_kept_plain, self.conn, expression, self.texts),
            )
        for term in f.text_not:
            expression = fts_term(term)
            kept = None if self.conn is None else kept_set(self.conn, expression)
            if kept is not None:
                self._fix(f"t.number NOT IN {kept[0]}")
                continue
            self._fix(
                f"NOT (+t.number IN ({SUBJECT_NUMBERS_SQL}) OR {TICKET_HAS_MESSAGE_SQL})",
                expression,
                expression,
            )


def _kept_plain(
    conn: sqlite3.Connection, expression: str, texts: set[str]
) -> tuple[str, tuple[Any, ...]]:
    """The driving form of a text term: its kept set, made now if need be."""
    kept = matching_set(conn, expression, texts)
    if kept is None:  # inside a transaction: no new TEMP table
        plain, params = _text_match(expression, indexed=True)
        return plain, tuple(params)
    return f"t.number IN {kept[0]}", ()


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which driver may use its index (None: all, -1: none, so a window walks its sort
    order), and for a walk that may find little, the driver to start from instead."""

    driver: int | None
    fallback: int | None = None
    sizes: tuple[int, ...] = ()


def _plan(conn: sqlite3.Connection, conditions: _Conditions, *, counting: bool) -> _Plan:
    """A count starts from the narrowest condition. A window starts from the narrowest
    if it is narrow, else from a condition whose index yields the sort order, else
    walks the sort order; when several conditions must all hold, such a walk may find
    few rows, so it gets the narrowest condition as a fallback.

    Capped counts make this cheap (a few index pages each); a plan changes only the
    speed of a statement, never its rows.
    """
    drivers = conditions.drivers
    if not drivers:
        return _Plan(None)
    if len(drivers) == 1 and (counting or conditions.sort in drivers[0].ordered):
        return _Plan(0)
    if counting:
        sizes = [driver.estimate(conn, COUNT_PROBE) for driver in drivers]
        known = [i for i, size in enumerate(sizes) if size < COUNT_PROBE] or range(len(sizes))
        best = min(known, key=lambda i: sizes[i] * drivers[i].row_cost)
        return _Plan(best, sizes=tuple(sizes))
    alone = len(drivers) == 1 and not conditions.fixed
    limits = [NARROW_COVERED if alone and conditions.sort in d.covers else NARROW for d in drivers]
    sizes = [driver.estimate(conn, limit) for driver, limit in zip(drivers, limits, strict=True)]
    narrowest = min(range(len(drivers)), key=sizes.__getitem__)
    if sizes[narrowest] < limits[narrowest]:
        return _Plan(narrowest)
    ordered = [i for i, driver in enumerate(drivers) if conditions.sort in driver.ordered]
    walk = min(ordered, key=sizes.__getitem__) if ordered else -1
    several = len(drivers) + len(conditions.fixed) > 1
    return _Plan(walk, narrowest if several and walk != narrowest else None)


#: How long a window may walk its sort order looking for rows that meet several broad
#: conditions at once (``tag:a tag:b`` with few tickets having both) before it gives
#: up and starts from the narrowest condition. A dense walk ends well within it.
WALK_BUDGET: Final = 0.25
#: SQLite instructions between two looks at the clock during such a walk.
WALK_CHECK_EVERY: Final = 2000


def _fetch_within(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any], seconds: float
) -> list[Any] | None:
    """The rows of ``sql``, or ``None`` if it ran out of time (it is only a SELECT).

    Uses the connection's progress handler for the duration; nothing else sets one.
    """
    deadline = time.perf_counter() + seconds
    expired = False

    def check() -> int:
        nonlocal expired
        expired = time.perf_counter() > deadline
        return int(expired)

    conn.set_progress_handler(check, WALK_CHECK_EVERY)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        if expired:
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)


# --------------------------------------------------------------------------- statements

_SELECT: Final = """
SELECT t.number, t.id, t.priority, t.status, t.subject, c.name, t.channel, a.name,
       t.tier, t.updated_at, t.version, t.sla_due_at, t.sla_paused_left_ms,
       {sort} AS sort_value
FROM ticket AS t
JOIN customer AS c ON c.id = t.requester_id
LEFT JOIN agent AS a ON a.id = t.assignee_id
WHERE {where}
ORDER BY {sort} {direction}, t.number {direction}
LIMIT ? OFFSET ?
"""

# A planned query first picks the window by number and sort value alone (sorting a
# driver's rows, or skipping an OFFSET, then reads no other column), then joins the
# window's rows for their columns; the rows are put back in order in Python.
_SELECT_PLANNED: Final = """
SELECT k.number, k.id, k.priority, k.status, k.subject, c.name, k.channel, a.name,
       k.tier, k.updated_at, k.version, k.sla_due_at, k.sla_paused_left_ms, w.sort_value
FROM (
    SELECT t.number AS number, {sort} AS sort_value
    FROM ticket AS t
    WHERE {where}
    ORDER BY {sort} {direction}, {number} {direction}
    LIMIT ? OFFSET ?
) AS w
JOIN ticket AS k ON k.number = w.number
JOIN customer AS c ON c.id = k.requester_id
LEFT JOIN agent AS a ON a.id = k.assignee_id
"""


def _select(
    conn: sqlite3.Connection,
    query: QueueQuery,
    *,
    limit: int,
    offset: int = 0,
    after: tuple[int, int] | None = None,
    reverse: bool = False,
) -> list[QueueRow]:
    """Run the window query; ``reverse`` walks the order backwards."""
    return _again_if_sets_went(lambda: _select_once(conn, query, limit, offset, after, reverse))


def _select_once(
    conn: sqlite3.Connection,
    query: QueueQuery,
    limit: int,
    offset: int,
    after: tuple[int, int] | None,
    reverse: bool,
) -> list[QueueRow]:
    conditions = _Conditions(query.filter, query.sort, conn)
    plan = _plan(conn, conditions, counting=False)
    rows = None
    if plan.fallback is not None:
        sql, params = _window_sql(conditions, plan.driver, query, after, reverse)
        rows = _fetch_within(conn, sql, [*params, limit, offset], WALK_BUDGET)
    if rows is None:
        driver = plan.driver if plan.fallback is None else plan.fallback
        sql, params = _window_sql(conditions, driver, query, after, reverse)
        rows = conn.execute(sql, [*params, limit, offset]).fetchall()
    result = [QueueRow(*row) for row in rows]
    if conditions.drivers:
        result.sort(key=lambda row: row.keyset, reverse=query.descending)
    elif reverse:
        result.reverse()
    return result


def _window_sql(
    conditions: _Conditions,
    driver: int | None,
    query: QueueQuery,
    after: tuple[int, int] | None,
    reverse: bool,
) -> tuple[str, list[Any]]:
    """The window statement when ``driver`` may use its index (see :class:`_Plan`)."""
    where, params = conditions.sql(driver)
    sort, number = SORT_COLUMNS[query.sort], "t.number"
    if driver is not None and driver >= 0 and query.sort not in conditions.drivers[driver].ordered:
        # Start from the chosen condition and sort its rows: SQLite must not walk the
        # sort order instead (without statistics it would, for tiny LIMITs).
        sort, number = f"+{sort}", "+t.number"
    descending = query.descending != reverse
    if after is not None:
        where = f"({where}) AND ({sort}, {number}) {'<' if descending else '>'} (?, ?)"
        params = [*params, *after]
    template = _SELECT_PLANNED if conditions.drivers else _SELECT
    sql = template.format(
        sort=sort, number=number, where=where, direction="DESC" if descending else "ASC"
    )
    return sql, params


_R = TypeVar("_R")


def _again_if_sets_went(run: Callable[[], _R]) -> _R:
    """Run a statement; once more if a kept word set it named was dropped meanwhile.

    Another connection's commit between building one set and using another empties
    the connection's sets; the second try makes them afresh.
    """
    try:
        return run()
    except sqlite3.OperationalError as exc:
        if "no such table: temp.agentdesk_text_" not in str(exc):
            raise
    return run()


def fetch_window(
    conn: sqlite3.Connection, query: QueueQuery, offset: int, limit: int
) -> list[QueueRow]:
    """Rows ``offset .. offset + limit`` of the query's order (an OFFSET scan)."""
    return _select(conn, query, limit=limit, offset=offset)


def fetch_window_from_end(
    conn: sqlite3.Connection, query: QueueQuery, offset_from_end: int, limit: int
) -> list[QueueRow]:
    """The ``limit`` rows that end ``offset_from_end`` rows before the last one, in order.

    Jumping to the bottom of a million rows costs the same as the top.
    """
    return _select(conn, query, limit=limit, offset=offset_from_end, reverse=True)


def fetch_after(
    conn: sqlite3.Connection, query: QueueQuery, key: tuple[int, int], limit: int
) -> list[QueueRow]:
    """The ``limit`` rows that follow the row at ``key`` (a keyset seek)."""
    return _select(conn, query, limit=limit, after=key)


def fetch_before(
    conn: sqlite3.Connection, query: QueueQuery, key: tuple[int, int], limit: int
) -> list[QueueRow]:
    """The ``limit`` rows that precede the row at ``key``, in order."""
    return _select(conn, query, limit=limit, after=key, reverse=True)


def count(conn: sqlite3.Connection, query: QueueQuery) -> int:
    """How many tickets the query matches (answered from an index where one fits)."""
    return _again_if_sets_went(lambda: _count_once(conn, query))


def _count_once(conn: sqlite3.Connection, query: QueueQuery) -> int:
    # A count does not depend on the order: the view fields take their update-order
    # indexes, e.g. (unsolved, tier, updated_at) for "My tier" sorted by SLA.
    conditions = _Conditions(query.filter, "updated", conn)
    drivers = conditions.drivers
    if len(drivers) == 1 and not conditions.fixed and drivers[0].exact:
        return drivers[0].size or 0
    if drivers and not conditions.fixed and all(d.text or d.table for d in drivers):
        # Only words and phrases: intersect their sets without reading a ticket.
        kept = [
            (d.table, d.size or 0) if d.table else matching_set(conn, d.text, conditions.texts)
            for d in drivers
        ]
        if all(kept):
            tables = sorted((k for k in kept if k is not None), key=lambda k: k[1])
            first, *others = (table for table, _ in tables)
            tests = " AND ".join(f"number IN {table}" for table in others) or "1"
            sql = f"SELECT count(*) FROM {first} WHERE {tests}"
            return int(conn.execute(sql).fetchone()[0])
    if len(drivers) == 1 and not conditions.fixed and drivers[0].count_alone:
        sql, params = drivers[0].count_alone, list(drivers[0].probe_params)
    else:
        where, params = conditions.sql(*_count_plan(conn, conditions))
        sql = f"SELECT count(*) FROM ticket AS t WHERE {where}"
    return int(conn.execute(sql, params).fetchone()[0])


def _count_plan(conn: sqlite3.Connection, conditions: _Conditions) -> tuple[int | None, set[int]]:
    """Where a count starts, and which other conditions test as sets of numbers: those
    known to be smaller than a few times the rows the count will test."""
    plan = _plan(conn, conditions, counting=True)
    if plan.driver is None or not plan.sizes:
        return plan.driver, set()
    tested = plan.sizes[plan.driver]
    as_sets = {
        i
        for i, size in enumerate(plan.sizes)
        if size < COUNT_PROBE and size <= SET_AFFORDABLE * tested
    }
    return plan.driver, as_sets


def position_of(conn: sqlite3.Connection, query: QueueQuery, number: int) -> int | None:
    """Index of ticket ``number`` in the query's order, or ``None`` if it no longer matches.

    Used to keep the cursor on the same ticket when the store changes under it.
    """
    return _again_if_sets_went(lambda: _position_once(conn, query, number))


def _position_once(conn: sqlite3.Connection, query: QueueQuery, number: int) -> int | None:
    sort = SORT_COLUMNS[query.sort]
    conditions = _Conditions(query.filter, query.sort, conn)
    where, params = conditions.sql(-1)
    found = conn.execute(
        f"SELECT {sort} FROM ticket AS t WHERE t.number = ? AND ({where})", [number, *params]
    ).fetchone()
    if found is None:
        return None
    where, params = conditions.sql(*_count_plan(conn, conditions))
    before = ">" if query.descending else "<"
    sql = f"SELECT count(*) FROM ticket AS t WHERE ({where}) AND ({sort}, t.number) {before} (?, ?)"
    return int(conn.execute(sql, [*params, found[0], number]).fetchone()[0])
