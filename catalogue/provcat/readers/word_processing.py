"""Word-processing files: Office Open XML (``.docx``, python-docx, MIT) and OpenDocument text
(``.odt``, odfpy, Apache-2.0).

Paragraphs, headings and tables become the stored text in document order, each a region whose
locator counts the body's paragraphs as the file has them (empty ones included, so "paragraph 12"
is the twelfth of the file); a table's rows are lines, its cells separated by a tab. The core
properties (title, author, creation date, identifier, language) are the embedded description.
"""

from __future__ import annotations

import io
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..errors import ProvcatError
from ..models import EmbeddedFact, ReadDocument
from .assembly import TextBuilder
from .containers import check_zip
from .dates import from_datetime, iso_date

DOCX_OPTIONS = "body paragraphs and tables in order (Document.iter_inner_content); headers, footers, notes left out"
ODT_OPTIONS = "text:h and text:p of office:text in order (teletype.extractText); notes inside paragraphs kept"


def _fact(field: str, value: Any, method: str, confidence: float,
          precision: str | None = None) -> EmbeddedFact | None:
    text = " ".join(str(value or "").split())
    if not text:
        return None
    return EmbeddedFact(field=field, value=text, source="embedded metadata", method=method,
                        confidence=confidence, precision=precision)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def read_docx(data: bytes, path: Path | str, media_type: str = DOCX_TYPE) -> ReadDocument:
    check_zip(data, path, "DOCX")
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        raise ProvcatError(path, f"DOCX not readable: {exc}") from exc
    except Exception as exc:  # lxml's XMLSyntaxError and the like: a damaged part
        raise ProvcatError(path, f"DOCX not readable: {type(exc).__name__}: {str(exc)[:200]}") from exc
    builder = TextBuilder()
    paragraphs = tables = 0
    # a paragraph's style name, looked up once per style id: python-docx's ``Paragraph.style`` walks
    # every style of the document for each paragraph without a style of its own (2 ms a paragraph)
    names = {style.style_id: style.name or "" for style in document.styles if getattr(style, "style_id", None)}
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            tables += 1
            rows = ("\t".join(cell.text for cell in row.cells) for row in block.rows)
            builder.add("\n".join(rows), "table", f"table {tables}")
            continue
        paragraphs += 1
        style = names.get(block._p.style or "", "")  # the paragraph's own style id, if any
        kind = "heading" if style.startswith(("Heading", "Title")) else "paragraph"
        builder.add(block.text, kind, f"paragraph {paragraphs}")
    if not builder.regions:
        raise ProvcatError(path, "DOCX without text")
    props = document.core_properties
    facts = [_fact("title", props.title, "docx:core title", 0.8),
             _fact("creator", props.author, "docx:core creator", 0.8),
             _fact("identifier", props.identifier, "docx:core identifier", 0.9),
             _fact("language", props.language, "docx:core language", 0.7)]
    created = from_datetime(props.created)
    if created is not None:
        facts.append(_fact("date", created[0], "docx:core created", 0.6, created[1]))
    return ReadDocument(text=builder.text, encoding=None, media_type=media_type, regions=builder.regions,
                        extracted_by=f"python-docx {version('python-docx')}", extraction_options=DOCX_OPTIONS,
                        embedded=[f for f in facts if f is not None])


def read_odt(data: bytes, path: Path | str,
             media_type: str = "application/vnd.oasis.opendocument.text") -> ReadDocument:
    check_zip(data, path, "ODT")
    from odf import teletype
    from odf.namespaces import DCNS, METANS, TEXTNS
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises what the XML parser or zipfile raise
        raise ProvcatError(path, f"ODT not readable: {type(exc).__name__}: {str(exc)[:200]}") from exc
    builder = TextBuilder()
    count = 0
    pending = list(reversed(document.text.childNodes)) if document.text is not None else []
    while pending:  # document order, without recursion
        node = pending.pop()
        qname = getattr(node, "qname", None)
        if qname in ((TEXTNS, "h"), (TEXTNS, "p")):
            count += 1
            builder.add(teletype.extractText(node), "heading" if qname[1] == "h" else "paragraph", f"paragraph {count}")
        else:
            pending.extend(reversed(getattr(node, "childNodes", [])))
    if not builder.regions:
        raise ProvcatError(path, "ODT without text")
    meta: dict[tuple[str, str], str] = {}
    for node in getattr(document.meta, "childNodes", []):
        if getattr(node, "qname", None) is not None:
            meta.setdefault(node.qname, teletype.extractText(node))
    facts = [_fact("title", meta.get((DCNS, "title")), "odt:meta dc:title", 0.8),
             _fact("creator", meta.get((METANS, "initial-creator")) or meta.get((DCNS, "creator")),
                   "odt:meta creator", 0.8),
             _fact("language", meta.get((DCNS, "language")), "odt:meta dc:language", 0.7)]
    for key, method in (((METANS, "creation-date"), "odt:meta creation-date"), ((DCNS, "date"), "odt:meta dc:date")):
        dated = iso_date(meta.get(key) or "")
        if dated is not None:
            facts.append(_fact("date", dated[0], method, 0.6, dated[1]))
            break
    return ReadDocument(text=builder.text, encoding=None, media_type=media_type, regions=builder.regions,
                        extracted_by=f"odfpy {version('odfpy')}", extraction_options=ODT_OPTIONS,
                        embedded=[f for f in facts if f is not None])
