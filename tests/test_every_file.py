"""Every file is a catalogued object: on an archive of the seeds, a PNG, a ZIP, a PDF, an HTML page and
a file of no known format (tests/every_kind.py), built with an empty metadata folder, every file has
its digests and its format identification; verify checks every file; the bag, PROV and PREMIS
exports list every file; the integrity pages link a file that is not a document to its row; and the
seeds' documents, quotes and mentions are the same as in an archive of the seeds alone."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import prov
import pytest
import xmlschema
from cli_runner import provcat
from every_kind import DOCUMENT_FILES, NOT_DOCUMENTS, PLAIN_TEXT, every_kind, expected_puids, seed_names

from provcat import archive_state, history, identify
from provcat.build import NOT_TEXT_KIND, build_catalogue
from provcat.export.bag import export_bag
from provcat.export.premis import SCHEMA, export_premis
from provcat.export.prov import export_prov
from provcat.verify import check_archive

NS = {"p": "http://www.loc.gov/premis/v3"}
BAGIT_CLI = Path(sys.executable).parent / "bagit.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[tuple[str, str]]]:
    """(archive, catalogue, build warnings) of the archive of every kind. Copy before changing."""
    root = tmp_path_factory.mktemp("every-kind")
    archive = every_kind(root / "archive")
    (root / "no-metadata").mkdir()
    report = build_catalogue(archive, root / "no-metadata", root / "catalogue.db")
    return archive, root / "catalogue.db", report.warnings


@pytest.fixture
def project(built: tuple[Path, Path, list[tuple[str, str]]], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the built archive and catalogue, to change."""
    archive, db, _ = built
    shutil.copytree(archive, tmp_path / "archive")
    shutil.copyfile(db, tmp_path / "catalogue.db")
    (tmp_path / "no-metadata").mkdir()
    return tmp_path / "archive", tmp_path / "catalogue.db"


