"""Export the provenance of the catalogue as a W3C PROV document, serialised as PROV-JSON.

What the document says (every identifier is a QName in the ``provcat`` namespace, ``urn:provcat:``,
and its local part starts with a letter):

- **Documents** are entities ``provcat:doc-<sha256>``: the exact bytes, with their path, title,
  type, SHA-256, SHA-512, size, media type and encoding. Two files with the same bytes are one
  entity with two paths.
- **Extracted text**: where a reader extracted a document's text from another format (a web page,
  a PDF, a word-processing file, an e-mail, transcript JSON), that text is an entity
  ``provcat:text-<sha256 of the text>`` of type ``provcat:ExtractedText`` with the reader, its
  version and its options, derived from the document; the document's extraction used it.
- **Every other archived file** (one the catalogue does not read as text) is an entity
  ``provcat:file-<sha256>`` of type ``provcat:File``, with its path, SHA-256, SHA-512 and size.
  Every file, document or not, carries its format: the PRONOM identifier (``provcat:puid``), format
  name and version, MIME type (``dcterms:format`` for a file that is not a document, whose media
  type it is), the basis of the match and any warning.
- **Format identifications** are activities ``provcat:identification-<id>`` (a row of
  ``identifications``), at the time they were made: each used its file, was associated with the
  identification tool, a ``prov:SoftwareAgent`` ``provcat:siegfried-<version>`` carrying its
  signature files, and was informed by the build that made it (a file unchanged since an earlier
  build keeps that build's identification).
- **Builds** are activities ``provcat:build-<id>`` with their start and end times, associated with
  the software agent ``provcat:provcat-<version>`` (a ``prov:SoftwareAgent`` carrying the extractor,
  model and model version of its builds). Each build used the curated metadata
  (``provcat:metadata-<sha256>``, attributed to the curator) and generated a version of the catalogue
  database, ``provcat:catalogue-build-<id>``, each a revision of the one before. The latest build
  used every document.
- **Extraction** of each document is an activity ``provcat:extraction-<sha256>`` that was informed
  by the build that made it (an unchanged document's extraction is reused by later builds; the
  latest build when the catalogue does not record which), used the document and generated
  its machine assertions, ``provcat:assertions-<sha256>``, attributed to the software. Quotes and
  mentions are aggregated per document (counts and the methods that made them), so the document
  grows with the number of documents, not of assertions.
- **Curated assertions** of a document (quotes and mentions with method ``curated``, a curated type
  or title, rejections) are the entity ``provcat:curated-<sha256>``, derived from the document and
  the curated metadata, and attributed to the curator, a ``prov:Person`` named in the collection
  description (acting on behalf of its organisation, when one is named).

- **Curation actions** of the collection's ``curation.yml`` (merge, split, rename, retype, reject,
  confirm) are activities ``provcat:curation-action-<n>``, with what they name, why, their date and
  how many assertions they changed in the latest build, each associated with the person who took it
  (``provcat:curator-<name>``); the latest build was informed by every one of them.

When two catalogued files hold the same bytes, the second one's extraction and assertions get the
suffix ``-2`` (then ``-3``, ...), in path order.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from prov.model import PROV, PROV_LABEL, PROV_TYPE, Namespace, ProvDocument, QualifiedName

from ..errors import ProvcatError
from ..models import slugify
from ..ownership import check_export_target, records_every_file, require_catalogue

NAMESPACE = "urn:provcat:"
DCTERMS = "http://purl.org/dc/terms/"
PROVCAT = Namespace("provcat", NAMESPACE)
LOCAL_PART = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")

Attributes = list[tuple[str | QualifiedName, Any]]


@dataclass
class Assertions:
    """Counts of one document's assertions, by method."""

    mentions: Counter[str] = field(default_factory=Counter)
    quotes: Counter[str] = field(default_factory=Counter)
    rejections: int = 0


@dataclass
class Snapshot:
    """What the PROV document is made from, read from the catalogue in one go."""

    documents: list[sqlite3.Row]
    builds: list[sqlite3.Row]
    collection: dict[str, str]
    assertions: dict[str, Assertions]
    files: list[sqlite3.Row] = field(default_factory=list)  # every file, with its identification
    curation_actions: list[sqlite3.Row] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading the catalogue
# ---------------------------------------------------------------------------------------------


def _count_assertions(conn: sqlite3.Connection) -> dict[str, Assertions]:
    counts: dict[str, Assertions] = defaultdict(Assertions)
    for doc, method, n in conn.execute("select document_id, method, count(*) from mentions group by 1, 2"):
        counts[doc].mentions[method] = n
    for doc, method, n in conn.execute("select document_id, method, count(*) from quotes group by 1, 2"):
        counts[doc].quotes[method] = n
    for doc, n in conn.execute("select document_id, count(*) from rejections group by 1"):
        counts[doc].rejections = n
    return counts


