"""The search page: ``/<database>/-/search?q=…`` for any catalogue, and its JSON twin
(``/<database>/-/search.json?q=…``, or ``?_format=json``).

A plain form, then the matching documents and the matching quotes in two sections, each ranked in
its own index with its own count and pages (:mod:`provcat.site.search_index`). A document links to
its page with the search's words, so that the page marks them (``?q=…#hit-1``:
:mod:`provcat.site.document_hits`); a quote links to its place in its document (``#q-<id>``). Facets
narrow the search with plain query parameters (``type``, ``publisher``, ``year``, ``speaker``,
``entity``). The SQL the page runs is one link away, as Datasette's SQL page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from .search_index import (
    DOCUMENT_FILTERS,
    MAX_OFFSET,
    PAGE_SIZE,
    QUOTE_FILTERS,
    DocumentHit,
    FacetValue,
    Filters,
    QuoteHit,
    SearchResults,
    Section,
    search,
)
from .search_syntax import SearchQuery, parse
from .snippets import SNIPPET_CLOSE, SNIPPET_OPEN, snippet_markup
from .sql_functions import MAX_SEARCH_CHARACTERS
from .urls import document_url, entity_url

#: The search page of a catalogue, and its JSON.
SEARCH_PATH = "/{database}/-/search"
SEARCH_ROUTE = r"^/(?P<database>[^/]+)/-/search(?P<as_json>\.json)?$"
#: The canned queries a researcher can run instead, when Datasette's SQL page is closed.
DOCUMENTS_QUERY = "search_documents"
QUOTES_QUERY = "search_quotes"

OPERATORS = Markup('<code>"exact phrase"</code> · <code>word OR other</code> · <code>NOT word</code> or '
                   '<code>-word</code> to leave a word out · <code>begin*</code> for words beginning so')

FACET_TITLES = {"type": "Type", "publisher": "Publisher", "year": "Year", "speaker": "Speakers quoted",
                "entity": "Entities cited"}

#: The SQL behind the two sections, as a researcher would write it (Datasette's SQL page runs it):
#: ``:query`` is the FTS5 query the page made from the words typed.
DOCUMENTS_SQL = """select d.id as document_id, d.title as document, d.type, d.date, d.publisher,
  snippet(documents_fts, 1, char(57344), char(57345), '…', 32) as snippet
from documents_fts join documents d on d.rowid = documents_fts.rowid
where documents_fts match :query{filters}
order by documents_fts.rank"""
QUOTES_SQL = """select q.id as quote, d.title as document, q.document_id, coalesce(e.name, q.speaker) as speaker,
  q.speaker_entity_id, snippet(quotes_fts, 0, char(57344), char(57345), '…', 40) as snippet, q.kind
from quotes_fts join quotes q on q.rowid = quotes_fts.rowid join documents d on d.id = q.document_id
  left join entities e on e.id = q.speaker_entity_id
where quotes_fts match :query{filters}
order by quotes_fts.rank"""


def search_url(datasette: Any, database: str) -> str:
    return str(datasette.urls.path(SEARCH_PATH.format(database=datasette.get_database(database).route)))


def page_number(value: Any) -> int:
    """A page number from a query parameter: 1 unless a whole number from 1 to the last page a
    search reaches (:data:`MAX_OFFSET`)."""
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_OFFSET // PAGE_SIZE + 1)


@dataclass(frozen=True)
class SearchRequest:
    """What a request asks for: the words typed, the filters and the page of each section."""

    typed: str
    filters: Filters
    documents_page: int = 1
    quotes_page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> SearchRequest:
        typed = (args.get("q") or "")[:MAX_SEARCH_CHARACTERS]
        return cls(typed, Filters.from_args(args), page_number(args.get("documents_page", 1)),
                   page_number(args.get("quotes_page", 1)))

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query parameters of this search with ``changes`` (None removes one); a change of
        filter goes back to the first page of each section."""
        values: dict[str, Any] = {"q": self.typed, **self.filters.params(),
                                  "documents_page": self.documents_page, "quotes_page": self.quotes_page}
        if any(name in Filters.NAMES for name in changes):
            values.update(documents_page=1, quotes_page=1)
        values.update(changes)
        return [(k, str(v)) for k, v in values.items()
                if v is not None and v != "" and not (k.endswith("_page") and str(v) == "1")]


def _with(url: str, params: Sequence[tuple[str, str]], fragment: str = "") -> str:
    return f"{url}?{urlencode(params)}{fragment}" if params else f"{url}{fragment}"


