"""Property-based tests: the readers, the sidecar parser and the extractors never fail unexpectedly
on arbitrary input, and every offset they produce lies inside the text and reproduces its span."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provcat.classify import classify
from provcat.curation import load_curation
from provcat.errors import ProvcatError
from provcat.extract.pipeline import Job, extract_all
from provcat.extract.turns import find_turns
from provcat.extract.view import reading_view
from provcat.readers import read_document

WORDS = st.sampled_from([
    "said", "says", "told", "according", "to", "he", "she", "they", "The", "minister", "Anna", "Berg",
    "Paris", "UN", "“", "”", '"', "'", ",", ".", "\n", "\n\n", ":", "Q", "MR.", "SMITH:", "**Jo:**", "<b>",
    "</b>", "&amp;", "[Music]", "00:01", "-->", "I'm", "my", "name", "is", "welcome", "Mr", "\u00a0", "\t", "é",
])
TEXTISH = st.lists(WORDS, max_size=60).map(" ".join) | st.text(max_size=300)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".srt", ".vtt"]))
def test_reading_arbitrary_bytes(data: bytes, suffix: str) -> None:
    try:
        doc = read_document(data, f"x{suffix}")
    except ProvcatError as exc:
        assert exc.path == f"x{suffix}" and "\n" not in str(exc)
        return
    assert doc.text.strip()
    for segment in doc.segments:
        assert 0 <= segment.start <= segment.end <= len(doc.text)


@settings(max_examples=150)
@given(text=TEXTISH)
def test_classify_and_turns_on_arbitrary_text(text: str) -> None:
    decision = classify(text)
    assert decision.type in ("article", "transcript") and 0 <= decision.confidence <= 1
    for turn in find_turns(text):
        assert 0 <= turn.label_start < turn.label_end <= turn.start < turn.end <= len(text)


@settings(max_examples=150)
@given(text=TEXTISH, kind=st.sampled_from(["article", "transcript"]))
def test_reading_view_keeps_every_offset(text: str, kind: str) -> None:
    assert len(reading_view(text, kind)) == len(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTISH, kind=st.sampled_from(["article", "transcript"]))
def test_extractors_on_arbitrary_text(text: str, kind: str) -> None:
    (extraction,) = extract_all([Job(text, kind)])
    for m in extraction.mentions:
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.surface
    for q in extraction.quotes:
        assert 0 <= q.start <= q.end <= len(text) and text[q.start:q.end] == q.text
        if q.cue_start is not None:
            assert 0 <= q.cue_start <= q.cue_end <= len(text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(yaml_text=st.text(max_size=200) | st.lists(st.sampled_from(
    ["document: a.txt", "title: x", "type: article", "speakers:", "  - name: A", "    quote: b", "reject:",
     "  speakers: [x]", "entities: 3", "- a", ":", "{", "&a", "*a", "!!python/object:os.system", "  "]),
    max_size=8).map("\n".join))
def test_sidecar_parser_on_arbitrary_yaml(tmp_path_factory, yaml_text: str) -> None:  # noqa: ANN001
    folder: Path = tmp_path_factory.mktemp("meta")
    (folder / "documents").mkdir()
    (folder / "documents" / "a.yml").write_text(yaml_text, encoding="utf-8")
    try:
        load_curation(folder)
    except ProvcatError as exc:
        assert str(exc).startswith(str(folder / "documents" / "a.yml")) and "\n" not in str(exc)
