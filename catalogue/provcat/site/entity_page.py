"""An entity's row page: what it shows (the template variables): its names, the documents citing it
and the quotes credited to it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from datasette.database import Database, QueryInterrupted

from .formatting import confidence_text, excerpt, wikidata_url
from .urls import document_url

#: Rows listed on an entity page before pointing to the full table.
ENTITY_PAGE_LIMIT = 200

ENTITY_SQL = "select id, name, type, source, wikidata from entities where id = :id"
ALIASES_SQL = "select alias from entity_aliases where entity_id = :id order by alias collate nocase"
CITING_SQL = """
select de.document_id, d.title, d.type, de.role, de.mentions, de.quotes
from document_entities de join documents d on d.id = de.document_id
where de.entity_id = :id
order by de.mentions + de.quotes desc, d.title, de.document_id
limit :limit
"""
CITING_COUNT_SQL = "select count(*) from document_entities where entity_id = :id"
CREDITED_SQL = """
select q.id, q.document_id, d.title, q.speaker, q.text, q.kind, q.method, q.confidence
from quotes q join documents d on d.id = q.document_id
where q.speaker_entity_id = :id
order by d.title, q.document_id, q.start
limit :limit
"""
CREDITED_COUNT_SQL = "select count(*) from quotes where speaker_entity_id = :id"

#: Characters of a quote shown in lists.
QUOTE_EXCERPT_CHARACTERS = 400


@dataclass(frozen=True)
class CitingDocument:
    document_id: str
    title: str
    type: str
    role: str
    mentions: int
    quotes: int
    url: str


@dataclass(frozen=True)
class CreditedQuote:
    id: int
    document_id: str
    document_title: str
    speaker: str | None
    text: str
    kind: str
    method: str
    confidence: str
    url: str


def _filtered(datasette: Any, database: str, table: str, column: str, value: str) -> str:
    """The table page of ``table`` showing the rows where ``column`` equals ``value``."""
    return f"{datasette.urls.table(database, table)}?{urlencode({column: value})}"


async def _count(db: Database, sql: str, entity_id: str) -> int:
    row = (await db.execute(sql, {"id": entity_id})).first()
    return int(row[0]) if row is not None else 0


async def entity_page_vars(datasette: Any, database: str, entity_id: str) -> dict[str, Any]:
    db = datasette.get_database(database)
    params = {"id": entity_id, "limit": ENTITY_PAGE_LIMIT}
    try:
        entity = (await db.execute(ENTITY_SQL, params)).first()
        if entity is None:
            return {}
        aliases = [r[0] for r in (await db.execute(ALIASES_SQL, params)).rows]
        citing = (await db.execute(CITING_SQL, params)).rows
        credited = (await db.execute(CREDITED_SQL, params)).rows
        citing_total = await _count(db, CITING_COUNT_SQL, entity_id)
        credited_total = await _count(db, CREDITED_COUNT_SQL, entity_id)
    except (sqlite3.Error, QueryInterrupted):
        return {}

    def link(document_id: str, quote_id: int | None = None) -> str:
        return document_url(datasette, database, document_id, quote_id)

    documents = [CitingDocument(r[0], r[1] or r[0], r[2], r[3], r[4], r[5] or 0, link(r[0])) for r in citing]
    quotes = [CreditedQuote(r[0], r[1], r[2] or r[1], r[3], excerpt(r[4] or "", QUOTE_EXCERPT_CHARACTERS),
                            r[5], r[6], confidence_text(r[7]), link(r[1], r[0])) for r in credited]
    return {"provcat_entity": {
        "id": entity["id"], "name": entity["name"], "type": entity["type"], "source": entity["source"],
        "wikidata": entity["wikidata"], "wikidata_url": wikidata_url(entity["wikidata"]),
        "aliases": [a for a in aliases if a != entity["name"]],
        "documents": documents, "documents_total": citing_total,
        "documents_all_url": _filtered(datasette, database, "document_entities", "entity_id", entity_id),
        "quotes": quotes, "quotes_total": credited_total,
        "quotes_all_url": _filtered(datasette, database, "quotes", "speaker_entity_id", entity_id),
    }}
