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
import re
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

def catalogue_name(name: str) -> str:
    """A file or folder name as the catalogue records it: the name itself when it is valid UTF-8
    (always, but for names whose bytes are not); otherwise each byte that is not UTF-8 written
    ``\\xNN``, and a backslash of the name written ``\\x5c`` so that the escape cannot be read two ways.
    (Python keeps such bytes as lone surrogates, which cannot be stored or printed.)"""
    if name.isascii() or not _UNDECODED.search(name):
        return name
    return os.fsencode(name).replace(b"\\", b"\\x5c").decode("utf-8", "backslashreplace")


_UNDECODED = re.compile("[\udc80-\udcff]")


@dataclass
class Listing:
    """What a scan found: catalogue paths of the documents and of what was left out (with why),
    and, for the rare path whose name had to be escaped, where the file is (relative, as on disk)."""

    found: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    on_disk: dict[str, str] = field(default_factory=dict)  # catalogue path -> path on disk, when they differ
    _escaped: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: str, raw: str) -> None:
        if path == raw:
            self.found.append(path)
        else:
            self._escaped.append((path, raw))

    def settle(self) -> None:
        """Admit the documents with escaped names, but not one whose escaped name is also another
        file's name: that file keeps it (whatever order the folder listed them in)."""
        taken = set(self.found)
        counts = Counter(path for path, _ in self._escaped)
        for path, raw in self._escaped:
            if path in taken or counts[path] > 1:
                self.skipped.append((path, "its name, with the bytes that are not UTF-8 written \\xNN, is "
                                           "another file's name: refused"))
            else:
                self.found.append(path)
                self.on_disk[path] = raw
        self._escaped.clear()


def _walk(archive: str, root: str, listing: Listing) -> None:
    """List the documents below ``archive`` (unsorted), and what was left out with why. The common
    case (a regular file) is decided from the directory entry alone, without a system call. Folders
    are walked from a list, not by recursion, so that no depth of folders is too deep."""
    pending = [(archive, "", "")]  # (folder on disk, its catalogue path prefix, its prefix on disk)
    while pending:
        folder, prefix, raw_prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                path, raw = prefix + catalogue_name(name), raw_prefix + name
                if entry.is_file(follow_symlinks=False):
                    if _is_document(name):
                        listing.add(path, raw)
                    else:
                        listing.skipped.append((path, KIND_REFUSED))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, path + "/", raw + "/"))
                else:
                    refused = _refused_link_or_special(entry, root)
                    if refused is None:
                        listing.add(path, raw)
                    else:
                        listing.skipped.append((path, refused))


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


def scan_paths(archive: Path) -> Listing:
    """The catalogue paths of every supported document below ``archive``, sorted, and the skipped
    files with the reason, sorted; nothing else is built (verification uses this directly)."""
    require_folder(archive)
    listing = Listing()
    _walk(str(archive), os.path.realpath(archive), listing)
    listing.settle()
    listing.found.sort()
    listing.skipped.sort()
    return listing


def scan(archive: Path) -> ScanResult:
    """Every supported document below ``archive``; unsupported or unsafe files are reported."""
    listing = scan_paths(archive)
    stems = [document_id(relative) for relative in listing.found]
    shared = Counter(stems)
    base = os.path.join(str(archive), "")  # with its separator
    # "talk.srt" beside "talk.txt": both keep their extension so that neither id is ambiguous
    files = [ArchiveFile(relative, base + listing.on_disk.get(relative, relative), relative if shared[stem] > 1
                         else stem) for relative, stem in zip(listing.found, stems, strict=True)]
    return ScanResult(files, listing.skipped)