def query(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------


def test_every_file_has_its_digests_size_and_format(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    archive, db, _ = built
    rows = query(db, "select path, sha256, sha512, size_bytes, puid, identified_by, signatures, identification_id "
                     "from files order by path")
    assert [r[0] for r in rows] == sorted(expected_puids())
    tool = identify.tool()
    for path, sha256, sha512, size, puid, identified_by, signatures, identification_id in rows:
        data = (archive / path).read_bytes()
        assert (sha256, sha512, size) == (hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(),
                                          len(data)), path
        assert puid == expected_puids()[path], path
        assert (identified_by, signatures) == (tool.identified_by, tool.signatures)
        assert identification_id is not None


def test_formats_are_recorded_as_siegfried_gives_them(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, _ = built
    formats = {r[0]: r[1:] for r in query(db, "select path, puid, format_name, format_version, mime_type, "
                                              "identification_basis, identification_warning from files")}
    assert formats["images/pixel.png"] == ("fmt/11", "Portable Network Graphics", "1.0", "image/png",
                                           "extension match png; byte match at [[0 16] [55 12]]", None)
    assert formats["reports/report.pdf"][:4] == ("fmt/18", "Acrobat PDF 1.4 - Portable Document Format", "1.4",
                                                 "application/pdf")
    assert formats["bundle.zip"][:2] == ("x-fmt/263", "ZIP Format")
    assert formats["web/page.html"][:2] == ("fmt/471", "Hypertext Markup Language")
    for name in seed_names():
        assert formats[name][:2] == (PLAIN_TEXT, "Plain Text File")


def test_a_file_of_no_known_format_is_recorded_as_no_match_with_a_warning(
        built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, warnings = built
    (row,) = query(db, "select f.puid, f.format_name, f.identification_warning, i.outcome, i.warning from files f "
                       "join identifications i on i.id = f.identification_id where f.path = 'mystery'")
    assert row == (None, None, "no match", "no match", "no match")
    assert warnings == []  # recorded, not a failure, and nothing to warn the person building about


def test_only_the_files_read_as_text_are_documents(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, _ = built
    assert [r[0] for r in query(db, "select path from documents order by path")] == sorted(
        seed_names() + list(DOCUMENT_FILES))
    files = {r[0]: r[1:] for r in query(db, "select path, is_document, document_id, not_read from files")}
    for name in seed_names():
        assert files[name] == (1, name.removesuffix(".txt"), None)
    for path, doc_id in DOCUMENT_FILES.items():
        assert files[path] == (1, doc_id, None)
    for path in NOT_DOCUMENTS:
        assert files[path] == (0, None, NOT_TEXT_KIND)


def test_each_identification_is_an_event_with_its_tool(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, _ = built
    tool = identify.tool()
    rows = query(db, "select i.path, i.sha256, i.build_id, i.identified_at, i.identified_by, i.signatures, "
                     "i.signature_file, i.agent, f.sha256 from identifications i join files f "
                     "on f.identification_id = i.id order by i.id")
    assert len(rows) == len(expected_puids())
    for path, sha256, build_id, identified_at, identified_by, signatures, signature_file, agent, current in rows:
        assert sha256 == current and build_id == 1 and identified_at.endswith("+00:00"), path
        assert (identified_by, signatures, signature_file) == (tool.identified_by, tool.signatures,
                                                               tool.signature_file)
        assert agent.startswith("provcat ")


def test_every_file_has_an_ingestion_event_and_the_manifest_covers_them(
        built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    archive, db, _ = built
    events = query(db, "select path, document_id, outcome from fixity_events where run_id = 1 order by path")
    assert [(p, o) for p, _, o in events] == [(p, "new") for p in sorted(expected_puids())]
    assert {p for p, d, _ in events if d is not None} == set(seed_names()) | set(DOCUMENT_FILES)
    (files, documents, manifest) = query(db, "select files, documents, manifest_sha256 from builds")[0]
    assert (files, documents) == (len(expected_puids()), 4)
    # the manifest is what sha256sum prints for every file of the archive
    lines = "".join(f"{hashlib.sha256((archive / p).read_bytes()).hexdigest()}  {p}\n"
                    for p in sorted(expected_puids()))
    assert manifest == hashlib.sha256(lines.encode()).hexdigest()


def test_the_build_reports_files_and_documents(project: tuple[Path, Path], tmp_path: Path) -> None:
    archive, _ = project
    code, out, err = provcat("build", str(archive), "--metadata", str(tmp_path / "no-metadata"), "--db",
                             str(tmp_path / "new.db"))
    assert code == 0 and err == ""  # no file skipped, nothing to warn of
    assert out.startswith(f"catalogued {len(expected_puids())} files into ")
    assert ": 4 documents (4 extracted, 0 unchanged), 1 of unidentified format; manifest sha256 " in out
    code, out, _ = provcat("build", str(archive), "--metadata", str(tmp_path / "no-metadata"), "--db",
                           str(tmp_path / "new.db"), "--json")
    report = json.loads(out)
    assert (report["files"], report["documents"], report["unidentified"], report["reused"]) == (7, 4, 1, 4)


def test_a_rebuild_keeps_identifications_of_unchanged_files(project: tuple[Path, Path]) -> None:
    archive, db = project
    before = dict(query(db, "select path, identification_id from files"))
    (archive / "images" / "pixel.png").write_bytes(b"not a PNG any more")
    (archive / "web" / "page.html").unlink()
    (archive / "notes.pdf").write_bytes((archive / "reports" / "report.pdf").read_bytes())
    build_catalogue(archive, archive.parent / "no-metadata", db)
    after = dict(query(db, "select path, identification_id from files"))
    assert {p: i for p, i in after.items() if p in before and i == before[p]} == {
        p: i for p, i in before.items() if p not in ("images/pixel.png", "web/page.html")}
    assert after["images/pixel.png"] not in before.values() and after["notes.pdf"] not in before.values()
    assert query(db, "select puid, build_id from identifications where id = ?", after["images/pixel.png"]) \
        == [(None, 2)]
    # the history of identifications is kept, the page's too
    assert query(db, "select count(*) from identifications")[0][0] == len(before) + 2
    events = dict(query(db, "select path, outcome from fixity_events where run_id = 2"))
    assert (events["images/pixel.png"], events["web/page.html"], events["notes.pdf"]) == ("changed", "missing", "new")
    assert query(db, "select detail from fixity_events where run_id = 2 and path = 'web/page.html'") == [
        ("document 'web/page' is no longer in the archive",)]


def test_a_file_siegfried_cannot_read_is_catalogued_with_a_warning(
        project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    archive, db = project
    real = identify._siegfried()

    class Unreadable:
        """Siegfried as it answers for a file it cannot open (the others are identified as usual)."""

        GoError = real.GoError

        @staticmethod
        def identify_many(paths: list[str]) -> dict[str, Any]:
            result = real.identify_many(paths)
            for found in result["files"]:
                if found["filename"].endswith(".zip"):
                    found.update(errors=f"open {found['filename']}: permission denied", matches=[])
            return result

    monkeypatch.setattr(identify, "_siegfried", lambda: Unreadable)
    (archive / "bundle.zip").write_bytes(b"changed, so identified again")
    report = build_catalogue(archive, archive.parent / "no-metadata", db)
    assert report.files == 7 and report.unidentified == 2
    assert report.warnings == [("bundle.zip", "format not identified: Siegfried could not read the file: open "
                                f"{archive / 'bundle.zip'}: permission denied")]
    assert query(db, "select f.puid, f.sha256, i.outcome from files f join identifications i "
                     "on i.id = f.identification_id where f.path = 'bundle.zip'") == [
        (None, hashlib.sha256(b"changed, so identified again").hexdigest(), "error")]


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


def test_verify_checks_every_file_and_finds_a_changed_pdf_and_a_missing_png(project: tuple[Path, Path]) -> None:
    archive, db = project
    code, out, _ = provcat("verify", str(archive), "--db", str(db))
    assert code == 0 and f"{len(expected_puids())} files checked: {len(expected_puids())} intact" in out
    pdf = archive / "reports" / "report.pdf"
    pdf.write_bytes(pdf.read_bytes().replace(b"Hello", b"Jello"))  # same length: only the digest tells
    (archive / "images" / "pixel.png").unlink()
    code, out, _ = provcat("verify", str(archive), "--db", str(db), "--all-digests")
    assert code == 1
    assert "7 files checked: 5 intact, 1 changed, 1 missing, 0 unrecorded, 0 error" in out
    events = query(db, "select path, document_id, algorithm, outcome from fixity_events where run_id = 3 "
                       "and outcome != 'intact' order by path, algorithm")
    assert events == [("images/pixel.png", None, "sha256", "missing"), ("images/pixel.png", None, "sha512", "missing"),
                      ("reports/report.pdf", "reports/report", "sha256", "changed"),
                      ("reports/report.pdf", "reports/report", "sha512", "changed")]
    conn = sqlite3.connect(db)
    assert history.check_chain(conn) == []  # the events of files that are not documents are chained too
    conn.close()
    assert provcat("verify", "--history", "--db", str(db))[0] == 0


def test_a_file_that_is_not_a_document_is_tamper_evident_in_the_history(project: tuple[Path, Path]) -> None:
    archive, db = project
    (archive / "reports" / "report.pdf").write_bytes(b"broken")
    assert provcat("verify", str(archive), "--db", str(db))[0] == 1
    conn = sqlite3.connect(db)
    conn.execute("update fixity_events set outcome = 'intact' where path = 'reports/report.pdf' and run_id = 2")
    conn.commit()
    breaks = history.check_chain(conn)
    conn.close()
    assert [b.run_id for b in breaks] == [2] and "its events do not add up" in breaks[0].problem


def test_verify_reports_an_added_file_of_any_kind_as_unrecorded(project: tuple[Path, Path]) -> None:
    archive, db = project
    (archive / "new.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    checks = {c.path: c.outcome for c in check_archive(archive, db)}
    assert checks["new.jpg"] == "unrecorded" and set(checks.values()) == {"intact", "unrecorded"}


def test_slices_choose_among_every_file(project: tuple[Path, Path]) -> None:
    archive, db = project
    assert provcat("verify", str(archive), "--db", str(db), "--oldest", "3")[0] == 0
    checked = {r[0] for r in query(db, "select path from fixity_events where run_id = 2")}
    assert checked == set(sorted(expected_puids())[:3])  # all checked at the build: then by path
    assert provcat("verify", str(archive), "--db", str(db), "--oldest", "4")[0] == 0
    again = {r[0] for r in query(db, "select path from fixity_events where run_id = 3")}
    assert again == set(sorted(expected_puids())[3:])  # the four checked longest ago: the others


def test_the_integrity_page_lists_a_changed_zip_linked_to_its_files_row(project: tuple[Path, Path]) -> None:
    from datasette.app import Datasette

    from provcat.site.integrity_pages import problem_view

    archive, db = project
    (archive / "bundle.zip").write_bytes(b"broken")
    (archive / "extra.bin").write_bytes(b"new")
    provcat("verify", str(archive), "--db", str(db))
    conn = sqlite3.connect(db)
    latest = archive_state.latest_verification(conn)
    assert latest is not None
    found = {p.path: p for p in archive_state.problems(conn, latest.id)}
    conn.close()
    assert (found["bundle.zip"].outcome, found["bundle.zip"].recorded_file) == ("changed", True)
    assert (found["extra.bin"].outcome, found["extra.bin"].recorded_file) == ("unrecorded", False)
    ds = Datasette([str(db)])
    assert problem_view(found["bundle.zip"], ds, "catalogue")["url"] == "/catalogue/files/bundle~2Ezip"
    assert problem_view(found["extra.bin"], ds, "catalogue")["url"] is None


async def test_the_site_shows_the_changed_zip_and_its_row(project: tuple[Path, Path]) -> None:
    from provcat import publish

    archive, db = project
    (archive / "bundle.zip").write_bytes(b"broken")
    provcat("verify", str(archive), "--db", str(db))
    ds = publish.datasette_instance(db, archive.parent / "no-metadata")
    for page in ("/", "/catalogue/-/integrity"):
        response = await ds.client.get(page)
        assert response.status_code == 200
        assert '<a href="/catalogue/files/bundle~2Ezip">bundle.zip</a>' in response.text
    row = await ds.client.get("/catalogue/files/bundle~2Ezip")
    assert row.status_code == 200 and "x-fmt/263" in row.text and "ZIP Format" in row.text
    table = await ds.client.get("/catalogue/files.json?_shape=array&is_document=0")
    assert sorted(r["path"] for r in table.json()) == sorted(NOT_DOCUMENTS)


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


def test_the_bag_holds_every_file(project: tuple[Path, Path], tmp_path: Path) -> None:
    archive, db = project
    bag = export_bag(db, tmp_path / "bag", archive, archive.parent / "no-metadata")
    listed = {}
    for line in (bag / "manifest-sha256.txt").read_text().splitlines():
        digest, path = line.split("  ", 1)
        listed[path] = digest
    for path in expected_puids():
        data = (archive / path).read_bytes()
        assert listed[f"data/documents/{path}"] == hashlib.sha256(data).hexdigest()
        assert (bag / "data" / "documents" / path).read_bytes() == data
    done = subprocess.run([str(BAGIT_CLI), "--validate", str(bag)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert provcat("export", "check-bag", str(bag))[0] == 0


def test_the_bag_refuses_a_changed_file_that_is_not_a_document(project: tuple[Path, Path], tmp_path: Path) -> None:
    from provcat.errors import ProvcatError

    archive, db = project
    (archive / "images" / "pixel.png").write_bytes(b"changed")
    with pytest.raises(ProvcatError, match="pixel.png: differs from the catalogue's record: sha256"):
        export_bag(db, tmp_path / "bag", archive, archive.parent / "no-metadata")


def test_prov_lists_every_file_with_its_format_and_identification(project: tuple[Path, Path],
                                                                  tmp_path: Path) -> None:
    _, db = project
    out = tmp_path / "provenance.json"
    export_prov(db, out)
    data = json.loads(out.read_text())
    schema = json.loads((Path(prov.__file__).parent / "tests/schemas/prov-json.schema.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(data)
    files = dict(query(db, "select path, sha256 from files"))
    entities, activities = data["entity"], data["activity"]
    for path, puid in expected_puids().items():
        kind = "doc" if path.endswith(".txt") or path in DOCUMENT_FILES else "file"
        entity = entities[f"provcat:{kind}-{files[path]}"]
        assert entity["provcat:path"] == path
        assert entity.get("provcat:puid") == puid
    assert entities[f"provcat:file-{files['images/pixel.png']}"]["dcterms:format"] == "image/png"
    used = {(u["prov:activity"], u["prov:entity"]) for u in data["used"].values()}
    associated = {(a["prov:activity"], a["prov:agent"]) for a in data["wasAssociatedWith"].values()}
    tool = "provcat:" + identify.tool().identified_by.replace(" ", "-")
    assert data["agent"][tool]["prov:label"] == identify.tool().identified_by
    for path, identification in query(db, "select path, identification_id from files"):
        activity = f"provcat:identification-{identification}"
        kind = "doc" if path.endswith(".txt") or path in DOCUMENT_FILES else "file"
        assert activities[activity]["provcat:path"] == path
        assert (activity, f"provcat:{kind}-{files[path]}") in used and (activity, tool) in associated
        assert ("provcat:build-1", f"provcat:{kind}-{files[path]}") in used
    identifications = dict(query(db, "select path, identification_id from files"))
    mystery = activities[f"provcat:identification-{identifications['mystery']}"]
    assert mystery["provcat:outcome"] == "no match" and mystery["provcat:identificationWarning"] == "no match"


def test_premis_lists_every_file_with_its_format_and_identification(project: tuple[Path, Path],
                                                                    tmp_path: Path) -> None:
    archive, db = project
    (archive / "reports" / "report.pdf").write_bytes(b"broken")
    provcat("verify", str(archive), "--db", str(db))
    out = tmp_path / "premis.xml"
    written = export_premis(db, out)
    xmlschema.XMLSchema(SCHEMA).validate(str(out))
    root = ET.parse(out).getroot()
    objects = {}
    for obj in root.findall("p:object", NS):
        ids = {i.findtext("p:objectIdentifierType", namespaces=NS): i.findtext("p:objectIdentifierValue",
                                                                                 namespaces=NS)
               for i in obj.findall("p:objectIdentifier", NS)}
        objects[ids["provcat path"]] = (ids, obj)
    assert sorted(objects) == sorted(expected_puids()) and written.objects == len(expected_puids())
    for path, puid in expected_puids().items():
        ids, obj = objects[path]
        registries = [(r.findtext("p:formatRegistryName", namespaces=NS), r.findtext("p:formatRegistryKey",
                                                                                    namespaces=NS))
                      for r in obj.findall("p:objectCharacteristics/p:format/p:formatRegistry", NS)]
        assert registries == ([("PRONOM", puid)] if puid else []), path
        assert ("provcat document id" in ids) == (path.endswith(".txt") or path in DOCUMENT_FILES)
    names = [n.text for n in objects["reports/report.pdf"][1].findall(".//p:formatDesignation/p:formatName", NS)]
    assert names == ["application/pdf", "Acrobat PDF 1.4 - Portable Document Format"]  # a document: its media type too
    seed = objects[seed_names()[0]][1]
    assert [n.text for n in seed.findall(".//p:formatDesignation/p:formatName", NS)] == ["text/plain",
                                                                                          "Plain Text File"]
    assert [n.text for n in objects["mystery"][1].findall(".//p:formatDesignation/p:formatName", NS)] == \
        ["unidentified"]
    identifications = [e for e in root.findall("p:event", NS) if e.findtext("p:eventType", namespaces=NS)
                       == "format identification"]
    assert len(identifications) == len(expected_puids())
    kind = identifications[0].find("p:eventType", NS)
    assert kind is not None and kind.get("valueURI") == "http://id.loc.gov/vocabulary/preservation/eventType/for"
    agents = {a.findtext("p:agentIdentifier/p:agentIdentifierValue", namespaces=NS): a
              for a in root.findall("p:agent", NS)}
    tool = agents[identify.tool().identified_by]
    assert (tool.findtext("p:agentName", namespaces=NS), tool.findtext("p:agentType", namespaces=NS),
            tool.findtext("p:agentVersion", namespaces=NS)) == ("siegfried", "software", identify.tool().version)
    by_path = {objects[p][0].get("provcat document id") or p: p for p in objects}
    for event in root.findall("p:event", NS):
        for link in event.findall("p:linkingAgentIdentifier", NS):
            assert link.findtext("p:linkingAgentIdentifierValue", namespaces=NS) in agents
        for link in event.findall("p:linkingObjectIdentifier", NS):
            kind_of, value = (link.findtext("p:linkingObjectIdentifierType", namespaces=NS),
                              link.findtext("p:linkingObjectIdentifierValue", namespaces=NS))
            assert (kind_of == "provcat document id" and value in by_path) or \
                (kind_of == "provcat path" and value in objects), value
    changed = [e for e in root.findall("p:event", NS) if e.findtext("p:eventOutcomeInformation/p:eventOutcome",
                                                                       namespaces=NS) == "changed"]
    assert [e.findtext("p:linkingObjectIdentifier/p:linkingObjectIdentifierValue", namespaces=NS)
            for e in changed] == ["reports/report"]  # a document: linked by its document id


# ---------------------------------------------------------------------------------------------
# The documents are as they were
# ---------------------------------------------------------------------------------------------

#: The tables of the seeds' catalogue content, as the scorer reads them (the seeds' rows only: the
#: PDF and the page are documents too).
SEEDS = "(select id from documents where path like '%.txt')"
CONTENT = {
    "documents": "select id, path, title, title_source, type, type_confidence, type_method, type_features, publisher, "
                 "date, source_url, sha256, sha512, size_bytes, media_type, encoding, normalisation, extraction_key, "
                 f"text, content from documents where id in {SEEDS} order by id",
    "quotes": "select document_id, speaker, speaker_entity_id, text, start, \"end\", cue, cue_start, cue_end, kind, "
              f"method, confidence from quotes where document_id in {SEEDS} order by start, \"end\"",
    "mentions": "select document_id, entity_id, start, \"end\", surface, method, confidence from mentions "
                f"where document_id in {SEEDS} order by document_id, start, \"end\"",
    "entities": "select id, name, type, source, wikidata, documents, note from entities where id in (select entity_id "
                f"from document_entities where document_id in {SEEDS}) order by id",
    "descriptions": f"select * from descriptions where document_id in {SEEDS} order by document_id, field, value",
    "segments": f"select * from segments where document_id in {SEEDS} order by document_id, \"index\"",
}


def test_the_seeds_catalogue_content_is_unchanged_by_the_other_files(seeds_catalogue: Path, tmp_path: Path) -> None:
    archive = every_kind(tmp_path / "archive")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, Path(__file__).resolve().parent.parent / "metadata", db)
    for table, sql in CONTENT.items():
        assert query(db, sql) == query(seeds_catalogue, sql), table


def test_a_catalogue_of_documents_only_is_brought_up_to_date_by_the_next_build(project: tuple[Path, Path]) -> None:
    """A catalogue written before every file was catalogued: verify checks its documents (the other
    files are unrecorded); the next build catalogues every file, the documents' history going on."""
    archive, db = project
    conn = sqlite3.connect(db)
    conn.executescript("drop table identifications; drop table files; alter table builds drop column files;")
    conn.close()
    checks = {c.path: c.outcome for c in check_archive(archive, db)}
    documents = seed_names() + list(DOCUMENT_FILES)
    assert checks == {**dict.fromkeys(documents, "intact"), **{p: "unrecorded" for p in NOT_DOCUMENTS}}
    report = build_catalogue(archive, archive.parent / "no-metadata", db)
    assert (report.files, report.documents) == (len(expected_puids()), 4)
    events = dict(query(db, "select path, outcome from fixity_events where run_id = 2"))
    assert events == {**dict.fromkeys(documents, "intact"), **{p: "new" for p in NOT_DOCUMENTS}}
    assert query(db, "select count(*), min(build_id) from identifications") == [(len(expected_puids()), 2)]
    assert dict(query(db, "select path, puid from files")) == expected_puids()
