"""Check a BagIt bag in full and name every file that fails.

bagit-python's full validation stops at a Payload-Oxum mismatch without naming the file when a size
changes, and its fast mode accepts a same-length edit. This check always re-hashes every file listed
in every manifest and tag manifest, and reports each problem with the file it concerns: a digest
that differs, a payload file missing or not listed, an unsafe path, a Payload-Oxum that does not
add up, a fetch.txt entry outside the payload or not yet fetched. Manifest paths are
percent-decoded as RFC 8493 requires (``%25``, ``%0D``, ``%0A``).

It reads BagIt 0.93 to 1.0 by the rules of the version the bag declares, with its tag files in the
encoding it declares (:mod:`.bagfiles`), and gives the answers of the Library of Congress
conformance suite (tests/bagit-conformance/). Besides problems, which make a bag invalid, it reports
warnings, which do not: a file listed twice with the same digest before BagIt 1.0, names that are
one file on some systems and two on others, files an operating system writes for itself
(:mod:`.bagnames`), manifest lines written by GNU md5sum in binary mode. It fetches nothing: a file
listed in fetch.txt that is not in the bag makes the bag incomplete.

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
- ``bagit.txt`` and ``bag-info.txt`` (``package-info.txt`` before 0.96) are read only when no larger
  than :data:`TAG_FILE_LIMIT`; manifests and fetch.txt, which can be hundreds of megabytes, are
  streamed a line at a time, and a line longer than :data:`LINE_LIMIT` is reported and skipped, so
  memory does not grow with the input.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple

from ..errors import ProvcatError
from ..fixity import BLOCK_SIZE
from .bagfiles import (
    LINE_LIMIT,
    Fetch,
    Rules,
    Tag,
    decode_tags,
    parse_entry,
    parse_fetch,
    path_problem,
    read_declaration,
    stream_lines,
    undecoded,
)
from .bagnames import Finding, Names, case_findings, normalization_findings, system_file_findings

#: Largest bagit.txt or bag-info.txt that is read: they hold a few tags (under 1 KiB in a bag
#: provcat writes); a larger one is reported and not read.
TAG_FILE_LIMIT = 1 << 20
ALGORITHMS = frozenset(a for a in hashlib.algorithms_guaranteed if not a.startswith("shake_"))  # fixed length

_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NOT_READ = {"link": "is a symbolic link: not followed", "special": "is not a regular file: not read"}


@dataclass(frozen=True)
class BagProblem:
    path: str  # relative to the bag root; "" for the bag as a whole
    problem: str
    warning: bool = False  # a warning leaves the bag valid

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.problem}


@dataclass
class BagReport:
    """What a check found: the bag is valid when there are no problems, whatever the warnings."""

    version: str | None  # the BagIt version the bag declares, when check-bag reads it
    problems: list[BagProblem]
    warnings: list[BagProblem]


@dataclass
class Manifests:
    """Digests listed per path and algorithm, and which paths each manifest lists."""

    digests: dict[str, dict[str, str]]
    listed: dict[str, set[str]]  # algorithm -> paths
    prefix: str = "manifest-"

    def name(self, algorithm: str) -> str:
        return f"{self.prefix}{algorithm}.txt"


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
    _names: Names | None = field(default=None, init=False, repr=False)

    def payload(self) -> dict[str, int]:
        """Every regular file below data/, with its size."""
        return {path: found.size for path, found in self.files.items() if path.startswith("data/")}

    def reported(self, path: str) -> bool:
        """Whether ``path``, or a folder on the way to it, was already reported and not read."""
        return path in self.not_read or any(str(p) in self.not_read for p in PurePosixPath(path).parents)

    def find(self, path: str) -> str | None:
        """The regular file a listed path names: itself, or the one file whose name differs only in
        Unicode normalization (see :mod:`.bagnames`); None when it is missing or was reported."""
        if path in self.files:
            return path
        if self.reported(path):
            return None
        if self._names is None:  # built once the walk is over and a listed name is not in the bag
            self._names = Names(self.files)
        return self._names.find(path)


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


def read_small(contents: Contents, name: str, problems: list[BagProblem]) -> bytes | None:
    """The bytes of a regular file of the bag of at most TAG_FILE_LIMIT bytes; None, reported, otherwise."""
    found = contents.files[name]
    if found.size > TAG_FILE_LIMIT:
        problems.append(BagProblem(name, f"is {found.size} bytes, more than the {TAG_FILE_LIMIT} a tag file "
                                         "may have: not read"))
        return None
    try:
        with open_file(contents, name) as stream:
            return stream.read(TAG_FILE_LIMIT)  # no more, even if it grew since the walk
    except OSError as exc:
        problems.append(BagProblem(name, f"cannot be read: {exc.strerror or exc}"))
        return None


def read_tag_file(contents: Contents, name: str, problems: list[BagProblem], rules: Rules) -> list[Tag]:
    """The tags of a tag file in the bag's encoding; none when it is not in the bag."""
    raw = read_small(contents, name, problems) if name in contents.files else None
    if raw is None:
        return []
    tags, found = decode_tags(raw, rules)
    problems.extend(BagProblem(name, text) for text in found)
    return tags


