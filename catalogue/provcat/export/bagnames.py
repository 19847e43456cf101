"""Names in a bag that are one file on some systems and two on others, and files no archive means to keep.

macOS writes file names in Unicode's decomposed form (NFD) while Linux keeps the bytes it is given,
so a bag copied between them may list a file in one form and hold it in the other; Windows and
macOS ignore case, so two names that differ only in case are one file there. What check-bag does:

- A listed name that is not in the bag but matches exactly one file of it once both are normalised
  (NFC) is that file, as bagit-python has it, with a warning. If the manifest also lists that file
  under its own name, it lists one file twice: a warning before BagIt 1.0, a problem since, as for
  any file listed twice (the conformance suite's v0.97 bag with a name in NFC and in NFD is a warning).
- Names that differ only in case are looked up as written: on a case-sensitive system they are two
  files, and one that is missing is missing. A warning says they are one file where case is ignored.
- A listed file an operating system writes for itself (.DS_Store, Thumbs.db, ...) is warned about:
  it is not part of the archive and may change or vanish whenever the bag is copied.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

#: Files and folders operating systems write for themselves, by their name in lower case.
SYSTEM_FILES = {
    ".ds_store": "macOS Finder's folder settings",
    "thumbs.db": "Windows Explorer's thumbnail cache",
    "desktop.ini": "Windows Explorer's folder settings",
    ".spotlight-v100": "macOS Spotlight's index",
    ".trashes": "macOS's wastebasket",
    "._.trashes": "macOS's wastebasket",
    ".fseventsd": "macOS's file-system event log",
}


class Finding(NamedTuple):
    path: str
    text: str
    invalid: bool  # a problem, not a warning


def nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def form(name: str) -> str:
    """Which Unicode normalization form a name is written in, in words."""
    if unicodedata.is_normalized("NFC", name):
        return "NFC" if not unicodedata.is_normalized("NFD", name) else "NFC and NFD alike"
    return "NFD" if unicodedata.is_normalized("NFD", name) else "neither NFC nor NFD"


class Names:
    """The files of a bag, found by their name as written or, failing that, by its normalised form."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files = frozenset(files)
        self._normalised: dict[str, str | None] | None = None  # NFC -> file; None when two files share it

    def find(self, name: str) -> str | None:
        if name in self.files:
            return name
        if self._normalised is None:  # built the first time a name is missing
            self._normalised = {}
            for file in self.files:
                key = nfc(file)
                self._normalised[key] = None if key in self._normalised else file
        return self._normalised.get(nfc(name))


def normalization_findings(manifest: str, listed: Iterable[str], find: Callable[[str], str | None],
                           listed_twice_is_invalid: bool) -> Iterator[Finding]:
    """Names of one manifest that differ from each other, or from the file they name (``find``, such
    as :meth:`Names.find`), only in Unicode normalization."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in listed:
        groups[nfc(name)].append(name)
    for group in groups.values():
        found = {name: find(name) for name in sorted(group)}
        files = [file for file in found.values() if file is not None]
        if len(group) == 1:
            name, file = next(iter(found.items()))
            if file is not None and file != name:
                yield Finding(file, f"is listed in {manifest} with its name in {form(name)}; the bag holds it in "
                                    f"{form(file)} (the same name by Unicode's rules, other bytes)", False)
        elif len(set(files)) < len(files):
            forms = " and ".join(form(name) for name in found)
            yield Finding(files[0], f"is listed twice in {manifest}, under names that differ only in Unicode "
                                    f"normalization ({forms})", listed_twice_is_invalid)
        else:
            yield Finding(min(group), f"and {len(group) - 1} other name(s) listed in {manifest} differ only in "
                                      "Unicode normalization: one file where names are normalised (macOS)", False)


def case_findings(manifest: str, listed: Iterable[str]) -> Iterator[Finding]:
    """Names of one manifest that differ only in case."""
    groups: dict[str, dict[str, str]] = defaultdict(dict)  # folded name -> normalised name -> a name as listed
    for name in listed:
        groups[nfc(name).casefold()].setdefault(nfc(name), name)
    for group in groups.values():
        if len(group) > 1:
            first, *others = sorted(group.values())
            yield Finding(first, f"and {', '.join(others)} are listed in {manifest}: the names differ only in case, "
                                 "so where case is ignored (Windows, macOS) they are one file", False)


def system_file_findings(listed: Iterable[str]) -> Iterator[Finding]:
    """Listed payload files an operating system writes for itself."""
    for name in sorted(set(listed)):
        kind = next((SYSTEM_FILES[p.lower()] for p in name.split("/") if p.lower() in SYSTEM_FILES), None)
        if kind is not None:
            yield Finding(name, f"is a file the operating system writes for itself ({kind}): not part of the "
                                "archive, and it may change or vanish whenever the bag is copied", False)
