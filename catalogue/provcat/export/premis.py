"""Export the fixity history of the catalogue as PREMIS 3.0 preservation metadata (XML).

The document is one ``<premis version="3.0">`` in the namespace ``http://www.loc.gov/premis/v3``,
valid against the Library of Congress schema (a copy ships in ``schemas/``, with its source). It
holds, in the order the schema requires:

- **Objects**: one ``object`` of ``xsi:type="file"`` per row of ``files`` (every archived file;
  for a catalogue written before every file was catalogued, per row of ``documents``), in path
  order. Its identifiers are the document id (type ``provcat document id``), for a document, and
  its path relative to the archive (type ``provcat path``); its characteristics are composition
  level 0, the SHA-256 and SHA-512 recorded at ingestion (originator ``provcat``), the size in bytes
  and its formats: for a document first as before, the media type as ``formatName`` with the
  encoding and the line-ending normalisation, when there was one, as ``formatNote``; then, for
  every file, the format as identified: ``formatDesignation`` (the PRONOM format name and version)
  and ``formatRegistry`` (``PRONOM``, the PUID as ``formatRegistryKey``, role ``specification``),
  with the MIME type, the basis of the match, any warning and the tool as ``formatNote`` (a file
  with no match: ``formatName`` ``unidentified`` and the warning); ``originalName`` is the path.
- **Events**, first one per row of ``fixity_runs`` (identifier type ``provcat fixity run``), then
  one per row of ``fixity_events`` (identifier type ``provcat fixity event``), each with the row's id
  as its identifier value:

  - a run of kind ``ingestion`` (a build): ``ingestion`` (``.../eventType/ing``), at the run's start;
  - a run of kind ``fixity check`` (a verification): ``fixity check`` (``.../eventType/fix``), at its
    start;
  - a run of kind ``earlier events`` (the events recorded before runs existed): that local term,
    without an authority, at its start;
  - an event of type ``ingestion`` (a build's): ``message digest calculation``
    (``.../eventType/mes``), at the time the digest was taken;
  - an event of type ``fixity check`` (a verification's): ``fixity check`` (``.../eventType/fix``),
    at the time the digest was taken.

  - a row of ``identifications`` (identifier type ``provcat format identification``): ``format
    identification`` (``.../eventType/for``), at the time it was made, its outcome (``identified``,
    ``no match``, ``error``), the PUID, format, MIME type, basis, warning, signature files and the
    SHA-256 of the bytes identified as notes, linked to the identification tool (``siegfried
    <version>``, ``executing program``) and the version of provcat that ran it.

  The event types are the Library of Congress vocabulary's labels, with ``authorityURI``
  ``http://id.loc.gov/vocabulary/preservation/eventType`` and the concept's ``valueURI``; the
  timestamps are the UTC ones the history records, to the microsecond (ISO 8601; valid
  ``xs:dateTime``, though the schema types ``eventDateTime`` as a plain string).

  A run's ``eventDetail`` says what it checked, with which algorithms, when it finished and, for a
  build, the build's record; its ``eventOutcome`` is ``success``, ``failure`` (a verification that
  found a file not intact, or an empty archive checked in full; a run with a file that could not be
  read), ``interrupted`` or ``in progress``; its outcome notes (``eventOutcomeDetailNote``) give the
  counts per outcome, the ids of its events and the digests that chain the history
  (``events_sha256``, ``previous_run_sha256``, ``run_sha256``), so that the chain can be followed
  from the export.
  An event's ``eventDetail`` names the algorithm and its run; its ``eventOutcome`` is the outcome
  recorded (``new``, ``intact``, ``changed``, ``missing``, ``unrecorded``, ``error``), its notes the
  expected and the actual digest and the detail recorded. PREMIS does not link events to events:
  a file event names its run in its ``eventDetail``.
- **Links**: every event links its agent (role ``executing program`` for software, ``implementer``
  for a person) and, when its file is in the catalogue, the file's object (a document by its
  document id, another file by its path). An event of a file the catalogue does not hold
  (``unrecorded``, or a file removed since) links no object and names the file in a note.
- **Agents**: one per version of provcat named by a run, an event or a build (identifier type
  ``provcat agent``, value ``provcat <version>`` as the history records it; ``agentName``
  ``provcat``, ``agentType`` ``software``, ``agentVersion``; the extractor and model of its builds as
  ``agentNote``), one per version of the identification tool (``agentName`` ``siegfried``,
  ``agentVersion``, its signature files as ``agentNote``), and one per other agent string recorded
  (``person`` when it reads ``user@host``, ``software`` otherwise). No rights are stated.

Every text from the catalogue is written as it is, but for the characters XML 1.0 cannot carry
(control characters other than tab, line feed and carriage return; lone surrogates, which is how a
byte that is not UTF-8 is read; U+FFFE and U+FFFF): those are written as provcat writes them in
messages, ``\\x1b``, ``\\xff``, ``\\ud800``. A carriage return is written as a character reference, so
that a reader gets it back.

How it scales: the document is written as it is read, record by record (the many objects and
events from templates rendered once), to a new hidden file beside the target that is moved into
place when complete. Rows are read in pages of ``PAGE`` rows, each page a statement of its own, so
that a verification running meanwhile can commit between pages; the events exported are those
recorded when the export began. Memory does not grow with the number of documents or events, only
with the number of runs and of distinct agents. Measured with ``bench/premis_export.py`` (a
catalogue of 50,000 documents whose events are copied with SQL; two cores, shared): 100,000 fixity
events take 2.3-2.9 s (2.1-2.6 s of CPU) and 33 MB of peak resident memory, the whole process,
for 226 MB of XML; 1,000,000 events take 22 s (17 s of CPU) and the same 33 MB, for 1.65 GB.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .. import __version__
from ..errors import ProvcatError
from ..ownership import check_export_target, is_premis_export, records_every_file, require_catalogue
from ..store import columns

PREMIS_NAMESPACE = "http://www.loc.gov/premis/v3"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "https://www.loc.gov/standards/premis/v3/premis-v3-0.xsd"
#: The PREMIS 3.0 schema, as published by the Library of Congress (see schemas/README.md).
SCHEMA = Path(__file__).resolve().parent / "schemas" / "premis-v3-0.xsd"
EVENT_TYPES = "http://id.loc.gov/vocabulary/preservation/eventType"
PAGE = 5000

HEADER = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
          f"<!-- PREMIS 3.0 export of a provcat catalogue (provcat {__version__}) -->\n"
          f'<premis xmlns="{PREMIS_NAMESPACE}" xmlns:xsi="{XSI_NAMESPACE}" '
          f'xsi:schemaLocation="{PREMIS_NAMESPACE} {SCHEMA_LOCATION}" version="3.0">\n')
FOOTER = "</premis>\n"

DOCUMENT_ID = "provcat document id"
PATH_ID = "provcat path"
EVENT_ID = "provcat fixity event"
RUN_ID = "provcat fixity run"
IDENTIFICATION_ID = "provcat format identification"
AGENT_ID = "provcat agent"
#: The format registry the identifications name, and the role of its entry.
REGISTRY = "PRONOM"
REGISTRY_ROLE = "specification"
IDENTIFICATION_TYPE = ("format identification", "for")

#: eventType of each kind of run and each type of event: (label, LoC code or None for a local term)
RUN_TYPES = {"ingestion": ("ingestion", "ing"), "fixity check": ("fixity check", "fix")}
FILE_EVENT_TYPES = {"ingestion": ("message digest calculation", "mes"), "fixity check": ("fixity check", "fix")}
ALGORITHM_NAMES = {"sha256": "SHA-256", "sha512": "SHA-512"}
COUNTS = ("new", "intact", "changed", "missing", "unrecorded", "error")
NOT_INTACT = ("changed", "missing", "unrecorded", "error")

SOFTWARE_AGENT = re.compile(r"provcat (\S+)")
PERSON_AGENT = re.compile(r"[^@\s]+@[^@\s]+")

# characters XML 1.0 cannot carry; and with them what must be written as a reference (a carriage
# return too, which a parser would read as a line feed)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\r\"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# ---------------------------------------------------------------------------------------------
# Writing XML
# ---------------------------------------------------------------------------------------------


def _escape_character(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8, as Python reads it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def xml_safe(text: str) -> str:
    """``text`` with each character XML 1.0 cannot carry written as an escape (``\\x1b``, ``\\ud800``)."""
    return _NOT_XML.sub(_escape_character, text)


def xml_text(value: object) -> str:
    """``value`` as the text of an element or attribute: XML-safe, with ``&<>"`` and CR as references."""
    text = str(value)
    if not _SPECIAL.search(text):
        return text
    text = xml_safe(text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;"))


@dataclass
class Node:
    """An element: its tag, its attributes and either its text or its children."""

    tag: str
    text: object = None
    children: list[Node] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)


