"""Export a BagIt 1.0 bag (RFC 8493) of the archive, for an outside auditor.

The bag::

    bagit.txt                     BagIt-Version: 1.0, Tag-File-Character-Encoding: UTF-8
    bag-info.txt                  source organisation, dates, Payload-Oxum, External-Identifier
    manifest-sha256.txt           every payload file with its SHA-256
    manifest-sha512.txt           every payload file with its SHA-512
    tagmanifest-sha256.txt        bagit.txt, bag-info.txt and both manifests, SHA-256
    tagmanifest-sha512.txt        the same, SHA-512
    data/documents/<path>         each catalogued file (every archived file the catalogue records,
                                  documents or not), byte for byte
    data/metadata/...             the curated metadata folder (hidden files left out)
    data/catalogue/catalogue.db   a consistent copy of the catalogue database

Where the archived bytes come from: the archive folder, which is the primary copy. Each file is
hashed while it is copied, and a file whose SHA-256 or SHA-512 differs from the catalogue's record
stops the export with an error naming the file; so does a catalogued file that is missing. The
copy of a document in ``documents.content`` is deliberately not used: a bag must carry what the archive holds,
and an archive that no longer matches its catalogue is a finding for ``provcat verify``, not
something to paper over with the stored bytes.

How 1.0 is achieved: the bag is written here with hashlib (streamed, both digests in one pass),
not with bagit-python, whose ``make_bag`` writes version 0.97. It is written into a temporary
folder beside the target and renamed into place only when complete, so a failure leaves nothing
half-written. Paths in the manifests are percent-encoded as RFC 8493 section 2.1.3 requires:
``%``, CR and LF, and only those.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from .. import __version__
from ..archive import scan_paths
from ..errors import ProvcatError
from ..fixity import ALGORITHMS, BLOCK_SIZE, manifest_sha256
from ..ownership import records_every_file, require_catalogue

BAGIT_VERSION = "1.0"
DOCUMENTS = "data/documents"
METADATA = "data/metadata"
CATALOGUE = "data/catalogue/catalogue.db"

_ENCODED = re.compile(r"%(0[dDaA]|25)")


@dataclass(frozen=True)
class PayloadFile:
    path: str  # relative to the bag root, POSIX separators: data/...
    size: int
    digests: dict[str, str]


@dataclass
class CatalogueRecord:
    """What the bag needs from the catalogue: its files (every archived file it records; for a
    catalogue written before every file was catalogued, its documents), latest manifest and collection."""

    documents: list[sqlite3.Row]
    manifest_sha256: str
    collection: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Paths in manifests
# ---------------------------------------------------------------------------------------------


def encode_path(path: str) -> str:
    """Percent-encode a path for a manifest line: ``%``, CR and LF, and only those (RFC 8493)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(encoded: str) -> str:
    """The inverse of :func:`encode_path` (other ``%xx`` sequences are left as they are)."""
    return _ENCODED.sub(lambda m: chr(int(m.group(1), 16)), encoded)


def manifest_text(files: Iterable[PayloadFile], algorithm: str) -> str:
    """``<digest>  <encoded path>`` per file, sorted by path, LF line endings."""
    return "".join(f"{f.digests[algorithm]}  {encode_path(f.path)}\n" for f in sorted(files, key=lambda f: f.path))


# ---------------------------------------------------------------------------------------------
# Copying with digests
# ---------------------------------------------------------------------------------------------


def copy_with_digests(source: Path, target: Path, algorithms: Iterable[str] = ALGORITHMS) -> tuple[int, dict[str, str]]:
    """Copy a file in large blocks, hashing every block as it goes; keeps the modification time."""
    hashers = {a: hashlib.new(a) for a in algorithms}
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with open(source, "rb") as reader, open(target, "xb") as writer:
        while block := reader.read(BLOCK_SIZE):
            size += len(block)
            writer.write(block)
            for hasher in hashers.values():
                hasher.update(block)
        stat = os.fstat(reader.fileno())
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return size, {a: h.hexdigest() for a, h in hashers.items()}


def digest_path(path: Path, algorithms: Iterable[str] = ALGORITHMS) -> tuple[int, dict[str, str]]:
    """Size and digests of a file, streamed."""
    hashers = {a: hashlib.new(a) for a in algorithms}
    size = 0
    with open(path, "rb") as reader:
        while block := reader.read(BLOCK_SIZE):
            size += len(block)
            for hasher in hashers.values():
                hasher.update(block)
    return size, {a: h.hexdigest() for a, h in hashers.items()}


