"""Format identification (provcat.identify): what Siegfried says of each kind of file, recorded as it
says it — PUID, name, version, MIME type, basis, warning — with the tool and its signature files; a
file with no match and a file it cannot read are recorded, never a failure."""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from every_kind import HTML, MYSTERY, pdf, png, zip_file

from provcat import identify
from provcat.identify import Identification, from_result, identify_files, tool


def identified(tmp_path: Path, name: str, data: bytes) -> Identification:
    path = tmp_path / name
    path.write_bytes(data)
    (found,) = identify_files([str(path)])
    return found


def test_the_tool_and_its_signature_files_are_pinned() -> None:
    """The PUIDs the tests expect are those of these signature files: a new pygfried is a new
    identification, to be noticed (and pinned in pyproject.toml)."""
    assert version("pygfried") == "2.2.0"
    found = tool()
    assert found.identified_by == "siegfried 1.11.9"
    assert found.signatures == "DROID_SignatureFile_V125.xml; container-signature-20260119.xml"
    assert found.signature_file.startswith("default.sig ")


@pytest.mark.parametrize(("name", "data", "puid", "format_name", "format_version", "mime_type"), [
    ("pixel.png", png(), "fmt/11", "Portable Network Graphics", "1.0", "image/png"),
    ("bundle.zip", zip_file(), "x-fmt/263", "ZIP Format", None, "application/zip"),
    ("report.pdf", pdf(), "fmt/18", "Acrobat PDF 1.4 - Portable Document Format", "1.4", "application/pdf"),
    ("page.html", HTML.encode(), "fmt/471", "Hypertext Markup Language", "5", "text/html"),
    ("note.txt", b"The harbour master said the ferry would run.\n", "x-fmt/111", "Plain Text File", None,
     "text/plain"),
    ("cues.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHello\n", "fmt/1218", "SubRip Subtitle File", None, None),
    ("cues.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n", "fmt/1454",
     "Web Video Text Tracks (WebVTT) Format", None, "text/vtt"),
])
def test_what_siegfried_gives_each_kind(tmp_path: Path, name: str, data: bytes, puid: str, format_name: str,
                                        format_version: str | None, mime_type: str | None) -> None:
    found = identified(tmp_path, name, data)
    assert (found.outcome, found.puid, found.format_name, found.format_version, found.mime_type) == (
        "identified", puid, format_name, format_version, mime_type)
    assert found.basis and found.basis.startswith(f"extension match {name.rsplit('.', 1)[1]}")
    assert found.warning is None and found.size_bytes == len(data)


def test_the_basis_names_the_bytes_matched(tmp_path: Path) -> None:
    assert identified(tmp_path, "pixel.png", png()).basis == "extension match png; byte match at [[0 16] [55 12]]"


def test_no_match_is_recorded_with_its_warning(tmp_path: Path) -> None:
    found = identified(tmp_path, "mystery", MYSTERY)
    assert (found.outcome, found.puid, found.format_name, found.warning) == ("no match", None, None, "no match")


def test_an_extension_that_does_not_fit_the_bytes_is_a_warning(tmp_path: Path) -> None:
    found = identified(tmp_path, "fake.pdf", b"plain words, not a PDF\n")
    assert found.outcome == "no match" and found.puid is None
    assert found.warning and found.warning.startswith("no match; possibilities based on extension are fmt/14")


def test_a_match_on_the_extension_only_says_so(tmp_path: Path) -> None:
    found = identified(tmp_path, "blob.bin", bytes(range(7, 200)))
    assert (found.outcome, found.puid, found.warning) == ("identified", "fmt/208", "match on extension only")


def test_an_empty_file_is_identified_by_its_extension_with_a_warning(tmp_path: Path) -> None:
    found = identified(tmp_path, "empty.dat", b"")
    assert found.outcome == "identified" and found.puid == "fmt/1730"
    assert found.warning == "match on extension only; empty source"