def render(node: Node, depth: int = 1) -> str:
    """The element as indented XML (two spaces a level), ending with a line feed."""
    if not node.tag:
        return str(node.text)
    indent = "  " * depth
    attributes = "".join(f' {name}="{xml_text(value)}"' for name, value in node.attributes.items())
    if node.children:
        inner = "".join(render(child, depth + 1) for child in node.children)
        return f"{indent}<{node.tag}{attributes}>\n{inner}{indent}</{node.tag}>\n"
    return f"{indent}<{node.tag}{attributes}>{xml_text(node.text)}</{node.tag}>\n"


def leaf(tag: str, text: object, **attributes: str) -> Node:
    return Node(tag, text, attributes=attributes)


def raw(xml: str) -> Node:
    """XML written already: rendered elements, or a placeholder of a template."""
    return Node("", xml)


def template(node: Node, depth: int = 1) -> str:
    """A node whose texts include ``{placeholders}`` rendered once, to be filled with ``str.format``
    (with values made XML text first): the many objects and events are written from templates."""
    return render(node, depth)


def identifier(prefix: str, kind: str, value: object) -> list[Node]:
    """The type and value of an identifier: ``<prefix>IdentifierType`` and ``<prefix>IdentifierValue``."""
    return [leaf(f"{prefix}IdentifierType", kind), leaf(f"{prefix}IdentifierValue", value)]


