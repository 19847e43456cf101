"""The formats archives hold, built with an empty metadata folder: every file has its digests and
format; every readable one is a document with text, description and extraction; verify finds a
changed PDF; the exports list every file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cli_runner import provcat
from format_files import write_format_archive
from test_every_file import query

from provcat.build import build_catalogue
from provcat.export.bag import export_bag
from provcat.export.premis import export_premis
from provcat.export.prov import export_prov

DOCUMENTS = {"page.html": "page", "report.pdf": "report", "minutes.docx": "minutes.docx",
             "minutes.odt": "minutes.odt", "letter.eml": "letter", "talk.vtt": "talk", "episode.json": "episode",
             "hearing.md": "hearing"}
NOT_DOCUMENTS = {"scan.pdf": "no text layer (scanned?)", "photo.png": "not a kind", "bundle.zip": "not a kind",
                 "settings.json": "JSON that is not a transcript"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[tuple[str, str]]]:
    root = tmp_path_factory.mktemp("formats")
    write_format_archive(root / "archive")
    (root / "metadata").mkdir()
    report = build_catalogue(root / "archive", root / "metadata", root / "catalogue.db")
    return root / "archive", root / "catalogue.db", report.warnings


def test_every_file_has_digests_and_a_format(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    archive, db, _ = built
    rows = {r[0]: r[1:] for r in query(db, "select path, sha256, puid, is_document, document_id, not_read from files")}
    assert set(rows) == set(DOCUMENTS) | set(NOT_DOCUMENTS)
    for path, (sha256, puid, is_document, document_id, not_read) in rows.items():
        assert sha256 == hashlib.sha256((archive / path).read_bytes()).hexdigest(), path
        assert puid, path
        if path in DOCUMENTS:
            assert (is_document, document_id, not_read) == (1, DOCUMENTS[path], None), path
        else:
            assert is_document == 0 and NOT_DOCUMENTS[path] in not_read, path


def test_only_the_scan_is_warned_of(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, _, warnings = built
    assert [(path, problem.split(":")[0]) for path, problem in warnings] == [("scan.pdf", "no text layer (scanned?)")]


def test_every_document_has_text_description_and_extraction(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, _ = built
    rows = query(db, "select id, text, text_sha256, text_extracted_by, title, creator, date, date_precision, "
                     "(select count(*) from mentions m where m.document_id = d.id) from documents d")
    by_id = {r[0]: r[1:] for r in rows}
    assert set(by_id) == set(DOCUMENTS.values())
    for doc_id, (text, text_sha256, extracted_by, title, _creator, _date, _precision, mentions) in by_id.items():
        assert text_sha256 == hashlib.sha256(text.encode()).hexdigest(), doc_id
        assert title and mentions > 0, doc_id
        assert (extracted_by is None) == (doc_id in ("talk", "hearing")), doc_id
    assert by_id["page"][3:7] == ("Harbour council votes to close the quay", "Maren Tolliver", "2024-03-05T14:30:00Z",
                                  "second")
    assert by_id["letter"][3:7] == ("The harbour vote", "Maren Tolliver", "2024-03-05T14:30:00+00:00", "second")
    assert by_id["report"][3:7] == ("Council report", "Maren Tolliver", "2024-03-05T14:30:00Z", "second")
    assert by_id["hearing"][3:7] == ("Harbour hearing", None, "2024-03-05", "day")


def test_regions_map_the_text_back_to_the_source(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, _ = built
    regions = query(db, "select document_id, kind, locator, substr(d.text, start + 1, \"end\" - start) "
                        "from text_regions r join documents d on d.id = r.document_id order by document_id, \"index\"")
    pages = [(kind, locator, text.split("\n")[0]) for doc, kind, locator, text in regions if doc == "report"]
    assert pages == [("page", "page 1", "Harbour council report"),
                     ("page", "page 2", '"We had no other choice," Vell told reporters in Ardmore.')]
    assert {doc for doc, *_ in regions} == {"page", "report", "minutes.docx", "minutes.odt", "letter"}


def test_speakers_the_files_state_are_turns(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, _ = built
    turns = query(db, "select document_id, speaker, speaker_entity_id is not null, method, text from quotes "
                      "where kind = 'turn' order by document_id, start")
    assert [(d, s, linked, m) for d, s, linked, m, _ in turns] == [
        ("episode", "SPEAKER_00", 0, "reader:transcript-speaker"),
        ("episode", "SPEAKER_01", 0, "reader:transcript-speaker"),
        ("letter", "Maren Tolliver", 1, "reader:message-sender"),
        ("talk", "Maren Tolliver", 1, "reader:webvtt-voice"),
        ("talk", "Oskar Vell", 1, "reader:webvtt-voice")]
    assert "Should we support it" not in turns[2][4]  # the quoted reply is not the sender's


def test_quotes_in_a_web_page_and_a_pdf_are_attributed(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    _, db, _ = built
    direct = query(db, "select document_id, speaker, text from quotes where kind = 'direct' order by document_id")
    assert ("page", "Oskar Vell", "We had no other choice,") in direct
    assert ("report", "Oskar Vell", "We had no other choice,") in direct


def test_verify_finds_a_changed_pdf_and_a_changed_scan(built: tuple[Path, Path, list[tuple[str, str]]],
                                                       tmp_path: Path) -> None:
    archive, db, _ = built
    import shutil

    shutil.copytree(archive, tmp_path / "archive")
    shutil.copyfile(db, tmp_path / "catalogue.db")
    copy, copy_db = tmp_path / "archive", tmp_path / "catalogue.db"
    assert provcat("verify", str(copy), "--db", str(copy_db))[0] == 0
    for name in ("report.pdf", "scan.pdf"):
        data = (copy / name).read_bytes()
        (copy / name).write_bytes(data.replace(b"/MediaBox [0 0 612 792]", b"/MediaBox [0 0 612 793]"))
    code, out, _ = provcat("verify", str(copy), "--db", str(copy_db))
    assert code == 1
    changed = query(copy_db, "select path, document_id from fixity_events where outcome = 'changed' "
                             "and algorithm = 'sha256' order by path")
    assert changed == [("report.pdf", "report"), ("scan.pdf", None)]


def test_the_exports_list_every_file(built: tuple[Path, Path, list[tuple[str, str]]], tmp_path: Path) -> None:
    archive, db, _ = built
    export_bag(db, tmp_path / "bag", archive, tmp_path / "no-metadata")
    manifest = (tmp_path / "bag" / "manifest-sha256.txt").read_text()
    for name in list(DOCUMENTS) + list(NOT_DOCUMENTS):
        assert f"  data/documents/{name}\n" in manifest or f" data/documents/{name}\n" in manifest, name
    export_premis(db, tmp_path / "premis.xml")
    premis = (tmp_path / "premis.xml").read_text()
    export_prov(db, tmp_path / "prov.json")
    prov = json.loads((tmp_path / "prov.json").read_text())
    paths = {e.get("provcat:path") for e in prov["entity"].values()}
    for name in list(DOCUMENTS) + list(NOT_DOCUMENTS):
        assert f">{name}<" in premis and name in paths, name


async def test_the_document_page_shows_the_description_and_how_the_text_was_extracted(
        built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    from provcat import publish

    archive, db, _ = built
    ds = publish.datasette_instance(db, archive.parent / "metadata")
    page = (await ds.client.get("/catalogue/documents/page")).text
    assert 'by <strong class="provcat-creator">Maren Tolliver</strong>' in page
    assert '<time class="provcat-date">2024-03-05T14:30:00Z</time> <span class="provcat-muted">(to the second)' in page
    assert '<code class="provcat-language">en</code>' in page
    assert "extracted from the file by <code>trafilatura 2.3.1</code>" in page
    assert "?document_id=page\">5 regions</a>" in page
    letter = (await ds.client.get("/catalogue/documents/letter")).text
    assert '<code class="provcat-identifier">&lt;vote-2024@kerrow.example&gt;</code>' in letter  # escaped
    regions = (await ds.client.get("/catalogue/text_regions.json?_shape=array&document_id=report")).json()
    assert [r["locator"] for r in regions] == ["page 1", "page 2"]


async def test_documents_by_date(built: tuple[Path, Path, list[tuple[str, str]]]) -> None:
    from provcat import publish

    archive, db, _ = built
    ds = publish.datasette_instance(db, archive.parent / "metadata")
    everything = (await ds.client.get("/catalogue/documents_by_date.json?_shape=array&first=&last=")).json()
    dated = [r["document_id"] for r in everything if r["date"]]
    assert dated[0] == "hearing" and len(everything) == len(DOCUMENTS)  # the day-precise date sorts first
    assert [r["document_id"] for r in everything if not r["date"]] == sorted(
        r["document_id"] for r in everything if not r["date"])
    march = (await ds.client.get("/catalogue/documents_by_date.json?_shape=array&first=2024-03-05&last=2024-03-05")
             ).json()
    assert {r["document_id"] for r in march} == {r["document_id"] for r in everything if r["date"]}
    assert {r["date_from"] for r in march} == {"embedded metadata", "front matter"}
    before = (await ds.client.get("/catalogue/documents_by_date.json?_shape=array&first=&last=2023")).json()
    assert before == []


def test_bad_files_of_each_format_are_one_line_warnings_and_the_rest_is_catalogued(tmp_path: Path) -> None:
    import io
    import zipfile

    from format_files import WEB_PAGE, docx_bytes
    from pdf_files import pdf_bytes

    from provcat.readers.web_page import MAX_PAGE_BYTES

    archive = tmp_path / "archive"
    write_format_archive(archive)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("word/document.xml", b"\0" * (64 * 1024 * 1024))
    bad = {
        "secret.pdf": pdf_bytes([["Words"]], encrypted=True),
        "cut.pdf": pdf_bytes([["Words"]])[:300],
        "cut.docx": docx_bytes()[:2000],
        "bomb.docx": bomb.getvalue(),
        "huge.html": WEB_PAGE.replace("</article>", "<p>" + "words " * (MAX_PAGE_BYTES // 6) + "</p></article>")
        .encode(),
        "empty.eml": b"From: someone@kerrow.example\nSubject: nothing\n\n",
    }
    for name, data in bad.items():
        (archive / name).write_bytes(data)
    (tmp_path / "metadata").mkdir()
    code, out, err = provcat("build", str(archive), "--metadata", str(tmp_path / "metadata"), "--db",
                             str(tmp_path / "catalogue.db"))
    assert code == 0 and "Traceback" not in err
    warned = {line.split(": ")[2]: line for line in err.splitlines()}
    assert set(warned) == set(bad) | {"scan.pdf"}, err
    assert "encrypted" in warned["secret.pdf"] and "ZIP bomb" in warned["bomb.docx"]
    assert "larger than" in warned["huge.html"] and "without text in its body" in warned["empty.eml"]
    assert all(line.endswith("catalogued as a file, without text") for line in warned.values())
    documents = {r[0] for r in query(tmp_path / "catalogue.db", "select path from documents")}
    assert documents == set(DOCUMENTS)
    files = {r[0] for r in query(tmp_path / "catalogue.db", "select path from files where sha256 is not null")}
    assert files == set(DOCUMENTS) | set(NOT_DOCUMENTS) | set(bad)


def test_prov_has_the_extracted_text_derived_from_the_file(built: tuple[Path, Path, list[tuple[str, str]]],
                                                           tmp_path: Path) -> None:
    _, db, _ = built
    export_prov(db, tmp_path / "prov.json")
    data = json.loads((tmp_path / "prov.json").read_text())
    ((sha, text_sha, reader),) = query(db, "select sha256, text_sha256, text_extracted_by from documents "
                                           "where id = 'report'")
    text = data["entity"][f"provcat:text-{text_sha}"]
    assert text["provcat:extractedBy"] == reader and text["provcat:sha256"] == text_sha
    derived = {(d["prov:generatedEntity"], d["prov:usedEntity"]) for d in data["wasDerivedFrom"].values()}
    assert (f"provcat:text-{text_sha}", f"provcat:doc-{sha}") in derived
    used = {(u["prov:activity"], u["prov:entity"]) for u in data["used"].values()}
    assert any(entity == f"provcat:text-{text_sha}" for _, entity in used)
    plain = query(db, "select text_sha256 from documents where id = 'talk'")[0][0]
    assert f"provcat:text-{plain}" not in data["entity"]  # a caption file's text is the file
