"""Readers: one small module per format, each turning a file's bytes into the text the catalogue
stores, its description and its map back to the source (``bytes -> ReadDocument``).

Which reader reads a file is decided by its extension (:data:`provcat.archive.MEDIA_TYPES`); the
format identification recorded for every file is kept beside it, and a file whose content is not
what its extension says is reported by the reader that fails to read it. A reader never changes
the archived bytes (kept whole as ``documents.content``); where it extracts text from another
format, ``extracted_by`` and ``extraction_options`` say how, and the build stores that text's own
SHA-256. Every reader raises :class:`~provcat.errors.ProvcatError` naming the file and the problem
for input it cannot read; the build then catalogues the file without text, with a warning
(:class:`NotText` without one: a file of a kind that is often not a document at all).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from ..archive import MEDIA_TYPES
from ..errors import ProvcatError
from ..models import ReadDocument


class NotText(ProvcatError):
    """A file that is not a document of the kind its extension suggests, and need not be (a JSON
    file holding data, not a transcript): catalogued without text, without a warning."""


#: The reader of each media type the catalogue reads: (module of this package, function). Each
#: module is imported when a file of its kind is first read, so that a build of plain text never
#: loads the libraries of the other formats.
READERS: dict[str, tuple[str, str]] = {
    "text/plain": ("timestamped", "read_timestamped_text"),
    "text/markdown": ("plain_text", "read_text"),
    "application/x-subrip": ("subtitles", "read_captions"),
    "text/vtt": ("subtitles", "read_captions"),
    "text/html": ("web_page", "read_web_page"),
    "application/xhtml+xml": ("web_page", "read_web_page"),
    "application/pdf": ("pdf", "read_pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("word_processing", "read_docx"),
    "application/vnd.oasis.opendocument.text": ("word_processing", "read_odt"),
    "message/rfc822": ("email_message", "read_email"),
    "application/json": ("whisper_json", "read_whisper_json"),
}


def reader(media_type: str) -> Callable[[bytes, Path | str, str], ReadDocument]:
    """The function that reads files of ``media_type``."""
    module, function = READERS[media_type]
    return getattr(import_module(f"{__name__}.{module}"), function)  # type: ignore[no-any-return]


def read_document(data: bytes, path: Path | str) -> ReadDocument:
    """The document a file holds, read by the reader of its extension's kind (plain text for any
    other)."""
    media_type = MEDIA_TYPES.get(Path(path).suffix.lower(), "text/plain")
    if not data:
        raise ProvcatError(path, "empty file: nothing to catalogue")
    return reader(media_type)(data, path, media_type)
