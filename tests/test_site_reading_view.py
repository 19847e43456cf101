"""The reading view: a transcript turn's label and a caption file's numbers and timing lines are
the source's apparatus; the page hides them (each speaker once, each cue's time once) and keeps
every character for the source view."""

from __future__ import annotations

import pytest
from html_fragments import document_text, parse, tags

from provcat.site.highlight import highlight
from provcat.site.reading_view import between_cues, source_only, time_anchor, turn_label
from provcat.site.spans import CueSpan, QuoteSpan

ENTITIES = "/catalogue/entities"
GAGGLE = "  \nMS. DUFRESNE-KERROW:  All right.  Good afternoon, all.\n  \nMR. BRANNOCK:  Sure.\n"
HEARING = "<p><strong>Mr. KERROW</strong>: The committee was told.</p>\n"
SRT = ("1\n00:00:01,000 --> 00:00:04,200\nPETER NEUMANN: They came to Syria for a cause\n\n"
       "2\n00:00:04,200 --> 00:00:07,000\nand found a gang instead.\n\n"
       "3\n00:01:07,500 --> 00:01:09,000\nINTERVIEWER: Did they say so?\n")


def turn(text: str, label: str, words: str, speaker: str = "") -> QuoteSpan:
    label_start = text.index(label)
    start = text.index(words, label_start)
    return QuoteSpan(start, start + len(words), speaker or label, "turn", "rule:turn-label", 0.95, 1,
                     cue=label, cue_start=label_start, cue_end=label_start + len(label))


def cues_of(text: str) -> list[CueSpan]:
    captions = ["PETER NEUMANN: They came to Syria for a cause", "and found a gang instead.",
                "INTERVIEWER: Did they say so?"]
    times = [("00:00:01,000", "00:00:04,200"), ("00:00:04,200", "00:00:07,000"), ("00:01:07,500", "00:01:09,000")]
    return [CueSpan(text.index(c), text.index(c) + len(c), i, *t)
            for i, (c, t) in enumerate(zip(captions, times, strict=True), 1)]


@pytest.mark.parametrize(("text", "label", "words", "hidden"), [
    (GAGGLE, "MS. DUFRESNE-KERROW", "All right.", "MS. DUFRESNE-KERROW:  "),
    (GAGGLE, "MR. BRANNOCK", "Sure.", "MR. BRANNOCK:  "),
    (HEARING, "Mr. KERROW", "The committee", "<p><strong>Mr. KERROW</strong>: "),
])
def test_a_turns_label_as_written_is_its_line_up_to_the_first_words(text: str, label: str, words: str,
                                                                    hidden: str) -> None:
    found = turn_label(text, turn(text, label, words))
    assert found is not None and text[found[0]:found[1]] == hidden


def test_a_label_is_not_hidden_when_words_come_before_it_or_between_it_and_the_turn() -> None:
    text = "Then MS. DUFRESNE-KERROW: said hello.\n"
    assert turn_label(text, turn(text, "MS. DUFRESNE-KERROW", "said hello.")) is None
    text = "MS. DUFRESNE-KERROW said: hello.\n"
    assert turn_label(text, turn(text, "MS. DUFRESNE-KERROW", "hello.")) is None
    assert turn_label(GAGGLE, QuoteSpan(5, 9, "x", "direct", cue="x", cue_start=0, cue_end=1)) is None
    assert turn_label(GAGGLE, QuoteSpan(5, 9, "x", "turn")) is None  # no label recorded


def test_between_cues_keeps_one_line_break_and_hides_numbers_and_timings() -> None:
    cues = cues_of(SRT)
    shown = "".join(SRT[a:b] for a, b in _complement(between_cues(len(SRT), SRT, cues), len(SRT)))
    assert shown == ("PETER NEUMANN: They came to Syria for a cause\nand found a gang instead.\n"
                     "INTERVIEWER: Did they say so?")
    assert between_cues(len(SRT), SRT, []) == []


