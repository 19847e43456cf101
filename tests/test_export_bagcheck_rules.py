"""check-bag by the rules of each BagIt version, beyond the conformance suite's bags.

The declared encoding (and one that is not known), fetch.txt (nothing fetched, holes, lengths,
entries not in the manifests), names that differ only in case or in Unicode normalization, how many
manifests must list a file, and the limits kept whatever the encoding.
"""

from __future__ import annotations

import hashlib
import json
import socket
import unicodedata
from pathlib import Path

import pytest
from cli_runner import run

from provcat.export.bagcheck import LINE_LIMIT, check_bag, check_bag_report
from provcat.export.bagfiles import text_codec

HELLO = b"hello\n"


def make_bag(root: Path, version: str = "1.0", encoding: str = "UTF-8", files: dict[str, bytes] | None = None,
             manifests: dict[str, list[str]] | None = None, info: str | None = None,
             fetch: str | None = None) -> Path:
    """A bag of ``files`` (below data/), with one manifest per algorithm listing the given paths
    (every file by default), its tag files in ``encoding``."""
    codec = text_codec(encoding) or "utf-8"
    files = {"data/hello.txt": HELLO} if files is None else files
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "bagit.txt").write_bytes(f"BagIt-Version: {version}\nTag-File-Character-Encoding: {encoding}\n".encode())
    for algorithm, paths in (manifests or {"sha256": list(files)}).items():
        lines = "".join(f"{hashlib.new(algorithm, files.get(p, b'')).hexdigest()}  {p}\n" for p in paths)
        (root / f"manifest-{algorithm}.txt").write_bytes(lines.encode(codec))
    if info is not None:
        (root / ("package-info.txt" if version < "0.96" else "bag-info.txt")).write_bytes(info.encode(codec))
    if fetch is not None:
        (root / "fetch.txt").write_bytes(fetch.encode(codec))
    return root


def check(bag: Path) -> tuple[int, dict[str, object]]:
    code, out, _ = run(["export", "check-bag", str(bag), "--json"], bag.parent)
    return code, json.loads(out)


def texts(found: object) -> list[str]:
    assert isinstance(found, list)
    return [f"{f['path']}  {f['problem']}" for f in found]


# ---------------------------------------------------------------------------------------------
# Versions and encodings
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.93", "0.95", "0.96", "0.97", "1.0"])
def test_each_version_is_read(tmp_path: Path, version: str) -> None:
    bag = make_bag(tmp_path / "bag", version, info="Payload-Oxum: 6.1\n")
    report = check_bag_report(bag)
    assert (report.version, report.problems, report.warnings) == (version, [], [])


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "UTF-16", "UTF-16BE", "cp1252", "Shift_JIS"])
def test_tag_files_are_read_in_the_declared_encoding(tmp_path: Path, encoding: str) -> None:
    name = "data/caf\u00e9.txt" if encoding != "Shift_JIS" else "data/\u65e5\u672c.txt"
    bag = make_bag(tmp_path / "bag", "0.97", encoding, files={name: HELLO},
                   info="Contact-Name: Ren\u00e9e\nPayload-Oxum: 6.1\n" if encoding != "Shift_JIS" else None)
    assert check(bag) == (0, {"valid": True, "version": "0.97", "problems": [], "warnings": []})


@pytest.mark.parametrize("encoding", ["x-no-such-encoding", "zlib", "base64", "unicode_escape", "undefined"])
def test_an_encoding_that_is_not_a_character_set_is_refused(tmp_path: Path, encoding: str) -> None:
    bag = make_bag(tmp_path / "bag", encoding="UTF-8")
    (bag / "bagit.txt").write_text(f"BagIt-Version: 1.0\nTag-File-Character-Encoding: {encoding}\n")
    code, report = check(bag)
    assert code == 1
    assert texts(report["problems"]) == [f"bagit.txt  Tag-File-Character-Encoding is {encoding!r}, not a character "
                                         "encoding check-bag knows: the other tag files are not read"]


