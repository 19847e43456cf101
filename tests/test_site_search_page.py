"""The search page on the running site (Datasette's client, in process): a plain form, documents and
quotes in two sections with their own counts and pages, links that open a document at its matches
or a quote in place, facets that narrow the search, the same results as JSON, the SQL one link
away, and nothing from the archive run."""

from __future__ import annotations

import html as html_module
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from catalogue_factory import SampleDocument, SampleQuote, build_catalogue, unstem
from datasette.app import Datasette
from datasette.database import QueryInterrupted
from html_fragments import tags
from small_project import small_project

from provcat import publish
from provcat.site import search_index
from provcat.site.search_page import PAGE_SIZE, SearchRequest, page_number, page_title
from provcat.site.search_syntax import parse
from provcat.site.snippets import SNIPPET_OPEN


@pytest.fixture
def ds(sample_catalogue: Path, metadata_dir: Path) -> Datasette:
    return publish.datasette_instance(sample_catalogue, metadata_dir)


async def page(ds: Datasette, path: str, **params: str) -> str:
    response = await (ds.client.get(path, params=params) if params else ds.client.get(path))
    assert response.status_code == 200, (path, response.status_code, response.text[:800])
    return response.text


async def found(ds: Datasette, **params: str) -> dict[str, Any]:
    response = await ds.client.get("/catalogue/-/search.json", params=params)
    assert response.status_code == 200, response.text[:800]
    return response.json()


def section(text: str, name: str) -> str:
    match = re.search(rf'<section class="provcat-section" id="{name}".*?</section>', text, flags=re.S)
    assert match, name
    return match.group(0)


def hrefs(fragment: str) -> list[str]:
    return [html_module.unescape(str(a["href"])) for a in tags(fragment, "a")]


async def test_the_page_is_a_plain_form_with_the_operators_in_one_line(ds: Datasette) -> None:
    text = await page(ds, "/catalogue/-/search")
    form = re.search(r'<form class="provcat-search".*?</form>', text, flags=re.S)
    assert form and '<label for="provcat-q">Search the documents and quotes</label>' in form.group(0)
    assert "SQL" not in form.group(0) and "Run" not in form.group(0)
    assert '<code>"exact phrase"</code>' in text and "<code>word OR other</code>" in text
    assert "<code>-word</code>" in text and "<code>begin*</code>" in text
    assert "Custom SQL" not in text and "rank" not in text
    assert "<title>Search — " in text


async def test_a_name_search_gives_documents_and_quotes_apart_with_counts(ds: Datasette) -> None:
    text = await page(ds, "/catalogue/-/search", q="neumann")
    results = await found(ds, q="neumann")
    documents, quotes = results["documents"], results["quotes"]
    assert f'<h2 id="documents-heading">Documents ({documents["count"]})</h2>' in text
    assert f'<h2 id="quotes-heading">Quotes ({quotes["count"]})</h2>' in text
    assert f'<a href="#documents">Documents ({documents["count"]})</a>' in text
    (expected,) = sqlite3.connect(ds.get_database("catalogue").path).execute(
        "select count(*) from quotes_fts where quotes_fts match 'neumann'").fetchone()
    (documents_expected,) = sqlite3.connect(ds.get_database("catalogue").path).execute(
        "select count(*) from documents_fts where documents_fts match 'neumann'").fetchone()
    assert quotes["count"] == expected and documents["count"] == documents_expected
    in_quotes = section(text, "quotes")
    # quotes matched by their speaker show their own words
    for row in quotes["rows"]:
        assert row["snippet"].replace(SNIPPET_OPEN, "").replace("\ue001", "") != row["speaker"]
    assert "They came to Syria for a cause" in in_quotes
    assert "<title>Search: neumann — " in text


async def test_results_link_to_the_matches_in_the_document_and_to_the_quote_in_place(ds: Datasette) -> None:
    text = await page(ds, "/catalogue/-/search", q="protecting muslims")
    documents = hrefs(section(text, "documents"))
    assert "/catalogue/documents/article?q=protecting+muslims#hit-1" in documents
    quote_ids = [r[0] for r in sqlite3.connect(ds.get_database("catalogue").path).execute(
        "select id from quotes where text like '%protecting Muslims%'")]
    quote_links = hrefs(section(text, "quotes"))
    for quote_id in quote_ids:
        assert any(h.endswith(f"#q-{quote_id}") and h.startswith("/catalogue/documents/") for h in quote_links)
    assert "/catalogue/entities/peter-neumann" in quote_links
    assert "<mark>protecting</mark> <mark>Muslims</mark>" in text


