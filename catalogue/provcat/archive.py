"""Scan: every file of an archive folder, found recursively, in a stable order.

Every regular file below the archive is catalogued (its fixity and format), whatever its kind;
those with the extension of a kind the catalogue reads as text (plain text, Markdown, captions,
web pages, PDF, word-processing files, e-mail messages, transcript JSON: :data:`MEDIA_TYPES`) are
also its documents when they can be read. What is left out, and why:

- **hidden files and folders** (a name starting with a dot: ``.git``, ``.DS_Store``): what a
  version-control system, an operating system or an editor keeps beside the archive, not what was
  archived;
- **symbolic links pointing outside the archive**, and broken ones: a link pointing outside could
  smuggle in files the archive does not hold (a link to a file inside is followed);
- **anything that is not a regular file** (a device, a pipe, a socket): it has no bytes to keep;
- **a name whose bytes are not UTF-8 and that, written with ``\\xNN`` escapes, is another file's
  name**: the two could not be told apart.

The catalogue's own files (the database, its lock and the temporary file of a build, and the
exports) are never inside the archive: a catalogue or an export inside the archive folder is
refused before anything is written (:mod:`provcat.ownership`).

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

#: The kinds of document the catalogue reads, by extension, with their media types (each read by
#: the reader of that media type, :mod:`provcat.readers`).
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".eml": "message/rfc822",
    ".json": "application/json",
}
SUPPORTED_SUFFIXES = frozenset(MEDIA_TYPES)


@dataclass(frozen=True)
class ArchiveFile:
    path: str  # relative to the archive root, POSIX separators
    local: str  # where it is on disk
    id: str | None  # the document id (the path without its extension); None for a kind not read as text

    @property
    def text_kind(self) -> bool:
        """Whether the file has the extension of a kind the catalogue reads as text."""
        return self.id is not None

    @property
    def location(self) -> Path:
        return Path(self.local)


@dataclass
class ScanResult:
    files: list[ArchiveFile] = field(default_factory=list)  # every file, by path
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def document_id(relative_path: str) -> str:
    """The document id: the relative path without its extension ("seeds/a.txt" -> "seeds/a")."""
    root, ext = posixpath.splitext(relative_path)
    return root if ext and posixpath.basename(root) else relative_path


def is_text_kind(name: str) -> bool:
    """Whether a file name (not starting with a dot) has the extension of a kind the catalogue reads
    as text."""
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
    """What a scan found: catalogue paths of the files and of what was left out (with why),
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
        """Admit the files with escaped names, but not one whose escaped name is also another
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
    """List the files below ``archive`` (unsorted), and what was left out with why. The common
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
                    listing.add(path, raw)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, path + "/", raw + "/"))
                else:
                    refused = _refused_link_or_special(entry, root)
                    if refused is None:
                        listing.add(path, raw)
                    else:
                        listing.skipped.append((path, refused))


def _refused_link_or_special(entry: os.DirEntry[str], root: str) -> str | None:
    """Why a symbolic link or special file is left out, or None for a link to a file inside the
    archive."""
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if os.path.commonpath([root, target]) != root:
            return "symbolic link pointing outside the archive: refused"
        if not os.path.exists(target):
            return "broken symbolic link"
    if not entry.is_file(follow_symlinks=True):
        return "not a regular file"
    return None


def require_folder(archive: Path) -> None:
    """Refuse an archive that does not exist or is not a folder."""
    if not archive.exists():
        raise ProvcatError(archive, "archive folder does not exist")
    if not archive.is_dir():
        raise ProvcatError(archive, "is not a folder")


def scan_paths(archive: Path) -> Listing:
    """The catalogue paths of every file below ``archive``, sorted, and what was left out with the
    reason, sorted; nothing else is built (verification uses this directly)."""
    require_folder(archive)
    listing = Listing()
    _walk(str(archive), os.path.realpath(archive), listing)
    listing.settle()
    listing.found.sort()
    listing.skipped.sort()
    return listing


def scan(archive: Path) -> ScanResult:
    """Every file below ``archive``, those of a kind read as text with their document id; what is
    left out is reported."""
    listing = scan_paths(archive)
    text_kind = [is_text_kind(posixpath.basename(relative)) for relative in listing.found]
    stems = [document_id(relative) if text else None for relative, text in zip(listing.found, text_kind, strict=True)]
    # "talk.srt" beside "talk.txt": both keep their extension so that neither id is ambiguous (only
    # documents have ids: "talk.pdf" beside "talk.txt" leaves it "talk")
    shared = Counter(stem for stem in stems if stem is not None)
    base = os.path.join(str(archive), "")  # with its separator
    files = [ArchiveFile(relative, base + listing.on_disk.get(relative, relative),
                         None if stem is None else relative if shared[stem] > 1 else stem)
             for relative, stem in zip(listing.found, stems, strict=True)]
    return ScanResult(files, listing.skipped)
