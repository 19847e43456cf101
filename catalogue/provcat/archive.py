"""Scan: the documents of an archive folder, found recursively, in a stable order.

Hidden files and folders are skipped. A symbolic link is followed only when it stays inside the
archive: a link pointing outside could smuggle in files the archive does not hold. Files of a kind
the catalogue does not read are listed as skipped, with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import ProvcatError
from .reading import SUPPORTED_SUFFIXES


@dataclass(frozen=True)
class ArchiveFile:
    path: str  # relative to the archive root, POSIX separators
    location: Path  # where it is on disk
    id: str  # the document id: the path without its extension


@dataclass
class ScanResult:
    files: list[ArchiveFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def document_id(relative_path: str) -> str:
    """The document id: the relative path without its extension ("seeds/a.txt" -> "seeds/a")."""
    pure = PurePosixPath(relative_path)
    return str(pure.with_suffix("")) if pure.suffix else str(pure)


def scan(archive: Path) -> ScanResult:
    """Every supported document below ``archive``; unsupported or unsafe files are reported."""
    if not archive.exists():
        raise ProvcatError(archive, "archive folder does not exist")
    if not archive.is_dir():
        raise ProvcatError(archive, "is not a folder")
    root = archive.resolve()
    result = ScanResult()
    candidates: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(archive, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            location = Path(dirpath) / name
            relative = location.relative_to(archive).as_posix()
            if location.is_symlink():
                target = location.resolve()
                if not target.is_relative_to(root):
                    result.skipped.append((relative, "symbolic link pointing outside the archive: refused"))
                    continue
                if not target.exists():
                    result.skipped.append((relative, "broken symbolic link"))
                    continue
            if not location.is_file():
                result.skipped.append((relative, "not a regular file"))
                continue
            if location.suffix.lower() not in SUPPORTED_SUFFIXES:
                kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
                result.skipped.append((relative, f"not a document kind the catalogue reads ({kinds})"))
                continue
            candidates.append((relative, location))
    ids: dict[str, int] = {}
    for relative, _ in candidates:
        ids[document_id(relative)] = ids.get(document_id(relative), 0) + 1
    for relative, location in sorted(candidates):
        doc_id = document_id(relative)
        # "talk.srt" beside "talk.txt": both keep their extension so that neither id is ambiguous
        result.files.append(ArchiveFile(relative, location, relative if ids[doc_id] > 1 else doc_id))
    return result
