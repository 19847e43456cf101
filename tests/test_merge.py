from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provcat.curation import Curation
from provcat.errors import ProvcatError
from provcat.merge import apply_sidecar, find_occurrence
from provcat.models import Authority, Extraction, Mention, Quote, Sidecar

TEXT = "Anna Berg said the plan works. Officials said it would fail, and Berg said “it will not fail.”"


def curation() -> Curation:
    return Curation(folder=Path("m"), authorities=[Authority(id="anna-berg", name="Anna Berg", type="person")])


def machine() -> Extraction:
    return Extraction(
        mentions=[Mention(start=0, end=9, surface="Anna Berg", name="Anna Berg", type="person", method="model:x",
                          confidence=0.7),
                  Mention(start=31, end=40, surface="Officials", name="Officials", type="organization",
                          method="model:x", confidence=0.7)],
        quotes=[Quote(start=76, end=93, text=TEXT[76:93], speaker="Berg", kind="direct", method="rule:x",
                      confidence=0.9),
                Quote(start=46, end=60, text=TEXT[46:60], speaker="Officials", kind="indirect", method="rule:x",
                      confidence=0.7)],
    )


def test_no_sidecar_changes_nothing() -> None:
    assert apply_sidecar(TEXT, machine(), None, curation()) == (machine(), {})


def test_curated_wins_and_rejections_are_counted() -> None:
    sidecar = Sidecar.model_validate({
        "document": "a.txt",
        "speakers": [{"name": "Anna Berg", "entity": "anna-berg", "quote": "it will not fail.",
                      "cue": "Berg said"}],
        "entities": [{"entity": "anna-berg", "surfaces": ["Anna Berg", "Berg"]}],
        "reject": {"entities": ["Officials"], "speakers": ["officials", "nobody"]},
    })
    merged, counts = apply_sidecar(TEXT, machine(), sidecar, curation())
    assert counts == {("entity", "Officials"): 1, ("speaker", "officials"): 1, ("speaker", "nobody"): 0}
    assert [(m.surface, m.method) for m in merged.mentions] == [("Anna Berg", "curated"), ("Berg", "curated")]
    (quote,) = merged.quotes
    assert (quote.speaker, quote.speaker_name, quote.method, quote.confidence) == ("Anna Berg", "Anna Berg",
                                                                                 "curated", 1.0)
    assert TEXT[quote.start:quote.end] == quote.text
    assert TEXT[quote.cue_start:quote.cue_end] == "Berg said"
    assert quote.cue_start == TEXT.index("Berg said", 10)  # the cue nearest the quote


def test_curated_text_must_be_in_the_document() -> None:
    sidecar = Sidecar.model_validate({"document": "a.txt", "speakers": [{"name": "X", "quote": "never said"}]})
    with pytest.raises(ProvcatError, match="quote text is not in the document"):
        apply_sidecar(TEXT, machine(), sidecar, curation(), Path("metadata/documents/a.yml"))


def test_find_occurrence() -> None:
    assert find_occurrence("a b a b", "b", 2) == 6
    assert find_occurrence("a b", "b", 3) == -1


@given(st.text(alphabet="ab", max_size=40), st.text(alphabet="ab", min_size=1, max_size=3), st.integers(0, 40))
def test_nearest_occurrence_is_the_nearest_of_all(text: str, needle: str, at: int) -> None:
    from provcat.merge import nearest_occurrence

    positions = [i for i in range(len(text)) if text.startswith(needle, i)]
    expected = min(positions, key=lambda p: abs(p - at)) if positions else -1
    assert nearest_occurrence(text, needle, at) == expected


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10)), max_size=20), st.integers(0, 60),
       st.integers(1, 10))
def test_covered_answers_as_a_scan_would(spans: list[tuple[int, int]], start: int, width: int) -> None:
    from provcat.merge import Covered

    intervals = [(s, s + n) for s, n in spans]
    expected = any(start < e and s < start + width for s, e in intervals)
    assert Covered(intervals).overlaps(start, start + width) == expected
    disjoint = Covered()
    kept: list[tuple[int, int]] = []
    for s, e in intervals:
        if not disjoint.overlaps(s, e):
            disjoint.add_disjoint(s, e)
            kept.append((s, e))
    assert disjoint.overlaps(start, start + width) == any(start < e and s < start + width for s, e in kept)