def check_declaration(contents: Contents, problems: list[BagProblem]) -> Rules | None:
    """The rules bagit.txt declares (BagIt 1.0's, in UTF-8, when it cannot be read); None when the
    encoding it declares is not known, so that the other tag files cannot be read."""
    if "bagit.txt" not in contents.files:
        if "bagit.txt" not in contents.not_read:
            problems.append(BagProblem("bagit.txt", "is missing"))
        return Rules(declared=None)
    raw = read_small(contents, "bagit.txt", problems)
    if raw is None:
        return Rules(declared=None)
    rules, found = read_declaration(raw)
    problems.extend(BagProblem("bagit.txt", text) for text in found)
    return rules


# ---------------------------------------------------------------------------------------------
# Manifests and fetch.txt
# ---------------------------------------------------------------------------------------------


def text_lines(contents: Contents, name: str, rules: Rules,
               problems: list[BagProblem]) -> Iterator[tuple[int, str]]:
    """(number, line) of every line of a manifest or fetch.txt that holds something, decoded in the
    bag's encoding and streamed; a line too long or not in that encoding is reported instead."""
    number = 0
    try:
        # undecodable bytes become lone surrogates (reported per line); CR and CRLF end a line as LF does
        with io.TextIOWrapper(open_file(contents, name), encoding=rules.encoding, errors="surrogateescape") as stream:
            for number, line in stream_lines(stream):
                if line is None:
                    problems.append(BagProblem(name, f"line {number} is longer than {LINE_LIMIT} characters: not read"))
                elif undecoded(line):
                    problems.append(BagProblem(name, f"line {number} is not {rules.encoding}"))
                elif line.strip():
                    yield number, line
    except UnicodeDecodeError:  # an encoding whose errors surrogateescape cannot carry (UTF-16, UTF-32)
        problems.append(BagProblem(name, f"is not {rules.encoding} after line {number}: not read further"))


def read_manifest(contents: Contents, name: str, found: Manifests, problems: list[BagProblem],
                  rules: Rules) -> None:
    """Add the entries of one manifest to ``found``, reporting each line that is not a safe entry."""
    algorithm = name.removeprefix(found.prefix).removesuffix(".txt")
    listed = found.listed.setdefault(algorithm, set())
    where = "payload" if found.prefix == "manifest-" else "tag"
    marked = 0
    for number, line in text_lines(contents, name, rules, problems):
        entry = parse_entry(line)
        if entry is None:
            problems.append(BagProblem(name, f"line {number} is not '<digest> <path>'"))
            continue
        unsafe = path_problem(entry.path, where)
        if unsafe:
            problems.append(BagProblem(entry.path, f"{unsafe} in {name}"))
            continue
        marked += entry.marked
        digests = found.digests.setdefault(entry.path, {})
        if entry.path not in listed:
            listed.add(entry.path)
            digests[algorithm] = entry.digest
        elif digests[algorithm] != entry.digest:
            problems.append(BagProblem(entry.path, f"listed twice in {name}, with different digests"))
        elif rules.listed_twice_is_invalid:
            problems.append(BagProblem(entry.path, f"listed twice in {name} ({rules.name} lists a file once)"))
        else:
            problems.append(BagProblem(entry.path, f"listed twice in {name}, with the same digest", warning=True))
    if marked:
        problems.append(BagProblem(name, f"{marked} line(s) write '*' before the path, the binary-mode mark of GNU "
                                         "md5sum and sha*sum rather than BagIt: read as the path after it", True))


