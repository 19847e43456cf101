"""Highlighting (pure): a document's text as HTML, its quotes marked (``<mark>``, one colour per
speaker, an anchor ``#q-<quote id>`` on each, speaker, method and confidence on hover, and at its
start a link to its evidence panel showing the speaker's number), its entity
mentions linked to the entity's row page, for caption files an empty marker where each cue starts
(the page shows its timing in the margin) and, when the page was opened from a search, the words
the search matched (``<mark class="provcat-hit">``, anchors ``#hit-1``, ``#hit-2``, … each with links
to the previous and the next, shown when it is the page's target). Every character of the document
is HTML-escaped: a document may contain markup, it never runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from datasette.utils import tilde_encode
from markupsafe import Markup, escape

from .formatting import confidence_text
from .reading_view import time_anchor
from .spans import CueSpan, MentionSpan, QuoteSpan, joined
from .speakers import UNATTRIBUTED, colours_by_key, speaker_display_name, speaker_key, speakers_of

#: How a quote's kind shows, whatever its speaker's colour: underlined, dashed, or a block.
KIND_STYLES = {
    "direct": "border-bottom:2px solid #555",
    "indirect": "border-bottom:2px dashed #777",
    "turn": "display:block;border-left:4px solid #777;padding:0.1em 0.4em",
}
MENTION_STYLE = "font-weight:600"
HIT_CLASS = "provcat-hit"
TEXT_STYLE = "white-space:pre-wrap;max-width:48em;line-height:1.6;position:relative"


def quote_title(quote: QuoteSpan) -> str:
    speaker = (quote.speaker or "").strip() or UNATTRIBUTED
    if quote.speaker_name and quote.speaker_name.casefold() != speaker.casefold():
        speaker = f"{speaker} ({quote.speaker_name})"
    return (f"{quote.kind} quote · speaker: {speaker} · method: {quote.method or 'unknown'}"
            f" · confidence: {confidence_text(quote.confidence)}")


def mention_title(mention: MentionSpan) -> str:
    what = mention.name or mention.entity_id
    if mention.entity_type:
        what = f"{what} ({mention.entity_type})"
    return f"{what} · method: {mention.method or 'unknown'} · confidence: {confidence_text(mention.confidence)}"


def quote_anchor(quote_id: int | None) -> str | None:
    """The id of a quote's element in its document page (``q-<id>``), the target of ``#q-<id>``."""
    return None if quote_id is None else f"q-{quote_id}"


def evidence_anchor(quote_id: int | None) -> str | None:
    """The id of a quote's evidence panel in its document page (``evidence-q-<id>``)."""
    return None if quote_id is None else f"evidence-q-{quote_id}"


def evidence_link(quote: QuoteSpan, number: int | None) -> str:
    """The link at the start of a quote to its evidence panel, showing the speaker's number in the
    legend (a mark that is not a colour, and a place a keyboard or a finger can reach)."""
    anchor = evidence_anchor(quote.id)
    if anchor is None:
        return ""
    who = f"speaker {number}, {speaker_display_name(quote)}" if number is not None else UNATTRIBUTED
    return (f'<a class="provcat-evidence-link" href="#{escape(anchor)}" '
            f'aria-label="{escape(f"Evidence of this quote ({who})")}">{number if number is not None else "?"}</a>')


def hit_anchor(number: int) -> str:
    """The id of a search's n-th match (from 1) in the document page, the target of ``#hit-<n>``."""
    return f"hit-{number}"


@dataclass(frozen=True, slots=True)
class _Element:
    """One span laid over the text, with the tags (already-escaped HTML) that open it (the first
    time, and again after another span forced it closed) and close it."""

    start: int
    end: int
    order: int  # position in the input: keeps the layout stable and deterministic
    is_quote: bool
    opening: str
    closing: str
    reopening: str
    is_hit: bool = False
    first_closing: str = ""  # how its first piece closes, when that differs from ``closing``
    is_hidden: bool = False  # a stretch only the source view shows (:mod:`provcat.site.reading_view`)

    @property
    def rank(self) -> tuple[int, int, int]:
        """Outer spans first: earlier start, then longer, then input order."""
        return (self.start, -self.end, self.order)


# The tags are built as strings with every value passed through ``escape`` (a page has hundreds of
# them, and ``Markup.format`` costs several times more); ``highlight`` wraps the result in Markup.

