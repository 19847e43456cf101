"""Check a BagIt bag in full and name every file that fails.

bagit-python's full validation stops at a Payload-Oxum mismatch without naming the file when a size
changes, and its fast mode accepts a same-length edit. This check always re-hashes every file listed
in every manifest and tag manifest, and reports each problem with the file it concerns: a digest
that differs, a payload file missing or not listed, an unsafe path, a Payload-Oxum that does not
add up. Manifest paths are percent-decoded as RFC 8493 requires (``%25``, ``%0D``, ``%0A``).

A bag comes from outside and may be hostile, so the check reads only what the bag itself holds and
never more than it can bound:

- It follows no symbolic link. Every link in the bag (``bagit.txt``, a manifest, ``data/`` itself, a
  folder or file below it) is reported where it stands and neither read nor walked: a valid bag
  holds no links at all. Only the bag folder named by the caller may be reached through a link.
- It reads only regular files: a FIFO, socket or device node is reported and never opened.
- The bag is walked once, with an explicit stack rather than recursion, so that no depth of folders
  can make it fail; a folder too deep for the system to name (PATH_MAX) is reported as unreadable.
  Every file or folder is then opened relative to the bag with ``O_NOFOLLOW | O_NONBLOCK`` and used
  only if it is still the one the walk found (same device and inode), which also catches a folder
  swapped for a link while the check runs.
- ``bagit.txt`` and ``bag-info.txt`` are read only when no larger than :data:`TAG_FILE_LIMIT`;
  manifests, which can be hundreds of megabytes, are streamed a line at a time, and a line longer
  than :data:`LINE_LIMIT` is reported and skipped, so memory does not grow with the input.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple, TextIO

from ..errors import ProvcatError
from ..fixity import BLOCK_SIZE
from .bag import decode_path

VERSIONS = ("0.97", "1.0")
#: Largest bagit.txt or bag-info.txt that is read: they hold a few tags (under 1 KiB in a bag
#: provcat writes); a larger one is reported and not read.
TAG_FILE_LIMIT = 1 << 20
#: Longest manifest line, in characters: a digest and a path, and a path is at most 4,096 bytes.
LINE_LIMIT = 1 << 16
ALGORITHMS = frozenset(a for a in hashlib.algorithms_guaranteed if not a.startswith("shake_"))  # fixed length

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ENTRY = re.compile(r"([0-9A-Fa-f]+)[ \t]+(.+)")
_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NOT_READ = {"link": "is a symbolic link: not followed", "special": "is not a regular file: not read"}


@dataclass(frozen=True)
class BagProblem:
    path: str  # relative to the bag root; "" for the bag as a whole
    problem: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Manifests:
    """Digests listed per path and algorithm, and which paths each manifest lists."""

    digests: dict[str, dict[str, str]]
    listed: dict[str, set[str]]  # algorithm -> paths


class Found(NamedTuple):
    """A regular file or folder as the walk found it (lstat)."""

    size: int
    device: int
    inode: int


@dataclass
class Contents:
    """What the bag holds, found without following a link; paths are relative to the bag."""

    root: int  # a descriptor of the bag folder: everything is opened relative to it
    files: dict[str, Found]  # regular files
    folders: dict[str, Found]
    not_read: set[str]  # links, special files and folders that could not be listed: each reported once

    def payload(self) -> dict[str, int]:
        """Every regular file below data/, with its size."""
        return {path: found.size for path, found in self.files.items() if path.startswith("data/")}

    def reported(self, path: str) -> bool:
        """Whether ``path``, or a folder on the way to it, was already reported and not read."""
        return path in self.not_read or any(str(p) in self.not_read for p in PurePosixPath(path).parents)


# ---------------------------------------------------------------------------------------------
# Walking and opening without following links
# ---------------------------------------------------------------------------------------------


def _found(stat: os.stat_result) -> Found:
    return Found(stat.st_size, stat.st_dev, stat.st_ino)


def open_found(contents: Contents, path: str, found: Found, flags: int = 0) -> int:
    """A descriptor of ``path``, opened without following a link or blocking, and only if it is
    still the regular file (or, with O_DIRECTORY, the folder) the walk found; OSError otherwise."""
    fd = os.open(path, _OPEN | flags, dir_fd=contents.root)
    now = os.fstat(fd)
    kind = stat.S_ISDIR(now.st_mode) if flags & os.O_DIRECTORY else stat.S_ISREG(now.st_mode)
    if not kind or (now.st_dev, now.st_ino) != (found.device, found.inode):
        os.close(fd)
        raise OSError(0, "changed while the bag was being checked")
    return fd


def _entry(entry: os.DirEntry[str]) -> tuple[str, str, Found | None]:
    if entry.is_symlink():
        return entry.name, "link", None
    if entry.is_dir(follow_symlinks=False):
        return entry.name, "folder", _found(entry.stat(follow_symlinks=False))
    if entry.is_file(follow_symlinks=False):
        return entry.name, "file", _found(entry.stat(follow_symlinks=False))
    return entry.name, "special", None


def list_folder(contents: Contents, folder: str) -> list[tuple[str, str, Found | None]]:
    """(name, kind, what lstat found) of every entry of a folder; kind is file, folder, link or special."""
    fd = open_found(contents, folder or ".", contents.folders[folder], os.O_DIRECTORY)
    try:
        with os.scandir(fd) as entries:  # an entry's lstat needs the descriptor: taken before closing it
            return [_entry(entry) for entry in entries]
    finally:
        os.close(fd)


def scan_bag(root: int, problems: list[BagProblem]) -> Contents:
    """Walk the whole bag with an explicit stack, never entering a link; report every link and
    special file, and every folder that cannot be listed."""
    contents = Contents(root, {}, {"": _found(os.fstat(root))}, set())
    found: list[BagProblem] = []
    stack = [""]
    while stack:
        folder = stack.pop()
        try:
            entries = list_folder(contents, folder)
        except OSError as exc:
            contents.not_read.add(folder)
            found.append(BagProblem(folder, f"cannot be read: {exc.strerror or exc}"))
            continue
        for name, kind, where in entries:
            path = f"{folder}/{name}" if folder else name
            if kind == "folder" and where is not None:
                contents.folders[path] = where
                stack.append(path)
            elif kind == "file" and where is not None:
                contents.files[path] = where
            else:
                contents.not_read.add(path)
                found.append(BagProblem(path, _NOT_READ[kind]))
    problems.extend(sorted(found, key=lambda p: p.path))
    return contents


def open_file(contents: Contents, path: str) -> BinaryIO:
    """A regular file of the bag, buffered, for reading."""
    fd = open_found(contents, path, contents.files[path])
    try:
        return open(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def hash_file(contents: Contents, path: str, algorithms: list[str], buffer: bytearray) -> dict[str, str]:
    """Digests of a regular file of the bag, read in blocks of ``len(buffer)`` bytes."""
    hashers = {a: hashlib.new(a) for a in algorithms}
    view = memoryview(buffer)
    fd = open_found(contents, path, contents.files[path])
    try:
        while n := os.readv(fd, [buffer]):
            for hasher in hashers.values():
                hasher.update(view[:n])
    finally:
        os.close(fd)
    return {a: h.hexdigest() for a, h in hashers.items()}


# ---------------------------------------------------------------------------------------------
# Tag files
# ---------------------------------------------------------------------------------------------


def parse_tags(text: str) -> list[tuple[str, str]]:
    """``Label: value`` lines; a line starting with whitespace continues the previous value."""
    tags: list[tuple[str, str]] = []
    for line in _LINE_BREAK.split(text):
        if not line.strip():
            continue
        if line[0] in " \t" and tags:
            label, value = tags[-1]
            tags[-1] = (label, f"{value} {line.strip()}")
        elif ":" in line:
            label, value = line.split(":", 1)
            tags.append((label.strip(), value.strip()))
        else:
            tags.append(("", line))
    return tags


def read_tag_file(contents: Contents, name: str, problems: list[BagProblem]) -> dict[str, str] | None:
    """The tags of a tag file of at most TAG_FILE_LIMIT bytes; None when it is not in the bag."""
    found = contents.files.get(name)
    if found is None:
        return None
    if found.size > TAG_FILE_LIMIT:
        problems.append(BagProblem(name, f"is {found.size} bytes, more than the {TAG_FILE_LIMIT} a tag file "
                                         "may have: not read"))
        return {}
    try:
        with open_file(contents, name) as stream:
            raw = stream.read(TAG_FILE_LIMIT)  # no more, even if it grew since the walk
    except OSError as exc:
        problems.append(BagProblem(name, f"cannot be read: {exc.strerror or exc}"))
        return {}
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(BagProblem(name, "starts with a byte-order mark"))
        raw = raw[3:]
    try:
        tags = parse_tags(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(BagProblem(name, f"is not UTF-8 (byte {exc.start})"))
        return {}
    for label, value in tags:
        if not label:
            problems.append(BagProblem(name, f"line is not a tag: {value[:100]!r}"))
    return {label: value for label, value in tags if label}


def check_declaration(contents: Contents, problems: list[BagProblem]) -> None:
    declaration = read_tag_file(contents, "bagit.txt", problems)
    if declaration is None:
        if "bagit.txt" not in contents.not_read:
            problems.append(BagProblem("bagit.txt", "is missing"))
        return
    version = declaration.get("BagIt-Version")
    if version not in VERSIONS:
        problems.append(BagProblem("bagit.txt", f"BagIt-Version is {version!r}, expected one of {VERSIONS}"))
    encoding = declaration.get("Tag-File-Character-Encoding", "")
    if encoding.upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        problems.append(BagProblem("bagit.txt", f"Tag-File-Character-Encoding is {encoding!r}, expected UTF-8"))
    if "data" not in contents.folders and "data" not in contents.not_read:
        problems.append(BagProblem("data", "the payload folder is missing"))


# ---------------------------------------------------------------------------------------------
# Manifests
# ---------------------------------------------------------------------------------------------


def safe_entry(path: str, payload: bool) -> str | None:
    """Why a manifest path is not acceptable, or None when it is."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\x00" in path:
        return "unsafe path (absolute or with '..')"
    if payload and pure.parts[:1] != ("data",):
        return "payload manifest lists a file outside data/"
    if not payload and pure.parts[:1] == ("data",):
        return "tag manifest lists a payload file"
    return None


