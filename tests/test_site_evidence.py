"""The evidence panel of an assertion: the words in context with the quote and its cue marked, the
speaker as attributed and as resolved, the method in words, the confidence, the build, the curator
and a permalink — everything escaped, and bounded whatever the length of the quote."""

from __future__ import annotations

import re

from html_fragments import inner_text, parse, tags
from hypothesis import given
from hypothesis import strategies as st

from provcat.site import evidence
from provcat.site.spans import MentionSpan, QuoteSpan

BUILD = evidence.Build(3, "2026-12-01T13:21:08.2+00:00", "0.1.0", "0.1.0+abc", "en_core_web_sm", "3.8.0")
MADE = evidence.Made(BUILD, "/c/builds/3", "Ann Archivist", "documents/d1.yml")
LINKS = evidence.Links("/c/-/methods", "/c/-/evidence/quote/7", "#q-7", "/c/entities/pn")
TEXT = 'Before it all. "We came for a cause," he said, and left. After that nothing.'


def _quote(**kw: object) -> QuoteSpan:
    start = TEXT.index("We came")
    end = TEXT.index(',"')
    cue_start = TEXT.index("he said")
    values: dict[str, object] = dict(speaker="he", kind="direct", method="rule:quote-cue+pronoun", confidence=0.65,
                                     id=7, speaker_entity_id="pn", speaker_name="Peter Neumann",
                                     text=TEXT[start:end], cue="he said", cue_start=cue_start,
                                     cue_end=cue_start + len("he said"))
    values.update(kw)
    return QuoteSpan(start, end, **values)  # type: ignore[arg-type]


def _marked(html: str, css: str) -> list[str]:
    """The text inside each <mark class=css> (such marks never nest in themselves)."""
    return [inner_text(m.group(1)) for m in re.finditer(rf'<mark class="{css}">(.*?)</mark>', html)]


def test_the_panel_marks_the_quote_and_its_cue_and_says_who_how_and_what_made_it() -> None:
    quote = _quote()
    html = str(evidence.quote_panel(quote, TEXT, quote.cue, quote.cue_span, MADE, LINKS))
    assert _marked(html, "provcat-evidence-quote") == ["We came for a cause"]
    assert _marked(html, "provcat-evidence-cue") == ["he said"]
    text = inner_text(html)
    assert "Peter Neumann — attributed in the text as “he said”: the speaker resolved from a pronoun" in text
    assert "“he said”" in text and "quoted word for word" in text
    assert "rule:quote-cue+pronoun" in text and "pronoun" in text and "nearest earlier person" in text
    assert "0.65" in text and "not a probability" in text
    assert "build 3 of 2026-12-01 13:21 UTC: provcat 0.1.0, extractor 0.1.0+abc, model en_core_web_sm 3.8.0" in text
    hrefs = [a["href"] for a in tags(html, "a")]
    assert "/c/entities/pn" in hrefs and "/c/builds/3" in hrefs and "/c/-/evidence/quote/7" in hrefs
    assert "/c/-/methods#method-rule-quote-cue" in hrefs and "/c/-/methods#step-pronoun" in hrefs
    assert "/c/-/methods#confidence" in hrefs and "#q-7" in hrefs


def test_a_curated_quote_names_the_curator_and_the_sidecar() -> None:
    quote = _quote(method="curated", confidence=1.0, speaker="the director")
    text = inner_text(str(evidence.quote_panel(quote, TEXT, quote.cue, quote.cue_span, MADE, LINKS)))
    assert "a person (the collection's curator: Ann Archivist), in the sidecar file documents/d1.yml" in text
    assert "applied by build 3 of" in text
    assert "Peter Neumann — attributed in the text as “the director”" in text


def test_an_unrecorded_build_and_an_unknown_method_are_said_plainly() -> None:
    quote = _quote(method="rule:from-the-future", speaker=None, speaker_name=None, speaker_entity_id=None,
                   cue=None, cue_start=None, cue_end=None)
    made = evidence.Made(None, None, None, "documents/d1.yml")
    html = str(evidence.quote_panel(quote, TEXT, None, None, made, evidence.Links("/m", "/p", "#q-7")))
    text = inner_text(html)
    assert "No speaker: the source could not be found, and none is guessed." in text
    assert "none: no attributing words" in text
    assert "not described in this version of provcat" in text
    assert "Made byan earlier build; this catalogue does not record which" in text
    assert _marked(html, "provcat-evidence-cue") == []


