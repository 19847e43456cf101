"""A document's row page: what it shows beside the highlighted text (the template variables): the
state of the archived file and of the copy stored in the catalogue, the header facts, the speaker
legend and the list of quotes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from ..methods import explain
from . import document_files, integrity_pages
from .document_reading import document_reading, kept_html
from .evidence import Links, Made, quote_panel
from .formatting import confidence_text, excerpt
from .highlight import evidence_anchor, quote_anchor
from .spans import QuoteSpan
from .speakers import Speaker, colours_by_key, speaker_display_name, speaker_key, speakers_of
from .urls import entity_url, evidence_url, methods_url

#: Characters of a quote shown in a document's list of quotes.
QUOTE_LIST_CHARACTERS = 90


@dataclass(frozen=True)
class QuoteEntry:
    """One line of a document's list of quotes, linking to the quote's place in the text."""

    id: int | None
    anchor: str | None
    speaker: str
    label: str | None
    speaker_url: str | None
    colour: str
    kind: str
    method: str
    confidence: str
    excerpt: str
    evidence: Markup = Markup("")  # the panel of its evidence (:mod:`provcat.site.evidence`)
    evidence_anchor: str | None = None


@dataclass(frozen=True)
class SpeakerEntry:
    """One line of a document's speaker legend."""

    name: str
    url: str | None
    colour: str
    quotes: int
    number: int | None = None


@dataclass(frozen=True)
class EvidenceContext:
    """What the evidence panels of a document's quotes need besides each quote."""

    text: str
    made: Made
    methods_url: str
    permalink: Callable[[int], str]  # a quote id -> its evidence page


def quote_entries(quotes: Sequence[QuoteSpan], speakers: Sequence[Speaker],
                  speaker_link: Callable[[str], str]) -> list[QuoteEntry]:
    colours = colours_by_key(speakers)
    return [QuoteEntry(q.id, quote_anchor(q.id), speaker_display_name(q), q.speaker,
                       speaker_link(q.speaker_entity_id) if q.speaker_entity_id else None,
                       colours[speaker_key(q)], q.kind, q.method, confidence_text(q.confidence),
                       excerpt(q.text or "", QUOTE_LIST_CHARACTERS), evidence_anchor=evidence_anchor(q.id))
            for q in quotes]


def with_evidence(entries: Sequence[QuoteEntry], quotes: Sequence[QuoteSpan],
                  evidence: EvidenceContext) -> list[QuoteEntry]:
    """The entries (made by :func:`quote_entries` from ``quotes``) with each quote's evidence panel;
    made once with the list's HTML, not at each request."""
    found = []
    for entry, q in zip(entries, quotes, strict=True):
        if q.id is not None:
            links = Links(evidence.methods_url, evidence.permalink(q.id), f"#{quote_anchor(q.id)}", entry.speaker_url)
            entry = replace(entry, evidence=quote_panel(q, evidence.text, q.cue, q.cue_span, evidence.made, links))
        found.append(entry)
    return found


def quote_list(entries: Sequence[QuoteEntry]) -> Markup:
    """The items of a document's list of quotes: each quote's beginning (a link to its place in the
    text), its speaker (a link to the speaker's entity), kind, method and confidence, and its
    evidence panel, opened and closed by keyboard, pointer or touch (``<details>``)."""
    items = []
    for number, q in enumerate(entries, 1):
        words = f'<span class="provcat-quote-excerpt">{escape(q.excerpt)}</span>'
        if q.anchor:
            words = f'<a class="provcat-goto" href="#{escape(q.anchor)}">{words}</a>'
        if q.speaker_url:
            speaker = f'<a class="provcat-quote-speaker" href="{escape(q.speaker_url)}">{escape(q.speaker)}</a>'
        else:
            speaker = f'<span class="provcat-quote-speaker">{escape(q.speaker)}</span>'
        label = ""
        if q.label and q.label != q.speaker:
            label = f' <span class="provcat-muted">as “{escape(q.label)}”</span>'
        panel = ""
        if q.evidence and q.evidence_anchor:
            panel = (f'\n<details class="provcat-evidence" id="{escape(q.evidence_anchor)}"><summary>Evidence'
                     f'<span class="provcat-visually-hidden"> of quote {number}</span></summary>\n'
                     f'{q.evidence}</details>')
        items.append(f'<li class="provcat-quote-entry" style="border-left-color: {escape(q.colour)}">\n'
                     f'{words}\n{speaker}{label}\n<span class="provcat-muted">· {escape(q.kind)} · {escape(q.method)}'
                     f' · confidence {escape(q.confidence)}</span>{panel}\n</li>')
    return Markup("\n".join(items))


