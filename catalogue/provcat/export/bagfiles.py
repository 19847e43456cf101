"""What a bag's tag files say, read as text: the declaration, tags, manifest lines and fetch.txt lines.

The versions of BagIt from 0.93 to 1.0 differ in a few rules, which :class:`Rules` holds for the
version a bag declares. What holds for all of them, as the specifications and the Library of
Congress conformance suite have it:

- ``bagit.txt`` is UTF-8 without a byte-order mark, and exactly two lines written so:
  ``BagIt-Version: M.N`` and ``Tag-File-Character-Encoding: ENCODING`` (``BagIt-Version : 1.0`` is
  refused).
- Every other tag file (bag-info.txt or package-info.txt, the manifests, fetch.txt) is in the
  declared encoding, decoded with Python's codecs. A name Python does not know, or knows only as a
  transformation rather than a character encoding (``zlib``, ``base64``, ``unicode_escape``), is
  refused, and those files are not read.
- A manifest line is a hexadecimal digest, spaces or tabs, and a path relative to the bag, with
  ``%``, CR and LF percent-encoded. A path written ``./data/x`` (or with ``//`` or ``/./`` in it)
  names ``data/x``, as the suite's valid bags have it. A ``*`` right after a single space is the
  binary-mode mark GNU ``md5sum`` and ``sha*sum`` write, not part of the path: it is read so, with a
  warning. A path that is absolute, climbs out with ``..`` or starts with ``~`` (a home folder, to a
  shell) is unsafe.
- A fetch.txt line is ``URL LENGTH PATH``: an absolute URL, a number of bytes or ``-``, and a path
  that follows the manifests' rules and lies inside ``data/``. Nothing is ever fetched.

Nothing here opens a file: bagcheck reads the bag within its bounds and passes bytes or a stream.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple, TextIO
from urllib.parse import urlsplit

from .bag import decode_path

VERSIONS = ("0.93", "0.94", "0.95", "0.96", "0.97", "1.0")
#: Longest manifest or fetch.txt line, in characters: a digest (or URL) and a path of at most 4,096 bytes.
LINE_LIMIT = 1 << 16
#: The two lines of bagit.txt, in their order.
DECLARATION = ("BagIt-Version", "Tag-File-Character-Encoding")
#: Codecs Python knows that are not character encodings of text files.
NOT_CHARACTER_SETS = frozenset({"idna", "punycode", "raw_unicode_escape", "unicode_escape", "undefined"})

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ENTRY = re.compile(r"([0-9A-Fa-f]+)([ \t]+)(.+)")
_FETCH = re.compile(r"([^ \t]+)[ \t]+([^ \t]+)[ \t]+(.+)")
_UNDECODED = re.compile("[\ud800-\udfff]")  # a byte the codec could not decode, kept by surrogateescape


@dataclass(frozen=True)
class Rules:
    """The rules of the BagIt version a bag declares, and the encoding of its tag files."""

    version: tuple[int, int] = (1, 0)  # BagIt 1.0's rules when the declared version cannot be read
    encoding: str = "utf-8"  # a Python codec name
    declared: str | None = "1.0"  # the version as bagit.txt gives it, when it is one check-bag reads

    @property
    def name(self) -> str:
        return f"BagIt {self.version[0]}.{self.version[1]}"

    @property
    def info_file(self) -> str:
        """The optional tag file of metadata: package-info.txt until 0.95, bag-info.txt since 0.96."""
        return "package-info.txt" if self.version < (0, 96) else "bag-info.txt"

    @property
    def every_manifest_lists_every_file(self) -> bool:
        """Since 1.0 every payload manifest lists every payload file; before, one manifest sufficed."""
        return self.version >= (1, 0)

    @property
    def listed_twice_is_invalid(self) -> bool:
        """A file listed twice with the same digest: invalid since 1.0, a warning before (as the suite has it)."""
        return self.version >= (1, 0)

    @property
    def strict_labels(self) -> bool:
        """Since 1.0 a tag's label may neither start nor end with whitespace (0.97 allowed ``Label : value``)."""
        return self.version >= (1, 0)


class Tag(NamedTuple):
    label: str  # "" for a line that is not a tag; value is then the line
    value: str
    line: int
    spaced: bool  # the label, as written, starts or ends with whitespace


class Entry(NamedTuple):
    """One manifest line: a digest and the path it names, decoded and normalised."""

    digest: str
    path: str
    marked: bool  # written with the '*' of GNU md5sum's binary mode


class Fetch(NamedTuple):
    url: str
    length: int | None  # None for '-'
    path: str


# ---------------------------------------------------------------------------------------------
# The declaration and the encoding
# ---------------------------------------------------------------------------------------------


def text_codec(name: str) -> str | None:
    """The Python codec of a declared Tag-File-Character-Encoding, or None when it is not one."""
    try:
        codec = codecs.lookup(name)
        "".encode(codec.name)  # refuses a codec that is not a text encoding (zlib, base64, rot13, ...)
    except (LookupError, UnicodeError):
        return None
    return None if codec.name.replace("-", "_") in NOT_CHARACTER_SETS else codec.name