async def test_a_title_match_opens_the_document_at_its_top(ds: Datasette) -> None:
    text = await page(ds, "/catalogue/-/search", q="captions")
    assert "/catalogue/documents/captions?q=captions" in hrefs(section(text, "documents"))


async def test_what_the_archive_holds_is_escaped(ds: Datasette) -> None:
    text = await page(ds, "/catalogue/-/search", q="alert")
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;" in text and "<mark>alert</mark>" in text
    typed = await page(ds, "/catalogue/-/search", q='<script>alert("typed")</script>')
    assert '<script>alert("typed")' not in typed and "&lt;script&gt;alert(" in typed


@pytest.mark.parametrize("typed", ['"unbalanced', "OR", "NOT", "a OR", "-", "*", "…", "NEAR(", "x:y", '"" ""',
                                   "a" * 20_000])
async def test_anything_typed_gives_a_page(ds: Datasette, typed: str) -> None:
    await page(ds, "/catalogue/-/search", q=typed)
    await found(ds, q=typed)


async def test_an_unbalanced_quote_is_searched_as_words_and_said(ds: Datasette) -> None:
    text = await page(ds, "/catalogue/-/search", q='"unique opportunity')
    assert "A double quote had no partner" in text and "Documents (1)" in text


def many(tmp_path: Path, n: int = 45) -> Path:
    documents = [SampleDocument(f"d{k:03d}", f"Harbour report {k}", "article" if k % 3 else "transcript",
                                f"Report {k}{' and the tide turns' * (k % 11)}. The harbour opens.".encode(),
                                quotes=[SampleQuote("The harbour opens", "The pilot")]) for k in range(n)]
    return build_catalogue(tmp_path / "catalogue.db", documents, entities=[])


async def test_each_section_pages_on_its_own(tmp_path: Path, metadata_dir: Path) -> None:
    served = publish.datasette_instance(many(tmp_path), metadata_dir)
    first = await page(served, "/catalogue/-/search", q="harbour")
    assert "Documents (45)" in first and "Quotes (45)" in first and "1–20 of 45" in first
    (next_documents,) = [h for h in hrefs(section(first, "documents")) if "documents_page=2" in h]
    second = await page(served, next_documents.split("#")[0])
    one = re.findall(r'data-document="([^"]+)"', section(first, "documents"))
    two = re.findall(r'data-document="([^"]+)"', section(second, "documents"))
    assert len(one) == len(two) == PAGE_SIZE and not set(one) & set(two)
    assert "21–40 of 45" in second
    assert re.findall(r'data-quote="(\d+)"', section(second, "quotes")) == re.findall(
        r'data-quote="(\d+)"', section(first, "quotes"))  # the quotes stay on their first page
    assert any("documents_page" not in h and "q=harbour" in h for h in hrefs(section(second, "documents")))
    data = (await served.client.get("/catalogue/-/search.json", params={"q": "harbour", "documents_page": "3"})).json()
    third = data["documents"]
    assert third["offset"] == 40 and len(third["rows"]) == 5 and third["next"] is None


async def test_facets_narrow_the_search_with_plain_parameters(tmp_path: Path, metadata_dir: Path) -> None:
    served = publish.datasette_instance(many(tmp_path), metadata_dir)
    text = await page(served, "/catalogue/-/search", q="harbour")
    (transcripts,) = [html_module.unescape(h) for h in re.findall(r'href="([^"]+type=transcript[^"]*)"', text)]
    assert parse_qs(urlsplit(transcripts).query) == {"q": ["harbour"], "type": ["transcript"]}
    narrowed = await page(served, transcripts)
    assert "Documents (15)" in narrowed and "Quotes (15)" in narrowed
    assert "Narrowed to:" in narrowed and "Type: <strong>transcript</strong>" in narrowed
    remove = re.findall(r'\(<a href="([^"]+)">remove</a>\)', narrowed)[0]
    assert remove == "/catalogue/-/search?q=harbour"
    assert "Documents (45)" in await page(served, remove)


async def test_entity_and_speaker_facets(ds: Datasette) -> None:
    results = await found(ds, q="syria")
    speakers = {f["value"]: f for f in results["facets"]["speaker"]}
    assert speakers["peter-neumann"]["label"] == "Peter Neumann (person)"
    narrowed = await found(ds, q="syria", speaker="peter-neumann")
    assert {r["id"] for r in narrowed["documents"]["rows"]} == {"article", "captions"}
    text = await page(ds, "/catalogue/-/search", q="syria", entity="icsr")
    assert "Entities cited: <strong>International Centre for the Study of Radicalisation</strong>" in text


