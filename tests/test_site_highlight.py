"""Highlighting: a document's text escaped, its quotes marked in their speakers' colours with an
anchor each, its mentions linked, its cues marked; well nested whatever the spans."""

from __future__ import annotations

import re

import pytest
from html_fragments import document_text, inner_text, parse, tags
from markupsafe import Markup

from provcat.site.highlight import highlight, quote_title
from provcat.site.spans import CueSpan, MentionSpan, QuoteSpan
from provcat.site.speakers import SPEAKER_COLOURS

ENTITIES = "/catalogue/entities"


def mention(text: str, surface: str, entity_id: str = "e", **kw: object) -> MentionSpan:
    start = text.index(surface)
    return MentionSpan(start, start + len(surface), entity_id, **kw)  # type: ignore[arg-type]


def quote(text: str, words: str, **kw: object) -> QuoteSpan:
    start = text.index(words)
    return QuoteSpan(start, start + len(words), **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# highlight
# ---------------------------------------------------------------------------------------------

def test_text_without_spans_is_escaped_and_kept_whole() -> None:
    text = "a < b & c > d \"quoted\" 'single'\nsecond line"
    html = highlight(text, [], [], ENTITIES)
    assert isinstance(html, Markup)
    assert inner_text(html) == text
    assert "<b" not in html.replace("<div", "")


def test_mention_links_to_the_entity_row_page() -> None:
    text = "Peter Neumann spoke."
    html = highlight(text, [mention(text, "Peter Neumann", "peter-neumann", name="Peter Neumann",
                                    entity_type="person", method="authority", confidence=0.9)], [], ENTITIES)
    (link,) = tags(html, "a")
    assert link["href"] == "/catalogue/entities/peter-neumann"
    assert link["title"] == "Peter Neumann (person) · method: authority · confidence: 0.90"
    assert re.search(r"<a [^>]*>Peter Neumann</a> spoke\.", html)


def test_entity_id_is_tilde_encoded_in_the_link() -> None:
    text = "at King's"
    html = highlight(text, [mention(text, "King's", "kings/college x")], [], ENTITIES)
    (link,) = tags(html, "a")
    assert link["href"] == "/catalogue/entities/kings~2Fcollege+x"


def test_quote_is_marked_with_speaker_method_and_confidence() -> None:
    text = 'She said "we will stay" and left.'
    html = highlight(text, [], [quote(text, '"we will stay"', speaker="Jane Doe", kind="direct",
                                      method="said-cue", confidence=0.8)], ENTITIES)
    (mark,) = tags(html, "mark")
    assert mark["title"] == "direct quote · speaker: Jane Doe · method: said-cue · confidence: 0.80"
    assert "provcat-quote-direct" in (mark["class"] or "")
    assert inner_text(html) == text


def test_anonymous_quote_says_unattributed() -> None:
    text = "it was said that all is well"
    html = highlight(text, [], [quote(text, "all is well", method="m", confidence=0.2)], ENTITIES)
    (mark,) = tags(html, "mark")
    assert "speaker: unattributed" in (mark["title"] or "")


def test_mention_inside_quote_nests() -> None:
    text = 'He said "Syria is far" today.'
    html = highlight(text, [mention(text, "Syria", "syria")], [quote(text, '"Syria is far"')], ENTITIES)
    assert re.search(r'<mark [^>]*>&#34;<a [^>]*>Syria</a> is far&#34;</mark>', html)
    assert inner_text(html) == text


def test_spans_at_the_edges_of_the_text() -> None:
    text = "Neumann met ICSR"
    html = highlight(text, [mention(text, "Neumann"), mention(text, "ICSR")], [quote(text, text)], ENTITIES)
    expected = r"<div [^>]*><mark [^>]*><a [^>]*>Neumann</a> met <a [^>]*>ICSR</a></mark></div>"
    assert re.fullmatch(expected, html)


def test_crossing_quotes_stay_well_nested() -> None:
    text = "one two three four"
    html = highlight(text, [], [quote(text, "one two three"), quote(text, "two three four")], ENTITIES)
    parse(html)  # raises when a tag closes out of order
    assert inner_text(html) == text
    assert len(tags(html, "mark")) >= 2


def test_overlapping_mentions_never_nest_links() -> None:
    text = "King's College London"
    html = highlight(text, [mention(text, "King's College", "kc"), mention(text, "College London", "cl"),
                            mention(text, "London", "london")], [], ENTITIES)
    structure = parse(html)
    assert structure.max_links_open == 1
    assert inner_text(html) == text
    hrefs = [a["href"] for a in tags(html, "a")]
    assert hrefs[0] == "/catalogue/entities/kc"
    assert "/catalogue/entities/cl" in hrefs


def test_crossing_quote_and_mention() -> None:
    text = "alpha beta gamma delta"
    html = highlight(text, [mention(text, "beta gamma")], [quote(text, "gamma delta")], ENTITIES)
    assert parse(html).max_links_open == 1
    assert inner_text(html) == text


def test_identical_spans() -> None:
    text = "same same"
    html = highlight(text, [mention(text, "same"), mention(text, "same")],
                     [quote(text, "same"), quote(text, "same")], ENTITIES)
    assert inner_text(html) == text
    assert parse(html).max_links_open == 1


@pytest.mark.parametrize(("start", "end"), [(-5, 3), (3, 999), (5, 5), (7, 2), (100, 200)])
def test_spans_outside_the_text_are_clipped_or_dropped(start: int, end: int) -> None:
    text = "short text"
    html = highlight(text, [MentionSpan(start, end, "e")], [QuoteSpan(start, end)], ENTITIES)
    assert inner_text(html) == text


def test_empty_text() -> None:
    assert inner_text(highlight("", [MentionSpan(0, 3, "e")], [], ENTITIES)) == ""


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a>'


def test_document_markup_is_shown_as_text() -> None:
    img = "<img src=x onerror=alert(2)>"
    html = highlight(HOSTILE, [mention(HOSTILE, "alert(1)")], [quote(HOSTILE, img)], ENTITIES)
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert inner_text(html) == HOSTILE
    assert [tag for tag, _ in parse(html).tags] == ["div", "a", "mark"]


def test_attributes_are_escaped() -> None:
    text = "x"
    evil = '"><script>alert(1)</script>'
    html = highlight(text, [MentionSpan(0, 1, evil, name=evil, entity_type=evil, method=evil)],
                     [QuoteSpan(0, 1, speaker=evil, kind=evil, method=evil)], ENTITIES)
    assert "<script" not in html
    structure = parse(html)
    assert [tag for tag, _ in structure.tags] == ["div", "mark", "a"]
    (mark,) = tags(html, "mark")
    assert evil in (mark["title"] or "")
    assert "provcat-quote-direct" in (mark["class"] or "")  # an unknown kind is drawn as direct


def test_unicode_offsets_are_characters_not_bytes() -> None:
    text = "\u201cLeft\u201d said Jos\u00e9 \U0001f600 in Syria"
    html = highlight(text, [mention(text, "Syria")], [quote(text, "\u201cLeft\u201d")], ENTITIES)
    assert re.search(r"<a [^>]*>Syria</a>", html)
    assert re.search(r"<mark [^>]*>\u201cLeft\u201d</mark>", html)


def test_many_spans_stay_fast() -> None:
    text = "word " * 20000
    mentions = [MentionSpan(i * 5, i * 5 + 4, f"e{i % 50}") for i in range(0, 20000, 2)]
    quotes = [QuoteSpan(i * 5, i * 5 + 50) for i in range(0, 20000, 20)]
    html = highlight(text, mentions, quotes, ENTITIES)
    assert html.count("<a ") == 10000


# ---------------------------------------------------------------------------------------------
# Speakers' colours
# ---------------------------------------------------------------------------------------------

def test_quotes_are_drawn_in_their_speakers_colour() -> None:
    text = "A said x. B said y. A said z."
    quotes = [quote(text, "x", speaker="A"), quote(text, "y", speaker="B"), quote(text, "z", speaker="A")]
    html = highlight(text, [], quotes, ENTITIES)
    backgrounds = [re.match(r"background:(#[0-9a-f]{6})", m["style"] or "")[1]  # type: ignore[index]
                   for m in tags(html, "mark")]
    first, second = SPEAKER_COLOURS[:2]
    assert backgrounds == [first, second, first]
    assert [m["data-speaker"] for m in tags(html, "mark")] == ["A", "B", "A"]


def test_quote_title_names_the_label_and_the_canonical_speaker() -> None:
    q = QuoteSpan(0, 1, "The director", "indirect", "rule:x", 0.5, speaker_entity_id="pn", speaker_name="Peter Neumann")
    assert quote_title(q) == ("indirect quote · speaker: The director (Peter Neumann) · method: rule:x"
                              " · confidence: 0.50")
    same = QuoteSpan(0, 1, "peter neumann", speaker_name="Peter Neumann")
    assert "speaker: peter neumann ·" in quote_title(same)
# ---------------------------------------------------------------------------------------------
# Anchors and cues
# ---------------------------------------------------------------------------------------------


def test_each_quote_has_its_anchor_once_even_when_cut_in_pieces() -> None:
    text = "one two three four five"
    quotes = [quote(text, "one two three", id=1), quote(text, "two three four five", id=2)]
    html = highlight(text, [], quotes, ENTITIES)
    marks = tags(html, "mark")
    assert len(marks) > 2  # crossing quotes: the second is closed and reopened
    assert [m.get("id") for m in marks if m.get("id")] == ["q-1", "q-2"]
    assert sum(1 for m in marks if "data-speaker" in m) == 2
    assert all("provcat-quote-continued" in (m["class"] or "") for m in marks if not m.get("id"))
    assert document_text(html) == text
    links = tags(html, "a")
    assert [a["href"] for a in links] == ["#evidence-q-1", "#evidence-q-2"]  # one evidence link a quote


def test_a_quote_without_an_id_has_no_anchor() -> None:
    text = "said x"
    (mark,) = tags(highlight(text, [], [quote(text, "x")], ENTITIES), "mark")
    assert "id" not in mark


def test_kinds_are_drawn_differently() -> None:
    text = "a b c"
    quotes = [quote(text, "a", kind="direct"), quote(text, "b", kind="indirect"), quote(text, "c", kind="turn")]
    styles = [m["style"] or "" for m in tags(highlight(text, [], quotes, ENTITIES), "mark")]
    assert "solid" in styles[0] and "dashed" in styles[1] and "display:block" in styles[2]


def test_cue_timings_are_empty_markers_at_each_cue() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nHello there\n\n2\n00:00:02,000 --> 00:00:03,500\nGeneral Kenobi\n"
    cues = [CueSpan(text.index("Hello"), text.index("Hello") + 11, 1, "00:00:01,000", "00:00:02,000"),
            CueSpan(text.index("General"), text.index("General") + 14, 2, "00:00:02,000", "00:00:03,500")]
    html = highlight(text, [mention(text, "Kenobi")], [quote(text, "Hello there", kind="turn")], ENTITIES, cues)
    markers = [a for a in tags(html, "a") if a.get("class") == "provcat-cue"]
    assert [m["data-begins"] for m in markers] == ["00:00:01,000", "00:00:02,000"]
    assert markers[1]["title"] == "cue 2: 00:00:02,000 → 00:00:03,500"
    assert document_text(html) == text  # the markers add only their time, in the margin
    assert re.search(r'<mark [^>]*><a class="provcat-cue" id="t=00:00:01" href="#t=00:00:01"[^>]*>00:00:01</a>'
                     r'Hello there</mark>', html)


def test_cues_outside_the_text_are_dropped_and_attributes_escaped() -> None:
    evil = '"><script>alert(1)</script>'
    cues = [CueSpan(0, 1, 1, evil, evil), CueSpan(99, 100, 2, "x", "y")]
    html = highlight("ab", [], [], ENTITIES, cues)
    assert "<script" not in html
    (marker,) = tags(html, "a")
    assert marker["data-begins"] == evil and "id" not in marker  # a time that is not one has no anchor


# ---------------------------------------------------------------------------------------------
# a search's matches
# ---------------------------------------------------------------------------------------------


def hit(text: str, words: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(words, start + 1)
    return start, start + len(words)


def test_matches_are_numbered_in_the_order_of_the_text_with_steps_to_the_next() -> None:
    text = "The port opens. The port closes. The port waits."
    html = highlight(text, [], [], ENTITIES, hits=[hit(text, "port", 3), hit(text, "port"), hit(text, "port", 2)])
    marks = tags(html, "mark")
    assert [m["id"] for m in marks] == ["hit-1", "hit-2", "hit-3"]
    steps = [(a["href"], a["rel"]) for a in tags(html, "a")]
    assert steps == [("#hit-3", "prev"), ("#hit-2", "next"), ("#hit-1", "prev"), ("#hit-3", "next"),
                     ("#hit-2", "prev"), ("#hit-1", "next")]
    assert "match 2 of 3" in html
    without_steps = re.sub(r'<span class="provcat-hit-steps">.*?next</a></span>', "", str(html))
    assert inner_text(without_steps) == text


def test_a_match_inside_a_mention_splits_the_link_instead_of_nesting_links() -> None:
    text = "Peter Neumann spoke."
    html = highlight(text, [mention(text, "Peter Neumann", "peter-neumann")], [], ENTITIES,
                     hits=[hit(text, "Neumann")])
    assert parse(html).max_links_open == 1
    assert [a["href"] for a in tags(html, "a")][:2] == ["/catalogue/entities/peter-neumann"] * 2
    assert re.search(r'<mark class="provcat-hit" id="hit-1"><a [^>]*>Neumann</a><span class="provcat-hit-steps">',
                     html)


def test_a_match_inside_a_quote_keeps_the_quote_and_its_anchor() -> None:
    text = 'He said "the port opens today" and left.'
    html = highlight(text, [], [quote(text, "the port opens today", id=5, speaker="He")], ENTITIES,
                     hits=[hit(text, "port")])
    (quote_mark, hit_mark) = tags(html, "mark")
    assert quote_mark["id"] == "q-5" and hit_mark["id"] == "hit-1"
    assert re.search(r'<mark class="provcat-quote[^>]*><a class="provcat-evidence-link"[^>]*>1</a>'
                     r'the <mark class="provcat-hit" id="hit-1">port', html)


def test_a_match_across_a_quotes_edge_has_its_anchor_and_steps_once() -> None:
    text = "one two three four"
    html = highlight(text, [], [QuoteSpan(4, 13, "x", id=1)], ENTITIES, hits=[(0, 7)])
    parse(html)
    assert html.count('id="hit-1"') == 1 and html.count("provcat-hit-steps") == 1
    assert "provcat-hit-continued" in html


def test_matches_are_clipped_joined_and_escaped() -> None:
    text = "<b>bold</b> & more"
    html = highlight(text, [], [], ENTITIES, hits=[(0, 3), (2, 6), (-5, 1), (16, 99), (5, 5)])
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert [m["id"] for m in tags(html, "mark")] == ["hit-1", "hit-2"]  # (0, 6) joined, (16, 18) clipped


def test_each_quote_carries_its_speakers_number_on_its_first_piece_only() -> None:
    text = "Ann said: one two three. Bo said: four five."
    quotes = [QuoteSpan(10, 23, "Ann", id=1), QuoteSpan(34, 43, "Bo", id=2)]
    html = str(highlight(text, [MentionSpan(14, 17, "x", "X", "person")], quotes, "/catalogue/entities"))
    assert html.count('data-speaker-number="1"') == 1 and html.count('data-speaker-number="2"') == 1
    crossing = str(highlight(text, [], [QuoteSpan(10, 23, "Ann", id=1), QuoteSpan(15, 30, "Bo", id=2)],
                             "/catalogue/entities"))
    assert crossing.count('data-speaker-number="1"') == 1 and "provcat-quote-continued" in crossing  # cut, once
    unattributed = str(highlight(text, [], [QuoteSpan(0, 3, None, id=3)], "/catalogue/entities"))
    assert "data-speaker-number" not in unattributed