def manifest_lines(stream: TextIO) -> Iterator[tuple[int, str | None]]:
    """(number, line) for each line, streamed; None for a line longer than LINE_LIMIT, whose rest is skipped."""
    number = 0
    while line := stream.readline(LINE_LIMIT + 1):
        number += 1
        if len(line) > LINE_LIMIT and not line.endswith("\n"):
            while (rest := stream.readline(LINE_LIMIT + 1)) and not rest.endswith("\n"):
                pass
            yield number, None
        else:
            yield number, line.removesuffix("\n")


def read_manifest(contents: Contents, name: str, payload: bool, found: Manifests, problems: list[BagProblem]) -> None:
    """Add the entries of one manifest to ``found``, reporting each line that is not a safe entry."""
    algorithm = name.removeprefix("tag").removeprefix("manifest-").removesuffix(".txt")
    listed = found.listed.setdefault(algorithm, set())
    # undecodable bytes become lone surrogates (reported per line); CR and CRLF end a line as LF does
    with io.TextIOWrapper(open_file(contents, name), encoding="utf-8", errors="surrogateescape") as stream:
        for number, line in manifest_lines(stream):
            if line is None:
                problems.append(BagProblem(name, f"line {number} is longer than {LINE_LIMIT} characters: not read"))
                continue
            if number == 1:
                line = line.removeprefix("\ufeff")
            if not line.strip():
                continue
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(BagProblem(name, f"line {number} is not UTF-8"))
                continue
            match = _ENTRY.fullmatch(line)
            if match is None:
                problems.append(BagProblem(name, f"line {number} is not '<digest> <path>'"))
                continue
            path = decode_path(match.group(2))
            unsafe = safe_entry(path, payload)
            if unsafe:
                problems.append(BagProblem(path, f"{unsafe} in {name}"))
                continue
            if path in listed:
                problems.append(BagProblem(path, f"listed twice in {name}"))
            listed.add(path)
            found.digests.setdefault(path, {})[algorithm] = match.group(1).lower()


