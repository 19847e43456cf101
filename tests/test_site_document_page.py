"""A document's row page: its list of quotes (each linking to its place, everything escaped), its
speaker legend, and everything the page shows beside the text."""

from __future__ import annotations

from pathlib import Path

from html_fragments import inner_text, tags

from provcat import publish
from provcat.site import document_page
from provcat.site.spans import QuoteSpan
from provcat.site.speakers import SPEAKER_COLOURS, UNATTRIBUTED_COLOUR, speakers_of


def test_quote_list_links_each_quote_and_escapes_everything() -> None:
    entries = [
        document_page.QuoteEntry(7, "q-7", "Ann <Lee>", "the <b>minister</b>", "/c/entities/ann", "#abc", "direct",
                          "cue-verb", "0.90", 'She said "<script>"'),
        document_page.QuoteEntry(None, None, "unattributed", None, None, "#def", "indirect", "sieve", "0.40", "x & y"),
    ]
    html = document_page.quote_list(entries)
    items = tags(f"<ol>{html}</ol>", "li")
    assert [i["style"] for i in items] == ["border-left-color: #abc", "border-left-color: #def"]
    assert [a["href"] for a in tags(html, "a")] == ["#q-7", "/c/entities/ann"]
    text = inner_text(html)
    assert 'She said "<script>"' in text and "Ann <Lee>" in text and "as “the <b>minister</b>”" in text
    assert "x & y" in text and "indirect · sieve · confidence 0.40" in text
    assert "<script>" not in html and "<b>" not in html


def test_each_quote_has_its_speakers_colour_link_and_excerpt() -> None:
    quotes = [QuoteSpan(0, 5, "The director", "indirect", "rule:x", 0.5, 7, "pn", "Peter Neumann", "x" * 200),
              QuoteSpan(10, 15, None, id=8, text="short")]
    found = speakers_of(quotes)

    def link(entity_id: str) -> str:
        return f"/c/entities/{entity_id}"

    entries = document_page.quote_entries(quotes, found, link)
    assert [(e.anchor, e.speaker, e.label, e.speaker_url, e.colour, e.kind, e.confidence) for e in entries] == [
        ("q-7", "Peter Neumann", "The director", "/c/entities/pn", SPEAKER_COLOURS[0], "indirect", "0.50"),
        ("q-8", "unattributed", None, None, UNATTRIBUTED_COLOUR, "direct", "unknown")]
    assert entries[0].excerpt == "x" * document_page.QUOTE_LIST_CHARACTERS + "…" and entries[1].excerpt == "short"
    legend = document_page.speaker_entries(found, link)
    assert [(s.name, s.url, s.colour, s.quotes) for s in legend] == [
        ("Peter Neumann", "/c/entities/pn", SPEAKER_COLOURS[0], 1), ("unattributed", None, UNATTRIBUTED_COLOUR, 1)]


async def test_a_documents_page_has_its_header_states_speakers_and_quotes(sample_catalogue: Path,
                                                                          metadata_dir: Path) -> None:
    ds = publish.datasette_instance(sample_catalogue, metadata_dir)
    found = await document_page.document_page_vars(ds, "catalogue", "captions")
    assert found["provcat_document"]["media_type"] == "application/x-subrip" and found["provcat_cues"] == 3
    assert found["provcat_integrity"]["intact"] is True and found["provcat_fixity"]["state"] is not None
    assert [(s.name, s.url) for s in found["provcat_speakers"]] == [
        ("Peter Neumann", "/catalogue/entities/peter-neumann"), ("Interviewer", None)]
    first, second = found["provcat_quotes"]
    assert (first.speaker, second.speaker) == ("Peter Neumann", "Interviewer")
    listed = tags(found["provcat_quote_list"], "a")
    assert [a["href"] for a in listed if a.get("class") in ("provcat-goto", "provcat-quote-speaker")] == [
        f"#q-{first.id}", "/catalogue/entities/peter-neumann", f"#q-{second.id}"]
    # each quote's evidence panel, under it: its permalink, the glossary, the build
    assert [d["id"] for d in tags(found["provcat_quote_list"], "details")] == [
        f"evidence-q-{first.id}", f"evidence-q-{second.id}"]
    hrefs = [a["href"] for a in listed]
    assert f"/catalogue/-/evidence/quote/{first.id}" in hrefs and "/catalogue/builds/1" in hrefs
    assert "/catalogue/-/methods#confidence" in hrefs
    assert found["provcat_methods_url"] == "/catalogue/-/methods"
    assert await document_page.document_page_vars(ds, "catalogue", "no-such-document") == {}


async def test_a_documents_page_shows_its_rejections_and_how_to_correct_it(tmp_path: Path) -> None:
    from provcat import publish
    from provcat.build import build_catalogue

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "notice.txt").write_text("Margaret Okafor said the Lisbon Ferry Company would run the ferry again.\n")
    metadata = tmp_path / "metadata"
    (metadata / "documents").mkdir(parents=True)
    (metadata / "documents" / "x.yml").write_text("document: notice.txt\nreject:\n  entities: [Lisbon Ferry Company]\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    page = (await publish.datasette_instance(db, metadata).client.get("/catalogue/documents/notice")).text
    assert "<h2>Curation</h2>" in page
    assert "entity “Lisbon Ferry Company”: 1 assertion removed" in page
    assert "documents/notice.yml" in page and "document: notice.txt" in page


async def test_a_transcript_reads_as_turns_with_the_source_one_click_away(sample_catalogue: Path,
                                                                         metadata_dir: Path) -> None:
    ds = publish.datasette_instance(sample_catalogue, metadata_dir)
    page = (await ds.client.get("/catalogue/documents/captions")).text
    assert 'class="provcat-document provcat-reading-view provcat-has-cues"' in page
    assert '<a href="/catalogue/documents/captions?view=source#text">the source as archived</a>' in page
    assert page.count('<span class="provcat-source-only">') >= 3  # the cue numbers and timings, the labels
    assert 'id="t=00:00:01" href="#t=00:00:01"' in page
    source = (await ds.client.get("/catalogue/documents/captions?view=source")).text
    assert 'class="provcat-document provcat-source-view provcat-has-cues"' in source
    assert '<a href="/catalogue/documents/captions#text">Reading view</a>' in source
    searched = (await ds.client.get("/catalogue/documents/captions?q=gang")).text
    assert 'href="/catalogue/documents/captions?q=gang&amp;view=source#text"' in searched  # the search kept
    article = (await ds.client.get("/catalogue/documents/article")).text
    assert "the source as archived" not in article  # nothing to hide: one view


def test_the_views_links_keep_the_search() -> None:
    views = document_page.document_views("/c/documents/d1", "two words", None)
    assert views == {"provcat_view": "reading", "provcat_view_urls": {
        "reading": "/c/documents/d1?q=two+words#text", "source": "/c/documents/d1?q=two+words&view=source#text"}}
    assert document_page.document_views("/c/documents/d1", None, "source")["provcat_view"] == "source"
    assert document_page.document_views("/c/documents/d1", None, "<x>")["provcat_view"] == "reading"