def marked(text: str | None) -> Markup:
    """A snippet or highlighted value: escaped, its matches in ``<mark>``."""
    return snippet_markup(text or "")


def plain(text: str | None) -> str:
    return (text or "").replace(SNIPPET_OPEN, "").replace(SNIPPET_CLOSE, "")


def document_view(hit: DocumentHit, datasette: Any, database: str, typed: str) -> dict[str, Any]:
    url = document_url(datasette, database, hit.id)
    opened = _with(url, [("q", typed)], "#hit-1" if hit.text_matched else "")
    return {"id": hit.id, "title": hit.title or hit.id, "title_html": marked(hit.title_marked or hit.title or hit.id),
            "type": hit.type, "date": hit.date, "publisher": hit.publisher, "url": opened,
            "snippet": hit.snippet, "snippet_html": marked(hit.snippet)}


def quote_view(hit: QuoteHit, datasette: Any, database: str) -> dict[str, Any]:
    speaker = (hit.speaker_name or plain(hit.speaker_marked) or hit.speaker or "").strip() or "unattributed"
    attributed = (hit.speaker or "").strip()
    return {"id": hit.id, "document_id": hit.document_id, "document_title": hit.document_title or hit.document_id,
            "url": document_url(datasette, database, hit.document_id, hit.id), "kind": hit.kind,
            "speaker": speaker, "speaker_entity_id": hit.speaker_entity_id,
            "speaker_url": entity_url(datasette, database, hit.speaker_entity_id) if hit.speaker_entity_id else None,
            "attributed_as": attributed if attributed and attributed.casefold() != speaker.casefold() else None,
            "speaker_html": marked(hit.speaker_marked) if SNIPPET_OPEN in (hit.speaker_marked or "") else None,
            "snippet": hit.snippet, "snippet_html": marked(hit.snippet)}


