"""The bad-input matrix: every odd input has a documented outcome, one line, never a traceback, and
a build that fails leaves the existing catalogue byte for byte as it was."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from provcat import build as build_module
from provcat.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOOD = "The mayor said on Monday that the bridge over the river would reopen in the spring.\n"


def provcat(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


def build(archive: Path, metadata: Path | None = None) -> tuple[int, str, str]:
    db = archive.parent / "catalogue.db"
    meta = metadata or archive.parent / "no-metadata"
    return provcat("build", str(archive), "--metadata", str(meta), "--db", str(db))


def one_line_each(err: str) -> list[str]:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert all(line.startswith("provcat: ") for line in lines), lines
    return lines


def documents(archive: Path) -> dict[str, tuple[str, str]]:
    conn = sqlite3.connect(archive.parent / "catalogue.db")
    return {r[0]: (r[1], r[2]) for r in conn.execute("select path, encoding, text from documents")}


# --------------------------------------------------------------------------------------------
# Files that are catalogued (with what was done to them) or skipped with a reason
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "data", "warning"),
    [
        ("empty.txt", b"", "empty.txt: empty file: nothing to catalogue; skipped"),
        ("blank.txt", b"  \n\n", "blank.txt: contains only whitespace: nothing to catalogue; skipped"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "image.txt: binary file (contains NUL bytes)"),
        ("nul.txt", b"Officials said\x00 the road was closed.", "nul.txt: binary file (contains NUL bytes)"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", "photo.jpg: not a document kind the catalogue reads"),
        ("broken.srt", b"this is not\na subrip file\n", "broken.srt: malformed SubRip file"),
        ("broken.vtt", b"not a webvtt file\n", "broken.vtt: malformed WebVTT file"),
    ],
)
def test_odd_files_warn_in_one_line(archive: Path, name: str, data: bytes, warning: str) -> None:
    (archive / name).write_bytes(data)
    code, out, err = build(archive)
    assert code == 0 and "catalogued" in out
    lines = one_line_each(err)
    assert any(line.startswith(f"provcat: warning: {warning}") for line in lines), lines
    assert "good.txt" in documents(archive)


def test_broken_cue_files_are_kept_as_text(archive: Path) -> None:
    (archive / "broken.srt").write_bytes(b"this is not\na subrip file\n")
    build(archive)
    assert documents(archive)["broken.srt"][1] == "this is not\na subrip file\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Caf\u00e9 owners in Lyon said business was good.".encode("cp1252"), "cp1252"),
        ("The caf\u00e9\u2019s owner said \u201cyes\u201d.".encode("utf-16"), "utf-16"),
        ("\ufeffThe ministry said the talks would resume.".encode(), "utf-8-sig"),
        (b"Officials said the d\xe9bat would go on \xab tomorrow \xbb.", "cp1252"),  # invalid UTF-8
    ],
)
def test_encodings_are_detected_and_recorded(archive: Path, data: bytes, encoding: str) -> None:
    (archive / "other.txt").write_bytes(data)
    code, _, err = build(archive)
    assert code == 0 and err == ""
    assert documents(archive)["other.txt"][0] == encoding


def test_crlf_and_no_break_spaces(archive: Path) -> None:
    (archive / "windows.txt").write_bytes("Anna\u00a0Berg said:\r\n\u201cWe will reopen.\u201d\r\n".encode())
    build(archive)
    encoding, text = documents(archive)["windows.txt"]
    assert text == "Anna\u00a0Berg said:\n\u201cWe will reopen.\u201d\n"
    conn = sqlite3.connect(archive.parent / "catalogue.db")
    assert conn.execute("select normalisation, size_bytes from documents where path = 'windows.txt'").fetchone() == (
        "line endings CRLF/CR -> LF", len("Anna\u00a0Berg said:\r\n\u201cWe will reopen.\u201d\r\n".encode()))
    bad = conn.execute("select count(*) from quotes q join documents d on d.id = q.document_id "
                       "where substr(d.text, q.start + 1, q.[end] - q.start) != q.text").fetchone()
    assert bad == (0,)


def test_names_with_spaces_and_non_ascii(archive: Path) -> None:
    (archive / "sous dossier").mkdir()
    (archive / "sous dossier" / "Entretien été 2024 – Zoë.txt").write_text(GOOD, encoding="utf-8")
    code, _, _ = build(archive)
    assert code == 0
    conn = sqlite3.connect(archive.parent / "catalogue.db")
    assert ("sous dossier/Entretien été 2024 – Zoë", "sous dossier/Entretien été 2024 – Zoë.txt") in set(
        conn.execute("select id, path from documents"))
    code, out, _ = provcat("verify", str(archive), "--db", str(archive.parent / "catalogue.db"))
    assert code == 0 and "2 intact" in out


def test_symlink_outside_the_archive_is_refused(archive: Path, tmp_path: Path) -> None:
    (tmp_path / "private.txt").write_text("Not part of the archive.")
    os.symlink(tmp_path / "private.txt", archive / "link.txt")
    code, _, err = build(archive)
    assert code == 0
    assert one_line_each(err) == [
        "provcat: warning: link.txt: symbolic link pointing outside the archive: refused; skipped"]
    assert "link.txt" not in documents(archive)


def test_a_very_large_file_is_skipped_with_its_size(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "MAX_DOCUMENT_BYTES", 1000)
    (archive / "huge.txt").write_bytes(b"word " * 400)
    code, _, err = build(archive)
    assert code == 0
    assert one_line_each(err) == [
        "provcat: warning: huge.txt: 2,000 bytes, larger than the 1,000-byte limit for one document; skipped"]


# --------------------------------------------------------------------------------------------
# Problems that stop the build: one line naming the file, the old catalogue untouched
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("authorities.yml", "entities: [unclosed\n", "malformed YAML"),
        ("authorities.yml", "entities:\n  - {id: a, name: A, type: place}\n  - {id: a, name: B, type: place}\n",
         "duplicate authority id 'a'"),
        ("documents/good.yml", "document: good.txt\ntype: poem\n", "field 'type'"),
        ("documents/good.yml", "document: good.txt\nauthor: Me\n", "field 'author': unknown field"),
        ("documents/ghost.yml", "document: ghost.txt\n", "describes 'ghost.txt', which is not a document"),
        ("collection.yml", "title: [1, 2]\n", "field 'title'"),
        ("collection.yml", b"title: \xff\xfe\n", "is not UTF-8"),
    ],
)
def test_bad_metadata_stops_the_build_and_keeps_the_catalogue(archive: Path, file: str, text: str | bytes,
                                                              message: str) -> None:
    code, _, _ = build(archive)
    assert code == 0
    db = archive.parent / "catalogue.db"
    before = db.read_bytes()
    metadata = archive.parent / "metadata"
    (metadata / "documents").mkdir(parents=True)
    target = metadata / file
    target.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, _, err = build(archive, metadata)
    assert code == 2
    (line,) = one_line_each(err)
    assert line.startswith(f"provcat: error: {target}: ") and message in line
    assert db.read_bytes() == before


def test_missing_archive_folder(tmp_path: Path) -> None:
    code, _, err = build(tmp_path / "nowhere")
    assert code == 2
    assert one_line_each(err) == [f"provcat: error: {tmp_path / 'nowhere'}: archive folder does not exist"]
    assert not (tmp_path / "catalogue.db").exists()


def test_a_file_that_is_not_a_catalogue_is_never_replaced(archive: Path) -> None:
    db = archive.parent / "catalogue.db"
    db.write_bytes(b"this is not a database")
    code, _, err = build(archive)
    assert code == 2
    assert one_line_each(err) == [f"provcat: error: {db}: exists and is not a provcat catalogue: refused (provcat "
                                  "writes over no file but its own; give another --db)"]
    assert db.read_bytes() == b"this is not a database"


def test_internal_errors_are_one_line(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(build_module, "classify", explode)
    code, _, err = build(archive)
    assert code == 3
    assert one_line_each(err) == ["provcat: internal error: RuntimeError: something unexpected "
                                  "(set PROVCAT_DEBUG=1 to see the traceback)"]


def test_verify_without_a_catalogue(tmp_path: Path) -> None:
    code, out, err = provcat("verify", str(ROOT / "seeds"), "--db", str(tmp_path / "none.db"))
    assert code == 2 and out == ""
    assert one_line_each(err) == [
        f"provcat: error: {tmp_path / 'none.db'}: catalogue not found (run 'provcat build' first)"]
