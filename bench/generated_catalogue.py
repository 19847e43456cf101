"""A catalogue of a generated archive, written directly with the store schema and sqlite-utils inserts.

A spaCy build of 100,000 documents takes hours on two cores; the verification and serving benchmarks
need the catalogue, not the extraction. So the rows are the ones a build writes (documents with their
digests, text and exact bytes, and their rows of files with the format Siegfried gives such a text
file, plain text, x-fmt/111; entities, mentions, quotes, document_entities, ingestion events, one
build; the FTS5 indexes), with the mentions and quotations the generator put into the text instead of
spaCy's. ``digests_only`` leaves ``text`` and ``content`` empty (for the long transcripts, whose
catalogue would otherwise hold each gigabyte twice; verification reads neither column).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from corpus import Document, Span, write_only

from provcat import store
from provcat.fixity import manifest_sha256


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _entity_kind(span: Span) -> str:
    return "person" if span.kind == "quote" else span.kind


class Rows:
    """The rows of every table for the documents seen so far (entities are counted as they come)."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, object]] = {}
        self.documents_citing: dict[str, int] = {}
        self.manifest: list[tuple[str, str]] = []

    def entity(self, name: str, kind: str) -> str:
        key = slug(name)
        self.entities.setdefault(key, {"id": key, "name": name, "type": kind, "source": "extracted"})
        return key

    def document(self, doc: Document, digests_only: bool) -> dict[str, object]:
        data = doc.data
        sha256 = hashlib.sha256(data).hexdigest()
        self.manifest.append((doc.path, sha256))
        return {
            "id": doc.path.removesuffix(".txt"), "path": doc.path, "title": doc.text.split("\n", 1)[0][:160],
            "title_source": "first line", "type": doc.kind, "type_confidence": 0.9, "type_method": "generated",
            "sha256": sha256, "sha512": hashlib.sha512(data).hexdigest(), "size_bytes": len(data),
            "media_type": "text/plain", "encoding": "utf-8",
            "text": "" if digests_only else doc.text, "content": b"" if digests_only else data,
            "extraction_build_id": 1,  # the one build written below
        }

    def mentions(self, doc: Document, doc_id: str) -> list[dict[str, object]]:
        return [{"document_id": doc_id, "entity_id": self.entity(s.label, s.kind), "start": s.start, "end": s.end,
                 "surface": doc.text[s.start:s.end], "method": "generated", "confidence": 0.75}
                for s in doc.spans if s.kind != "quote"]

    def quotes(self, doc: Document, doc_id: str) -> list[dict[str, object]]:
        return [{"document_id": doc_id, "speaker": s.label, "speaker_entity_id": self.entity(s.label, "person"),
                 "text": doc.text[s.start:s.end], "start": s.start, "end": s.end, "cue": "said",
                 "kind": "turn" if doc.kind == "transcript" else "direct", "method": "generated",
                 "confidence": 0.9} for s in doc.spans if s.kind == "quote"]

    def document_entities(self, mentions: list[dict[str, object]], quotes: list[dict[str, object]],
                          doc_id: str) -> list[dict[str, object]]:
        cited: dict[str, int] = {}
        spoke: dict[str, int] = {}
        for m in mentions:
            cited[str(m["entity_id"])] = cited.get(str(m["entity_id"]), 0) + 1
        for q in quotes:
            spoke[str(q["speaker_entity_id"])] = spoke.get(str(q["speaker_entity_id"]), 0) + 1
        for entity in set(cited) | set(spoke):
            self.documents_citing[entity] = self.documents_citing.get(entity, 0) + 1
        return [{"document_id": doc_id, "entity_id": e, "role": "speaker" if e in spoke else "cited",
                 "mentions": cited.get(e, 0), "quotes": spoke.get(e, 0)} for e in sorted(set(cited) | set(spoke))]


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for doc in documents:
        chunk.append(doc)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_catalogue(documents: Iterable[Document], db_path: Path, digests_only: bool = False) -> int:
    """Write the catalogue of ``documents`` to ``db_path`` (replaced); return the number of documents."""
    if db_path.exists():
        db_path.unlink()
    db = sqlite_utils.Database(db_path)
    db.conn.execute("pragma journal_mode = off")
    db.conn.execute("pragma synchronous = off")
    store.create_schema(db)
    rows = Rows()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with db.conn:
        for chunk in _chunks(documents, 1000):
            _write_chunk(db, rows, chunk, digests_only, started)
        store.insert(db, "entities", ({**e, "documents": rows.documents_citing.get(str(e["id"]), 0)}
                                      for e in rows.entities.values()))
        store.insert(db, "builds", [{
            "started_at": started, "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "software_version": "bench", "extractor_version": "generated", "documents": len(rows.manifest),
            "files": len(rows.manifest),
            "manifest_sha256": manifest_sha256(rows.manifest)}])
    if not digests_only:
        store.enable_search(db)
    db.conn.execute("analyze")
    db.conn.close()
    return len(rows.manifest)


def _write_chunk(db: sqlite_utils.Database, rows: Rows, chunk: list[Document], digests_only: bool,
                 checked_at: str) -> None:
    documents, files, mentions, quotes, links, events = [], [], [], [], [], []
    for doc in chunk:
        row = rows.document(doc, digests_only)
        doc_id = str(row["id"])
        documents.append(row)
        files.append({"path": doc.path, "document_id": doc_id, "is_document": 1, "size_bytes": row["size_bytes"],
                      "sha256": row["sha256"], "sha512": row["sha512"], "puid": "x-fmt/111",
                      "format_name": "Plain Text File", "mime_type": "text/plain",
                      "identification_basis": "extension match txt; text match UTF-8 Unicode",
                      "identified_by": "generated", "signatures": "generated"})
        if not digests_only:
            m, q = rows.mentions(doc, doc_id), rows.quotes(doc, doc_id)
            mentions += m
            quotes += q
            links += rows.document_entities(m, q, doc_id)
        events.append({"event_type": "ingestion", "document_id": doc_id, "path": doc.path,
                       "checked_at": checked_at, "algorithm": "sha256", "expected": None, "actual": row["sha256"],
                       "outcome": "unrecorded", "detail": "first catalogued", "agent": "bench"})
    for table, table_rows in (("documents", documents), ("files", files), ("mentions", mentions), ("quotes", quotes),
                              ("document_entities", links), ("fixity_events", events)):
        store.insert(db, table, table_rows)


def generated_archive(workdir: Path, name: str, documents: Callable[[], Iterator[Document]],
                      digests_only: bool = False) -> tuple[Path, int, int]:
    """``workdir/name/archive`` and its ``catalogue.db``, generated unless already there; returns the
    folder, the number of documents and their bytes."""
    root = workdir / name
    stamp = root / "corpus.json"
    if stamp.is_file():
        known = json.loads(stamp.read_text())
        return root, known["files"], known["bytes"]
    if root.exists():
        shutil.rmtree(root)
    size = write_only(documents(), root / "archive")
    count = write_catalogue(documents(), root / "catalogue.db", digests_only=digests_only)
    stamp.write_text(json.dumps({"files": count, "bytes": size}))
    return root, count, size