async def test_the_json_twin_gives_the_same_results(ds: Datasette) -> None:
    results = await found(ds, q="defectors")
    other = (await ds.client.get("/catalogue/-/search", params={"q": "defectors", "_format": "json"})).json()
    assert results == other
    assert results["documents"]["count"] == len(results["documents"]["rows"]) and results["documents"]["offset"] == 0
    assert results["stemmed"] is True and results["fts_query"] == '"defectors"'
    assert {"id", "title", "type", "date", "publisher", "url", "snippet"} <= set(results["documents"]["rows"][0])
    text = await page(ds, "/catalogue/-/search", q="defectors")
    assert 'href="/catalogue/-/search.json?q=defectors"' in text
    ids = re.findall(r'data-document="([^"]+)"', section(text, "documents"))
    assert ids == [r["id"] for r in results["documents"]["rows"]]


async def test_the_sql_behind_the_search_is_one_link_away(ds: Datasette) -> None:
    text = await page(ds, "/catalogue/-/search", q="neumann", type="article")
    links = re.findall(r'<a class="provcat-sql" href="([^"]+)"', text)
    assert len(links) == 2
    results = await found(ds, q="neumann", type="article")
    for link, key in zip(links, ("documents", "quotes"), strict=True):
        url = html_module.unescape(link)
        params = parse_qs(urlsplit(url).query)
        assert params["query"] == ['"neumann"'] and params["type"] == ["article"]
        sql_page = await ds.client.get(url.replace("/catalogue?", "/catalogue.json?") + "&_shape=array")
        assert sql_page.status_code == 200, sql_page.text[:500]
        rows = sql_page.json()
        assert len(rows) == results[key]["count"]
        if key == "documents":
            assert [r["document_id"] for r in rows] == [r["id"] for r in results["documents"]["rows"]]


async def test_a_search_past_the_time_limit_says_so(ds: Datasette, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> object:
        raise QueryInterrupted(sqlite3.OperationalError("interrupted"), "search", {})

    monkeypatch.setattr(search_index, "run_search", interrupted)
    text = await page(ds, "/catalogue/-/search", q="defectors")
    assert "longer than the time limit" in text


async def test_a_catalogue_built_before_stemming_is_searched_and_says_so(sample_catalogue: Path, tmp_path: Path,
                                                                         metadata_dir: Path) -> None:
    old = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, old)
    unstem(old)
    served = publish.datasette_instance(old, metadata_dir)
    text = await page(served, "/catalogue/-/search", q="defectors")
    assert "built by an earlier version of provcat" in text and "Documents (4)" in text
    assert (await served.client.get("/catalogue/-/search.json", params={"q": "defectors"})).json()["stemmed"] is False


async def test_any_catalogue_has_the_page(tmp_path: Path) -> None:
    _, metadata, db = small_project(tmp_path)  # an empty metadata folder
    served = publish.datasette_instance(db, metadata)
    text = await page(served, "/catalogue/-/search", q="ferry")
    assert "Documents (4)" in text and "<title>Search: ferry — " in text


async def test_only_catalogues_have_the_page(ds: Datasette, tmp_path: Path) -> None:
    assert (await ds.client.get("/elsewhere/-/search?q=x")).status_code == 404
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.commit()
    served = Datasette([str(other)])
    assert (await served.client.get("/other/-/search?q=x")).status_code == 404


def test_page_numbers_are_whole_numbers_within_reach() -> None:
    assert [page_number(v) for v in ("2", "0", "-3", "x", "", "1e3", "99999999")] == [2, 1, 1, 1, 1, 1, 501]


def test_a_change_of_filter_goes_back_to_the_first_pages() -> None:
    wanted = SearchRequest.from_args({"q": "tax", "documents_page": "3", "quotes_page": "2", "type": "article"})
    assert wanted.params(documents_page=4) == [("q", "tax"), ("type", "article"), ("documents_page", "4"),
                                               ("quotes_page", "2")]
    assert wanted.params(publisher="Gazette") == [("q", "tax"), ("type", "article"), ("publisher", "Gazette")]
    assert wanted.params(type=None) == [("q", "tax")]


def test_the_tab_is_titled_with_the_words() -> None:
    title = page_title(parse("  tax   OR budget "), "Provenance catalogue")
    assert title == "Search: tax OR budget — Provenance catalogue"
    assert page_title(parse(""), "Provenance catalogue") == "Search — Provenance catalogue"
