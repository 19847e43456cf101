"""Identify: the format of every archived file as archives record it, by Siegfried with PRONOM.

Each file gets its PRONOM identifier (PUID, e.g. ``fmt/11``), the format's name and version, its
MIME type and class, the **basis** of the match (``extension match png; byte match at ...``) and any
**warning** (``match on extension only``, ``no match``, an extension that does not fit the bytes),
and the identification names its tool and version (``siegfried 1.11.9``) and the signature files
it matched against (``DROID_SignatureFile_V125.xml; container-signature-20260119.xml``). Nothing is
guessed here: what Siegfried says is what is recorded, and a file it does not recognise is recorded
as ``no match`` (no PUID), with its warning.

Siegfried runs inside the process (the ``pygfried`` extension, which bundles it and its signature
files, offline). It identifies files by their path — it reads the first and last bytes, and the
whole file when a signature needs it — so a file is read once more for its identification. A name
whose bytes are not UTF-8, or that holds a control character (which Siegfried does not escape in
the JSON it answers with), cannot be given to it as such: the file is identified through a
temporary symbolic link named as the catalogue writes the name, each control character made
``_``, which keeps its extension. Should Siegfried not be able to read a file at all, its
identification says why (outcome ``error``) and the file is still catalogued with its fixity.

Imported only by the build: verification only hashes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

#: How Siegfried reports a file it has no PRONOM identifier for.
UNKNOWN = "UNKNOWN"
#: The outcomes of an identification.
OUTCOMES = ("identified", "no match", "error")


@dataclass(frozen=True)
class Tool:
    """The identification tool, as every identification names it."""

    name: str  # "siegfried"
    version: str  # "1.11.9"
    signatures: str  # the signature files: "DROID_SignatureFile_V125.xml; container-signature-20260119.xml"
    signature_file: str  # Siegfried's signature database and when it was made: "default.sig 2026-09-27T12:04:02+10:00"

    @property
    def identified_by(self) -> str:
        """The tool and its version: ``siegfried 1.11.9``."""
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class Identification:
    """What Siegfried said of one file."""

    outcome: str  # one of OUTCOMES
    puid: str | None = None  # None when there is no match
    format_name: str | None = None
    format_version: str | None = None
    mime_type: str | None = None
    format_class: str | None = None
    basis: str | None = None
    warning: str | None = None
    size_bytes: int | None = None  # the size Siegfried read


def _text(value: object) -> str | None:
    return str(value) if value else None


def _joined(*parts: str | None) -> str | None:
    return "; ".join(p for p in parts if p) or None


def from_result(found: dict[str, object]) -> Identification:
    """An :class:`Identification` from one file of Siegfried's detailed result."""
    errors = _text(found.get("errors"))
    matches = found.get("matches") or []
    assert isinstance(matches, list)
    size = found.get("filesize")
    size_bytes = size if isinstance(size, int) else None
    if not matches:
        return Identification("error", warning=f"Siegfried could not read the file: {errors or 'no result'}",
                              size_bytes=size_bytes)
    match = matches[0]
    others = [f"another match: {m.get('id')} ({m.get('format')})" for m in matches[1:]]
    puid = _text(match.get("id"))
    warning = _joined(_text(match.get("warning")), errors, *others)
    if puid is None or puid == UNKNOWN:
        return Identification("no match", basis=_text(match.get("basis")), warning=warning or "no match",
                              size_bytes=size_bytes)
    return Identification("identified", puid, _text(match.get("format")), _text(match.get("version")),
                          _text(match.get("mime")), _text(match.get("class")), _text(match.get("basis")), warning,
                          size_bytes)


def _siegfried() -> Any:
    import pygfried

    return pygfried


@functools.cache
def tool() -> Tool:
    """The tool and signature files identifications are made with (read once from Siegfried)."""
    siegfried = _siegfried()
    header = siegfried.identify_many([])
    signatures = "; ".join(str(i.get("details") or i.get("name")) for i in header.get("identifiers", []))
    signature_file = " ".join(str(header[k]) for k in ("signature", "created") if header.get(k))
    return Tool("siegfried", str(header.get("siegfried") or siegfried.version()), signatures, signature_file)


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _plain(path: str) -> bool:
    """Whether ``path`` can be given to Siegfried as it is: UTF-8, without control characters."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not _CONTROL.search(path)


@contextlib.contextmanager
def _named_for_siegfried(locations: Sequence[str], names: Sequence[str]) -> Iterator[list[str]]:
    """The paths to give Siegfried: each file's own or, for a name that cannot be given as it is, a
    symbolic link in a temporary folder named as the catalogue writes it (``names``: catalogue paths)
    with its control characters made ``_``."""
    if all(map(_plain, locations)):
        yield list(locations)
        return
    with tempfile.TemporaryDirectory(prefix="provcat-identify-") as folder:
        given = []
        for number, (location, name) in enumerate(zip(locations, names, strict=True)):
            if _plain(location):
                given.append(location)
                continue
            plain = _CONTROL.sub("_", os.path.basename(name))
            link = os.path.join(folder, str(number), plain if _plain(plain) else "file")
            os.mkdir(os.path.dirname(link))
            os.symlink(os.path.abspath(location), link)
            given.append(link)
        yield given


def identify_files(locations: Sequence[str], names: Sequence[str] | None = None) -> list[Identification]:
    """The identification of each file (``locations``: where they are on disk; ``names``: their
    catalogue paths, for names that cannot be given to Siegfried as they are), in order, in one call
    to Siegfried (one a file if it refuses the call, to say which file it refused)."""
    if not locations:
        return []
    siegfried = _siegfried()
    with _named_for_siegfried(locations, names or locations) as given:
        try:
            found = siegfried.identify_many(given).get("files") or []
        except (siegfried.GoError, ValueError):
            found = []
        if len(found) != len(given):
            return [_identify_one(siegfried, path) for path in given]
    return [from_result(f) for f in found]


def _identify_one(siegfried: Any, path: str) -> Identification:
    try:
        result = siegfried.identify_many([path])
    except (siegfried.GoError, ValueError) as exc:  # UnicodeError and a JSON answer it could not read included
        return Identification("error", warning=f"Siegfried could not read the file: {exc}")
    found = result.get("files") or []
    return from_result(found[0]) if found else Identification("error", warning="Siegfried gave no result")