def speaker_entries(speakers: Sequence[Speaker], speaker_link: Callable[[str], str]) -> list[SpeakerEntry]:
    return [SpeakerEntry(s.name, speaker_link(s.entity_id) if s.entity_id else None, s.colour, s.quotes, s.number)
            for s in speakers]


@dataclass(frozen=True)
class DocumentLinks:
    """The document's own files, and what a citation of it gives."""

    download_url: str
    record_url: str
    file_name: str
    site_title: str | None
    accessed: str  # today, UTC, as a citation gives it


def document_links(datasette: Any, database: str, document_id: str, header: dict[str, Any]) -> DocumentLinks:
    site_title = datasette.metadata("title")
    return DocumentLinks(document_files.download_url(datasette, database, document_id),
                         document_files.record_url(datasette, database, document_id),
                         document_files.file_name(str(header.get("path") or "")),
                         str(site_title) if site_title else None, datetime.now(UTC).date().isoformat())


@dataclass(frozen=True)
class Curation:
    """What the curator has said of the document, and where to say more."""

    sidecar: str  # the file to write, in the metadata folder
    path: str  # the document's path, as the sidecar names it
    rejections: list[tuple[str, str, int]]  # kind, value, assertions removed
    curated_title: bool


def curation_of(document_id: str, header: dict[str, Any], rejections: list[tuple[str, str, int]]) -> Curation:
    return Curation(f"documents/{document_id}.yml", str(header.get("path") or ""), rejections,
                    header.get("title_source") == "curated")


def document_views(path: str, searched: str | None, view: str | None) -> dict[str, Any]:
    """Which view of the text the page shows (``?view=source``: the source as archived; otherwise
    the reading view), and the links to each, keeping a search's words."""
    words = {"q": searched} if searched else {}
    return {"provcat_view": "source" if view == "source" else "reading",
            "provcat_view_urls": {"reading": f"{path}?{urlencode(words)}#text" if words else f"{path}#text",
                                  "source": f"{path}?{urlencode({**words, 'view': 'source'})}#text"}}


async def document_page_vars(datasette: Any, database: str, document_id: str) -> dict[str, Any]:
    reading = await document_reading(datasette, database, document_id)
    if reading is None:
        return {}
    fixity = integrity_pages.fixity_view(datasette, database, reading.fixity) if reading.fixity else \
        await integrity_pages.document_fixity(datasette, database, document_id)
    found: dict[str, Any] = {"provcat_fixity": fixity}
    if reading.integrity is not None:
        found["provcat_integrity"] = reading.integrity
    speakers = speakers_of(reading.quotes)

    def link(entity_id: str) -> str:
        return entity_url(datasette, database, entity_id)

    made = Made(reading.build, str(datasette.urls.row(database, "builds", str(reading.build.id)))
                if reading.build else None, reading.curator, f"documents/{document_id}.yml")
    evidence = EvidenceContext(reading.text, made, methods_url(datasette, database),
                               lambda quote_id: evidence_url(datasette, database, "quote", quote_id))
    quotes = quote_entries(reading.quotes, speakers, link)
    if reading.header:
        found["provcat_files"] = document_links(datasette, database, document_id, reading.header)
        found["provcat_curation"] = curation_of(document_id, reading.header, reading.rejections)
    type_method = explain(reading.header.get("type_method") if reading.header else None)
    found.update(provcat_methods_url=evidence.methods_url,
                 provcat_type_method={"anchor": type_method.base.anchor if type_method.base else "methods",
                                      "sentence": type_method.sentence})
    found.update(provcat_has_source_view=bool(reading.hidden))
    found.update(provcat_document=reading.header, provcat_speakers=speaker_entries(speakers, link),
                 provcat_quotes=quotes, provcat_cues=len(reading.cues),
                 provcat_quote_list=kept_html(datasette, database, document_id, "quotes", lambda _: quote_list(
                     with_evidence(quotes, reading.quotes, evidence))))
    return found
