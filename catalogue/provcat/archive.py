"""Scan: the documents of an archive folder, found recursively, in a stable order.

Hidden files and folders are skipped. A symbolic link is followed only when it stays inside the
archive: a link pointing outside could smuggle in files the archive does not hold. Files of a kind
the catalogue does not read are listed as skipped, with the reason.

Verification scans whole archives before hashing them, so the scan works on strings and directory
entries (``os.scandir`` caches each entry's type) and imports nothing heavy.
"""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ProvcatError

#: The kinds of document the catalogue reads, by extension, with their media types.
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
}
SUPPORTED_SUFFIXES = frozenset(MEDIA_TYPES)


@dataclass(frozen=True)
class ArchiveFile:
    path: str  # relative to the archive root, POSIX separators
    local: str  # where it is on disk
    id: str  # the document id: the path without its extension

    @property
    def location(self) -> Path:
        return Path(self.local)


@dataclass
class ScanResult:
    files: list[ArchiveFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def document_id(relative_path: str) -> str:
    """The document id: the relative path without its extension ("seeds/a.txt" -> "seeds/a")."""
    root, ext = posixpath.splitext(relative_path)
    return root if ext and posixpath.basename(root) else relative_path


KIND_REFUSED = f"not a document kind the catalogue reads ({', '.join(sorted(SUPPORTED_SUFFIXES))})"

#: A file found by the scan: (relative path, path on disk, document id if the id is not shared).
Found = tuple[str, str, str]


def _walk(folder: str, prefix: str, root: str, result: ScanResult, found: list[Found]) -> None:
    with os.scandir(folder) as entries:
        listing = sorted(entries, key=lambda e: e.name)
    for entry in listing:
        name = entry.name
        if name.startswith("."):
            continue
        relative = prefix + name
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, relative + "/", root, result, found)
            continue
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            if os.path.commonpath([root, target]) != root:
                result.skipped.append((relative, "symbolic link pointing outside the archive: refused"))
                continue
            if not os.path.exists(target):
                result.skipped.append((relative, "broken symbolic link"))
                continue
        if not entry.is_file(follow_symlinks=True):
            result.skipped.append((relative, "not a regular file"))
            continue
        # the name does not start with a dot, so its extension starts at its last dot, if any
        dot = name.rfind(".")
        if dot < 1 or name[dot:].lower() not in SUPPORTED_SUFFIXES:
            result.skipped.append((relative, KIND_REFUSED))
            continue
        found.append((relative, entry.path, prefix + name[:dot]))


def scan(archive: Path) -> ScanResult:
    """Every supported document below ``archive``; unsupported or unsafe files are reported."""
    if not archive.exists():
        raise ProvcatError(archive, "archive folder does not exist")
    if not archive.is_dir():
        raise ProvcatError(archive, "is not a folder")
    result = ScanResult()
    found: list[Found] = []
    _walk(str(archive), "", os.path.realpath(archive), result, found)
    shared = Counter(doc_id for _, _, doc_id in found)
    found.sort()
    # "talk.srt" beside "talk.txt": both keep their extension so that neither id is ambiguous
    result.files = [ArchiveFile(relative, local, relative if shared[doc_id] > 1 else doc_id)
                    for relative, local, doc_id in found]
    return result
