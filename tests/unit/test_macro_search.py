"""Words for suggestions, the order of suggestions, and the picker's fuzzy filter."""

from __future__ import annotations

from agentdesk.domain.macro_search import (
    MAX_TERMS,
    fuzzy_filter,
    order_suggestions,
    searchable,
    suggestion_terms,
)

MACROS = [
    searchable("Refund approved", "I've issued a full refund for your payment."),
    searchable("Refund — need card details", "Could you confirm the card's last four digits?"),
    searchable("Password reset steps", "Reset your password at the link."),
    searchable("Printer jam troubleshooting", "Clean the roller and recalibrate."),
]


def test_terms_drop_stop_words_numbers_short_words_and_repeats() -> None:
    terms = suggestion_terms(["Hi team, I was CHARGED twice for order 12345!", "charged twice"])
    assert terms == ["charged", "twice", "order"]


def test_terms_are_bounded() -> None:
    text = " ".join(f"word{n}x" for n in range(200))
    assert len(suggestion_terms([text])) == MAX_TERMS


def test_terms_keep_accented_and_non_latin_words() -> None:
    assert suggestion_terms(["Remboursement de la commande, 払い戻し"]) == [
        "remboursement",
        "commande",
        "払い戻し",
    ]


def test_used_macros_come_last() -> None:
    assert order_suggestions(["a", "b", "c", "d"], {"a", "c"}, 3) == ["b", "d", "a"]
    assert order_suggestions(["a"], set(), 3) == ["a"]


def test_empty_query_keeps_the_given_order() -> None:
    assert fuzzy_filter("  ", MACROS) == [0, 1, 2, 3]


def test_every_word_must_match_title_or_body() -> None:
    assert fuzzy_filter("refund card", MACROS) == [1]
    assert fuzzy_filter("refund", MACROS) == [0, 1]


def test_a_typo_still_matches() -> None:
    assert fuzzy_filter("refnd", MACROS)[:2] == [0, 1]
    assert fuzzy_filter("pasword", MACROS) == [2]
    assert fuzzy_filter("printr jam", MACROS) == [3]


def test_short_words_match_as_typed() -> None:
    assert fuzzy_filter("pr", MACROS) == [0, 3]  # "approved", "Printer": no typo allowed
    assert fuzzy_filter("zq", MACROS) == []


def test_title_matches_beat_body_matches() -> None:
    items = [searchable("Other", "password help"), searchable("Password", "other")]
    assert fuzzy_filter("password", items) == [1, 0]
