"""A document opened from a search: the matches the index finds (stemmed words, prefixes, phrases)
marked in its text with ids hit-1, hit-2, …, each with links to the one before and after, the
number of matches above the text, the quotes and mentions still marked, everything escaped."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalogue_factory import ARTICLE_TEXT, unstem
from datasette.app import Datasette
from html_fragments import document_text, parse, tags

from provcat import publish
from provcat.site import document_hits
from provcat.site.document_hits import find_hits, hit_spans


@pytest.fixture
def ds(sample_catalogue: Path, metadata_dir: Path) -> Datasette:
    return publish.datasette_instance(sample_catalogue, metadata_dir)


@pytest.fixture
def conn(sample_catalogue: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{sample_catalogue.as_uri()}?mode=ro", uri=True)
    yield connection
    connection.close()


def words(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


def text_of(page: str) -> str:
    """The document's text as the page shows it (the highlighted text element)."""
    match = re.search(r'<div class="provcat-text".*?</div>', page, flags=re.S)
    assert match, page[:2000]
    return match.group(0)


async def document(ds: Datasette, document_id: str, q: str | None = None) -> str:
    response = await ds.client.get(f"/catalogue/documents/{document_id}", params={"q": q} if q else None)
    assert response.status_code == 200, response.text[:500]
    return response.text


def test_hit_spans_are_the_marked_stretches_without_their_markers() -> None:
    assert hit_spans("a [b] c [de]", "[", "]") == ("a b c de", [(2, 3), (6, 8)])
    assert hit_spans("no marks", "[", "]") == ("no marks", [])
    assert hit_spans("a ]b[ c", "[", "]") == ("a b c", [])  # a marker without its partner is dropped
    assert hit_spans("<<x>>", "<<", ">>") == ("x", [(0, 1)])


def test_the_markers_are_new_for_each_search() -> None:
    assert document_hits.markers() != document_hits.markers()


def test_stemmed_matches_are_the_words_the_index_matched(conn: sqlite3.Connection) -> None:
    hits = find_hits(conn, "article", "defector")
    assert hits is not None and hits.text == ARTICLE_TEXT
    assert words(hits.text, hits.spans) == ["Defectors", "defectors"]  # "defector" finds "defectors"
    prefix = find_hits(conn, "article", "opportun*")
    assert prefix is not None and words(prefix.text, prefix.spans) == ["opportunity"]
    phrase = find_hits(conn, "article", '"unique opportunity"')
    assert phrase is not None and words(phrase.text, phrase.spans) == ["unique opportunity"]
    either = find_hits(conn, "article", "brutality OR rebels")
    assert either is not None and words(either.text, either.spans) == ["rebels", "brutality"]


def test_a_document_the_search_does_not_find_has_no_matches(conn: sqlite3.Connection) -> None:
    excluded = find_hits(conn, "article", "defectors -brutality")
    assert excluded is not None and excluded.total == 0
    assert find_hits(conn, "article", "…") is None  # nothing to look for


def test_a_catalogue_built_before_stemming_marks_the_words_as_written(sample_catalogue: Path, tmp_path: Path) -> None:
    old = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, old)
    unstem(old)
    with sqlite3.connect(old) as connection:
        hits = find_hits(connection, "002_bfaa0521dbc1feff", "defector")
        assert hits is not None and {w.lower() for w in words(hits.text, hits.spans)} == {"defector"}


async def test_the_page_marks_each_match_with_its_anchor_and_the_count(ds: Datasette) -> None:
    page = await document(ds, "article", "defector")
    text = text_of(page)
    marks = [m for m in tags(text, "mark") if "provcat-hit" in (m.get("class") or "")]
    assert [m["id"] for m in marks] == ["hit-1", "hit-2"]
    assert "<strong>2 matches</strong> for “defector”" in page
    assert 'class="provcat-hit-next" href="#hit-1"' in page and 'class="provcat-hit-previous" href="#hit-2"' in page
    steps = re.findall(r'<mark class="provcat-hit" id="(hit-\d)">.*?<a href="#(hit-\d)" rel="prev">previous</a> '
                       r'<span class="provcat-hit-number">match \d of 2</span> <a href="#(hit-\d)" rel="next">', text)
    assert steps == [("hit-1", "hit-2", "hit-2"), ("hit-2", "hit-1", "hit-1")]
    assert 'href="/catalogue/-/search?q=defector"' in page


async def test_the_quotes_and_mentions_stay_marked_around_the_matches(ds: Datasette) -> None:
    plain, searched = text_of(await document(ds, "article")), text_of(await document(ds, "article", "neumann"))
    parse(searched)  # well nested
    quote_ids = [m["id"] for m in tags(plain, "mark") if m.get("id", "").startswith("q-")]  # type: ignore[union-attr]
    assert quote_ids and [m["id"] for m in tags(searched, "mark") if (m.get("id") or "").startswith("q-")] == quote_ids
    linked = [a["href"] for a in tags(searched, "a") if not str(a["href"]).startswith("#hit-")]
    pieces = [h for k, h in enumerate(linked) if k == 0 or h != linked[k - 1]]  # a match splits a mention's link
    assert pieces == [a["href"] for a in tags(plain, "a")]
    assert parse(searched).max_links_open == 1  # a match's links are never inside a mention's
    assert document_text(searched) == ARTICLE_TEXT  # less the steps and the evidence links the page adds


async def test_what_the_document_holds_stays_text(ds: Datasette) -> None:
    page = await document(ds, "hostile", "alert")
    text = text_of(page)
    assert "<script>" not in text and "<img" not in text
    assert '<mark class="provcat-hit" id="hit-1">alert' in text
    typed = await document(ds, "hostile", '<img src=x onerror=alert(1)>')
    assert "<img src=x onerror=alert(1)>" not in typed


async def test_a_page_with_no_match_says_so_and_one_without_a_search_says_nothing(ds: Datasette) -> None:
    assert "<strong>No match</strong> for “harbour” in the text" in await document(ds, "article", "harbour")
    plain = await document(ds, "article")
    assert "provcat-hits" not in plain.replace(".provcat-hits", "") and 'id="hit-1"' not in plain


async def test_at_most_max_marked_matches_are_marked(ds: Datasette, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_hits, "MAX_MARKED", 1)
    page = await document(ds, "article", "defectors")
    assert "<strong>2 matches</strong>" in page and "(the first 1 are marked)" in page
    assert 'id="hit-2"' not in page


def test_matches_wholly_inside_what_the_reading_view_hides_are_counted_apart() -> None:
    from provcat.site.document_hits import outside

    hidden = [(4, 9), (20, 25)]
    spans = [(0, 3), (5, 8), (8, 11), (20, 25), (26, 30)]
    assert outside(spans, hidden) == [(0, 3), (8, 11), (26, 30)]  # one across an edge is shown
    assert outside(spans, []) == spans


async def test_a_match_in_a_turns_label_is_marked_in_the_source_view_only(ds: Datasette) -> None:
    reading = (await ds.client.get("/catalogue/documents/captions?q=interviewer")).text
    assert "1 in labels or markup that only" in reading and 'id="hit-1"' not in reading
    source = (await ds.client.get("/catalogue/documents/captions?q=interviewer&view=source")).text
    assert 'id="hit-1"' in source and "in labels or markup" not in source
