"""Build cost against the size of one document: time and peak memory of ``provcat build``.

A build's cost should grow linearly with the document: an 8 MB transcript should build in under
8 × the 1 MB time × 1.3, with a peak under 1.5 GB. Before the extraction was rewritten, a 2 MB news
text took 17 minutes and 6.5 GB, and hostile text (a megabyte of quotation marks, of unclosed
comments, of tiny quotations, or 200,000 names) hung a build or exhausted memory. This benchmark
shows how time and memory grow now.

For each kind of document and each size, one archive holds exactly one document of that size (a
``.txt`` file; 1 MB = 1,000,000 bytes of UTF-8), and ``provcat build ARCHIVE --metadata EMPTY --db DB
--json`` runs as a command into a new catalogue each time (wall time, CPU time and peak memory from
GNU time, see timing.run_once). The kinds:

- real-looking text, at ``--size-mb`` sizes: a news article (bench/corpus.py's ``article``) and a
  hearing transcript (turns of several sentences by a handful of speakers, questions from the
  chair, quotations inside the turns);
- hostile patterns, at ``--hostile-mb`` sizes: ``"`` repeated, ``“`` repeated, ``<!--`` repeated
  (comments that never close), tiny quotations ``"a" `` repeated, and distinct person names, one
  "Firstname Lastname said." per line, at ``--names-mb`` sizes (50,000 names a megabyte: 200,000
  at 4 MB).

Ratios are between figures of the same session and the same kind: each size's median time against
the smallest size's. A build's time includes its start-up (Python, the spaCy pipeline), so each
kind also builds a 1 KB document of its own in every round, and the ratios are given both raw and
with that 1 KB build's time subtracted. Sizes below ``LARGE_MB`` run ``--size-runs`` times, larger
ones ``--size-runs-large`` times (a build of 8 MB takes minutes), in rounds: every size once, then
again. The load average at the start and end is reported, since the machine may be shared.

Usage:  .venv/bin/python bench/size.py --workdir DIR [--size-mb 0.5,1,2,4,8] [--hostile-mb 0.5,1,2]
            [--names-mb 0.5,1,2,4] [--size-kinds article,transcript,...] [--size-runs 2] [--size-runs-large 1]
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus import (
    FIRST,
    NOUNS,
    ORGS,
    PLACES,
    SYLLABLES,
    VERBS_PAST,
    Text,
    article,
    claim,
    filler_sentence,
    narrative_sentence,
    person,
    quoted_sentence,
    sentence,
)
from timing import PROVCAT, PYTHON, Sample, run_once, run_part_alone, table

MB = 1_000_000
#: Bytes of the start-up reference document each kind builds in every round.
TINY_BYTES = 1_000
#: Sizes from this one on (in MB) are run ``--size-runs-large`` times.
LARGE_MB = 2.0
#: The promise: the largest size within this factor of linear from the 1 MB time, under this peak.
SLACK = 1.3
PEAK_LIMIT_MIB = 1.5e9 / 2**20


# -- the documents -----------------------------------------------------------------------------------


def news_article(size: int) -> str:
    """One long news article: paragraphs of quotations, reported speech and plain sentences among a
    few people, as bench/corpus.py writes its short ones."""
    return article(random.Random(11), "article.txt", size).text


QUESTIONS = (
    "Can you tell the committee when the {noun} was first discussed?",
    "Who decided that the {noun} should be {verb} without a vote?",
    "Were the residents of {place} told what the {noun} would cost?",
    "Is it your evidence that the {org} saw the {noun} before it was published?",
    "What did you do when you learned that the {noun} had been {verb}?",
)
TRANSITIONS = ("Thank you.", "I am grateful for that answer.", "Let me follow up on that.",
               "I want to be precise about this.", "Thank you, chair.")


def hearing(size: int) -> str:
    """A hearing transcript of about ``size`` bytes: a chair and four witnesses or members, labelled
    turns of two to seven sentences (questions from the chair; answers that mix claims, plain
    sentences, reported speech and quotations of other people), a blank line between turns."""
    rng = random.Random(12)
    t = Text()
    t.add(f"Public hearing of the {rng.choice(ORGS)}, {rng.choice(PLACES)}\n\nTranscript of proceedings\n\n")
    chair, *others = [person(rng) for _ in range(5)]
    outsiders = [person(rng) for _ in range(6)]
    previous = chair
    while t.length < size:
        who = rng.choice(others) if previous == chair or rng.random() < 0.3 else chair
        previous = who
        t.add(who.upper(), "person", who)
        t.add(": ")
        for _ in range(rng.randint(2, 7)):
            draw = rng.random()
            if who == chair and draw < 0.4:
                question = rng.choice(QUESTIONS).format(
                    noun=rng.choice(NOUNS), verb=rng.choice(VERBS_PAST), place=rng.choice(PLACES), org=rng.choice(ORGS))
                t.add(f"{rng.choice(TRANSITIONS)} {question} ")
            elif draw < 0.2:
                t.extend(quoted_sentence(rng, rng.choice(outsiders + [chair])))
            elif draw < 0.3:
                t.extend(narrative_sentence(rng, rng.choice(outsiders)))
            elif draw < 0.55:
                t.extend(filler_sentence(rng))
            else:
                t.add(sentence(claim(rng)) + " ", "quote", who)
        t.add("\n\n")
    return t.value()


def repeated(piece: str) -> Callable[[int], str]:
    """``piece`` repeated to ``size`` bytes of UTF-8 (a whole number of pieces)."""
    return lambda size: piece * (size // len(piece.encode()))


def said_names(size: int) -> str:
    """Distinct person names, one "Firstname Lastname said." per line (about 20 bytes a line): every
    line an entity (spaCy tags nearly all of them) and a speech verb without a quotation."""
    surnames = dict.fromkeys("".join(s).capitalize() for s in itertools.product(SYLLABLES, repeat=3))
    everyone = [f"{first} {last}" for first in FIRST for last in surnames]
    random.Random(13).shuffle(everyone)
    lines, total = [], 0
    for name in everyone:
        if total >= size:
            break
        line = f"{name} said.\n"
        lines.append(line)
        total += len(line)
    else:
        raise ValueError(f"only {len(everyone):,} distinct names: {size:,} bytes of them cannot be made")
    return "".join(lines)


@dataclass(frozen=True)
class Kind:
    slug: str
    description: str
    make: Callable[[int], str]
    hostile: bool
    sizes: str  # the option that gives its sizes


KINDS = {k.slug: k for k in (
    Kind("article", "news article", news_article, False, "size_mb"),
    Kind("transcript", "hearing transcript (labelled turns, quotations inside turns)", hearing, False, "size_mb"),
    Kind("straight-quotes", '`"` repeated', repeated('"'), True, "hostile_mb"),
    Kind("curly-quotes", "`\u201c` repeated", repeated("\u201c"), True, "hostile_mb"),
    Kind("unclosed-comments", "`<!--` repeated (comments never closed)", repeated("<!--"), True, "hostile_mb"),
    Kind("tiny-quotations", '`"a" ` repeated (many tiny quotations)', repeated('"a" '), True, "hostile_mb"),
    Kind("names", "distinct names, one `Firstname Lastname said.` per line", said_names, True, "names_mb"),
)}


# -- measuring ---------------------------------------------------------------------------------------


@dataclass
class Point:
    """One document of one kind and size, its archive, and the builds measured on it."""

    kind: Kind
    megabytes: float  # the size asked for; 0 for the 1 KB start-up reference
    root: Path
    runs: int
    size_bytes: int = 0
    characters: int = 0
    samples: list[Sample] = field(default_factory=list)
    found: dict[str, object] = field(default_factory=dict)  # what the last build catalogued

    @property
    def label(self) -> str:
        return "1 KB" if self.megabytes == 0 else f"{self.megabytes:g} MB"

    @property
    def db(self) -> Path:
        return self.root / "catalogue.db"

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(s.max_rss_kb for s in self.samples) / 1024

    def command(self) -> list[str]:
        return [str(PROVCAT), "build", str(self.root / "archive"), "--metadata", str(self.root / "no-metadata"),
                "--db", str(self.db), "--json"]


def prepare(kind: Kind, megabytes: float, runs: int, workdir: Path) -> Point:
    """The archive of one document of ``kind`` and this size, generated once (the same bytes every
    time) and reused from ``workdir`` afterwards."""
    size = TINY_BYTES if megabytes == 0 else round(megabytes * MB)
    root = workdir / "size" / f"{kind.slug}-{'1KB' if megabytes == 0 else f'{megabytes:g}MB'}"
    document = root / "archive" / f"{kind.slug}.txt"
    if not document.is_file():
        if root.exists():
            shutil.rmtree(root)
        (root / "no-metadata").mkdir(parents=True)
        document.parent.mkdir()
        text = kind.make(size)
        partial = document.with_suffix(".partial")  # outside the build's .txt files until complete
        partial.write_text(text, encoding="utf-8", newline="")
        partial.rename(document)
    data = document.read_bytes()
    return Point(kind, megabytes, root, runs, len(data), len(data.decode("utf-8")))


def new_catalogue(point: Point) -> None:
    """Before each build: no catalogue, so every build extracts the document afresh."""
    for path in point.root.iterdir():
        if path.name.startswith("catalogue.db"):
            path.unlink()


def catalogued(db: Path) -> dict[str, object]:
    """What a build found: the document's type and how many mentions, entities and quotations, so the
    figures can be read as the cost of real work."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        kind = conn.execute("select type from documents").fetchone()
        counts = {table: conn.execute(f"select count(*) from {table}").fetchone()[0]
                  for table in ("mentions", "entities", "quotes")}
    conn.close()
    return {"type": kind[0] if kind else None, **counts}


