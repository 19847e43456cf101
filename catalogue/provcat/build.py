"""Build: scan -> fixity -> read -> classify -> extract -> merge curated -> write.

The catalogue is written to a temporary file beside the target and moved into place atomically once
complete, so a failed or interrupted build leaves the previous catalogue exactly as it was. The
build history and fixity events of the previous catalogue are carried over. A document whose bytes,
extractor version and curated inputs are unchanged keeps its previous extraction.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import secrets
import socket
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from . import __version__, history, store
from .archive import ArchiveFile, scan
from .classify import classify
from .curation import Curation, load_curation
from .description import describe
from .errors import ProvcatError
from .fixity import digest_bytes, manifest_sha256
from .lock import CatalogueLock
from .merge import apply_sidecar
from .models import Extraction, Mention, Quote, ReadDocument, Sidecar, TypeDecision
from .ownership import check_catalogue_target
from .reading import read_document
from .registry import Registry

AGENT = f"provcat {__version__}"
#: A document is read whole (its text is stored and searchable): larger files are reported and skipped.
#: Machine extraction reads at most ``extract.pipeline.MAX_CHARACTERS`` of a document's text.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: Documents in flight at once: memory is bounded by this many documents, and by this many of their
#: bytes (but for a single larger document), whatever the archive size.
WINDOW = 64
WINDOW_BYTES = 16 * 1024 * 1024
#: Told, after each document is written: documents done, of how many, bytes read, of how many.
Progress = Callable[[int, int, int, int], None]


@dataclass
class BuildReport:
    db: Path
    documents: int = 0
    extracted: int = 0
    reused: int = 0
    entities: int = 0
    quotes: int = 0
    manifest_sha256: str = ""
    fixity_run: int | None = None
    head: str | None = None  # the head of the fixity history's chain after the build
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, problem)


@dataclass
class Prepared:
    file: ArchiveFile
    data: bytes
    sha256: str
    sha512: str
    read: ReadDocument
    decision: TypeDecision
    key: str
    extraction: Extraction | None = None
    rejections: dict[tuple[str, str], int] = field(default_factory=dict)


def now() -> str:
    return history.now()


@dataclass(frozen=True)
class Described:
    """A fact of a document's description, as the ``descriptions`` table holds it."""

    field: str
    value: str
    source: str
    start: int | None
    end: int | None
    method: str
    confidence: float
    chosen: bool


#: The description fields a sidecar can give, curated.
CURATED_FIELDS = ("title", "publisher", "date", "source_url")


def described(text: str, kind: str, sidecar: Sidecar | None) -> list[Described]:
    """Every fact of the document's description: the curated ones (its sidecar) and those the text
    states (:mod:`provcat.description`), each marked ``chosen`` when the document's row uses it:
    curated first, then what the text says. There is always a title (devised, when nothing names one)."""
    facts: list[Described] = []
    taken: set[str] = set()
    for name in CURATED_FIELDS:
        value = getattr(sidecar, name, None) if sidecar else None
        if value:
            facts.append(Described(name, str(value), "curated", None, None, "curated", 1.0, True))
            taken.add(name)
    for fact in describe(text, kind):
        first = fact.field not in taken
        taken.add(fact.field)
        facts.append(Described(fact.field, fact.value, fact.source, fact.start, fact.end, fact.method,
                               fact.confidence, first))
    return facts


def extraction_key(sha256: str, doc_type: str, curated_digest: str) -> str:
    from .extract.pipeline import EXTRACTOR_VERSION

    raw = json.dumps([sha256, doc_type, EXTRACTOR_VERSION, curated_digest])
    return hashlib.sha256(raw.encode()).hexdigest()


