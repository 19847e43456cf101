"""The Library of Congress BagIt conformance suite, bag by bag: check-bag gives each the answer of its folder.

The bags are in tests/bagit-conformance/ (CC0; SOURCE.md says where they come from). The suite sorts
them by version and by answer: a bag in ``valid/`` must be accepted (exit 0), one in ``invalid/``
rejected (exit 1) with the problem named, one in ``warning/`` accepted with a warning (exit 4). The
suite's harness runs ``linux-only/`` bags only on Linux and ``windows-only/`` bags only on Windows;
both hold bags that must be rejected there. Two bags get another answer here, each for the reason
given in :data:`DEPARTURES`; :data:`REASONS` says what check-bag must name for each bag it rejects or
warns about, so that a bag is not answered right for a wrong reason.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cli_runner import run

SUITE = Path(__file__).resolve().parent / "bagit-conformance"
EXIT = {"valid": 0, "invalid": 1, "warning": 4, "linux-only": 1, "windows-only": 1}
SYSTEM_ONLY = {"linux-only": "linux", "windows-only": "win32"}

#: Bags answered otherwise than their folder says: bag -> (exit status, warned, why).
DEPARTURES: dict[str, tuple[int, bool, str]] = {
    "v0.97/warning/duplicate-file-with-different-case": (
        1, True,
        "a warning only where case is ignored (Windows, macOS), where data/HELLO.txt and data/hello.txt are "
        "one file; the bag holds only data/hello.txt, so on a case-sensitive file system data/HELLO.txt is "
        "missing and the bag is incomplete (the suite's harness accepts a failure for a warning bag); "
        "check-bag also warns that the two names differ only in case"),
    "v0.97/warning/relative-path": (
        0, False,
        "its only oddity is a manifest path written './data/hello.txt', the form the suite calls valid in "
        "v0.96 and v0.97 valid/bag-with-leading-dot-slash-in-manifest; the path is relative to the bag, as "
        "the spec asks, and names data/hello.txt, so check-bag reads it as that without a warning"),
}

#: What check-bag must name for each bag it rejects or warns about: a line "<path>  <problem>" starts so.
REASONS = {
    "v0.97/invalid/baginfo-missing-encoding": "bagit.txt  has no line 2: it must read 'Tag-File-Character-Encoding",
    "v0.97/invalid/bom-in-bagit.txt": "bagit.txt  starts with a byte-order mark",
    "v0.97/invalid/corrupt-data-file": "data/bare-filename  md5 differs",
    "v0.97/invalid/corrupt-tag-file": "bagit.txt  md5 differs",
    "v0.97/invalid/extra-file-in-bag": "data/bar  is in the payload but not listed in any payload manifest",
    "v0.97/invalid/invalid-version-number": "bagit.txt  BagIt-Version is '.97'",
    "v0.97/invalid/missing-baginfo": "bag-info.txt  is listed in a manifest but missing from the bag",
    "v0.97/invalid/missing-bagit.txt": "bagit.txt  is missing",
    "v0.97/invalid/out-of-scope-file-paths-using-dot-notation": "../../../README.md  unsafe path",
    "v0.97/invalid/out-of-scope-file-paths-using-dot-notation-for-fetch": "../../../README.md  unsafe path "
                                                                          "(absolute or with '..') in fetch.txt",
    "v0.97/invalid/same-filename-listed-twice-with-different-hashes": "data/README  listed twice in "
                                                                      "manifest-sha256.txt, with different digests",
    "v0.97/linux-only/out-of-scope-file-paths-using-absolute-path": "/tmp/foo  unsafe path",
    "v0.97/linux-only/out-of-scope-file-paths-using-absolute-path-for-fetch": "/tmp/test.txt  unsafe path "
                                                                              "(absolute or with '..') in fetch.txt",
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut": "~/foo  unsafe path",
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut-for-fetch": "~/test.txt  unsafe path (a shell reads a "
                                                                         "leading '~' as a home folder) in fetch.txt",
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username": "~root/foo  unsafe path",
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username-for-fetch": "~root/foo  unsafe path (a shell "
                                                                                  "reads a leading '~' as a home "
                                                                                  "folder) in fetch.txt",
    "v0.97/warning/duplicate-file-with-different-case": "data/HELLO.txt  is listed in a manifest but missing",
    "v0.97/warning/made-with-md5sum-tools": "manifest-md5.txt  1 line(s) write '*' before the path",
    "v0.97/warning/same-filename-listed-twice-with-different-normalization": "data/Núñez  is listed twice in "
                                                                             "manifest-sha512.txt, under names that "
                                                                             "differ only in Unicode normalization",
    "v0.97/warning/same-filename-listed-twice-with-the-same-hash": "data/README  listed twice in manifest-sha256.txt, "
                                                                   "with the same digest",
    "v0.97/warning/special-system-files": "data/.DS_Store  is a file the operating system writes for itself",
    "v1.0/invalid/bagit-with-invalid-whitespace": "bagit.txt  line 1 is 'BagIt-Version : 1.0'",
    "v1.0/invalid/notAllManifestsListAllFiles": "data/missingFromManifest.txt  is in the payload but not listed in "
                                                "manifest-sha512.txt",
    "v1.0/invalid/same-filename-listed-twice-with-different-hashes": "data/README  listed twice in "
                                                                     "manifest-sha256.txt, with different digests",
    "v1.0/invalid/same-filename-listed-twice-with-the-same-hash": "data/README  listed twice in manifest-sha256.txt "
                                                                  "(BagIt 1.0 lists a file once)",
}


def suite_bags() -> list[pytest.param]:
    params = []
    for bag in sorted(p for p in SUITE.glob("v*/*/*") if p.is_dir()):
        name = bag.relative_to(SUITE).as_posix()
        category = bag.parent.name
        marks = []
        system = SYSTEM_ONLY.get(category)
        if system and not sys.platform.startswith(system):
            marks.append(pytest.mark.skip(reason=f"the suite runs {category} bags only there"))
        params.append(pytest.param(bag, category, id=name, marks=marks))
    return params


def check(bag: Path) -> tuple[int, dict[str, object], str]:
    code, out, _ = run(["export", "check-bag", str(bag), "--json"], bag.parent)
    _, text, _ = run(["export", "check-bag", str(bag)], bag.parent)
    return code, json.loads(out), text


def named(findings: object) -> str:
    return "\n".join(f"{f['path']}  {f['problem']}" for f in findings) if isinstance(findings, list) else ""


def test_every_bag_of_the_suite_is_here() -> None:
    bags = [p for p in SUITE.glob("v*/*/*") if p.is_dir()]
    assert len(bags) == 60
    assert {p.parent.name for p in bags} == set(EXIT)
    assert (SUITE / "LICENSE.md").is_file() and (SUITE / "README.md").is_file() and (SUITE / "SOURCE.md").is_file()
    names = {p.relative_to(SUITE).as_posix() for p in bags}
    assert set(DEPARTURES) <= names and set(REASONS) <= names
    refused_or_warned = {n for n in names if n.split("/")[1] in ("invalid", "linux-only", "warning")}
    assert refused_or_warned - {"v0.97/warning/relative-path"} == set(REASONS)


@pytest.mark.parametrize(("bag", "category"), suite_bags())
def test_check_bag_gives_the_suites_answer(bag: Path, category: str) -> None:
    name = bag.relative_to(SUITE).as_posix()
    expected, warned, _why = DEPARTURES.get(name, (EXIT[category], category == "warning", ""))
    code, report, text = check(bag)
    problems, warnings = named(report.get("problems")), named(report.get("warnings"))
    assert code == expected, f"exit {code}, expected {expected}\n{text}"
    assert report["valid"] is (expected != 1)
    if expected == 1:  # rejected, naming the problem: one line per problem, then the summary
        assert problems and "invalid    " in text and "is invalid" in text, text
    else:
        assert not problems, text
    if warned:
        assert warnings and "warning    " in text, text
    else:
        assert not warnings, text
    if expected == 0:
        assert text.splitlines()[-1].endswith("is valid"), text


@pytest.mark.parametrize(("name", "reason"), sorted(REASONS.items()), ids=sorted(REASONS))
def test_check_bag_names_the_reason(name: str, reason: str) -> None:
    _, report, _ = check(SUITE / name)
    found = [f"{f['path']}  {f['problem']}" for f in [*report.get("problems", []), *report.get("warnings", [])]]
    assert any(line.startswith(reason) for line in found), found
