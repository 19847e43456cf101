"""The catalogue database: its public schema and the helpers that write it.

The schema is public: archivists' saved SQL depends on it, so it only ever grows. Every archived
file is a row of ``files`` (its fixity and format); the files read as text are also rows of
``documents`` (``files.document_id``), and every format identification ever made is a row of
``identifications``, kept across rebuilds like the fixity history. Offsets are 0-based
character offsets into ``documents.text``, end exclusive, so ``substr(text, start + 1, end - start)``
returns the span.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import ProvcatError
from .history import RUNS_SCHEMA
from .ownership import APPLICATION_ID

SCHEMA = """
CREATE TABLE collection (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE builds (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    software_version TEXT NOT NULL,
    extractor_version TEXT NOT NULL,
    model TEXT,
    model_version TEXT,
    archive TEXT,
    documents INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    metadata_sha256 TEXT,
    fixity_run_id INTEGER REFERENCES fixity_runs(id),
    files INTEGER
);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    title TEXT,
    title_source TEXT,
    type TEXT NOT NULL CHECK (type IN ('article', 'transcript')),
    type_confidence REAL NOT NULL,
    type_method TEXT NOT NULL,
    type_features TEXT,
    publisher TEXT,
    date TEXT,
    source_url TEXT,
    sha256 TEXT NOT NULL,
    sha512 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    encoding TEXT,
    normalisation TEXT,
    extraction_key TEXT,
    extraction_build_id INTEGER REFERENCES builds(id),
    text TEXT NOT NULL,
    content BLOB NOT NULL,
    creator TEXT,
    date_precision TEXT CHECK (date_precision IN ('year', 'month', 'day', 'minute', 'second')),
    language TEXT,
    identifier TEXT,
    text_sha256 TEXT,
    text_extracted_by TEXT,
    text_extraction_options TEXT
);
CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('person', 'organization', 'place')),
    source TEXT NOT NULL CHECK (source IN ('authority', 'extracted')),
    wikidata TEXT,
    documents INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    viaf TEXT,
    lcnaf TEXT,
    geonames TEXT,
    assertions INTEGER NOT NULL DEFAULT 0,
    best_confidence REAL,
    identified_by TEXT
);
CREATE TABLE entity_aliases (
    entity_id TEXT NOT NULL REFERENCES entities(id),
    alias TEXT NOT NULL,
    method TEXT,
    PRIMARY KEY (entity_id, alias)
);
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    entity_id TEXT NOT NULL REFERENCES entities(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    surface TEXT NOT NULL,
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    extracted_name TEXT,
    extracted_type TEXT,
    curation_action_id INTEGER REFERENCES curation_actions(id)
);
CREATE TABLE rejected_mentions (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    surface TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    curation_action_id INTEGER NOT NULL REFERENCES curation_actions(id)
);
CREATE INDEX rejected_mentions_document ON rejected_mentions(document_id);
CREATE TABLE curation_actions (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('merge', 'split', 'rename', 'retype', 'reject', 'confirm')),
    detail TEXT NOT NULL,
    curator TEXT NOT NULL,
    date TEXT NOT NULL,
    why TEXT NOT NULL,
    file TEXT NOT NULL,
    assertions INTEGER NOT NULL
);
CREATE TABLE entity_curation (
    entity_id TEXT NOT NULL REFERENCES entities(id),
    action_id INTEGER NOT NULL REFERENCES curation_actions(id),
    effect TEXT NOT NULL,
    PRIMARY KEY (entity_id, action_id, effect)
);
CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    speaker TEXT,
    speaker_entity_id TEXT REFERENCES entities(id),
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    cue TEXT,
    cue_start INTEGER,
    cue_end INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'indirect', 'turn')),
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    speaker_extracted_name TEXT,
    speaker_extracted_type TEXT,
    curation_action_id INTEGER REFERENCES curation_actions(id)
);
CREATE TABLE document_entities (
    document_id TEXT NOT NULL REFERENCES documents(id),
    entity_id TEXT NOT NULL REFERENCES entities(id),
    role TEXT NOT NULL CHECK (role IN ('speaker', 'cited')),
    mentions INTEGER NOT NULL,
    quotes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, entity_id)
);
CREATE TABLE segments (
    document_id TEXT NOT NULL REFERENCES documents(id),
    "index" INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    begins TEXT NOT NULL,
    ends TEXT NOT NULL,
    PRIMARY KEY (document_id, "index")
);
CREATE TABLE text_regions (
    document_id TEXT NOT NULL REFERENCES documents(id),
    "index" INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    kind TEXT NOT NULL,
    locator TEXT NOT NULL,
    PRIMARY KEY (document_id, "index"),
    CHECK (0 <= start AND start <= "end")
);
CREATE TABLE descriptions (
    document_id TEXT NOT NULL REFERENCES documents(id),
    field TEXT NOT NULL CHECK (field IN ('title', 'date', 'publisher', 'source_url', 'author', 'creator',
                                         'language', 'identifier')),
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    start INTEGER,
    "end" INTEGER,
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    chosen INTEGER NOT NULL CHECK (chosen IN (0, 1)),
    precision TEXT CHECK (precision IN ('year', 'month', 'day', 'minute', 'second')),
    CHECK ((start IS NULL AND "end" IS NULL) OR (0 <= start AND start <= "end"))
);
CREATE INDEX descriptions_document ON descriptions(document_id);
CREATE TABLE rejections (
    document_id TEXT NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL CHECK (kind IN ('entity', 'speaker')),
    value TEXT NOT NULL,
    assertions INTEGER NOT NULL,
    PRIMARY KEY (document_id, kind, value)
);
CREATE TABLE fixity_events (
    id INTEGER PRIMARY KEY,
    event_type TEXT NOT NULL,
    document_id TEXT REFERENCES documents(id),
    path TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    expected TEXT,
    actual TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('new', 'intact', 'changed', 'missing', 'unrecorded', 'error')),
    detail TEXT,
    agent TEXT NOT NULL,
    run_id INTEGER REFERENCES fixity_runs(id)
);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    document_id TEXT REFERENCES documents(id),
    is_document INTEGER NOT NULL CHECK (is_document IN (0, 1)),
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    sha512 TEXT NOT NULL,
    puid TEXT,
    format_name TEXT,
    format_version TEXT,
    mime_type TEXT,
    format_class TEXT,
    identification_basis TEXT,
    identification_warning TEXT,
    identified_by TEXT,
    signatures TEXT,
    identification_id INTEGER REFERENCES identifications(id),
    not_read TEXT,
    CHECK ((is_document = 1) = (document_id IS NOT NULL))
);
CREATE TABLE identifications (
    id INTEGER PRIMARY KEY,
    build_id INTEGER REFERENCES builds(id),
    path TEXT NOT NULL REFERENCES files(path),
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    identified_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('identified', 'no match', 'error')),
    puid TEXT,
    format_name TEXT,
    format_version TEXT,
    mime_type TEXT,
    format_class TEXT,
    basis TEXT,
    warning TEXT,
    identified_by TEXT NOT NULL,
    signatures TEXT NOT NULL,
    signature_file TEXT,
    agent TEXT NOT NULL
);
CREATE INDEX files_digests ON files(path, document_id, size_bytes, sha256, sha512);
CREATE INDEX files_document ON files(document_id);
CREATE INDEX files_puid ON files(puid);
CREATE INDEX files_mime_type ON files(mime_type);
CREATE INDEX identifications_path ON identifications(path);
CREATE INDEX documents_digests ON documents(path, id, sha256, sha512, size_bytes);
CREATE INDEX documents_type ON documents(type);
CREATE INDEX documents_date ON documents(date);
CREATE INDEX documents_type_method ON documents(type_method);
CREATE INDEX documents_publisher ON documents(publisher);
CREATE INDEX documents_media_type ON documents(media_type);
CREATE INDEX mentions_document ON mentions(document_id);
CREATE INDEX mentions_entity ON mentions(entity_id);
CREATE INDEX quotes_document ON quotes(document_id);
CREATE INDEX quotes_speaker_entity ON quotes(speaker_entity_id);
CREATE INDEX quotes_speaker ON quotes(speaker COLLATE NOCASE);
CREATE INDEX document_entities_entity ON document_entities(entity_id);
CREATE INDEX fixity_events_document ON fixity_events(document_id);
-- the events of files that are not documents, by path (a document's are found by its id): only
-- those rows are indexed, so that recording a document's check costs what it did
CREATE INDEX fixity_events_file ON fixity_events(path) WHERE document_id IS NULL;
""" + RUNS_SCHEMA

#: Tables whose history outlives a rebuild: they are copied from the previous catalogue (a
#: catalogue written before fixity runs has no ``fixity_runs``, one written before every file was
#: catalogued no ``identifications``).
HISTORY_TABLES = ("builds", "fixity_runs", "fixity_events", "identifications")
OPTIONAL_HISTORY = frozenset({"fixity_runs", "identifications"})


def create_schema(db: sqlite_utils.Database) -> None:
    db.conn.executescript(SCHEMA)
    db.conn.execute(f"pragma application_id = {APPLICATION_ID}")


#: How the full-text indexes of documents and quotes read words: Unicode words (``unicode61``:
#: letters and digits, case and accents folded) reduced to their Porter stem (``porter``: "report",
#: "reports" and "reported" are one word), with prefix indexes of two and three characters so that
#: ``re*`` does not scan every word. Catalogues built before had ``unicode61`` alone and no prefix
#: index; the site searches them as they are, without stemming.
SEARCH_TOKENIZER = "porter unicode61"
SEARCH_PREFIXES = "2 3"
#: The stemmed full-text indexes: for each table, its index and the columns indexed (external
#: content: the index keeps the words, the table the text).
STEMMED_INDEXES = {"documents": ("documents_fts", ("title", "text")), "quotes": ("quotes_fts", ("text", "speaker"))}


def enable_search(db: sqlite_utils.Database) -> None:
    """Full-text indexes (FTS5) over document titles and text and over quotes and their speakers,
    stemmed and with prefix indexes (:data:`SEARCH_TOKENIZER`, :data:`SEARCH_PREFIXES`: the same
    tables and columns as sqlite-utils' ``enable_fts`` makes, whose ``tokenize`` cannot add the
    ``prefix`` option, filled by its ``populate_fts``), and over entity names."""
    for table, (index, columns) in STEMMED_INDEXES.items():
        listed = ", ".join(f"[{c}]" for c in columns)
        db.conn.execute(f"CREATE VIRTUAL TABLE [{index}] USING FTS5 ({listed}, tokenize='{SEARCH_TOKENIZER}', "
                        f"prefix='{SEARCH_PREFIXES}', content=[{table}])")
        db[table].populate_fts(list(columns))
    db["entities"].enable_fts(["name"], fts_version="FTS5", create_triggers=False)


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """The columns a table of a catalogue has (none when it has no such table)."""
    return {row[1] for row in conn.execute(f"pragma table_info([{table}])")}


def insert(db: sqlite_utils.Database, table: str, rows: Iterable[dict[str, Any]]) -> None:
    db[table].insert_all(rows, batch_size=500)


class DamagedCatalogue(ProvcatError):
    """The previous catalogue cannot be read in full: the build stops and leaves it as it is."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(path, f"the previous catalogue cannot be read in full ({problem}): the build stopped and "
                               "left it as it was. It holds the fixity history: keep a copy, repair it or move it "
                               "aside, then build again")


