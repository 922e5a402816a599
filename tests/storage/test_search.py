"""Full-text search: the FTS5 tables follow the rows through their triggers, and a
person's text can never be FTS5 syntax."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from storage.errors import StoreError
from storage.search import SearchSyntaxError, fts_phrase, match_ticket_numbers
from tests.factories import T0, add_ticket, make_workspace, ticket_id


def search(conn: sqlite3.Connection, text: str) -> list[int]:
    return match_ticket_numbers(conn, fts_phrase(text))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store built per module; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("search") / "template.db"
    make_workspace(path, tickets=30)
    return path


@pytest.fixture
def conn(tmp_path: Path, template: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "search.db"
    shutil.copyfile(template, path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def shared(template: Path) -> Iterator[sqlite3.Connection]:
    """A read-only store for the property test (Hypothesis refuses function-scoped fixtures)."""
    connection = sqlite3.connect(f"{template.as_uri()}?mode=ro", uri=True)
    yield connection
    connection.close()


def add_message(conn: sqlite3.Connection, number: int, body: str, msg_id: str) -> None:
    conn.execute(
        "INSERT INTO message (id, ticket_id, kind, author_agent_id, body, created_at)"
        " VALUES (?, ?, 'public', 'AG-ANA', ?, ?)",
        (msg_id, ticket_id(number), body, T0),
    )


def assert_fts_consistent(conn: sqlite3.Connection) -> None:
    """FTS5's own check that an external-content index matches its table."""
    conn.execute("INSERT INTO ticket_fts (ticket_fts) VALUES ('integrity-check')")
    conn.execute("INSERT INTO message_fts (message_fts) VALUES ('integrity-check')")


# --------------------------------------------------------------------------- finding words


def test_subject_word_is_found(conn: sqlite3.Connection) -> None:
    # Subjects "Printer jam number i" for i % 10 == 0 (#1000, #1010, #1020).
    assert sorted(search(conn, "printer")) == [1000, 1010, 1020]
    assert sorted(search(conn, "Printer JAM")) == [1000, 1010, 1020]
    assert search(conn, "login problem 7") == [1007]


def test_message_body_word_is_found(conn: sqlite3.Connection) -> None:
    # Each ticket's first message is "Message body i" (#1002 has the hostile body).
    assert search(conn, "body 13") == [1013]
    assert sorted(search(conn, "evil.example")) == [1002]
    assert search(conn, "nonexistentword") == []


def test_a_ticket_matching_in_subject_and_messages_is_listed_once(
    conn: sqlite3.Connection,
) -> None:
    add_message(conn, 1010, "the printer is still jammed, printer printer", "M-P1")
    add_message(conn, 1010, "printer again", "M-P2")
    found = search(conn, "printer")
    assert sorted(found) == [1000, 1010, 1020]
    assert len(found) == len(set(found))


def test_limit(conn: sqlite3.Connection) -> None:
    assert len(match_ticket_numbers(conn, "login", limit=5)) == 5
    assert len(match_ticket_numbers(conn, "login")) == 27


# --------------------------------------------------------------------------- triggers


def test_new_message_words_are_found(conn: sqlite3.Connection) -> None:
    assert search(conn, "kumquat") == []
    add_message(conn, 1005, "Our kumquat export failed overnight", "M-NEW")
    assert search(conn, "kumquat") == [1005]
    assert search(conn, "kumquat export") == [1005]
    assert_fts_consistent(conn)


def test_new_ticket_subject_words_are_found(conn: sqlite3.Connection) -> None:
    add_ticket(conn, 5000, subject="Quarterly invoice missing", body="see subject")
    assert search(conn, "quarterly invoice") == [5000]
    assert_fts_consistent(conn)


def test_updated_subject_replaces_the_old_words(conn: sqlite3.Connection) -> None:
    assert 1001 in search(conn, "login")
    conn.execute("UPDATE ticket SET subject = 'Refund request' WHERE number = 1001")
    assert 1001 not in search(conn, "login")
    assert search(conn, "refund") == [1001]
    assert_fts_consistent(conn)


