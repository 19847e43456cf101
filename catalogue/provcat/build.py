"""Build: scan -> fixity -> identify -> read -> classify -> extract -> merge curated -> write.

Every file of the archive is catalogued (a row of ``files``: its digests, size and format, with an
ingestion event in the fixity history); those read as text are also documents, which are
classified and extracted. A file that cannot be read as text is kept as a file without text.

The catalogue is written to a temporary file beside the target and moved into place atomically once
complete, so a failed or interrupted build leaves the previous catalogue exactly as it was. The
build history, fixity events and format identifications of the previous catalogue are carried
over. A document whose bytes, extractor version and curated inputs are unchanged keeps its previous
extraction; a file whose bytes and path are unchanged keeps its previous identification when it
was made by the same version of the tool with the same signature files.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import itertools
import json
import os
import re
import secrets
import socket
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from . import __version__, authority_control, history, store
from .archive import SUPPORTED_SUFFIXES, ArchiveFile, scan
from .classify import classify
from .curation import Curation, load_curation
from .description import describe
from .errors import ProvcatError
from .extract import gazetteer
from .fixity import BLOCK_SIZE, Digests, digest_bytes, digest_file, manifest_sha256
from .lock import CatalogueLock
from .merge import apply_sidecar
from .models import EmbeddedFact, Extraction, Mention, Quote, ReadDocument, Sidecar, TypeDecision
from .ownership import check_catalogue_target, records_every_file
from .readers import NotText, language, read_document
from .readers.dates import iso_date
from .registry import Registry

AGENT = f"provcat {__version__}"
#: A document is read whole (its text is stored and searchable): larger files are reported and skipped.
#: Machine extraction reads at most ``extract.pipeline.MAX_CHARACTERS`` of a document's text.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: Documents in flight at once: memory is bounded by this many documents, and by this many of their
#: bytes (but for a single larger document), whatever the archive size.
WINDOW = 64
WINDOW_BYTES = 16 * 1024 * 1024
#: Files whose formats are identified in one call to the identification tool (it costs less per
#: file than one call each), and at most this many bytes of documents held meanwhile.
IDENTIFY_FILES = 64
IDENTIFY_BYTES = 16 * 1024 * 1024
#: Told, after each file is written: files done, of how many, bytes read, of how many.
Progress = Callable[[int, int, int, int], None]


@dataclass
class BuildReport:
    db: Path
    files: int = 0  # every file catalogued, documents included
    unidentified: int = 0  # files whose format was not identified (no match, or the tool could not read them)
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
    """A file ready to be written: its digests and identification and, for a document, its bytes,
    text and type (``read`` is None for a file that is not read as text, ``not_read`` says why)."""

    file: ArchiveFile
    data: bytes  # a document's bytes (empty for a file that is not a document: it is not held)
    sha256: str
    sha512: str
    size: int
    identification: dict[str, object]  # the row of identifications it is described by
    read: ReadDocument | None = None
    decision: TypeDecision | None = None
    key: str | None = None
    not_read: str | None = None
    extraction: Extraction | None = None
    rejections: dict[tuple[str, str], int] = field(default_factory=dict)
    #: The earlier build whose extraction is reused (``NOT_RECORDED`` when the previous catalogue did
    #: not say which); None when this build extracts the document.
    extracted_in: int | None = None

    @property
    def is_document(self) -> bool:
        return self.read is not None


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
    precision: str | None = None


#: The description fields a sidecar can give, curated.
CURATED_FIELDS = ("title", "publisher", "date", "source_url")
#: The description a document's row gives, by Dublin Core element: each the chosen fact of that field.
DESCRIPTION_COLUMNS = ("title", "creator", "date", "publisher", "source_url", "language", "identifier")


def described(text: str, kind: str, sidecar: Sidecar | None, embedded: Sequence[EmbeddedFact] = ()) -> list[Described]:
    """Every fact of the document's description: the curated ones (its sidecar), those its file's
    own metadata gives (``embedded``, the likeliest of each field first), those the text states
    (:mod:`provcat.description`) and its language as measured, each marked ``chosen`` when the
    document's row uses it: curated first, then embedded metadata, then what the text says. There is
    always a title (devised, when nothing names one). An author the text states is the creator when
    nothing else names one."""
    facts: list[Described] = []
    taken: set[str] = set()
    for name in CURATED_FIELDS:
        value = getattr(sidecar, name, None) if sidecar else None
        if value:
            facts.append(Described(name, str(value), "curated", None, None, "curated", 1.0, True))
            taken.add(name)
    for fact in sorted(embedded, key=lambda f: (DESCRIPTION_COLUMNS.index(f.field), -f.confidence)):
        first = fact.field not in taken
        taken.add(fact.field)
        facts.append(Described(fact.field, fact.value, fact.source, None, None, fact.method, fact.confidence,
                               first, fact.precision))
    for fact in describe(text, kind):
        first = fact.field not in taken
        taken.add(fact.field)
        if fact.field == "author" and first and "creator" not in taken:
            taken.add("creator")
        dated = iso_date(fact.value) if fact.field == "date" else None
        precision = dated[1] if dated else None
        facts.append(Described(fact.field, fact.value, fact.source, fact.start, fact.end, fact.method,
                               fact.confidence, first, precision))
    if "language" not in taken:
        measured = language.language(text)
        if measured is not None:
            facts.append(Described("language", measured[0], "extracted", None, None, language.METHOD, measured[1],
                                   True))
    return facts


def description_columns(facts: Sequence[Described]) -> dict[str, str | None]:
    """The document row's description columns: the chosen fact of each field ("creator" from a
    stated author when no creator is given) and the chosen date's precision."""
    chosen = {f.field: f for f in facts if f.chosen}
    if "creator" not in chosen and "author" in chosen:
        chosen["creator"] = chosen["author"]
    columns: dict[str, str | None] = {name: chosen[name].value if name in chosen else None
                                      for name in DESCRIPTION_COLUMNS}
    columns["title_source"] = chosen["title"].source
    columns["date_precision"] = chosen["date"].precision if "date" in chosen else None
    return columns


