"""An entity's row page: what it shows (the template variables): its names, the documents citing it
and the quotes credited to it."""

from __future__ import annotations

import datetime
import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from datasette.database import Database, QueryInterrupted

from ..models import IDENTIFIER_PATTERNS
from .curation_lines import entity_actions
from .formatting import confidence_text, excerpt, wikidata_url
from .urls import document_url, evidence_url

#: Rows listed on an entity page before pointing to the full table.
ENTITY_PAGE_LIMIT = 200

ENTITY_SQL = "select * from entities where id = :id"  # a catalogue of an earlier version has fewer identifiers
#: The curation actions that shaped the entity, in the order of the curation file.
CURATION_SQL = """
select c.action_id, c.effect, a.action, a.curator, a.date, a.why, a.file
from entity_curation c join curation_actions a on a.id = c.action_id
where c.entity_id = :id
order by c.action_id, c.effect
limit :limit
"""
#: Identifiers an authority record can carry, with the address of each authority's page.
IDENTIFIERS = (
    ("viaf", "VIAF", "https://viaf.org/viaf/{}"),
    ("lcnaf", "LCNAF", "https://id.loc.gov/authorities/names/{}.html"),
    ("geonames", "GeoNames", "https://www.geonames.org/{}"),
)
ALIASES_SQL = "select * from entity_aliases where entity_id = :id order by alias collate nocase"
#: How a form of the name was joined to the entity (entity_aliases.method), in words.
JOINED_BY = {
    "same name": "the same name written otherwise",
    "authority": "in the authority file",
    "curated": "curated in a sidecar",
    "curation": "by a curation action",
    "short form": "a short form of the full name in the same document",
    "gazetteer:country": "the gazetteer's country",
    "gazetteer:iso-3166": "its ISO 3166 code",
    "gazetteer:us-state": "the gazetteer's US state",
    "as extracted": "as extracted",
}
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
#: Each mention in its context: the words before and after it in the document's text.
IN_CONTEXT_SQL = """
select m.id, m.document_id, d.title, m.surface, m.method, m.confidence,
       substr(d.text, max(1, m.start + 1 - :context), min(:context, m.start)) as before,
       substr(d.text, m."end" + 1, :context) as after
from mentions m join documents d on d.id = m.document_id
where m.entity_id = :id
order by d.title, m.document_id, m.start
limit :limit
"""
MENTIONS_COUNT_SQL = "select count(*) from mentions where entity_id = :id"
SURFACES_SQL = """
select surface, count(*) as n from mentions where entity_id = :id group by surface order by n desc, surface limit 50
"""
#: Quotes whose speaker is written as one of the entity's names but that were not linked to it
#: (an organisation's name as a label, a speaker the rules could not resolve).
UNLINKED_SQL = """
select q.id, q.document_id, d.title, q.speaker, q.text, q.kind, q.method, q.confidence
from quotes q join documents d on d.id = q.document_id
where q.speaker collate nocase in ({names}) and q.speaker_entity_id is null
order by d.title, q.document_id, q.start
limit :limit
"""
_BLANKS = re.compile(r"\s+")
#: Characters of context on each side of a mention.
CONTEXT_CHARACTERS = 60

#: Characters of a quote shown in lists.
QUOTE_EXCERPT_CHARACTERS = 400


@dataclass(frozen=True)
class MentionInContext:
    """A mention with the words around it (keyword in context)."""

    id: int
    document_id: str
    document_title: str
    before: str
    surface: str
    after: str
    method: str
    confidence: str
    url: str
    evidence_url: str = ""


@dataclass(frozen=True)
class Curated:
    """What one curation action did to the entity."""

    action_id: int
    effect: str
    action: str
    curator: str
    date: str
    why: str
    file: str
    url: str


@dataclass(frozen=True)
class Identifier:
    label: str
    value: str
    url: str | None  # None when the value is not one the authority issues


def identifiers(entity: dict[str, Any]) -> list[Identifier]:
    """The entity's identifiers other than Wikidata, each linked to its authority's page when well formed."""
    found = []
    for column, label, address in IDENTIFIERS:
        value = (entity.get(column) or "").strip()
        if value:  # the shape the authority file is validated against
            well_formed = re.fullmatch(IDENTIFIER_PATTERNS[column], value) is not None
            found.append(Identifier(label, value, address.format(value) if well_formed else None))
    return found


def curation_lines(name: str, entity_type: str, today: str) -> dict[str, str]:
    """curation.yml actions a curator can start from for this entity, by what they do."""
    return entity_actions(name, entity_type, today)


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
    evidence_url: str = ""


def _filtered(datasette: Any, database: str, table: str, column: str, value: str) -> str:
    """The table page of ``table`` showing the rows where ``column`` equals ``value``."""
    return f"{datasette.urls.table(database, table)}?{urlencode({column: value})}"