def test_updating_other_columns_keeps_the_subject_indexed(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE ticket SET status = 'solved', version = 2 WHERE number = 1010")
    assert 1010 in search(conn, "printer")
    assert_fts_consistent(conn)


def test_deleted_message_words_are_gone(conn: sqlite3.Connection) -> None:
    add_message(conn, 1004, "zanzibar", "M-DEL")
    assert search(conn, "zanzibar") == [1004]
    conn.execute("DELETE FROM message WHERE id = 'M-DEL'")
    assert search(conn, "zanzibar") == []
    assert_fts_consistent(conn)


def test_updated_message_body_replaces_the_old_words(conn: sqlite3.Connection) -> None:
    add_message(conn, 1004, "original wording", "M-UPD")
    conn.execute("UPDATE message SET body = 'corrected phrasing' WHERE id = 'M-UPD'")
    assert search(conn, "original") == []
    assert search(conn, "corrected phrasing") == [1004]
    assert_fts_consistent(conn)


def test_deleted_ticket_and_its_cascaded_messages_are_gone(conn: sqlite3.Connection) -> None:
    add_message(conn, 1020, "xylophone", "M-CASCADE")
    assert search(conn, "xylophone") == [1020]
    conn.execute("DELETE FROM ticket WHERE number = 1020")
    assert search(conn, "xylophone") == []
    assert search(conn, "body 20") == []
    assert sorted(search(conn, "printer")) == [1000, 1010]
    assert_fts_consistent(conn)


# --------------------------------------------------------------------------- diacritics


def test_diacritics_are_folded(conn: sqlite3.Connection) -> None:
    add_ticket(conn, 6000, subject="Zoë cannot sign in", body="Ça ne marche pas, señor")
    assert search(conn, "Zoe") == [6000]
    assert search(conn, "zoë") == [6000]
    assert search(conn, "ZOE") == [6000]
    assert search(conn, "ca marche") == [6000]
    assert search(conn, "senor") == [6000]


# --------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    "text",
    [
        "printer OR login",
        "printer AND NOT jam",
        "NEAR(printer jam)",
        "NEAR(printer jam, 2)",
        "print*",
        "-printer",
        "(printer)",
        '"printer',
        "printer\"'",
        "subject:printer",
        "body : printer",
        "^printer",
        "printer +",
        "{subject body}: printer",
    ],
)
def test_fts_phrase_neutralises_syntax(conn: sqlite3.Connection, text: str) -> None:
    expression = fts_phrase(text)
    found = match_ticket_numbers(conn, expression)  # never raises
    # Each whitespace-separated word became one quoted FTS5 string.
    assert expression == " ".join('"' + w.replace('"', '""') + '"' for w in text.split())
    # No printer ticket contains an operator word, so only plain words could match.
    assert set(found) <= {1000, 1010, 1020}


def test_fts_phrase_keeps_plain_words() -> None:
    assert fts_phrase("printer jam") == '"printer" "jam"'
    assert fts_phrase('say "hi"') == '"say" """hi"""'
    assert fts_phrase("  spaced\tout\n") == '"spaced" "out"'


def test_operator_words_are_searched_as_words(conn: sqlite3.Connection) -> None:
    add_ticket(conn, 7000, subject="Printer OR scanner", body="x")
    assert search(conn, "printer OR scanner") == [7000]
    assert search(conn, "printer or") == [7000]
    # As raw FTS5, the same text means printer-or-scanner: every printer ticket.
    assert sorted(match_ticket_numbers(conn, "printer OR scanner")) == [1000, 1010, 1020, 7000]


def test_prefix_star_is_not_a_prefix_query(conn: sqlite3.Connection) -> None:
    assert sorted(match_ticket_numbers(conn, "print*")) == [1000, 1010, 1020]
    assert search(conn, "print*") == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "a\x00b", "\x00"])
def test_fts_phrase_of_degenerate_text_does_not_raise(conn: sqlite3.Connection, text: str) -> None:
    assert search(conn, text) == []


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(),
        st.lists(
            st.sampled_from(
                [
                    '"',
                    "'",
                    "AND",
                    "OR",
                    "NOT",
                    "NEAR",
                    "NEAR(",
                    "*",
                    "-",
                    "+",
                    "(",
                    ")",
                    "^",
                    ":",
                    "{",
                    "}",
                    "subject:",
                    "body:",
                    "printer",
                    "jam",
                    " ",
                    "\t",
                    "\x00",
                    "é",
                ]
            ),
            max_size=12,
        ).map("".join),
    )
)
@example(text="")
@example(text='NEAR("a" b, 2) OR -c* AND (d')
def test_fts_phrase_never_raises(shared: sqlite3.Connection, text: str) -> None:
    result = match_ticket_numbers(shared, fts_phrase(text))
    assert all(isinstance(number, int) for number in result)


@pytest.mark.parametrize(
    "expression", ['"unterminated', "AND", "printer AND", "(printer", "NEAR(", "body:printer"]
)
def test_raw_bad_expression_raises_search_syntax_error(
    conn: sqlite3.Connection, expression: str
) -> None:
    with pytest.raises(SearchSyntaxError) as caught:
        match_ticket_numbers(conn, expression)
    assert isinstance(caught.value, StoreError)
    assert "\n" not in str(caught.value)
