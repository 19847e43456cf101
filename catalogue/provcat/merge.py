"""Merge: the curator's sidecar applied to the machine's assertions about one document.

Curated assertions win: a machine mention or quote overlapping a curated one is dropped, rejected
machine assertions are removed (and counted), and every curated assertion says ``method='curated'``
with confidence 1.0. Curated assertions are anchored to the text like any other: a quote or surface
form that cannot be found in the document is an error naming the sidecar.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from pathlib import Path

from .curation import Curation, fold
from .errors import ProvcatError
from .models import Extraction, Mention, Quote, Sidecar

CURATED = "curated"


def find_occurrence(text: str, needle: str, occurrence: int = 1) -> int:
    """Offset of the n-th occurrence of ``needle``, or -1."""
    at = -1
    for _ in range(occurrence):
        at = text.find(needle, at + 1)
        if at < 0:
            return -1
    return at


def nearest_occurrence(text: str, needle: str, at: int) -> int:
    """Offset of the occurrence of ``needle`` nearest to ``at`` (the earlier of two as near), or -1."""
    before = text.rfind(needle, 0, at + len(needle))  # the last one starting at or before ``at``
    after = text.find(needle, at + 1)
    if before < 0 or (after >= 0 and after - at < at - before):
        return after
    return before


def _whole_words(surface: str) -> str:
    """A pattern for ``surface`` that does not match inside a longer word."""
    pattern = re.escape(surface)
    if surface[:1].isalnum():
        pattern = r"(?<!\w)" + pattern
    if surface[-1:].isalnum():
        pattern += r"(?!\w)"
    return pattern


class Covered:
    """Spans of a document, asked whether any of them overlaps a given span: in logarithmic time,
    so that a sidecar naming a common word, or thousands of quotes, costs in proportion."""

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        ordered = sorted(spans or [])
        self.starts = [start for start, _ in ordered]
        self.reach: list[int] = []  # the furthest end of the spans up to each one
        for _, end in ordered:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, end)  # the spans that start before ``end``
        return before > 0 and self.reach[before - 1] > start

    def add_disjoint(self, start: int, end: int) -> None:
        """Add a span that overlaps none of them (so that the spans stay disjoint and sorted)."""
        at = bisect_left(self.starts, start)
        self.starts.insert(at, start)
        self.reach.insert(at, end)  # disjoint spans: each one's end is the furthest so far


def curated_assertions(text: str, sidecar: Sidecar, curation: Curation, where: Path) -> Extraction:
    mentions: list[Mention] = []
    quotes: list[Quote] = []
    forms = [(surface, item.entity) for item in sidecar.entities for surface in item.surfaces]
    # longest forms first, so "Berg" inside an already found "Anna Berg" is not a second mention
    taken = Covered()
    for surface, entity in sorted(forms, key=lambda f: -len(f[0])):
        authority = curation.authority(entity)
        assert authority is not None  # checked when the sidecar was loaded
        found = [m.start() for m in re.finditer(_whole_words(surface), text)]
        if not found:
            raise ProvcatError(where, f"entity '{entity}': surface form '{surface}' is not in the document")
        for at in found:
            if taken.overlaps(at, at + len(surface)):
                continue
            taken.add_disjoint(at, at + len(surface))
            mentions.append(Mention(start=at, end=at + len(surface), surface=surface, name=authority.name,
                                    type=authority.type, method=CURATED, confidence=1.0))
    mentions.sort(key=lambda m: m.start)
    for speaker in sidecar.speakers:
        at = find_occurrence(text, speaker.quote, speaker.occurrence)
        if at < 0:
            raise ProvcatError(where, f"speaker '{speaker.name}': quote text is not in the document")
        cue_start = cue_end = None
        if speaker.cue:
            cue_start = nearest_occurrence(text, speaker.cue, at)
            if cue_start < 0:
                raise ProvcatError(where, f"speaker '{speaker.name}': cue '{speaker.cue}' is not in the document")
            cue_end = cue_start + len(speaker.cue)
        authority = curation.authority(speaker.entity) if speaker.entity else None
        quotes.append(Quote(
            start=at, end=at + len(speaker.quote), text=speaker.quote,
            speaker=authority.name if authority else speaker.name,
            speaker_name=authority.name if authority else None,
            speaker_type=authority.type if authority else None,
            cue=speaker.cue, cue_start=cue_start, cue_end=cue_end, kind=speaker.kind, method=CURATED,
            confidence=1.0,
        ))
    return Extraction(mentions=mentions, quotes=quotes)


def apply_sidecar(text: str, machine: Extraction, sidecar: Sidecar | None, curation: Curation,
                  where: Path | None = None) -> tuple[Extraction, dict[tuple[str, str], int]]:
    """Machine assertions corrected by the sidecar; also how many assertions each rejection removed."""
    if sidecar is None:
        return machine, {}
    curated = curated_assertions(text, sidecar, curation, where or Path(sidecar.document))
    ids = curation.authority_ids_by_name
    # folded value -> the value as the curator wrote it, per kind of rejection
    rejections = {"entity": {fold(v): v for v in sidecar.reject.entities},
                  "speaker": {fold(v): v for v in sidecar.reject.speakers}}
    counts = {(kind, v): 0 for kind, values in rejections.items() for v in values.values()}

    def rejected(values: list[str | None], kind: str) -> bool:
        for value in values:
            if value is None:
                continue
            for key in (fold(value), ids.get(fold(value), "")):
                if key in rejections[kind]:
                    counts[(kind, rejections[kind][key])] += 1
                    return True
        return False

    curated_mentions = Covered([(c.start, c.end) for c in curated.mentions])
    curated_quotes = Covered([(c.start, c.end) for c in curated.quotes])
    mentions = [m for m in machine.mentions
                if not curated_mentions.overlaps(m.start, m.end) and not rejected([m.name, m.surface], "entity")]
    quotes = [q for q in machine.quotes
              if not curated_quotes.overlaps(q.start, q.end) and not rejected([q.speaker, q.speaker_name], "speaker")]
    mentions = sorted([*mentions, *curated.mentions], key=lambda m: (m.start, m.end))
    quotes = sorted([*quotes, *curated.quotes], key=lambda q: (q.start, q.end))
    return Extraction(mentions=mentions, quotes=quotes), counts