def plain_relative(path: str, where: Path) -> str:
    """A catalogue path that is safe to join below a folder: relative, normalised, no '..'."""
    pure = PurePosixPath(path)
    if (not path or "\x00" in path or pure.is_absolute() or ".." in pure.parts
            or pure.as_posix() != path):
        raise ProvcatError(where, f"records a file path that is not a plain relative path: {path!r}")
    return path


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


def _read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)


def snapshot_catalogue(db: Path, target: Path) -> None:
    """A consistent copy of the catalogue (SQLite's backup API), even while it is being verified."""
    require_catalogue(db)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        source = _read_only(db)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
                copy.execute("pragma journal_mode = delete")  # a WAL catalogue would leave -wal/-shm files
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc


def read_catalogue(snapshot: Path, db: Path) -> CatalogueRecord:
    """Files, latest build manifest and collection description, from the bag's copy."""
    try:
        conn = _read_only(snapshot)
        conn.row_factory = sqlite3.Row
        try:
            table = "files" if records_every_file(conn) else "documents"
            documents = list(conn.execute(f"select path, sha256, sha512, size_bytes from {table} order by path"))
            build = conn.execute("select id, manifest_sha256 from builds order by id desc limit 1").fetchone()
            collection = {r["key"]: r["value"] for r in conn.execute("select key, value from collection")
                          if r["value"] is not None}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc
    if build is None:
        raise ProvcatError(db, "records no build (run 'provcat build' first)")
    recorded = manifest_sha256((r["path"], r["sha256"]) for r in documents)
    if recorded != build["manifest_sha256"]:
        raise ProvcatError(db, f"its files do not match the manifest of build {build['id']} "
                               f"({recorded} != {build['manifest_sha256']}); rebuild the catalogue")
    return CatalogueRecord(documents, build["manifest_sha256"], collection)


# ---------------------------------------------------------------------------------------------
# The payload
# ---------------------------------------------------------------------------------------------


def copy_documents(documents: list[sqlite3.Row], archive: Path, db: Path, bag: Path) -> list[PayloadFile]:
    """Copy every catalogued file from the archive, refusing any that differs from its record."""
    if not archive.is_dir():
        raise ProvcatError(archive, "archive folder does not exist" if not archive.exists() else "is not a folder")
    root = archive.resolve()
    # a name whose bytes are not UTF-8 is recorded escaped: the scan says which file it is
    on_disk = scan_paths(archive).on_disk if any("\\" in row["path"] for row in documents) else {}
    files = []
    for row in documents:
        relative = plain_relative(row["path"], db)
        source = archive / on_disk.get(relative, relative)
        if not source.is_file():
            raise ProvcatError(source, "is in the catalogue but not in the archive (run 'provcat verify')")
        if not source.resolve().is_relative_to(root):
            raise ProvcatError(source, "is a symbolic link pointing outside the archive: refused")
        target = f"{DOCUMENTS}/{relative}"
        size, digests = copy_with_digests(source, bag / target)
        for algorithm in ALGORITHMS:
            if digests[algorithm] != row[algorithm]:
                sizes = f" (size {row['size_bytes']} -> {size} bytes)" if size != row["size_bytes"] else ""
                raise ProvcatError(source, f"differs from the catalogue's record: {algorithm} expected "
                                           f"{row[algorithm]}, found {digests[algorithm]}{sizes}; "
                                           "run 'provcat verify', then restore the file or rebuild")
        files.append(PayloadFile(target, size, digests))
    return files


def copy_metadata(metadata: Path, bag: Path) -> list[PayloadFile]:
    """Copy the curated metadata folder (hidden files and folders left out). No folder, no files."""
    if not metadata.exists():
        return []
    if not metadata.is_dir():
        raise ProvcatError(metadata, "is not a folder")
    root = metadata.resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(metadata):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(n for n in filenames if not n.startswith(".")):
            source = Path(dirpath) / name
            if not source.resolve().is_relative_to(root):
                raise ProvcatError(source, "is a symbolic link pointing outside the metadata folder: refused")
            if not source.is_file():
                continue
            target = f"{METADATA}/{source.relative_to(metadata).as_posix()}"
            size, digests = copy_with_digests(source, bag / target)
            files.append(PayloadFile(target, size, digests))
    return files