def event_type(label: str, code: str | None) -> Node:
    if code is None:
        return leaf("eventType", label)
    return leaf("eventType", label, authority="eventType", authorityURI=EVENT_TYPES,
                valueURI=f"{EVENT_TYPES}/{code}")


def outcome_detail(note: str) -> Node:
    return Node("eventOutcomeDetail", children=[leaf("eventOutcomeDetailNote", note)])


def outcome(value: str, details: list[Node]) -> Node:
    return Node("eventOutcomeInformation", children=[leaf("eventOutcome", value), *details])


def algorithm_name(algorithm: str) -> str:
    return ALGORITHM_NAMES.get(algorithm, algorithm)


# ---------------------------------------------------------------------------------------------
# Agents
# ---------------------------------------------------------------------------------------------


def software_agent(version: str) -> str:
    """The agent string of a version of provcat, as the history records it."""
    return f"provcat {version}"


def agent_type(agent: str) -> str:
    """``software`` for a program (``provcat 0.1.0``), ``person`` for ``user@host``."""
    if SOFTWARE_AGENT.fullmatch(agent):
        return "software"
    return "person" if PERSON_AGENT.fullmatch(agent) else "software"


def agent_links(agent: str, version: str | None = None) -> list[Node]:
    """The links of an event to who ran it: the agent recorded and, when that is not provcat itself,
    the version of provcat that ran for it."""
    role = "executing program" if agent_type(agent) == "software" else "implementer"
    links = [Node("linkingAgentIdentifier", children=[*identifier("linkingAgent", AGENT_ID, agent),
                                                      leaf("linkingAgentRole", role)])]
    if version is not None and software_agent(version) != agent:
        links.append(Node("linkingAgentIdentifier", children=[
            *identifier("linkingAgent", AGENT_ID, software_agent(version)),
            leaf("linkingAgentRole", "executing program")]))
    return links