def test_a_file_siegfried_cannot_read_is_an_error_not_a_failure(tmp_path: Path) -> None:
    (found,) = identify_files([str(tmp_path / "gone.png")])
    assert found.outcome == "error" and found.puid is None
    assert found.warning and found.warning.startswith("Siegfried could not read the file: open ")


def test_many_files_in_one_call_keep_their_order(tmp_path: Path) -> None:
    names = {"a.png": png(), "b.pdf": pdf(), "c": MYSTERY, "d.zip": zip_file()}
    for name, data in names.items():
        (tmp_path / name).write_bytes(data)
    found = identify_files([str(tmp_path / n) for n in names])
    assert [f.puid for f in found] == ["fmt/11", "fmt/18", None, "x-fmt/263"]
    assert identify_files([]) == []


def test_a_name_whose_bytes_are_not_utf8_is_identified_with_its_extension(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.png")
    with open(raw, "wb") as handle:
        handle.write(png())
    location = os.fsdecode(raw)  # with a lone surrogate, which Siegfried cannot be given
    (found,) = identify_files([location], ["caf\\xe9.png"])
    assert (found.outcome, found.puid) == ("identified", "fmt/11")
    assert found.basis and found.basis.startswith("extension match png")
    assert os.listdir(tmp_path) == [os.fsdecode(b"caf\xe9.png")]  # the link went with its folder


def test_one_path_refused_does_not_lose_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When Siegfried refuses a whole batch, each file is identified on its own, to say which failed."""
    real = identify._siegfried()
    (tmp_path / "a.png").write_bytes(png())

    class Refusing:
        GoError = real.GoError

        @staticmethod
        def identify_many(paths: list[str]) -> dict[str, Any]:
            if len(paths) > 1 or "bad" in paths[0]:
                raise real.GoError("paths must contain only strings")
            return real.identify_many(paths)

    monkeypatch.setattr(identify, "_siegfried", lambda: Refusing)
    found = identify_files([str(tmp_path / "a.png"), str(tmp_path / "bad.png")])
    assert [f.outcome for f in found] == ["identified", "error"]
    assert found[1].warning == "Siegfried could not read the file: paths must contain only strings"


def test_from_result() -> None:
    match = {"ns": "pronom", "id": "fmt/11", "format": "Portable Network Graphics", "version": "1.0",
             "mime": "image/png", "class": "Image (Raster)", "basis": "byte match", "warning": ""}
    assert from_result({"filesize": 67, "errors": "", "matches": [match]}) == Identification(
        "identified", "fmt/11", "Portable Network Graphics", "1.0", "image/png", "Image (Raster)", "byte match", None,
        67)
    two = from_result({"filesize": 1, "errors": "", "matches": [match, {**match, "id": "fmt/12", "format": "PNG 1.1"}]})
    assert two.puid == "fmt/11" and two.warning == "another match: fmt/12 (PNG 1.1)"
    unknown = from_result({"filesize": 3, "errors": "", "matches": [{**match, "id": "UNKNOWN", "warning": ""}]})
    assert (unknown.outcome, unknown.puid, unknown.warning) == ("no match", None, "no match")
    failed = from_result({"filesize": 0, "errors": "open x: permission denied", "matches": []})
    assert (failed.outcome, failed.warning) == ("error", "Siegfried could not read the file: open x: permission denied")


def test_a_name_with_control_characters_is_identified_with_its_extension(tmp_path: Path) -> None:
    """Siegfried does not escape an escape character in the JSON it answers with."""
    for name in ("a\x1bb.png", "line\nfeed.png"):
        (tmp_path / name).write_bytes(png())
    found = identify_files([str(tmp_path / "a\x1bb.png"), str(tmp_path / "line\nfeed.png")],
                           ["a\x1bb.png", "line\nfeed.png"])
    assert [(f.outcome, f.puid) for f in found] == [("identified", "fmt/11")] * 2
    assert all(f.basis and f.basis.startswith("extension match png") for f in found)