def previous_extraction(old: sqlite3.Connection | None, doc_id: str,
                        key: str) -> tuple[Extraction, dict[tuple[str, str], int]] | None:
    """The extraction (and rejection counts) stored in the previous catalogue, if it was made from the
    same inputs."""
    if old is None:
        return None
    row = old.execute("select extraction_key from documents where id = ?", (doc_id,)).fetchone()
    if row is None or row[0] != key:
        return None
    rejections = {(r["kind"], r["value"]): r["assertions"]
                  for r in old.execute("select * from rejections where document_id = ?", (doc_id,))}
    mentions = [
        Mention(start=r["start"], end=r["end"], surface=r["surface"], name=r["name"], type=r["type"],
                method=r["method"], confidence=r["confidence"])
        for r in old.execute("select m.*, e.name, e.type from mentions m join entities e on e.id = m.entity_id "
                             "where m.document_id = ? order by m.id", (doc_id,))
    ]
    quotes = [
        Quote(start=r["start"], end=r["end"], text=r["text"], speaker=r["speaker"], speaker_name=r["name"],
              speaker_type=r["type"], cue=r["cue"], cue_start=r["cue_start"], cue_end=r["cue_end"],
              kind=r["kind"], method=r["method"], confidence=r["confidence"])
        for r in old.execute("select q.*, e.name, e.type from quotes q left join entities e "
                             "on e.id = q.speaker_entity_id where q.document_id = ? order by q.id", (doc_id,))
    ]
    return Extraction(mentions=mentions, quotes=quotes), rejections


def prepare(files: list[ArchiveFile], curation: Curation, report: BuildReport) -> Iterator[Prepared]:
    """Read, hash, decode and classify each file; files that are not text documents become warnings."""
    for item in files:
        try:
            size = item.location.stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                report.warnings.append((item.path, f"{size:,} bytes, larger than the {MAX_DOCUMENT_BYTES:,}-byte "
                                                   "limit for one document; skipped"))
                continue
            data = item.location.read_bytes()
        except OSError as exc:
            # a file that exists but cannot be read stops the build: dropping it would silently
            # remove its record (and its fixity history) from the catalogue
            raise ProvcatError(item.location, f"cannot be read: {exc.strerror or exc}") from exc
        digests = digest_bytes(data)
        try:
            read = read_document(data, item.path)
        except ProvcatError as exc:
            report.warnings.append((item.path, f"{exc.problem}; skipped"))
            continue
        report.warnings.extend((item.path, w) for w in read.warnings)
        decision = classify(read.text, read.media_type)
        sidecar = curation.sidecars.get(item.path)
        if sidecar is not None and sidecar.type is not None:
            decision = decision.model_copy(update={"type": sidecar.type, "confidence": 1.0, "method": "curated"})
        key = extraction_key(digests.sha256, decision.type, curation.inputs_digest(item.path))
        yield Prepared(item, data, digests.sha256, digests.sha512, read, decision, key)


TEMP_PREFIX = ".{name}.building-"


def temporary_name(db: Path) -> Path:
    """Where a build writes the new catalogue before moving it into place: beside it, hidden, named
    with the host, the process and a random part, so that no two builds can pick the same name (not
    even from two containers whose processes have the same id)."""
    host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:64] or "host"
    return db.with_name(f"{TEMP_PREFIX.format(name=db.name)}{host}-{os.getpid()}-{secrets.token_hex(8)}")


