"""Whose file is it: provcat writes over a file only when it is provcat's own.

A catalogue is replaced by every build and appended to by every verification; an export is written
over by the next export. Any other file a path may name — an archived document, a curated YAML file,
another application's database, a device — is refused with a one-line error, and so is any path
inside the archive or the metadata folder, where a catalogue or an export would become part of what
it describes.

How provcat knows its own files: every catalogue carries SQLite's ``application_id`` ``PCAT``
(catalogues written before that was set are known by the tables every provcat catalogue has); a
PROV export opens with the ``provcat`` namespace prefix; a PREMIS export with its XML declaration,
provcat's comment and the PREMIS root element. All are read from the first bytes of the file, so the
check costs the same whatever the file's size.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import ProvcatError

#: ``PRAGMA application_id`` of every catalogue: the bytes "PCAT".
APPLICATION_ID = 0x50434154
SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables (and some of their columns) that every provcat catalogue has had, for catalogues written
#: before the application id was set.
CATALOGUE_TABLES = {
    "documents": {"id", "path", "sha256", "sha512", "content"},
    "builds": {"started_at", "manifest_sha256"},
    "fixity_events": {"checked_at", "algorithm", "outcome", "agent"},
}
#: How a PROV-JSON export by provcat begins.
PROV_EXPORT_START = re.compile(rb'\A\{\s*"prefix"\s*:\s*\{\s*"provcat"\s*:\s*"urn:provcat:"')
#: How a PREMIS export by provcat begins (see :mod:`provcat.export.premis`).
PREMIS_EXPORT_START = re.compile(rb'\A<\?xml version="1\.0" encoding="UTF-8"\?>\n'
                                 rb'<!-- PREMIS 3\.0 export of a provcat catalogue \(provcat [^\n]{1,64}\) -->\n'
                                 rb'<premis xmlns="http://www\.loc\.gov/premis/v3"')


def _head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular file (opened without following a link or blocking)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return os.pread(fd, size, 0)
    finally:
        os.close(fd)


def _has_catalogue_tables(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        for table, columns in CATALOGUE_TABLES.items():
            found = {row[1] for row in conn.execute(f"pragma table_info([{table}])")}
            if not columns <= found:
                return False
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def is_catalogue(path: Path) -> bool:
    """Whether ``path`` is a regular file holding a provcat catalogue."""
    try:
        head = _head(path, 100)
    except OSError:
        return False
    if len(head) < 72 or not head.startswith(SQLITE_HEADER):
        return False
    application_id = int.from_bytes(head[68:72], "big")
    if application_id == APPLICATION_ID:
        return True
    return application_id == 0 and _has_catalogue_tables(path)


def is_prov_export(path: Path) -> bool:
    """Whether ``path`` is a regular file holding a PROV-JSON document that provcat wrote."""
    try:
        return PROV_EXPORT_START.match(_head(path, 256)) is not None
    except OSError:
        return False


def is_premis_export(path: Path) -> bool:
    """Whether ``path`` is a regular file holding a PREMIS document that provcat wrote."""
    try:
        return PREMIS_EXPORT_START.match(_head(path, 256)) is not None
    except OSError:
        return False


def _kind(path: Path) -> str | None:
    """What is at ``path`` when it is not a regular file or nothing ("a folder", ...); None otherwise."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    if stat.S_ISDIR(info.st_mode):
        return "a folder"
    if not stat.S_ISREG(info.st_mode):
        return "a device, pipe or socket"
    return None


def refuse_inside(path: Path, folders: dict[str, Path]) -> None:
    """Refuse ``path`` when it lies inside one of ``folders`` (by role: "archive", "metadata folder")."""
    resolved = path.resolve()
    for role, folder in folders.items():
        if folder.exists() and resolved.is_relative_to(folder.resolve()):
            raise ProvcatError(path, f"is inside the {role} {folder}: provcat writes nothing there")


def check_catalogue_target(db: Path, folders: dict[str, Path]) -> bool:
    """Check that a build may write the catalogue ``db``; return whether a previous catalogue exists.

    Refused: a path inside ``folders`` (the archive, the metadata folder), a symbolic link, folder or
    device, and an existing file that is not a provcat catalogue."""
    refuse_inside(db, folders)
    kind = _kind(db)
    if kind is not None:
        raise ProvcatError(db, f"is {kind}, not a catalogue file: refused")
    if not db.exists():
        return False
    if not is_catalogue(db):
        raise ProvcatError(db, "exists and is not a provcat catalogue: refused (provcat writes over no file but "
                               "its own; give another --db)")
    return True


def require_catalogue(db: Path) -> None:
    """Refuse anything but an existing provcat catalogue (for commands that read or append to one)."""
    kind = _kind(db)
    if kind is not None:
        raise ProvcatError(db, f"is {kind}, not a catalogue file")
    if not db.exists():
        raise ProvcatError(db, "catalogue not found (run 'provcat build' first)")
    if not is_catalogue(db):
        raise ProvcatError(db, "is not a provcat catalogue")


def check_export_target(out_file: Path, folders: dict[str, Path], others: dict[str, Path],
                        is_export: Callable[[Path], bool] = is_prov_export, what: str = "provenance file",
                        example: str = "provenance.json") -> None:
    """Check that an export may be written to ``out_file``: a new file, or one provcat exported
    before (as ``is_export`` tells: a PROV export unless told otherwise), outside ``folders`` and not
    one of ``others`` (by role: "catalogue"). ``what`` and ``example`` name the export in messages."""
    refuse_inside(out_file, folders)
    for role, other in others.items():
        if other.exists() and out_file.exists() and os.path.samefile(out_file, other):
            raise ProvcatError(out_file, f"is the {role}: refused")
    kind = _kind(out_file)
    if kind is not None:
        raise ProvcatError(out_file, f"is {kind}: give the name of a new file, e.g. {example}")
    if out_file.exists() and not is_export(out_file):
        raise ProvcatError(out_file, f"exists and is not a {what} provcat exported: refused (provcat "
                                     "writes over no file but its own)")


def records_every_file(conn: sqlite3.Connection) -> bool:
    """Whether the catalogue open in ``conn`` records every archived file (the ``files`` table), not
    only its documents. A catalogue written before every file was catalogued has no ``files``; one
    whose ``files`` is empty while it has documents was not written by a build (a build records each
    document as a file too), and is read as a catalogue of its documents."""
    if conn.execute("select 1 from sqlite_master where type = 'table' and name = 'files'").fetchone() is None:
        return False
    return conn.execute("select exists (select 1 from files) or not exists (select 1 from documents)").fetchone()[0] \
        == 1
