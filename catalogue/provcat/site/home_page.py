"""The home page: where to start (search, documents, entities and the integrity page), every canned
query in plain words, and the state of the archive at its latest verification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datasette.database import Database

from . import integrity_pages
from .urls import DOCUMENTS, ENTITIES, SEARCH_QUERY

START_HERE = (
    ("Search", "query", SEARCH_QUERY, "Find words in the documents and in the quotes, best matches first."),
    ("Documents", "table", DOCUMENTS, "Every archived document: open one to read it with its quotes "
                                      "and the people, organisations and places it names."),
    ("Entities", "table", ENTITIES, "The people, organisations and places the documents cite or quote, "
                                    "with the documents and quotes for each."),
    ("Integrity", "page", integrity_pages.INTEGRITY_PATH, "Whether the archive's files are still the exact "
                                                          "bytes catalogued: the latest verification, what it "
                                                          "found, and every run before it."),
)


@dataclass(frozen=True)
class StartLink:
    title: str
    url: str
    description: str


async def is_catalogue(db: Database) -> bool:
    return bool(await db.table_exists(DOCUMENTS) and await db.table_exists(ENTITIES))


def start_links(datasette: Any, database: str, queries: dict[str, Any]) -> list[StartLink]:
    links = []
    for title, kind, name, description in START_HERE:
        if kind == "query" and name not in queries:
            continue
        if kind == "page":
            url = integrity_pages.integrity_url(datasette, database)
        else:
            url = datasette.urls.query(database, name) if kind == "query" else datasette.urls.table(database, name)
        links.append(StartLink(title, str(url), description))
    return links


def query_links(datasette: Any, database: str, queries: dict[str, Any]) -> list[StartLink]:
    return [StartLink(str(q.get("title") or name), str(datasette.urls.query(database, name)),
                      str(q.get("description") or "")) for name, q in queries.items()]


async def index_page_vars(datasette: Any, request: Any) -> dict[str, Any]:
    catalogues = []
    for name, db in datasette.databases.items():
        if name.startswith("_") or not await is_catalogue(db):
            continue
        queries = await datasette.get_canned_queries(name, getattr(request, "actor", None))
        search_url = str(datasette.urls.query(name, SEARCH_QUERY)) if SEARCH_QUERY in queries else None
        catalogues.append({"name": name, "search_url": search_url, "start": start_links(datasette, name, queries),
                           "queries": query_links(datasette, name, queries),
                           "integrity": await integrity_pages.archive_summary(datasette, name)})
    return {"provcat_catalogues": catalogues}
