from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
import server_process
import sqlite_utils
import yaml
from catalogue_factory import HOSTILE_TEXT, sample_documents, tamper
from datasette.app import Datasette
from markupsafe import escape

from provcat import publish, store
from provcat.errors import ProvcatError
from provcat.site import document_reading
from provcat.site.snippets import SNIPPET_CLOSE, SNIPPET_OPEN
from provcat.site.speakers import SPEAKER_COLOURS
from provcat.site.sql_functions import MAX_HASHED_BYTES, MAX_SEARCH_CHARACTERS, MAX_VALUE_BYTES

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

DOCUMENTS = len(sample_documents())


@pytest.fixture
def ds(sample_catalogue: Path, metadata_dir: Path) -> Datasette:
    return publish.datasette_instance(sample_catalogue, metadata_dir)


async def get_json(ds: Datasette, path: str, **params: str) -> Any:
    response = await ds.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def sql(ds: Datasette, query: str, database: str = "catalogue") -> list[dict[str, Any]]:
    return await get_json(ds, f"/{database}.json", sql=query, _shape="array")


async def canned(ds: Datasette, name: str, database: str = "catalogue",
                 **params: str) -> list[dict[str, Any]]:
    return await get_json(ds, f"/{database}/{name}.json", _shape="array", **params)