@dataclass
class Agents:
    """The agents named so far, and what the builds say of each version of provcat."""

    named: dict[str, None] = field(default_factory=dict)  # in the order first named
    notes: dict[str, list[str]] = field(default_factory=dict)
    tools: dict[str, tuple[str, str]] = field(default_factory=dict)  # identification tools: (name, version)

    def name(self, agent: str) -> None:
        if agent not in self.named:
            self.named[agent] = None

    def tool(self, agent: str, notes: list[str]) -> None:
        """An identification tool, ``<name> <version>`` (``siegfried 1.11.9``), with its signature files."""
        self.name(agent)
        name, _, version = agent.partition(" ")
        self.tools[agent] = (name, version)
        known = self.notes.setdefault(agent, [])
        known += [note for note in notes if note not in known]

    def nodes(self) -> Iterator[Node]:
        for agent in self.named:
            software = SOFTWARE_AGENT.fullmatch(agent)
            children = [Node("agentIdentifier", children=identifier("agent", AGENT_ID, agent))]
            if software:
                children += [leaf("agentName", "provcat"), leaf("agentType", "software"),
                             leaf("agentVersion", software.group(1))]
            elif agent in self.tools:
                name, version = self.tools[agent]
                children += [leaf("agentName", name), leaf("agentType", "software")]
                children += [leaf("agentVersion", version)] if version else []
            else:
                children += [leaf("agentName", agent), leaf("agentType", agent_type(agent))]
            children += [leaf("agentNote", note) for note in self.notes.get(agent, [])]
            yield Node("agent", children=children)


# ---------------------------------------------------------------------------------------------
# Reading the catalogue
# ---------------------------------------------------------------------------------------------


def _decode(value: bytes) -> str:
    """Text from the catalogue; a byte that is not UTF-8 is kept (as a lone surrogate) and escaped."""
    return value.decode("utf-8", "surrogateescape")


def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=60)


