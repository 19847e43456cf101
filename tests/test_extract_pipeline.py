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