def extraction_key(sha256: str, doc_type: str, curated_digest: str,
                   reader: tuple[str, str | None] | None = None) -> str:
    """What an extraction depends on: the bytes, the type, the extractor, the curated inputs and, for
    text a reader extracted from another format, that reader's library version and options."""
    from .extract.pipeline import EXTRACTOR_VERSION

    parts: list[object] = [sha256, doc_type, EXTRACTOR_VERSION, curated_digest]
    if reader is not None:
        parts.append(list(reader))
    raw = json.dumps(parts)
    return hashlib.sha256(raw.encode()).hexdigest()


#: A reused extraction from a catalogue that did not record which build made it.
NOT_RECORDED = 0


def _extraction_build(old: sqlite3.Connection, doc_id: str) -> int | None:
    """The build that extracted a document of the previous catalogue; None when that catalogue did
    not record it (made before builds were recorded per document)."""
    try:
        row = old.execute("select extraction_build_id from documents where id = ?", (doc_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else row[0]


@dataclass(frozen=True)
class PreviousShape:
    """What the previous catalogue records of its assertions, read once for a build: a catalogue
    written before authority control has neither the names as extracted nor the set-aside mentions."""

    extracted_names: bool = False
    speaker_extracted_names: bool = False
    rejected_mentions: bool = False

    @classmethod
    def of(cls, old: sqlite3.Connection) -> PreviousShape:
        return cls("extracted_name" in store.columns(old, "mentions"),
                   "speaker_extracted_name" in store.columns(old, "quotes"), _has_table(old, "rejected_mentions"))


def previous_extraction(old: sqlite3.Connection | None, doc_id: str, key: str, shape: PreviousShape = PreviousShape()
                        ) -> tuple[Extraction, dict[tuple[str, str], int], int | None] | None:
    """The extraction (and rejection counts, and the build that made it, when recorded) stored in the
    previous catalogue, if it was made from the same inputs."""
    if old is None:
        return None
    row = old.execute("select extraction_key from documents where id = ?", (doc_id,)).fetchone()
    if row is None or row[0] != key:
        return None
    rejections = {(r["kind"], r["value"]): r["assertions"]
                  for r in old.execute("select * from rejections where document_id = ?", (doc_id,))}
    # the names and types as extracted, before the collection's curation.yml moved any (a catalogue
    # written before authority control has only the stored ones)
    name, kind = ("coalesce(m.extracted_name, e.name)", "coalesce(m.extracted_type, e.type)") \
        if shape.extracted_names else ("e.name", "e.type")
    rows = list(old.execute(f"select m.id, m.start, m.[end], m.surface, {name} as name, {kind} as type, m.method, "
                            "m.confidence from mentions m join entities e on e.id = m.entity_id "
                            "where m.document_id = ?", (doc_id,)))
    if shape.rejected_mentions:  # set aside by a reject action: back for the actions to judge again
        rows += old.execute("select id, start, [end], surface, name, type, method, confidence from rejected_mentions "
                            "where document_id = ?", (doc_id,)).fetchall()
    mentions = [
        Mention(start=r["start"], end=r["end"], surface=r["surface"], name=r["name"], type=r["type"],
                method=r["method"], confidence=r["confidence"])
        for r in sorted(rows, key=lambda r: r["id"])
    ]
    name, kind = ("coalesce(q.speaker_extracted_name, e.name)", "coalesce(q.speaker_extracted_type, e.type)") \
        if shape.speaker_extracted_names else ("e.name", "e.type")
    quotes = [
        Quote(start=r["start"], end=r["end"], text=r["text"], speaker=r["speaker"], speaker_name=r["name"],
              speaker_type=r["type"], cue=r["cue"], cue_start=r["cue_start"], cue_end=r["cue_end"],
              kind=r["kind"], method=r["method"], confidence=r["confidence"])
        for r in old.execute(f"select q.*, {name} as name, {kind} as type from quotes q left join entities e "
                             "on e.id = q.speaker_entity_id where q.document_id = ? order by q.id", (doc_id,))
    ]
    return Extraction(mentions=mentions, quotes=quotes), rejections, _extraction_build(old, doc_id)


#: Why a file was not read as text, when it is not of a kind the catalogue reads.
NOT_TEXT_KIND = f"not a kind the catalogue reads as text ({', '.join(sorted(SUPPORTED_SUFFIXES))})"


@dataclass
class Hashed:
    """A file hashed: its digests and, for a file to be read as text, its bytes (else why not)."""

    file: ArchiveFile
    digests: Digests
    data: bytes | None
    not_read: str | None


def hash_file(item: ArchiveFile, report: BuildReport, buffer: bytearray | None = None) -> Hashed:
    """A file's digests; a file of a kind read as text (and not too large to read whole) is read into
    memory, any other streamed through the digests (in blocks of ``buffer``, reused from file to
    file). A file that exists but cannot be read stops the build: dropping it would silently remove
    its record (and its fixity history) from the catalogue."""
    try:
        size = item.location.stat().st_size
        if item.text_kind and size <= MAX_DOCUMENT_BYTES:
            data = item.location.read_bytes()
            return Hashed(item, digest_bytes(data), data, None)
        digests = digest_file(item.location, buffer=buffer)
    except OSError as exc:
        raise ProvcatError(item.location, f"cannot be read: {exc.strerror or exc}") from exc
    if not item.text_kind:
        return Hashed(item, digests, None, NOT_TEXT_KIND)
    why = f"{size:,} bytes, larger than the {MAX_DOCUMENT_BYTES:,}-byte limit for one document"
    report.warnings.append((item.path, f"{why}; catalogued as a file, without text"))
    return Hashed(item, digests, None, why)


def _chunks(files: list[ArchiveFile]) -> Iterator[list[ArchiveFile]]:
    """``files`` a few at a time: at most ``IDENTIFY_FILES``, and at most ``IDENTIFY_BYTES`` of the
    documents among them (but for a single larger one)."""
    chunk: list[ArchiveFile] = []
    held = 0
    for item in files:
        size = size_of(item) if item.text_kind else 0
        if chunk and (len(chunk) == IDENTIFY_FILES or held + size > IDENTIFY_BYTES):
            yield chunk
            chunk, held = [], 0
        chunk.append(item)
        held += size
    if chunk:
        yield chunk


class Identifier:
    """The formats of a build's files: reused from the previous catalogue when the file's path and
    bytes are unchanged and the same version of the tool with the same signature files identified
    it; otherwise identified now, a row of ``identifications`` each (ids from ``next_id`` on)."""

    def __init__(self, old: sqlite3.Connection | None, old_path: Path, build_id: int, next_id: int) -> None:
        from . import identify

        self.identify = identify
        self.tool = identify.tool()
        self.old = old if old is not None and records_every_file(old) and _has_table(old, "identifications") \
            else None
        self.old_path, self.build_id, self.next_id = old_path, build_id, next_id
        self.new: list[dict[str, object]] = []  # made by this build, to be written

    def previous(self, path: str, sha256: str) -> dict[str, object] | None:
        if self.old is None:
            return None
        with reading_previous(self.old_path):
            row = self.old.execute(
                "select i.* from files f join identifications i on i.id = f.identification_id where f.path = ? "
                "and f.sha256 = ? and i.sha256 = ? and i.identified_by = ? and i.signatures = ?",
                (path, sha256, sha256, self.tool.identified_by, self.tool.signatures)).fetchone()
        return dict(row) if row is not None else None

    def identified(self, hashed: list[Hashed], report: BuildReport) -> list[dict[str, object]]:
        """The identification of each file, in order."""
        rows: list[dict[str, object] | None] = [self.previous(h.file.path, h.digests.sha256) for h in hashed]
        todo = [i for i, row in enumerate(rows) if row is None]
        found = self.identify.identify_files([hashed[i].file.local for i in todo], [hashed[i].file.path for i in todo])
        at = history.now()
        for i, made in zip(todo, found, strict=True):
            item = hashed[i]
            warning = made.warning
            if made.size_bytes is not None and made.outcome != "error" and made.size_bytes != item.digests.size_bytes:
                changed = (f"the file changed while it was catalogued: {item.digests.size_bytes:,} bytes hashed, "
                           f"{made.size_bytes:,} identified")
                warning = f"{warning}; {changed}" if warning else changed
                report.warnings.append((item.file.path, changed))
            if made.outcome == "error":
                report.warnings.append((item.file.path, f"format not identified: {made.warning}"))
            row: dict[str, object] = {
                "id": self.next_id, "build_id": self.build_id, "path": item.file.path, "sha256": item.digests.sha256,
                "size_bytes": item.digests.size_bytes, "identified_at": at, "outcome": made.outcome,
                "puid": made.puid, "format_name": made.format_name, "format_version": made.format_version,
                "mime_type": made.mime_type, "format_class": made.format_class, "basis": made.basis,
                "warning": warning, "identified_by": self.tool.identified_by, "signatures": self.tool.signatures,
                "signature_file": self.tool.signature_file, "agent": AGENT}
            self.next_id += 1
            self.new.append(row)
            rows[i] = row
        return [row for row in rows if row is not None]


def prepare(files: list[ArchiveFile], curation: Curation, report: BuildReport,
            identifier: Identifier) -> Iterator[Prepared]:
    """Hash and identify every file, a few at a time; read, decode and classify those of a kind read
    as text. One that cannot be read as text is a file without text, with a warning saying why."""
    buffer = bytearray(BLOCK_SIZE)
    for chunk in _chunks(files):
        hashed = [hash_file(item, report, buffer) for item in chunk]
        for item, identification in zip(hashed, identifier.identified(hashed, report), strict=True):
            yield prepared(item, identification, curation, report)


def prepared(hashed: Hashed, identification: dict[str, object], curation: Curation,
             report: BuildReport) -> Prepared:
    item, digests = hashed.file, hashed.digests
    done = Prepared(item, b"", digests.sha256, digests.sha512, digests.size_bytes, identification,
                    not_read=hashed.not_read)
    if hashed.data is None:
        return done
    try:
        read = read_document(hashed.data, item.path)
    except NotText as exc:
        done.not_read = exc.problem
        return done
    except ProvcatError as exc:
        report.warnings.append((item.path, f"{exc.problem}; catalogued as a file, without text"))
        done.not_read = exc.problem
        return done
    report.warnings.extend((item.path, w) for w in read.warnings)
    decision = classify(read.text, read.media_type, timed=bool(read.segments))
    sidecar = curation.sidecars.get(item.path)
    if sidecar is not None and sidecar.type is not None:
        decision = decision.model_copy(update={"type": sidecar.type, "confidence": 1.0, "method": "curated"})
    key = extraction_key(digests.sha256, decision.type, curation.inputs_digest(item.path),
                         reader=(read.extracted_by, read.extraction_options) if read.extracted_by else None)
    done.data, done.read, done.decision, done.key = hashed.data, read, decision, key
    return done


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", (name,)).fetchone() \
        is not None


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
    paths = {f.path for f in found.files if f.text_kind}
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
    """Each file in order, each document with its assertions, a window at a time: reused from the
    previous catalogue when its inputs are unchanged, otherwise extracted (spaCy reads the window in
    batches) and corrected by its sidecar. A text longer than the extractor reads gets its curated
    assertions only, and a warning. Files that are not documents pass through."""
    from .extract.pipeline import MAX_CHARACTERS, Job, extract_all

    with reading_previous(old_path):
        shape = PreviousShape.of(old) if old is not None else PreviousShape()
    for window in _batches(items, WINDOW, WINDOW_BYTES):
        documents = [(item, item.read) for item in window if item.read is not None]
        todo: list[tuple[Prepared, ReadDocument]] = []
        for item, read in documents:
            if len(read.text) > MAX_CHARACTERS:
                report.warnings.append((item.file.path, f"{len(read.text):,} characters, more than the "
                                        f"{MAX_CHARACTERS:,} the extractor reads in one document: catalogued "
                                        "with its text and fixity, without machine entities or quotes"))
            with reading_previous(old_path):
                previous = previous_extraction(old, str(item.file.id), str(item.key), shape)
            if previous is None:
                todo.append((item, read))
            else:
                item.extraction, item.rejections, made_in = previous
                item.extracted_in = NOT_RECORDED if made_in is None else made_in
        jobs = (Job(read.text, item.decision.type, read.segments, read.voices) for item, read in todo
                if item.decision is not None and len(read.text) <= MAX_CHARACTERS)
        machines = extract_all(jobs, curation.authorities)
        for item, read in todo:
            machine = next(machines) if len(read.text) <= MAX_CHARACTERS else Extraction()
            if machine.refused:
                report.warnings.append((item.file.path, f"{machine.refused}: catalogued with its text and fixity, "
                                                        "without machine entities or quotes"))
            sidecar = curation.sidecars.get(item.file.path)
            item.extraction, item.rejections = apply_sidecar(read.text, machine, sidecar, curation,
                                                             curation.sidecar_files.get(item.file.path))
        report.extracted += len(todo)
        report.reused += len(documents) - len(todo)
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
    mention_ids = itertools.count(1)  # one numbering for stored and set-aside mentions: the extraction's order
    previous: dict[str, tuple[str | None, str]] = {}
    if old is not None:
        with reading_previous(old_path):
            # what the previous catalogue recorded of each file (a catalogue written before every
            # file was catalogued recorded its documents only)
            sql = "select path, document_id, sha256 from files" if records_every_file(old) else \
                "select path, id, sha256 from documents"
            previous = {r[0]: (r[1], r[2]) for r in old.execute(sql)}
    entries: list[tuple[str, str]] = []
    documents = 0
    with db.conn:
        if old is not None:
            store.copy_history(old, db, old_path)
        build_id = db.conn.execute("select coalesce(max(id), 0) + 1 from builds").fetchone()[0]
        next_identification = db.conn.execute("select coalesce(max(id), 0) + 1 from identifications").fetchone()[0]
        identifier = Identifier(old, old_path, build_id, next_identification)
        run = history.start(db.conn, "ingestion", "every file", ("sha256",), AGENT, __version__,
                            archive.resolve().name)
        _write_collection(db, curation, archive)
        total_bytes = sum(size_of(f) for f in files) if progress else 0
        done_bytes = 0
        if progress:
            progress(0, len(files), 0, total_bytes)  # shown while the model loads
        items = extracted(prepare(files, curation, report, identifier), old, curation, report, old_path)
        for done, item in enumerate(items, 1):
            if identifier.new:
                store.insert(db, "identifications", identifier.new)
                identifier.new.clear()
            if item.is_document:
                _write_document(db, item, curation, registry, report, build_id, mention_ids)
                documents += 1
            _write_file(db, item)
            if item.identification["outcome"] != "identified":
                report.unidentified += 1
            if progress:
                done_bytes += item.size
                progress(done, len(files), done_bytes, max(total_bytes, done_bytes))
            store.insert(db, "fixity_events", [ingest_event(item, previous.get(item.file.path), run.id)])
            entries.append((item.file.path, item.sha256))
            item.data, item.extraction = b"", None  # let the bytes and assertions go
        current = {path for path, _ in entries}
        store.insert(db, "fixity_events", (missing_event(path, doc_id, digest, run.id)
                                           for path, (doc_id, digest) in sorted(previous.items())
                                           if path not in current))
        _write_entities(db, registry, curation, report)
        report.files, report.documents = len(entries), documents
        report.manifest_sha256 = manifest_sha256(entries)
        report.fixity_run, report.head = run.id, history.finish(db.conn, run.id, first_event=run.first_event)
        store.insert(db, "builds", [{
            "id": build_id, "started_at": started, "finished_at": now(), "software_version": __version__,
            "extractor_version": EXTRACTOR_VERSION, "model": MODEL, "model_version": model_version(),
            "archive": archive.resolve().name, "documents": documents, "files": len(entries),
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


def _write_file(db: sqlite_utils.Database, item: Prepared) -> None:
    """The file's row: where it is, its fixity, its format as identified, and whether it is a document."""
    found = item.identification
    store.insert(db, "files", [{
        "path": item.file.path, "document_id": item.file.id if item.is_document else None,
        "is_document": int(item.is_document), "size_bytes": item.size, "sha256": item.sha256, "sha512": item.sha512,
        "puid": found["puid"], "format_name": found["format_name"], "format_version": found["format_version"],
        "mime_type": found["mime_type"], "format_class": found["format_class"],
        "identification_basis": found["basis"], "identification_warning": found["warning"],
        "identified_by": found["identified_by"], "signatures": found["signatures"],
        "identification_id": found["id"], "not_read": item.not_read,
    }])


def _write_document(db: sqlite_utils.Database, item: Prepared, curation: Curation, registry: Registry,
                    report: BuildReport, build_id: int, mention_ids: Iterator[int]) -> None:
    assert item.read is not None and item.decision is not None and item.file.id is not None
    sidecar = curation.sidecars.get(item.file.path)
    doc_id = item.file.id
    facts = described(item.read.text, item.decision.type, sidecar, item.read.embedded)
    store.insert(db, "documents", [{
        "id": doc_id, "path": item.file.path, **description_columns(facts),
        "type": item.decision.type, "type_confidence": item.decision.confidence,
        "type_method": item.decision.method, "type_features": json.dumps(item.decision.features),
        "sha256": item.sha256, "sha512": item.sha512, "size_bytes": len(item.data),
        "media_type": item.read.media_type, "encoding": item.read.encoding,
        "normalisation": "; ".join(item.read.normalisation) or None, "extraction_key": item.key,
        "extraction_build_id": build_id if item.extracted_in is None else item.extracted_in or None,
        "text_sha256": hashlib.sha256(item.read.text.encode("utf-8")).hexdigest(),
        "text_extracted_by": item.read.extracted_by, "text_extraction_options": item.read.extraction_options,
        "text": item.read.text, "content": item.data,
    }])
    store.insert(db, "descriptions", ({"document_id": doc_id, **asdict(f)} for f in facts))
    store.insert(db, "segments", ({"document_id": doc_id, **s.model_dump()} for s in item.read.segments))
    store.insert(db, "text_regions", ({"document_id": doc_id, **r.model_dump()} for r in item.read.regions))
    extraction = item.extraction or Extraction()
    control = curation.control
    cited: dict[str, int] = {}
    mention_rows, set_aside = [], []
    for m in extraction.mentions:
        extracted = m
        place = gazetteer.identity(m.name) if m.type == "place" and m.method != "curated" else None
        if place is not None and place.name != m.name:  # "U.S." is the United States
            m = m.model_copy(update={"name": place.name})
        routed = control.route(m.name, m.type, item.file.path)
        row = {"id": next(mention_ids), "document_id": doc_id, "start": m.start, "end": m.end, "surface": m.surface,
               "method": m.method, "confidence": m.confidence}
        if routed.rejected_by is not None:
            set_aside.append({**row, "name": extracted.name, "type": extracted.type,
                              "curation_action_id": routed.rejected_by})
            continue
        entity_id = registry.resolve(routed.name, routed.type)
        control.shaped(entity_id, routed, m.name, m.type)
        if place is not None and (routed.name, routed.type) == (place.name, "place"):
            registry.identify(entity_id, place.geonames, place.method)
        registry.note(entity_id, m.surface, doc_id, m.confidence, joined_by=_joined_by(m, routed, place))
        cited[entity_id] = cited.get(entity_id, 0) + 1
        mention_rows.append({**row, "entity_id": entity_id, "extracted_name": extracted.name,
                             "extracted_type": extracted.type,
                             "curation_action_id": routed.actions[-1] if routed.actions else None})
    store.insert(db, "mentions", mention_rows)
    store.insert(db, "rejected_mentions", set_aside)
    spoke: dict[str, int] = {}
    quote_rows = []
    for q in extraction.quotes:
        entity_id = None
        speaker = q.speaker
        action = None
        if q.speaker_name and q.speaker_type:
            routed = control.route(q.speaker_name, q.speaker_type, item.file.path)
            if routed.rejected_by is not None:
                action = routed.rejected_by  # the speaker stays as attributed, linked to no entity
            else:
                entity_id = registry.resolve(routed.name, routed.type)
                control.shaped(entity_id, routed, q.speaker_name, q.speaker_type)
                registry.note(entity_id, q.speaker_name, doc_id, q.confidence)
                speaker = registry.records[entity_id].name
                spoke[entity_id] = spoke.get(entity_id, 0) + 1
                action = routed.actions[-1] if routed.actions else None
        quote_rows.append({"document_id": doc_id, "speaker": speaker, "speaker_entity_id": entity_id,
                           "text": q.text, "start": q.start, "end": q.end, "cue": q.cue,
                           "cue_start": q.cue_start, "cue_end": q.cue_end, "kind": q.kind, "method": q.method,
                           "confidence": q.confidence, "speaker_extracted_name": q.speaker_name,
                           "speaker_extracted_type": q.speaker_type, "curation_action_id": action})
    store.insert(db, "quotes", quote_rows)
    report.quotes += len(quote_rows)
    # one row per entity: a speaker is cited too, so 'speaker' is the stronger role
    store.insert(db, "document_entities", (
        {"document_id": doc_id, "entity_id": e, "role": "speaker" if e in spoke else "cited",
         "mentions": cited.get(e, 0), "quotes": spoke.get(e, 0)}
        for e in sorted(set(cited) | set(spoke))))
    store.insert(db, "rejections", ({"document_id": doc_id, "kind": kind, "value": value, "assertions": n}
                                    for (kind, value), n in item.rejections.items()))


def _joined_by(mention: Mention, routed: authority_control.Routed, place: gazetteer.Identity | None) -> str:
    """How a mention's form of the name was joined to its entity, for the entity's aliases."""
    if routed.actions:
        return "curation"
    if mention.method in ("authority", "curated"):
        return mention.method
    if place is not None and place.name == mention.name:
        return place.method
    if "+short-form" in mention.method:
        return "short form"
    return "as extracted"


def _write_entities(db: sqlite_utils.Database, registry: Registry, curation: Curation, report: BuildReport) -> None:
    control = curation.control
    records = registry.used()
    shaped = []
    for r in records:
        spelling = control.spelling(r.name, r.type)
        if spelling is not None and spelling[1] != r.name:
            number, spelled = spelling
            control.respelled(r.id, number, r.name)
            r.aliases.setdefault(r.name, "curation")
            r.name = spelled
            r.aliases.pop(spelled, None)
            db.conn.execute("update quotes set speaker = ? where speaker_entity_id = ?", (spelled, r.id))
        shaped += [{"entity_id": r.id, "action_id": e.action, "effect": e.effect}
                   for e in control.entity_effects(r.id, r.name, r.type)]
    source = str(control.source) if control.source else ""
    store.insert(db, "curation_actions", (authority_control.action_row(n, a, control.applied[n], source)
                                          for n, a in enumerate(control.actions, start=1)))
    for number in control.unused():
        action = control.actions[number - 1]
        report.warnings.append((source, f"action {number} ({action.action}) changed nothing in this catalogue"))
    store.insert(db, "entities", ({"id": r.id, "name": r.name, "type": r.type, "source": r.source,
                                   "wikidata": r.wikidata, "documents": len(r.documents), "note": r.note,
                                   "assertions": r.mentions, "best_confidence": r.confidence if r.mentions else None,
                                   "identified_by": r.identified_by, **r.identifiers}
                                  for r in records))
    store.insert(db, "entity_curation", shaped)
    store.insert(db, "entity_aliases", ({"entity_id": r.id, "alias": a, "method": how} for r in records
                                        for a, how in sorted(r.aliases.items())))


def ingest_event(item: Prepared, before: tuple[str | None, str] | None, run_id: int) -> dict[str, object]:
    """The file's digest at ingest, compared with the previous catalogue's record: ``new`` when it is
    catalogued for the first time. A document's event names it; another file's, only its path."""
    outcome = "new" if before is None else ("intact" if before[1] == item.sha256 else "changed")
    return {"event_type": "ingestion", "document_id": item.file.id if item.is_document else None,
            "path": item.file.path,
            "checked_at": history.now(), "algorithm": "sha256", "expected": before[1] if before else None,
            "actual": item.sha256, "outcome": outcome, "detail": "first catalogued" if before is None else None,
            "agent": AGENT, "run_id": run_id}


def missing_event(path: str, doc_id: str | None, digest: str, run_id: int) -> dict[str, object]:
    """A file (a document, when ``doc_id`` is given) of the previous catalogue that the archive no
    longer holds."""
    what = f"document '{doc_id}'" if doc_id is not None else f"file '{path}'"
    return {"event_type": "ingestion", "document_id": None, "path": path, "checked_at": history.now(),
            "algorithm": "sha256", "expected": digest, "actual": None, "outcome": "missing",
            "detail": f"{what} is no longer in the archive", "agent": AGENT, "run_id": run_id}
