"""The reading view of a document (pure): which stretches of the stored text are the source's own
apparatus rather than what was said, so that the page can show a transcript as it reads — each
turn's speaker once, each cue's time once — with the source as archived one click away.

- a transcript turn's label as written ("MS. DUFRESNE-KERROW:  ", "<strong>Mr. ARDMORE</strong>: "): the
  page shows the speaker's name once, at the start of the turn;
- in a caption file (SubRip, WebVTT), everything outside the cues' own text — the header, cue
  numbers, timing lines, settings and blank lines — but one line break between two cues: the page
  shows each cue's time once, in the margin, as an anchor (``#t=00:01:23``);
- the HTML tags of a text saved with them, and a YAML front matter block (its title, date and
  source are the page's header).

The stretches are only hidden: the HTML keeps every character of the text, and the source view
shows it all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..description import front_matter
from .spans import CueSpan, QuoteSpan, joined

#: Markup a label may be wrapped in on its line ("<strong>", "**").
_MARKUP = re.compile(r"<[^>\n]{0,40}>|\*\*|__")
#: The most characters between a turn's label and the first words of the turn.
LABEL_GAP = 40
_TIME = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[,.]\d+)?$")


def turn_label(text: str, quote: QuoteSpan) -> tuple[int, int] | None:
    """The stretch of a transcript turn's label as written, from the start of its line to the turn's
    first words; None when the turn has no label on its own line just before it."""
    if quote.kind != "turn" or quote.cue_start is None or quote.cue_end is None:
        return None
    label_start, label_end, start = quote.cue_start, quote.cue_end, quote.start
    if not 0 <= label_start < label_end <= start <= len(text) or start - label_end > LABEL_GAP:
        return None
    line = text.rfind("\n", 0, label_start) + 1
    before, after = text[line:label_start], text[label_end:start]
    if "\n" in after or any(c.isalnum() for part in (before, after) for c in _MARKUP.sub("", part)):
        return None
    return line, start


def between_cues(length: int, text: str, cues: Sequence[CueSpan]) -> list[tuple[int, int]]:
    """The stretches of a caption file outside its cues' text, less one line break between two cues."""
    spans = sorted((max(0, c.start), min(length, c.end)) for c in cues if 0 <= c.start < c.end <= length)
    if not spans:
        return []
    hidden: list[tuple[int, int]] = []
    if spans[0][0] > 0:
        hidden.append((0, spans[0][0]))
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if start > end:
            kept = end + 1 if text[end] == "\n" else end
            if start > kept:
                hidden.append((kept, start))
    if spans[-1][1] < length:
        hidden.append((spans[-1][1], length))
    return hidden


#: HTML tags of text kept as written (a transcript saved from a web page): the common ones of prose.
_HTML_TAG = re.compile(
    r"</?(?:p|br|strong|b|em|i|u|span|div|a|h[1-6]|ul|ol|li|blockquote|q|cite|small|sup|sub|font|center|hr|"
    r"table|thead|tbody|tr|td|th|section|article|header|footer|main|figure|figcaption|time|abbr|mark)"
    r"(?:\s[^<>\n]{0,300})?/?>", re.IGNORECASE)
#: A text is read as marked up when it has at least this many such tags.
MIN_TAGS = 3


def markup(text: str) -> list[tuple[int, int]]:
    """The HTML tags of a text written with them (at least :data:`MIN_TAGS`): the reading view shows
    the words, the source view the tags."""
    tags = [(m.start(), m.end()) for m in _HTML_TAG.finditer(text)]
    return tags if len(tags) >= MIN_TAGS else []


def front_matter_block(text: str) -> list[tuple[int, int]]:
    """A YAML front matter block at the start of the text (its facts are the page's header)."""
    facts, end = front_matter(text)
    return [(0, end)] if facts and end > 0 else []


def source_only(text: str, quotes: Sequence[QuoteSpan], cues: Sequence[CueSpan]) -> list[tuple[int, int]]:
    """Every stretch the reading view hides, in order, disjoint."""
    found = [span for q in quotes if (span := turn_label(text, q)) is not None]
    found += between_cues(len(text), text, cues)
    found += markup(text) + front_matter_block(text)
    return joined(found)


def time_anchor(begins: str) -> str | None:
    """The anchor of a cue's start time, ``t=HH:MM:SS`` (whole seconds); None for a time that does
    not read as one."""
    found = _TIME.match(begins.strip())
    if found is None:
        return None
    hours, minutes, seconds = int(found.group(1) or 0), int(found.group(2)), int(found.group(3))
    if minutes > 59 or seconds > 59:
        return None
    return f"t={hours:02d}:{minutes:02d}:{seconds:02d}"