def section_view(section: Section | None, request: SearchRequest, url: str, page_param: str,
                 rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    if section is None:
        return None
    page = getattr(request, page_param)
    last = min(section.offset + len(rows), section.count)
    more = section.offset + PAGE_SIZE < min(section.count, MAX_OFFSET + PAGE_SIZE)
    return {"count": section.count, "offset": section.offset, "limit": PAGE_SIZE, "rows": rows,
            "first": section.offset + 1 if rows else 0, "last": last,
            "previous": _with(url, request.params(**{page_param: page - 1})) if page > 1 else None,
            "next": _with(url, request.params(**{page_param: page + 1})) if more else None}


def facet_views(facets: dict[str, list[FacetValue]], request: SearchRequest, url: str) -> list[dict[str, Any]]:
    views = []
    for name, values in facets.items():
        current = getattr(request.filters, name)
        shown = [{"value": v.value, "label": v.label or v.value, "count": v.count, "active": v.value == current,
                  "url": _with(url, request.params(**{name: None if v.value == current else v.value}))}
                 for v in values[:-1 if len(values) > 10 else None]]
        views.append({"name": name, "title": FACET_TITLES[name], "options": shown, "more": len(values) > 10})
    return views


async def _entity_names(datasette: Any, database: str, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    db = datasette.get_database(database)
    found = await db.execute("select id, name from entities where id in (select value from json_each(:ids))",
                             {"ids": json.dumps(ids)})
    return {row[0]: row[1] for row in found.rows}


async def sql_links(datasette: Any, database: str, request: Any, results: SearchResults,
                    wanted: SearchRequest) -> dict[str, str]:
    """Where a researcher finds the SQL behind the search: Datasette's SQL page with the page's own
    queries, or, where SQL is closed, the canned queries."""
    if results.fts is None:
        return {}
    actor = getattr(request, "actor", None)
    if await datasette.permission_allowed(actor, "execute-sql", resource=database, default=True):
        base = str(datasette.urls.database(database))
        params = [("query", results.fts), *wanted.filters.items()]

        def link(sql: str, clauses: dict[str, str]) -> str:
            filters = "".join(f"\n  and {clauses[name]}" for name, _ in wanted.filters.items())
            return _with(base, [("sql", sql.format(filters=filters)), *params])

        return {"documents": link(DOCUMENTS_SQL, DOCUMENT_FILTERS), "quotes": link(QUOTES_SQL, QUOTE_FILTERS)}
    queries = await datasette.get_canned_queries(database, actor)
    return {key: _with(str(datasette.urls.query(database, name)), [("q", wanted.typed)])
            for key, name in (("documents", DOCUMENTS_QUERY), ("quotes", QUOTES_QUERY)) if name in queries}


def page_title(query: SearchQuery, site_title: str) -> str:
    terms = " ".join(query.typed.split())
    return f"Search: {terms} — {site_title}" if terms else f"Search — {site_title}"


async def search_context(datasette: Any, database: str, request: Any, wanted: SearchRequest) -> dict[str, Any]:
    """Everything the page (and its JSON) shows for ``wanted``."""
    query = parse(wanted.typed)
    url = search_url(datasette, database)
    error = None
    try:
        results = await search(datasette, database, query, wanted.filters,
                               (wanted.documents_page - 1) * PAGE_SIZE, (wanted.quotes_page - 1) * PAGE_SIZE)
    except QueryInterrupted:
        results, error = SearchResults(query, query.fts, False, None, None), (
            "This search took longer than the time limit for one request. Try fewer or rarer words, "
            "a phrase, or a filter.")
    documents = section_view(results.documents, wanted, url, "documents_page",
                             [document_view(h, datasette, database, wanted.typed)
                              for h in (results.documents.rows if results.documents else [])])
    quotes = section_view(results.quotes, wanted, url, "quotes_page",
                          [quote_view(h, datasette, database) for h in (results.quotes.rows if results.quotes else [])])
    filter_ids = [v for n, v in wanted.filters.items() if n in ("speaker", "entity")]
    names = await _entity_names(datasette, database, filter_ids)
    active = [{"name": n, "title": FACET_TITLES[n], "value": names.get(v, v),
               "url": _with(url, wanted.params(**{n: None}))} for n, v in wanted.filters.items()]
    site_title = str(datasette.metadata("title") or database)
    return {
        "database": database, "database_url": str(datasette.urls.database(database)), "search_url": url,
        "typed": wanted.typed, "understood": query.shown(), "notes": list(query.notes), "error": error,
        "searched": results.fts is not None, "stemmed": results.stemmed, "operators": OPERATORS,
        "documents": documents, "quotes": quotes,
        "facets": facet_views(results.facets, wanted, url), "facet_window": results.facet_window,
        "facets_partial": bool(documents and documents["count"] > results.facet_window),
        "filters": active, "filters_hidden": wanted.filters.items(),
        "json_url": _with(url + ".json", wanted.params()),
        "sql": await sql_links(datasette, database, request, results, wanted),
        "fts": results.fts, "page_title": page_title(query, site_title),
    }


def json_body(context: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a search: the same results as the page, with counts, offsets and pages."""

    def section(found: dict[str, Any] | None, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if found is None:
            return None
        return {"count": found["count"], "offset": found["offset"], "limit": found["limit"],
                "next": found["next"], "previous": found["previous"],
                "rows": [{k: row[k] for k in keys} for row in found["rows"]]}

    return {
        "q": context["typed"], "understood_as": context["understood"], "fts_query": context["fts"],
        "stemmed": context["stemmed"], "notes": context["notes"], "error": context["error"],
        "filters": dict(context["filters_hidden"]),
        "documents": section(context["documents"], ("id", "title", "type", "date", "publisher", "url", "snippet")),
        "quotes": section(context["quotes"], ("id", "document_id", "document_title", "url", "speaker",
                                              "speaker_entity_id", "attributed_as", "kind", "snippet")),
        "facets": {f["name"]: [{k: v[k] for k in ("value", "label", "count", "url")} for v in f["options"]]
                   for f in context["facets"]},
        "facets_counted_over": context["facet_window"],
        "snippet_markers": [SNIPPET_OPEN, SNIPPET_CLOSE],
        "sql": context["sql"],
    }


async def search_page(datasette: Any, request: Any) -> Response:
    """/<database>/-/search: the page; with ``.json`` or ``?_format=json``, its JSON."""
    route = request.url_vars["database"]
    try:
        db = datasette.get_database(route=route)
    except KeyError:
        raise NotFound(f"no catalogue {route}") from None
    if not await db.table_exists("documents"):
        raise NotFound(f"{route} is not a catalogue")
    wanted = SearchRequest.from_args(request.args)
    context = await search_context(datasette, db.name, request, wanted)
    if request.url_vars.get("as_json") or request.args.get("_format") == "json":
        return Response.json(json_body(context))
    return Response.html(await datasette.render_template("provcat_search.html", context, request=request))