def sql_value(value: object) -> object:
    """A value read from the catalogue, to be given back to it: text that was not UTF-8 as its bytes
    (which ``cast(? as text)`` turns back into the same text)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape")
    return value


def pages(conn: sqlite3.Connection, sql: str, start: object, key: int = 0) -> Iterator[tuple[object, ...]]:
    """The rows of ``sql`` (which takes the last key seen and a limit), page by page: each page is a
    statement of its own, run to its end, so no read holds the catalogue for long."""
    last = sql_value(start)
    while True:
        try:
            rows = conn.execute(sql, (last, PAGE)).fetchall()  # one page, at most PAGE rows
        except sqlite3.OperationalError as exc:
            if conn.text_factory is not str or "decode" not in str(exc):
                raise
            conn.text_factory = _decode  # text that is not UTF-8: kept, and escaped, from here on
            continue
        yield from rows
        if len(rows) < PAGE:
            return
        last = sql_value(rows[-1][key])


DOCUMENTS_SQL = ("select path, id, sha256, sha512, size_bytes, media_type, encoding, {normalisation}, "
                 "null, null, null, null, null, null, null, null "
                 "from documents where path > cast(? as text) order by path limit ?")
FILES_SQL = ("select f.path, f.document_id, f.sha256, f.sha512, f.size_bytes, d.media_type, d.encoding, "
             "d.normalisation, f.identification_id, f.puid, f.format_name, f.format_version, f.mime_type, "
             "f.identification_basis, f.identification_warning, f.identified_by "
             "from files f left join documents d on d.id = f.document_id "
             "where f.path > cast(? as text) order by f.path limit ?")


def object_node(identifiers: list[Node], sha256: str, sha512: str, size: object, formats: list[Node],
                path: str) -> Node:
    """The file object of an archived file."""
    return Node("object", attributes={"xsi:type": "file"}, children=[
        *identifiers,
        Node("objectCharacteristics", children=[
            leaf("compositionLevel", 0),
            *[Node("fixity", children=[leaf("messageDigestAlgorithm", algorithm_name(a)),
                                       leaf("messageDigest", digest),
                                       leaf("messageDigestOriginator", "provcat")])
              for a, digest in (("sha256", sha256), ("sha512", sha512))],
            leaf("size", size),
            *formats,
        ]),
        leaf("originalName", path),
    ])


def object_identifier(kind: str, value: object) -> Node:
    return Node("objectIdentifier", children=identifier("object", kind, value))


OBJECT = template(object_node([raw("{identifiers}")], "{sha256}", "{sha512}", "{size}", [raw("{formats}")], "{path}"))
OBJECT_IDENTIFIER = template(object_identifier("{kind}", "{value}"), depth=2)
MEDIA_FORMAT = template(Node("format", children=[Node("formatDesignation", children=[leaf("formatName", "{name}")]),
                                                 raw("{notes}")]), depth=3)
FORMAT_NOTE = template(leaf("formatNote", "{note}"), depth=4)


def identified_format(puid: object, name: object, version: object, mime_type: object, basis: object,
                      warning: object, identified_by: object) -> str:
    """The format of a file as identified, as XML: its designation and PRONOM entry (none for a file
    with no match), and notes."""
    if name or puid:
        designation = [leaf("formatName", name or puid)] + ([leaf("formatVersion", version)] if version else [])
    else:
        designation = [leaf("formatName", "unidentified")]
    children = [Node("formatDesignation", children=designation)]
    if puid:
        children.append(Node("formatRegistry", children=[leaf("formatRegistryName", REGISTRY),
                                                         leaf("formatRegistryKey", puid),
                                                         leaf("formatRegistryRole", REGISTRY_ROLE)]))
    notes = [f"MIME type {mime_type}" if mime_type else None, f"basis: {basis}" if basis else None,
             f"warning: {warning}" if warning else None, f"identified by {identified_by}" if identified_by else None]
    children += [leaf("formatNote", note) for note in notes if note]
    return render(Node("format", children=children), depth=3)


def document_objects(conn: sqlite3.Connection) -> Iterator[str]:
    """The file object of each catalogued file, in path order, as XML."""
    if records_every_file(conn):
        sql = FILES_SQL
    else:
        sql = DOCUMENTS_SQL.format(normalisation="normalisation" if "normalisation" in columns(conn, "documents")
                                   else "null")
    for (path, doc_id, sha256, sha512, size, media_type, encoding, normalised, identification, puid, name, version,
         mime_type, basis, warning, identified_by) in pages(conn, sql, ""):
        identifiers = ([(DOCUMENT_ID, doc_id)] if doc_id is not None else []) + [(PATH_ID, path)]
        formats = ""
        if doc_id is not None:
            notes = [f"encoding {encoding}"] + ([f"normalised: {normalised}"] if normalised else [])
            formats = MEDIA_FORMAT.format(name=xml_text(media_type),
                                          notes="".join(FORMAT_NOTE.format(note=xml_text(n)) for n in notes))
        if identification is not None:
            formats += identified_format(puid, name, version, mime_type, basis, warning, identified_by)
        yield OBJECT.format(identifiers="".join(OBJECT_IDENTIFIER.format(kind=xml_text(k), value=xml_text(v))
                                                for k, v in identifiers),
                            path=xml_text(path), sha256=xml_text(sha256), sha512=xml_text(sha512),
                            size=int(size),  # type: ignore[call-overload]
                            formats=formats)


RUN_COLUMNS = ("id", "kind", "status", "started_at", "finished_at", "agent", "software_version", "archive",
               "scope", "algorithms", "files", *COUNTS, "events", "first_event", "last_event", "events_sha256",
               "previous_run_sha256", "run_sha256")


def optional(available: set[str], column: str, table: str = "") -> str:
    """``column`` (of ``table``) when the catalogue has it, else null (catalogues of earlier versions)."""
    return f"{table}{column}" if column in available else "null"


def read_runs(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Every run, with the builds it was, if any (runs are few: one per build or verification)."""
    if "kind" not in columns(conn, "fixity_runs"):
        return []
    build_columns = columns(conn, "builds")
    linked = "fixity_run_id" in build_columns
    select = ", ".join(f'r."{c}"' for c in RUN_COLUMNS)
    if linked:
        select += ", " + ", ".join(optional(build_columns, c, "b.") for c in (
            "id", "documents", "manifest_sha256", "metadata_sha256", "extractor_version", "model", "model_version"))
        sql = f"select {select} from fixity_runs r left join builds b on b.fixity_run_id = r.id order by r.id, b.id"
    else:
        sql = f"select {select} from fixity_runs r order by r.id"
    runs: dict[object, dict[str, object]] = {}
    for row in conn.execute(sql):
        run = runs.setdefault(row[0], {**dict(zip(RUN_COLUMNS, row, strict=False)), "builds": []})
        if linked and row[len(RUN_COLUMNS)] is not None:
            run["builds"].append(row[len(RUN_COLUMNS):])  # type: ignore[attr-defined]
    return list(runs.values())


