"""Caption-like text (one case, no punctuation, hard-wrapped): measured, recased, and its names found."""

from __future__ import annotations

import pytest

from provcat.extract import captions, pipeline
from provcat.extract.pipeline import Job
from provcat.models import Authority

NAMES = """okay so welcome back everyone today i'm sitting down with dr okonkwo adeyemi who runs a small
bakery in lagos and before that he worked in oslo for ten years so tell us how did
you start baking well my grandmother taught me when i was a kid and then i moved to
norway and worked nights at a bakery there"""

PLAIN = """okay so welcome back everyone today we are going to talk about bread and how you can bake
a really good loaf at home you need flour water salt and a little yeast and then you
just mix it all together and let it rest for a few hours before you shape it and put
it in a hot oven for about forty minutes until the crust is nice and brown"""

CASED = """Dr. Okonkwo Adeyemi runs a small bakery in Lagos. Before that, he worked in Oslo for ten
years, he said on Tuesday. "My grandmother taught me when I was a kid," he told the Harbour Times."""

WRAPPED = """so last week our team went to visit the old mill and we met
the guide maria
tolliver who showed us around and then we drove back to
portugal the next day with the whole group and it was great fun"""


def extract(text: str, kind: str = "transcript", authorities: tuple[Authority, ...] = ()):
    return next(pipeline.extract_all([Job(text, kind)], authorities))


def test_one_case_stretches_are_found_and_cased_text_is_not():
    assert captions.caption_stretches(NAMES) == [(0, len(NAMES), "lower")]
    assert captions.caption_stretches(NAMES.upper()) == [(0, len(NAMES), "upper")]
    assert captions.caption_stretches(CASED) == []
    assert captions.caption_stretches("too short to tell") == []
    # a cased heading and a lower-case body: only the body
    heading = "Interview With The Baker\n\n"
    assert captions.caption_stretches(heading + NAMES) == [(len(heading), len(heading) + len(NAMES), "lower")]


def test_the_recased_copy_changes_only_case():
    recaser = captions.Recaser(pipeline.load_nlp())
    for text in (NAMES, NAMES.upper(), WRAPPED):
        copy, _ = recaser.copy(text, pipeline.chunks(text))
        assert copy is not None and len(copy) == len(text)
        assert all(a.lower() == b.lower() or (a, b) == (" ", "\n") for a, b in zip(copy, text, strict=True))
    copy, _ = recaser.copy(NAMES, pipeline.chunks(NAMES))
    assert "I'm sitting" in copy and "Dr Okonkwo Adeyemi" in copy and "in Lagos" in copy and "Norway" in copy
    assert "bakery" in copy and "grandmother" in copy  # common words stay as they are
    assert recaser.copy(CASED, pipeline.chunks(CASED)) == (None, [])


def test_known_forms_keep_their_own_casing():
    record = Authority(id="ana", name="Ana McDonald", type="person")
    recaser = captions.Recaser(pipeline.load_nlp(), [record])
    text = PLAIN.replace("talk about bread", "talk with ana mcdonald about bread")
    copy, _ = recaser.copy(text, pipeline.chunks(text))
    assert "Ana McDonald" in copy and "New" not in copy


@pytest.mark.parametrize("kind", ["transcript", "article"])
def test_names_in_lower_case_captions_are_found_with_their_offsets(kind):
    found = {(m.surface, m.name, m.type) for m in extract(NAMES, kind).mentions}
    assert {("okonkwo adeyemi", "Okonkwo Adeyemi", "person"), ("lagos", "Lagos", "place"),
            ("oslo", "Oslo", "place"), ("norway", "Norway", "place")} <= found
    for m in extract(NAMES, kind).mentions:
        assert NAMES[m.start:m.end] == m.surface
        assert m.method == f"model:{pipeline.MODEL}+recased" and m.confidence == captions.RECASED_CONFIDENCE
        assert m.confidence < 0.75


def test_names_in_capitals_are_found_with_the_documents_surfaces():
    text = NAMES.upper()
    mentions = extract(text).mentions
    assert {("OKONKWO ADEYEMI", "Okonkwo Adeyemi"), ("LAGOS", "Lagos")} <= {(m.surface, m.name) for m in mentions}
    assert all(text[m.start:m.end] == m.surface for m in mentions)


def test_lower_case_prose_without_names_gives_no_entities():
    assert extract(PLAIN).mentions == []
    assert extract(PLAIN, "article").mentions == []


def test_a_name_wrapped_over_two_lines_is_one_mention():
    for kind in ("transcript", "article"):
        mentions = extract(WRAPPED, kind).mentions
        assert ("maria\ntolliver", "Maria Tolliver") in {(m.surface, m.name) for m in mentions}, kind


def test_a_list_of_short_lines_is_not_joined():
    listing = "ana lopez\nmark chen\nli wei\n"
    assert captions.join_wrapped(listing, [(0, len(listing), "lower")]) == listing
    wrapped = "we met ana lopez and her\nbrother in the old town square\n"
    assert "\n" not in captions.join_wrapped(wrapped, [(0, len(wrapped), "lower")]).rstrip("\n")


def test_properly_cased_text_is_read_as_before():
    mentions = extract(CASED, "article").mentions
    assert {"Okonkwo Adeyemi", "Lagos", "Oslo"} <= {m.name for m in mentions}
    assert not any("+recased" in m.method for m in mentions)


def test_title_case_names():
    assert captions.title_name("university of brackwater") == "University of Brackwater"
    assert captions.title_name("ana McDonald") == "Ana McDonald"
    assert captions.title_name("jean-paul sartre") == "Jean-Paul Sartre"
