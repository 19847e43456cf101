"""Web pages (HTML): the main text without navigation, adverts and footers, and what the page says
about itself.

The main text is found by trafilatura (Apache-2.0), which also reads the title, author, site name,
canonical address and date from the page's metadata (``<title>``, Open Graph, JSON-LD, Dublin Core
meta tags). The publication date with its time is read from the page's JSON-LD
(``datePublished``) or ``article:published_time`` where the page gives one, the language from
``<html lang>``. The page's blocks (headings, paragraphs, lists, quotations, tables) become the
stored text, a blank line between two, each a region numbered as in the extracted page.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..errors import ProvcatError
from ..models import EmbeddedFact, ReadDocument
from .assembly import TextBuilder
from .dates import iso_date
from .plain_text import decode, normalise

#: A page larger than this is kept and hashed but not read: trafilatura holds the whole parsed tree.
MAX_PAGE_BYTES = 16 * 1024 * 1024
#: A JSON-LD block larger than this is not parsed.
MAX_JSON_LD_CHARS = 1_000_000
OPTIONS = "main text (trafilatura defaults), tables kept, comments left out, no links or images"
#: Only a date the page's markup states: htmldate's extensive search guesses from copyright lines
#: and the like, and makes a year into the first of January.
DATE_OPTIONS = {"extensive_search": False, "original_date": True}
_KINDS = {"head": "heading", "p": "paragraph", "list": "list", "quote": "quote", "table": "table", "code": "code"}
_DATE_KEYS = ("datePublished", "dateCreated", "uploadDate")
_META_DATES = ("article:published_time", "og:article:published_time", "datePublished", "dc.date.issued",
               "dcterms.issued", "dc.date", "pubdate", "date")


def read_web_page(data: bytes, path: Path | str, media_type: str = "text/html") -> ReadDocument:
    if len(data) > MAX_PAGE_BYTES:
        raise ProvcatError(path, f"web page of {len(data):,} bytes, larger than the {MAX_PAGE_BYTES:,} bytes "
                                 "a page is read up to")
    import trafilatura
    from lxml import html as lxml_html

    page, encoding = decode(data, path)
    page, _ = normalise(page)
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise ProvcatError(path, f"not a readable web page: {exc}") from exc
    found = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False, include_tables=True,
                                        output_format="python", deduplicate=False,
                                        date_extraction_params=DATE_OPTIONS)
    if found is None or found.body is None:
        raise ProvcatError(path, "web page without main text")
    builder = TextBuilder()
    numbers: dict[str, int] = {}
    for block in found.body:
        kind = _KINDS.get(block.tag, "paragraph")
        numbers[kind] = numbers.get(kind, 0) + 1
        builder.add(block_text(block), kind, f"{kind} {numbers[kind]}")
    if not builder.regions:
        raise ProvcatError(path, "web page without main text")
    facts = page_facts(found, tree, builder.text)
    return ReadDocument(text=builder.text, encoding=encoding, media_type=media_type, regions=builder.regions,
                        extracted_by=f"trafilatura {version('trafilatura')}", extraction_options=OPTIONS,
                        embedded=facts)


def block_text(element: Any) -> str:
    """A block's words in order: a line break (``lb``), list item or table row on its own line, table
    cells separated by a tab."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.tag == "lb":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            if child.tag in ("item", "row"):
                parts.append("\n")
            elif child.tag == "cell" and parts and not parts[-1].endswith("\n"):
                parts.append("\t")
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


def page_facts(found: Any, tree: Any, text: str = "") -> list[EmbeddedFact]:
    """The description the page gives of itself. The title is the one its metadata states (JSON-LD
    headline, Open Graph title) when it has one; trafilatura's choice when the page's main text or
    ``<title>`` holds it (it may take a heading of a menu or a dialog); else the ``<title>`` as
    written."""
    facts: list[EmbeddedFact] = []

    def add(field: str, value: str | None, method: str, confidence: float, precision: str | None = None) -> None:
        if value and value.strip():
            facts.append(EmbeddedFact(field=field, value=" ".join(value.split()), source="embedded metadata",
                                      method=method, confidence=confidence, precision=precision))

    stated = headline(tree)
    if stated is not None:
        add("title", stated[0], stated[1], 0.9)
    element = " ".join((tree.findtext(".//title") or "").split())
    if found.title:
        held = found.title in text or found.title in element
        add("title", found.title, "html:title (trafilatura)", 0.85 if held else 0.5)
    add("title", element, "html:title element", 0.7)
    add("creator", found.author, "html:author (trafilatura)", 0.85)
    add("publisher", found.sitename, "html:site name (trafilatura)", 0.85)
    if found.url and found.url.startswith(("http://", "https://")):
        add("source_url", found.url, "html:canonical address (trafilatura)", 0.9)
    dated = published(tree)
    if dated is not None:
        value, precision, method = dated
        add("date", value, method, 0.9, precision)
    elif found.date:
        checked = iso_date(found.date)
        if checked is not None:
            add("date", checked[0], "html:date (htmldate)", 0.75, checked[1])
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and len(lang) <= 35:
        add("language", lang.split("-")[0].lower() if len(lang.split("-")[0]) in (2, 3) else lang,
            "html:lang attribute", 0.9)
    return facts


def _json_ld(tree: Any) -> list[Any]:
    """The page's JSON-LD blocks, parsed (a block too large or not JSON is left out)."""
    blocks = []
    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        if len(raw) > MAX_JSON_LD_CHARS:
            continue
        try:
            blocks.append(json.loads(raw))
        except ValueError:
            continue
    return blocks


def headline(tree: Any) -> tuple[str, str] | None:
    """The title the page's metadata states: JSON-LD ``headline``, else ``og:title``."""
    for data in _json_ld(tree):
        for value in _values(data, "headline"):
            if isinstance(value, str) and value.strip():
                return value, "html:json-ld headline"
    for meta in tree.iterfind(".//meta"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:title" and meta.get("content"):
            return meta.get("content"), "html:meta og:title"
    return None


def published(tree: Any) -> tuple[str, str, str] | None:
    """The publication date (and time) the page states in JSON-LD or a meta tag, checked as ISO 8601."""
    for data in _json_ld(tree):
        for key in _DATE_KEYS:
            for value in _values(data, key):
                checked = iso_date(value) if isinstance(value, str) else None
                if checked is not None:
                    return checked[0], checked[1], f"html:json-ld {key}"
    metas = {}
    for meta in tree.iterfind(".//meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if name and meta.get("content"):
            metas.setdefault(name, meta.get("content"))
    for name in _META_DATES:
        value = metas.get(name.lower())
        checked = iso_date(value) if value else None
        if checked is not None:
            return checked[0], checked[1], f"html:meta {name}"
    return None


def _values(data: Any, key: str, depth: int = 0) -> list[Any]:
    """Every value of ``key`` in a JSON-LD structure (``@graph`` lists and nested objects), outermost
    first, to a bounded depth."""
    if depth > 6:
        return []
    if isinstance(data, list):
        return [v for item in data[:100] for v in _values(item, key, depth + 1)]
    if not isinstance(data, dict):
        return []
    here = [data[key]] if key in data else []
    return here + [v for item in data.values() if isinstance(item, dict | list) for v in _values(item, key, depth + 1)]