async def html(ds: Datasette, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def schema_columns() -> dict[str, list[str]]:
    """Every table of the public schema and its columns, from store.SCHEMA itself."""
    db = sqlite_utils.Database(memory=True)
    store.create_schema(db)
    return {table.name: [c.name for c in table.columns] for table in db.tables}


def datasette_yml(metadata_dir: Path | None = None) -> dict[str, Any]:
    """The site every catalogue gets (the collection's metadata folder only adds to it)."""
    return yaml.safe_load(publish.PUBLICATION.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# The plugin inside Datasette
# ---------------------------------------------------------------------------------------------


async def test_plugin_is_installed(ds: Datasette) -> None:
    plugins = await get_json(ds, "/-/plugins.json")
    (provcat,) = [p for p in plugins if p["name"] == "provcat"]
    assert {"prepare_connection", "render_cell", "extra_template_vars", "asgi_wrapper", "startup"} <= set(
        provcat["hooks"])


async def test_stored_bytes_match_recorded_digests_in_sql(ds: Datasette) -> None:
    rows = await sql(ds, "select id, sha256_hex(content) = sha256 as sha256_ok, "
                         "sha512_hex(content) = sha512 as sha512_ok from documents")
    assert len(rows) == DOCUMENTS
    assert all(r["sha256_ok"] == 1 and r["sha512_ok"] == 1 for r in rows), rows


async def test_sha256_hex_matches_hashlib_on_the_seed(ds: Datasette, sample_catalogue: Path) -> None:
    seed = (Path(__file__).resolve().parent.parent / "seeds" / "000_5b55b6d9b2e6ebeb.txt").read_bytes()
    (row,) = await sql(ds, "select sha256_hex(content) as d from documents where id = '000_5b55b6d9b2e6ebeb'")
    assert row["d"] == hashlib.sha256(seed).hexdigest()


async def test_table_search_finds_a_word(ds: Datasette) -> None:
    rows = await get_json(ds, "/catalogue/documents.json", _search="villagers", _shape="array")
    assert [r["id"] for r in rows] == ["000_5b55b6d9b2e6ebeb"]


async def test_table_search_of_quotes(ds: Datasette) -> None:
    rows = await get_json(ds, "/catalogue/quotes.json", _search="brutality", _shape="array")
    assert [r["speaker"] for r in rows] == ["The director"]


# ---------------------------------------------------------------------------------------------
# Canned queries
# ---------------------------------------------------------------------------------------------


async def test_integrity_reports_every_document_intact(ds: Datasette) -> None:
    rows = await canned(ds, "integrity")
    assert len(rows) == DOCUMENTS
    assert {r["outcome"] for r in rows} == {"intact"}
    assert all(r["expected"] == r["actual"] for r in rows)


async def test_integrity_catches_tampered_content(sample_catalogue: Path, metadata_dir: Path,
                                                  tmp_path: Path) -> None:
    copy = tmp_path / "tampered.db"
    shutil.copyfile(sample_catalogue, copy)
    tamper(copy, "article", b"Defectors speak out - edited\n")
    ds = publish.datasette_instance(copy, metadata_dir)
    rows = await canned(ds, "integrity", database="tampered")
    assert rows[0]["document_id"] == "article"  # problems first
    outcomes = {r["document_id"]: r["outcome"] for r in rows}
    assert outcomes == {"article": "changed", "hostile": "intact", "000_5b55b6d9b2e6ebeb": "intact",
                        "002_bfaa0521dbc1feff": "intact", "captions": "intact"}
    assert rows[0]["actual"] == hashlib.sha256(b"Defectors speak out - edited\n").hexdigest()
    assert rows[0]["actual"] != rows[0]["expected"]


async def test_integrity_catches_a_same_size_edit(sample_catalogue: Path, metadata_dir: Path,
                                                  tmp_path: Path) -> None:
    copy = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, copy)
    original = (Path(__file__).resolve().parent.parent / "seeds" / "002_bfaa0521dbc1feff.txt").read_bytes()
    tamper(copy, "002_bfaa0521dbc1feff", original.replace(b"Isis", b"ISIS", 1))
    rows = await canned(publish.datasette_instance(copy, metadata_dir), "integrity")
    changed = [r for r in rows if r["outcome"] == "changed"]
    assert [(r["document_id"], r["recorded_size"], r["stored_size"]) for r in changed] == [
        ("002_bfaa0521dbc1feff", len(original), len(original))]


async def test_quotes_by_speaker_matches_label_name_and_alias_in_any_case(ds: Datasette) -> None:
    by_label = await canned(ds, "quotes_by_speaker", speaker="the DIRECTOR")
    assert [r["text"] for r in by_label] == ["most of them left because of the brutality"]
    by_name = await canned(ds, "quotes_by_speaker", speaker="neumann")
    assert {r["document_id"] for r in by_name} == {"article", "hostile", "captions"}
    assert "The director" in {r["attributed_as"] for r in by_name}  # found through the speaker's entity
    assert {r["speaker"] for r in by_name} == {"Peter Neumann"}  # listed under the entity's name
    by_alias = await canned(ds, "quotes_by_speaker", speaker="p. neumann")
    assert len(by_alias) == len(by_name)
    assert await canned(ds, "quotes_by_speaker", speaker="nobody at all") == []


async def test_documents_citing_by_name_alias_or_id_with_counts(ds: Datasette) -> None:
    by_alias = await canned(ds, "documents_citing", entity="isis")
    assert {r["document_id"] for r in by_alias} == {"article", "000_5b55b6d9b2e6ebeb", "002_bfaa0521dbc1feff"}
    by_name = await canned(ds, "documents_citing", entity="peter neumann")
    counts = {r["document_id"]: r["mentions"] for r in by_name}
    assert counts == {"article": 2, "hostile": 1}
    assert by_name[0]["document_id"] == "article"  # most mentions first
    assert await canned(ds, "documents_citing", entity="ICSR") == await canned(
        ds, "documents_citing", entity="icsr")
    assert await canned(ds, "documents_citing", entity="") == []


async def test_search_quotes_is_ranked_with_snippets(ds: Datasette) -> None:
    rows = await canned(ds, "search_quotes", q="protecting muslims")
    assert {r["document_id"] for r in rows} == {"article", "000_5b55b6d9b2e6ebeb"}
    assert all(f"{SNIPPET_OPEN}protecting{SNIPPET_CLOSE}" in r["snippet"] for r in rows)


async def test_search_documents_is_ranked_with_snippets(ds: Datasette) -> None:
    rows = await canned(ds, "search_documents", q="defectors")
    assert rows[0]["document_id"] == "article"  # the short text about defectors ranks first
    assert {r["document_id"] for r in rows} == {"article", "000_5b55b6d9b2e6ebeb", "002_bfaa0521dbc1feff", "captions"}
    assert all(f"{SNIPPET_OPEN}defectors{SNIPPET_CLOSE}" in r["snippet"].lower() for r in rows)


@pytest.mark.parametrize("typed", ["", '"', "don't", "NEAR(", "a OR", "*", "said:"])
async def test_search_queries_accept_anything_typed(ds: Datasette, typed: str) -> None:
    await canned(ds, "search_documents", q=typed)
    await canned(ds, "search_quotes", q=typed)
    await canned(ds, "search", q=typed)


async def test_search_finds_documents_and_quotes_together_best_first(ds: Datasette) -> None:
    rows = await canned(ds, "search", q="unique opportunity")
    assert {(r["found_in"], r["document_id"]) for r in rows} == {("document", "article"), ("quote", "article")}
    (quote,) = [r for r in rows if r["found_in"] == "quote"]
    (expected,) = await sql(ds, "select id from quotes where text like '%unique opportunity%'")
    assert quote["quote"] == expected["id"] and quote["speaker_entity_id"] == "peter-neumann"
    assert [r["score"] for r in rows] == sorted(r["score"] for r in rows)
    marked = f"{SNIPPET_OPEN}unique{SNIPPET_CLOSE} {SNIPPET_OPEN}opportunity{SNIPPET_CLOSE}"
    assert all(marked in r["snippet"] for r in rows)


async def test_search_ranks_the_shortest_match_first(ds: Datasette) -> None:
    rows = await canned(ds, "search", q="protecting")
    documents = [r["document_id"] for r in rows if r["found_in"] == "document"]
    assert documents[0] == "article"
    assert {r["document_id"] for r in rows if r["found_in"] == "quote"} == {"article", "000_5b55b6d9b2e6ebeb"}


ALL_MATCHES_RANKED = """
select found_in, document_id, quote, score from (
  select 'document' as found_in, d.id as document_id, null as quote, documents_fts.rank as score
  from documents_fts join documents d on d.rowid = documents_fts.rowid where documents_fts match fts_escape(:q)
  union all
  select 'quote', q.document_id, q.id, quotes_fts.rank
  from quotes_fts join quotes q on q.rowid = quotes_fts.rowid where quotes_fts match fts_escape(:q)
) order by score, document_id, quote
"""


async def test_search_keeps_the_best_200_of_many_matches(tmp_path: Path, metadata_dir: Path) -> None:
    from catalogue_factory import SampleDocument, SampleQuote, build_catalogue

    documents = []
    for n in range(260):
        said = f"The harbour {'is quiet' if n % 3 else 'opens'} today{', says the pilot' * (n % 7)}"
        filler = " and the tide turns" * (n % 11)
        documents.append(SampleDocument(f"d{n:03d}", f"Harbour report {n}", "article",
                                        f"Report {n}{filler}. {said}.".encode(),
                                        quotes=[SampleQuote(said, "The pilot")]))
    db = build_catalogue(tmp_path / "catalogue.db", documents, entities=[])
    served = publish.datasette_instance(db, metadata_dir)
    rows = await canned(served, "search", q="harbour")
    reference = await get_json(served, "/catalogue.json", sql=ALL_MATCHES_RANKED, q="harbour", _shape="array")
    assert len(reference) == 520 and len(rows) == 200
    assert [(r["found_in"], r["document_id"], r["quote"], r["score"]) for r in rows] == \
        [(r["found_in"], r["document_id"], r["quote"], r["score"]) for r in reference[:200]]
    assert {r["found_in"] for r in rows} == {"document", "quote"}


async def test_search_page_links_each_result_and_marks_the_words(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/search?q=protecting")
    quote_ids = [r["id"] for r in await sql(ds, "select id from quotes where text like '%protecting%'")]
    anchors = re.findall(r'<td class="col-document[^"]*"><a href="/catalogue/documents/([^"#]+)#q-(\d+)"', page)
    assert sorted(int(q) for _, q in anchors) == sorted(quote_ids)
    assert '<td class="col-document"><a href="/catalogue/documents/article">Defectors speak out</a>' in page
    assert "<mark>protecting</mark>" in page
    assert SNIPPET_OPEN not in page
    assert '<a href="/catalogue/entities/peter-neumann">Peter Neumann</a>' in page


async def test_search_page_escapes_what_it_finds(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/search?q=alert")
    assert "<mark>alert</mark>" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


async def test_every_canned_query_runs_with_empty_parameters(ds: Datasette, metadata_dir: Path) -> None:
    queries = datasette_yml(metadata_dir)["databases"]["catalogue"]["queries"]
    assert set(queries) >= {"integrity", "quotes_by_speaker", "documents_citing", "search_quotes",
                            "search_documents"}
    for name, query in queries.items():
        assert query.get("title") and query.get("description"), name
        await canned(ds, name)


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


async def test_hostile_document_is_escaped_on_its_row_page(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/hostile")
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page  # the title too


async def test_row_page_links_mentions_and_marks_quotes(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/article")
    links = re.findall(r'<a class="provcat-mention"[^>]*href="([^"]+)"[^>]*>([^<]*)</a>', page)
    assert ("/catalogue/entities/peter-neumann", "Peter Neumann") in links
    assert ("/catalogue/entities/syria", "Syria") in links
    marks = re.findall(r'<mark class="provcat-quote[^"]*"[^>]*title="([^"]*)"', page)
    assert "direct quote · speaker: Peter Neumann · method: test-rule · confidence: 0.75" in marks
    assert len(marks) == 3


async def test_row_page_reads_as_a_document(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/article")
    assert re.search(r"<h1[^>]*>Defectors speak out</h1>", page)
    text_at = page.index('class="provcat-document provcat-reading-view"')
    record_at = page.index('class="provcat-record"')
    assert text_at < record_at  # the text first, then the record
    assert "Identifier of the document" in page  # column descriptions beside the record


async def test_other_row_pages_keep_datasettes_layout(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/quotes/1")
    assert "provcat-record" not in page
    assert 'class="rows-and-columns"' in page


async def test_a_documents_table_in_another_database_is_left_plain(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "other.db")
    db["documents"].insert({"id": "x", "text": "<b>plain</b> text"}, pk="id")
    db.conn.close()
    ds = publish.datasette_instance(tmp_path / "other.db", tmp_path / "no-metadata")
    page = await html(ds, "/other/documents/x")
    assert "&lt;b&gt;plain&lt;/b&gt; text" in page
    assert 'class="provcat-text"' not in page


async def test_mention_link_leads_to_the_entity(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/hostile")
    (href, _) = re.findall(r'<a class="provcat-mention"[^>]*href="([^"]+)"', page)
    entity = await get_json(ds, href + ".json", _shape="array")
    assert entity[0]["name"] == "Peter Neumann"


async def test_content_is_shown_as_its_size(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/hostile")
    size = len(HOSTILE_TEXT.encode("utf-8"))
    assert f'href="/catalogue/documents/hostile.blob?_blob_column=content">{size} bytes</a>' in page


async def test_table_page_shows_plain_text_without_highlighting(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents")
    assert "provcat-mention" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "<script>alert" not in page


async def test_custom_sql_page_escapes_document_text(ds: Datasette) -> None:
    response = await ds.client.get("/catalogue", params={"sql": "select text, title from documents"})
    assert "&lt;script&gt;alert(1)" in response.text
    assert "<script>alert" not in response.text


async def test_entity_page_uses_its_name_as_label(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/mentions?document_id=article")
    assert "Peter Neumann" in page and "Defectors speak out" in page


# ---------------------------------------------------------------------------------------------
# A document's page: its text with its evidence
# ---------------------------------------------------------------------------------------------


async def test_document_page_anchors_every_quote_once_and_lists_them(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/article")
    quotes = await sql(ds, "select id from quotes where document_id = 'article' order by start")
    anchors = [f"q-{q['id']}" for q in quotes]
    assert re.findall(r'<mark [^>]*id="(q-\d+)"', page) == anchors
    assert re.findall(r'<a class="provcat-goto" href="#(q-\d+)"', page) == anchors
    assert page.count('class="provcat-quote-speaker" href="/catalogue/entities/peter-neumann"') == 3
    assert "as “The director”" in page  # the label the text used, beside the canonical name


async def test_document_page_gives_each_speaker_one_colour_and_a_legend(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/captions")
    legend = re.findall(r'<span class="provcat-swatch" style="background: (#[0-9a-f]{6})">'
                        r'<span class="provcat-speaker-number">(\d+)</span></span>'
                        r'(?:<a href="([^"]+)">)?([^<\n]+)', page)
    assert legend == [(SPEAKER_COLOURS[0], "1", "/catalogue/entities/peter-neumann", "Peter Neumann"),
                      (SPEAKER_COLOURS[1], "2", "", "Interviewer")]
    marks = {name: (colour, number) for name, number, colour in re.findall(
        r'<mark [^>]*data-speaker="([^"]+)" data-speaker-number="(\d+)" style="background:(#[0-9a-f]{6});', page)}
    assert marks == {"Peter Neumann": (SPEAKER_COLOURS[0], "1"), "Interviewer": (SPEAKER_COLOURS[1], "2")}


async def test_transcript_page_shows_turns_and_cue_timings(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/captions")
    assert 'class="provcat-document provcat-reading-view provcat-has-cues"' in page
    assert re.findall(r'data-begins="([^"]+)"', page) == ["00:00:01,000", "00:00:04,200", "00:00:07,500"]
    assert len(re.findall(r'<mark class="provcat-quote provcat-quote-turn"', page)) == 2
    article = await html(ds, "/catalogue/documents/article")
    assert 'provcat-has-cues"' not in article and 'data-begins="' not in article


async def test_document_page_header_says_type_publisher_and_source(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/article")
    assert re.search(r'<span class="provcat-type">article</span>\s*<span class="provcat-muted">'
                     r'\(type confidence 1.00, method: <a href="/catalogue/-/methods#method-curated">'
                     r"<code>curated</code></a>\)", page)
    assert "Why article: Written by a person in the document&#39;s sidecar file" in page
    assert '<strong class="provcat-publisher">The Example Times</strong>' in page
    assert '<a class="provcat-source" href="https://example.org/defectors-speak-out"' in page


async def test_hostile_header_is_text_and_a_javascript_source_is_no_link(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/hostile")
    assert "&lt;img src=x onerror=alert(&#39;publisher&#39;)&gt;" in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page and 'class="provcat-source"' not in page
    assert "javascript:alert(4)" in page  # shown, as text


async def test_entity_mentioned_in_a_hostile_document_is_escaped_in_its_title(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents/hostile")
    assert "<script>alert('entity')" not in page
    assert 'title="&lt;script&gt;alert(&#39;entity&#39;)&lt;/script&gt; (person)' in page


# ---------------------------------------------------------------------------------------------
# An entity's page
# ---------------------------------------------------------------------------------------------


async def test_entity_page_lists_the_documents_citing_it_with_counts(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/entities/peter-neumann")
    assert re.search(r"<h1[^>]*>Peter Neumann</h1>", page)
    rows = re.findall(r'<tr>\s*<td><a class="provcat-document-link" href="([^"]+)">([^<]+)</a></td>\s*'
                      r"<td>(\w+)</td>\s*<td>(\w+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>", page)
    assert rows[0] == ("/catalogue/documents/article", "Defectors speak out", "article", "speaker", "2", "3")
    assert {r[0] for r in rows} == {"/catalogue/documents/article", "/catalogue/documents/hostile",
                                    "/catalogue/documents/captions"}
    assert "Documents citing Peter Neumann (3)" in page


async def test_entity_page_links_each_quote_to_its_place_in_the_document(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/entities/peter-neumann")
    quotes = await sql(ds, "select id, document_id from quotes where speaker_entity_id = 'peter-neumann'")
    links = re.findall(r'<a class="provcat-quote-link" href="/catalogue/documents/([^"#]+)#q-(\d+)"', page)
    assert sorted((d, int(q)) for d, q in links) == sorted((q["document_id"], q["id"]) for q in quotes)
    assert "Quotes credited to Peter Neumann (5)" in page
    assert "as “The director”" in page
    assert "&lt;a href=&#34;javascript:alert(3)&#34;&gt;click&lt;/a&gt;" in page  # the hostile quote, as text


async def test_entity_page_shows_type_source_aliases_and_wikidata(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/entities/isis")
    assert '<span class="provcat-type">organization</span>' in page
    assert "from the curated authority file" in page
    assert '<a class="provcat-wikidata" href="https://www.wikidata.org/wiki/Q2429253"' in page
    assert re.findall(r'<span class="provcat-alias">([^<]+)</span>', page) == ["ISIS", "Isis"]
    assert "No quote is credited to Islamic State." in page
    turkey = await html(ds, "/catalogue/entities/turkey")
    assert "found in the text (extracted)" in turkey and "provcat-wikidata" not in turkey


async def test_hostile_entity_page_is_text(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/entities/hostile-entity")
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#39;entity&#39;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and "provcat-wikidata" not in page


async def test_entity_page_keeps_its_record_and_links(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/entities/peter-neumann")
    assert 'class="rows-and-columns"' in page
    assert "Links from other tables" in page


# ---------------------------------------------------------------------------------------------
# The home page and the documents table page
# ---------------------------------------------------------------------------------------------


async def test_home_page_describes_the_collection_and_where_to_start(ds: Datasette, metadata_dir: Path) -> None:
    page = await html(ds, "/")
    assert "Two archived documents about fighters who left the Islamic State" in page
    start = re.findall(r'<li><a href="([^"]+)"><strong>([^<]+)</strong></a>', page)
    assert start == [("/catalogue/-/search", "Search"), ("/catalogue/documents", "Documents"),
                     ("/catalogue/entities", "Entities"), ("/catalogue/-/integrity", "Integrity"),
                     ("/catalogue/-/review", "Review queue")]
    assert '<form class="provcat-search" action="/catalogue/-/search" method="get">' in page
    queries = datasette_yml(metadata_dir)["databases"]["catalogue"]["queries"]
    for name, query in queries.items():
        assert f'<dt><a href="/catalogue/{name}">{escape(query["title"])}</a></dt>' in page
        assert str(escape(query["description"])) in page


async def test_home_page_of_another_database_has_no_start_list(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "other.db")
    db["things"].insert({"id": 1})
    db.conn.close()
    page = await html(publish.datasette_instance(tmp_path / "other.db", tmp_path / "none"), "/")
    assert "Start here" not in page and "provcat-start" not in page


async def test_documents_table_page_is_light(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents")
    transcript = (await sql(ds, "select text, sha512 from documents where id = '002_bfaa0521dbc1feff'"))[0]
    assert str(escape(transcript["text"][-200:])) not in page  # not the whole text
    assert str(escape(transcript["text"][:100])) in page  # its beginning
    assert transcript["sha512"] not in page.replace(f'title="{transcript["sha512"]}"', "")
    assert f"read all {len(transcript['text']):,} characters" in page


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


async def test_json_exports_are_whole(ds: Datasette) -> None:
    documents = await get_json(ds, "/catalogue/documents.json", _shape="array")
    assert len(documents) == DOCUMENTS
    hostile = [d for d in documents if d["id"] == "hostile"][0]
    assert hostile["text"] == HOSTILE_TEXT and hostile["title"] == "<script>alert('title')</script>"
    assert len(hostile["sha512"]) == 128
    entity = await get_json(ds, "/catalogue/entities/peter-neumann.json", _shape="array")
    assert entity[0]["name"] == "Peter Neumann"
    quotes = await get_json(ds, "/catalogue/quotes.json", _shape="array", speaker_entity_id="peter-neumann")
    assert len(quotes) == 5


async def test_csv_exports(ds: Datasette) -> None:
    response = await ds.client.get("/catalogue/documents.csv", params={"_col": ["title", "type", "publisher"]})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["id"] for r in rows} == {d.id for d in sample_documents()}
    assert {r["title"] for r in rows if r["id"] == "hostile"} == {"<script>alert('title')</script>"}
    response = await ds.client.get("/catalogue/search.csv", params={"q": "protecting"})
    assert response.status_code == 200
    found = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["found_in"] for r in found} == {"document", "quote"}
    response = await ds.client.get("/catalogue/entities.csv", params={"type": "person"})
    assert {r["id"] for r in csv.DictReader(io.StringIO(response.text))} == {"peter-neumann", "hostile-entity"}


async def test_content_downloads_as_the_exact_bytes(ds: Datasette) -> None:
    response = await ds.client.get("/catalogue/documents/hostile.blob", params={"_blob_column": "content"})
    assert response.status_code == 200
    assert response.content == HOSTILE_TEXT.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------------


def test_every_table_and_column_of_the_schema_is_described(metadata_dir: Path) -> None:
    tables = datasette_yml(metadata_dir)["databases"]["catalogue"]["tables"]
    for table, columns in schema_columns().items():
        assert tables.get(table, {}).get("description"), f"table {table} has no description"
        described = tables[table].get("columns", {})
        missing = [c for c in columns if not described.get(c)]
        assert not missing, f"{table}: columns without a description: {missing}"
        stale = sorted(set(described) - set(columns))
        assert not stale, f"{table}: descriptions of columns that do not exist: {stale}"


def test_facets_sorts_and_labels_name_real_columns(metadata_dir: Path) -> None:
    tables = datasette_yml(metadata_dir)["databases"]["catalogue"]["tables"]
    schema = schema_columns()
    for table, config in tables.items():
        for key in ("sort", "sort_desc", "label_column"):
            if key in config:
                assert config[key] in schema[table], (table, key)
        for facet in config.get("facets", []):
            # a facet is a column, or {"date": column} for one by date
            column = next(iter(facet.values())) if isinstance(facet, dict) else facet
            assert column in schema[table], (table, facet)
    assert tables["documents"]["label_column"] == "title"
    assert tables["entities"]["label_column"] == "name"


async def test_search_indexes_are_hidden(ds: Datasette) -> None:
    """Datasette hides full-text indexes and their shadow tables by itself."""
    database = await get_json(ds, "/catalogue.json")
    visible = {t["name"] for t in database["tables"] if not t["hidden"]}
    assert "documents" in visible
    assert not {t for t in visible if "_fts" in t}


async def test_configured_facets_are_shown(ds: Datasette) -> None:
    data = await get_json(ds, "/catalogue/documents.json", _extra="facet_results")
    facets = data.get("facet_results", {})
    facets = facets.get("results", facets)
    assert {"type", "media_type"} <= set(facets)


async def test_column_descriptions_are_served(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/mentions")
    assert "starting at 0" in page or "first character is 0" in page


def test_database_entry_is_renamed_to_the_file_stem(tmp_path: Path, metadata_dir: Path) -> None:
    metadata = publish.publication_metadata(tmp_path / "other-name.db", metadata_dir)
    assert list(metadata["databases"]) == ["other-name"]
    assert "integrity" in metadata["databases"]["other-name"]["queries"]


def test_collection_description_wins(tmp_path: Path, metadata_dir: Path) -> None:
    (tmp_path / "collection.yml").write_text(
        "title: Defector testimonies\n"
        "description: Articles and transcripts about defectors.\n"
        "rights: CC BY 4.0\n"
        "licence_url: https://creativecommons.org/licenses/by/4.0/\n"
        "curator: A. Archivist\n"
        "source: Newsroom archive\n", encoding="utf-8")
    metadata = publish.publication_metadata(tmp_path / "catalogue.db", tmp_path)
    assert metadata["title"] == "Defector testimonies"
    assert metadata["description"].startswith("Articles and transcripts about defectors.")
    assert "A. Archivist" in metadata["description"]
    assert metadata["license"] == "CC BY 4.0"
    assert metadata["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert metadata["source"] == "Newsroom archive"
    assert "catalogue" in metadata["databases"]


def test_invalid_collection_is_reported_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "collection.yml").write_text("title: x\nbogus: 1\n", encoding="utf-8")
    with pytest.raises(ProvcatError, match="collection.yml"):
        publish.publication_metadata(tmp_path / "catalogue.db", tmp_path)


def test_without_a_metadata_folder_the_site_is_whole(tmp_path: Path, sample_catalogue: Path) -> None:
    metadata = publish.publication_metadata(sample_catalogue, tmp_path / "none")
    site = datasette_yml()
    assert metadata["databases"]["catalogue"] == site["databases"]["catalogue"]
    assert {"search", "integrity", "last_checked", "quotes_by_speaker"} <= set(metadata["databases"]["catalogue"]
                                                                                ["queries"])


def built(tmp_path: Path, metadata: Path) -> Path:
    from provcat.build import build_catalogue

    archive = tmp_path / "harbour-papers"
    archive.mkdir()
    (archive / "note.txt").write_text("The harbour master said the ferry would run again.\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    return db


def test_a_catalogue_built_without_a_description_is_titled_by_its_archive(tmp_path: Path) -> None:
    db = built(tmp_path, tmp_path / "empty")
    metadata = publish.publication_metadata(db, tmp_path / "elsewhere")
    assert metadata["title"] == "Provenance catalogue: harbour-papers"
    assert metadata["description"] == datasette_yml()["description"]
    assert "license" not in metadata  # no rights are claimed that nobody stated


def test_a_catalogue_served_without_its_metadata_folder_keeps_its_description(tmp_path: Path) -> None:
    metadata_dir = tmp_path / "metadata"
    metadata_dir.mkdir()
    (metadata_dir / "collection.yml").write_text(
        "title: Harbour papers\ndescription: Notices of the harbour office.\nrights: CC0 1.0\n"
        "licence_url: https://creativecommons.org/publicdomain/zero/1.0/\ncurator: A. Archivist\n", encoding="utf-8")
    db = built(tmp_path, metadata_dir)
    served = publish.publication_metadata(db, tmp_path / "elsewhere")
    assert served["title"] == "Harbour papers"
    assert served["description"].startswith("Notices of the harbour office.")
    assert "A. Archivist" in served["description"]
    assert (served["license"], served["license_url"]) == ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/")
    (metadata_dir / "collection.yml").write_text(
        "title: Harbour papers, 1900-1950\ndescription: Revised.\nrights: CC0 1.0\ncurator: B. Curator\n",
        encoding="utf-8")
    assert publish.publication_metadata(db, metadata_dir)["title"] == "Harbour papers, 1900-1950"  # the folder wins


def test_a_collections_datasette_yml_adds_overrides_and_removes(tmp_path: Path, sample_catalogue: Path) -> None:
    (tmp_path / "datasette.yml").write_text(
        "title: Harbour papers\n"
        "databases:\n"
        "  anything:\n"
        "    queries:\n"
        "      ferries:\n"
        "        title: Documents about ferries\n"
        "        sql: select id from documents where text like '%ferry%'\n"
        "      last_checked: null\n"
        "    tables:\n"
        "      documents:\n"
        "        description: The harbour office's notices.\n", encoding="utf-8")
    metadata = publish.publication_metadata(sample_catalogue, tmp_path)
    database = metadata["databases"]["catalogue"]
    site = datasette_yml()["databases"]["catalogue"]
    assert metadata["title"] == "Harbour papers"
    assert database["queries"]["ferries"]["title"] == "Documents about ferries"
    assert "last_checked" not in database["queries"] and "search" in database["queries"]
    assert database["tables"]["documents"]["description"] == "The harbour office's notices."
    assert database["tables"]["documents"]["columns"] == site["tables"]["documents"]["columns"]  # merged, kept


def test_merging_changes_neither_side() -> None:
    base = {"a": {"b": 1, "c": [1]}, "d": 2}
    extra = {"a": {"b": None, "e": 3}, "d": [4]}
    assert publish.merged(base, extra) == {"a": {"c": [1], "e": 3}, "d": [4]}
    assert base == {"a": {"b": 1, "c": [1]}, "d": 2} and extra == {"a": {"b": None, "e": 3}, "d": [4]}


@pytest.mark.parametrize("text", ["databases: [catalogue]\n", "databases:\n  one: {}\n  two: {}\n", "- a list\n"])
def test_a_datasette_yml_that_cannot_be_merged_is_named(tmp_path: Path, sample_catalogue: Path, text: str) -> None:
    (tmp_path / "datasette.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ProvcatError, match=f"^{re.escape(str(tmp_path / 'datasette.yml'))}: "):
        publish.publication_metadata(sample_catalogue, tmp_path)


# ---------------------------------------------------------------------------------------------
# Serving configuration
# ---------------------------------------------------------------------------------------------


async def test_served_read_only_with_the_configured_settings(ds: Datasette, sample_catalogue: Path) -> None:
    (database,) = [d for d in await get_json(ds, "/-/databases.json") if d["name"] == "catalogue"]
    assert database["is_mutable"] is True  # read-only, but not immutable: a verification shows at once
    settings = await get_json(ds, "/-/settings.json")
    assert settings["sql_time_limit_ms"] == 3000
    assert settings["suggest_facets"] is False
    assert settings["default_page_size"] == 50


@pytest.mark.parametrize(("method", "path"), [("post", "/catalogue/documents/-/insert"), ("get", "/a/b/c/d"),
                                             ("get", "/catalogue/nope"), ("post", "/-/nothing")])
async def test_a_route_that_does_not_exist_is_a_404(ds: Datasette, method: str, path: str) -> None:
    response = await getattr(ds.client, method)(path)
    assert response.status_code == 404


async def test_writes_are_refused(ds: Datasette) -> None:
    response = await ds.client.get("/catalogue.json", params={"sql": "delete from documents"})
    assert response.status_code == 400
    rows = await sql(ds, "select count(*) as n from documents")
    assert rows == [{"n": DOCUMENTS}]


async def test_the_served_connections_cannot_write(ds: Datasette) -> None:
    """Served mutable, but every connection the site reads with is opened read-only (mode=ro)."""
    await html(ds, "/")

    def write(conn: sqlite3.Connection) -> str:
        try:
            conn.execute("create table intruder (x)")
        except sqlite3.OperationalError as exc:
            return str(exc)
        return "written"

    assert await ds.get_database("catalogue").execute_fn(write) == "attempt to write a readonly database"


def test_serve_hands_the_socket_it_bound_to_the_server(sample_catalogue: Path, metadata_dir: Path,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, db)
    seen: dict[str, Any] = {}

    def run(server: Any, sockets: list[socket.socket] | None = None) -> None:
        (sock,) = sockets or [None]
        seen["port"] = sock.getsockname()[1]
        seen["listening"] = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        seen["app"] = server.config.app

    monkeypatch.setattr(publish.uvicorn.Server, "run", run)
    port = server_process.free_port()
    assert publish.serve(db, metadata_dir, host="127.0.0.1", port=port) == 0
    assert seen["port"] == port and seen["listening"] == 1 and seen["app"] is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.db"]


def test_serve_refuses_a_missing_database(tmp_path: Path, metadata_dir: Path) -> None:
    with pytest.raises(ProvcatError, match="catalogue not found"):
        publish.serve(tmp_path / "missing.db", metadata_dir)


def test_serve_refuses_a_file_that_is_not_a_database(tmp_path: Path, metadata_dir: Path) -> None:
    junk = tmp_path / "catalogue.db"
    junk.write_bytes(b"not a database at all, just some text that is long enough to look like a file\n" * 20)
    with pytest.raises(ProvcatError, match="is not a provcat catalogue") as err:
        publish.serve(junk, metadata_dir, port=0)
    assert str(err.value).startswith(f"{junk}: ")


def test_serve_publishes_no_other_applications_database(tmp_path: Path, metadata_dir: Path) -> None:
    other = tmp_path / "accounts.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("create table customers (name text, card text)")
    conn.commit()
    conn.close()
    with pytest.raises(ProvcatError, match="is not a provcat catalogue"):
        publish.serve(other, metadata_dir, port=0)


# ---------------------------------------------------------------------------------------------
# URLs in the metadata become links on every page: http(s) only
# ---------------------------------------------------------------------------------------------

NOT_WEB_URLS = ["javascript:alert(document.domain)", " JavaScript:alert(1)", "data:text/html,<b>x</b>",
                "vbscript:msgbox(1)", "//elsewhere.example/page", "file:///etc/passwd", "https://", "ftp://x.example/"]
URL_PLACES = [((), "license_url"), ((), "source_url"), ((), "about_url"),
              (("databases", "catalogue"), "license_url"), (("databases", "catalogue"), "about_url"),
              (("databases", "catalogue", "tables", "documents"), "source_url"),
              (("databases", "catalogue", "tables", "quotes"), "about_url"),
              (("databases", "catalogue", "queries", "integrity"), "license_url")]


def with_value(metadata: dict[str, Any], level: tuple[str, ...], key: str, value: Any) -> dict[str, Any]:
    node = metadata
    for part in level:
        node = node[part]
    node[key] = value
    return metadata


@pytest.mark.parametrize(("level", "key"), URL_PLACES)
@pytest.mark.parametrize("url", NOT_WEB_URLS)
def test_datasette_yml_urls_must_be_http(tmp_path: Path, metadata_dir: Path, level: tuple[str, ...], key: str,
                                         url: str) -> None:
    metadata = with_value(datasette_yml(metadata_dir), level, key, url)
    (tmp_path / publish.DATASETTE_METADATA).write_text(yaml.safe_dump(metadata), encoding="utf-8")
    with pytest.raises(ProvcatError) as err:
        publish.publication_metadata(tmp_path / "catalogue.db", tmp_path)
    field = ".".join((*level, key))
    assert str(err.value).startswith(f"{tmp_path / publish.DATASETTE_METADATA}: field '{field}': ")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("level", "key"), URL_PLACES)
def test_datasette_yml_http_urls_are_served(tmp_path: Path, metadata_dir: Path, level: tuple[str, ...],
                                            key: str) -> None:
    metadata = with_value(datasette_yml(metadata_dir), level, key, "HTTPS://example.org/about?x=1#y")
    (tmp_path / publish.DATASETTE_METADATA).write_text(yaml.safe_dump(metadata), encoding="utf-8")
    served = publish.publication_metadata(tmp_path / "other.db", tmp_path)
    renamed = tuple("other" if part == "catalogue" else part for part in level)
    node = served
    for part in renamed:
        node = node[part]
    assert node[key] == "HTTPS://example.org/about?x=1#y"


def test_a_column_described_as_source_url_is_not_a_link(metadata_dir: Path, tmp_path: Path) -> None:
    """``columns`` maps column names to descriptions: a column called source_url is text, not a URL."""
    assert datasette_yml(metadata_dir)["databases"]["catalogue"]["tables"]["documents"]["columns"]["source_url"]
    publish.publication_metadata(tmp_path / "catalogue.db", metadata_dir)


@pytest.mark.parametrize("field", ["licence_url", "source_url"])
def test_collection_yml_urls_must_be_http(tmp_path: Path, field: str) -> None:
    (tmp_path / "collection.yml").write_text(
        f"title: T\ndescription: D\nrights: R\ncurator: C\n{field}: 'javascript:alert(1)'\n", encoding="utf-8")
    with pytest.raises(ProvcatError) as err:
        publish.publication_metadata(tmp_path / "catalogue.db", tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'collection.yml'}: field '{field}': ")


#: Every attribute of a page that the browser follows or loads.
LINK_ATTRIBUTE = re.compile(r"""\b(?:href|src|action|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def is_safe_link(url: str) -> bool:
    """http(s), or on this site: a path from the root (not ``//host``), a query or a fragment."""
    url = url.strip()
    return bool(re.match(r"https?://\S", url, re.IGNORECASE)) or url.startswith(("#", "?")) or (
        url.startswith("/") and not url.startswith("//"))


async def test_every_link_on_the_pages_is_http_or_on_this_site(ds: Datasette) -> None:
    pages = ["/", "/catalogue", "/catalogue/documents", "/catalogue/documents/article", "/catalogue/documents/hostile",
             "/catalogue/documents/captions", "/catalogue/entities", "/catalogue/entities/peter-neumann",
             "/catalogue/entities/hostile-entity", "/catalogue/entities/isis", "/catalogue/search?q=alert",
             "/catalogue/integrity", "/catalogue/quotes", "/catalogue?sql=select+source_url+from+documents"]
    for path in pages:
        page = await html(ds, path)
        links = [a or b for a, b in LINK_ATTRIBUTE.findall(page)]
        assert links, path
        assert [url for url in links if not is_safe_link(url)] == [], path


# ---------------------------------------------------------------------------------------------
# Limits of the SQL functions and of the values a query can build
# ---------------------------------------------------------------------------------------------


async def sql_failure(ds: Datasette, query: str, **params: str) -> tuple[str, float]:
    """The error a query gives, and how long it took to give it."""
    started = time.perf_counter()
    response = await ds.client.get("/catalogue.json", params={"sql": query, **params})
    took = time.perf_counter() - started
    assert response.status_code == 400, response.text[:300]
    return str(response.json()["error"]), took


def test_the_limits_follow_from_the_largest_document() -> None:
    from provcat.build import MAX_DOCUMENT_BYTES

    assert MAX_HASHED_BYTES == MAX_DOCUMENT_BYTES
    assert MAX_VALUE_BYTES == 3 * MAX_DOCUMENT_BYTES


def test_decoded_text_is_at_most_three_utf8_bytes_per_byte() -> None:
    """The bound behind MAX_VALUE_BYTES: every encoding the reader may detect turns any one byte, and
    any two bytes, into at most three bytes of UTF-8 per byte."""
    import codecs

    from charset_normalizer.constant import IANA_SUPPORTED
    from charset_normalizer.utils import is_multi_byte_encoding

    singles = [bytes([b]) for b in range(256)]
    pairs = [bytes([a, b]) for a in range(128, 256) for b in range(256)]
    worst = 0.0
    for encoding in IANA_SUPPORTED:
        decoder = codecs.getdecoder(encoding)
        for data in singles + (pairs if is_multi_byte_encoding(encoding) else []):
            try:
                text, _ = decoder(data)
            except (UnicodeDecodeError, ValueError):
                continue
            worst = max(worst, len(text.encode("utf-8", "surrogatepass")) / len(data))
    assert 2 < worst <= 3


async def test_hashing_more_than_the_limit_is_refused_at_once(ds: Datasette) -> None:
    for value in (f"zeroblob({MAX_HASHED_BYTES + 1})", f"printf('%.*c', {MAX_HASHED_BYTES + 1}, 'x')"):
        for function in ("sha256_hex", "sha512_hex"):
            error, took = await sql_failure(ds, f"select {function}({value})")
            assert "too big" in error and took < 1.5, (function, value, error, took)


async def test_hashing_up_to_the_limit_works(ds: Datasette) -> None:
    (row,) = await sql(ds, f"select sha256_hex(zeroblob({MAX_HASHED_BYTES})) as d, "
                           "sha512_hex('h\u00e9') as t, sha256_hex(null) as n")
    assert row["d"] == hashlib.sha256(bytes(MAX_HASHED_BYTES)).hexdigest()
    assert row["t"] == hashlib.sha512("h\u00e9".encode()).hexdigest() and row["n"] is None


async def test_numbers_are_refused_not_hashed_as_zero_bytes(ds: Datasette) -> None:
    for query in ("select sha512_hex(900000000)", "select sha256_hex(1.5)"):
        _, took = await sql_failure(ds, query)
        assert took < 1.5, query


async def test_no_value_longer_than_the_limit_can_be_built(ds: Datasette) -> None:
    (row,) = await sql(ds, f"select length(zeroblob({MAX_VALUE_BYTES})) as n")
    assert row["n"] == MAX_VALUE_BYTES
    half = MAX_VALUE_BYTES // 2
    for query in (f"select length(zeroblob({MAX_VALUE_BYTES + 1}))",
                  f"select length(zeroblob({half + 1}) || zeroblob({half}))",
                  f"select length(cast(zeroblob({half + 1}) as text) || cast(zeroblob({half}) as text))"):
        error, took = await sql_failure(ds, query)
        assert "too big" in error and took < 1.5, (query, error)
    (row,) = await sql(ds, f"select printf('%.*c', {MAX_VALUE_BYTES + 1}, 'x') is null as refused")
    assert row["refused"] == 1  # printf gives NULL rather than build it


async def test_many_hash_calls_stop_at_the_time_limit(ds: Datasette) -> None:
    """The time limit is checked every thousand SQLite instructions, which can be hundreds of calls of
    a function: the hash functions check it too."""
    rows = "(with recursive r(x) as (select 1 union all select x + 1 from r where x < 60) select x from r)"
    error, took = await sql_failure(ds, f"select sha512_hex(zeroblob(20000000 + x % 2)) from {rows}",
                                    _timelimit="200")
    assert "took too long" in error and took < 1.2, (error, took)


async def test_a_search_longer_than_the_limit_is_refused(ds: Datasette) -> None:
    (row,) = await sql(ds, f"select length(fts_escape(printf('%.*c', {MAX_SEARCH_CHARACTERS}, 'x'))) as n")
    assert row["n"] == MAX_SEARCH_CHARACTERS + 2
    error, _ = await sql_failure(ds, f"select fts_escape(printf('%.*c', {MAX_SEARCH_CHARACTERS + 1}, 'x'))")
    assert "too big" in error


async def test_an_immutable_catalogues_document_is_read_once_and_shown_the_same(
        sample_catalogue: Path, metadata_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_reading, "READING_CACHE", document_reading.ReadingCache(10_000_000))
    reads: list[str] = []
    read_document = document_reading.read_document

    def counting(conn: Any, document_id: str) -> Any:
        reads.append(document_id)
        return read_document(conn, document_id)

    monkeypatch.setattr(document_reading, "read_document", counting)
    ds = publish.datasette_instance(sample_catalogue, metadata_dir)
    first = await html(ds, "/catalogue/documents/article")
    second = await html(ds, "/catalogue/documents/article")
    assert reads == ["article"]  # the text cell and the page share one reading; the next request reuses it
    varying = re.compile(r'name="csrftoken" value="[^"]*"|took [0-9.]+ms')
    assert varying.sub("", first) == varying.sub("", second) and 'class="provcat-quote' in second


async def test_a_mutable_catalogue_is_read_again_once_it_is_written(sample_catalogue: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_reading, "READING_CACHE", document_reading.ReadingCache(10_000_000))
    copy = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, copy)
    ds = Datasette(files=[str(copy)], template_dir=str(publish.TEMPLATES))
    before = await html(ds, "/catalogue/documents/article")
    await html(ds, "/catalogue/documents/article")
    assert len(document_reading.READING_CACHE.entries) == 1  # kept while the file is as it was
    tamper(copy, "article", b"Defectors speak out - edited\n")
    os.utime(copy, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # written later than before
    after = await html(ds, "/catalogue/documents/article")
    assert "Copy stored in the catalogue: intact" in before and "Copy stored in the catalogue: changed" in after


async def test_pages_are_titled_in_words(ds: Datasette) -> None:
    def title(page: str) -> str:
        found = re.search(r"<title>(.*?)</title>", page, re.S)
        assert found
        return found.group(1).strip()

    assert title(await html(ds, "/catalogue/documents")).startswith(f"Documents ({DOCUMENTS})")
    assert title(await html(ds, "/catalogue/fixity_runs")).startswith("Fixity runs (")
    assert title(await html(ds, "/catalogue/documents/article")) == "Defectors speak out · catalogue"
    assert title(await html(ds, "/catalogue/entities/peter-neumann")) == "Peter Neumann (person) · catalogue"


async def test_the_documents_list_leads_with_what_tells_documents_apart(ds: Datasette) -> None:
    page = await html(ds, "/catalogue/documents")
    head = page[page.index('<table class="rows-and-columns">'):]
    columns = re.findall(r'<th [^>]*data-column="([^"]+)"', head)
    assert columns[:7] == ["title", "type", "date", "publisher", "text", "id", "path"]
    assert columns.index("sha256") > columns.index("path") and "content" in columns
    first_row = head[head.index("<tbody>"):head.index("</tr>", head.index("<tbody>"))]
    assert re.findall(r'<td class="col-([\w-]+)', first_row)[:3] == ["title", "type", "date"]
    other = await html(ds, "/catalogue/quotes")  # other tables keep the table's own order
    rows = other[other.index('<table class="rows-and-columns">'):]
    assert re.findall(r'<th [^>]*data-column="([^"]+)"', rows)[0] == "id"