def open_existing(path: Path) -> sqlite3.Connection | None:
    """Open the previous catalogue read-only, or None when there is none. A file that is not a provcat
    catalogue is refused (see :mod:`provcat.ownership`, checked before a build starts)."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("select id from documents limit 1")
    except sqlite3.DatabaseError as exc:
        raise DamagedCatalogue(path, str(exc)) from exc
    conn.row_factory = sqlite3.Row
    return conn


def copy_history(old: sqlite3.Connection, db: sqlite_utils.Database, where: Path) -> int:
    """Carry the build history and every fixity event of the previous catalogue into the new one;
    return the number of rows carried. Any row that cannot be read stops the build: a history is
    never carried over in part."""
    carried = 0
    for table in HISTORY_TABLES:
        columns = {c.name for c in db[table].columns}
        if table in OPTIONAL_HISTORY and not old.execute(
                "select 1 from sqlite_master where type = 'table' and name = ?", (table,)).fetchone():
            continue
        try:
            expected = old.execute(f"select count(*) from [{table}]").fetchone()[0]
            rows = old.execute(f"select * from [{table}] order by id")
            copied = 0
            while batch := rows.fetchmany(5000):
                insert(db, table, ({k: v for k, v in dict(r).items() if k in columns} for r in batch))
                copied += len(batch)
        except sqlite3.DatabaseError as exc:
            raise DamagedCatalogue(where, f"table {table}: {exc}") from exc
        if copied != expected:
            raise DamagedCatalogue(where, f"table {table}: {copied} of {expected} rows readable")
        carried += copied
    return carried
