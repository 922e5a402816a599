"""The ``sla:`` field of the query language: values, mistakes, and the header summary."""

from __future__ import annotations

import pytest

from agentdesk.domain.query import QuerySyntaxError, compile_query, parse_query
from storage.agents import AgentRow
from storage.migrations import SLA_NONE, SLA_PAUSED
from storage.queue import Span
from tests.factories import MINUTE, T0

ANA = AgentRow("AG-ANA", "Ana Lima", "ana@support.example.com", "1", True, ())


@pytest.mark.parametrize(
    ("text", "spans", "negated"),
    [
        ("sla:breached", (Span(None, T0 + 1),), ()),
        ("sla:br", (Span(None, T0 + 1),), ()),  # a unique prefix
        ("sla:<2h", (Span(None, T0 + 120 * MINUTE),), ()),
        ("sla:2h", (Span(None, T0 + 120 * MINUTE + 1),), ()),
        ("sla:>=1d", (Span(T0 + 1440 * MINUTE, SLA_PAUSED),), ()),
        ("sla:paused", (Span(SLA_PAUSED, SLA_NONE),), ()),
        ("-sla:paused", (), (Span(SLA_PAUSED, SLA_NONE),)),
    ],
)
def test_sla_values_become_ranges_of_the_sla_order(
    text: str, spans: tuple[Span, ...], negated: tuple[Span, ...]
) -> None:
    found = compile_query(text, ANA, now_ms=T0).filter
    assert (found.sla, found.sla_not) == (spans, negated)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sla:late", "unknown sla 'late' at 5; one of breached, paused"),
        ("sla:<2x", "bad sla value '<2x' at 5 — breached, paused, or a time left"),
        ("sla:", "missing value for 'sla' at 1 — e.g. sla:breached or sla:<2h"),
        ("sal:breached", "unknown field 'sal' at 1 — did you mean 'sla'?"),
    ],
)
def test_sla_mistakes_are_explained(text: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert str(caught.value).startswith(message)


def test_sla_terms_in_the_summary() -> None:
    assert parse_query("sla:breached sla:<2h -sla:paused").describe() == (
        "SLA breached or SLA due within 2h · not SLA paused"
    )
    assert parse_query("sla:>1d").describe() == "SLA due in more than 1d"
