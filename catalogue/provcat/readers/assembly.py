"""The stored text of a document read from another format: its blocks (paragraphs, headings,
pages) in order, a blank line between two, each recorded as a region that says where in the source
it came from."""

from __future__ import annotations

import re

from ..models import Region

_SPACES = re.compile(r"[ \r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def tidy(text: str, paragraphs: bool = False) -> str:
    """One block's text: runs of spaces (and no-break spaces) one space, lines trimmed, and no
    blank lines inside the block (a blank line is what separates blocks), or, with ``paragraphs``
    (a block that is a whole message body), one blank line wherever it has some."""
    lines = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n" if paragraphs else "\n", lines).strip()


class TextBuilder:
    """Blocks appended in order become the text and its regions."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.regions: list[Region] = []

    def add(self, block: str, kind: str, locator: str, paragraphs: bool = False) -> Region | None:
        """Append a block (tidied; keeping its paragraphs apart, with ``paragraphs``); an empty one
        is left out. Returns its region."""
        block = tidy(block, paragraphs)
        if not block:
            return None
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(block)
        self._length += len(block)
        region = Region(index=len(self.regions) + 1, start=start, end=self._length, kind=kind, locator=locator)
        self.regions.append(region)
        return region

    @property
    def length(self) -> int:
        return self._length

    @property
    def text(self) -> str:
        return "".join(self._parts) + ("\n" if self._parts else "")
