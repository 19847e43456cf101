"""The home page: where to start (search, documents, entities and the integrity page), every canned
query in plain words, and the state of the archive at its latest verification. The search box goes
to the search page (:mod:`provcat.site.search_page`), with an example taken from the catalogue: the
name of the entity the most documents cite."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from datasette.database import Database, QueryInterrupted

from . import integrity_pages, review_queue, search_page
from .urls import DOCUMENTS, ENTITIES

START_HERE = (
    ("Search", "page", search_page.SEARCH_PATH, "Find words in the documents and in the quotes: each ranked "
                                                  "and counted apart, best matches first, the words marked "
                                                  "where they are found."),
    ("Documents", "table", DOCUMENTS, "Every archived document: open one to read it with its quotes "
                                      "and the people, organisations and places it names."),
    ("Entities", "table", ENTITIES, "The people, organisations and places the documents cite or quote, "
                                    "with the documents and quotes for each."),
    ("Integrity", "page", integrity_pages.INTEGRITY_PATH, "Whether the archive's files are still the exact "
                                                          "bytes catalogued: the latest verification, what it "
                                                          "found, and every run before it."),
    ("Review queue", "page", review_queue.REVIEW_PATH, "For curators: the machine's findings most worth a "
                                                       "look (type conflicts, unresolved speakers, low "
                                                       "confidence, entities in one document only), each "
                                                       "with the lines that would settle it."),
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
        if kind == "page":  # one of provcat's own pages, by its path
            url = datasette.urls.path(name.format(database=datasette.get_database(database).route))
        else:
            url = datasette.urls.query(database, name) if kind == "query" else datasette.urls.table(database, name)
        links.append(StartLink(title, str(url), description))
    return links


def query_links(datasette: Any, database: str, queries: dict[str, Any]) -> list[StartLink]:
    return [StartLink(str(q.get("title") or name), str(datasette.urls.query(database, name)),
                      str(q.get("description") or "")) for name, q in queries.items()]


#: The example in the search box: the name the most documents cite.
EXAMPLE_SQL = "select name from entities where name != '' order by documents desc, name limit 1"


async def search_example(db: Database) -> str | None:
    """An example of what to search for, from the catalogue: the name of its most cited entity."""
    try:
        rows = (await db.execute(EXAMPLE_SQL)).rows
    except (sqlite3.Error, QueryInterrupted):
        return None
    return str(rows[0][0]) if rows else None


async def index_page_vars(datasette: Any, request: Any) -> dict[str, Any]:
    catalogues = []
    for name, db in datasette.databases.items():
        if name.startswith("_") or not await is_catalogue(db):
            continue
        queries = await datasette.get_canned_queries(name, getattr(request, "actor", None))
        catalogues.append({"name": name, "search_url": search_page.search_url(datasette, name),
                           "search_example": await search_example(db),
                           "start": start_links(datasette, name, queries),
                           "queries": query_links(datasette, name, queries),
                           "integrity": await integrity_pages.archive_summary(datasette, name)})
    return {"provcat_catalogues": catalogues}