FILES_SQL = ("select f.path, f.document_id, f.sha256, f.sha512, f.size_bytes, f.puid, f.format_name, "
             "f.format_version, f.mime_type, f.identification_basis, f.identification_warning, f.identification_id, "
             "i.identified_at, i.identified_by, i.signatures, i.signature_file, i.outcome, i.build_id "
             "from files f left join identifications i on i.id = f.identification_id order by f.path")


def read_snapshot(db: Path) -> Snapshot:
    require_catalogue(db)
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            with conn:  # one read transaction: a consistent view
                columns = {r["name"] for r in conn.execute("pragma table_info(documents)")}
                made_by = "extraction_build_id" if "extraction_build_id" in columns else "null"
                extracted = ", ".join(f"{c}" if c in columns else f"null as {c}"
                                      for c in ("text_sha256", "text_extracted_by", "text_extraction_options"))
                documents = list(conn.execute(
                    "select id, path, title, title_source, type, type_method, sha256, sha512, size_bytes, "
                    f"media_type, encoding, {made_by} as extraction_build_id, {extracted} from documents "
                    "order by path"))
                builds = list(conn.execute("select * from builds order by id"))
                files = list(conn.execute(FILES_SQL)) if records_every_file(conn) else []
                collection = {r["key"]: r["value"] for r in conn.execute("select key, value from collection")
                              if r["value"] is not None}
                assertions = _count_assertions(conn)
                has_actions = conn.execute(
                    "select 1 from sqlite_master where type = 'table' and name = 'curation_actions'").fetchone()
                actions = list(conn.execute("select * from curation_actions order by id")) if has_actions else []
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc
    if not builds:
        raise ProvcatError(db, "records no build (run 'provcat build' first)")
    return Snapshot(documents, builds, collection, assertions, files, actions)


# ---------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------


def qname(local: str) -> str:
    """``provcat:<local>``, refusing a local part that is not a plain QName (e.g. starts with a digit)."""
    if not LOCAL_PART.fullmatch(local):
        raise ValueError(f"not a valid QName local part: {local!r}")
    return f"provcat:{local}"


def token(text: str) -> str:
    """A version string or similar made safe for a QName local part ('0.1.0+abc' -> '0.1.0-abc')."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "unknown"


def document_id(sha256: str) -> str:
    return qname(f"doc-{sha256}")


def file_id(sha256: str) -> str:
    """A file that is not a document."""
    return qname(f"file-{sha256}")


def tool_id(identified_by: str) -> str:
    return qname(token(identified_by))


def build_id(build: sqlite3.Row) -> str:
    return qname(f"build-{build['id']}")


def catalogue_id(build: sqlite3.Row) -> str:
    return qname(f"catalogue-build-{build['id']}")


def software_id(version: str) -> str:
    return qname(f"provcat-{token(version)}")


def metadata_id(digest: str) -> str:
    return qname(f"metadata-{digest}")


def document_keys(documents: list[sqlite3.Row]) -> list[str]:
    """Per catalogued file, a key for its extraction: its SHA-256, then -2, -3 for repeated bytes."""
    seen: Counter[str] = Counter()
    keys = []
    for row in documents:
        seen[row["sha256"]] += 1
        n = seen[row["sha256"]]
        keys.append(row["sha256"] if n == 1 else f"{row['sha256']}-{n}")
    return keys


def timestamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# ---------------------------------------------------------------------------------------------
# Building the document
# ---------------------------------------------------------------------------------------------


def new_document() -> ProvDocument:
    doc = ProvDocument()
    doc.add_namespace("provcat", NAMESPACE)
    doc.add_namespace("dcterms", DCTERMS)
    return doc


def add_agents(doc: ProvDocument, snapshot: Snapshot) -> str | None:
    """The software (one agent per version) and the curator; returns the curator's id, if any."""
    software: dict[str, Attributes] = defaultdict(list)
    for build in snapshot.builds:
        version = build["software_version"]
        software[software_id(version)] += [
            (PROV_TYPE, PROV["SoftwareAgent"]), (PROV_LABEL, f"provcat {version}"), ("provcat:version", version),
            *[(a, build[c]) for a, c in (("provcat:extractorVersion", "extractor_version"), ("provcat:model", "model"),
                                         ("provcat:modelVersion", "model_version")) if build[c]]]
    for agent, attributes in software.items():
        doc.agent(agent, attributes)
    curator = snapshot.collection.get("curator")
    if not curator:
        return None
    curator_id = qname(f"curator-{slugify(curator)}")
    doc.agent(curator_id, [(PROV_TYPE, PROV["Person"]), (PROV_LABEL, curator)])
    organization = snapshot.collection.get("organization")
    if organization:
        organization_id = qname(f"organization-{slugify(organization)}")
        doc.agent(organization_id, [(PROV_TYPE, PROV["Organization"]), (PROV_LABEL, organization)])
        doc.delegation(curator_id, organization_id)
    return curator_id


