"""The ready-made questions: every one returns rows whose cells link to the document, the quote in
place, the entity or the run they name (by the columns' names), picks an entity or a speaker by name
without wildcards, lists apart two entities that share a name, and keeps its SQL one click away."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from catalogue_factory import SampleDocument, SampleEntity, SampleMention, SampleQuote, build_catalogue
from datasette.app import Datasette
from fake_datasette import FakeDatasette
from html_fragments import tags

from provcat import publish
from provcat.site import questions
from provcat.site.served_request import serving


def cell(path: str | None, row: dict[str, object], column: str) -> str | None:
    with serving(path):
        found = questions.render_question_cell(row, row[column], column, "c", FakeDatasette())
    return None if found is None else str(found)


def href(html: str | None) -> str:
    assert html is not None
    (link,) = tags(html, "a")
    return str(link["href"])


def test_each_column_links_to_what_it_names() -> None:
    row = {"document": "<T>", "document_id": "a/b", "quote": 7, "speaker": "Ann", "speaker_entity_id": "ann",
           "entity": "Port", "entity_id": "port", "run": 3, "source_url": "https://example.org/x",
           "other_url": "javascript:alert(1)", "snippet": "<b>\ue000hit\ue001</b>", "text": "words"}
    assert href(cell("/c/q", row, "document")) == "/c/documents/a~2Fb#q-7"
    assert "&lt;T&gt;" in str(cell("/c/q", row, "document"))
    assert href(cell("/c/q", row, "document_id")) == "/c/documents/a~2Fb"
    assert href(cell("/c/q", row, "quote")) == "/c/documents/a~2Fb#q-7"
    assert href(cell("/c/q", row, "speaker")) == "/c/entities/ann"
    assert href(cell("/c/q", row, "speaker_entity_id")) == "/c/entities/ann"
    assert href(cell("/c/q", row, "entity")) == "/c/entities/port"
    assert href(cell("/c/q", row, "entity_id")) == "/c/entities/port"
    assert href(cell("/c/q", row, "run")) == "/c/fixity_runs/3"
    assert href(cell("/c/q", row, "source_url")) == "https://example.org/x"
    assert cell("/c/q", row, "other_url") is None  # not a web address: shown as text
    snippet = str(cell("/c/q", row, "snippet"))
    assert "<mark>hit</mark>" in snippet and "&lt;b&gt;" in snippet
    assert cell("/c/q", row, "text") is None
    place = {"in_place": "/c/documents/a~2Fb#q-7"}
    assert href(cell("/c/q", place, "in_place")) == "/c/documents/a~2Fb#q-7"
    assert cell("/c/q", {"in_place": "javascript:alert(1)"}, "in_place") is None  # only an address here


def test_a_document_without_a_quote_links_to_its_page_and_empty_cells_stay_empty() -> None:
    assert href(cell("/c/q", {"document": "T", "document_id": "d", "quote": None}, "document")) == "/c/documents/d"
    assert cell("/c/q", {"speaker": "Someone", "speaker_entity_id": None}, "speaker") is None
    assert cell("/c/q", {"document": "T"}, "document") is None  # no document_id beside it
    assert cell("/c/q", {"document_id": None}, "document_id") is None


def test_query_pages_are_the_databases_sql_page_and_its_queries() -> None:
    assert questions.is_query_page("/c", "/c") and questions.is_query_page("/c/quotes_by_speaker", "/c")
    assert not questions.is_query_page("/c/documents/a", "/c") and not questions.is_query_page("/other", "/c")
    assert not questions.is_query_page(None, "/c") and not questions.is_query_page("/cat", "/c")


@pytest.fixture
def ds(sample_catalogue: Path, metadata_dir: Path) -> Datasette:
    return publish.datasette_instance(sample_catalogue, metadata_dir)


#: Each question, asked so that it returns rows on the sample catalogue.
ASKED = {"search": {"q": "neumann"}, "integrity": {}, "last_checked": {}, "quotes_by_speaker": {"speaker": "neumann"},
         "documents_citing": {"entity": "syria"}, "search_quotes": {"q": "neumann"},
         "search_documents": {"q": "defectors"}, "review_queue": {"low": "0.99"},
         "documents_by_date": {"first": "", "last": ""}}
#: The columns that must show as links wherever they have a value.
LINKED = ("document", "document_id", "quote", "entity", "entity_id", "speaker_entity_id", "run", "in_place")


def rows_of(page: str) -> list[dict[str, str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, flags=re.S)
    assert body, page[:3000]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), flags=re.S):
        rows.append(dict(re.findall(r'<td class="col-([a-z_]+)[^"]*">(.*?)</td>', row, flags=re.S)))
    return rows


async def test_every_question_is_asked_here(ds: Datasette) -> None:
    assert set(ASKED) == set(await ds.get_canned_queries("catalogue", None))


@pytest.mark.parametrize("name", list(ASKED))
async def test_every_questions_rows_are_links(ds: Datasette, name: str) -> None:
    response = await ds.client.get(f"/catalogue/{name}", params=ASKED[name] or None)
    assert response.status_code == 200, response.text[:500]
    rows = rows_of(response.text)
    assert rows, name
    for row in rows:
        assert any('href="/catalogue/documents/' in value for value in row.values()), (name, row)
        for column in LINKED:
            if column in row and row[column] not in ("", "&nbsp;"):
                assert row[column].startswith("<a href="), (name, column, row[column])
    assert "<title>" in response.text and re.search(r"<title>[^<]*select", response.text, flags=re.I) is None
    assert "show-hide-sql" in response.text  # the SQL stays one click away


SHARED_SURNAME = [
    SampleEntity("ann-keel", "Ann Keel", "person"),
    SampleEntity("tom-keel", "Tom Keel", "person", aliases=("Mr. Keel",)),
    SampleEntity("keelham", "Keelham", "place"),
]


@pytest.fixture
def shared(tmp_path: Path, metadata_dir: Path) -> Datasette:
    text = "Ann Keel said the port would open. Tom Keel said it would not. Mr. Keel left for Keelham.\n"
    document = SampleDocument("harbour", "Two Keels at the port", "article", text.encode(),
                              mentions=[SampleMention("Ann Keel", "ann-keel"), SampleMention("Tom Keel", "tom-keel"),
                                        SampleMention("Mr. Keel", "tom-keel"), SampleMention("Keelham", "keelham")],
                              quotes=[SampleQuote("the port would open", "Ann Keel", "ann-keel", kind="indirect"),
                                      SampleQuote("it would not", "Tom Keel", "tom-keel", kind="indirect"),
                                      SampleQuote("left for Keelham", "KEEL", None, kind="indirect")])
    return publish.datasette_instance(build_catalogue(tmp_path / "catalogue.db", [document], SHARED_SURNAME),
                                      metadata_dir)


async def ask(ds: Datasette, name: str, **params: str) -> list[dict[str, object]]:
    response = await ds.client.get(f"/catalogue/{name}.json", params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


async def test_a_surname_finds_each_person_apart_without_wildcards(shared: Datasette) -> None:
    by_surname = await ask(shared, "quotes_by_speaker", speaker="keel")
    assert [(r["speaker"], r["speaker_entity_id"], r["text"]) for r in by_surname] == [
        ("Ann Keel", "ann-keel", "the port would open"), ("KEEL", None, "left for Keelham"),
        ("Tom Keel", "tom-keel", "it would not")]
    assert await ask(shared, "quotes_by_speaker", speaker="  ANN KEEL ") == by_surname[:1]
    assert await ask(shared, "quotes_by_speaker", speaker="mr. keel") == by_surname[2:]  # an alias
    for wildcard in ("%", "_", "%keel%", "kee", ""):
        assert await ask(shared, "quotes_by_speaker", speaker=wildcard) == [], wildcard
    citing = await ask(shared, "documents_citing", entity="Keel")
    assert [(r["entity"], r["entity_id"], r["mentions"]) for r in citing] == [("Ann Keel", "ann-keel", 1),
                                                                             ("Tom Keel", "tom-keel", 2)]
    assert [r["entity_id"] for r in await ask(shared, "documents_citing", entity="keelham")] == ["keelham"]
    assert [r["entity_id"] for r in await ask(shared, "documents_citing", entity="tom-keel")] == ["tom-keel"]
    assert await ask(shared, "documents_citing", entity="%") == []


async def test_the_questions_say_in_words_what_they_answer(ds: Datasette) -> None:
    queries = await ds.get_canned_queries("catalogue", None)
    for name in ("quotes_by_speaker", "documents_citing"):
        description = queries[name]["description"]
        assert "no wildcards" in description and "apart" in description
        assert not queries[name].get("hide_sql")


async def test_a_quotes_place_is_in_the_csv_and_the_csv_link_downloads(shared: Datasette) -> None:
    rows = await ask(shared, "quotes_by_speaker", speaker="keel")
    assert {r["in_place"] for r in rows} == {f"/catalogue/documents/harbour#q-{r['quote']}" for r in rows}
    csv = await shared.client.get("/catalogue/quotes_by_speaker.csv", params={"speaker": "ann keel"})
    header, first = csv.text.splitlines()[:2]
    assert "in_place" in header.split(",") and "/catalogue/documents/harbour#q-" in first
    page = (await shared.client.get("/catalogue/quotes_by_speaker", params={"speaker": "keel"})).text
    assert re.search(r'<a href="/catalogue/quotes_by_speaker\.csv\?[^"]*" download>CSV</a>', page)
    table = (await shared.client.get("/catalogue/quotes")).text
    assert re.search(r'<a href="/catalogue/quotes\.csv\?[^"]*" download>CSV</a>', table)
