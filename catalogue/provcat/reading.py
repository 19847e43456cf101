"""Reading: turn the archived bytes into the text the catalogue stores.

The bytes are never changed; they are kept as ``documents.content``. The stored text is the decoded
bytes with two length-preserving-or-documented normalisations: a leading byte-order mark is dropped
and line endings become LF. Every offset in the catalogue points into this stored text. Caption files
(SubRip ``.srt``, WebVTT ``.vtt``) keep their full text; each cue is also recorded as a segment with
its timings and the offsets of its caption text.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

from .archive import MEDIA_TYPES
from .errors import ProvcatError
from .models import ReadDocument, Segment

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


def read_document(data: bytes, path: Path | str) -> ReadDocument:
    """Decode and normalise a document's bytes; parse cue files into timed segments."""
    suffix = Path(path).suffix.lower()
    media_type = MEDIA_TYPES.get(suffix, "text/plain")
    text, encoding = decode(data, path)
    text, done = normalise(text)
    if not text.strip():
        raise ProvcatError(path, "contains only whitespace: nothing to catalogue")
    segments: list[Segment] = []
    warnings: list[str] = []
    try:
        if suffix == ".srt":
            segments = subrip_segments(text, path)
        elif suffix == ".vtt":
            segments = webvtt_segments(text, path)
    except ProvcatError as exc:
        warnings.append(f"{exc.problem}; catalogued as plain text without cue timings")
    return ReadDocument(text=text, encoding=encoding, media_type=media_type, normalisation=done,
                        segments=segments, warnings=warnings)


def _locate(text: str, pieces: list[tuple[str, str, str]], path: Path | str) -> list[Segment]:
    """Find each cue's caption text in the stored text, in order, to give it offsets."""
    segments: list[Segment] = []
    cursor = 0
    for index, (caption, begins, ends) in enumerate(pieces, start=1):
        caption = caption.strip()
        if not caption:
            continue
        at = text.find(caption, cursor)
        if at < 0:
            raise ProvcatError(path, f"cue {index} text cannot be located in the file")
        segments.append(Segment(index=index, start=at, end=at + len(caption), begins=begins, ends=ends))
        cursor = at + len(caption)
    return segments


def subrip_segments(text: str, path: Path | str) -> list[Segment]:
    import srt

    try:
        cues = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as exc:
        raise ProvcatError(path, f"malformed SubRip file: {exc}") from exc
    if not cues:
        raise ProvcatError(path, "SubRip file without cues")
    pieces = [(c.content, srt.timedelta_to_srt_timestamp(c.start), srt.timedelta_to_srt_timestamp(c.end))
              for c in cues]
    return _locate(text, pieces, path)


def webvtt_segments(text: str, path: Path | str) -> list[Segment]:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, ValueError) as exc:
        raise ProvcatError(path, f"malformed WebVTT file: {exc}") from exc
    if not captions:
        raise ProvcatError(path, "WebVTT file without cues")
    pieces = [(c.raw_text if hasattr(c, "raw_text") else c.text, c.start, c.end) for c in captions]
    return _locate(text, pieces, path)
