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


def _is_document(name: str) -> bool:
    """Whether a file name (not starting with a dot) has the extension of a kind the catalogue reads."""
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in SUPPORTED_SUFFIXES

def _walk(folder: str, prefix: str, root: str, found: list[str], skipped: list[tuple[str, str]]) -> None:
    """Add the relative paths of the documents below ``folder`` to ``found``, and what was left
    out, with why, to ``skipped``; unsorted. The common case (a regular file) is decided from the
    directory entry alone, without a system call."""
    subfolders: list[tuple[str, str]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_file(follow_symlinks=False):
                if _is_document(name):
                    found.append(prefix + name)
                else:
                    skipped.append((prefix + name, KIND_REFUSED))
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append((entry.path, prefix + name + "/"))
            else:
                refused = _refused_link_or_special(entry, root)
                if refused is None:
                    found.append(prefix + name)
                else:
                    skipped.append((prefix + name, refused))
    for path, relative in subfolders:
        _walk(path, relative, root, found, skipped)


def _refused_link_or_special(entry: os.DirEntry[str], root: str) -> str | None:
    """Why a symbolic link or special file is left out, or None for a link to a document inside
    the archive."""
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if os.path.commonpath([root, target]) != root:
            return "symbolic link pointing outside the archive: refused"
        if not os.path.exists(target):
            return "broken symbolic link"
    if not entry.is_file(follow_symlinks=True):
        return "not a regular file"
    return None if _is_document(entry.name) else KIND_REFUSED


def require_folder(archive: Path) -> None:
    """Refuse an archive that does not exist or is not a folder."""
    if not archive.exists():
        raise ProvcatError(archive, "archive folder does not exist")
    if not archive.is_dir():
        raise ProvcatError(archive, "is not a folder")


def scan_paths(archive: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The relative paths of every supported document below ``archive``, sorted, and the skipped
    files with the reason, sorted; nothing else is built (verification uses this directly)."""
    require_folder(archive)
    found: list[str] = []
    skipped: list[tuple[str, str]] = []
    _walk(str(archive), "", os.path.realpath(archive), found, skipped)
    found.sort()
    skipped.sort()
    return found, skipped


def scan(archive: Path) -> ScanResult:
    """Every supported document below ``archive``; unsupported or unsafe files are reported."""
    found, skipped = scan_paths(archive)
    stems = [document_id(relative) for relative in found]
    shared = Counter(stems)
    base = os.path.join(str(archive), "")  # with its separator
    # "talk.srt" beside "talk.txt": both keep their extension so that neither id is ambiguous
    files = [ArchiveFile(relative, base + relative, relative if shared[stem] > 1 else stem)
             for relative, stem in zip(found, stems, strict=True)]
    return ScanResult(files, skipped)