def measured_code() -> str:
    """Where the build commands import provcat from (PYTHONPATH can point them at a copy of one
    revision while the working tree changes)."""
    found = subprocess.run([str(PYTHON), "-c", "import provcat; print(provcat.__file__)"], capture_output=True,
                           text=True, check=True)
    return str(Path(found.stdout.strip()).parent)


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def measure_kind(kind: Kind, sizes: list[float], args: argparse.Namespace, workdir: Path) -> list[Point]:
    """The 1 KB reference and every size of one kind, in rounds: each point once per round, for as
    many rounds as it has runs."""
    points = [prepare(kind, 0, args.size_runs, workdir)]
    points += [prepare(kind, mb, args.size_runs if mb < LARGE_MB else args.size_runs_large, workdir)
               for mb in sorted(sizes)]
    for round_number in range(max(p.runs for p in points)):
        for point in points:
            if round_number >= point.runs:
                continue
            new_catalogue(point)
            sample = run_once(point.command())
            point.samples.append(sample)
            print(f"size: {kind.slug} {point.label} run {round_number + 1}/{point.runs}: {sample.seconds:,.1f} s, "
                  f"CPU {sample.cpu_seconds:,.1f} s, peak {sample.max_rss_kb / 1024:,.0f} MiB (load {load()})",
                  flush=True)
            if round_number + 1 == point.runs:
                point.found = catalogued(point.db)
                new_catalogue(point)
    return points


