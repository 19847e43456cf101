"""Evidence (pure): what one assertion rests on, as a panel of the document page and as the
assertion's own page — the words in context with the assertion and its cue (the attributing
words) marked, the speaker as attributed and as resolved, the method in words (from the glossary,
:mod:`provcat.methods`), what its confidence means, the build and the extractor and model
versions that made it, the curator for a curated assertion, and a permalink. Every value from
the catalogue is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from ..methods import explain
from .formatting import confidence_text
from .spans import MentionSpan, QuoteSpan, joined

#: Characters shown around an assertion: before it, at its start, at its end, after it, and on
#: either side of its cue. A long quote (a transcript turn) is shown by its beginning and its end.
BEFORE, HEAD, TAIL, AFTER, AROUND_CUE = 80, 240, 80, 80, 40
GAP = " … "

KIND_WORDS = {
    "direct": "quoted word for word",
    "indirect": "reported speech",
    "turn": "a transcript turn",
}


@dataclass(frozen=True, slots=True)
class Build:
    """A build of the catalogue, as the ``builds`` table records it."""

    id: int
    started_at: str
    software_version: str
    extractor_version: str
    model: str | None
    model_version: str | None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Build:
        """From ``id, started_at, software_version, extractor_version, model, model_version``."""
        build_id, started_at, software, extractor, model, model_version = tuple(row)[:6]
        return cls(int(build_id), str(started_at), str(software), str(extractor), model, model_version)

    @property
    def when(self) -> str:
        """The start of the build, to the minute, in UTC."""
        return self.started_at[:16].replace("T", " ") + " UTC"


@dataclass(frozen=True, slots=True)
class Made:
    """What made a document's assertions: the build that extracted them (None when the catalogue
    does not record it), the curator of the collection and the document's sidecar file."""

    build: Build | None
    build_url: str | None
    curator: str | None
    sidecar: str


@dataclass(frozen=True, slots=True)
class Links:
    """Where an assertion's panel links to."""

    methods_url: str  # the glossary page
    permalink: str  # the assertion's own page
    in_place: str  # the assertion in its document's text
    speaker_url: str | None = None  # the resolved speaker's (or the mentioned entity's) page


#: How far a stretch's edge may move to fall between words.
WORD_REACH = 20


def _between_words(text: str, at: int, forward: bool, keep: tuple[int, int]) -> int:
    """``at`` moved to the nearest space within :data:`WORD_REACH` characters away from the
    assertion (never into ``keep``, the assertion and its cue), so the context is not cut mid-word."""
    if at <= 0 or at >= len(text) or text[at - 1].isspace() or text[at].isspace():
        return at
    if forward:
        found = text.find(" ", at, min(len(text), at + WORD_REACH))
        return found if found != -1 and not keep[0] < found < keep[1] else at
    found = text.rfind(" ", max(0, at - WORD_REACH), at)
    return found + 1 if found != -1 and not keep[0] < found + 1 < keep[1] else at


def shown_ranges(length: int, start: int, end: int, cue: tuple[int, int] | None = None,
                 text: str | None = None) -> list[tuple[int, int]]:
    """The stretches of a text of ``length`` characters shown around ``text[start:end]`` (and its
    cue), in order and disjoint: a bounded number of characters, whatever the lengths. Given the
    ``text``, the outer edges fall between words when a space is near."""
    wanted = [(start - BEFORE, min(end, start + HEAD)), (max(start, end - TAIL), end + AFTER)]
    if cue is not None and cue[0] < cue[1]:
        wanted.append((cue[0] - AROUND_CUE, cue[1] + AROUND_CUE))
    clipped = [(max(0, a), min(length, b)) for a, b in wanted]
    if text is not None:
        keep = (min(start, cue[0]) if cue else start, max(end, cue[1]) if cue else end)
        clipped = [(_between_words(text, a, False, keep) if a < keep[0] else a,
                    _between_words(text, b, True, keep) if b > keep[1] else b) for a, b in clipped]
    return joined(clipped)


