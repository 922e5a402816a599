"""The TOML macro file: exact round trips, and every problem reported with file, entry, field."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.domain.macro_file import FileMacro, MacroFileError, dump_macros, load_macros
from agentdesk.domain.macros import MacroActions, MacroDraft, check_template

REFUND = FileMacro(
    "01REFUND",
    MacroDraft(
        "Refund approved",
        'Hi {{customer.first_name}},\n\nA "quoted" \\ refund.\n\n{{agent.first_name}}',
        MacroActions("solved", None, ("refund",), (), None),
        shared=True,
    ),
)
MINE = FileMacro("01MINE", MacroDraft("a note", "Thanks!", MacroActions(), shared=False))


def test_export_puts_shared_first_then_titles() -> None:
    text = dump_macros([MINE, REFUND])
    assert text.index('"01REFUND"') < text.index('"01MINE"')
    assert 'scope = "personal"' in text
    assert "[macro.actions]" in text


def test_a_file_reads_back_to_what_was_written() -> None:
    text = dump_macros([REFUND, MINE])
    entries = load_macros(text, "m.toml")
    assert [(e.number, e.id, e.draft) for e in entries] == [
        (1, "01REFUND", REFUND.draft),
        (2, "01MINE", MINE.draft),
    ]
    again = dump_macros([FileMacro(e.id or "", e.draft) for e in entries])
    assert again == text


bodies = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="{}"), min_size=1
).filter(lambda s: s.strip())


@settings(max_examples=200, deadline=None)
@given(body=bodies, title=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_any_stored_body_and_title_round_trip_exactly(body: str, title: str) -> None:
    stored = FileMacro(
        "01X", MacroDraft(" ".join(title.split()), check_template(body), MacroActions(), True)
    )
    text = dump_macros([stored])
    (entry,) = load_macros(text, "m.toml")
    assert entry.draft == stored.draft
    assert dump_macros([FileMacro("01X", entry.draft)]) == text


def test_every_problem_is_reported_with_file_entry_and_field() -> None:
    text = """
[[macro]]
title = "Fine"
body = "Hi {{customer.first_name}}"

[[macro]]
title = "Bad placeholder"
body = "Hi {{customer.frist_name}}"

[[macro]]
title = "Bad status"
body = "ok"
actions = { status = "solve" }

[[macro]]
id = "A"
title = "One"
body = "ok"
colour = "red"

[[macro]]
id = "B"
title = "Two"
body = "ok"
scope = "team"

[[macro]]
id = "B"
title = "Three"
body = "ok"

[[macro]]
body = "no title"
"""
    with pytest.raises(MacroFileError) as refused:
        load_macros(text, "m.toml")
    problems = refused.value.problems
    assert problems[0].startswith(
        "m.toml:macro[2]:body: unknown placeholder {{customer.frist_name}}"
    )
    assert problems[1].startswith("m.toml:macro[3]:actions.status: unknown status 'solve'")
    assert problems[2] == (
        "m.toml:macro[4]:colour: unknown key; use: id, title, scope, body, actions"
    )
    assert problems[3] == "m.toml:macro[5]:scope: scope must be one of: shared, personal"
    assert problems[4] == "m.toml:macro[6]:id: id B is also used by macro[5]"
    assert problems[5] == "m.toml:macro[7]:title: 'title' is required text"
    assert len(problems) == 6


def test_not_toml_and_other_tables_are_refused() -> None:
    with pytest.raises(MacroFileError, match=r"^m.toml: not valid TOML: "):
        load_macros("[[macro]\n", "m.toml")
    with pytest.raises(MacroFileError, match=r"m.toml:macros: unknown table"):
        load_macros('[[macros]]\ntitle = "x"\n', "m.toml")
    assert load_macros("", "m.toml") == []
