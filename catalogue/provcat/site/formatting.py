"""How the catalogue's values are written on the pages (pure): confidences, the beginning of a long
text, and links made from what the catalogue holds, only when they are safe."""

from __future__ import annotations

import re


def confidence_text(value: float | None) -> str:
    """A confidence with two decimals; "unknown" when none was recorded."""
    return "unknown" if value is None else f"{value:.2f}"


#: Characters of a document's text shown on the documents table page.
EXCERPT_CHARACTERS = 300


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The beginning of a text, cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", max(0, limit - 40), limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"


_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")


def wikidata_url(identifier: str | None) -> str | None:
    """The Wikidata page of an item id such as Q42; None for anything that is not one."""
    if not identifier or not _WIKIDATA_ID.fullmatch(identifier.strip()):
        return None
    return f"https://www.wikidata.org/wiki/{identifier.strip()}"


def web_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) address (safe as a link), else None."""
    if value and re.match(r"https?://[^\s]+$", value.strip(), flags=re.IGNORECASE):
        return value.strip()
    return None
