"""Caption files: SubRip ``.srt`` and WebVTT ``.vtt``.

A caption file keeps its full text (cue numbers and timings included, as the file has them); each
cue is also recorded as a segment with its timings and the offsets of its caption text, and the
extractors read only the caption text. A WebVTT voice (``<v Name>``) is the file's own statement of
who speaks the cue: it becomes a turn credited to that name.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import ProvcatError
from ..extract.turns import is_diarization_label as is_anonymous
from ..models import ReadDocument, Segment, Voice
from .plain_text import read_text

#: A WebVTT voice span's opening tag, with optional classes: ``<v Name>``, ``<v.loud Name>``.
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^>]+?)\s*>")
_CLOSE_VOICE = re.compile(r"</v>\s*\Z")
VOICE_METHOD = "reader:webvtt-voice"


def read_captions(data: bytes, path: Path | str, media_type: str) -> ReadDocument:
    """The decoded file, with a segment per cue (and a voice per cue that has one). A file whose cues
    cannot be parsed is kept as plain text without cue timings, with a warning."""
    read = read_text(data, path, media_type)
    try:
        if media_type == "application/x-subrip":
            segments, voices = subrip_segments(read.text, path), []
        else:
            segments, voices = webvtt_segments(read.text, path)
    except ProvcatError as exc:
        return read.model_copy(update={"warnings": [f"{exc.problem}; catalogued as plain text without cue timings"]})
    return read.model_copy(update={"segments": segments, "voices": voices})


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


#: A SubRip time stamp as the srt library reads them ("00:01:02,500"; "." or ":" also separate
#: the fields), each field bounded so that matching it costs no more than its length.
_SRT_TIME = r"\d{1,9}[,.:，．。：]\d{1,9}[,.:，．。：]\d{1,9}[,.:，．。：]\d{0,9}"
_SRT_TIMING = re.compile(rf"[ \t]*({_SRT_TIME}) *-[ -] *> *({_SRT_TIME})(?:[ \t][^\n]*)?\Z")
_SRT_INDEX = re.compile(r"[ \t]*-?\d{1,12}(?:\.\d{0,6})?[ \t]*\Z")


def _subrip_cues(text: str, path: Path | str) -> list[tuple[str, str, str]]:
    """The cues of a SubRip file: (caption, start, end), read block by block in one pass.

    The blocks are read here rather than by ``srt.parse``, whose expression takes time that grows
    with the square of a run of blanks or blank lines, and far faster still with a run of digits
    (a line of a thousand digits did not finish in minutes); the time stamps are still converted by
    ``srt``. As ``srt.parse`` does, a block is an optional index line, a timing line and its caption
    lines; a blank line inside a caption is kept when what follows it is not the next block."""
    import srt

    lines = text.split("\n")
    cues: list[tuple[list[str], str, str]] = []

    def timing_at(i: int, index_required: bool) -> tuple[int, re.Match[str]] | None:
        """The timing line of a block starting at line ``i`` (an index line may come first, and
        must when the block follows a caption line without a blank line between)."""
        if len(lines[i]) <= 200:
            found = None if index_required else _SRT_TIMING.match(lines[i])
            if found is not None:
                return i, found
            if i + 1 < len(lines) and _SRT_INDEX.match(lines[i]) and len(lines[i + 1]) <= 200:
                found = _SRT_TIMING.match(lines[i + 1])
                if found is not None:
                    return i + 1, found
        return None

    i = 0
    while i < len(lines):
        line = lines[i]
        after_words = bool(cues) and i > 0 and bool(lines[i - 1].strip()) and bool(cues[-1][0])
        block = timing_at(i, index_required=after_words) if line.strip() else None
        if block is None and not line.strip():
            i += 1
            if cues:
                cues[-1][0].append("")
            continue
        if block is not None:
            at, found = block
            try:
                begins, ends = (srt.timedelta_to_srt_timestamp(srt.srt_timestamp_to_timedelta(found.group(n)))
                                for n in (1, 2))
            except (srt.TimestampParseError, ValueError, OverflowError) as exc:
                raise ProvcatError(path, f"malformed SubRip file: {exc}") from exc
            cues.append(([], begins, ends))
            i = at + 1
            continue
        if not cues:
            raise ProvcatError(path, f"malformed SubRip file: line {i + 1} is not a cue number or timing")
        cues[-1][0].append(line)
        i += 1
    return [("\n".join(caption).strip("\n"), begins, ends) for caption, begins, ends in cues]


def subrip_segments(text: str, path: Path | str) -> list[Segment]:
    cues = _subrip_cues(text, path)
    if not cues:
        raise ProvcatError(path, "SubRip file without cues")
    return _locate(text, cues, path)


def webvtt_segments(text: str, path: Path | str) -> tuple[list[Segment], list[Voice]]:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, ValueError) as exc:
        raise ProvcatError(path, f"malformed WebVTT file: {exc}") from exc
    if not captions:
        raise ProvcatError(path, "WebVTT file without cues")
    pieces = [(c.raw_text if hasattr(c, "raw_text") else c.text, c.start, c.end) for c in captions]
    segments = _locate(text, pieces, path)
    return segments, [v for v in (voice(text, s) for s in segments) if v is not None]


def voice(text: str, segment: Segment) -> Voice | None:
    """The turn a cue's voice tag gives: the name's offsets, and the words after the tag."""
    cue = text[segment.start:segment.end]
    found = _VOICE.match(cue)
    if found is None:
        return None
    name = found.group(1).strip()
    start = segment.start + found.end()
    closed = _CLOSE_VOICE.search(cue)
    end = segment.start + (closed.start() if closed else len(cue))
    if not name or end <= start:
        return None
    return Voice(speaker=name, named=not is_anonymous(name), label_start=segment.start + found.start(1),
                 label_end=segment.start + found.start(1) + len(name), start=start, end=end, method=VOICE_METHOD)
