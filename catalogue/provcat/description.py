"""What a document says about itself: its title, date, publisher and source, read from the text.

Each fact is kept with where it was found, as a curator would cite it: the source (``front matter``,
``heading``, ``first line``, ``devised``), the character offsets of the words it was read from (none
for a devised title), the method and a confidence. The build stores them all in the
``descriptions`` table and gives each document the best of each: curated (a sidecar) first, then
front matter, then a Markdown heading or a headline on the first line; a document that names no
title gets a **devised** title in square brackets, as archival description marks a title the
archivist made up: its type and its opening words (``[Article: "Flood water reached the ground floor …"]``).

- **Front matter**: a YAML block at the very start, between ``---`` lines, as static-site and
  transcript tools write it (``title``, ``date``, ``source_url`` or ``url``, ``publisher`` or
  ``site_name``, ``author``). It is read with the same strict, bounded YAML loader as the curated
  files; a block that is not valid YAML, or not a mapping, is simply not front matter.
- **Heading**: a Markdown heading (``# …``) on the first line that has words.
- **First line**: a headline: a short first line with words, not starting in lower case, not
  ending like a sentence or a label, not a dateline (``ARDMORE, KERROW``).

Everything is read from the first ``HEAD_CHARACTERS`` of the text: the cost does not grow with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from .curation import _StrictLoader
from .models import is_web_url

#: How much of a text its description is read from.
HEAD_CHARACTERS = 64 * 1024
#: The longest title taken from a line, and the number of opening words a devised title quotes.
MAX_TITLE_CHARACTERS = 200
DEVISED_WORDS = 10

FRONT_MATTER_CONFIDENCE = 0.95
HEADING_CONFIDENCE = 0.9
FIRST_LINE_CONFIDENCE = 0.7

#: Front matter keys for each fact, in order of preference.
FRONT_MATTER_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "date": ("date", "published", "published_time", "date_published", "pubdate"),
    "publisher": ("publisher", "site_name", "source", "outlet"),
    "source_url": ("source_url", "url", "canonical_url", "canonical", "permalink", "link"),
    "author": ("author", "authors", "byline"),
}

_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$")
_DATELINE = re.compile(r"[A-Z][A-Z .'’-]*(?:,[ \t]*[A-Z][A-Z .'’-]*)*")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
#: What a devised title leaves out: lines of a number alone (cue numbers), times and time ranges
#: (``00:00:02,500 --> 00:00:06,000``, ``00:04.320 - 00:07.910:``, ``19:04``), a dateline on its own line.
_NOT_PROSE = re.compile(r"^[ \t]*(?:\d+[ \t]*$|[\d:.,]+[ \t]*(?:-->|-)[ \t]*[\d:.,]+:?|\d{1,2}:[\d:.,]+:?"
                        r"|[A-Z][A-Z .'’-]*(?:,[ \t]*[A-Z][A-Z .'’-]*)+[ \t]*$)", re.MULTILINE)
#: A line that starts with a time (``00:04.320 - …``, ``19:04 …``) or a speaker's label (``MS. SMITH: …``).
_LABELLED = re.compile(r"\d{1,2}:\d{2}|[A-Z][\w .'’-]{0,40}:\s")
_MARKUP = re.compile(r"<[^>\n]{0,200}>|[*_#>`\[\]]+")


@dataclass(frozen=True)
class Fact:
    """One fact a document states about itself, and where."""

    field: str  # title, date, publisher, source_url, author
    value: str
    source: str  # front matter, heading, first line, devised
    start: int | None  # offsets in the document's text of the words it was read from
    end: int | None
    method: str
    confidence: float


def clean(value: str) -> str:
    """One line, single spaces (a no-break space is a space), no longer than a title may be."""
    one_line = _SPACES.sub(" ", value.replace("\u00a0", " ")).strip()
    return one_line if len(one_line) <= MAX_TITLE_CHARACTERS else one_line[:MAX_TITLE_CHARACTERS - 1].rstrip() + "…"


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        text = clean(str(value))
        return text or None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return clean("; ".join(value)) or None
    return None


def front_matter(text: str) -> tuple[list[Fact], int]:
    """The facts of a YAML front matter block at the start of ``text``, and where the block ends
    (0 when there is none)."""
    found = _FRONT_MATTER.match(text[:HEAD_CHARACTERS])
    if not found or found.group(1) is None:
        return [], 0
    body, offset = found.group(1), found.start(1)
    loader = _StrictLoader(body)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            return [], 0
        data = loader.construct_document(node)
    except (yaml.YAMLError, RecursionError, TypeError, ValueError):
        return [], 0
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return [], 0
    spans = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            spans[key_node.value] = (offset + value_node.start_mark.index, offset + value_node.end_mark.index)
    facts = []
    for field, keys in FRONT_MATTER_KEYS.items():
        for key in keys:
            value = _as_text(data.get(key))
            if value is None or (field == "source_url" and not is_web_url(value)):
                continue
            start, end = spans.get(key, (None, None))
            facts.append(Fact(field, value, "front matter", start, end, f"rule:front-matter:{key}",
                              FRONT_MATTER_CONFIDENCE))
            break
    return facts, found.end()


def _first_line(text: str, start: int) -> tuple[str, int, int] | None:
    """The first line with a letter in it at or after ``start``, and its offsets (stripped)."""
    position = start
    head = text[:HEAD_CHARACTERS]
    while position < len(head):
        end = head.find("\n", position)
        end = len(head) if end == -1 else end
        line = head[position:end]
        if any(c.isalpha() for c in line):
            left = len(line) - len(line.lstrip())
            return line.strip(), position + left, position + left + len(line.strip())
        if line.strip():  # a line of numbers or marks (a cue number, a timestamp): no headline here
            return None
        position = end + 1
    return None


def is_headline(line: str) -> bool:
    """A line that reads as a headline: a few words, not a sentence, a dateline, a speaker's label
    or a timed line."""
    words = _WORD.findall(line)
    return (2 <= len(words) <= 30 and len(line) <= MAX_TITLE_CHARACTERS
            and not line[0].islower()
            and not line.endswith((".", ",", ";", ":", "!", "?", "…", "-", "—"))
            and not _DATELINE.fullmatch(line)
            and not _LABELLED.match(line)
            and "-->" not in line and not line.startswith(("<", "**", "[", "(", "|", "{")))


def title_from_text(text: str, after: int = 0) -> Fact | None:
    """A Markdown heading, or a headline, on the first line with words (after any front matter)."""
    first = _first_line(text, after)
    if first is None:
        return None
    line, start, end = first
    heading = _HEADING.fullmatch(line)
    if heading:
        title = clean(heading.group(1).strip("*_ "))
        inner = start + heading.start(1)
        return Fact("title", title, "heading", inner, inner + len(heading.group(1)), "rule:markdown-heading",
                    HEADING_CONFIDENCE) if title else None
    if not is_headline(line):
        return None
    following = _first_line(text, end + 1) if end < len(text) else None
    blank_after = text[end:end + 3].lstrip(" \t\r").startswith("\n\n") or end >= len(text.rstrip())
    if not blank_after and following is not None and following[0][:1].islower():
        return None  # a sentence wrapped onto the next line, not a headline
    return Fact("title", clean(line), "first line", start, end, "rule:headline",
                FIRST_LINE_CONFIDENCE + (0.1 if blank_after else 0.0))


def devised_title(text: str, kind: str, after: int = 0) -> Fact:
    """``[Article: "opening words …"]`` from the first words of prose after ``after`` (cue numbers,
    timestamps, a dateline and markup left out); ``[Article without text]`` when there are none."""
    head = _MARKUP.sub(" ", _NOT_PROSE.sub(" ", text[after:after + 4096]))
    words = [w for w in _SPACES.sub(" ", head).strip().split(" ") if w][:DEVISED_WORDS + 1]
    label = kind.capitalize()
    if not words:
        return Fact("title", f"[{label} without text]", "devised", None, None, "rule:devised", 1.0)
    opening = " ".join(words[:DEVISED_WORDS]).rstrip(",;:")
    more = "…" if len(words) > DEVISED_WORDS else ""
    return Fact("title", clean(f"[{label}: \u201c{opening}{more}\u201d]"), "devised", None, None,
                "rule:devised-opening-words", 1.0)


def describe(text: str, kind: str) -> list[Fact]:
    """Every fact the text states about itself, with a title always: from its front matter, else
    from its first line with words (a heading or a headline), else devised from its opening words
    (``kind``: the document's type)."""
    facts, after = front_matter(text)
    if not any(f.field == "title" for f in facts):
        facts.append(title_from_text(text, after) or devised_title(text, kind, after))
    return facts
