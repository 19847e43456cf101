"""Searching a catalogue's indexes for the search page: documents and quotes each ranked in its own
index and counted exactly, a page of each with snippets made for its rows only, facets of the best
matching documents, filters, stemming and prefixes, and a catalogue built before stemming searched
as it is."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalogue_factory import SampleDocument, SampleQuote, build_catalogue, unstem
from datasette.database import QueryInterrupted

from provcat import publish
from provcat.site import search_index
from provcat.site.search_index import FACET_WINDOW, PAGE_SIZE, Filters, is_stemmed, plain_terms, run_search
from provcat.site.search_syntax import parse
from provcat.site.snippets import SNIPPET_CLOSE, SNIPPET_OPEN


@pytest.fixture
def conn(sample_catalogue: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{sample_catalogue.as_uri()}?mode=ro", uri=True)
    yield connection
    connection.close()


def search(conn: sqlite3.Connection, typed: str, **kw: object) -> search_index.SearchResults:
    filters = Filters(**{k: v for k, v in kw.items() if k in Filters.NAMES})  # type: ignore[arg-type]
    offsets = {k: v for k, v in kw.items() if k not in Filters.NAMES}
    return run_search(conn, parse(typed), filters, **offsets)  # type: ignore[arg-type]


def document_ids(results: search_index.SearchResults) -> list[str]:
    assert results.documents is not None
    return [hit.id for hit in results.documents.rows]


def test_documents_and_quotes_are_ranked_apart_each_in_its_own_index(conn: sqlite3.Connection) -> None:
    results = search(conn, "protecting")
    ranked_documents = [r[0] for r in conn.execute(
        "select d.id from documents_fts f join documents d on d.rowid = f.rowid "
        "where documents_fts match '\"protecting\"' order by f.rank")]
    ranked_quotes = [r[0] for r in conn.execute(
        "select q.id from quotes_fts f join quotes q on q.rowid = f.rowid "
        "where quotes_fts match '\"protecting\"' order by f.rank")]
    assert document_ids(results) == ranked_documents and results.documents.count == len(ranked_documents)
    assert results.quotes is not None
    assert [hit.id for hit in results.quotes.rows] == ranked_quotes and results.quotes.count == len(ranked_quotes)
    assert document_ids(results)[0] == "article"  # the short text ranks first in its own index


def test_a_speaker_match_shows_the_quotes_own_words(conn: sqlite3.Connection) -> None:
    results = search(conn, "director")  # a label: "The director"
    assert results.quotes is not None
    (hit,) = [h for h in results.quotes.rows if h.speaker == "The director"]
    assert hit.snippet == "most of them left because of the brutality"  # not the speaker column
    assert hit.speaker_marked == f"The {SNIPPET_OPEN}director{SNIPPET_CLOSE}"
    assert hit.speaker_name == "Peter Neumann" and hit.document_title == "Defectors speak out"


def test_snippets_mark_the_matching_words_and_the_title(conn: sqlite3.Connection) -> None:
    results = search(conn, "unique opportunity")
    (hit,) = results.documents.rows  # type: ignore[union-attr]
    assert f"{SNIPPET_OPEN}unique{SNIPPET_CLOSE} {SNIPPET_OPEN}opportunity{SNIPPET_CLOSE}" in hit.snippet
    assert hit.text_matched and hit.title_marked == "Defectors speak out"
    title_only = search(conn, "captions")  # only in a title
    (hit,) = title_only.documents.rows  # type: ignore[union-attr]
    assert not hit.text_matched and SNIPPET_OPEN in (hit.title_marked or "")


def test_stemmed_words_and_prefixes_find_their_documents(conn: sqlite3.Connection) -> None:
    assert results_stemmed(conn)
    singular, plural = set(document_ids(search(conn, "defector"))), set(document_ids(search(conn, "defectors")))
    assert singular == plural and {"article", "002_bfaa0521dbc1feff"} <= singular  # "defectors", "defector"
    assert set(document_ids(search(conn, "defect*"))) == singular
    assert set(document_ids(search(conn, "brutal*"))) >= {"article"}


def results_stemmed(conn: sqlite3.Connection) -> bool:
    return search(conn, "x").stemmed


def test_a_catalogue_built_before_stemming_is_searched_as_it_is(sample_catalogue: Path, tmp_path: Path) -> None:
    old = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, old)
    unstem(old)
    with sqlite3.connect(old) as connection:
        plural = search(connection, "defectors")
        assert not plural.stemmed
        assert "article" in document_ids(plural)
        assert "article" not in document_ids(search(connection, "defector"))  # words as written
        assert "article" in document_ids(search(connection, "defect*"))  # prefixes without a prefix index
        assert plural.quotes is not None and plural.quotes.count >= 1


def test_is_stemmed_reads_the_tokenizer_of_the_index() -> None:
    assert is_stemmed("CREATE VIRTUAL TABLE [d] USING FTS5 ([t], tokenize='porter unicode61', content=[x])")
    assert not is_stemmed('CREATE VIRTUAL TABLE "d" USING FTS5 ("t", content="x")')
    assert not is_stemmed('CREATE VIRTUAL TABLE "porter" USING FTS5 ("t", content="x")')


def many_matches(tmp_path: Path, n: int = 65) -> Path:
    documents = []
    for k in range(n):
        said = f"The harbour {'is quiet' if k % 3 else 'opens'} today{', says the pilot' * (k % 7)}"
        documents.append(SampleDocument(f"d{k:03d}", f"Harbour report {k}", "article" if k % 4 else "transcript",
                                        f"Report {k}{' and the tide turns' * (k % 11)}. {said}.".encode(),
                                        quotes=[SampleQuote(said, "The pilot")]))
    db = build_catalogue(tmp_path / "catalogue.db", documents, entities=[])
    with sqlite3.connect(db) as connection:
        connection.execute("update documents set date = printf('%d-05-01', 2000 + rowid % 3), "
                           "publisher = case when rowid % 2 then 'The Harbour Gazette' end")
    return db


def test_counts_are_exact_and_pages_follow_the_ranking(tmp_path: Path) -> None:
    with sqlite3.connect(many_matches(tmp_path)) as connection:
        ranked = [r[0] for r in connection.execute(
            "select d.id from documents_fts f join documents d on d.rowid = f.rowid "
            "where documents_fts match '\"harbour\"' order by f.rank")]
        first = search(connection, "harbour")
        second = search(connection, "harbour", documents_offset=PAGE_SIZE, quotes_offset=PAGE_SIZE)
        assert first.documents is not None and first.quotes is not None
        assert first.documents.count == 65 and first.quotes.count == 65
        assert document_ids(first) == ranked[:PAGE_SIZE] and document_ids(second) == ranked[PAGE_SIZE:2 * PAGE_SIZE]
        assert second.quotes is not None and second.quotes.offset == PAGE_SIZE and len(second.quotes.rows) == PAGE_SIZE
        last = search(connection, "harbour", documents_offset=60)
        assert len(last.documents.rows) == 5  # type: ignore[union-attr]


def test_facets_count_the_matching_documents_and_filters_narrow_both_sections(tmp_path: Path) -> None:
    with sqlite3.connect(many_matches(tmp_path)) as connection:
        results = search(connection, "harbour")
        facets = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
        assert facets["type"] == dict(connection.execute("select type, count(*) from documents group by type"))
        assert facets["year"] == {"2000": 21, "2001": 22, "2002": 22}
        assert facets["publisher"] == {"The Harbour Gazette": 33}
        transcripts = search(connection, "harbour", type="transcript")
        assert transcripts.documents is not None and transcripts.quotes is not None
        assert transcripts.documents.count == facets["type"]["transcript"] == transcripts.quotes.count
        both = search(connection, "harbour", type="transcript", year="2001")
        assert both.documents is not None
        assert both.documents.count == connection.execute(
            "select count(*) from documents where type = 'transcript' and date like '2001%'").fetchone()[0]
        assert search(connection, "harbour", publisher="Nobody").documents.count == 0  # type: ignore[union-attr]


def test_speaker_and_entity_facets_and_filters(conn: sqlite3.Connection) -> None:
    results = search(conn, "syria")
    speakers = {v.value: (v.label, v.count) for v in results.facets["speaker"]}
    entities = {v.value: v.count for v in results.facets["entity"]}
    assert speakers["peter-neumann"] == ("Peter Neumann (person)", 2)  # the article and the captions
    assert entities["syria"] == 3  # of the 4 documents naming Syria, 3 have it as a mention
    narrowed = search(conn, "syria", speaker="peter-neumann")
    assert set(document_ids(narrowed)) == {"article", "captions"}
    assert narrowed.quotes is not None and {h.speaker_entity_id for h in narrowed.quotes.rows} == {"peter-neumann"}
    cited = search(conn, "syria", entity="icsr")
    assert document_ids(cited) == ["article"]


def test_facets_are_counted_over_the_best_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "FACET_WINDOW", 10)
    with sqlite3.connect(many_matches(tmp_path)) as connection:
        results = search(connection, "harbour")
        assert results.facet_window == 10 and results.documents.count == 65  # type: ignore[union-attr]
        assert sum(v.count for v in results.facets["type"]) == 10
    assert FACET_WINDOW == 500


def test_snippets_are_made_for_the_page_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    rows = search_index._rows

    def recording(conn: sqlite3.Connection, sql: str, params: dict[str, object]) -> list[object]:
        if "snippet(" in sql:
            asked.append(str(params["rowids"]))
        return rows(conn, sql, params)

    monkeypatch.setattr(search_index, "_rows", recording)
    with sqlite3.connect(many_matches(tmp_path)) as connection:
        search(connection, "harbour")
    assert len(asked) == 2 and all(len(r.strip("[]").split(",")) == PAGE_SIZE for r in asked)


def test_nothing_to_find_runs_no_search(conn: sqlite3.Connection) -> None:
    results = search(conn, "…")
    assert results.fts is None and results.documents is None and results.quotes is None


def test_plain_terms_are_the_words_without_operators() -> None:
    assert plain_terms(parse("tax OR budget -sport")).fts == '"tax" "budget"'


async def test_a_search_past_the_time_limit_is_interrupted(sample_catalogue: Path, metadata_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def endless(conn: sqlite3.Connection, *args: object) -> object:
        return conn.execute("with recursive c(x) as (select 1 union all select x + 1 from c) "
                            "select count(*) from c").fetchone()

    monkeypatch.setattr(search_index, "run_search", endless)
    ds = publish.datasette_instance(sample_catalogue, metadata_dir)
    ds._settings["sql_time_limit_ms"] = 50
    with pytest.raises(QueryInterrupted):
        await search_index.search(ds, "catalogue", parse("x"), Filters())