def run_outcome(run: dict[str, object]) -> str:
    """``success``, ``failure``, ``interrupted`` or ``in progress``, from the run's status and counts."""
    if run["status"] == "interrupted":
        return "interrupted"
    if run["status"] != "complete":
        return "in progress"
    if run["error"]:
        return "failure"
    if run["kind"] == "fixity check" and (
            any(run[c] for c in NOT_INTACT) or (not run["files"] and run["scope"] == "every file")):
        return "failure"
    return "success"


def run_event(run: dict[str, object]) -> Node:
    """The event of one run of the fixity history."""
    kind = str(run["kind"])
    label, code = RUN_TYPES.get(kind, (kind, None))
    algorithms = ", ".join(algorithm_name(a) for a in str(run["algorithms"] or "").split()) or "no algorithm"
    software = software_agent(str(run["software_version"]))
    details = [f"{kind} of {run['scope']} with {algorithms} by {run['agent']}"
               + (f" ({software})" if software != run["agent"] else "")
               + (f"; archive: {run['archive']}" if run["archive"] else "")
               + (f"; finished: {run['finished_at']}" if run["finished_at"] else "; not finished")]
    builds: list[tuple[object, ...]] = run["builds"]  # type: ignore[assignment]
    for build_id, documents, manifest, metadata, extractor, model, model_version in builds:
        details.append(f"build {build_id}: {documents} documents, manifest SHA-256 {manifest}, "
                       f"metadata SHA-256 {metadata or 'none'}, extractor {extractor}"
                       + (f", model {model} {model_version or ''}".rstrip() if model else ""))
    notes = [f"{run['files']} files: " + ", ".join(f"{run[c]} {c}" for c in COUNTS),
             f"{run['events']} events" + (f", ids {run['first_event']} to {run['last_event']}"
                                          if run["first_event"] is not None and run["last_event"] is not None
                                          else ""),
             f"events SHA-256 {run['events_sha256'] or 'none'}",
             f"previous run SHA-256 {run['previous_run_sha256'] or 'none'}",
             f"run SHA-256 {run['run_sha256'] or 'none'}"]
    return Node("event", children=[
        Node("eventIdentifier", children=identifier("event", RUN_ID, run["id"])),
        event_type(label, code),
        leaf("eventDateTime", run["started_at"]),
        *[Node("eventDetailInformation", children=[leaf("eventDetail", detail)]) for detail in details],
        outcome(run_outcome(run), [outcome_detail(note) for note in notes]),
        *agent_links(str(run["agent"]), str(run["software_version"])),
    ])


EVENTS_SQL = ("select e.id, e.event_type, e.document_id, e.path, e.checked_at, e.algorithm, e.expected, e.actual, "
              "e.outcome, e.detail, e.agent, {run_id}, d.id is not null, {in_files} from fixity_events e "
              "left join documents d on d.id = e.document_id where e.id > ? and e.id <= {last} order by e.id limit ?")
#: Whether an event naming no document is of a file the catalogue holds (linked by its path).
IN_FILES = "(e.document_id is null and exists (select 1 from files f where f.path = e.path))"


def file_event_node(event_id: object, kind: Node, checked_at: str, detail: str, result: str,
                    details: list[Node], links: list[Node], id_type: str = EVENT_ID) -> Node:
    """The event of one fixity event (or, with its ``id_type``, of one format identification)."""
    return Node("event", children=[
        Node("eventIdentifier", children=identifier("event", id_type, event_id)),
        kind,
        leaf("eventDateTime", checked_at),
        Node("eventDetailInformation", children=[leaf("eventDetail", detail)]),
        outcome(result, details),
        *links,
    ])


FILE_EVENT = template(file_event_node("{id}", raw("{event_type}"), "{checked_at}", "{detail}", "{outcome}",
                                      [raw("{notes}")], [raw("{links}")]))
IDENTIFICATION_EVENT = template(file_event_node("{id}", raw("{event_type}"), "{checked_at}", "{detail}", "{outcome}",
                                                [raw("{notes}")], [raw("{links}")], IDENTIFICATION_ID))
OUTCOME_NOTE = template(outcome_detail("{note}"), depth=3)
OBJECT_LINK = template(Node("linkingObjectIdentifier", children=identifier("linkingObject", DOCUMENT_ID, "{id}")),
                       depth=2)
