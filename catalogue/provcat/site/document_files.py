"""A document's files as the site hands them out: the original bytes under the original file name,
and the whole record (description, quotes, mentions, cues, fixity) as one JSON document.

- ``/<database>/-/download/<document id>``: the exact bytes catalogued (the copy stored in the
  catalogue), as an attachment named like the archived file, with its media type and encoding, and
  the SHA-256 recorded at cataloguing in a ``Repr-Digest`` header (RFC 9530) so that what was
  received can be checked against it. The bytes are never shown inline: a document that is HTML
  is a file to keep, not a page to run.
- ``/<database>/-/record/<document id>.json``: everything the catalogue says of the document, each
  assertion with its offsets, method and confidence, the build (software, extractor and model
  versions) that made them, and the latest check of the archived file.

Both answer 404 for a document that is not there and 403 where Datasette's permissions close the
documents table.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote as url_quote

from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response

from .. import archive_state
from .access import open_catalogue
from .document_reading import BUILD_SQL

DOWNLOAD_PATH = "/{database}/-/download/{document}"
DOWNLOAD_ROUTE = r"^/(?P<database>[^/]+)/-/download/(?P<document>[^/]+)$"
RECORD_PATH = "/{database}/-/record/{document}.json"
RECORD_ROUTE = r"^/(?P<database>[^/]+)/-/record/(?P<document>[^/]+)\.json$"
#: Media types whose bytes are text in the document's recorded encoding.
_TEXT = re.compile(r"text/|application/(?:x-subrip|x-srt)$")
_NOT_IN_A_QUOTED_NAME = re.compile(r'[^\x20-\x7e]|["\\]')

DOCUMENT_SQL = """
select id, path, title, title_source, type, type_confidence, type_method, publisher, date, source_url,
       sha256, sha512, size_bytes, media_type, encoding, normalisation, text
from documents where id = :id
"""
SECTIONS = {
    "descriptions": """select field, value, source, start, "end", method, confidence, chosen from descriptions
                       where document_id = :id order by rowid""",
    "quotes": """select q.id, q.start, q."end", q.text, q.kind, q.speaker, q.speaker_entity_id, e.name as speaker_name,
                        q.cue, q.cue_start, q.cue_end, q.method, q.confidence
                 from quotes q left join entities e on e.id = q.speaker_entity_id
                 where q.document_id = :id order by q.start, q.id""",
    "mentions": """select m.id, m.start, m."end", m.surface, m.entity_id, e.name as entity_name, e.type as entity_type,
                          m.method, m.confidence
                   from mentions m join entities e on e.id = m.entity_id
                   where m.document_id = :id order by m.start, m.id""",
    "cues": """select "index", start, "end", begins, ends from segments where document_id = :id order by "index" """,
    "rejections": "select kind, value, assertions from rejections where document_id = :id order by kind, value",
}


def download_url(datasette: Any, database: str, document_id: str) -> str:
    return datasette.urls.path(DOWNLOAD_PATH.format(database=datasette.get_database(database).route,
                                                    document=tilde_encode(document_id)))


def record_url(datasette: Any, database: str, document_id: str) -> str:
    return datasette.urls.path(RECORD_PATH.format(database=datasette.get_database(database).route,
                                                  document=tilde_encode(document_id)))


def file_name(path: str) -> str:
    """The archived file's own name (the last part of its path)."""
    return PurePosixPath(path).name or "document"


def content_disposition(name: str) -> str:
    """``attachment`` with the file's name: a plain-ASCII fallback, and the name itself (RFC 6266,
    RFC 8187) for clients that read it; nothing in it can end the header or the quoted name."""
    fallback = _NOT_IN_A_QUOTED_NAME.sub("_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{url_quote(name, safe='')}"


def content_type(media_type: str, encoding: str | None) -> str:
    if _TEXT.match(media_type) and encoding:
        return f"{media_type}; charset={encoding}"
    return media_type


def repr_digest(sha256_hex: str) -> str:
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256_hex)).decode()}:"


async def download(datasette: Any, request: Any) -> Response:
    """The catalogued bytes of a document, under its file name."""
    db = await open_catalogue(datasette, request)
    document_id = tilde_decode(request.url_vars["document"])
    row = (await db.execute("select path, media_type, encoding, sha256, content from documents where id = ?",
                            [document_id])).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    path, media_type, encoding, sha256, content = row
    return Response(bytes(content), content_type=content_type(media_type, encoding), headers={
        "content-disposition": content_disposition(file_name(path)),
        "repr-digest": repr_digest(sha256),
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox",
    })


def _extracted_by(conn: sqlite3.Connection, document_id: str) -> dict[str, Any] | None:
    """The build that made the document's quotes and mentions, with its software, extractor and model
    versions; None when the catalogue does not record it."""
    try:
        row = conn.execute(BUILD_SQL, {"id": document_id}).fetchone()
    except sqlite3.OperationalError:  # a catalogue of an earlier version
        return None
    if row is None:
        return None
    return dict(zip(("build", "started_at", "software_version", "extractor_version", "model", "model_version"),
                    tuple(row), strict=True))


def document_record(conn: sqlite3.Connection, document_id: str) -> dict[str, Any] | None:
    """Everything the catalogue says of one document, as plain data."""
    previous, conn.row_factory = conn.row_factory, sqlite3.Row  # Datasette's connection: put back as it was
    try:
        row = conn.execute(DOCUMENT_SQL, {"id": document_id}).fetchone()
        if row is None:
            return None
        record: dict[str, Any] = {"document": dict(row)}
        for section, sql in SECTIONS.items():
            try:
                record[section] = [dict(r) for r in conn.execute(sql, {"id": document_id})]
            except sqlite3.OperationalError:  # a catalogue of an earlier version, without that table
                record[section] = []
    finally:
        conn.row_factory = previous
    record["extracted_by"] = _extracted_by(conn, document_id)
    fixity = archive_state.document_fixity(conn, document_id)
    record["fixity"] = {"state": fixity.state, "checked_at": fixity.checked_at, "by": fixity.by,
                        "run": fixity.run_id, "detail": fixity.detail, "expected": fixity.expected,
                        "actual": fixity.actual}
    return record


async def record(datasette: Any, request: Any) -> Response:
    """/<database>/-/record/<document id>.json"""
    db = await open_catalogue(datasette, request)
    document_id = tilde_decode(request.url_vars["document"])
    found = await db.execute_fn(lambda conn: document_record(conn, document_id))
    if found is None:
        raise NotFound(f"no document {document_id}")
    found["download_url"] = download_url(datasette, db.name, document_id)
    return Response(json.dumps(found, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8",
                    headers={"x-content-type-options": "nosniff"})


ROUTES = [(DOWNLOAD_ROUTE, download), (RECORD_ROUTE, record)]