# -- reporting ---------------------------------------------------------------------------------------


def ratio(value: float, base: float) -> float:
    return value / base if base > 0 else math.nan


def rate(megabytes_per_second: float) -> str:
    """MB/s with three significant figures (hostile text builds at thousandths of a MB a second)."""
    return f"{megabytes_per_second:.3g}"


def exponent(size_ratio: float, time_ratio: float) -> float:
    """The power of the size that the time grows with between two points: 1 is linear, 2 quadratic."""
    if size_ratio <= 1 or not time_ratio > 0:
        return math.nan
    return math.log(time_ratio) / math.log(size_ratio)


def kind_report(points: list[Point]) -> tuple[str, dict[str, object]]:
    tiny, smallest, *_ = points
    kind = tiny.kind
    rows, data = [], []
    for p in points[1:]:
        size_ratio = p.size_bytes / smallest.size_bytes
        raw = ratio(p.seconds, smallest.seconds)
        net = ratio(p.seconds - tiny.seconds, smallest.seconds - tiny.seconds)
        cpu = ratio(p.cpu_seconds - tiny.cpu_seconds, smallest.cpu_seconds - tiny.cpu_seconds)
        rows.append([p.label, f"{p.characters:,}", str(len(p.samples)), f"{p.seconds:,.1f}", f"{p.cpu_seconds:,.1f}",
                     f"{size_ratio:.2f}", f"{raw:.2f}", f"{net:.2f}", f"{cpu:.2f}",
                     rate(p.size_bytes / MB / p.seconds), rate(p.size_bytes / MB / (p.seconds - tiny.seconds)),
                     f"{p.peak_mib:,.0f}", f"{p.peak_mib - tiny.peak_mib:,.0f}",
                     f"{p.found.get('type')}, {p.found.get('mentions', 0):,} / {p.found.get('entities', 0):,} / "
                     f"{p.found.get('quotes', 0):,}"])
        data.append({"megabytes": p.megabytes, "bytes": p.size_bytes, "characters": p.characters,
                     "samples_s": [s.seconds for s in p.samples], "cpu_s": [s.cpu_seconds for s in p.samples],
                     "median_s": p.seconds, "peak_rss_mib": p.peak_mib, "size_ratio": size_ratio,
                     "time_ratio": raw, "time_ratio_minus_1kb": net, "cpu_ratio_minus_1kb": cpu,
                     "catalogued": p.found})
    largest = points[-1]
    size_ratio = largest.size_bytes / smallest.size_bytes
    raw = ratio(largest.seconds, smallest.seconds)
    net = ratio(largest.seconds - tiny.seconds, smallest.seconds - tiny.seconds)
    growth, growth_net = exponent(size_ratio, raw), exponent(size_ratio, net)
    memory = ratio(largest.peak_mib - tiny.peak_mib, smallest.peak_mib - tiny.peak_mib)
    within = all(d["time_ratio_minus_1kb"] <= SLACK * d["size_ratio"] for d in data)
    text = f"*{kind.description}* (`{kind.slug}`): 1 KB build (start-up reference) {tiny.seconds:,.1f} s, " \
           f"peak {tiny.peak_mib:,.0f} MiB"
    if len(points) > 2:
        text += (f"; from {smallest.label} to {largest.label} (size × {size_ratio:.2f}) the time grows × {raw:.2f} "
                 f"(× {net:.2f} without the 1 KB time: the size to the power {growth_net:.2f}; raw {growth:.2f}), "
                 f"the peak above the 1 KB build's × {memory:.2f}; time ratio − 1 KB within {SLACK} × the size ratio "
                 f"at every size: {'yes' if within else '**no**'}")
    text += "\n\n" + table(["size", "characters", "runs", "median s", "CPU s", "size ratio", "time ratio",
                             "time ratio − 1 KB", "CPU ratio − 1 KB", "MB/s", "MB/s − 1 KB", "peak MiB",
                             "peak − 1 KB MiB", "type, mentions / entities / quotes"], rows)
    checks = targets(points)
    if checks:
        text += "\n\n" + "\n".join(f"- {line}" for line in checks["lines"])
    return text, {"kind": kind.slug, "description": kind.description,
                  "tiny": {"bytes": tiny.size_bytes, "samples_s": [s.seconds for s in tiny.samples],
                           "median_s": tiny.seconds, "peak_rss_mib": tiny.peak_mib},
                  "sizes": data, "exponent": growth, "exponent_minus_1kb": growth_net, "peak_growth": memory,
                  "linear_within_slack": within, "targets": checks}