def add_documents(doc: ProvDocument, documents: list[sqlite3.Row], files: list[sqlite3.Row]) -> None:
    """One entity per distinct content; files with the same bytes add their paths and titles to it.
    Each carries its format as identified (from ``files``, when the catalogue records every file)."""
    formats = {row["path"]: format_attributes(row) for row in files if row["document_id"] is not None}
    attributes: dict[str, Attributes] = defaultdict(list)
    for row in documents:
        attributes[row["sha256"]] += [
            (PROV_TYPE, PROVCAT["Document"]), ("provcat:path", row["path"]), ("provcat:documentId", row["id"]),
            ("dcterms:title", row["title"]), ("provcat:documentType", row["type"]),
            ("provcat:sha256", row["sha256"]), ("provcat:sha512", row["sha512"]),
            ("provcat:sizeBytes", row["size_bytes"]), ("dcterms:format", row["media_type"]),
            ("provcat:encoding", row["encoding"]), *formats.get(row["path"], []),
        ]
    for sha256, pairs in attributes.items():
        doc.entity(document_id(sha256), [(k, v) for k, v in pairs if v is not None])
    for row in documents:
        if row["text_extracted_by"] and row["text_sha256"]:
            add_extracted_text(doc, row)


def text_id(sha256: str) -> str:
    return qname(f"text-{sha256}")


def add_extracted_text(doc: ProvDocument, row: sqlite3.Row) -> None:
    """The text a reader extracted from a document of another format (a web page, a PDF, …): an
    entity of its own, ``provcat:text-<sha256 of the text>``, derived from the document's bytes by
    the reader, whose name, version and options it carries."""
    text = text_id(row["text_sha256"])
    doc.entity(text, [(PROV_TYPE, PROVCAT["ExtractedText"]), ("provcat:sha256", row["text_sha256"]),
                      ("provcat:path", row["path"]), ("provcat:extractedBy", row["text_extracted_by"]),
                      *([("provcat:extractionOptions", row["text_extraction_options"])]
                        if row["text_extraction_options"] else [])])
    doc.derivation(text, document_id(row["sha256"]))


def format_attributes(row: sqlite3.Row) -> Attributes:
    """A file's format as identified (PRONOM identifier, name, version, MIME type, basis, warning)."""
    return [(k, row[c]) for k, c in (("provcat:puid", "puid"), ("provcat:formatName", "format_name"),
                                     ("provcat:formatVersion", "format_version"), ("provcat:mimeType", "mime_type"),
                                     ("provcat:identificationBasis", "identification_basis"),
                                     ("provcat:identificationWarning", "identification_warning")) if row[c]]


def add_files(doc: ProvDocument, files: list[sqlite3.Row]) -> None:
    """Every file that is not a document is an entity, one per distinct content, with its format."""
    attributes: dict[str, Attributes] = defaultdict(list)
    for row in files:
        if row["document_id"] is not None:
            continue
        attributes[row["sha256"]] += [
            (PROV_TYPE, PROVCAT["File"]), ("provcat:path", row["path"]), ("provcat:sha256", row["sha256"]),
            ("provcat:sha512", row["sha512"]), ("provcat:sizeBytes", row["size_bytes"]),
            ("dcterms:format", row["mime_type"]), *format_attributes(row)]
    for sha256, pairs in attributes.items():
        doc.entity(file_id(sha256), [(k, v) for k, v in dict.fromkeys(pairs) if v is not None])


def file_entity(row: sqlite3.Row) -> str:
    return document_id(row["sha256"]) if row["document_id"] is not None else file_id(row["sha256"])


