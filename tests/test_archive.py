import os
from pathlib import Path

import pytest

from provcat.archive import document_id, scan, scan_paths
from provcat.errors import ProvcatError


def test_scan_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/two.txt", "one.srt", ".hidden.txt", ".git/x.txt", "image.png"):
        (tmp_path / name).write_text("x")
    result = scan(tmp_path)
    # every file is found; only those of a kind read as text have a document id
    assert [(f.path, f.id) for f in result.files] == [("b/two.txt", "b/two"), ("image.png", None), ("one.srt", "one")]
    assert [f.text_kind for f in result.files] == [True, False, True]
    assert result.skipped == []


def test_a_file_that_is_not_a_document_leaves_the_ids_of_documents_as_they_were(tmp_path: Path) -> None:
    for name in ("talk.txt", "talk.zip", "talk.png", "notes.srt"):
        (tmp_path / name).write_text("x")
    assert [(f.path, f.id) for f in scan(tmp_path).files] == [
        ("notes.srt", "notes"), ("talk.png", None), ("talk.txt", "talk"), ("talk.zip", None)]


def test_links_and_special_files_are_left_out_with_why(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "image.png").write_bytes(b"\x89PNG")
    os.symlink(archive / "image.png", archive / "alias.png")  # inside: followed
    os.symlink(tmp_path / "nowhere.png", archive / "broken.png")
    os.mkfifo(archive / "pipe.bin")
    result = scan(archive)
    assert [f.path for f in result.files] == ["alias.png", "image.png"]
    assert result.skipped == [("broken.png", "symbolic link pointing outside the archive: refused"),
                              ("pipe.bin", "not a regular file")]


def test_same_stem_keeps_extensions_in_ids(tmp_path: Path) -> None:
    (tmp_path / "talk.txt").write_text("x")
    (tmp_path / "talk.srt").write_text("x")
    assert [f.id for f in scan(tmp_path).files] == ["talk.srt", "talk.txt"]


def test_symlink_outside_archive_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (tmp_path / "secret.txt").write_text("private")
    os.symlink(tmp_path / "secret.txt", archive / "link.txt")
    (archive / "inside.txt").write_text("x")
    os.symlink(archive / "inside.txt", archive / "alias.txt")
    result = scan(archive)
    assert [f.path for f in result.files] == ["alias.txt", "inside.txt"]
    assert result.skipped == [("link.txt", "symbolic link pointing outside the archive: refused")]


def test_missing_archive_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProvcatError, match="archive folder does not exist"):
        scan(tmp_path / "nope")


def test_document_id() -> None:
    assert document_id("a/b.c.txt") == "a/b.c"
    assert document_id("README") == "README"


def test_scan_paths_lists_what_scan_finds_and_skips_in_path_order(tmp_path: Path) -> None:
    for relative in ("b/z.txt", "b-c.txt", "a.vtt", "b/notes.pdf", ".hidden/x.txt", "a/0.srt", "README"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    os.symlink(tmp_path.parent, tmp_path / "up.txt")
    listing = scan_paths(tmp_path)
    found, skipped = listing.found, listing.skipped
    assert found == ["README", "a.vtt", "a/0.srt", "b-c.txt", "b/notes.pdf", "b/z.txt"] \
        == [f.path for f in scan(tmp_path).files]
    assert [path for path, _ in skipped] == ["up.txt"] == [p for p, _ in scan(tmp_path).skipped]