PATH_LINK = template(Node("linkingObjectIdentifier", children=identifier("linkingObject", PATH_ID, "{path}")),
                     depth=2)


def file_events(conn: sqlite3.Connection, last_event: int, agents: Agents) -> Iterator[str]:
    """The event of each fixity event up to ``last_event``, in the order recorded, as XML."""
    run_id = "e.run_id" if "run_id" in columns(conn, "fixity_events") else "null"
    sql = EVENTS_SQL.format(run_id=run_id, last=int(last_event), in_files=IN_FILES if records_every_file(conn) else "0")
    kinds: dict[str, str] = {}  # each type of event's eventType, as XML
    links: dict[str, str] = {}  # each agent's link, as XML
    for (event_id, kind, doc_id, path, checked_at, algorithm, expected, actual, result, detail, agent, run,
         catalogued, a_file) in pages(conn, sql, 0):
        kind, agent = str(kind), str(agent)
        if kind not in kinds:
            kinds[kind] = render(event_type(*FILE_EVENT_TYPES.get(kind, (kind, None))), depth=2)
        if agent not in links:
            agents.name(agent)
            links[agent] = "".join(render(link, depth=2) for link in agent_links(agent))
        name = algorithm_name(str(algorithm))
        what = "calculated at ingestion" if kind == "ingestion" else "checked" if kind == "fixity check" \
            else f"recorded ({kind})"
        notes = [f"expected {name} {expected or 'none'}", f"actual {name} {actual or 'none'}"]
        if detail:
            notes.append(str(detail))
        if not catalogued and not a_file:
            notes.append(f"file {path}" + (f" (document {doc_id}, no longer in the catalogue)" if doc_id else
                                            " (not in the catalogue)"))
        link = OBJECT_LINK.format(id=xml_text(doc_id)) if catalogued else \
            PATH_LINK.format(path=xml_text(path)) if a_file else ""
        yield FILE_EVENT.format(
            id=xml_text(event_id), event_type=kinds[kind], checked_at=xml_text(checked_at),
            detail=xml_text(f"{name} of {path} {what}" + (f", run {run}" if run is not None else "")),
            outcome=xml_text(result), notes="".join(OUTCOME_NOTE.format(note=xml_text(n)) for n in notes),
            links=links[agent] + link)


IDENTIFICATIONS_SQL = ("select i.id, i.path, i.sha256, i.identified_at, i.outcome, i.puid, i.format_name, "
                       "i.format_version, i.mime_type, i.basis, i.warning, i.identified_by, i.signatures, "
                       "i.signature_file, i.agent, i.build_id, f.document_id, f.path is not null "
                       "from identifications i left join files f on f.path = i.path "
                       "where i.id > ? and i.id <= {last} order by i.id limit ?")
IDENTIFICATION_EVENT_TYPE = render(event_type(*IDENTIFICATION_TYPE), depth=2)


def identification_events(conn: sqlite3.Connection, last: int, agents: Agents) -> Iterator[str]:
    """The event of each format identification up to the id ``last``, in the order made, as XML."""
    links: dict[tuple[str, str], str] = {}  # each (tool, agent)'s links, as XML
    for (identification_id, path, sha256, identified_at, result, puid, name, version, mime_type, basis, warning,
         identified_by, signatures, signature_file, agent, build, doc_id, a_file) in pages(
            conn, IDENTIFICATIONS_SQL.format(last=int(last)), 0):
        tool, agent = str(identified_by), str(agent)
        if (tool, agent) not in links:
            agents.tool(tool, [f"signature files: {signatures}"]
                        + ([f"signature database: {signature_file}"] if signature_file else []))
            agents.name(agent)
            links[tool, agent] = "".join(render(link, depth=2) for link in agent_links(tool) + agent_links(agent))
        found = f"{puid} ({name}{' ' + str(version) if version else ''})" if puid else "no PRONOM identifier"
        notes = [f"PUID {puid}" if puid else None, f"format {name}" if name else None,
                 f"format version {version}" if version else None, f"MIME type {mime_type}" if mime_type else None,
                 f"basis: {basis}" if basis else None, f"warning: {warning}" if warning else None,
                 f"signature files: {signatures}", f"SHA-256 of the bytes identified {sha256}"]
        if not a_file:
            notes.append(f"file {path} (not in the catalogue)")
        link = OBJECT_LINK.format(id=xml_text(doc_id)) if doc_id is not None else \
            PATH_LINK.format(path=xml_text(path)) if a_file else ""
        yield IDENTIFICATION_EVENT.format(
            id=xml_text(identification_id), event_type=IDENTIFICATION_EVENT_TYPE, checked_at=xml_text(identified_at),
            detail=xml_text(f"format of {path} identified by {tool}: {found}"
                            + (f", build {build}" if build is not None else "")),
            outcome=xml_text(result), notes="".join(OUTCOME_NOTE.format(note=xml_text(n)) for n in notes if n),
            links=links[tool, agent] + link)


