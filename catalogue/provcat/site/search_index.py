"""Searching a catalogue's full-text indexes for the search page: documents and quotes each ranked
in their own index (BM25 scores of two indexes cannot be compared), counted exactly, a page of each
with its snippets, and facets of the matching documents.

Every query runs in one call on one of Datasette's read connections, under Datasette's SQL time
limit (``sql_time_limit_ms``) for the whole search: past it the search stops
(:class:`datasette.database.QueryInterrupted`). Snippets and highlighted titles are made only for
the rows of the page shown. The facets are counted over the best :data:`FACET_WINDOW` matching
documents (all of them when there are no more), so that a word found in half the archive does not
look up every document citing every entity.

A catalogue built before the indexes were stemmed (``tokenize`` without ``porter``: see
``provcat.store.SEARCH_TOKENIZER``) is searched as it is: words match as typed.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from datasette.database import QueryInterrupted

from .search_syntax import SearchQuery, parse
from .snippets import SNIPPET_CLOSE, SNIPPET_OPEN

DOCUMENTS_INDEX = "documents_fts"
QUOTES_INDEX = "quotes_fts"
#: Results on one page of each section.
PAGE_SIZE = 20
#: The furthest a search pages into its results (ranking reads every match anyway; the bound keeps
#: what one request sorts and sends small).
MAX_OFFSET = 10_000
#: The best matching documents the facets are counted over, and the values shown for each facet.
FACET_WINDOW = 500
FACET_VALUES = 10
#: Words of the snippet of a document's text, and of a quote's.
DOCUMENT_SNIPPET_TOKENS = 32
QUOTE_SNIPPET_TOKENS = 40
#: The longest filter value taken from a request (an entity id, a publisher).
MAX_FILTER_CHARACTERS = 500


@dataclass(frozen=True)
class Filters:
    """What narrows a search (plain query parameters): the document's type, publisher and year, a
    speaker quoted in it and an entity it cites (entity ids)."""

    type: str | None = None
    publisher: str | None = None
    year: str | None = None
    speaker: str | None = None
    entity: str | None = None

    NAMES = ("type", "publisher", "year", "speaker", "entity")

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Filters:
        def value(name: str) -> str | None:
            found = args.get(name)
            found = found.strip() if isinstance(found, str) else ""
            return found[:MAX_FILTER_CHARACTERS] or None

        return cls(*(value(name) for name in cls.NAMES))

    def items(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name in self.NAMES if getattr(self, name) is not None]

    def params(self) -> dict[str, str]:
        return dict(self.items())


#: How each filter narrows the documents (``d``: documents) and the quotes (``q``: quotes, ``d``:
#: the quote's document).
DOCUMENT_FILTERS = {
    "type": "d.type = :type",
    "publisher": "d.publisher = :publisher",
    "year": "substr(d.date, 1, 4) = :year",
    "speaker": "d.id in (select document_id from document_entities where entity_id = :speaker and role = 'speaker')",
    "entity": "d.id in (select document_id from document_entities where entity_id = :entity)",
}
QUOTE_FILTERS = {
    "type": "d.type = :type",
    "publisher": "d.publisher = :publisher",
    "year": "substr(d.date, 1, 4) = :year",
    "speaker": "q.speaker_entity_id = :speaker",
    "entity": "q.document_id in (select document_id from document_entities where entity_id = :entity)",
}


def _where(filters: Filters, clauses: Mapping[str, str]) -> str:
    return "".join(f" and {clauses[name]}" for name, _ in filters.items())


def ranked_documents_sql(filters: Filters) -> str:
    if not filters.items():
        return "select rowid from documents_fts where documents_fts match :query order by rank limit :limit"
    return ("select f.rowid from documents_fts f join documents d on d.rowid = f.rowid "
            f"where documents_fts match :query{_where(filters, DOCUMENT_FILTERS)} order by f.rank limit :limit")


def count_documents_sql(filters: Filters) -> str:
    if not filters.items():
        return "select count(*) from documents_fts where documents_fts match :query"
    return ("select count(*) from documents_fts f join documents d on d.rowid = f.rowid "
            f"where documents_fts match :query{_where(filters, DOCUMENT_FILTERS)}")


DOCUMENT_ROWS_SQL = f"""
select f.rowid, d.id, d.title, d.type, d.date, d.publisher,
       highlight(documents_fts, 0, :open, :close) as title_marked,
       snippet(documents_fts, 1, :open, :close, '…', {DOCUMENT_SNIPPET_TOKENS}) as snippet