def read_manifests(contents: Contents, prefix: str, problems: list[BagProblem],
                   rules: Rules | None = None) -> Manifests:
    """Every ``<prefix><algorithm>.txt`` of the bag that is a regular file, parsed and percent-decoded
    (by BagIt 1.0's rules, in UTF-8, unless ``rules`` says otherwise)."""
    rules = rules or Rules()
    found = Manifests({}, {}, prefix)
    names = (n for n in contents.files if "/" not in n and n.startswith(prefix) and n.endswith(".txt"))
    for name in sorted(names):
        algorithm = name[len(prefix):-len(".txt")]
        if algorithm not in ALGORITHMS:
            problems.append(BagProblem(name, f"unsupported algorithm {algorithm!r}"))
            continue
        try:
            read_manifest(contents, name, found, problems, rules)
        except OSError as exc:
            problems.append(BagProblem(name, f"cannot be read: {exc.strerror or exc}"))
    return found


def read_fetch(contents: Contents, problems: list[BagProblem], rules: Rules) -> dict[str, Fetch]:
    """The entries of fetch.txt by path, each one that is not ``URL LENGTH PATH`` inside data/ reported."""
    entries: dict[str, Fetch] = {}
    if "fetch.txt" not in contents.files:
        return entries
    try:
        for number, line in text_lines(contents, "fetch.txt", rules, problems):
            entry = parse_fetch(line)
            if isinstance(entry, str):
                problems.append(BagProblem("fetch.txt", f"line {number} {entry}"))
                continue
            unsafe = path_problem(entry.path, "fetch")
            if unsafe:
                problems.append(BagProblem(entry.path, unsafe if "fetch.txt" in unsafe else f"{unsafe} in fetch.txt"))
            else:
                entries[entry.path] = entry
    except OSError as exc:
        problems.append(BagProblem("fetch.txt", f"cannot be read: {exc.strerror or exc}"))
    return entries


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------


def check_completeness(contents: Contents, manifests: Manifests, problems: list[BagProblem],
                       rules: Rules) -> None:
    """Every payload file is listed: in every payload manifest since BagIt 1.0, in one of them before."""
    if not manifests.listed:
        problems.append(BagProblem("", "no payload manifest (manifest-<algorithm>.txt)"))
        return
    on_disk = set(contents.payload())
    covered = {algorithm: {contents.find(p) for p in listed} for algorithm, listed in manifests.listed.items()}
    if rules.every_manifest_lists_every_file:
        for algorithm, files in sorted(covered.items()):
            problems.extend(BagProblem(p, f"is in the payload but not listed in {manifests.name(algorithm)}")
                            for p in sorted(on_disk - files))
    else:
        problems.extend(BagProblem(p, "is in the payload but not listed in any payload manifest")
                        for p in sorted(on_disk - set().union(*covered.values())))


def check_fetch(contents: Contents, fetch: dict[str, Fetch], payload: Manifests, problems: list[BagProblem],
                rules: Rules) -> None:
    """Every file of fetch.txt is listed in the payload manifests, and if it is in the bag, is as long as it says."""
    for path, entry in sorted(fetch.items()):
        manifests = sorted(a for a, listed in payload.listed.items() if path not in listed)
        if path not in payload.digests:
            problems.append(BagProblem(path, "is listed in fetch.txt but in no payload manifest"))
        elif manifests and rules.every_manifest_lists_every_file:
            problems.append(BagProblem(path, f"is listed in fetch.txt but not in {payload.name(manifests[0])}"))
        file = contents.find(path)
        if file is not None and entry.length is not None and contents.files[file].size != entry.length:
            problems.append(BagProblem(path, f"fetch.txt gives it {entry.length} bytes; the bag's file has "
                                             f"{contents.files[file].size}"))


