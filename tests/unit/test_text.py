"""Untrusted text made safe to show, and compact ages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentdesk.domain.text import one_line, visible_text
from agentdesk.domain.timefmt import ago
from tests.factories import HOSTILE_BODY

# Every character a terminal acts on instead of printing (tab and newline excepted).
CONTROLS = [chr(c) for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]
CONTROLS_WITHOUT_CR = [c for c in CONTROLS if c != "\r"]


# --------------------------------------------------------------------------- visible_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J\x1b[31mred", "␛[2J␛[31mred"),  # CSI: clear screen, colour
        (
            "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
            "␛]8;;http://evil.example␇click␛]8;;␇",
        ),
        ("\x1b]0;pwned title\x1b\\", "␛]0;pwned title␛\\"),  # OSC ended by ST
        ("\x9b2J", "\ufffd2J"),  # 8-bit CSI
        ("\x9d0;title\x9c", "\ufffd0;title\ufffd"),  # 8-bit OSC … ST
        ("\x85next", "\ufffdnext"),  # NEL
        ("ding\x07", "ding␇"),  # BEL
        ("abc\x08\x08\x08xyz", "abc␈␈␈xyz"),  # backspace (overwrite trick)
        ("nul\x00byte", "nul␀byte"),
        ("del\x7f", "del␡"),
        ("\x0bvt\x0cff", "␋vt␌ff"),
        ("\x1bc", "␛c"),  # RIS: full terminal reset
    ],
)
def test_control_sequences_become_visible(raw: str, shown: str) -> None:
    assert visible_text(raw) == shown


@pytest.mark.parametrize("char", CONTROLS_WITHOUT_CR)
def test_no_control_character_survives(char: str) -> None:
    shown = visible_text(f"a{char}b")
    assert shown[0] == "a" and shown[-1] == "b"
    assert len(shown) == 3
    assert shown[1] != char
    assert not _is_control(shown[1])


def test_newline_and_tab_are_kept() -> None:
    assert visible_text("line one\n\tindented\nline three") == "line one\n\tindented\nline three"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\r\nb\r\n", "a\nb\n"),
        ("a\rb", "a\nb"),  # a lone CR would move the cursor back over the line
        ("a\r\r\nb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
    ],
)
def test_carriage_returns_become_newlines(raw: str, shown: str) -> None:
    assert visible_text(raw) == shown


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]NOW[/]",
        "[link=http://evil.example]click[/link]",
        "[@click=app.quit]x[/]",
        ":smile: **markdown** <b>html</b> {braces} $dollars \\[escaped]",
        "Zoë Ålander — naïve café, 日本語, emoji 🎉",
        "",
    ],
)
def test_markup_and_plain_unicode_are_unchanged(text: str) -> None:
    assert visible_text(text) == text


def test_hostile_factory_body() -> None:
    shown = visible_text(HOSTILE_BODY)
    assert "\x1b" not in shown
    assert "[bold red]NOW[/]" in shown
    assert shown.endswith("␛[2J␛[31mred")


@given(st.text())
def test_visible_text_never_leaves_a_control(text: str) -> None:
    shown = visible_text(text)
    assert all(c in "\n\t" or not _is_control(c) for c in shown)
    assert "\r" not in shown


@given(st.text(alphabet=st.characters(exclude_categories=["Cc"])))
def test_text_without_controls_is_unchanged(text: str) -> None:
    assert visible_text(text) == text


# --------------------------------------------------------------------------- one_line


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("  Printer\tjam\n\nagain  ", "Printer jam again"),
        ("a\r\nb", "a b"),
        ("one\u00a0two\u2003three", "one two three"),  # Unicode spaces fold too
        ("\x1b[2J clear", "␛[2J clear"),
        ("tab\x0bvt", "tab␋vt"),  # VT is made visible, not treated as a space
        ("[b]bold[/b]   text", "[b]bold[/b] text"),
        ("", ""),
        (" \n\t ", ""),
    ],
)
def test_one_line_folds_whitespace(raw: str, shown: str) -> None:
    assert one_line(raw) == shown


@given(st.text())
def test_one_line_is_one_line(text: str) -> None:
    shown = one_line(text)
    assert "\n" not in shown and "\t" not in shown and "\r" not in shown
    assert shown == shown.strip()
    assert "  " not in shown
    assert not any(_is_control(c) for c in shown)


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


# --------------------------------------------------------------------------- ago

NOW = 1_780_000_000_000
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
YEAR = 365 * DAY


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (-5 * MINUTE, "now"),  # clock skew: a time in the future
        (0, "now"),
        (MINUTE - 1, "now"),
        (MINUTE, "1m"),
        (2 * MINUTE - 1, "1m"),
        (59 * MINUTE + 59 * SECOND, "59m"),
        (HOUR - 1, "59m"),
        (HOUR, "1h"),
        (DAY - 1, "23h"),
        (DAY, "1d"),
        (14 * DAY - 1, "13d"),
        (14 * DAY, "2w"),
        (3 * WEEK - 1, "2w"),
        (YEAR - 1, "52w"),
        (YEAR, "1y"),
        (2 * YEAR - 1, "1y"),
        (10 * YEAR, "10y"),
    ],
)
def test_ago_boundaries(delta: int, shown: str) -> None:
    assert ago(NOW - delta, NOW) == shown


@given(st.integers(min_value=0, max_value=200 * YEAR), st.integers(min_value=0, max_value=YEAR))
def test_ago_never_goes_down_as_time_passes(age: int, later: int) -> None:
    order = {"now": 0, "m": 1, "h": 2, "d": 3, "w": 4, "y": 5}

    def rank(text: str) -> tuple[int, int]:
        if text == "now":
            return (0, 0)
        return (order[text[-1]], int(text[:-1]))

    assert rank(ago(NOW - age, NOW)) <= rank(ago(NOW - age, NOW + later))
    assert len(ago(NOW - age, NOW)) <= 4
