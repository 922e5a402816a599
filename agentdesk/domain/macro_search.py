"""Finding the right macro: words for ranking suggestions, and the picker's fuzzy filter.

Suggestions rank macros with BM25 against the words of a ticket (see
``storage.macros.rank_macros``); :func:`suggestion_terms` picks those words. The
picker filters as the agent types with RapidFuzz: every typed word must be close
to a word of the title or the body (so ``refnd crd`` still finds "Refund — need
card details"), titles count more than bodies.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

_STOPWORDS: Final = """
    about after again also an and any are as at be been before being but by can could did
    do does doing dont for from get got had has have having hello help hi how im ive just
    know let like me more my need not now of on or our out please regards same see sent so
    some still than thank thanks that the their them then there these they this those to
    too very was we were what when where which while who why will with would yes you your
    best cheers kind hey team sorry ok okay one two use using want
"""
#: Words a ticket uses about anything; they say nothing about which macro fits.
STOPWORDS: Final = frozenset(_STOPWORDS.split())
#: Ticket words used for a suggestion query, at most.
MAX_TERMS: Final = 40
#: Characters of each ticket text read for words.
MAX_TEXT_CHARS: Final = 2000
_WORD: Final = re.compile(r"\w+")

#: A typed word matches a title or body when RapidFuzz's partial ratio reaches this.
MATCH_CUTOFF: Final = 75.0
_BODY_WEIGHT: Final = 0.6


def suggestion_terms(texts: Iterable[str]) -> list[str]:
    """Distinct content words of ``texts``, in order: no stop words, numbers or short words."""
    terms: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(text[:MAX_TEXT_CHARS].casefold()):
            if len(word) < 3 or word.isdigit() or word in STOPWORDS or "_" in word:
                continue
            terms.setdefault(word)
            if len(terms) >= MAX_TERMS:
                return list(terms)
    return list(terms)


def order_suggestions(ranked: Sequence[str], used: Collection[str], limit: int) -> list[str]:
    """Best first, but macros already used on this ticket after the others."""
    fresh = [macro for macro in ranked if macro not in used]
    return (fresh + [macro for macro in ranked if macro in used])[:limit]


@dataclass(frozen=True, slots=True)
class Searchable:
    """A macro as the picker searches it: casefolded title and body."""

    title: str
    body: str


def searchable(title: str, body: str) -> Searchable:
    """Prepare a macro's text once, not on every key press."""
    return Searchable(title.casefold(), body.casefold())


def fuzzy_filter(query: str, items: Sequence[Searchable]) -> list[int]:
    """Positions of the items that match every word of ``query``, best match first.

    Words of one or two letters must appear as typed (prefixes of a word the
    agent is still typing); longer ones may have a typo. Ties keep ``items`` order,
    so the caller's order (suggested, then most used) breaks them.
    """
    words = query.casefold().split()
    if not words:
        return list(range(len(items)))
    from rapidfuzz import fuzz, process  # noqa: PLC0415 - 28 ms to import; only pickers filter

    totals = [0.0] * len(items)
    alive = set(range(len(items)))
    titles = [item.title for item in items]
    bodies = [item.body for item in items]
    for word in words:
        cutoff = 100.0 if len(word) <= 2 else MATCH_CUTOFF
        scores: dict[int, float] = {}
        for choices, weight in ((titles, 1.0), (bodies, _BODY_WEIGHT)):
            for _, score, index in process.extract(
                word, choices, scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=None
            ):
                scores[index] = max(scores.get(index, 0.0), score * weight)
        alive &= scores.keys()
        for index in alive:
            totals[index] += scores[index]
    return sorted(alive, key=lambda index: (-totals[index], index))
