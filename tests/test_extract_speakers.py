import pytest

from provcat.extract.pipeline import Job, extract_all
from provcat.extract.speakers import quotation_spans
from provcat.models import Extraction


def extract(text: str, doc_type: str = "article") -> Extraction:
    (extraction,) = extract_all([Job(text, doc_type)])
    for q in extraction.quotes:
        assert text[q.start:q.end] == q.text
    return extraction


def test_quotation_spans_tolerate_unbalanced_and_straight_quotes() -> None:
    text = 'He said "yes" and “no.\nNext “line” here'
    spans = quotation_spans(text)
    assert [(text[s:e], closed) for s, e, closed in spans] == [("yes", True), ("no.", False), ("line", True)]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“We will rebuild the bridge before winter,” Maria Lopez said on Tuesday.", "Maria Lopez"),
        ("“We will rebuild the bridge before winter,” said Maria Lopez, the mayor.", "Maria Lopez"),
        ("Maria Lopez said: “We will rebuild the bridge before winter.”", "Maria Lopez"),
    ],
)
def test_direct_quotes_with_adjacent_cues(text: str, speaker: str) -> None:
    (quote,) = [q for q in extract(text).quotes if q.kind == "direct"]
    assert quote.speaker == speaker and quote.speaker_name == speaker
    assert quote.method == "rule:quote-cue" and quote.confidence >= 0.8
    assert quote.text.startswith("We will rebuild")


def test_apposition_prefers_the_name() -> None:
    text = ("The director of the institute, Peter Neumann said that the group is losing its appeal, "
            "“and it is starting to look less impressive.”")
    quotes = extract(text).quotes
    assert quotes and all(q.speaker == "Peter Neumann" for q in quotes)


def test_pronoun_resolves_to_the_earlier_person() -> None:
    text = ("One of the defectors from India was forced to clean toilets. "
            "“This is not a holy war at all,” he said.")
    (quote,) = extract(text).quotes
    assert quote.speaker == "One of the defectors from India"
    assert quote.method == "rule:quote-cue+pronoun" and quote.confidence < 0.9


def test_unresolvable_source_is_not_invented() -> None:
    (quote,) = extract("“Nobody knows what will happen to the town after the flood,” he said.").quotes
    assert quote.speaker is None and quote.confidence <= 0.2


def test_reported_speech_and_according_to() -> None:
    text = ("Officials said that the road would reopen next week. "
            "According to the ministry, repairs will cost two million dollars.")
    quotes = extract(text).quotes
    assert {(q.speaker, q.kind, q.method) for q in quotes} == {
        ("Officials", "indirect", "rule:reported-speech"), ("the ministry", "indirect", "rule:according-to")}


def test_beliefs_negations_and_hypotheticals_are_not_speech() -> None:
    text = ("Critics fear that the plan will fail. The mayor did not say that the plan would fail. "
            "Republicans will say that the vote was rigged.")
    assert extract(text).quotes == []


def test_labelled_turns_are_quotes_of_kind_turn() -> None:
    text = "MS. SMITH: Good afternoon, everyone.\nQ: Can you tell us more?\nMS. SMITH: I can, yes.\n"
    quotes = [q for q in extract(text, "transcript").quotes if q.kind == "turn"]
    assert [(q.speaker, q.text) for q in quotes] == [("Smith", "Good afternoon, everyone."),
                                                     ("Q", "Can you tell us more?"), ("Smith", "I can, yes.")]
    assert quotes[0].speaker_type == "person" and quotes[1].speaker_name is None


def test_speech_acts_without_a_clause() -> None:
    text = "Portugal criticised the organisers of the conference for their closing statement on fishing quotas."
    (quote,) = extract(text).quotes
    assert (quote.speaker, quote.kind, quote.method, quote.cue) == ("Portugal", "indirect", "rule:speech-act",
                                                                    "Portugal criticised")
    assert quote.text.startswith("criticised the organisers")


def test_short_quotations_are_kept_when_attributed_and_continued() -> None:
    text = "“This is a disaster,” Mayor Ana Ruiz told reporters. “We need help now.”\n\n“No,” he said."
    quotes = extract(text).quotes
    assert [(q.text, q.speaker, q.method) for q in quotes[:2]] == [
        ("This is a disaster,", "Ana Ruiz", "rule:quote-cue"), ("We need help now.", "Ana Ruiz", "rule:continuation")]
    assert quotes[2].text == "No," and quotes[2].cue == "he said"  # the attributing words, as written


def test_the_cue_is_the_verb_with_its_subject_as_written() -> None:
    text = ('"The ferry will run again," said Margaret Okafor, the harbour master.\n\n'
            '"We have waited long enough," she added.\n\n'
            'Peter Neumann, who directs the centre in London, told Kerrow Radio that the fighters were leaving.')
    quotes = extract(text).quotes
    assert all(text[q.cue_start:q.cue_end] == q.cue for q in quotes if q.cue)
    assert [q.cue for q in quotes] == ["said Margaret Okafor", "she added",
                                       "Peter Neumann, who directs the centre in London, told"]
    assert [q.speaker for q in quotes] == ["Margaret Okafor", "Margaret Okafor", "Peter Neumann"]


def test_scare_quotes_are_not_speech() -> None:
    assert extract("The so-called “experts” disagreed about the “plan” again.").quotes == []


def test_a_speakers_name_does_not_run_over_a_paragraph_break() -> None:
    """A heading with the full name, a blank line, the surname as the subject: the parser may hang the
    heading's words on the subject; the name is the words right before it, none between."""
    import spacy
    from spacy.tokens import Doc

    from provcat.extract.speakers import speaker_name

    words = ["Anne", "Dufresne", "\n\n", "Dufresne", "said"]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[True, False, False, True, False],
              pos=["PROPN", "PROPN", "SPACE", "PROPN", "VERB"], deps=["compound", "compound", "dep", "nsubj", "ROOT"],
              heads=[3, 3, 1, 4, 4])
    assert speaker_name(doc[3], 0, None) is None  # one word is no name: it is not "Dufresne\n\nDufresne"
    doc = Doc(spacy.blank("en").vocab, words=["Anne", "Dufresne", "said"], spaces=[True, True, False],
              pos=["PROPN", "PROPN", "VERB"], deps=["compound", "nsubj", "ROOT"], heads=[1, 2, 2])
    named = speaker_name(doc[1], 0, None)
    assert named is not None and named.surface == "Anne Dufresne"