def check_names(contents: Contents, payload: Manifests, tags: Manifests, problems: list[BagProblem],
                rules: Rules) -> None:
    """Names that are one file on some systems and two on others, and system files (see :mod:`.bagnames`)."""
    findings: list[Finding] = []
    for manifests in (payload, tags):
        for algorithm, listed in sorted(manifests.listed.items()):
            name = manifests.name(algorithm)
            findings += normalization_findings(name, listed, contents.find, rules.listed_twice_is_invalid)
            findings += case_findings(name, listed)
    findings += system_file_findings(payload.digests)
    problems.extend(BagProblem(f.path, f.text, warning=not f.invalid) for f in findings)


def check_fixity(contents: Contents, digests: dict[str, dict[str, str]], problems: list[BagProblem],
                 fetch: dict[str, Fetch] | None = None) -> None:
    """Re-hash every listed file with every algorithm that lists it (regular files of the bag only)."""
    buffer = bytearray(BLOCK_SIZE)
    for path, expected in sorted(digests.items()):
        where = contents.find(path)
        if where is None:
            if contents.reported(path):
                continue
            if fetch and path in fetch:
                problems.append(BagProblem(path, f"is listed in fetch.txt, to be fetched from {fetch[path].url[:200]}, "
                                                 "but is not in the bag: the bag is incomplete (check-bag fetches "
                                                 "nothing)"))
            else:
                problems.append(BagProblem(path, "is listed in a manifest but missing from the bag"))
            continue
        try:
            actual = hash_file(contents, where, sorted(expected), buffer)
        except OSError as exc:
            problems.append(BagProblem(path, f"cannot be read: {exc.strerror or exc}"))
            continue
        problems.extend(BagProblem(path, f"{a} differs: manifest {expected[a]}, file {actual[a]}")
                        for a in sorted(expected) if actual[a] != expected[a])


def check_oxum(contents: Contents, info: list[Tag], problems: list[BagProblem], rules: Rules) -> None:
    """Every Payload-Oxum of bag-info.txt gives the payload's bytes and files."""
    on_disk = contents.payload()
    for tag in info:
        if tag.label.lower() != "payload-oxum":
            continue
        octets, _, count = tag.value.partition(".")
        if not (octets.isdigit() and count.isdigit()):
            problems.append(BagProblem(rules.info_file, f"malformed Payload-Oxum {tag.value!r}"))
        elif (int(octets), int(count)) != (sum(on_disk.values()), len(on_disk)):
            problems.append(BagProblem(rules.info_file, f"Payload-Oxum says {octets} bytes in {count} files; the "
                                                        f"payload has {sum(on_disk.values())} bytes in {len(on_disk)}"))


def check_contents(contents: Contents, rules: Rules, problems: list[BagProblem]) -> None:
    """Everything the tag files say, by the rules of the bag's version and read in its encoding."""
    info = read_tag_file(contents, rules.info_file, problems, rules)
    payload = read_manifests(contents, "manifest-", problems, rules)
    tags = read_manifests(contents, "tagmanifest-", problems, rules)
    fetch = read_fetch(contents, problems, rules)
    check_oxum(contents, info, problems, rules)
    check_completeness(contents, payload, problems, rules)
    check_fetch(contents, fetch, payload, problems, rules)
    check_names(contents, payload, tags, problems, rules)
    check_fixity(contents, payload.digests, problems, fetch)
    check_fixity(contents, tags.digests, problems)


def check_bag_report(bag: Path) -> BagReport:
    """Validate a bag in full (every digest recomputed): its problems, none when it is valid, and its warnings."""
    if not bag.is_dir():
        raise ProvcatError(bag, "is not a folder" if bag.exists() else "bag folder does not exist")
    try:
        root = os.open(bag, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise ProvcatError(bag, f"cannot be read: {exc.strerror or exc}") from exc
    found: list[BagProblem] = []
    try:
        contents = scan_bag(root, found)
        rules = check_declaration(contents, found)
        if "data" not in contents.folders and "data" not in contents.not_read:
            found.append(BagProblem("data", "the payload folder is missing"))
        if rules is not None:
            check_contents(contents, rules, found)
    finally:
        os.close(root)
    version = rules.declared if rules is not None else None
    return BagReport(version, [p for p in found if not p.warning], [p for p in found if p.warning])


def check_bag(bag: Path) -> list[BagProblem]:
    """Validate a bag in full (every digest recomputed); an empty list means it is valid."""
    return check_bag_report(bag).problems
