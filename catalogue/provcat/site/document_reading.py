"""Reading a document from the catalogue for its page: its header, the state of its stored copy and
of the archived file at its latest check, its mentions, quotes, cues and curated rejections, in one
trip to the database and once per request; kept across requests, with the HTML made from them,
while the catalogue is unchanged (:class:`ReadingCache`)."""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from datasette.database import Database, QueryInterrupted
from markupsafe import Markup

from .. import archive_state
from . import reopening
from .evidence import Build
from .formatting import confidence_text, web_url
from .reading_view import source_only
from .served_request import served_request
from .spans import CueSpan, MentionSpan, QuoteSpan
from .urls import ENTITIES, table_url

MENTIONS_SQL = """
select m.start, m."end", m.entity_id, e.name, e.type, m.method, m.confidence, m.id, m.surface
from mentions m left join entities e on e.id = m.entity_id
where m.document_id = :id order by m.start, m."end" desc
"""

QUOTES_SQL = """
select q.start, q."end", q.speaker, q.kind, q.method, q.confidence, q.id, q.speaker_entity_id, e.name,
       q.text, q.cue, q.cue_start, q.cue_end
from quotes q left join entities e on e.id = q.speaker_entity_id
where q.document_id = :id order by q.start, q."end" desc, q.id
"""

CUES_SQL = """
select start, "end", "index", begins, ends from segments where document_id = :id order by start, "index"
"""

INTEGRITY_SQL = """
select sha256 as recorded, sha256_hex(content) as stored, length(content) as stored_size, size_bytes
from documents where id = :id
"""
HEADER_SQL = """
select title, title_source, type, type_confidence, type_method, publisher, date, source_url, path, media_type, encoding,
       size_bytes, sha256, sha512
from documents where id = :id
"""

#: The description and the text's own provenance (columns a catalogue built before they existed lacks).
DESCRIPTION_SQL = """
select creator, date_precision, language, identifier, text_sha256, text_extracted_by, text_extraction_options,
       (select count(*) from text_regions where document_id = :id) as regions
from documents where id = :id
"""


#: The build that extracted a document's assertions (a catalogue built before it was recorded has
#: no such column, and gives none), and the collection's curator.
BUILD_SQL = """
select b.id, b.started_at, b.software_version, b.extractor_version, b.model, b.model_version
from documents d join builds b on b.id = d.extraction_build_id where d.id = :id
"""
CURATOR_SQL = "select value from collection where key = 'curator'"
TEXT_SQL = "select text from documents where id = :id"
REJECTIONS_SQL = "select kind, value, assertions from rejections where document_id = :id order by kind, value"


@dataclass(frozen=True)
class DocumentReading:
    """Everything a document's page shows besides its row, read in one trip to the database."""

    header: dict[str, Any] | None
    integrity: dict[str, Any] | None
    mentions: list[MentionSpan]
    quotes: list[QuoteSpan]
    cues: list[CueSpan]
    text: str = ""  # the text, for the evidence of its quotes (empty when it has no quotes or cues)
    build: Build | None = None  # the build that extracted its assertions, when recorded
    curator: str | None = None
    hidden: list[tuple[int, int]] = field(default_factory=list)  # what only the source view shows
    #: The latest check of the archived file: kept with the reading, which any write to the served
    #: catalogue (a verification's included) starts afresh (:func:`_cache_key`).
    fixity: archive_state.DocumentFixity | None = None
    rejections: list[tuple[str, str, int]] = field(default_factory=list)  # the curator's: kind, value, removed


def integrity_state(row: Any) -> dict[str, Any] | None:
    """The copy of the bytes stored in the catalogue compared with the recorded digest (``row``:
    :data:`INTEGRITY_SQL`). The archive's own state is read at each request
    (:mod:`provcat.site.integrity_pages`)."""
    if row is None:
        return None
    return {
        "intact": row["recorded"] == row["stored"],
        "recorded": row["recorded"],
        "stored": row["stored"],
        "size_bytes": row["size_bytes"],
        "stored_size": row["stored_size"],
    }


def document_header(row: Any) -> dict[str, Any]:
    """What a document's page says about it above the text (``row``: :data:`HEADER_SQL`);
    ``source_link`` only for http(s)."""
    header = dict(row)
    header["source_link"] = web_url(header.get("source_url"))
    header["type_confidence_text"] = confidence_text(header.get("type_confidence"))
    return header


def optional_rows(conn: sqlite3.Connection, sql: str, document_id: str) -> list[Any]:
    """Rows of a query on a table an older or foreign catalogue may not have (then none)."""
    try:
        return conn.execute(sql, {"id": document_id}).fetchall()
    except sqlite3.Error:
        return []