def context_html(text: str, start: int, end: int, cue: tuple[int, int] | None = None,
                 what: str = "quote") -> Markup:
    """``text[start:end]`` in its context, marked (``<mark class="provcat-evidence-<what>">``), its
    cue marked apart (``provcat-evidence-cue``); stretches left out are shown as "…"."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    cue_span = None if cue is None else (max(0, min(cue[0], len(text))), max(0, min(cue[1], len(text))))
    ranges = shown_ranges(len(text), start, end, cue_span, text)
    marks = [(start, end, f'<mark class="provcat-evidence-{escape(what)}">')]
    if cue_span and cue_span[0] < cue_span[1]:
        marks.append((cue_span[0], cue_span[1], '<mark class="provcat-evidence-cue">'))
    out: list[str] = []
    if ranges and ranges[0][0] > 0:
        out.append(GAP.lstrip())
    for n, (a, b) in enumerate(ranges):
        if n:
            out.append(GAP)
        cuts = sorted({a, b} | {p for s, e, _ in marks for p in (s, e) if a < p < b})
        for x, y in zip(cuts, cuts[1:], strict=False):
            piece = escape(text[x:y])
            for s, e, tag in marks:
                if s <= x and y <= e:
                    piece = Markup(f"{tag}{piece}</mark>")
            out.append(str(piece))
    if ranges and ranges[-1][1] < len(text):
        out.append(GAP.rstrip())
    return Markup(f'<span class="provcat-evidence-context">{"".join(out)}</span>')


def method_html(method: str | None, methods_url: str) -> Markup:
    """The method as recorded, each part linked to its entry in the glossary, and its sentence."""
    explained = explain(method)
    parts = [explained.base] + list(explained.steps) if explained.base else []
    links = " + ".join(f'<a href="{escape(methods_url)}#{escape(p.anchor)}">{escape(p.label)}</a>' for p in parts)
    named = f"<code>{escape(method or 'unknown')}</code>"
    return Markup(f'{named}{" — " + links if links else ""}. {escape(explained.sentence)}')


#: What a confidence value is, in a panel (the glossary says it in full: CONFIDENCE_MEANING).
CONFIDENCE_SHORT = "the value this method gives: it ranks methods by how often they were right in testing; " \
                   "it is not a probability"


def confidence_html(confidence: float | None, methods_url: str) -> Markup:
    return Markup(f'<strong>{escape(confidence_text(confidence))}</strong> — {escape(CONFIDENCE_SHORT)} '
                  f'(<a href="{escape(methods_url)}#confidence">what confidence means</a>)')


def made_html(made: Made, method: str | None) -> Markup:
    """Who or what made the assertion: the curator for a curated one; always the build, with the
    software, extractor and model versions it ran."""
    build = made.build
    if build is None:
        by_build = "an earlier build; this catalogue does not record which"
    else:
        number = f"build {build.id}"
        if made.build_url:
            number = f'<a href="{escape(made.build_url)}">{number}</a>'
        model = f", model {escape(build.model)} {escape(build.model_version or '')}".rstrip() if build.model else ""
        by_build = (f"{number} of {escape(build.when)}: provcat {escape(build.software_version)}, "
                    f"extractor {escape(build.extractor_version)}{model}")
    if method == "curated":
        curator = f" (the collection's curator: {escape(made.curator)})" if made.curator else ""
        return Markup(f"a person{curator}, in the sidecar file <code>{escape(made.sidecar)}</code> of the metadata "
                      f"folder; applied by {by_build}")
    return Markup(by_build)


def _row(label: str, value: Markup | str, css: str) -> str:
    return f'<dt>{escape(label)}</dt><dd class="provcat-evidence-{css}">{escape(value)}</dd>'


#: The steps of a method that resolved the speaker from the words of the cue.
RESOLVING_STEPS = ("+pronoun", "+description")


def _links_row(links: Links, in_place: str) -> str:
    return _row("Link", Markup(f'<a class="provcat-permalink" href="{escape(links.permalink)}">permalink</a> · '
                               f'<a href="{escape(links.in_place)}">{escape(in_place)}</a>'), "links")


def speaker_html(quote: QuoteSpan, speaker_url: str | None) -> Markup:
    """The speaker as resolved (linked to their entity) and as the text attributes them: by a label
    other than their name, or by a pronoun or a description in the cue, resolved (and how)."""
    label = (quote.speaker or "").strip()
    name = (quote.speaker_name or "").strip()
    if not label and not name:
        return Markup("No speaker: the source could not be found, and none is guessed.")
    shown = name or label
    named = f'<a href="{escape(speaker_url)}">{escape(shown)}</a>' if speaker_url else f"{escape(shown)}"
    resolving = [s for s in explain(quote.method).steps if s.name in RESOLVING_STEPS]
    if resolving and quote.cue:
        return Markup(f"{named} — attributed in the text as “{escape(quote.cue)}”: {escape(resolving[0].label)}")
    if name and label and label.casefold() != name.casefold():
        return Markup(f"{named} — attributed in the text as “{escape(label)}”")
    return Markup(named)


def cue_html(quote: QuoteSpan, cue: str | None) -> Markup:
    if cue:
        return Markup(f"“{escape(cue)}” (marked in the context above)")
    return Markup("none: no attributing words")


def quote_panel(quote: QuoteSpan, text: str, cue: str | None, cue_span: tuple[int, int] | None, made: Made,
                links: Links) -> Markup:
    """The evidence of one quote: its words in context, speaker, cue, kind, method, confidence,
    what made it and its permalink."""
    rows = [
        _row("Speaker", speaker_html(quote, links.speaker_url), "speaker"),
        _row("Cue", cue_html(quote, cue), "cue-words"),
        _row("Kind", KIND_WORDS.get(quote.kind, quote.kind), "kind"),
        _row("Method", method_html(quote.method, links.methods_url), "method"),
        _row("Confidence", confidence_html(quote.confidence, links.methods_url), "confidence"),
        _row("Made by", made_html(made, quote.method), "made"),
        _row("Offsets", f"characters {quote.start:,} to {quote.end:,} of the text", "offsets"),
        _links_row(links, "the quote in the text"),
    ]
    context = context_html(text, quote.start, quote.end, cue_span)
    return Markup(f'<div class="provcat-evidence-panel"><p>{context}</p>'
                  f'<dl class="provcat-evidence-facts">{"".join(rows)}</dl></div>')


def mention_panel(mention: MentionSpan, surface: str, text: str, made: Made, links: Links) -> Markup:
    """The evidence of one entity mention: the words in context, the entity, method, confidence,
    what made it and its permalink."""
    entity = mention.name or mention.entity_id
    named = f'<a href="{escape(links.speaker_url)}">{escape(entity)}</a>' if links.speaker_url else escape(entity)
    kind = f" ({escape(mention.entity_type)})" if mention.entity_type else ""
    rows = [
        _row("Entity", Markup(f"{named}{kind} — written “{escape(surface)}” in the text"), "entity"),
        _row("Method", method_html(mention.method, links.methods_url), "method"),
        _row("Confidence", confidence_html(mention.confidence, links.methods_url), "confidence"),
        _row("Made by", made_html(made, mention.method), "made"),
        _row("Offsets", f"characters {mention.start:,} to {mention.end:,} of the text", "offsets"),
        _links_row(links, "the document"),
    ]
    return Markup(f'<div class="provcat-evidence-panel"><p>'
                  f'{context_html(text, mention.start, mention.end, what="mention")}</p>'
                  f'<dl class="provcat-evidence-facts">{"".join(rows)}</dl></div>')