from documents_fts f join documents d on d.rowid = f.rowid
where documents_fts match :query and f.rowid in (select value from json_each(:rowids))
"""

_QUOTE_JOINS = "join quotes q on q.rowid = f.rowid join documents d on d.id = q.document_id"


def ranked_quotes_sql(filters: Filters) -> str:
    if not filters.items():
        return ("select rowid from quotes_fts where quotes_fts match :query order by rank "
                "limit :limit offset :offset")
    return (f"select f.rowid from quotes_fts f {_QUOTE_JOINS} where quotes_fts match :query"
            f"{_where(filters, QUOTE_FILTERS)} order by f.rank limit :limit offset :offset")


def count_quotes_sql(filters: Filters) -> str:
    if not filters.items():
        return "select count(*) from quotes_fts where quotes_fts match :query"
    return (f"select count(*) from quotes_fts f {_QUOTE_JOINS} where quotes_fts match :query"
            f"{_where(filters, QUOTE_FILTERS)}")


QUOTE_ROWS_SQL = f"""
select f.rowid, q.id, q.document_id, d.title, q.speaker, q.speaker_entity_id, e.name, q.kind,
       snippet(quotes_fts, 0, :open, :close, '…', {QUOTE_SNIPPET_TOKENS}) as snippet,
       highlight(quotes_fts, 1, :open, :close) as speaker_marked
from quotes_fts f {_QUOTE_JOINS} left join entities e on e.id = q.speaker_entity_id
where quotes_fts match :query and f.rowid in (select value from json_each(:rowids))
"""

#: The fields the documents are faceted by, for the rowids of the best matches (``:rowids``): each
#: row looked up by its rowid, then counted here.
FIELD_FACETS_SQL = """
select type, publisher, case when date glob '[0-9][0-9][0-9][0-9]*' then substr(date, 1, 4) end
from documents where rowid in (select value from json_each(:rowids))
"""

#: Entities cited (any role) in the best matches, and those speaking in them: the most documents
#: first, counted in one pass over the documents' entities, named only for the few shown.
ENTITY_FACETS_SQL = f"""
with hits(id) as (select d.id from documents d where d.rowid in (select value from json_each(:rowids))),
counted(entity_id, documents, speaking) as materialized (
  select de.entity_id, count(*), sum(de.role = 'speaker')
  from document_entities de join hits h on h.id = de.document_id group by de.entity_id
),
shown(entity_id, documents, speaking) as (
  select * from (select * from counted order by documents desc, entity_id limit {FACET_VALUES + 1})
  union
  select * from (select * from counted where speaking > 0 order by speaking desc, entity_id
                 limit {FACET_VALUES + 1})
)
select s.entity_id, e.name, e.type, s.documents, s.speaking from shown s join entities e on e.id = s.entity_id
"""


@dataclass(frozen=True)
class DocumentHit:
    id: str
    title: str | None
    type: str | None
    date: str | None
    publisher: str | None
    title_marked: str | None
    snippet: str

    @property
    def text_matched(self) -> bool:
        """Whether the snippet of the text holds a match (else the title matched alone)."""
        return SNIPPET_OPEN in self.snippet


@dataclass(frozen=True)
class QuoteHit:
    id: int
    document_id: str
    document_title: str | None
    speaker: str | None
    speaker_entity_id: str | None
    speaker_name: str | None
    kind: str | None
    snippet: str
    speaker_marked: str | None


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: str | None = None  # an entity's name


@dataclass(frozen=True)
class Section:
    """One section of the results: how many match, where the page starts, its rows."""

    count: int
    offset: int
    rows: list[Any]


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    fts: str | None
    stemmed: bool
    documents: Section | None  # None when the catalogue has no such index
    quotes: Section | None
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facet_window: int = 0  # the documents the facets were counted over


def index_tokenizers(conn: sqlite3.Connection) -> dict[str, str]:
    """The full-text indexes the catalogue has, each with the SQL that made it."""
    rows = conn.execute("select name, sql from sqlite_master where type = 'table' and name in (?, ?)",
                        (DOCUMENTS_INDEX, QUOTES_INDEX)).fetchall()
    return {name: sql or "" for name, sql in rows}


def is_stemmed(create_sql: str) -> bool:
    """Whether an FTS5 table's ``CREATE VIRTUAL TABLE`` names the porter tokenizer."""
    sql = create_sql.lower()
    at = sql.find("tokenize")
    return at >= 0 and "porter" in sql[at:]