def targets(points: list[Point]) -> dict[str, object]:
    """For the real-looking kinds: the largest size against the 1 MB one (or the smallest, without a
    1 MB point), within ``SLACK`` of linear, raw and without the 1 KB time; every peak under 1.5 GB."""
    tiny, *sized = points
    if tiny.kind.hostile or len(sized) < 2:
        return {}
    base = next((p for p in sized if p.megabytes == 1), sized[0])
    largest = sized[-1]
    factor = largest.size_bytes / base.size_bytes
    limit = factor * base.seconds * SLACK
    limit_net = factor * (base.seconds - tiny.seconds) * SLACK
    peak = max(p.peak_mib for p in sized)
    linear, linear_net = largest.seconds < limit, largest.seconds - tiny.seconds < limit_net
    small = peak < PEAK_LIMIT_MIB
    yes = {True: "**holds**", False: "**does not hold**"}
    lines = [f"{largest.label} < {factor:.2f} × {base.label} time × {SLACK}: {largest.seconds:,.1f} s against "
             f"{limit:,.1f} s — {yes[linear]}; without the 1 KB time: {largest.seconds - tiny.seconds:,.1f} s against "
             f"{limit_net:,.1f} s — {yes[linear_net]}",
             f"peak < 1.5 GB ({PEAK_LIMIT_MIB:,.0f} MiB): highest {peak:,.0f} MiB — {yes[small]}"]
    return {"largest": largest.megabytes, "base": base.megabytes, "limit_s": limit, "limit_minus_1kb_s": limit_net,
            "linear": linear, "linear_minus_1kb": linear_net, "peak_mib": peak, "peak_under_limit": small,
            "lines": lines}


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[dict[str, object]]]:
    unknown = set(args.size_kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"unknown kind(s) for --size-kinds: {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
    started = load()
    print(f"size: load average at the start {started}", flush=True)
    warm = prepare(KINDS[args.size_kinds[0]], 0, 1, workdir)
    new_catalogue(warm)
    run_once(warm.command())  # untimed: the first start-up reads Python and spaCy from disk
    new_catalogue(warm)
    texts, results = [], []
    for slug in args.size_kinds:
        kind = KINDS[slug]
        points = measure_kind(kind, getattr(args, kind.sizes), args, workdir)
        text, data = kind_report(points)
        print(text + "\n", flush=True)
        texts.append(text)
        results.append(data)
    ended = load()
    if args.size_runs != args.size_runs_large:
        runs = (f"median of {args.size_runs} runs below {LARGE_MB:g} MB, {args.size_runs_large} from {LARGE_MB:g} MB "
                "on (a median of 2 is their mean)")
    else:
        runs = f"median of {args.size_runs} runs" if args.size_runs > 1 else "one run each"
    head = (f"**Build cost against document size** — one document per archive, `provcat build` into a new "
            f"catalogue each time; {runs}, in rounds; peak = GNU time's maximum resident set; load average "
            f"(1 / 5 / 15 min) at the start {started}, at the end {ended}; provcat from {measured_code()}")
    print(head + "\n", flush=True)
    return ["\n\n".join([head, *texts])], [{"size": results, "load_start": started, "load_end": ended,
                                            "runs": args.size_runs, "runs_large": args.size_runs_large,
                                            "large_mb": LARGE_MB}]


def needed_gb(args: argparse.Namespace) -> float:
    """The documents, and one catalogue at a time holding each twice (text and bytes)."""
    sizes = [getattr(args, KINDS[k].sizes) for k in args.size_kinds if k in KINDS]
    return sum(sum(s) for s in sizes) / 1000 + 3 * max((max(s) for s in sizes if s), default=0) / 1000


def megabytes(value: str) -> list[float]:
    return [float(v) for v in value.split(",") if v.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size-mb", type=megabytes, default=[0.5, 1, 2, 4, 8],
                        help="sizes of the article and transcript, comma-separated MB (default 0.5,1,2,4,8)")
    parser.add_argument("--hostile-mb", type=megabytes, default=[0.5, 1, 2],
                        help="sizes of the hostile patterns, comma-separated MB (default 0.5,1,2)")
    parser.add_argument("--names-mb", type=megabytes, default=[0.5, 1, 2, 4],
                        help="sizes of the document of names, comma-separated MB (default 0.5,1,2,4: 200,000 names "
                             "at 4 MB)")
    parser.add_argument("--size-kinds", type=lambda v: [k.strip() for k in v.split(",") if k.strip()],
                        default=list(KINDS), help=f"kinds of document, comma-separated (default {','.join(KINDS)})")
    parser.add_argument("--size-runs", type=int, default=2, help=f"builds of each size below {LARGE_MB:g} MB")
    parser.add_argument("--size-runs-large", type=int, default=1, help=f"builds of each size from {LARGE_MB:g} MB on")


def main(argv: list[str] | None = None) -> int:
    return run_part_alone(__doc__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