def catalogue_file(bag: Path) -> PayloadFile:
    size, digests = digest_path(bag / CATALOGUE)
    return PayloadFile(CATALOGUE, size, digests)


# ---------------------------------------------------------------------------------------------
# Tag files
# ---------------------------------------------------------------------------------------------


def one_line(value: str) -> str:
    """A tag value on one line: runs of whitespace (CR and LF included) become one space."""
    return " ".join(value.split())


def bag_info(files: list[PayloadFile], record: CatalogueRecord, bagging_date: str) -> list[tuple[str, str]]:
    """The bag-info.txt tags, in the order they are written."""
    collection = record.collection
    tags: list[tuple[str, str]] = []
    organization = collection.get("organization") or collection.get("curator")
    if organization:
        tags.append(("Source-Organization", organization))
    if collection.get("curator"):
        tags.append(("Contact-Name", collection["curator"]))
    if collection.get("title"):
        tags.append(("External-Description", collection["title"]))
    tags += [
        ("External-Identifier", f"urn:sha256:{record.manifest_sha256}"),
        ("Bagging-Date", bagging_date),
        ("Bag-Software-Agent", f"provcat {__version__}"),
        ("Payload-Oxum", f"{sum(f.size for f in files)}.{len(files)}"),
    ]
    return [(label, one_line(value)) for label, value in tags]


def write_text(path: Path, text: str) -> None:
    """UTF-8, no byte-order mark, LF line endings exactly as given."""
    path.write_bytes(text.encode("utf-8"))


def write_tag_files(bag: Path, files: list[PayloadFile], record: CatalogueRecord, bagging_date: str) -> None:
    write_text(bag / "bagit.txt", f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n")
    write_text(bag / "bag-info.txt", "".join(f"{k}: {v}\n" for k, v in bag_info(files, record, bagging_date)))
    for algorithm in ALGORITHMS:
        write_text(bag / f"manifest-{algorithm}.txt", manifest_text(files, algorithm))
    tag_files = ["bagit.txt", "bag-info.txt", *(f"manifest-{a}.txt" for a in ALGORITHMS)]
    for algorithm in ALGORITHMS:
        lines = "".join(f"{hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()}  {name}\n"
                        for name in tag_files)
        write_text(bag / f"tagmanifest-{algorithm}.txt", lines)


# ---------------------------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------------------------


def check_target(out_dir: Path, archive: Path, metadata: Path | None = None) -> None:
    """The bag goes into a new or empty folder, outside the archive and the metadata it describes."""
    if out_dir.is_symlink():
        raise ProvcatError(out_dir, "is a symbolic link: give the folder itself")
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ProvcatError(out_dir, "exists and is not a folder")
        if any(out_dir.iterdir()):
            raise ProvcatError(out_dir, "is not empty: a bag is written only into a new or empty folder")
    if archive.is_dir() and out_dir.resolve().is_relative_to(archive.resolve()):
        raise ProvcatError(out_dir, f"is inside the archive folder {archive}: the bag would become part of it")
    if metadata is not None and metadata.is_dir() and out_dir.resolve().is_relative_to(metadata.resolve()):
        raise ProvcatError(out_dir, f"is inside the metadata folder {metadata}: the bag would become part of it")


def write_bag(bag: Path, db: Path, archive: Path, metadata: Path) -> None:
    snapshot_catalogue(db, bag / CATALOGUE)
    record = read_catalogue(bag / CATALOGUE, db)
    files = copy_documents(record.documents, archive, db, bag)
    files += copy_metadata(metadata, bag)
    files.append(catalogue_file(bag))
    write_tag_files(bag, files, record, datetime.now(UTC).date().isoformat())


def export_bag(db: Path, out_dir: Path, archive: Path, metadata: Path) -> Path:
    """Write a BagIt 1.0 bag of the catalogued archive into ``out_dir`` (new or empty); return it."""
    check_target(out_dir, archive, metadata)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.bagging-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        write_bag(tmp, db, archive, metadata)
        try:
            os.replace(tmp, out_dir)
        except OSError as exc:
            raise ProvcatError(out_dir, f"the bag could not be moved into place: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
