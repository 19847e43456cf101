from hypothesis import example, given, settings
from hypothesis import strategies as st

from provcat.extract import pipeline
from provcat.extract.pipeline import Job, chunks, extract_all


def test_chunks_cover_the_text_exactly() -> None:
    text = ("word " * 30 + "\n\n") * 50
    pieces = chunks(text, limit=400)
    assert len(pieces) > 1 and all(len(p) <= 400 for _, p in pieces)
    assert "".join(p for _, p in pieces) == text
    assert all(text[o:o + len(p)] == p for o, p in pieces)


def test_long_documents_are_processed_in_chunks_with_offsets(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 300)
    paragraph = "Angela Merkel met Emmanuel Macron in Paris on Monday to discuss the budget.\n\n"
    text = paragraph * 20
    (extraction,) = extract_all([Job(text, "article")])
    paris = [m for m in extraction.mentions if m.surface == "Paris"]
    assert len(paris) == 20
    assert all(text[m.start:m.end] == "Paris" for m in paris)
    assert paris[-1].start > 300 * 4


def test_results_come_back_in_order_for_many_documents() -> None:
    texts = [f"Officials in {city} said the market would reopen soon." for city in
             ["Berlin", "Madrid", "Lisbon"] * 15]
    results = list(extract_all(Job(t, "article") for t in texts))
    assert len(results) == len(texts)
    for text, result in zip(texts, results, strict=True):
        assert any(m.surface in text and m.type == "place" for m in result.mentions)


def test_a_document_of_too_many_tokens_is_refused_before_it_is_parsed(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(pipeline, "MAX_TOKENS", 500)
    parsed: list[str] = []
    nlp = pipeline.load_nlp()
    real_pipe = nlp.pipe

    def pipe(texts, **kwargs):  # noqa: ANN001, ANN202
        texts = list(texts)
        parsed.extend(texts)
        return real_pipe(texts, **kwargs)

    monkeypatch.setattr(nlp, "pipe", pipe)
    short = "Officials in Lisbon said the market would reopen soon."
    quotes = '"' * 600  # a token per character
    results = list(extract_all([Job(short, "article"), Job(quotes, "article"), Job(short, "article")]))
    assert [r.refused for r in results] == [None, "about 600 tokens, more than the 500 one document may have", None]
    assert results[1].mentions == results[1].quotes == []
    assert all('"' not in piece for piece in parsed)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
@example("0___")  # underscores: word characters to Python, punctuation to spaCy
@settings(max_examples=300, deadline=None)
def test_the_token_estimate_is_within_a_small_factor_of_spacys_count(text: str) -> None:
    tokenizer = _tokenizer()
    words = [t for t in tokenizer(text) if not t.is_space]  # type: ignore[operator]
    assert 3 * pipeline.estimated_tokens(text) >= len(words)


def test_the_token_estimate_is_close_to_the_count_on_prose() -> None:
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")):
        text = path.read_text()
        words = [t for t in _tokenizer()(text) if not t.is_space]  # type: ignore[operator]
        assert 0.9 * len(words) <= pipeline.estimated_tokens(text) <= 1.5 * len(words)


def test_a_document_whose_parse_passes_the_token_limit_is_let_go(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(pipeline, "MAX_TOKENS", 300)
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 200)
    monkeypatch.setattr(pipeline, "estimated_tokens", lambda text: 1)  # an estimate that falls short
    text = "Officials in Lisbon said the market would reopen soon. " * 40
    (result,) = extract_all([Job(text, "article")])
    assert result.refused == "more than the 300 tokens one document may have" and result.mentions == []


def _tokenizer() -> object:
    import spacy

    return _TOKENIZER.setdefault("en", spacy.blank("en").tokenizer)


_TOKENIZER: dict[str, object] = {}


def test_a_turn_is_cut_at_the_cues_edges_so_no_quote_holds_a_time_code() -> None:
    from provcat.readers import read_document

    data = (b"[00:00.000 --> 00:03.000] MAREN: We voted to close\n[00:03.000 --> 00:06.000] the quay in Ardmore.\n"
            b"[00:06.000 --> 00:09.000] OSKAR: It was the only choice.\n[00:09.000 --> 00:12.000] MAREN: Indeed.\n")
    read = read_document(data, "t.txt")
    (extraction,) = extract_all([Job(read.text, "transcript", read.segments, read.voices)])
    turns = [(q.speaker, q.text) for q in extraction.quotes if q.kind == "turn"]
    assert turns == [("Maren", "We voted to close"), ("Maren", "the quay in Ardmore."),
                     ("Oskar", "It was the only choice."), ("Maren", "Indeed.")]
    assert all(read.text[q.start:q.end] == q.text for q in extraction.quotes)


def test_within_cues() -> None:
    from provcat.extract.pipeline import within_cues
    from provcat.models import Segment

    cues = [Segment(index=1, start=5, end=10, begins="0", ends="1"), Segment(index=2, start=15, end=20, begins="1",
                                                                            ends="2")]
    assert within_cues(0, 30, cues, [5, 15]) == [(5, 10), (15, 20)]
    assert within_cues(7, 17, cues, [5, 15]) == [(7, 10), (15, 17)]
    assert within_cues(11, 14, cues, [5, 15]) == []
    assert within_cues(3, 8, [], []) == [(3, 8)]
