"""The spans laid over a document's text on its page: entity mentions, quotes (and transcript
turns) and the timed cues of caption files. Each covers ``text[start:end]`` of the stored text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MentionSpan:
    """An entity mention: text[start:end] names the entity."""

    start: int
    end: int
    entity_id: str
    name: str | None = None
    entity_type: str | None = None
    method: str = ""
    confidence: float | None = None
    id: int | None = None
    surface: str | None = None


@dataclass(frozen=True)
class QuoteSpan:
    """A quote or transcript turn: text[start:end] is credited to the speaker (the label as
    attributed; ``speaker_name`` is the canonical name of ``speaker_entity_id`` when resolved)."""

    start: int
    end: int
    speaker: str | None = None
    kind: str = "direct"
    method: str = ""
    confidence: float | None = None
    id: int | None = None
    speaker_entity_id: str | None = None
    speaker_name: str | None = None
    text: str | None = None
    cue: str | None = None  # the attributing words, text[cue_start:cue_end]
    cue_start: int | None = None
    cue_end: int | None = None

    @property
    def cue_span(self) -> tuple[int, int] | None:
        if self.cue_start is None or self.cue_end is None:
            return None
        return self.cue_start, self.cue_end


@dataclass(frozen=True)
class CueSpan:
    """A timed cue of a caption file: text[start:end] is shown from ``begins`` to ``ends``."""

    start: int
    end: int
    index: int
    begins: str
    ends: str


def joined(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(start, end)`` ranges in order, empty ones dropped, overlapping and touching ones joined."""
    found: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if start >= end:
            continue
        if found and start <= found[-1][1]:
            found[-1] = (found[-1][0], max(end, found[-1][1]))
        else:
            found.append((start, end))
    return found