def software_notes(conn: sqlite3.Connection, agents: Agents) -> None:
    """Name every version of provcat that built the catalogue, with the extractors and models it used."""
    available = columns(conn, "builds")
    for version, extractor, model, model_version, _ in conn.execute(
            f"select software_version, {optional(available, 'extractor_version')}, {optional(available, 'model')}, "
            f"{optional(available, 'model_version')}, min(id) from builds group by 1, 2, 3, 4 order by 5"):
        agent = software_agent(str(version))
        agents.name(agent)
        note = f"builds with extractor {extractor or 'unknown'}" + (
            f", model {model} {model_version or ''}".rstrip() if model else "")
        agents.notes.setdefault(agent, []).append(note)


# ---------------------------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """What an export wrote."""

    objects: int
    events: int
    agents: int


def write_premis(conn: sqlite3.Connection, out: IO[str]) -> Written:
    """Write the PREMIS document of the catalogue open in ``conn`` to ``out``, record by record."""
    conn.text_factory = _decode  # the few rows read whole; the many are read by pages()
    with conn:
        conn.execute("begin")  # the bound and the runs in one short read
        last_event = conn.execute("select coalesce(max(id), 0) from fixity_events").fetchone()[0]
        every_file = records_every_file(conn)
        last_identification = conn.execute("select coalesce(max(id), 0) from identifications").fetchone()[0] \
            if every_file else 0
        runs = read_runs(conn)
        if conn.execute(f"select 1 from {'files' if every_file else 'documents'} limit 1").fetchone() is None:
            raise ProvcatError(None, "catalogues no file: a PREMIS document needs at least one object")
    conn.text_factory = str
    out.write(HEADER)
    objects = events = 0
    for xml in document_objects(conn):
        out.write(xml)
        objects += 1
    agents = Agents()
    for run in runs:
        agents.name(str(run["agent"]))
        agents.name(software_agent(str(run["software_version"])))
        out.write(render(run_event(run)))
        events += 1
    for xml in file_events(conn, last_event, agents):
        out.write(xml)
        events += 1
    for xml in identification_events(conn, last_identification, agents) if every_file else ():
        out.write(xml)
        events += 1
    conn.text_factory = _decode
    software_notes(conn, agents)
    for node in agents.nodes():
        out.write(render(node))
    out.write(FOOTER)
    return Written(objects, events, len(agents.named))


def export_premis(db: Path, out_file: Path, folders: dict[str, Path] | None = None) -> Written:
    """Write the fixity history of the catalogue ``db`` to ``out_file`` as PREMIS 3.0 XML (replaced
    atomically); return what was written.

    ``out_file`` must be a new file or a previous PREMIS export, not the catalogue, and not inside
    any of ``folders`` (by role: the archive, the metadata folder)."""
    folders = folders or {}

    def check() -> None:
        check_export_target(out_file, folders, {"catalogue": db}, is_premis_export, "PREMIS file", "premis.xml")

    check()
    require_catalogue(db)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.with_name(f".{out_file.name}.writing-{os.getpid()}-{secrets.token_hex(8)}")
    try:
        conn = connect(db)
        try:
            with open(tmp, "x", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
                written = write_premis(conn, handle)
        except ProvcatError as exc:
            raise ProvcatError(db, exc.problem) from exc
        except sqlite3.DatabaseError as exc:
            raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc
        finally:
            conn.close()
        check()  # nothing else took its place meanwhile
        os.replace(tmp, out_file)
    finally:
        tmp.unlink(missing_ok=True)
    return written
