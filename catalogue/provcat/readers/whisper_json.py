"""Speech-recognition output as JSON: OpenAI Whisper's and WhisperX's ``{"segments": [...]}``.

The catalogue does not recognise speech; it ingests the transcript such a tool wrote. Each segment
is a line of the stored text and a cue (its start and end times kept as written, in seconds, made
``HH:MM:SS.mmm``). Where the segments name speakers (WhisperX's ``speaker``, after diarization),
each run of segments by one speaker begins with the label and a colon, and is a turn credited to it
(anonymous labels such as ``SPEAKER_00`` stay anonymous). A JSON file that is not such a transcript
is not a document (kept, hashed and identified, without text).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ProvcatError
from ..extract.turns import is_diarization_label as is_anonymous
from ..models import ReadDocument, Segment, Voice
from . import NotText
from .plain_text import decode

OPTIONS = "one line per segment; a speaker's label before each run of their segments; words and scores left out"
SPEAKER_METHOD = "reader:transcript-speaker"


class NotATranscript(NotText):
    """A JSON file that is data of another kind, not a transcript: no warning, just no text."""


def _clock(seconds: Any) -> str | None:
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds < 10**7:
        return None
    millis = round(float(seconds) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def read_whisper_json(data: bytes, path: Path | str, media_type: str = "application/json") -> ReadDocument:
    raw, encoding = decode(data, path)
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise NotATranscript(path, f"JSON not readable ({exc}), so not a transcript") from exc
    segments_in = parsed.get("segments") if isinstance(parsed, dict) else None
    if not isinstance(segments_in, list) or not segments_in or not all(
            isinstance(s, dict) and isinstance(s.get("text"), str) for s in segments_in):
        raise NotATranscript(path, "JSON that is not a transcript (no list of segments with text)")
    parts: list[str] = []
    length = 0
    segments: list[Segment] = []
    voices: list[Voice] = []
    current: str | None = None
    run: list[int] = []  # label start, label end, speech start

    def close_run() -> None:
        if current is not None and run:
            voices.append(Voice(speaker=current, named=not is_anonymous(current), label_start=run[0],
                                label_end=run[1], start=run[2], end=segments[-1].end, method=SPEAKER_METHOD))

    for index, item in enumerate(segments_in, start=1):
        words = " ".join(item["text"].split())
        begins, ends = _clock(item.get("start")), _clock(item.get("end"))
        if not words or begins is None or ends is None:
            continue
        speaker = item.get("speaker")
        speaker = " ".join(speaker.split()) if isinstance(speaker, str) and speaker.strip() else None
        line = ""
        if speaker != current:
            close_run()
            current, run = speaker, []
            if speaker is not None:
                line = f"{speaker}: "
                run = [length, length + len(speaker), length + len(line)]
        start = length + len(line)
        line += words
        parts.append(line + "\n")
        segments.append(Segment(index=index, start=start, end=start + len(words), begins=begins, ends=ends))
        length += len(line) + 1
    close_run()
    if not segments:
        raise ProvcatError(path, "transcript JSON whose segments have no text or no times")
    return ReadDocument(text="".join(parts), encoding=encoding, media_type=media_type, segments=segments,
                        voices=voices, extracted_by="provcat transcript JSON reader", extraction_options=OPTIONS)