def add_identifications(doc: ProvDocument, files: list[sqlite3.Row], builds: list[sqlite3.Row]) -> None:
    """The identification of every file's format: an activity that used the file, associated with
    the identification tool (one agent per version), informed by the build that made it."""
    known_builds = {build["id"] for build in builds}
    tools: set[str] = set()
    for row in files:
        if row["identification_id"] is None or row["identified_by"] is None:
            continue
        tool = tool_id(row["identified_by"])
        if tool not in tools:
            tools.add(tool)
            doc.agent(tool, [(PROV_TYPE, PROV["SoftwareAgent"]), (PROV_LABEL, row["identified_by"]),
                             *[(k, row[c]) for k, c in (("provcat:signatures", "signatures"),
                                                        ("provcat:signatureFile", "signature_file")) if row[c]]])
        activity = qname(f"identification-{row['identification_id']}")
        doc.activity(activity, timestamp(row["identified_at"]), timestamp(row["identified_at"]), [
            (PROV_TYPE, PROVCAT["FormatIdentification"]), ("provcat:path", row["path"]),
            ("provcat:outcome", row["outcome"]), *format_attributes(row)])
        doc.usage(activity, file_entity(row), timestamp(row["identified_at"]))
        doc.association(activity, tool)
        if row["build_id"] in known_builds:
            doc.communication(activity, qname(f"build-{row['build_id']}"))


def add_builds(doc: ProvDocument, builds: list[sqlite3.Row], curator_id: str | None) -> None:
    """Every build: its times, software, the metadata it used and the catalogue it generated."""
    previous: sqlite3.Row | None = None
    metadata_versions: set[str] = set()
    for build in builds:
        activity = build_id(build)
        files = dict(build).get("files")  # none for builds before every file was catalogued
        doc.activity(activity, timestamp(build["started_at"]), timestamp(build["finished_at"]), [
            (PROV_TYPE, PROVCAT["Build"]), ("provcat:documents", build["documents"]),
            *([("provcat:files", files)] if files is not None else []),
            ("provcat:manifestSha256", build["manifest_sha256"]),
            *[(f"provcat:{k}", build[c]) for k, c in (("softwareVersion", "software_version"),
                                                      ("extractorVersion", "extractor_version"),
                                                      ("model", "model"), ("modelVersion", "model_version"),
                                                      ("archive", "archive")) if build[c]],
        ])
        doc.association(activity, software_id(build["software_version"]))
        if build["metadata_sha256"]:
            metadata = metadata_id(build["metadata_sha256"])
            if metadata not in metadata_versions:  # the same curated metadata may serve many builds
                metadata_versions.add(metadata)
                doc.entity(metadata, [(PROV_TYPE, PROVCAT["CuratedMetadata"]),
                                      ("provcat:sha256", build["metadata_sha256"])])
                if curator_id:
                    doc.attribution(metadata, curator_id)
            doc.usage(activity, metadata)
        catalogue = catalogue_id(build)
        doc.entity(catalogue, [(PROV_TYPE, PROVCAT["Catalogue"]), (PROV_LABEL, f"catalogue of build {build['id']}"),
                               ("provcat:manifestSha256", build["manifest_sha256"])])
        doc.generation(catalogue, activity, timestamp(build["finished_at"]))
        if previous is not None:
            doc.revision(catalogue, catalogue_id(previous))
        previous = build


def is_curated(row: sqlite3.Row, counts: Assertions) -> bool:
    return bool(counts.mentions["curated"] or counts.quotes["curated"] or counts.rejections
                or row["type_method"] == "curated" or row["title_source"] == "curated")


def add_extraction(doc: ProvDocument, row: sqlite3.Row, key: str, counts: Assertions, build: sqlite3.Row,
                   curator_id: str | None) -> None:
    """One document's extraction by ``build``, its machine assertions and its curated ones."""
    document = document_id(row["sha256"])
    software = software_id(build["software_version"])
    extraction = qname(f"extraction-{key}")
    doc.activity(extraction, other_attributes=[(PROV_TYPE, PROVCAT["Extraction"]), ("provcat:path", row["path"]),
                                               ("provcat:extractorVersion", build["extractor_version"])])
    doc.communication(extraction, build_id(build))
    doc.usage(extraction, document)
    if row["text_extracted_by"] and row["text_sha256"]:
        doc.usage(extraction, text_id(row["text_sha256"]))  # what the extractors read
    doc.association(extraction, software)
    machine = {m: n for m, n in (counts.mentions + counts.quotes).items() if m != "curated"}
    assertions = qname(f"assertions-{key}")
    doc.entity(assertions, [
        (PROV_TYPE, PROVCAT["MachineAssertions"]), ("provcat:path", row["path"]),
        ("provcat:mentions", sum(n for m, n in counts.mentions.items() if m != "curated")),
        ("provcat:quotes", sum(n for m, n in counts.quotes.items() if m != "curated")),
        *[("provcat:method", f"{m} ({n})") for m, n in sorted(machine.items())],
    ])
    doc.generation(assertions, extraction)
    doc.derivation(assertions, document, extraction)
    doc.attribution(assertions, software)
    doc.derivation(catalogue_id(build), assertions)
    if is_curated(row, counts):
        add_curated(doc, row, key, counts, build, curator_id)