def _complement(ranges: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    out, at = [], 0
    for a, b in ranges:
        out.append((at, a))
        at = b
    out.append((at, length))
    return [(a, b) for a, b in out if a < b]


@pytest.mark.parametrize(("begins", "anchor"), [
    ("00:00:01,000", "t=00:00:01"), ("01:23.456", "t=00:01:23"), ("1:02:03.5", "t=01:02:03"),
    ("00:00:59", "t=00:00:59"), ("junk", None), ("00:61:00,000", None), ("", None)])
def test_a_cues_time_anchor_is_its_whole_second(begins: str, anchor: str | None) -> None:
    assert time_anchor(begins) == anchor


def test_the_reading_view_of_a_caption_file_shows_each_time_once_as_an_anchor_and_each_speaker_once() -> None:
    quotes = [turn(SRT, "PETER NEUMANN", "They came", "Peter Neumann"),
              turn(SRT, "INTERVIEWER", "Did they say so?", "Interviewer")]
    quotes = [QuoteSpan(q.start, SRT.index("instead.") + 8 if i == 0 else q.end, q.speaker, q.kind, q.method,
                        q.confidence, i + 1, cue=q.cue, cue_start=q.cue_start, cue_end=q.cue_end)
              for i, q in enumerate(quotes)]
    cues = cues_of(SRT)
    hidden = source_only(SRT, quotes, cues)
    html = str(highlight(SRT, [], quotes, ENTITIES, cues, hidden=hidden))
    parse(html)
    assert document_text(html) == SRT  # every character kept for the source view
    anchors = [a for a in tags(html, "a") if "provcat-cue" in (a.get("class") or "")]
    assert [(a["id"], a["href"]) for a in anchors] == [
        ("t=00:00:01", "#t=00:00:01"), ("t=00:00:04", "#t=00:00:04"), ("t=00:01:07", "#t=00:01:07")]
    # what the reading view shows: no label as written, no cue number, no timing line
    visible = _visible(html)
    assert "PETER NEUMANN:" not in visible and "-->" not in visible and "\n2\n" not in visible
    assert "They came to Syria for a cause\nand found a gang instead." in visible
    # a cue's time is never inside a hidden stretch, even where the hidden label starts with the cue
    assert html.index('id="t=00:00:01"') < html.index('<span class="provcat-source-only">PETER NEUMANN')


def _visible(html: str) -> str:
    """The text the reading view shows: without the hidden stretches and the links the page adds."""
    import re

    return document_text(re.sub(r'<span class="provcat-source-only">.*?</span>', "", html, flags=re.S))


def test_two_cues_in_one_second_share_the_first_ones_anchor() -> None:
    text = "a\nb\n"
    cues = [CueSpan(0, 1, 1, "00:00:01,000", "00:00:01,400"), CueSpan(2, 3, 2, "00:00:01,500", "00:00:02,000")]
    links = tags(str(highlight(text, [], [], ENTITIES, cues)), "a")
    assert [a.get("id") for a in links] == ["t=00:00:01", None]


def test_the_tags_of_a_text_saved_as_html_are_source_only_when_there_are_several() -> None:
    text = '<p><strong>Mr. ARDMORE</strong>: Yes.</p>\n<p class="x">No <em>sir</em>.</p>\n'
    shown = "".join(text[a:b] for a, b in _complement(source_only(text, [], []), len(text)))
    assert shown == "Mr. ARDMORE: Yes.\nNo sir.\n"
    assert source_only("a <b>bold</b> claim", [], []) == []  # two tags: words about markup, not markup
    assert source_only("x < y and y > z; <3 <notatag> </>", [], []) == []


def test_a_front_matter_block_is_source_only() -> None:
    text = "---\ntitle: The ferry\ndate: 2024-05-01\n---\nThe ferry runs again.\n"
    assert source_only(text, [], []) == [(0, text.index("The ferry runs"))]
    assert source_only("---\nnot: [valid\n---\nText.\n", [], []) == []  # not YAML: not front matter
