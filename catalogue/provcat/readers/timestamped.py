"""Plain-text transcripts with time codes, as speech-recognition and transcription tools write them:

- a range before each line: ``00:05.560 - 00:08.740:  words`` or ``[00:00.000 --> 00:05.000] words``
  (Whisper's console output and its imitators);
- a time code before each line: ``[00:01:02] words``, ``00:01 words``;
- a time code alone on a line, the words on the lines after it (caption exports: ``10:58``);
- a speaker's name and a time code on a line, the words after it (Otter: ``Jane Doe  0:03``).

Such a file is read into cues, as a caption file is: its text is the file, and each cue's words are
a segment with the times as written, so that the extractors read only the words and no quote holds a
time code (a turn is cut at the cues' edges). A speaker line's block is a turn credited to the name
(its cue begins with the speaker's line, so that the extractors read who speaks).
A file with only a few time codes is plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..extract.turns import is_diarization_label as is_anonymous
from ..models import ReadDocument, Segment, Voice
from .plain_text import read_text

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_RANGE = re.compile(rf"^[ \t]*\\?[\[(]?({_TS})[ \t]*(?:-->|-|–)[ \t]*({_TS})\\?[\])]?[ \t]*:?[ \t]*(.*)$")
_BARE = re.compile(rf"^[ \t]*\\?[\[(]?({_TS})\\?[\])]?[ \t]*$")
_PREFIX = re.compile(rf"^[ \t]*\\?[\[(]({_TS})\\?[\])][ \t]*:?[ \t]*(\S.*)$|^[ \t]*({_TS})[ \t]+(\S.*)$")
#: A speaker's line: a name of one to five words, two or more spaces (or a tab), a time code.
_SPEAKER = re.compile(rf"^[ \t]*([^\W\d][\w.'’-]*(?:[ \t][\w.'’-]+){{0,4}})(?:[ \t]{{2,}}|\t)({_TS})[ \t]*$")
#: The least share of the non-empty lines that must be time-code lines for the file to be read so.
MIN_SHARE = 0.3
MIN_LINES = 3
#: A line longer than this is words, not a time-code line.
MAX_TIMECODE_LINE = 400
_ANY_TS = re.compile(r"\d:\d\d")
SPEAKER_METHOD = "reader:timestamped-speaker"


@dataclass
class _Cue:
    begins: str
    ends: str | None
    start: int = -1  # the words' first character in the text (-1: none yet)
    end: int = -1
    speaker: tuple[str, int] | None = None  # the speaker's name and where it is
    line_start: int = -1  # a speaker line's first character: the cue shows the name with the words


def _kind(line: str) -> tuple[str, re.Match[str]] | None:
    if len(line) > MAX_TIMECODE_LINE or _ANY_TS.search(line) is None:
        return None
    for kind, pattern in (("range", _RANGE), ("bare", _BARE), ("speaker", _SPEAKER), ("prefix", _PREFIX)):
        found = pattern.match(line)
        if found is not None:
            return kind, found
    return None


def _words(line: str, at: int, begin: int) -> tuple[int, int]:
    """Where the words of ``line`` (from its character ``begin``; the line starts at ``at``) are,
    without the blanks around them."""
    stripped = line[begin:].strip()
    if not stripped:
        return -1, -1
    first = at + line.index(stripped, begin)
    return first, first + len(stripped)


def timestamped(text: str) -> tuple[list[Segment], list[Voice]] | None:
    """The cues of a timestamped transcript (the offsets of their words in ``text``, their times as
    written) and the turns its speaker lines give; None when ``text`` is not such a transcript."""
    if len(_ANY_TS.findall(text, 0, 100_000)) < MIN_LINES:
        return None
    lines = text.split("\n")
    kinds = [_kind(line) for line in lines]
    timed = sum(1 for k in kinds if k is not None)
    if timed < MIN_LINES or timed < MIN_SHARE * sum(1 for line in lines if line.strip()):
        return None
    cues: list[_Cue] = []
    at = 0
    for line, kind in zip(lines, kinds, strict=True):
        if kind is None:
            first, last = _words(line, at, 0)
            if cues and first >= 0:
                cue = cues[-1]
                cue.start = first if cue.start < 0 else cue.start
                cue.end = last
        else:
            name, found = kind
            if name == "range":
                cue = _Cue(found.group(1), found.group(2))
                cue.start, cue.end = _words(line, at, found.start(3))
            elif name == "prefix":
                words = 2 if found.group(1) else 4
                cue = _Cue(found.group(1) or found.group(3), None)
                cue.start, cue.end = _words(line, at, found.start(words))
            elif name == "speaker":
                cue = _Cue(found.group(2), None, speaker=(found.group(1), at + found.start(1)), line_start=at)
            else:
                cue = _Cue(found.group(1), None)
            cues.append(cue)
        at += len(line) + 1
    for cue, following in zip(cues, cues[1:], strict=False):
        if cue.ends is None:
            cue.ends = following.begins
    segments: list[Segment] = []
    voices: list[Voice] = []
    for index, cue in enumerate(cues, start=1):
        if cue.start < 0:
            continue
        # a speaker's cue begins at the speaker's line, so that the extractors read who speaks
        segments.append(Segment(index=index, start=cue.line_start if cue.speaker else cue.start, end=cue.end,
                                begins=cue.begins, ends=cue.ends or cue.begins))
        if cue.speaker is not None:
            name, where = cue.speaker
            voices.append(Voice(speaker=name, named=not is_anonymous(name), label_start=where,
                                label_end=where + len(name), start=cue.start, end=cue.end, method=SPEAKER_METHOD))
    return (segments, voices) if segments else None


def read_timestamped_text(data: bytes, path: Path | str, media_type: str = "text/plain") -> ReadDocument:
    """A plain-text file, with its cues (and speakers) when it is a timestamped transcript."""
    read = read_text(data, path, media_type)
    found = timestamped(read.text)
    if found is None:
        return read
    segments, voices = found
    return read.model_copy(update={"segments": segments, "voices": voices})