def read_declaration(raw: bytes) -> tuple[Rules | None, list[str]]:
    """The rules bagit.txt declares and what is wrong with it. The rules are None when the declared
    encoding is not one Python knows: the other tag files cannot then be read."""
    problems: list[str] = []
    if raw.startswith(codecs.BOM_UTF8):
        problems.append("starts with a byte-order mark")
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"is not UTF-8 (byte {exc.start})")
        text = raw.decode("utf-8", "replace")
    lines = _LINE_BREAK.split(text)
    while lines and not lines[-1]:
        lines.pop()
    for number, label in enumerate(DECLARATION, 1):
        if len(lines) < number:
            problems.append(f"has no line {number}: it must read '{label}: ...'")
        elif not re.fullmatch(rf"{label}: \S+", lines[number - 1]):
            problems.append(f"line {number} is {lines[number - 1][:100]!r}: it must read '{label}: ...', written so")
    if len(lines) > len(DECLARATION):
        problems.append(f"has {len(lines)} lines: it must have two, {DECLARATION[0]} and {DECLARATION[1]}")
    values = {tag.label: tag.value for tag in reversed(parse_tags(text))}  # the first of each label
    version = values.get(DECLARATION[0])
    rules = Rules(declared=None)
    if version in VERSIONS:
        major, minor = version.split(".")
        rules = Rules((int(major), int(minor)), declared=version)
    elif version is not None:
        problems.append(f"BagIt-Version is {version[:100]!r}: check-bag reads BagIt {', '.join(VERSIONS)}")
    encoding = values.get(DECLARATION[1])
    if encoding is None:
        return rules, problems  # reported above; the other tag files are read as UTF-8
    codec = text_codec(encoding)
    if codec is None:
        problems.append(f"Tag-File-Character-Encoding is {encoding[:100]!r}, not a character encoding check-bag "
                        "knows: the other tag files are not read")
        return None, problems
    return Rules(rules.version, codec, rules.declared), problems


# ---------------------------------------------------------------------------------------------
# Tags (bag-info.txt, package-info.txt)
# ---------------------------------------------------------------------------------------------


def parse_tags(text: str) -> list[Tag]:
    """``Label: value`` lines; a line starting with whitespace continues the previous value."""
    tags: list[Tag] = []
    for number, line in enumerate(_LINE_BREAK.split(text), 1):
        if not line.strip():
            continue
        if line[0] in " \t" and tags:
            label, value, first, spaced = tags[-1]
            tags[-1] = Tag(label, f"{value} {line.strip()}", first, spaced)
        elif ":" in line:
            label, value = line.split(":", 1)
            tags.append(Tag(label.strip(), value.strip(), number, label != label.strip()))
        else:
            tags.append(Tag("", line, number, False))
    return tags


def decode_tags(raw: bytes, rules: Rules) -> tuple[list[Tag], list[str]]:
    """The tags of a tag file in the bag's encoding, and what is wrong with its lines."""
    problems: list[str] = []
    if rules.encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        problems.append("starts with a byte-order mark")
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode(rules.encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        return [], [f"is not {rules.encoding} (byte {exc.start})"]
    tags = parse_tags(text)
    for tag in tags:
        if not tag.label:
            problems.append(f"line {tag.line} is not a tag: {tag.value[:100]!r}")
        elif tag.spaced and rules.strict_labels:
            problems.append(f"line {tag.line}: the label {tag.label[:100]!r} is written with whitespace around it, "
                            f"which {rules.name} does not allow")
    return [tag for tag in tags if tag.label], problems


# ---------------------------------------------------------------------------------------------
# Manifest and fetch.txt lines
# ---------------------------------------------------------------------------------------------


def stream_lines(stream: TextIO) -> Iterator[tuple[int, str | None]]:
    """(number, line) for each line, streamed; None for a line longer than LINE_LIMIT, whose rest is
    skipped. A byte-order mark before the first line is dropped; a line holding a byte the encoding
    could not decode is yielded with that byte as a lone surrogate (see :func:`undecoded`)."""
    number = 0
    while line := stream.readline(LINE_LIMIT + 1):
        number += 1
        if len(line) > LINE_LIMIT and not line.endswith("\n"):
            while (rest := stream.readline(LINE_LIMIT + 1)) and not rest.endswith("\n"):
                pass
            yield number, None
        else:
            line = line.removesuffix("\n")
            yield number, line.removeprefix("\ufeff") if number == 1 else line


def undecoded(line: str) -> bool:
    return _UNDECODED.search(line) is not None


def clean_path(path: str) -> str:
    """A path as the file it names: ``./data/x``, ``data//x`` and ``data/./x`` are ``data/x``."""
    return PurePosixPath(path).as_posix() if path else path


def parse_entry(line: str) -> Entry | None:
    """A manifest line as an entry, or None when it is not ``<digest> <path>``."""
    match = _ENTRY.fullmatch(line)
    if match is None:
        return None
    digest, space, path = match.groups()
    marked = space == " " and path.startswith("*")
    return Entry(digest.lower(), clean_path(decode_path(path[1:] if marked else path)), marked)


def path_problem(path: str, where: str) -> str | None:
    """Why a path listed in a payload manifest, a tag manifest or fetch.txt is not acceptable, or None."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\x00" in path:
        return "unsafe path (absolute or with '..')"
    if path.startswith("~"):
        return "unsafe path (a shell reads a leading '~' as a home folder)"
    inside = pure.parts[:1] == ("data",)
    if where == "payload" and not inside:
        return "payload manifest lists a file outside data/"
    if where == "fetch" and not inside:
        return "fetch.txt lists a file outside data/"
    if where == "tag" and inside:
        return "tag manifest lists a payload file"
    return None


def parse_fetch(line: str) -> Fetch | str:
    """A fetch.txt line as an entry, or what is wrong with it."""
    match = _FETCH.fullmatch(line)
    if match is None:
        return "is not 'URL LENGTH PATH'"
    url, length, path = match.groups()
    if length != "-" and not length.isdigit():
        return f"gives the length {length[:100]!r}: a number of bytes or '-'"
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or not parts.scheme or not (parts.netloc or parts.scheme == "file"):
        return f"gives {url[:200]!r}, which is not an absolute URL"
    return Fetch(url, None if length == "-" else int(length), clean_path(decode_path(path)))