def remove_abandoned_builds(db: Path) -> None:
    """Delete the temporary files of builds that were killed. Called with the catalogue's lock held:
    only the holder of the lock builds, so every temporary file of a build of ``db`` found then was
    left by a build that no longer runs."""
    prefix = TEMP_PREFIX.format(name=db.name)
    for leftover in db.parent.glob(f"{glob.escape(prefix)}*"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def durable_replace(tmp: Path, target: Path) -> None:
    """Move a finished catalogue into place atomically, its bytes and the rename flushed to disk."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def create_temporary(db: Path) -> Path:
    """A new, empty temporary file for the catalogue being built (created here: never an existing file)."""
    tmp = temporary_name(db)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644))
    except OSError as exc:
        raise ProvcatError(db.parent, f"the catalogue cannot be written in this folder: {exc.strerror or exc}") \
            from exc
    return tmp


def build_catalogue(archive: Path, metadata: Path, db: Path, progress: Progress | None = None,
                    wait: bool = False, on_wait: Callable[[str], None] | None = None) -> BuildReport:
    """Build the catalogue of ``archive`` into ``db``; the old catalogue is replaced only on success.

    The catalogue's lock is held from before the previous catalogue is read until the new one is in
    place, so that no fixity event recorded meanwhile can be lost (``wait``: wait for another writer
    rather than stop)."""
    started = now()
    folders = {"archive": archive, "metadata folder": metadata}
    curation = load_curation(metadata)
    found = scan(archive)
    report = BuildReport(db=db, warnings=[(p, f"{why}; skipped") for p, why in found.skipped])
    paths = {f.path for f in found.files}
    for document, sidecar_file in curation.sidecar_files.items():
        if document not in paths:
            raise ProvcatError(sidecar_file, f"describes '{document}', which is not a document in {archive}")
    check_catalogue_target(db, folders)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProvcatError(db.parent, f"the catalogue's folder cannot be made: {exc.strerror or exc}") from exc
    with CatalogueLock(db, "build", wait, on_wait):
        check_catalogue_target(db, folders)  # again, now that no other writer can change it
        remove_abandoned_builds(db)
        tmp = create_temporary(db)
        old = store.open_existing(db)
        try:
            _write(tmp, archive, curation, found.files, old, report, started, progress, db)
            if old is not None:
                old.close()
                old = None
            durable_replace(tmp, db)
        finally:
            if old is not None:
                old.close()
            for leftover in (tmp, Path(f"{tmp}-journal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
    return report


def size_of(file: ArchiveFile) -> int:
    try:
        return os.stat(file.local).st_size
    except OSError:
        return 0  # reading it will say why


def _batches(items: Iterator[Prepared], size: int, most_bytes: int) -> Iterator[list[Prepared]]:
    """``items`` in windows of at most ``size`` documents and, but for a single larger document, at
    most ``most_bytes`` bytes of them."""
    batch: list[Prepared] = []
    held = 0
    for item in items:
        if batch and held + len(item.data) > most_bytes:
            yield batch
            batch, held = [], 0
        batch.append(item)
        held += len(item.data)
        if len(batch) == size:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


@contextlib.contextmanager
def reading_previous(path: Path) -> Iterator[None]:
    """Reads of the previous catalogue: a database error there means it is damaged, and stops the build."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise store.DamagedCatalogue(path, str(exc)) from exc


def extracted(items: Iterator[Prepared], old: sqlite3.Connection | None, curation: Curation,
              report: BuildReport, old_path: Path) -> Iterator[Prepared]:
    """Each document with its assertions, in order, a window at a time: reused from the previous
    catalogue when its inputs are unchanged, otherwise extracted (spaCy reads the window in batches)
    and corrected by its sidecar. A text longer than the extractor reads gets its curated
    assertions only, and a warning."""
    from .extract.pipeline import MAX_CHARACTERS, Job, extract_all

    for window in _batches(items, WINDOW, WINDOW_BYTES):
        todo = []
        for item in window:
            if len(item.read.text) > MAX_CHARACTERS:
                report.warnings.append((item.file.path, f"{len(item.read.text):,} characters, more than the "
                                        f"{MAX_CHARACTERS:,} the extractor reads in one document: catalogued "
                                        "with its text and fixity, without machine entities or quotes"))
            with reading_previous(old_path):
                previous = previous_extraction(old, item.file.id, item.key)
            if previous is None:
                todo.append(item)
            else:
                item.extraction, item.rejections = previous
        jobs = (Job(p.read.text, p.decision.type, p.read.segments) for p in todo
                if len(p.read.text) <= MAX_CHARACTERS)
        machines = extract_all(jobs, curation.authorities)
        for item in todo:
            machine = next(machines) if len(item.read.text) <= MAX_CHARACTERS else Extraction()
            if machine.refused:
                report.warnings.append((item.file.path, f"{machine.refused}: catalogued with its text and fixity, "
                                                        "without machine entities or quotes"))
            sidecar = curation.sidecars.get(item.file.path)
            item.extraction, item.rejections = apply_sidecar(item.read.text, machine, sidecar, curation,
                                                             curation.sidecar_files.get(item.file.path))
        report.extracted += len(todo)
        report.reused += len(window) - len(todo)
        yield from window


def _write(tmp: Path, archive: Path, curation: Curation, files: list[ArchiveFile],
           old: sqlite3.Connection | None, report: BuildReport, started: str,
           progress: Progress | None, old_path: Path) -> None:
    from .extract.pipeline import EXTRACTOR_VERSION, MODEL, model_version

    db = sqlite_utils.Database(tmp)
    db.conn.execute("pragma journal_mode = off")
    db.conn.execute("pragma synchronous = off")
    store.create_schema(db)
    registry = Registry(curation.authorities)
    previous: dict[str, tuple[str, str]] = {}
    if old is not None:
        with reading_previous(old_path):
            previous = {r[0]: (r[1], r[2]) for r in old.execute("select path, id, sha256 from documents")}
    entries: list[tuple[str, str]] = []
    with db.conn:
        if old is not None:
            store.copy_history(old, db, old_path)
        run = history.start(db.conn, "ingestion", "every file", ("sha256",), AGENT, __version__,
                            archive.resolve().name)
        _write_collection(db, curation, archive)
        total_bytes = sum(size_of(f) for f in files) if progress else 0
        done_bytes = 0
        if progress:
            progress(0, len(files), 0, total_bytes)  # shown while the model loads
        for done, item in enumerate(extracted(prepare(files, curation, report), old, curation, report, old_path), 1):
            _write_document(db, item, curation, registry, report)
            if progress:
                done_bytes += len(item.data)
                progress(done, len(files), done_bytes, max(total_bytes, done_bytes))
            store.insert(db, "fixity_events", [ingest_event(item, previous.get(item.file.path), run.id)])
            entries.append((item.file.path, item.sha256))
            item.data, item.extraction = b"", None  # let the bytes and assertions go
        current = {path for path, _ in entries}
        store.insert(db, "fixity_events", (missing_event(path, doc_id, digest, run.id)
                                           for path, (doc_id, digest) in sorted(previous.items())
                                           if path not in current))
        _write_entities(db, registry)
        report.documents = len(entries)
        report.manifest_sha256 = manifest_sha256(entries)
        report.fixity_run, report.head = run.id, history.finish(db.conn, run.id, first_event=run.first_event)
        store.insert(db, "builds", [{
            "started_at": started, "finished_at": now(), "software_version": __version__,
            "extractor_version": EXTRACTOR_VERSION, "model": MODEL, "model_version": model_version(),
            "archive": archive.resolve().name, "documents": len(entries),
            "manifest_sha256": report.manifest_sha256, "metadata_sha256": curation.metadata_digest(),
            "fixity_run_id": run.id,
        }])
    store.enable_search(db)
    db.conn.close()


def _write_collection(db: sqlite_utils.Database, curation: Curation, archive: Path) -> None:
    values: dict[str, str | None] = {"archive": archive.resolve().name}
    if curation.collection is not None:
        values.update(curation.collection.model_dump())
    store.insert(db, "collection", ({"key": k, "value": v} for k, v in values.items() if v is not None))


def _write_document(db: sqlite_utils.Database, item: Prepared, curation: Curation, registry: Registry,
                    report: BuildReport) -> None:
    sidecar = curation.sidecars.get(item.file.path)
    doc_id = item.file.id
    facts = described(item.read.text, item.decision.type, sidecar)
    chosen = {f.field: f for f in facts if f.chosen}
    store.insert(db, "documents", [{
        "id": doc_id, "path": item.file.path, "title": chosen["title"].value, "title_source": chosen["title"].source,
        "type": item.decision.type, "type_confidence": item.decision.confidence,
        "type_method": item.decision.method, "type_features": json.dumps(item.decision.features),
        **{name: chosen[name].value if name in chosen else None for name in ("publisher", "date", "source_url")},
        "sha256": item.sha256, "sha512": item.sha512, "size_bytes": len(item.data),
        "media_type": item.read.media_type, "encoding": item.read.encoding,
        "normalisation": "; ".join(item.read.normalisation) or None, "extraction_key": item.key,
        "text": item.read.text, "content": item.data,
    }])
    store.insert(db, "descriptions", ({"document_id": doc_id, **asdict(f)} for f in facts))
    store.insert(db, "segments", ({"document_id": doc_id, **s.model_dump()} for s in item.read.segments))
    extraction = item.extraction or Extraction()
    cited: dict[str, int] = {}
    mention_rows = []
    for m in extraction.mentions:
        entity_id = registry.resolve(m.name, m.type)
        registry.note(entity_id, m.surface, doc_id)
        cited[entity_id] = cited.get(entity_id, 0) + 1
        mention_rows.append({"document_id": doc_id, "entity_id": entity_id, "start": m.start, "end": m.end,
                             "surface": m.surface, "method": m.method, "confidence": m.confidence})
    store.insert(db, "mentions", mention_rows)
    spoke: dict[str, int] = {}
    quote_rows = []
    for q in extraction.quotes:
        entity_id = None
        speaker = q.speaker
        if q.speaker_name and q.speaker_type:
            entity_id = registry.resolve(q.speaker_name, q.speaker_type)
            registry.note(entity_id, q.speaker_name, doc_id)
            speaker = registry.records[entity_id].name
            spoke[entity_id] = spoke.get(entity_id, 0) + 1
        quote_rows.append({"document_id": doc_id, "speaker": speaker, "speaker_entity_id": entity_id,
                           "text": q.text, "start": q.start, "end": q.end, "cue": q.cue,
                           "cue_start": q.cue_start, "cue_end": q.cue_end, "kind": q.kind, "method": q.method,
                           "confidence": q.confidence})
    store.insert(db, "quotes", quote_rows)
    report.quotes += len(quote_rows)
    # one row per entity: a speaker is cited too, so 'speaker' is the stronger role
    store.insert(db, "document_entities", (
        {"document_id": doc_id, "entity_id": e, "role": "speaker" if e in spoke else "cited",
         "mentions": cited.get(e, 0), "quotes": spoke.get(e, 0)}
        for e in sorted(set(cited) | set(spoke))))
    store.insert(db, "rejections", ({"document_id": doc_id, "kind": kind, "value": value, "assertions": n}
                                    for (kind, value), n in item.rejections.items()))


def _write_entities(db: sqlite_utils.Database, registry: Registry) -> None:
    records = registry.used()
    store.insert(db, "entities", ({"id": r.id, "name": r.name, "type": r.type, "source": r.source,
                                   "wikidata": r.wikidata, "documents": len(r.documents), "note": r.note}
                                  for r in records))
    store.insert(db, "entity_aliases", ({"entity_id": r.id, "alias": a} for r in records
                                        for a in sorted(r.aliases)))


def ingest_event(item: Prepared, before: tuple[str, str] | None, run_id: int) -> dict[str, object]:
    """The document's digest at ingest, compared with the previous catalogue's record: ``new`` when it
    is catalogued for the first time."""
    outcome = "new" if before is None else ("intact" if before[1] == item.sha256 else "changed")
    return {"event_type": "ingestion", "document_id": item.file.id, "path": item.file.path,
            "checked_at": history.now(), "algorithm": "sha256", "expected": before[1] if before else None,
            "actual": item.sha256, "outcome": outcome, "detail": "first catalogued" if before is None else None,
            "agent": AGENT, "run_id": run_id}


def missing_event(path: str, doc_id: str, digest: str, run_id: int) -> dict[str, object]:
    """A document of the previous catalogue that the archive no longer holds."""
    return {"event_type": "ingestion", "document_id": None, "path": path, "checked_at": history.now(),
            "algorithm": "sha256", "expected": digest, "actual": None, "outcome": "missing",
            "detail": f"document '{doc_id}' is no longer in the archive", "agent": AGENT, "run_id": run_id}
