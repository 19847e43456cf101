"""Check a BagIt bag in full and name every file that fails.

bagit-python's full validation stops at a Payload-Oxum mismatch without naming the file when a size
changes, and its fast mode accepts a same-length edit. This check always re-hashes every file listed
in every manifest and tag manifest, and reports each problem with the file it concerns: a digest
that differs, a payload file missing or not listed, an unsafe path, a Payload-Oxum that does not
add up. Manifest paths are percent-decoded as RFC 8493 requires (``%25``, ``%0D``, ``%0A``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from ..errors import ProvcatError
from .bag import decode_path, digest_path

VERSIONS = ("0.97", "1.0")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ENTRY = re.compile(r"([0-9A-Fa-f]+)[ \t]+(.+)")


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


def read_tag_file(bag: Path, name: str, problems: list[BagProblem]) -> dict[str, str] | None:
    path = bag / name
    if not path.is_file():
        return None
    raw = path.read_bytes()
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
            problems.append(BagProblem(name, f"line is not a tag: {value!r}"))
    return {label: value for label, value in tags if label}


def check_declaration(bag: Path, problems: list[BagProblem]) -> None:
    declaration = read_tag_file(bag, "bagit.txt", problems)
    if declaration is None:
        problems.append(BagProblem("bagit.txt", "is missing"))
        return
    version = declaration.get("BagIt-Version")
    if version not in VERSIONS:
        problems.append(BagProblem("bagit.txt", f"BagIt-Version is {version!r}, expected one of {VERSIONS}"))
    encoding = declaration.get("Tag-File-Character-Encoding", "")
    if encoding.upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        problems.append(BagProblem("bagit.txt", f"Tag-File-Character-Encoding is {encoding!r}, expected UTF-8"))
    if not (bag / "data").is_dir():
        problems.append(BagProblem("data", "the payload folder is missing"))


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


def read_manifests(bag: Path, prefix: str, problems: list[BagProblem]) -> Manifests:
    """Every ``<prefix><algorithm>.txt`` of the bag, parsed and percent-decoded."""
    found = Manifests({}, {})
    for manifest in sorted(bag.glob(f"{prefix}*.txt")):
        algorithm = manifest.name[len(prefix):-len(".txt")]
        if algorithm not in hashlib.algorithms_guaranteed:
            problems.append(BagProblem(manifest.name, f"unsupported algorithm {algorithm!r}"))
            continue
        listed = found.listed.setdefault(algorithm, set())
        try:
            text = manifest.read_bytes().decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            problems.append(BagProblem(manifest.name, f"is not UTF-8 (byte {exc.start})"))
            continue
        for number, line in enumerate(_LINE_BREAK.split(text), start=1):
            if not line.strip():
                continue
            match = _ENTRY.fullmatch(line)
            if match is None:
                problems.append(BagProblem(manifest.name, f"line {number} is not '<digest> <path>'"))
                continue
            path = decode_path(match.group(2))
            unsafe = safe_entry(path, payload=prefix == "manifest-")
            if unsafe:
                problems.append(BagProblem(path, f"{unsafe} in {manifest.name}"))
                continue
            if path in listed:
                problems.append(BagProblem(path, f"listed twice in {manifest.name}"))
            listed.add(path)
            found.digests.setdefault(path, {})[algorithm] = match.group(1).lower()
    return found


def payload_on_disk(bag: Path) -> dict[str, int]:
    """Every file below data/, with its size."""
    files: dict[str, int] = {}
    for dirpath, _, filenames in os.walk(bag / "data"):
        for name in filenames:
            path = Path(dirpath) / name
            files[path.relative_to(bag).as_posix()] = path.stat().st_size
    return files


def check_completeness(manifests: Manifests, on_disk: dict[str, int], problems: list[BagProblem]) -> None:
    if not manifests.listed:
        problems.append(BagProblem("", "no payload manifest (manifest-<algorithm>.txt)"))
    for algorithm, listed in sorted(manifests.listed.items()):
        problems.extend(BagProblem(p, f"is in the payload but not listed in manifest-{algorithm}.txt")
                        for p in sorted(set(on_disk) - listed))


def check_fixity(bag: Path, digests: dict[str, dict[str, str]], problems: list[BagProblem]) -> None:
    """Re-hash every listed file with every algorithm that lists it."""
    root = bag.resolve()
    for path, expected in sorted(digests.items()):
        location = bag / path
        if not location.resolve().is_relative_to(root):
            problems.append(BagProblem(path, "is a symbolic link pointing outside the bag: not read"))
            continue
        if not location.is_file():
            problems.append(BagProblem(path, "is listed in a manifest but missing from the bag"))
            continue
        try:
            _, actual = digest_path(location, sorted(expected))
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
    problems: list[BagProblem] = []
    check_declaration(bag, problems)
    info = read_tag_file(bag, "bag-info.txt", problems) or {}
    payload = read_manifests(bag, "manifest-", problems)
    tags = read_manifests(bag, "tagmanifest-", problems)
    on_disk = payload_on_disk(bag)
    check_oxum(info, on_disk, problems)
    check_completeness(payload, on_disk, problems)
    check_fixity(bag, payload.digests, problems)
    check_fixity(bag, tags.digests, problems)
    return problems
