"""The spans laid over a document's text on its page: entity mentions, quotes (and transcript
turns) and the timed cues of caption files. Each covers ``text[start:end]`` of the stored text."""

from __future__ import annotations

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


@dataclass(frozen=True)
class CueSpan:
    """A timed cue of a caption file: text[start:end] is shown from ``begins`` to ``ends``."""

    start: int
    end: int
    index: int
    begins: str
    ends: str