def read_manifests(contents: Contents, prefix: str, problems: list[BagProblem]) -> Manifests:
    """Every ``<prefix><algorithm>.txt`` of the bag that is a regular file, parsed and percent-decoded."""
    found = Manifests({}, {})
    names = (n for n in contents.files if "/" not in n and n.startswith(prefix) and n.endswith(".txt"))
    for name in sorted(names):
        algorithm = name[len(prefix):-len(".txt")]
        if algorithm not in ALGORITHMS:
            problems.append(BagProblem(name, f"unsupported algorithm {algorithm!r}"))
            continue
        try:
            read_manifest(contents, name, prefix == "manifest-", found, problems)
        except OSError as exc:
            problems.append(BagProblem(name, f"cannot be read: {exc.strerror or exc}"))
    return found


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------


def check_completeness(manifests: Manifests, on_disk: dict[str, int], problems: list[BagProblem]) -> None:
    if not manifests.listed:
        problems.append(BagProblem("", "no payload manifest (manifest-<algorithm>.txt)"))
    for algorithm, listed in sorted(manifests.listed.items()):
        problems.extend(BagProblem(p, f"is in the payload but not listed in manifest-{algorithm}.txt")
                        for p in sorted(set(on_disk) - listed))


def check_fixity(contents: Contents, digests: dict[str, dict[str, str]], problems: list[BagProblem]) -> None:
    """Re-hash every listed file with every algorithm that lists it (regular files of the bag only)."""
    buffer = bytearray(BLOCK_SIZE)
    for path, expected in sorted(digests.items()):
        where = PurePosixPath(path).as_posix()
        if where not in contents.files:
            if not contents.reported(where):
                problems.append(BagProblem(path, "is listed in a manifest but missing from the bag"))
            continue
        try:
            actual = hash_file(contents, where, sorted(expected), buffer)
        except OSError as exc:
            problems.append(BagProblem(path, f"cannot be read: {exc.strerror or exc}"))
            continue
        problems.extend(BagProblem(path, f"{a} differs: manifest {expected[a]}, file {actual[a]}")
                        for a in sorted(expected) if actual[a] != expected[a])


