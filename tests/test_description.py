"""What a document says about itself: front matter, a heading or a headline, or a devised title."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provcat import description
from provcat.description import describe, devised_title, front_matter, title_from_text


def spans(text: str, facts: list[description.Fact]) -> dict[str, str]:
    return {f.field: text[f.start:f.end] for f in facts if f.start is not None}


def test_front_matter_gives_title_date_and_source_with_their_places() -> None:
    text = ('---\ndate: \'2022-05-20\'\nsource_url: https://example.org/briefing\n'
            'title: "Press gaggle aboard the\\\n  \\ ferry\\_service"\ntags: briefings\n---\n\nQ Thank you.\n')
    facts, end = front_matter(text)
    # YAML's \_ is a no-break space: a title has plain spaces
    assert {f.field: f.value for f in facts} == {"title": "Press gaggle aboard the ferry service",
                                                 "date": "2022-05-20", "source_url": "https://example.org/briefing"}
    assert spans(text, facts)["date"] == "'2022-05-20'" and spans(text, facts)["title"].startswith('"Press gaggle')
    assert {f.source for f in facts} == {"front matter"} and text[end:].startswith("\nQ Thank you")
    assert [f.method for f in facts if f.field == "date"] == ["rule:front-matter:date"]


@pytest.mark.parametrize("text", [
    "---\n- a\n- list\n---\nText.",  # not a mapping
    "---\ntitle: [unclosed\n---\nText.",  # not YAML
    "---\na: &x 1\nb: *x\n---\nText.",  # an alias: refused as in curated files
    "---\ntitle: x\nno end of the block\n",
    "Text first\n---\ntitle: x\n---\n",
])
def test_what_is_not_front_matter_gives_nothing(text: str) -> None:
    assert front_matter(text) == ([], 0)


def test_front_matter_keeps_only_web_addresses_and_plain_values() -> None:
    facts, _ = front_matter("---\nurl: javascript:alert(1)\nlink: https://example.org/a\ntitle: {a: 1}\n"
                            "author: [Ann Lee, Bo Chan]\ndate: 2024-05-01\n---\n")
    assert {f.field: f.value for f in facts} == {"source_url": "https://example.org/a", "author": "Ann Lee; Bo Chan",
                                                 "date": "2024-05-01"}


@pytest.mark.parametrize(("text", "title", "source"), [
    ("Ferry service to resume\n\nThe harbour master said so.", "Ferry service to resume", "first line"),
    ("Kerrow’s reply to the strike only proved the dockers’ point\nAnalysis by\nA. Writer\n",
     "Kerrow’s reply to the strike only proved the dockers’ point", "first line"),
    ("\n\n# Transcript of an interview with a ferry captain\n\n## Details\n",
     "Transcript of an interview with a ferry captain", "heading"),
    ("## **Harbour news** ##\ntext", "Harbour news", "heading"),
])
def test_a_heading_or_a_headline_is_the_title(text: str, title: str, source: str) -> None:
    fact = title_from_text(text)
    assert fact is not None and (fact.value, fact.source) == (title, source)
    assert title in text[fact.start:fact.end] or fact.source == "heading"


@pytest.mark.parametrize("text", [
    "ARDMORE, KERROW\nFlood water reached the library.",  # a dateline
    "The ferry will run again, officials said.\n\nMore text.",  # a sentence
    "hi everyone I'm the producer\n\nof the show",  # captions in lower case
    "00:00.040 - 00:04.320:  Hello, this is the news from the harbour\n",  # a timed line
    "19:04\nWelcome to tonight's session\n",  # a time alone first
    "MS. SMITH: Good morning to everyone aboard\n",  # a speaker's label
    "**Ann Lee:** Where shall we start today\n",
    "1\n00:00:02,500 --> 00:00:06,000\nthis is where the bread is baked\n",  # a subtitle file
    "The ferry will run again on the\nnorthern route from Monday\n",  # a sentence wrapped onto two lines
    "<!DOCTYPE html>\n<html>",
    "",
])
def test_what_is_not_a_headline(text: str) -> None:
    assert title_from_text(text) is None


@pytest.mark.parametrize(("text", "kind", "title"), [
    ("ARDMORE, KERROW\nFlood water reached the ground floor of the old harbour library on Sunday night",
     "article", "[Article: “Flood water reached the ground floor of the old harbour…”]"),
    ("1\n00:00:02,500 --> 00:00:06,000\nthis is where the bread is baked\n", "transcript",
     "[Transcript: “this is where the bread is baked”]"),
    ("00:00.040 - 00:04.320:  Hello, this is the news.\n00:04.320 - 00:07.910:  More.", "transcript",
     "[Transcript: “Hello, this is the news. More.”]"),
    ("**Ann Lee:** Where <b>shall</b> we start", "transcript", "[Transcript: “Ann Lee: Where shall we start”]"),
    ("19:04\n\n19:12\n", "transcript", "[Transcript without text]"),
])
def test_a_devised_title_is_bracketed_and_quotes_the_opening_words(text: str, kind: str, title: str) -> None:
    fact = devised_title(text, kind)
    assert (fact.value, fact.source, fact.start, fact.end) == (title, "devised", None, None)


def test_describe_always_gives_one_title() -> None:
    front = "---\ndate: 2024-05-01\n---\nFerry service to resume\n\nText."
    assert [(f.field, f.source) for f in describe(front, "article")] == [("date", "front matter"),
                                                                         ("title", "first line")]
    assert [f.source for f in describe("---\ndate: 2024-05-01\n---\nthe ferry runs\n", "article")
            if f.field == "title"] == ["devised"]
    devised = describe("---\ndate: 2024-05-01\n---\nthe ferry runs\n", "article")[-1]
    assert devised.value == "[Article: “the ferry runs”]"


def test_a_long_line_is_cut_to_a_title() -> None:
    fact = title_from_text("# " + "Harbour " * 100 + "\n")
    assert fact is not None and len(fact.value) == description.MAX_TITLE_CHARACTERS and fact.value.endswith("…")


@pytest.mark.parametrize("text", ["---\n" + "a: b\n" * 200_000, "x" * 2_000_000, "\n" * 2_000_000, "1\n" * 500_000,
                                  "Ferry\n\n" + "word " * 400_000])
def test_only_the_head_of_a_text_is_read(text: str) -> None:
    """The description of a text is that of its first HEAD_CHARACTERS: the cost does not grow with it."""
    assert describe(text, "article") == describe(text[:description.HEAD_CHARACTERS], "article")


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_offsets_always_name_the_words_read(text: str) -> None:
    for fact in describe(text, "article"):
        assert fact.value and (fact.start is None) == (fact.end is None)
        if fact.start is not None:
            assert 0 <= fact.start <= fact.end <= len(text)
            assert fact.end > fact.start
