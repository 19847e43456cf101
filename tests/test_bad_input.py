"""The bad-input matrix: every odd input has a documented outcome, one line, never a traceback, and
a build that fails leaves the existing catalogue byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_runner import provcat
from deep_tree import make_chain, remove_chain

from provcat import build as build_module

ROOT = Path(__file__).resolve().parent.parent
GOOD = "The mayor said on Monday that the bridge over the river would reopen in the spring.\n"


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
# Files that are catalogued (with what was done to them), as documents or as files without text
# --------------------------------------------------------------------------------------------

def files(archive: Path) -> dict[str, tuple[int, str | None, str | None]]:
    conn = sqlite3.connect(archive.parent / "catalogue.db")
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute("select path, is_document, puid, not_read from files")}


@pytest.mark.parametrize(
    ("name", "data", "warning", "document"),
    [
        ("empty.txt", b"", "empty.txt: empty file: nothing to catalogue; catalogued as a file, without text", False),
        ("blank.txt", b"  \n\n", "blank.txt: contains only whitespace: nothing to catalogue; catalogued as a file, "
                                 "without text", False),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "image.txt: binary file (contains NUL bytes), "
                                                                  "not a text document; catalogued as a file", False),
        ("nul.txt", b"Officials said\x00 the road was closed.", "nul.txt: binary file (contains NUL bytes)", False),
        ("broken.srt", b"this is not\na subrip file\n", "broken.srt: malformed SubRip file", True),
        ("broken.vtt", b"not a webvtt file\n", "broken.vtt: malformed WebVTT file", True),
    ],
)
def test_odd_files_warn_in_one_line(archive: Path, name: str, data: bytes, warning: str, document: bool) -> None:
    (archive / name).write_bytes(data)
    code, out, err = build(archive)
    assert code == 0 and "catalogued" in out
    lines = one_line_each(err)
    assert any(line.startswith(f"provcat: warning: {warning}") for line in lines), lines
    assert "good.txt" in documents(archive)
    assert (name in documents(archive)) == document
    assert files(archive)[name][0] == int(document)  # a file either way: its fixity is kept


def test_a_file_of_another_kind_is_catalogued_without_a_warning(archive: Path) -> None:
    (archive / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    code, out, err = build(archive)
    assert code == 0 and err == "" and out.startswith("catalogued 2 files into ")
    assert "photo.jpg" not in documents(archive)
    assert files(archive)["photo.jpg"] == (0, None, build_module.NOT_TEXT_KIND)
    assert build_module.NOT_TEXT_KIND.startswith("not a kind the catalogue reads as text (.docx, .eml, ")
    code, out, _ = provcat("verify", str(archive), "--db", str(archive.parent / "catalogue.db"))
    assert code == 0 and "intact     photo.jpg  sha256" in out


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


def test_a_very_large_file_is_kept_without_text_with_its_size(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "MAX_DOCUMENT_BYTES", 1000)
    (archive / "huge.txt").write_bytes(b"word " * 400)
    (archive / "huge.bin").write_bytes(b"\x00" * 2000)  # not read as text whatever its size: nothing to warn of
    code, _, err = build(archive)
    assert code == 0
    assert one_line_each(err) == [
        "provcat: warning: huge.txt: 2,000 bytes, larger than the 1,000-byte limit for one document; catalogued as a "
        "file, without text"]
    assert "huge.txt" not in documents(archive)
    assert files(archive)["huge.txt"] == (0, "x-fmt/111", "2,000 bytes, larger than the 1,000-byte limit for one "
                                                          "document")


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


# --------------------------------------------------------------------------------------------
# Names and trees that used to break the one-line promise
# --------------------------------------------------------------------------------------------


def test_a_name_that_is_not_utf8_is_catalogued_under_an_escaped_path(archive: Path) -> None:
    raw = os.fsencode(archive) + b"/caf\xe9 \\ menu.txt"  # Latin-1 bytes, and a backslash
    with open(raw, "wb") as handle:
        handle.write(GOOD.encode())
    code, _, err = build(archive)
    assert code == 0 and err == ""
    assert documents(archive)["caf\\xe9 \\x5c menu.txt"][1] == GOOD
    db = archive.parent / "catalogue.db"
    code, out, err = provcat("verify", str(archive), "--db", str(db))
    # in a report, a backslash that reads as the start of an escape is doubled (errors.printable)
    assert code == 0 and "caf\\\\xe9 \\\\x5c menu.txt" in out and "2 files checked: 2 intact" in out
    with open(raw, "ab") as handle:
        handle.write(b"Later addition.\n")
    code, out, _ = provcat("verify", str(archive), "--db", str(db))
    assert code == 1 and "changed    caf\\\\xe9 \\\\x5c menu.txt" in out
    out.encode("utf-8")


def test_an_escaped_name_that_is_another_files_name_is_refused(archive: Path) -> None:
    with open(os.fsencode(archive) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(GOOD.encode())
    (archive / "caf\\xe9.txt").write_text("The literal name.\n" + GOOD)  # a name that reads like the escape
    code, _, err = build(archive)
    assert code == 0
    lines = one_line_each(err)
    assert lines == ["provcat: warning: caf\\\\xe9.txt: its name, with the bytes that are not UTF-8 written \\\\xNN, "
                     "is another file's name: refused; skipped"]
    assert documents(archive)["caf\\xe9.txt"][1].startswith("The literal name.")


def test_control_characters_in_names_stay_on_one_line(archive: Path) -> None:
    (archive / "a\nprovcat: error: forged\x1b[2J.txt").write_text(GOOD)
    (archive / "b\r.pdf").write_bytes(b"%PDF-1.4")
    code, _, err = build(archive)
    assert code == 0
    # the damaged PDF is a file without text, and the warning naming it stays on one line
    assert one_line_each(err) == ["provcat: warning: b\\r.pdf: PDF not readable: damaged or not a PDF; catalogued "
                                  "as a file, without text"]
    assert "a\nprovcat: error: forged\x1b[2J.txt" in documents(archive)
    assert files(archive)["b\r.pdf"][0] == 0
    code, out, _ = provcat("verify", str(archive), "--db", str(archive.parent / "catalogue.db"))
    assert code == 0 and "a\\nprovcat: error: forged\\x1b[2J.txt" in out and "intact     b\\r.pdf  sha256" in out
    assert len(out.splitlines()) == 5  # two documents, the PDF, the summary and the run


def test_the_manifest_escapes_names_as_sha256sum_does(archive: Path) -> None:
    from provcat.fixity import manifest_lines

    (archive / "line\nbreak.txt").write_text(GOOD)
    (archive / "back\\slash.txt").write_text(GOOD)
    assert build(archive)[0] == 0
    names = sorted(["line\nbreak.txt", "back\\slash.txt", "good.txt"])  # the manifest's order: by path
    listed = subprocess.run(["sha256sum", *names], cwd=archive, capture_output=True, check=True).stdout.decode()
    conn = sqlite3.connect(archive.parent / "catalogue.db")
    rows = conn.execute("select path, sha256 from documents").fetchall()
    assert manifest_lines(rows) == listed
    recorded = conn.execute("select manifest_sha256 from builds").fetchone()[0]
    assert recorded == hashlib.sha256(manifest_lines(rows).encode()).hexdigest()


def test_a_deep_tree_is_built_and_verified(archive: Path) -> None:
    depth = 1200  # deeper than Python's recursion limit, within the length of a path
    make_chain(archive, depth, GOOD.encode())
    try:
        code, _, err = build(archive)
        assert code == 0 and err == ""
        assert "d/" * depth + "bottom.txt" in documents(archive)
        code, out, _ = provcat("verify", str(archive), "--db", str(archive.parent / "catalogue.db"))
        assert code == 0 and "2 intact" in out
    finally:
        remove_chain(archive, depth)


def test_a_tree_deeper_than_a_path_can_name_is_one_line(archive: Path) -> None:
    depth = 2100  # "d/" * 2100 is longer than the 4,096 bytes a path may have
    make_chain(archive, depth, GOOD.encode())
    try:
        code, _, err = build(archive)
    finally:
        remove_chain(archive, depth)
    assert code == 2
    assert one_line_each(err)[0].endswith("File name too long")


def test_a_name_that_is_not_utf8_is_bagged_under_its_escaped_path(archive: Path) -> None:
    import bagit

    with open(os.fsencode(archive) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(GOOD.encode())
    assert build(archive)[0] == 0
    bag = archive.parent / "bag"
    code, _, err = provcat("export", "bag", str(bag), "--db", str(archive.parent / "catalogue.db"),
                           "--archive", str(archive), "--metadata", str(archive.parent / "no-metadata"))
    assert code == 0, err
    assert (bag / "data" / "documents" / "caf\\xe9.txt").read_text() == GOOD
    bagit.Bag(str(bag)).validate()


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """--db in a folder provcat may not write: as root, run without the capability to override file
    permissions (root may otherwise write anywhere)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv (util-linux) to drop root's power to write anywhere")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "good.txt").write_text(GOOD)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for db, folder in ((locked / "catalogue.db", locked), (locked / "new" / "catalogue.db", locked / "new")):
            command = [str(ROOT / ".venv" / "bin" / "provcat"), "build", str(tmp_path / "archive"),
                       "--metadata", str(tmp_path / "none"), "--db", str(db)]
            result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
            assert result.returncode == 2, result.stderr
            assert one_line_each(result.stderr)[0].startswith(f"provcat: error: {folder}")
            assert "ermission denied" in result.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)
