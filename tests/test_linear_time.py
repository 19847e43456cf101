"""The cost of reading and extracting grows with the input, on hostile text too.

Every function here reads a whole document (or all of its mentions or quotes). Each is run on a
generated worst case of n and of 4n characters; time that grows with the square of the input would
be 16 times as long on the larger one, time that grows linearly about 4 times: the test fails above
8. A complexity check, not a speed test: the figures a user sees are measured by bench/size.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from provcat.classify import classify
from provcat.extract import captions, entities, introductions, pipeline, speakers, turns
from provcat.extract.lookup import MentionIndex
from provcat.extract.view import reading_view
from provcat.models import Mention, Quote
from provcat.readers import read_document

#: Characters in the smaller input: large enough that a linear pass takes milliseconds.
N = 20_000
RATIO = 8.0


def seconds(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def assert_linear(make: Callable[[int], object], run: Callable[[object], object], n: int = N) -> None:
    small, large = make(n), make(4 * n)
    t_small = seconds(lambda: run(small))
    t_large = seconds(lambda: run(large))
    assert t_large < RATIO * t_small + 0.02, f"{t_small:.4f}s -> {t_large:.4f}s for 4 x the input"


def repeat(piece: str) -> Callable[[int], str]:
    return lambda n: (piece * (n // len(piece) + 1))[:n]


HOSTILE_TEXTS = {
    "straight quotes": repeat('"'),
    "curly quotes": repeat("\u201c"),
    "tiny quotations": repeat('"a" '),
    "unclosed comments": repeat("<!--"),
    "unclosed doctypes": repeat("<!DOCTYPE "),
    "unclosed tags": repeat("<b "),
    "bold labels": repeat("<b>"),
    "label then blanks": lambda n: "JANE DOE: " + " " * n + "x",
    "time range then blanks": lambda n: "00:01 - 00:02 " + " " * n + "x\n00:02 - 00:03 a\n00:03 - 00:04 b\n",
    "speaker time lines": repeat("Ana Ruiz  0:03\nso\n"),
    "digit run": repeat("1"),
    "strong label then blanks": lambda n: "<strong>Mr. X</strong>: " + "\t" * n + "y",
    "many labels": repeat("A: b\n"),
    "markdown labels": repeat("**Ana Ruiz:** so\n"),
    "titles": repeat("Mr. "),
    "capitals": repeat("A"),
    "names said": repeat("Ana Ruiz said. "),
    "line breaks": repeat("\n"),
    "blank lines": repeat("\n\n"),
    "spaces": repeat(" "),
    "timestamps": repeat("00:00 "),
    "cue arrows": repeat("00:00:01,000 --> "),
    "stage directions": repeat("[music "),
    "hand-overs": repeat("please welcome Ana Ruiz "),
    "self-introductions": repeat("my name is Ana Ruiz "),
    "asterisks": repeat("*"),
    "colons": repeat(":"),
    "periods": repeat(". "),
    "entities": repeat("&amp;"),
    "front matter": lambda n: "---\n" + "title: x\n" * (n // 9),
}


@pytest.mark.parametrize("kind", ["article", "transcript"])
@pytest.mark.parametrize("pattern", sorted(HOSTILE_TEXTS))
def test_reading_view(pattern: str, kind: str) -> None:
    assert_linear(HOSTILE_TEXTS[pattern], lambda text: reading_view(text, kind))  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern", sorted(HOSTILE_TEXTS))
def test_classify(pattern: str) -> None:
    assert_linear(HOSTILE_TEXTS[pattern], lambda text: classify(text))  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern", sorted(HOSTILE_TEXTS))
def test_turns(pattern: str) -> None:
    assert_linear(HOSTILE_TEXTS[pattern], lambda text: turns.find_turns(text))  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern", sorted(HOSTILE_TEXTS))
def test_quotation_marks(pattern: str) -> None:
    assert_linear(HOSTILE_TEXTS[pattern], lambda text: speakers.quotation_spans(text))  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern", sorted(HOSTILE_TEXTS))
def test_introductions(pattern: str) -> None:
    def run(text: object) -> object:
        assert isinstance(text, str)
        return introductions.introductions(text, reading_view(text, "transcript"), [])

    assert_linear(HOSTILE_TEXTS[pattern], run)


@pytest.mark.parametrize("pattern", sorted(HOSTILE_TEXTS))
def test_pieces_for_the_parser(pattern: str) -> None:
    assert_linear(HOSTILE_TEXTS[pattern], lambda text: pipeline.chunks(text))  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".txt", ".srt", ".vtt", ".html", ".eml", ".json", ".md"])
@pytest.mark.parametrize("pattern", ["straight quotes", "cue arrows", "timestamps", "line breaks", "many labels",
                                     "time range then blanks", "speaker time lines", "unclosed tags", "digit run",
                                     "blank lines"])
def test_reading(pattern: str, suffix: str) -> None:
    def make(n: int) -> bytes:
        return HOSTILE_TEXTS[pattern](n).encode()

    def run(data: object) -> object:
        assert isinstance(data, bytes)
        try:
            return read_document(data, f"hostile{suffix}")
        except Exception as exc:  # a refusal is an answer too
            return exc

    assert_linear(make, run)


# ---------------------------------------------------------------------------------------------
# Whole-document steps over many assertions
# ---------------------------------------------------------------------------------------------


def person(i: int, name: str | None = None, width: int = 8) -> Mention:
    start = 10 * i
    return Mention(start=start, end=start + width, surface="x" * width, name=name or f"Ana Ruiz{i}", type="person",
                   method="model:m", confidence=0.7)


def test_short_forms_are_merged_in_linear_time() -> None:
    def make(n: int) -> list[Mention]:
        full = [person(i, f"First{i} Last{i}") for i in range(n // 2)]
        short = [person(n // 2 + i, f"Last{i}") for i in range(n // 2)]
        return full + short

    assert_linear(make, lambda m: entities.merge_short_forms(m), n=4000)  # type: ignore[arg-type]


def test_mention_lookups_in_linear_time() -> None:
    def run(mentions: object) -> object:
        assert isinstance(mentions, list)
        index = MentionIndex(mentions)
        return [index.longest_overlapping(m.start, m.end) for m in mentions]

    assert_linear(lambda n: [person(i) for i in range(n)], run, n=5_000)


def test_turns_find_their_speakers_in_linear_time() -> None:
    def make(n: int) -> tuple[str, list[Mention]]:
        text = "".join(f"SPEAKER {i}: words\n" for i in range(n))
        return text, [person(i, f"Ana Ruiz{i}") for i in range(n)]

    assert_linear(make, lambda args: pipeline.turn_assertions(*args), n=3000)  # type: ignore[misc]


def test_unattributed_quotations_find_their_neighbours_in_linear_time() -> None:
    def make(n: int) -> tuple[str, list[Quote]]:
        view = " " * (10 * n)  # one long paragraph
        quotes = [Quote(start=10 * i, end=10 * i + 5, text="words", speaker="Ana Ruiz" if i % 2 else None,
                        kind="direct", method="rule:quote-cue" if i % 2 else "rule:quote-unattributed",
                        confidence=0.5) for i in range(n)]
        return view, quotes

    assert_linear(make, lambda args: speakers.continue_speakers(*args), n=5_000)  # type: ignore[misc]


@pytest.mark.parametrize("pattern", ["tiny quotations", "straight quotes", "names said", "periods"])
def test_attribution_of_one_parsed_piece_in_linear_time(pattern: str) -> None:
    """The sieve over one parsed piece: quotation marks, sentences and cues found by bisection. (A
    blank pipeline with a sentencizer stands for the model: the parse is spaCy's cost, not ours.)"""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")

    def make(n: int) -> object:
        return nlp(reading_view(HOSTILE_TEXTS[pattern](n), "article"))

    def run(doc: object) -> object:
        text = doc.text  # type: ignore[attr-defined]
        attribution = speakers.Attribution(text, text, MentionIndex())
        attribution.read(doc, 0)  # type: ignore[arg-type]
        return attribution.finish()

    assert_linear(make, run, n=20_000)


@pytest.mark.parametrize("pattern", sorted(HOSTILE_TEXTS))
def test_the_tokeniser_reads_the_view_in_linear_time(pattern: str) -> None:
    """spaCy's tokeniser costs the square of a run of punctuation (10,000 quotation marks: 14 s);
    the view it is given has no long runs."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    assert_linear(lambda n: reading_view(HOSTILE_TEXTS[pattern](n), "article"), tokenizer, n=20_000)


def test_a_sidecar_naming_a_common_word_is_merged_in_linear_time() -> None:
    """A curated surface form found thousands of times, over thousands of machine mentions."""
    from pathlib import Path

    from provcat.curation import Curation
    from provcat.merge import apply_sidecar
    from provcat.models import Authority, Extraction, Sidecar

    authority = Authority(id="council", name="Harbour Council", type="organization")
    curation = Curation(folder=Path("metadata"), authorities=[authority])
    sidecar = Sidecar(document="d.txt", entities=[{"entity": "council", "surfaces": ["Council", "the Council"]}],
                      speakers=[{"name": "Ana", "quote": "spoke", "cue": "said", "occurrence": 1}])

    def make(n: int) -> tuple[str, Extraction]:
        text = "the Council said it spoke. " * (n // 27)
        machine = Extraction(mentions=[Mention(start=i, end=i + 3, surface="the", name="The", type="person",
                                               method="model:m", confidence=0.5) for i in range(0, n - 30, 27)])
        return text, machine

    def run(args: object) -> object:
        text, machine = args  # type: ignore[misc]
        return apply_sidecar(text, machine, sidecar, curation)

    assert_linear(make, run, n=100_000)


CAPTION_TEXTS = {**HOSTILE_TEXTS, "lower-case names": repeat("ana ruiz of new york "), "long word": repeat("a"),
                 "lower-case lines": repeat("so i met ana ruiz\n"), "i": repeat("i ")}


@pytest.mark.parametrize("pattern", sorted(CAPTION_TEXTS))
def test_caption_recasing(pattern: str) -> None:
    recaser = captions.Recaser(pipeline.load_nlp())
    lexicon, forms = recaser.known()

    def run(text: object) -> object:
        assert isinstance(text, str)
        view = reading_view(text, "transcript")
        stretches = captions.caption_stretches(view)
        return captions.join_wrapped(captions.recase(view, stretches, lexicon, forms), stretches)

    assert_linear(CAPTION_TEXTS[pattern], run)