def read_document(conn: sqlite3.Connection, document_id: str) -> DocumentReading | None:
    """A document's header, integrity state, mentions, quotes and cues; None when the database is
    not a provcat catalogue or has no such document."""
    try:
        header_row = conn.execute(HEADER_SQL, {"id": document_id}).fetchone()
        if header_row is None:
            return None
        mentions = [MentionSpan(*tuple(r)) for r in conn.execute(MENTIONS_SQL, {"id": document_id})]
        quotes = [QuoteSpan(*tuple(r)) for r in conn.execute(QUOTES_SQL, {"id": document_id})]
        stored = conn.execute(INTEGRITY_SQL, {"id": document_id}).fetchone()
    except sqlite3.Error:
        return None
    cues = [CueSpan(*tuple(r)) for r in optional_rows(conn, CUES_SQL, document_id)]
    text = str(conn.execute(TEXT_SQL, {"id": document_id}).fetchone()[0] or "") if quotes or cues else ""
    builds = optional_rows(conn, BUILD_SQL, document_id)
    curators = optional_rows(conn, CURATOR_SQL, document_id)
    rejections = [(r[0], r[1], r[2]) for r in optional_rows(conn, REJECTIONS_SQL, document_id)]
    header = document_header(header_row)
    described = optional_rows(conn, DESCRIPTION_SQL, document_id)
    if described:
        header.update(dict(described[0]))
    return DocumentReading(header, integrity_state(stored), mentions, quotes, cues, text,
                           Build.from_row(builds[0]) if builds else None, curators[0][0] if curators else None,
                           source_only(text, quotes, cues), archive_state.document_fixity(conn, document_id),
                           rejections)


#: A piece of a document's page kept as HTML: which piece ("text", "quotes") and the entities URL
#: its links were made with.
HtmlPart = tuple[str, str]
CacheEntry = tuple[DocumentReading | None, dict[HtmlPart, Markup]]


class ReadingCache:
    """Documents' readings and the HTML made from them (highlighted text, list of quotes), kept
    across requests, least recently used first out, within a budget of characters. They are kept
    under the catalogue as it was when read (its file and last write, or an immutable catalogue's
    hash): a rebuild or a verification's write starts afresh."""

    def __init__(self, budget_characters: int) -> None:
        self.budget = budget_characters
        self.used = 0
        self.entries: OrderedDict[tuple[str, str], CacheEntry] = OrderedDict()

    def get(self, key: tuple[str, str]) -> CacheEntry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, str], reading: DocumentReading | None) -> None:
        entry: CacheEntry = (reading, {})
        self.entries[key] = entry
        self.used += self.cost(entry)
        while self.used > self.budget and len(self.entries) > 1:
            _, dropped = self.entries.popitem(last=False)
            self.used -= self.cost(dropped)

    def html(self, key: tuple[str, str], part: HtmlPart) -> Markup | None:
        entry = self.entries.get(key)
        return None if entry is None else entry[1].get(part)

    def add_html(self, key: tuple[str, str], part: HtmlPart, html: Markup) -> None:
        entry = self.entries.get(key)
        if entry is not None and part not in entry[1]:
            entry[1][part] = html
            self.used += len(html)

    @staticmethod
    def cost(entry: CacheEntry) -> int:
        reading, parts = entry
        spans = 0 if reading is None else \
            100 * (len(reading.mentions) + len(reading.quotes) + len(reading.cues) + len(reading.hidden)) + \
            len(reading.text)
        return 1000 + spans + sum(len(html) for html in parts.values())


#: Up to about 64 million characters of highlighted text and spans per served process.
READING_CACHE = ReadingCache(64_000_000)


def _cache_key(db: Database, document_id: str) -> tuple[str, str] | None:
    """Where a catalogue's document is kept in :data:`READING_CACHE`: by the catalogue's hash when
    it is served immutable; when it is served mutable, by the file (device and inode) and when it
    was last written, as found at the start of the request — any write, a verification's included,
    starts afresh; None for an in-memory database."""
    if db.is_memory or not db.path:
        return None
    if db.is_mutable:
        seen = reopening.file_seen(db)
        return None if seen is None else (f"{db.path}@{seen[0]}:{seen[1]}:{seen[2]}", document_id)
    digest = db.hash
    return None if digest is None else (digest, document_id)


async def document_reading(datasette: Any, database: str, document_id: str) -> DocumentReading | None:
    """:func:`read_document`, once per request (the text cell and the page share it), and once for
    as long as the catalogue is not written (:class:`ReadingCache`)."""
    served = served_request()
    reads = None if served is None else served.reads
    key = (database, document_id)
    if reads is not None and key in reads:
        return reads[key]
    db = datasette.get_database(database)
    cache_key = _cache_key(db, document_id)
    cached = READING_CACHE.get(cache_key) if cache_key else None
    if cached is not None:
        reading = cached[0]
    else:
        try:
            reading = await db.execute_fn(lambda conn: read_document(conn, document_id))
        except QueryInterrupted:
            return None
        if cache_key:
            READING_CACHE.put(cache_key, reading)
    if reads is not None:
        reads[key] = reading
    return reading


def kept_html(datasette: Any, database: str, document_id: str, piece: str, make: Callable[[str], Markup]) -> Markup:
    """A piece of a document's page, made by ``make(entities_url)``; made once for as long as the
    catalogue is not written (:class:`ReadingCache`)."""
    entities_url = table_url(datasette, database, ENTITIES)
    cache_key = _cache_key(datasette.get_database(database), document_id)
    part = (piece, entities_url)
    kept = READING_CACHE.html(cache_key, part) if cache_key else None
    if kept is not None:
        return kept
    html = make(entities_url)
    if cache_key:
        READING_CACHE.add_html(cache_key, part, html)
    return html
