"""Speakers and their colours: who each quote belongs to, one colour each, in order of their first
quote."""

from __future__ import annotations

from provcat.site.spans import QuoteSpan
from provcat.site.speakers import (
    SPEAKER_COLOURS,
    UNATTRIBUTED,
    UNATTRIBUTED_COLOUR,
    colours_by_key,
    speaker_display_name,
    speaker_key,
    speakers_of,
)


def test_speakers_in_order_of_first_quote_each_with_its_colour() -> None:
    quotes = [QuoteSpan(50, 60, "Jane Doe"), QuoteSpan(0, 10, "John Roe"), QuoteSpan(20, 30, "jane doe"),
              QuoteSpan(70, 80, None), QuoteSpan(90, 95, "  ")]
    speakers = speakers_of(quotes)
    assert [(s.name, s.colour, s.quotes) for s in speakers] == [
        ("John Roe", SPEAKER_COLOURS[0], 1), ("jane doe", SPEAKER_COLOURS[1], 2),
        ("unattributed", UNATTRIBUTED_COLOUR, 2)]


def test_a_resolved_speaker_is_one_speaker_whatever_the_label() -> None:
    quotes = [QuoteSpan(0, 5, "Peter Neumann", speaker_entity_id="pn", speaker_name="Peter Neumann"),
              QuoteSpan(10, 15, "The director", speaker_entity_id="pn", speaker_name="Peter Neumann"),
              QuoteSpan(20, 25, "The director")]
    speakers = speakers_of(quotes)
    assert [(s.name, s.entity_id, s.quotes) for s in speakers] == [("Peter Neumann", "pn", 2),
                                                                    ("The director", None, 1)]
    assert speakers[0].colour != speakers[1].colour


def test_colours_do_not_repeat_when_there_are_many_speakers() -> None:
    n = len(SPEAKER_COLOURS)
    speakers = speakers_of([QuoteSpan(i, i + 1, f"speaker {i}") for i in range(n + 2)])
    colours = [s.colour for s in speakers]
    assert colours[:n] == list(SPEAKER_COLOURS) and len(set(colours)) == n + 2  # they used to cycle


def test_a_quote_belongs_to_its_entity_else_its_label_in_any_case_else_nobody() -> None:
    assert speaker_key(QuoteSpan(0, 1, "Jane", speaker_entity_id="jd")) == "entity:jd"
    assert speaker_key(QuoteSpan(0, 1, " JANE doe ")) == speaker_key(QuoteSpan(0, 1, "jane doe"))
    assert speaker_key(QuoteSpan(0, 1, "  ")) == speaker_key(QuoteSpan(0, 1)) == UNATTRIBUTED
    resolved = QuoteSpan(0, 1, "The director", speaker_entity_id="pn", speaker_name="Peter Neumann")
    assert speaker_display_name(resolved) == "Peter Neumann"
    assert speaker_display_name(QuoteSpan(0, 1, None, speaker_entity_id="pn")) == "pn"
    assert colours_by_key(speakers_of([resolved])) == {"entity:pn": SPEAKER_COLOURS[0]}


def test_any_number_of_speakers_get_colours_of_their_own_and_a_number() -> None:
    from provcat.site.speakers import speaker_colour

    colours = [speaker_colour(i) for i in range(60)]
    assert len(set(colours)) == 60  # the palette of eight no longer repeats after eight speakers
    assert colours[:8] == list(SPEAKER_COLOURS)

    def luminance(colour: str) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert min((luminance(c) + 0.05) / 0.05 for c in colours) > 7  # black text on each: WCAG AAA


def test_each_speaker_has_a_number_as_well_as_a_colour() -> None:
    quotes = [QuoteSpan(i * 10, i * 10 + 5, f"Speaker {i}") for i in range(12)] + [QuoteSpan(200, 205, None)]
    found = speakers_of(quotes)
    assert [s.number for s in found] == [*range(1, 13), None]
    assert len({s.colour for s in found[:12]}) == 12
