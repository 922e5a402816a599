"""The search language: every field, sign, list, quote and date, and every way to get it wrong.

Parsing is pure, so most tests look at clauses and at the storage filter that
``compile_query`` makes; the property tests at the end throw arbitrary text at the
parser and run whatever parses against a real store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agentdesk.domain.query import (
    Clause,
    QuerySyntaxError,
    When,
    compile_query,
    parse_query,
)
from storage.agents import AgentRow
from storage.queue import (
    OPEN_FILTER,
    QueueQuery,
    Refs,
    Span,
    TicketFilter,
    count,
    fetch_after,
    fetch_before,
    fetch_window,
    fetch_window_from_end,
    position_of,
)
from storage.search import TextTerm
from tests.factories import T0, make_workspace

ANA = AgentRow("AG-ANA", "Ana Lima", "ana@support.example.com", "1", True, ("Frontline",))
MINUTE, HOUR, DAY, WEEK = 60_000, 3_600_000, 86_400_000, 604_800_000


def compiled(text: str, **kwargs: object) -> TicketFilter:
    return compile_query(text, ANA, now_ms=T0, **kwargs).filter  # type: ignore[arg-type]


def local_ms(day: str) -> int:
    return int(datetime.strptime(day, "%Y-%m-%d").timestamp() * 1000)


def error(text: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    return caught.value


# --------------------------------------------------------------------------- fields


def test_the_example_from_the_brief() -> None:
    f = compiled(
        "status:open priority:high assignee:me tag:billing channel:email requester:acme "
        '-tag:spam created:>7d "printer jam" refund'
    )
    assert f == TicketFilter(
        statuses=("open",),
        priorities=("high",),
        assignees=Refs(ids=("AG-ANA",)),
        tags=(("billing",),),
        channels=("email",),
        requesters=("acme",),
        tags_none=("spam",),
        created=(Span(None, T0 - 7 * DAY),),
        text=(TextTerm("printer jam"), TextTerm("refund")),
    )


@pytest.mark.parametrize(
    ("text", "statuses"),
    [
        ("status:new", ("new",)),
        ("status:OPEN", ("open",)),
        ("Status:Pending", ("pending",)),
        ("status:on-hold", ("on-hold",)),
        ("status:onhold", ("on-hold",)),
        ("status:hold", ("on-hold",)),
        ("status:solved", ("solved",)),
        ("status:closed", ("closed",)),
        ("status:unsolved", ("new", "open", "pending", "on-hold")),
        ("status:pend", ("pending",)),  # a unique prefix
        ("status:open status:pending", ("open", "pending")),
        ("status:open,pending", ("open", "pending")),
        ("status:open,open status:open", ("open",)),
        ("status:unsolved,closed", ("new", "open", "pending", "on-hold", "closed")),
    ],
)
def test_status(text: str, statuses: tuple[str, ...]) -> None:
    assert compiled(text).statuses == statuses


def test_negated_status() -> None:
    f = compiled("-status:closed -status:solved,pending")
    assert f.statuses_not == ("closed", "solved", "pending")
    assert f.statuses == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("priority:low", TicketFilter(priorities=("low",))),
        ("priority:normal", TicketFilter(priorities=("normal",))),
        ("priority:high,urgent", TicketFilter(priorities=("high", "urgent"))),
        ("priority:urg", TicketFilter(priorities=("urgent",))),
        ("-priority:low", TicketFilter(priorities_not=("low",))),
        ("channel:email", TicketFilter(channels=("email",))),
        ("channel:chat channel:web", TicketFilter(channels=("chat", "web"))),
        ("channel:social,phone", TicketFilter(channels=("social", "phone"))),
        ("-channel:email", TicketFilter(channels_not=("email",))),
        ("tier:1", TicketFilter(tiers=(1,))),
        ("tier:2,3", TicketFilter(tiers=(2, 3))),
        ("-tier:1", TicketFilter(tiers_not=(1,))),
        ("id:1042", TicketFilter(numbers=(1042,))),
        ("id:#1042", TicketFilter(numbers=(1042,))),
        ("#1042", TicketFilter(numbers=(1042,))),
        ("#1042 #7", TicketFilter(numbers=(1042, 7))),
        ("-#1042", TicketFilter(numbers_not=(1042,))),
        ("-id:1,2", TicketFilter(numbers_not=(1, 2))),
    ],
)
def test_enumerated_fields_and_ids(text: str, expected: TicketFilter) -> None:
    assert compiled(text) == expected


@pytest.mark.parametrize(
    ("text", "assignees", "assignees_not"),
    [
        ("assignee:me", Refs(ids=("AG-ANA",)), None),
        ("is:mine", Refs(ids=("AG-ANA",)), None),
        ("assignee:none", Refs(nobody=True), None),
        ("is:unassigned", Refs(nobody=True), None),
        ("is:mine is:unassigned", Refs(ids=("AG-ANA",), nobody=True), None),
        ("assignee:me,none", Refs(ids=("AG-ANA",), nobody=True), None),
        ("assignee:dev@support.example.com", Refs(names=("dev@support.example.com",)), None),
        ("assignee:Dev assignee:eva", Refs(names=("Dev", "eva")), None),
        ('assignee:"Eva Novak"', Refs(names=("Eva Novak",)), None),
        ("-assignee:me", None, Refs(ids=("AG-ANA",))),
        ("-is:unassigned", None, Refs(nobody=True)),
        ("-assignee:none", None, Refs(nobody=True)),
    ],
)
def test_assignee(text: str, assignees: Refs | None, assignees_not: Refs | None) -> None:
    f = compiled(text)
    assert (f.assignees, f.assignees_not) == (assignees, assignees_not)


def test_group() -> None:
    assert compiled("group:front").groups == Refs(names=("front",))
    assert compiled('group:"Tier Two",billing').groups == Refs(names=("Tier Two", "billing"))
    assert compiled("group:none").groups == Refs(nobody=True)
    assert compiled("-group:billing").groups_not == Refs(names=("billing",))


def test_tags_repeat_as_all_of_and_list_as_any_of() -> None:
    assert compiled("tag:billing").tags == (("billing",),)
    assert compiled("tag:billing tag:vip").tags == (("billing",), ("vip",))
    assert compiled("tag:billing,vip").tags == (("billing", "vip"),)
    assert compiled("tag:a,b tag:c").tags == (("a", "b"), ("c",))
    assert compiled("TAG:VIP").tags == (("vip",),)
    assert compiled('tag:"Two Words"').tags == (("two-words",),)
    assert compiled("-tag:spam -tag:test,junk").tags_none == ("spam", "test", "junk")


def test_requester() -> None:
    assert compiled("requester:acme").requesters == ("acme",)
    assert compiled('requester:"Acme Corp",globex').requesters == ("Acme Corp", "globex")
    assert compiled("-requester:mallory").requesters_not == ("mallory",)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "span"),
    [
        (">7d", Span(None, T0 - 7 * DAY)),
        (">=7d", Span(None, T0 - 7 * DAY + 1)),
        ("<2h", Span(T0 - 2 * HOUR + 1, None)),
        ("<=2h", Span(T0 - 2 * HOUR, None)),
        ("30m", Span(T0 - 30 * MINUTE, None)),
        ("<1w", Span(T0 - WEEK + 1, None)),
        ("<1W", Span(T0 - WEEK + 1, None)),
        ("2026-11-01", Span(local_ms("2026-11-01"), local_ms("2026-11-02"))),
        (">2026-11-01", Span(local_ms("2026-11-02"), None)),
        (">=2026-11-01", Span(local_ms("2026-11-01"), None)),
        ("<2026-11-01", Span(None, local_ms("2026-11-01"))),
        ("<=2026-11-01", Span(None, local_ms("2026-11-02"))),
        ("2026-11-01..2026-11-20", Span(local_ms("2026-11-01"), local_ms("2026-11-21"))),
        ("2026-11-20..2026-11-01", Span(local_ms("2026-11-01"), local_ms("2026-11-21"))),
        ("2026-11-01..*", Span(local_ms("2026-11-01"), None)),
        ("*..2026-11-01", Span(None, local_ms("2026-11-02"))),
        ("..2026-11-01", Span(None, local_ms("2026-11-02"))),
        ("7d..1d", Span(T0 - 7 * DAY, T0 - DAY + 1)),
        ("2026-1-5", Span(local_ms("2026-01-05"), local_ms("2026-01-06"))),
    ],
)
def test_created_and_updated(value: str, span: Span) -> None:
    assert compiled(f"created:{value}").created == (span,)
    assert compiled(f"updated:{value}").updated == (span,)
    assert compiled(f"-created:{value}").created_not == (span,)


def test_repeated_dates_are_any_of() -> None:
    f = compiled("created:<1d created:>30d")
    assert f.created == (Span(T0 - DAY + 1, None), Span(None, T0 - 30 * DAY))


def test_relative_dates_use_the_clock_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    # conftest pins timefmt.now_ms to T0.
    assert compile_query("updated:<1h", ANA).filter.updated == (Span(T0 - HOUR + 1, None),)
    later = compile_query("updated:<1h", ANA, now_ms=T0 + DAY).filter
    assert later.updated == (Span(T0 + DAY - HOUR + 1, None),)


def test_parsed_dates_wait_for_now() -> None:
    (clause,) = parse_query("created:>7d").clauses
    assert clause == Clause("created", (When(">", "age", ms=7 * DAY, text="7d"),), False, 0)


# --------------------------------------------------------------------------- text


def test_words_and_phrases() -> None:
    f = compiled('refund "printer jam" Invoice')
    assert f.text == (TextTerm("refund"), TextTerm("printer jam"), TextTerm("Invoice"))


def test_prefix_star() -> None:
    assert compiled("refun*").text == (TextTerm("refun", prefix=True),)


def test_negated_words_and_phrases() -> None:
    f = compiled('-refund -"printer jam"')
    assert f.text_not == (TextTerm("refund"), TextTerm("printer jam"))


def test_fts_syntax_is_just_words() -> None:
    f = compiled("printer OR scanner NEAR(a) ^b")
    assert f.text == tuple(TextTerm(w) for w in ("printer", "OR", "scanner", "NEAR(a)", "^b"))


@pytest.mark.parametrize("text", ["", "   ", "- -- ---", '"" "!!!"', "*", "?!"])
def test_nothing_searchable_is_an_empty_query(text: str) -> None:
    assert parse_query(text).clauses == ()
    assert compiled(text) == TicketFilter()


def test_quoted_whitespace_is_folded() -> None:
    assert compiled('"printer   jam\t now"').text == (TextTerm("printer jam now"),)


def test_a_time_of_day_is_a_word_not_a_field() -> None:
    assert compiled("10:30").text == (TextTerm("10:30"),)


# --------------------------------------------------------------------------- combining


def test_different_fields_and_same_field_or() -> None:
    f = compiled("status:open priority:high status:pending")
    assert f.statuses == ("open", "pending")
    assert f.priorities == ("high",)


def test_field_names_ignore_case() -> None:
    assert compiled("STATUS:open Priority:HIGH") == compiled("status:open priority:high")


def test_base_filter_is_kept() -> None:
    f = compiled("priority:urgent", base=OPEN_FILTER)
    assert f == TicketFilter(unsolved=True, priorities=("urgent",))


def test_base_with_the_same_field_narrows_instead_of_replacing() -> None:
    base = TicketFilter(statuses=("pending",))
    f = compiled("status:open tag:vip", base=base)
    assert f == TicketFilter(statuses=("pending",), also=(compiled("status:open tag:vip"),))


def test_compile_returns_the_default_order() -> None:
    query = compile_query("tag:vip", ANA, now_ms=T0)
    assert (query.sort, query.descending) == ("updated", True)


# --------------------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        (
            'status:open,pending tag:billing -tag:spam "printer jam"',
            "open or pending · tag billing · not tag spam · “printer jam”",
        ),
        ("status:unsolved", "unsolved"),
        ("-status:closed", "not closed"),
        ("priority:high,urgent", "high or urgent priority"),
        ("assignee:me", "assigned to me"),
        ("is:unassigned", "unassigned"),
        ("-assignee:none", "assigned"),
        ("is:mine is:unassigned", "assigned to me or unassigned"),
        ("group:billing", "group billing"),
        ("group:none", "in no group"),
        ("tier:2,3", "tier 2 or 3"),
        ("tag:a,b tag:c", "tag a or b · tag c"),
        ("channel:email", "via email"),
        ("requester:acme", "from acme"),
        ("created:>7d", "created more than 7d ago"),
        ("updated:<2h", "updated less than 2h ago"),
        ("created:7d", "created in the last 7d"),
        ("created:>=2026-11-01", "created since 2026-11-01"),
        ("created:2026-11-01", "created on 2026-11-01"),
        ("created:2026-11-01..2026-11-20", "created 2026-11-01 – 2026-11-20"),
        ("#1042 id:7", "#1042 or #7"),
        ("-#1042", "not #1042"),
        ("refund refun* -invoice", "refund · refun* · not invoice"),
        ("", ""),
    ],
)
def test_describe(text: str, summary: str) -> None:
    assert parse_query(text).describe() == summary


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("stauts:open", "unknown field 'stauts' at 1 — did you mean 'status'?", 0),
        ("status:open prioritty:high", "unknown field 'prioritty' at 13 — did you mean", 12),
        ("http://example.com", "unknown field 'http' at 1", 0),
        ("status:opn", "unknown status 'opn' at 8; one of new, open, pending", 7),
        ("status:open,opne", "did you mean 'open'?", 12),
        ("status:o", "status 'o' at 8 could be open or on-hold", 7),
        ("priority:hgh", "unknown priority 'hgh' at 10; one of low, normal, high, urgent", 9),
        ("channel:fax", "unknown channel 'fax' at 9; one of email, chat, web, social, phone", 8),
        ("tier:4", "unknown tier '4' at 6 — one of 1, 2, 3", 5),
        ("is:open", "unknown is: 'open' at 4; one of mine, unassigned", 3),
        ("id:abc", "bad ticket number 'abc' at 4", 3),
        ('tag:billing "printer jam', "unclosed quote at 13", 12),
        ('requester:"acme', "unclosed quote at 11", 10),
        ("created:>=2026-13-01", "bad date '2026-13-01' at 11", 10),
        ("created:2026-02-30", "bad date '2026-02-30' at 9", 8),
        ("created:7x", "bad duration '7x' at 9 — use m, h, d or w", 8),
        ("created:yesterday", "bad created value 'yesterday' at 9", 8),
        ("updated:>", "bad updated value '' at 10", 9),
        ("created:..", "empty range for 'created' at 9", 8),
        ("status:", "missing value for 'status' at 1 — e.g. status:open", 0),
        ("-tag: x", "missing value for 'tag' at 2", 1),
        ('tag:"a"b', "unexpected 'b' at 8", 7),
        ('tag:""', "empty tag at 5", 4),
        ("group:me", "'me' is not a group", 6),
    ],
)
def test_bad_queries_explain_themselves(text: str, message: str, position: int) -> None:
    caught = error(text)
    assert message in str(caught)
    assert caught.position == position
    assert caught.column == position + 1
    assert "\n" not in str(caught)


def test_syntax_errors_are_value_errors_for_the_cli() -> None:
    assert isinstance(error("stauts:open"), ValueError)


# --------------------------------------------------------------------------- properties

TOKENS = [
    "status:",
    "priority:",
    "assignee:",
    "group:",
    "tier:",
    "tag:",
    "channel:",
    "requester:",
    "created:",
    "updated:",
    "id:",
    "is:",
    "bogus:",
    "open",
    "pending",
    "unsolved",
    "on-hold",
    "high",
    "urg",
    "me",
    "none",
    "mine",
    "unassigned",
    "ana",
    "front",
    "billing",
    "vip",
    "email",
    "acme",
    "zoë",
    "1",
    "2",
    "4",
    "#1003",
    ">",
    ">=",
    "<",
    "<=",
    "7d",
    "2h",
    "30m",
    "1w",
    "2026-05-01",
    "2026-13-40",
    "..",
    "*",
    ",",
    '"',
    "-",
    " ",
    " ",
    "\t",
    "printer",
    "jam",
    "refun*",
    "OR",
    "NEAR(",
    ")",
    "'",
    "%",
    "_",
    "\\",
    "\x00",
]
FIELD_VALUES = {
    "status": ["open", "pending", "unsolved", "closed", "on-hold", "new", "solved", "pend"],
    "priority": ["low", "normal", "high", "urgent", "urg"],
    "assignee": ["me", "none", "ana", "dev@support.example.com", "Eva", '"Ben Okafor"'],
    "is": ["mine", "unassigned"],
    "group": ["front", "none", '"Frontline"', "x"],
    "tier": ["1", "2", "3"],
    "tag": ["billing", "vip", "spam", '"two words"'],
    "channel": ["email", "chat", "web", "social", "phone"],
    "requester": ["acme", "zo", "jose@", "example.org", "%", "_", '"Acme Corp"'],
    "created": [">7d", "<2h", "30m", ">=2026-05-27", "2026-05-28", "2026-05-01..*", "1d..3d"],
    "updated": ["<1h", ">=5m", "<=2026-05-28", "*..2026-05-20", "2w"],
    "id": ["1000", "#1003", "1039", "99999"],
}
WORDS = ["printer", "jam", '"printer jam"', "body", "refun*", "login", "zoë", '"message body 3"']


@st.composite
def terms(draw: st.DrawFn) -> str:
    """One well-formed term: a field with one to three values, or a word, maybe negated."""
    sign = draw(st.sampled_from(["", "-"]))
    field = draw(st.sampled_from([*sorted(FIELD_VALUES), "text"]))
    if field == "text":
        return sign + draw(st.sampled_from(WORDS))
    values = draw(st.lists(st.sampled_from(FIELD_VALUES[field]), min_size=1, max_size=3))
    return f"{sign}{field}:{','.join(values)}"


queries = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(TOKENS), max_size=14).map("".join),
    st.lists(terms(), max_size=6).map(" ".join),
)


@settings(max_examples=600, deadline=None)
@given(text=queries)
@example(text='status:"open')
@example(text="created:>=..")
@example(text="-")
@example(text="-\x00:")
def test_parse_never_raises_anything_else(text: str) -> None:
    try:
        parsed = parse_query(text)
    except QuerySyntaxError as caught:
        assert 0 <= caught.position <= len(text)
        assert str(caught)
        return
    parsed.describe()
    compile_query(text, ANA, now_ms=T0)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("query") / "query.db"
    make_workspace(path, tickets=40)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    yield conn
    conn.close()


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=queries, sort=st.sampled_from(["updated", "created", "number", "priority", "status"]))
@example(text="tag:a,b tag:c -tag:d requester:zo -requester:x is:mine", sort="priority")
@example(text="status:unsolved -status:pending created:2026-05-01..* refun*", sort="status")
def test_every_compiled_query_runs_on_a_real_store(
    store: sqlite3.Connection, text: str, sort: str
) -> None:
    try:
        query = compile_query(text, ANA, now_ms=T0)
    except QuerySyntaxError:
        return
    for descending in (True, False):
        q = QueueQuery(query.filter, sort, descending)  # type: ignore[arg-type]
        rows = fetch_window(store, q, 0, 100)
        assert count(store, q) == len(rows)
        assert fetch_window_from_end(store, q, 0, 100) == rows
        if rows:
            assert fetch_after(store, q, rows[0].keyset, 100) == rows[1:]
            assert fetch_before(store, q, rows[-1].keyset, 100) == rows[:-1]
            assert position_of(store, q, rows[-1].number) == len(rows) - 1
