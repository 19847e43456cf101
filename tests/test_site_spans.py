"""The spans laid over a document's text: values made from the rows of the reading queries, field by
field in the order of their columns."""

from __future__ import annotations

import dataclasses

import pytest

from provcat.site.spans import CueSpan, MentionSpan, QuoteSpan


def test_a_span_needs_only_where_it_is_and_what_it_is_of() -> None:
    mention = MentionSpan(3, 9, "syria")
    assert (mention.name, mention.entity_type, mention.method, mention.confidence) == (None, None, "", None)
    quote = QuoteSpan(0, 5)
    assert (quote.speaker, quote.kind, quote.method, quote.confidence, quote.id) == (None, "direct", "", None, None)
    assert (quote.speaker_entity_id, quote.speaker_name, quote.text) == (None, None, None)


def test_a_row_of_the_reading_queries_is_a_span_field_by_field() -> None:
    mention_row = (3, 9, "syria", "Syria", "place", "authority", 0.9, 12, "Syria")
    quote_row = (0, 5, "The director", "indirect", "rule:x", 0.5, 7, "pn", "Peter Neumann", "words",
                 "the director said", 6, 23)
    cue_row = (10, 20, 2, "00:00:04,200", "00:00:07,000")
    for span, row in ((MentionSpan(*mention_row), mention_row), (QuoteSpan(*quote_row), quote_row),
                      (CueSpan(*cue_row), cue_row)):
        assert dataclasses.astuple(span) == row
    assert QuoteSpan(*quote_row).speaker_name == "Peter Neumann" and CueSpan(*cue_row).begins == "00:00:04,200"
    assert QuoteSpan(*quote_row).cue_span == (6, 23) and QuoteSpan(0, 5).cue_span is None


def test_spans_are_values() -> None:
    assert QuoteSpan(0, 5, "A") == QuoteSpan(0, 5, "A") != QuoteSpan(0, 5, "B")
    assert len({CueSpan(0, 1, 1, "a", "b"), CueSpan(0, 1, 1, "a", "b")}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        MentionSpan(0, 1, "e").start = 2  # type: ignore[misc]


def test_ranges_are_joined_in_order_without_empty_ones() -> None:
    from provcat.site.spans import joined

    assert joined([(5, 9), (0, 3), (3, 4), (8, 12), (7, 7), (20, 15)]) == [(0, 4), (5, 12)]
    assert joined([]) == []
