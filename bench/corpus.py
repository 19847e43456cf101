"""Synthetic archives for the benchmarks, generated from parameters (nothing large is committed).

Documents read as plain English news: a headline, paragraphs that name people, organisations and
places, direct quotations with "said" attributions and reported speech; some short documents are
transcripts with labelled turns ("MARIA OKAFOR: ..."). Large documents are long transcripts. The same
seed always gives the same bytes.

Every generated document also carries the spans the generator put in it (names, places,
organisations, quotations with their speaker), so a catalogue can be written without running spaCy
(bench/generated_catalogue.py).

Usage:  .venv/bin/python bench/corpus.py OUT_DIR [--small N] [--small-bytes B] [--large N] [--large-mb M]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FIRST = ("Maria Daniel Aisha Tomas Priya Kwame Elena Samuel Fatima Jonas Mei Oliver Amara Lucas Ines Hassan "
         "Grace Mateo Leila Noah Sofia Ibrahim Clara Viktor Nadia Felix Rosa Arjun Hanna Diego").split()
SYLLABLES = ("ka ma ri to len sor vel an bre ston hol wick dar mer fin gal tor ney ash ford ley ber "
             "ro sa ni den mont cal ver").split()
ROLES = ("director spokesperson chair minister professor secretary mayor commissioner "
         "researcher editor").split()
ORGS = ("Harbour Council", "Northern Water Authority", "Institute for Public Records", "Civic Archive Trust",
        "Regional Transport Board", "Museum of Coastal History", "Federal Audit Office", "City University",
        "National Weather Service", "Farmers Union", "Broadcasting Standards Office", "River Basin Commission")
PLACES = ("Lisbon Quito Halifax Tbilisi Accra Gdansk Valparaiso Osaka Tromso Dundee Kingston Cork Perth "
          "Bergen Hobart Mombasa").split()
NOUNS = ("bridge budget report archive flood plan vote harbour railway library election contract "
         "hospital school grant survey").split()
VERBS_PAST = ("approved delayed published rejected reviewed announced funded criticised postponed opened "
              "inspected audited").split()
CLAIMS = (
    "the {noun} had been handled with far more care than critics suggest",
    "nobody in {place} should have to wait another year for the {noun}",
    "the figures in the {noun} were checked twice before anyone saw them",
    "we will not let the {noun} fail without a public hearing",
    "the decision on the {noun} was made in the open and the minutes prove it",
    "residents deserve to know what the {noun} will cost them",
    "the {org} has never hidden a single page of the {noun}",
    "there is still time to fix the {noun} if the money arrives this spring",
)
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday".split()
FILLERS = (
    "The {noun} has been discussed at {n} public meetings since {year}.",
    "Officials expect a final decision on the {noun} before the end of the year.",
    "Some residents welcomed the {noun}, while others asked for more time to read the {other}.",
    "The cost of the {noun} rose by {n} percent over the last {m} years.",
    "A copy of the {noun} was placed in the public library for anyone to read.",
    "Questions about the {other} were left for another meeting.",
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # person, organization, place, quote
    label: str  # the entity's name, or the speaker of a quotation


@dataclass
class Text:
    """Text under construction with the spans it contains."""

    parts: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    length: int = 0

    def add(self, piece: str, kind: str | None = None, label: str | None = None) -> None:
        if kind is not None:
            self.spans.append(Span(self.length, self.length + len(piece), kind, label or piece))
        self.parts.append(piece)
        self.length += len(piece)

    def extend(self, other: Text) -> None:
        self.spans.extend(Span(s.start + self.length, s.end + self.length, s.kind, s.label) for s in other.spans)
        self.parts.extend(other.parts)
        self.length += other.length

    def value(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class Document:
    path: str
    text: str
    spans: tuple[Span, ...]
    kind: str  # article or transcript

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


def surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {surname(rng)}"


def claim(rng: random.Random) -> str:
    return rng.choice(CLAIMS).format(noun=rng.choice(NOUNS), place=rng.choice(PLACES), org=rng.choice(ORGS))


def sentence(words: str) -> str:
    return words[0].upper() + words[1:] + "."


def quoted_sentence(rng: random.Random, who: str) -> Text:
    """A direct quotation with a "said" attribution, in one of a few common shapes."""
    t = Text()
    words = claim(rng)
    shape = rng.randrange(3)
    if shape == 0:
        t.add("\u201c")
        t.add(words[0].upper() + words[1:] + ",", "quote", who)
        t.add("\u201d said ")
        t.add(who, "person")
        t.add(f", {rng.choice(ROLES)} of the ")
        t.add(rng.choice(ORGS), "organization")
        t.add(". ")
    elif shape == 1:
        t.add(who, "person")
        t.add(" said: \u201c")
        t.add(words[0].upper() + words[1:] + ".", "quote", who)
        t.add("\u201d ")
    else:
        t.add('"')
        t.add(words[0].upper() + words[1:] + ",", "quote", who)
        t.add('" ')
        t.add(who.split()[-1], "person")
        t.add(" said. ")
    return t


def narrative_sentence(rng: random.Random, who: str) -> Text:
    t = Text()
    shape = rng.randrange(3)
    if shape == 0:
        t.add("The ")
        t.add(rng.choice(ORGS), "organization")
        t.add(f" {rng.choice(VERBS_PAST)} the {rng.choice(NOUNS)} in ")
        t.add(rng.choice(PLACES), "place")
        t.add(f" on {rng.choice(WEEKDAYS)}. ")
    elif shape == 1:
        t.add(who, "person")
        t.add(" said ")
        t.add(f"{claim(rng)}.", "quote", who)
        t.add(" ")
    else:
        t.add("According to ")
        t.add(who, "person")
        t.add(f", the {rng.choice(NOUNS)} was {rng.choice(VERBS_PAST)} after a long debate in ")
        t.add(rng.choice(PLACES), "place")
        t.add(". ")
    return t


def filler_sentence(rng: random.Random) -> Text:
    """A sentence without names or quotations."""
    t = Text()
    t.add(rng.choice(FILLERS).format(noun=rng.choice(NOUNS), other=rng.choice(NOUNS), n=rng.randint(2, 40),
                                     m=rng.randint(2, 9), year=rng.randint(1990, 2024)) + " ")
    return t


def article_sentence(rng: random.Random, who: str) -> Text:
    """One in four sentences quotes someone, one in five names someone, the rest name nobody."""
    draw = rng.random()
    if draw < 0.25:
        return quoted_sentence(rng, who)
    return narrative_sentence(rng, who) if draw < 0.45 else filler_sentence(rng)


def article(rng: random.Random, path: str, target_bytes: int) -> Document:
    t = Text()
    t.add(f"{rng.choice(ORGS)} {rng.choice(VERBS_PAST)} the {rng.choice(NOUNS)} in {rng.choice(PLACES)}\n\n")
    cast = [person(rng) for _ in range(rng.randint(2, 4))]
    while t.length < target_bytes:
        for _ in range(rng.randint(2, 4)):
            who = rng.choice(cast)
            t.extend(article_sentence(rng, who))
        t.add("\n\n")
    return Document(path, t.value(), tuple(t.spans), "article")


def transcript(rng: random.Random, path: str, target_bytes: int) -> Document:
    t = Text()
    cast = [person(rng) for _ in range(rng.randint(2, 3))]
    while t.length < target_bytes:
        who = rng.choice(cast)
        t.add(who.upper(), "person", who)
        t.add(": ")
        turn = " ".join(sentence(claim(rng)) for _ in range(rng.randint(1, 3)))
        t.add(turn, "quote", who)
        t.add("\n")
    return Document(path, t.value(), tuple(t.spans), "transcript")


def small_documents(count: int, target_bytes: int = 3000, seed: int = 1) -> Iterator[Document]:
    """``count`` short documents (four in five articles, one in five transcripts), 1,000 per folder."""
    for n in range(count):
        rng = random.Random(seed * 1_000_003 + n)
        path = f"batch-{n // 1000:04d}/doc-{n:06d}.txt"
        make = transcript if n % 5 == 4 else article
        yield make(rng, path, target_bytes)


def large_documents(count: int, megabytes: float, seed: int = 2) -> Iterator[Document]:
    """``count`` long transcripts of about ``megabytes`` MB each, made of turns drawn from a pool (so that
    generating a gigabyte takes seconds) under a header unique to each file."""
    pool_rng = random.Random(seed)
    pool = [transcript(random.Random(seed * 7919 + i), "", 4000) for i in range(200)]
    target = int(megabytes * 1_000_000)
    for n in range(count):
        rng = random.Random(pool_rng.random())
        t = Text()
        t.add(f"Hearing {n:05d} recorded in {rng.choice(PLACES)}\n\n")
        while t.length < target:
            part = rng.choice(pool)
            piece = Text(parts=[part.text], spans=list(part.spans), length=len(part.text))
            t.extend(piece)
        yield Document(f"hearings/hearing-{n:05d}.txt", t.value(), tuple(t.spans), "transcript")


def write(documents: Iterator[Document], root: Path) -> list[Document]:
    """Write the documents below ``root``; return them (their text stays in memory: keep it small)."""
    written = []
    for doc in documents:
        target = root / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(doc.data)
        written.append(doc)
    return written


def write_only(documents: Iterator[Document], root: Path) -> int:
    """Write the documents below ``root`` without keeping them; return the bytes written."""
    total = 0
    for doc in documents:
        target = root / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = doc.data
        target.write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--small", type=int, default=1000, help="short documents (default 1000)")
    parser.add_argument("--small-bytes", type=int, default=3000)
    parser.add_argument("--large", type=int, default=0, help="long transcripts (default 0)")
    parser.add_argument("--large-mb", type=float, default=5.0)
    args = parser.parse_args(argv)
    total = write_only(small_documents(args.small, args.small_bytes), args.out)
    total += write_only(large_documents(args.large, args.large_mb), args.out)
    print(f"wrote {args.small + args.large} documents, {total:,} bytes, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
