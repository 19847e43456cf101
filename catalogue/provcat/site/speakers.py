"""Speakers and their colours (pure): who a quote belongs to, and one colour per speaker of a
document, the same in the legend, in the highlighted text and in the list of quotes."""

from __future__ import annotations

import colorsys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .spans import QuoteSpan

#: Background colours of quotes, one per speaker of a document: these first (chosen to be told
#: apart at a glance), then as many more as a document needs (:func:`speaker_colour`).
SPEAKER_COLOURS = ("#ffe97a", "#b8dbff", "#c3efb0", "#ffc7dd", "#d8c8ff", "#ffd0a1", "#a8ebe2", "#e6d3a3")
#: Hue step between generated colours: the golden angle, so that consecutive speakers are far
#: apart on the colour wheel and no two hues of a document coincide.
GOLDEN_ANGLE = 137.50776
#: Quotes whose source could not be named.
UNATTRIBUTED_COLOUR = "#e4e4e4"
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class Speaker:
    """A speaker of a document as the legend shows it: one colour for all of their quotes."""

    key: str
    name: str
    entity_id: str | None
    colour: str
    quotes: int
    number: int | None = None  # 1, 2, ...: a mark that is not a colour (None: unattributed)


def speaker_colour(index: int) -> str:
    """The colour of a document's ``index``-th speaker (0-based): the palette, then light colours of
    hues a golden angle apart, in three lightnesses in turn. Every one is a light background on
    which black text keeps a contrast above 7:1, and no two of a document's are the same."""
    if index < len(SPEAKER_COLOURS):
        return SPEAKER_COLOURS[index]
    n = index - len(SPEAKER_COLOURS)
    hue = (n * GOLDEN_ANGLE + 20) % 360
    lightness = (0.86, 0.78, 0.92)[n % 3]
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, 0.85)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def speaker_key(quote: QuoteSpan) -> str:
    """Who a quote belongs to: the resolved entity, else the label (any case), else nobody."""
    if quote.speaker_entity_id:
        return f"entity:{quote.speaker_entity_id}"
    label = (quote.speaker or "").strip()
    return f"label:{label.casefold()}" if label else UNATTRIBUTED


def speaker_display_name(quote: QuoteSpan) -> str:
    label = (quote.speaker or "").strip()
    return quote.speaker_name or label or quote.speaker_entity_id or UNATTRIBUTED


def speakers_of(quotes: Iterable[QuoteSpan]) -> list[Speaker]:
    """The speakers of a document in order of their first quote in the text, each with a colour of
    its own (:func:`speaker_colour`) and number; unattributed quotes share ``UNATTRIBUTED_COLOUR``,
    listed last."""
    first: dict[str, QuoteSpan] = {}
    counts: dict[str, int] = defaultdict(int)
    for quote in sorted(quotes, key=lambda q: (q.start, -q.end)):
        key = speaker_key(quote)
        first.setdefault(key, quote)
        counts[key] += 1
    named = [key for key in first if key != UNATTRIBUTED]
    speakers = [Speaker(key, speaker_display_name(first[key]), first[key].speaker_entity_id,
                        speaker_colour(i), counts[key], i + 1) for i, key in enumerate(named)]
    if UNATTRIBUTED in first:
        speakers.append(Speaker(UNATTRIBUTED, UNATTRIBUTED, None, UNATTRIBUTED_COLOUR, counts[UNATTRIBUTED], None))
    return speakers


def colours_by_key(speakers: Iterable[Speaker]) -> dict[str, str]:
    return {speaker.key: speaker.colour for speaker in speakers}