def test_everything_from_the_catalogue_is_escaped() -> None:
    evil = '<script>alert(1)</script>"'
    text = f"{evil} said {evil} and {evil}"
    quote = QuoteSpan(len(evil) + 6, len(evil) * 2 + 6, evil, evil, evil, None, 1, evil, evil, evil, evil, 0, 3)
    made = evidence.Made(evidence.Build(1, evil, evil, evil, evil, evil), evil, evil, evil)
    html = str(evidence.quote_panel(quote, text, evil, (0, 3), made, evidence.Links(evil, evil, evil, evil)))
    assert "<script>" not in html
    parse(html)  # well formed
    mention = MentionSpan(0, 3, evil, evil, evil, evil, 0.5, 2, evil)
    html = str(evidence.mention_panel(mention, evil, text, made, evidence.Links(evil, evil, evil, evil)))
    assert "<script>" not in html
    parse(html)


def test_a_long_quote_is_shown_by_its_beginning_and_end() -> None:
    words = "word " * 20_000
    text = "Intro. " + words + "the end. Then more text follows here."
    quote = QuoteSpan(7, 7 + len(words) + 7, "SPEAKER", "turn", "rule:turn-label", 0.95, 1, cue="SPEAKER",
                      cue_start=0, cue_end=5)
    html = str(evidence.quote_panel(quote, text, quote.cue, quote.cue_span, MADE, LINKS))
    context = inner_text(str(evidence.context_html(text, quote.start, quote.end, quote.cue_span)))
    assert len(context) < 800 and "…" in context and context.startswith("Intro.") and "the end." in context
    assert len(html) < 5_000


@given(st.text(max_size=300), st.integers(-20, 320), st.integers(-20, 320), st.integers(-20, 320),
       st.integers(-20, 320))
def test_ranges_are_ordered_disjoint_inside_the_text_and_bounded(text: str, a: int, b: int, c: int, d: int) -> None:
    start, end = sorted((max(0, min(a, len(text))), max(0, min(b, len(text)))))
    cue = tuple(sorted((max(0, min(c, len(text))), max(0, min(d, len(text))))))
    ranges = evidence.shown_ranges(len(text), start, end, cue)  # type: ignore[arg-type]
    assert all(0 <= x < y <= len(text) for x, y in ranges)
    assert all(y1 < x2 for (_, y1), (x2, _) in zip(ranges, ranges[1:], strict=False))
    shown = sum(y - x for x, y in ranges)
    assert shown <= evidence.BEFORE + evidence.HEAD + evidence.TAIL + evidence.AFTER + 2 * evidence.AROUND_CUE + (
        cue[1] - cue[0])
    html = str(evidence.context_html(text, start, end, cue))  # type: ignore[arg-type]
    parse(html)
    if start < end:
        assert text[start:min(end, start + evidence.HEAD)] in inner_text(html)


def test_a_mention_panel_names_the_entity_its_form_and_method() -> None:
    text = "Yesterday the KRB reported it."
    mention = MentionSpan(14, 17, "krb", "Kerrow Radio Broadcasting", "organization",
                          "model:en_core_web_sm+name-shape", 0.75, 9, "KRB")
    links = evidence.Links("/c/-/methods", "/c/-/evidence/mention/9", "/c/documents/d1", "/c/entities/krb")
    html = str(evidence.mention_panel(mention, "KRB", text, MADE, links))
    assert _marked(html, "provcat-evidence-mention") == ["KRB"]
    found = inner_text(html)
    assert "Kerrow Radio Broadcasting (organization) — written “KRB” in the text" in found
    assert "(the pipeline en_core_web_sm)" in found and "brand" in found and "0.75" in found
    assert "characters 14 to 17" in found


def test_the_context_starts_and_ends_between_words() -> None:
    before = "Several words of ordinary prose come before the quotation here, and more words. " * 3
    text = before + '"We came," he said. ' + "And the text goes on for a good while after it, word after word. " * 3
    start = text.index("We came")
    context = inner_text(str(evidence.context_html(text, start, start + len("We came,"))))
    first, last = context.split()[1], context.split()[-2]  # after the leading "…", before the trailing one
    assert context.startswith("… ") and context.endswith(" …")
    assert first in before.split() and last in text.split()
