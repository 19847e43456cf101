"""Datasette's hooks: the provcat plugin (the ``datasette`` entry point in pyproject.toml). Each hook
hands the work to the module that does it.

* ``prepare_connection``: the SQL functions and the limits on a served query
  (:mod:`provcat.site.sql_functions`), and memory-mapped reads.
* ``render_cell``: a document's cells and the rows of the questions and of SQL (:mod:`provcat.site.cells`).
* ``asgi_wrapper``: what the hooks keep for each request (:mod:`provcat.site.served_request`).
* ``register_routes``: the integrity page (:mod:`provcat.site.integrity_pages`), the search page
  (:mod:`provcat.site.search_page`), a document's download and record
  (:mod:`provcat.site.document_files`), the evidence of each quote and mention and the glossary of
  methods (:mod:`provcat.site.evidence_pages`), the review queue (:mod:`provcat.site.review_queue`).
* ``startup``: plain tracebacks (:mod:`provcat.site.plain_tracebacks`), the metadata shared instead
  of copied (:mod:`provcat.site.served_metadata`), Datasette's time limit made visible to the hash
  functions and their refusals kept out of the server's log (:mod:`provcat.site.sql_functions`).
* ``extra_template_vars``: the home page (:mod:`provcat.site.home_page`) and the row pages of a
  document (:mod:`provcat.site.document_page`; opened from a search, its matches:
  :mod:`provcat.site.document_hits`) and of an entity (:mod:`provcat.site.entity_page`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.utils import urlsafe_components
from markupsafe import Markup

from . import cells, document_files, evidence_pages, integrity_pages, review_queue, search_page
from .document_hits import document_hit_vars
from .document_page import document_page_vars, document_views
from .entity_page import entity_page_vars
from .home_page import index_page_vars
from .plain_tracebacks import plain_tracebacks
from .served_metadata import remember_table_allows, share_metadata_copies
from .served_request import ASGIApp, remember_path
from .sql_functions import MAX_VALUE_BYTES, quiet_function_refusals, register_functions, track_query_deadlines
from .urls import DOCUMENTS, ENTITIES

#: How much of a catalogue each connection reads through memory-mapped I/O instead of a read call
#: per page: searches and facets look up thousands of scattered rows (measured: a facet over 47,000
#: search matches in a 2 GB catalogue, 60 ms -> 35 ms). Address space only; the pages are the
#: operating system's file cache, shared by every connection.
MMAP_BYTES = 1 << 34


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    # Datasette's own scratch database (``_memory``, for /-/versions.json) is not among its
    # databases: no documents there, no addresses of quotes
    served = datasette is not None and database in datasette.databases
    register_functions(conn, str(datasette.urls.table(database, DOCUMENTS)) if served else None)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"pragma mmap_size = {MMAP_BYTES}")


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | Callable[[], Awaitable[Any]] | None:
    return cells.render_cell(row, value, column, table, database, datasette)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    return lambda app: remember_path(app, datasette)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(integrity_pages.INTEGRITY_ROUTE, integrity_pages.integrity_page),
            (search_page.SEARCH_ROUTE, search_page.search_page),
            *document_files.ROUTES, *evidence_pages.ROUTES, *review_queue.ROUTES]


@hookimpl
def startup(datasette: Any) -> None:
    plain_tracebacks()
    share_metadata_copies(datasette)
    remember_table_allows(datasette)
    track_query_deadlines()
    quiet_function_refusals()


def _single_pk(request: Any) -> str | None:
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    return pks[0] if len(pks) == 1 else None


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None, view_name: str,
                        request: Any, datasette: Any) -> Callable[[], Awaitable[dict[str, Any]]] | None:
    if view_name == "index":
        return lambda: index_page_vars(datasette, request)
    if view_name != "row" or table not in (DOCUMENTS, ENTITIES) or database is None or request is None:
        return None
    page_vars = document_page_vars if table == DOCUMENTS else entity_page_vars

    async def inner() -> dict[str, Any]:
        pk = _single_pk(request)
        if pk is None:
            return {}
        found = await page_vars(datasette, database, pk)
        if table == DOCUMENTS and found:
            found.update(document_views(request.path, request.args.get("q"), request.args.get("view")))
        if table == DOCUMENTS and found and request.args.get("q"):
            found.update(await document_hit_vars(datasette, database, pk, request.args.get("q"),
                                                 found.get("provcat_view", "reading")))
        return found

    return inner