def test_a_manifest_not_in_the_declared_encoding_is_reported(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", "0.97", "UTF-16")
    with (bag / "manifest-sha256.txt").open("ab") as manifest:
        manifest.write(b"\x00\xd8")  # a lone high surrogate
    code, report = check(bag)
    assert code == 1
    assert texts(report["problems"]) == ["manifest-sha256.txt  is not utf-16 after line 1: not read further"]


def test_a_long_line_is_skipped_in_any_encoding(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", "0.97", "UTF-16")
    text = (bag / "manifest-sha256.txt").read_bytes().decode("utf-16")
    (bag / "manifest-sha256.txt").write_bytes(("a" * (LINE_LIMIT + 5) + "\n" + text).encode("utf-16"))
    assert [p.problem for p in check_bag(bag)] == [f"line 1 is longer than {LINE_LIMIT} characters: not read"]


def test_bagit_txt_is_written_exactly(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag")
    (bag / "bagit.txt").write_text("Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\nExtra: 1\n")
    assert [p.problem for p in check_bag(bag)] == [
        "line 1 is 'Tag-File-Character-Encoding: UTF-8': it must read 'BagIt-Version: ...', written so",
        "line 2 is 'BagIt-Version: 1.0': it must read 'Tag-File-Character-Encoding: ...', written so",
        "has 3 lines: it must have two, BagIt-Version and Tag-File-Character-Encoding"]


def test_bag_info_labels_with_spaces_are_refused_from_1_0_on(tmp_path: Path) -> None:
    info = "Payload-Oxum: 6.1\nTest-Tag : 3\n"
    assert check_bag(make_bag(tmp_path / "old", "0.97", info=info)) == []
    problems = check_bag(make_bag(tmp_path / "new", "1.0", info=info))
    assert [(p.path, p.problem) for p in problems] == [
        ("bag-info.txt", "line 2: the label 'Test-Tag' is written with whitespace around it, which BagIt 1.0 "
                         "does not allow")]


def test_one_manifest_suffices_before_1_0(tmp_path: Path) -> None:
    files = {"data/a.txt": b"a", "data/b.txt": b"b"}
    split = {"md5": ["data/a.txt"], "sha256": ["data/b.txt"]}
    assert check_bag(make_bag(tmp_path / "old", "0.97", files=files, manifests=split)) == []
    problems = check_bag(make_bag(tmp_path / "new", "1.0", files=files, manifests=split))
    assert sorted((p.path, p.problem) for p in problems) == [
        ("data/a.txt", "is in the payload but not listed in manifest-sha256.txt"),
        ("data/b.txt", "is in the payload but not listed in manifest-md5.txt")]


def test_dot_slash_and_md5sum_marks(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", "0.97")
    digest = hashlib.sha256(HELLO).hexdigest()
    (bag / "manifest-sha256.txt").write_text(f"{digest}  ./data/hello.txt\n")
    assert check(bag)[0] == 0
    (bag / "manifest-sha256.txt").write_text(f"{digest} *data/hello.txt\n")
    code, report = check(bag)
    assert code == 4 and report["valid"] and not report["problems"]
    assert "binary-mode mark of GNU md5sum" in texts(report["warnings"])[0]
    (bag / "manifest-sha256.txt").write_text(f"{digest}  ./data/hello.txt\n{digest}  data/hello.txt\n")
    assert [p["problem"] for p in check(bag)[1]["warnings"]] == ["listed twice in manifest-sha256.txt, with the "
                                                                 "same digest"]


# ---------------------------------------------------------------------------------------------
# fetch.txt: checked, never fetched
# ---------------------------------------------------------------------------------------------


def test_a_hole_makes_the_bag_incomplete_and_nothing_is_fetched(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/hello.txt"
        bag = make_bag(tmp_path / "bag", "0.97", fetch=f"{url} 6 data/hello.txt\n")
        (bag / "data" / "hello.txt").unlink()
        code, report = check(bag)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # no one connected
    assert code == 1
    assert texts(report["problems"]) == [f"data/hello.txt  is listed in fetch.txt, to be fetched from {url}, but is "
                                         "not in the bag: the bag is incomplete (check-bag fetches nothing)"]


def test_a_fetched_file_is_checked_like_any_other(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", "0.97", fetch="https://example.org/hello.txt 6 data/hello.txt\n")
    assert check(bag)[0] == 0
    (bag / "fetch.txt").write_text("https://example.org/hello.txt 7 data/hello.txt\nhttps://example.org/x - data/x\n"
                                   "not-a-url - data/y\nhttps://example.org/z ten data/z\n")
    assert texts(check(bag)[1]["problems"]) == [
        "fetch.txt  line 3 gives 'not-a-url', which is not an absolute URL",
        "fetch.txt  line 4 gives the length 'ten': a number of bytes or '-'",
        "data/hello.txt  fetch.txt gives it 7 bytes; the bag's file has 6",
        "data/x  is listed in fetch.txt but in no payload manifest"]


@pytest.mark.parametrize("path", ["bagit.txt", "../outside.txt", "/etc/passwd", "~/x", "data/../../x"])
def test_fetch_txt_may_list_only_payload_files(tmp_path: Path, path: str) -> None:
    bag = make_bag(tmp_path / "bag", "1.0", fetch=f"https://example.org/x - {path}\n")
    problems = check_bag(bag)
    assert len(problems) == 1 and "fetch.txt" in problems[0].problem
    assert "unsafe path" in problems[0].problem or "outside data/" in problems[0].problem


# ---------------------------------------------------------------------------------------------
# Names: case and Unicode normalization
# ---------------------------------------------------------------------------------------------


def test_names_that_differ_only_in_case_are_two_files_here(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", files={"data/hello.txt": HELLO, "data/HELLO.txt": b"other\n"})
    code, report = check(bag)
    assert code == 4 and not report["problems"]
    assert texts(report["warnings"]) == ["data/HELLO.txt  and data/hello.txt are listed in manifest-sha256.txt: the "
                                         "names differ only in case, so where case is ignored (Windows, macOS) they "
                                         "are one file"]


def test_a_name_in_another_normalization_form_is_found_with_a_warning(tmp_path: Path) -> None:
    composed = "data/Nu\u0301n\u0303ez"  # as a Mac writes it (NFD)
    bag = make_bag(tmp_path / "bag", files={composed: HELLO})
    listed = unicodedata.normalize("NFC", composed)
    (bag / "manifest-sha256.txt").write_text(f"{hashlib.sha256(HELLO).hexdigest()}  {listed}\n")
    code, report = check(bag)
    assert code == 4 and not report["problems"]
    assert texts(report["warnings"]) == [f"{composed}  is listed in manifest-sha256.txt with its name in NFC; the bag "
                                         "holds it in NFD (the same name by Unicode's rules, other bytes)"]
    (bag / "manifest-sha256.txt").write_text(f"{'0' * 64}  {listed}\n")  # found, and still re-hashed
    assert [p.problem.split(":")[0] for p in check_bag(bag)] == ["sha256 differs"]


def test_one_file_under_two_normalizations_is_listed_twice(tmp_path: Path) -> None:
    name = "data/N\u00fa\u00f1ez"
    digest = hashlib.sha256(HELLO).hexdigest()
    for version, code in (("0.97", 4), ("1.0", 1)):
        bag = make_bag(tmp_path / version, version, files={name: HELLO})
        decomposed = unicodedata.normalize("NFD", name)
        (bag / "manifest-sha256.txt").write_text(f"{digest}  {name}\n{digest}  {decomposed}\n")
        assert check(bag)[0] == code, version


def test_system_files_are_warned_about(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", files={"data/hello.txt": HELLO, "data/sub/Thumbs.db": b"",
                                            "data/.Spotlight-V100/Store": b""})
    code, report = check(bag)
    assert code == 4
    assert [w["path"] for w in report["warnings"]] == ["data/.Spotlight-V100/Store", "data/sub/Thumbs.db"]


def test_text_output_counts_warnings(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", files={"data/hello.txt": HELLO, "data/Thumbs.db": b""})
    code, out, _ = run(["export", "check-bag", str(bag)], tmp_path)
    assert code == 4 and out.splitlines()[-1] == f"{bag} is valid, with 1 warning"
    (bag / "data" / "hello.txt").write_bytes(b"changed")
    code, out, _ = run(["export", "check-bag", str(bag)], tmp_path)
    assert code == 1 and out.splitlines()[-1] == f"{bag} is invalid: 1 problem and 1 warning"
    assert [line.split()[0] for line in out.splitlines()[:-1]] == ["invalid", "warning"]
