"""PDF: the text layer of every page, and the document information dictionary.

Read with pypdfium2 (Apache-2.0 / BSD-3-Clause; Google's PDFium). Each page's text is a region
(``page N``), a blank line between pages; a page without text is left out of the text (and said so
in a warning). A PDF with no text on any page is a scan or a picture: it is preserved, hashed and
identified, but has no text ("no text layer (scanned?)"), since the catalogue does not run optical
character recognition. An encrypted PDF is not read (its password is not the catalogue's to know).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from ..errors import ProvcatError
from ..models import EmbeddedFact, ReadDocument
from .assembly import TextBuilder
from .dates import pdf_date

OPTIONS = "text layer of every page in page order (PdfTextPage.get_text_bounded), a region per page"
NO_TEXT = "no text layer (scanned?)"


def read_pdf(data: bytes, path: Path | str, media_type: str = "application/pdf") -> ReadDocument:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ProvcatError(path, f"PDF not readable: {_why(str(exc))}") from exc
    try:
        builder = TextBuilder()
        empty: list[int] = []
        pages = len(document)
        for number in range(pages):
            page = document[number]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_bounded()
                finally:
                    textpage.close()
            finally:
                page.close()
            if builder.add(text.replace("\r\n", "\n").replace("\r", "\n"), "page", f"page {number + 1}") is None:
                empty.append(number + 1)
        info = document.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError as exc:
        raise ProvcatError(path, f"PDF not readable: {_why(str(exc))}") from exc
    finally:
        document.close()
    if not builder.regions:
        raise ProvcatError(path, f"{NO_TEXT}: none of its {pages:,} pages has text")
    warnings = []
    if empty:
        listed = ", ".join(str(n) for n in empty[:10]) + (" …" if len(empty) > 10 else "")
        warnings.append(f"{len(empty):,} of {pages:,} pages without text (page {listed})")
    return ReadDocument(text=builder.text, encoding=None, media_type=media_type, regions=builder.regions,
                        warnings=warnings, extracted_by=f"pypdfium2 {version('pypdfium2')} "
                        f"(PDFium {pdfium.PDFIUM_INFO})", extraction_options=OPTIONS, embedded=info_facts(info))


def _why(message: str) -> str:
    lowered = message.lower()
    if "password" in lowered:
        return "encrypted (a password is needed)"
    if "format" in lowered or "corrupt" in lowered:
        return "damaged or not a PDF"
    return message.split("\n")[0][:200]


def info_facts(info: dict[str, str]) -> list[EmbeddedFact]:
    """The description the document information dictionary gives: title, author, creation date (the
    date the file was made, which may be later than the document: a lower confidence)."""
    facts = []
    for key, field, confidence in (("Title", "title", 0.8), ("Author", "creator", 0.8)):
        value = " ".join((info.get(key) or "").split())
        if value:
            facts.append(EmbeddedFact(field=field, value=value, source="embedded metadata",
                                      method=f"pdf:Info {key}", confidence=confidence))
    for key in ("CreationDate", "ModDate"):
        dated = pdf_date(info.get(key) or "")
        if dated is not None:
            facts.append(EmbeddedFact(field="date", value=dated[0], source="embedded metadata",
                                      method=f"pdf:Info {key}", confidence=0.6 if key == "CreationDate" else 0.4,
                                      precision=dated[1]))
            break
    return facts