def _one_line(text: str, left: bool = False) -> str:
    """Context on one line (runs of blanks and line breaks as one space, kept at the mention's side),
    cut at a word on the side away from the mention when it was cut short."""
    flat = _BLANKS.sub(" ", text)
    if len(text) < CONTEXT_CHARACTERS:
        return flat
    if left:
        head, sep, rest = flat.partition(" ")
        return "… " + rest if sep and rest.strip() else flat
    rest, sep, _ = flat.rpartition(" ")
    return rest + " …" if sep and rest.strip() else flat


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
        alias_rows = (await db.execute(ALIASES_SQL, params)).rows
        aliases = [r["alias"] for r in alias_rows]
        columns = set(alias_rows[0].keys()) if alias_rows else set()  # no method before authority control
        joined = {r["alias"]: JOINED_BY.get(r["method"], r["method"])
                  for r in alias_rows if "method" in columns and r["method"]}
        citing = (await db.execute(CITING_SQL, params)).rows
        credited = (await db.execute(CREDITED_SQL, params)).rows
        citing_total = await _count(db, CITING_COUNT_SQL, entity_id)
        credited_total = await _count(db, CREDITED_COUNT_SQL, entity_id)
        mentions_total = await _count(db, MENTIONS_COUNT_SQL, entity_id)
        in_context = (await db.execute(IN_CONTEXT_SQL, {**params, "context": CONTEXT_CHARACTERS})).rows
        surfaces = [(r[0], r[1]) for r in (await db.execute(SURFACES_SQL, params)).rows]
        names = sorted({entity["name"], *aliases})[:50]
        unlinked = (await db.execute(UNLINKED_SQL.format(names=", ".join(f":n{i}" for i in range(len(names)))),
                                     {**params, **{f"n{i}": n for i, n in enumerate(names)}})).rows
    except (sqlite3.Error, QueryInterrupted):
        return {}
    try:
        curated_rows = (await db.execute(CURATION_SQL, params)).rows
    except (sqlite3.Error, QueryInterrupted):  # a catalogue written before authority control
        curated_rows = []
    record = dict(zip(entity.keys(), tuple(entity), strict=True))

    def link(document_id: str, quote_id: int | None = None) -> str:
        return document_url(datasette, database, document_id, quote_id)

    documents = [CitingDocument(r[0], r[1] or r[0], r[2], r[3], r[4], r[5] or 0, link(r[0])) for r in citing]
    def evidence(kind: str, assertion_id: int) -> str:
        return evidence_url(datasette, database, kind, assertion_id)

    quotes = [CreditedQuote(r[0], r[1], r[2] or r[1], r[3], excerpt(r[4] or "", QUOTE_EXCERPT_CHARACTERS),
                            r[5], r[6], confidence_text(r[7]), link(r[1], r[0]), evidence("quote", r[0]))
              for r in credited]
    contexts = [MentionInContext(r[0], r[1], r[2] or r[1], _one_line(r[6] or "", left=True), r[3],
                                 _one_line(r[7] or ""), r[4], confidence_text(r[5]), link(r[1]),
                                 evidence("mention", r[0]))
                for r in in_context]
    unlinked_quotes = [CreditedQuote(r[0], r[1], r[2] or r[1], r[3], excerpt(r[4] or "", QUOTE_EXCERPT_CHARACTERS),
                                     r[5], r[6], confidence_text(r[7]), link(r[1], r[0]), evidence("quote", r[0]))
                       for r in unlinked]
    curated = [Curated(r[0], r[1], r[2], r[3], r[4], r[5], r[6], datasette.urls.row(database, "curation_actions",
                                                                                   str(r[0])))
               for r in curated_rows]
    return {"provcat_entity": {
        "identifiers": identifiers(record), "curated": curated,
        "curation_lines": curation_lines(entity["name"], entity["type"], datetime.date.today().isoformat()),
        "note": entity["note"], "mentions_total": mentions_total, "in_context": contexts, "surfaces": surfaces,
        "unlinked_quotes": unlinked_quotes,
        "mentions_all_url": _filtered(datasette, database, "mentions", "entity_id", entity_id),
        "id": entity["id"], "name": entity["name"], "type": entity["type"], "source": entity["source"],
        "wikidata": entity["wikidata"], "wikidata_url": wikidata_url(entity["wikidata"]),
        "aliases": [a for a in aliases if a != entity["name"]],
        "alias_joined": joined,
        "documents": documents, "documents_total": citing_total,
        "documents_all_url": _filtered(datasette, database, "document_entities", "entity_id", entity_id),
        "quotes": quotes, "quotes_total": credited_total,
        "quotes_all_url": _filtered(datasette, database, "quotes", "speaker_entity_id", entity_id),
    }}
