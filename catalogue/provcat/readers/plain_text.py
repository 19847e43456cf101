"""Plain text: decode the archived bytes into the text the catalogue stores.

The bytes are never changed; they are kept as ``documents.content``. The stored text is the decoded
bytes with two documented normalisations: a leading byte-order mark is dropped and line endings
become LF. Every offset in the catalogue points into this stored text. The encoding is the one a
byte-order mark names, else UTF-8 when the bytes are valid UTF-8, else the detector's best fit
(charset-normalizer), named as Windows-1252 when that reads the same.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import ProvcatError
from ..models import ReadDocument

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Control characters that never occur in a text document (tab, LF, CR and form feed excepted).
_BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding). Raises ProvcatError when it cannot."""
    if not data:
        raise ProvcatError(path, "empty file: nothing to catalogue")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff"), encoding
            except UnicodeDecodeError as exc:
                raise ProvcatError(path, f"has a {encoding} byte-order mark but is not valid {encoding}") from exc
    if b"\x00" in data:
        raise ProvcatError(path, "binary file (contains NUL bytes), not a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:65536]
    if len(_BINARY_CONTROLS.findall(sample)) > max(2, len(sample) // 200):
        raise ProvcatError(path, "binary file (control bytes), not a text document")
    encoding = _guess_encoding(data)
    if encoding is None:
        raise ProvcatError(path, "cannot tell the text encoding (not UTF-8, and no other encoding fits)")
    return data.decode(encoding), encoding


def _guess_encoding(data: bytes) -> str | None:
    """The detector's best candidate, named as the commonest Western encoding when that reads the same.

    Short Latin texts fit cp1250, cp1252 and others equally well, and charset-normalizer lists them
    in an arbitrary order (or only one of the encodings that give the same text). Windows-1252 is by
    far the likeliest for archived Western documents, so it is named whenever it yields the same text
    as an equally good candidate.
    """
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data) if m.encoding]
    if not matches:
        return None
    best_score = min((round(m.chaos, 3), -round(m.coherence, 3)) for m in matches)
    tied = [m for m in matches if (round(m.chaos, 3), -round(m.coherence, 3)) == best_score]
    for preferred in ("cp1252", "iso8859_15", "latin_1"):
        try:
            text = data.decode(preferred)
        except UnicodeDecodeError:
            continue
        if any(str(m) == text for m in tied):
            return codecs.lookup(preferred).name
    return codecs.lookup(tied[0].encoding).name


def normalise(text: str) -> tuple[str, list[str]]:
    """Line endings to LF. Returns the text and what was done to it."""
    done: list[str] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        done.append("line endings CRLF/CR -> LF")
    return text, done


def read_text(data: bytes, path: Path | str, media_type: str = "text/plain") -> ReadDocument:
    """A text file decoded and normalised; one with nothing but blanks is refused."""
    text, encoding = decode(data, path)
    text, done = normalise(text)
    if not text.strip():
        raise ProvcatError(path, "contains only whitespace: nothing to catalogue")
    return ReadDocument(text=text, encoding=encoding, media_type=media_type, normalisation=done)