def add_curated(doc: ProvDocument, row: sqlite3.Row, key: str, counts: Assertions, build: sqlite3.Row,
                curator_id: str | None) -> None:
    """A document's curated assertions: merged in by its extraction, made by the curator."""
    curated = qname(f"curated-{key}")
    fields = [f for f, source in (("type", row["type_method"]), ("title", row["title_source"])) if source == "curated"]
    doc.entity(curated, [
        (PROV_TYPE, PROVCAT["CuratedAssertions"]), ("provcat:path", row["path"]),
        ("provcat:mentions", counts.mentions["curated"]), ("provcat:quotes", counts.quotes["curated"]),
        ("provcat:rejections", counts.rejections), *[("provcat:curatedField", f) for f in fields],
    ])
    doc.generation(curated, qname(f"extraction-{key}"))
    doc.derivation(curated, document_id(row["sha256"]))
    if build["metadata_sha256"]:
        doc.derivation(curated, metadata_id(build["metadata_sha256"]))
    if curator_id:
        doc.attribution(curated, curator_id)
    doc.derivation(catalogue_id(build), curated)


def add_curation_actions(doc: ProvDocument, actions: list[sqlite3.Row], latest: sqlite3.Row,
                         curator_id: str | None) -> None:
    """Each action of curation.yml, taken by its curator, informing the latest build."""
    people = {curator_id} if curator_id else set()
    for row in actions:
        activity = qname(f"curation-action-{row['id']}")
        doc.activity(activity, other_attributes=[
            (PROV_TYPE, PROVCAT["CurationAction"]), (PROV_LABEL, f"curation action {row['id']}: {row['action']}"),
            ("provcat:action", row["action"]), ("provcat:detail", row["detail"]), ("provcat:why", row["why"]),
            ("provcat:date", row["date"]), ("provcat:file", row["file"]), ("provcat:assertions", row["assertions"])])
        person = qname(f"curator-{slugify(row['curator'])}")
        if person not in people:
            people.add(person)
            doc.agent(person, [(PROV_TYPE, PROV["Person"]), (PROV_LABEL, row["curator"])])
        doc.association(activity, person)
        doc.communication(build_id(latest), activity)


def provenance(snapshot: Snapshot) -> ProvDocument:
    """The PROV document of a catalogue."""
    doc = new_document()
    curator_id = add_agents(doc, snapshot)
    add_documents(doc, snapshot.documents, snapshot.files)
    add_files(doc, snapshot.files)
    add_builds(doc, snapshot.builds, curator_id)
    add_identifications(doc, snapshot.files, snapshot.builds)
    latest = snapshot.builds[-1]
    entities = [document_id(row["sha256"]) for row in snapshot.documents]
    entities += [file_id(row["sha256"]) for row in snapshot.files if row["document_id"] is None]
    for entity in dict.fromkeys(entities):
        doc.usage(build_id(latest), entity)
        doc.derivation(catalogue_id(latest), entity)
    builds = {build["id"]: build for build in snapshot.builds}
    for row, key in zip(snapshot.documents, document_keys(snapshot.documents), strict=True):
        made_by = builds.get(row["extraction_build_id"], latest)
        add_extraction(doc, row, key, snapshot.assertions.get(row["id"], Assertions()), made_by, curator_id)
    add_curation_actions(doc, snapshot.curation_actions, latest, curator_id)
    return doc


def write_atomically(out_file: Path, text: str) -> None:
    """Write ``text`` to a new hidden file beside ``out_file`` (created here, with a name no other
    writer can pick) and move it into place."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.with_name(f".{out_file.name}.writing-{os.getpid()}-{secrets.token_hex(8)}")
    try:
        with open(tmp, "x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out_file)
    finally:
        tmp.unlink(missing_ok=True)


def export_prov(db: Path, out_file: Path, folders: dict[str, Path] | None = None) -> None:
    """Write the provenance of the catalogue ``db`` to ``out_file`` as PROV-JSON (replaced atomically).

    ``out_file`` must be a new file or a previous provenance export, not the catalogue, and not
    inside any of ``folders`` (by role: the archive, the metadata folder)."""
    check_export_target(out_file, folders or {}, {"catalogue": db})
    document = provenance(read_snapshot(db))
    check_export_target(out_file, folders or {}, {"catalogue": db})  # nothing else took its place meanwhile
    write_atomically(out_file, document.serialize(format="json", indent=2) + "\n")