def check_oxum(info: dict[str, str], on_disk: dict[str, int], problems: list[BagProblem]) -> None:
    oxum = info.get("Payload-Oxum")
    if oxum is None:
        return
    octets, _, count = oxum.partition(".")
    if not (octets.isdigit() and count.isdigit()):
        problems.append(BagProblem("bag-info.txt", f"malformed Payload-Oxum {oxum!r}"))
    elif (int(octets), int(count)) != (sum(on_disk.values()), len(on_disk)):
        problems.append(BagProblem("bag-info.txt", f"Payload-Oxum says {octets} bytes in {count} files; the "
                                                   f"payload has {sum(on_disk.values())} bytes in {len(on_disk)}"))


def check_bag(bag: Path) -> list[BagProblem]:
    """Validate a bag in full (every digest recomputed); an empty list means it is valid."""
    if not bag.is_dir():
        raise ProvcatError(bag, "is not a folder" if bag.exists() else "bag folder does not exist")
    try:
        root = os.open(bag, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise ProvcatError(bag, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        problems: list[BagProblem] = []
        contents = scan_bag(root, problems)
        check_declaration(contents, problems)
        info = read_tag_file(contents, "bag-info.txt", problems) or {}
        payload = read_manifests(contents, "manifest-", problems)
        tags = read_manifests(contents, "tagmanifest-", problems)
        on_disk = contents.payload()
        check_oxum(info, on_disk, problems)
        check_completeness(payload, on_disk, problems)
        check_fixity(contents, payload.digests, problems)
        check_fixity(contents, tags.digests, problems)
    finally:
        os.close(root)
    return problems