def _quote_tag(quote: QuoteSpan, colour: str, first: bool, number: int | None = None) -> str:
    kind = quote.kind if quote.kind in KIND_STYLES else "direct"
    style = escape(f"background:{colour};{KIND_STYLES[kind]}")
    extra = ""
    if first:
        anchor = quote_anchor(quote.id)
        if anchor:
            extra += f' id="{escape(anchor)}"'
        extra += f' data-speaker="{escape(speaker_display_name(quote))}"'
        if number is not None:  # the speaker's number in the legend: a mark that is not a colour
            extra += f' data-speaker-number="{number}"'
    continued = "" if first else " provcat-quote-continued"
    link = evidence_link(quote, number) if first else ""
    return (f'<mark class="provcat-quote provcat-quote-{escape(kind)}{continued}"{extra} style="{style}" '
            f'title="{escape(quote_title(quote))}">{link}')


def _quote_element(quote: QuoteSpan, order: int, start: int, end: int, colour: str,
                   number: int | None = None) -> _Element:
    return _Element(start, end, order, True, _quote_tag(quote, colour, True, number), "</mark>",
                    _quote_tag(quote, colour, False))


def _mention_element(mention: MentionSpan, order: int, start: int, end: int, entities_url: str) -> _Element:
    href = escape(f"{entities_url}/{tilde_encode(mention.entity_id)}")
    opening = (f'<a class="provcat-mention" style="{MENTION_STYLE}" href="{href}" '
               f'title="{escape(mention_title(mention))}">')
    return _Element(start, end, order, False, opening, "</a>", opening)


def hit_steps(number: int, total: int) -> str:
    """The links from a search's n-th match (of ``total``) to the one before and the one after it
    (from the last to the first and back), inside the match: the page shows them while the match
    is its target (``#hit-<n>``), so stepping from match to match needs no script."""
    previous, following = total if number == 1 else number - 1, 1 if number == total else number + 1
    return (f'<span class="provcat-hit-steps"><a href="#{hit_anchor(previous)}" rel="prev">previous</a> '
            f'<span class="provcat-hit-number">match {number} of {total}</span> '
            f'<a href="#{hit_anchor(following)}" rel="next">next</a></span>')


def _hit_element(number: int, total: int, order: int, start: int, end: int) -> _Element:
    opening = f'<mark class="{HIT_CLASS}" id="{hit_anchor(number)}">'
    return _Element(start, end, order, False, opening, "</mark>", f'<mark class="{HIT_CLASS} provcat-hit-continued">',
                    is_hit=True, first_closing=hit_steps(number, total) + "</mark>")


SOURCE_ONLY = '<span class="provcat-source-only">'


def _hidden_element(order: int, start: int, end: int) -> _Element:
    return _Element(start, end, order, False, SOURCE_ONLY, "</span>", SOURCE_ONLY, is_hidden=True)


def cue_label(cue: CueSpan, anchor: str | None = None) -> Markup:
    """The start of a cue: its time, shown in the margin, a link to itself (``#t=00:01:23``, the
    anchor of the first cue to start in that second); the full timing on hover."""
    begins = escape(cue.begins)
    shown = escape(anchor[2:]) if anchor else begins
    where = f' id="{escape(anchor)}" href="#{escape(anchor)}"' if anchor else ""
    return Markup(f'<a class="provcat-cue"{where} data-begins="{begins}" '
                  f'title="cue {escape(cue.index)}: {begins} → {escape(cue.ends)}">{shown}</a>')


def _clip(start: int, end: int, length: int) -> tuple[int, int]:
    return max(0, min(start, length)), max(0, min(end, length))


def _disjoint(hits: Sequence[tuple[int, int]], text_length: int) -> list[tuple[int, int]]:
    """Matches clipped to the text, in order, empty ones dropped and overlapping ones joined."""
    return joined(_clip(a, b, text_length) for a, b in hits)


def layout(text_length: int, mentions: Sequence[MentionSpan], quotes: Sequence[QuoteSpan],
           entities_url: str, hits: Sequence[tuple[int, int]] = (),
           hidden: Sequence[tuple[int, int]] = ()) -> list[_Element]:
    """The spans that can be drawn: clipped to the text, empty and reversed spans dropped."""
    speakers = speakers_of(quotes)
    colours = colours_by_key(speakers)
    numbers = {speaker.key: speaker.number for speaker in speakers}
    elements: list[_Element] = []
    for order, quote in enumerate(quotes):
        start, end = _clip(quote.start, quote.end, text_length)
        if start < end:
            key = speaker_key(quote)
            elements.append(_quote_element(quote, order, start, end, colours[key], numbers[key]))
    for order, mention in enumerate(mentions, start=len(quotes)):
        start, end = _clip(mention.start, mention.end, text_length)
        if start < end:
            elements.append(_mention_element(mention, order, start, end, entities_url))
    matches = _disjoint(hits, text_length)
    first = len(quotes) + len(mentions)
    for number, (start, end) in enumerate(matches, start=1):
        elements.append(_hit_element(number, len(matches), first + number, start, end))
    first += len(matches) + 1
    for n, (start, end) in enumerate(hidden):
        elements.append(_hidden_element(first + n, start, end))
    return elements


