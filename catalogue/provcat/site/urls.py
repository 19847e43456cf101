"""The addresses of the site's pages: the tables and the canned query the site knows by name, a
document's page (at a quote's anchor), an entity's page, and which page a request is for. Table and
query URLs are built once per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datasette.utils import tilde_encode

from .highlight import quote_anchor
from .served_request import served_request

DOCUMENTS = "documents"
ENTITIES = "entities"
#: The canned query that searches documents and quotes together (catalogue/provcat/publication.yml).
SEARCH_QUERY = "search"


def _url_once(key: tuple[str, str, str], build: Callable[[], object]) -> str:
    served = served_request()
    if served is not None and key in served.urls:
        return served.urls[key]
    url = str(build())
    if served is not None:
        served.urls[key] = url
    return url


def database_url(datasette: Any, database: str) -> str:
    """``datasette.urls.database``, built once per request."""
    return _url_once(("database", database, ""), lambda: datasette.urls.database(database))


def table_url(datasette: Any, database: str, table: str) -> str:
    """``datasette.urls.table``, built once per request."""
    return _url_once(("table", database, table), lambda: datasette.urls.table(database, table))


def query_url(datasette: Any, database: str, query: str) -> str:
    """``datasette.urls.query``, built once per request."""
    return _url_once(("query", database, query), lambda: datasette.urls.query(database, query))


def document_url(datasette: Any, database: str, document_id: str, quote_id: object = None) -> str:
    """The row page of a document, at a quote's anchor when ``quote_id`` is given."""
    url = f"{table_url(datasette, database, DOCUMENTS)}/{tilde_encode(document_id)}"
    anchor = quote_anchor(int(quote_id)) if isinstance(quote_id, int) else None
    return f"{url}#{anchor}" if anchor else url


def entity_url(datasette: Any, database: str, entity_id: str) -> str:
    return f"{table_url(datasette, database, ENTITIES)}/{tilde_encode(entity_id)}"


#: A quote's or a mention's evidence page (its permalink), and the glossary of methods.
EVIDENCE_PATH = "/{database}/-/evidence/{kind}/{id}"
METHODS_PATH = "/{database}/-/methods"


def evidence_url(datasette: Any, database: str, kind: str, assertion_id: int) -> str:
    """The evidence page of a quote (``kind`` "quote") or a mention ("mention")."""
    route = datasette.get_database(database).route
    return datasette.urls.path(EVIDENCE_PATH.format(database=route, kind=kind, id=int(assertion_id)))


def methods_url(datasette: Any, database: str) -> str:
    """The glossary of methods, with what this catalogue's assertions use."""
    return _url_once(("methods", database, ""), lambda: datasette.urls.path(
        METHODS_PATH.format(database=datasette.get_database(database).route)))


def is_row_page(path: str | None, table_url: str) -> bool:
    """Whether a request path is the HTML row page of a row of the table at ``table_url``."""
    if not path or not path.startswith(table_url + "/"):
        return False
    rest = path[len(table_url) + 1:]
    return bool(rest) and "/" not in rest and not rest.endswith((".json", ".csv", ".blob"))


def is_page(path: str | None, url: str) -> bool:
    """Whether a request path is the HTML page at ``url`` (a table or a canned query)."""
    return bool(path) and path == url