def plain_terms(query: SearchQuery) -> SearchQuery:
    """The same words with no operator: what is searched for if the index refuses a query."""
    return parse(" ".join(f'"{t.text}"' for t in query.terms) or query.typed.replace('"', " "))


def _rows(conn: sqlite3.Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
    return conn.execute(sql, params).fetchall()


def _in_order(rows: list[Any], rowids: list[int], make: Callable[[Any], Any]) -> list[Any]:
    by_rowid = {row[0]: row for row in rows}
    return [make(by_rowid[r]) for r in rowids if r in by_rowid]


def _documents(conn: sqlite3.Connection, fts: str, filters: Filters, offset: int,
               page_size: int) -> tuple[Section, list[int]]:
    """A page of the matching documents, and the rowids of the best ones (for the facets)."""
    params = {"query": fts, **filters.params()}
    window = max(FACET_WINDOW, offset + page_size)
    ranked = [r[0] for r in _rows(conn, ranked_documents_sql(filters), {**params, "limit": window})]
    count = len(ranked) if len(ranked) < window else _rows(conn, count_documents_sql(filters), params)[0][0]
    page = ranked[offset:offset + page_size]
    rows: list[DocumentHit] = []
    if page:
        found = _rows(conn, DOCUMENT_ROWS_SQL, {"query": fts, "rowids": json.dumps(page),
                                                "open": SNIPPET_OPEN, "close": SNIPPET_CLOSE})
        rows = _in_order(found, page, lambda r: DocumentHit(*tuple(r)[1:]))
    return Section(count, offset, rows), ranked[:FACET_WINDOW]


def _quotes(conn: sqlite3.Connection, fts: str, filters: Filters, offset: int, page_size: int) -> Section:
    params = {"query": fts, **filters.params()}
    page = [r[0] for r in _rows(conn, ranked_quotes_sql(filters), {**params, "limit": page_size, "offset": offset})]
    counted = offset == 0 and len(page) < page_size  # all of them are on the first page
    count = len(page) if counted else _rows(conn, count_quotes_sql(filters), params)[0][0]
    rows: list[QuoteHit] = []
    if page:
        found = _rows(conn, QUOTE_ROWS_SQL, {"query": fts, "rowids": json.dumps(page),
                                             "open": SNIPPET_OPEN, "close": SNIPPET_CLOSE})
        rows = _in_order(found, page, lambda r: QuoteHit(*tuple(r)[1:]))
    return Section(count, offset, rows)


def facets(conn: sqlite3.Connection, rowids: list[int]) -> dict[str, list[FacetValue]]:
    """Type, publisher, year, speakers and entities of the documents ``rowids``, the most frequent
    first (at most :data:`FACET_VALUES` + 1 of each: one more says there are more)."""
    if not rowids:
        return {}
    counted: dict[str, Counter[str]] = {"type": Counter(), "publisher": Counter(), "year": Counter()}
    for row in _rows(conn, FIELD_FACETS_SQL, {"rowids": json.dumps(rowids)}):
        for name, value in zip(counted, row, strict=True):
            if value is not None and value != "":
                counted[name][str(value)] += 1
    found: dict[str, list[FacetValue]] = {
        name: [FacetValue(value, n) for value, n in sorted(counts.items(), key=lambda v: (-v[1], v[0]))]
        [:FACET_VALUES + 1] for name, counts in counted.items()}
    entities = _rows(conn, ENTITY_FACETS_SQL, {"rowids": json.dumps(rowids)})

    def most(column: int) -> list[FacetValue]:
        """The entities counted in ``column`` (documents, or documents speaking), most first."""
        ranked = sorted((r for r in entities if r[column]), key=lambda r: (-r[column], r[1] or "", r[0]))
        return [FacetValue(r[0], r[column], f"{r[1]} ({r[2]})" if r[2] else r[1]) for r in ranked][:FACET_VALUES + 1]

    found["speaker"], found["entity"] = most(4), most(3)
    return {name: values for name, values in found.items() if values}


def run_search(conn: sqlite3.Connection, query: SearchQuery, filters: Filters, documents_offset: int = 0,
               quotes_offset: int = 0, page_size: int = PAGE_SIZE) -> SearchResults:
    """The search, in one call on one connection (the caller holds the time limit)."""
    indexes = index_tokenizers(conn)
    stemmed = is_stemmed(indexes.get(DOCUMENTS_INDEX, "")) or is_stemmed(indexes.get(QUOTES_INDEX, ""))
    fts = query.fts
    if fts is None:
        return SearchResults(query, None, stemmed, None, None)
    try:
        return _searched(conn, query, fts, indexes, filters, documents_offset, quotes_offset, page_size, stemmed)
    except sqlite3.OperationalError as error:
        if "fts5" not in str(error).lower() or error.args == ("interrupted",):
            raise
    plain = plain_terms(query)  # never expected: every term is quoted (search_syntax)
    if plain.fts is None:
        return SearchResults(query, None, stemmed, None, None)
    return _searched(conn, plain, plain.fts, indexes, filters, documents_offset, quotes_offset, page_size, stemmed)


def _searched(conn: sqlite3.Connection, query: SearchQuery, fts: str, indexes: Mapping[str, str], filters: Filters,
              documents_offset: int, quotes_offset: int, page_size: int, stemmed: bool) -> SearchResults:
    documents = quotes = None
    best: list[int] = []
    if DOCUMENTS_INDEX in indexes:
        documents, best = _documents(conn, fts, filters, documents_offset, page_size)
    if QUOTES_INDEX in indexes:
        quotes = _quotes(conn, fts, filters, quotes_offset, page_size)
    return SearchResults(query, fts, stemmed, documents, quotes, facets(conn, best), len(best))


async def search(datasette: Any, database: str, query: SearchQuery, filters: Filters, documents_offset: int = 0,
                 quotes_offset: int = 0, page_size: int = PAGE_SIZE) -> SearchResults:
    """:func:`run_search` on one of Datasette's read connections, under its SQL time limit for the
    whole search; past it, :class:`~datasette.database.QueryInterrupted`."""
    import datasette.database as datasette_database  # its time limit as provcat's hooks keep it

    db = datasette.get_database(database)
    limit_ms = datasette.setting("sql_time_limit_ms")

    def run(conn: sqlite3.Connection) -> SearchResults:
        with datasette_database.sqlite_timelimit(conn, limit_ms):
            try:
                return run_search(conn, query, filters, documents_offset, quotes_offset, page_size)
            except sqlite3.OperationalError as error:
                if error.args == ("interrupted",):
                    raise QueryInterrupted(error, "search", {"query": query.fts}) from error
                raise

    return await db.execute_fn(run)