def _hidden_pieces(hidden: Sequence[tuple[int, int]], text_length: int, cuts: Iterable[int]) -> list[tuple[int, int]]:
    """The hidden stretches, disjoint, each cut where a cue starts inside it: a cue's time is written
    between two pieces, never inside one."""
    at = sorted(set(cuts))
    pieces: list[tuple[int, int]] = []
    for start, end in _disjoint(hidden, text_length):
        inside = [p for p in at if start < p < end]
        for a, b in zip([start, *inside], [*inside, end], strict=True):
            pieces.append((a, b))
    return pieces


def _points(text_length: int, cues: Sequence[CueSpan]) -> dict[int, list[Markup]]:
    points: dict[int, list[Markup]] = defaultdict(list)
    anchors: set[str] = set()
    for cue in sorted(cues, key=lambda c: (c.start, c.index)):
        if 0 <= cue.start < text_length:
            anchor = time_anchor(cue.begins)
            points[cue.start].append(cue_label(cue, anchor if anchor not in anchors else None))
            if anchor:
                anchors.add(anchor)
    return points


def _wanted(active: Iterable[_Element]) -> list[_Element]:
    """What should be open over a stretch of text: every quote (outer first), then a search's match
    (matches never overlap), then one mention inside them (links cannot nest, so overlapping
    mentions take turns; a match holds the links to the next match, so it is never inside a link)."""
    quotes = sorted((e for e in active if e.is_quote), key=lambda e: e.rank)
    hidden = [e for e in active if e.is_hidden]  # never overlap
    hits = sorted((e for e in active if e.is_hit), key=lambda e: e.rank)
    mentions = sorted((e for e in active if not e.is_quote and not e.is_hit and not e.is_hidden),
                      key=lambda e: e.rank)
    return quotes + hidden + hits + mentions[:1]


def _closing(element: _Element, closed: set[int]) -> str:
    """The tag that closes a piece of ``element``: its first piece may close differently."""
    if element.first_closing and element.order not in closed:
        closed.add(element.order)
        return element.first_closing
    return element.closing


def _common_prefix(a: list[_Element], b: list[_Element]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] is b[n]:
        n += 1
    return n


def highlight(text: str, mentions: Sequence[MentionSpan], quotes: Sequence[QuoteSpan],
              entities_url: str, cues: Sequence[CueSpan] = (), hits: Sequence[tuple[int, int]] = (),
              hidden: Sequence[tuple[int, int]] = ()) -> Markup:
    """The document text as escaped HTML with quotes marked and mentions linked.

    Spans may overlap or cross: the text is cut at every span boundary and the tags are closed and
    reopened as needed, so the HTML is always well nested; a quote's anchor id is on its first piece
    only. ``entities_url`` is the URL of the entities table; a mention links to
    ``<entities_url>/<tilde-encoded entity id>``. Each cue adds an empty marker where it starts.
    ``hits`` (``(start, end)`` pairs) are a search's matches: each is marked, numbered in the
    order of the text, with its links to the matches before and after it in its first piece.
    ``hidden`` stretches are wrapped in ``<span class="provcat-source-only">``: the reading view
    hides them, the source view shows them (:mod:`provcat.site.reading_view`).
    """
    points = _points(len(text), cues)
    elements = layout(len(text), mentions, quotes, entities_url, hits, _hidden_pieces(hidden, len(text), points))
    cuts = sorted({0, len(text)} | {e.start for e in elements} | {e.end for e in elements} | set(points))
    starting: dict[int, list[_Element]] = defaultdict(list)
    for element in elements:
        starting[element.start].append(element)
    active: dict[int, _Element] = {}
    opened: set[int] = set()
    closed: set[int] = set()
    out: list[str] = []
    stack: list[_Element] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = {k: e for k, e in active.items() if e.end > a}
        active.update((e.order, e) for e in starting[a])
        wanted = _wanted(active.values())
        keep = _common_prefix(stack, wanted)
        out.extend(_closing(e, closed) for e in reversed(stack[keep:]))
        marked = points.get(a, ())
        for element in wanted[keep:]:
            if element.is_hidden and marked:  # a cue's time is never inside what the reading view hides
                out.extend(marked)
                marked = ()
            out.append(element.reopening if element.order in opened else element.opening)
            opened.add(element.order)
        out.extend(marked)
        out.append(escape(text[a:b]))
        stack = wanted
    out.extend(_closing(e, closed) for e in reversed(stack))
    return Markup(f'<div class="provcat-text" style="{TEXT_STYLE}">{"".join(out)}</div>')
