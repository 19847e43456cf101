"""Build throughput per file format: reading, identification and the whole build, side by side.

For each format the catalogue reads (plain text, Markdown, a web page, PDF, DOCX, ODT, e-mail,
speech-recognition JSON, SubRip, WebVTT) a folder of ``--files`` generated files, each holding a
few hundred words of invented news (bench/corpus.py; the same seed always gives the same bytes).
The written formats hold the same articles, one per file number (a headline and paragraphs that
name people, organisations and places, with quotations); the spoken ones (``.json``, ``.srt``,
``.vtt``) the same transcripts, turns of labelled speakers cut into cues of a sentence. Each file
is written the way the tests write its format (tests/format_files.py, tests/pdf_files.py): a web
page with its navigation, metadata and footer, a PDF with a text layer in standard Helvetica (so
straight quotation marks), a DOCX and an ODT with a title and an author, a plain-text e-mail with a
quoted reply, Whisper-style JSON with segments and anonymous speakers, WebVTT with voices.

Measured in this process, warm page cache, each format in turn in every round, the **best** of the
rounds kept (the machine may be shared, and a figure can only be slowed by other work):

- **reading**: ``provcat.readers.read_document`` over the files' bytes, already in memory
  (best of ``--read-runs``);
- **identification**: ``provcat.identify.identify_files`` on the files, 64 a call as a build does
  (best of ``--read-runs``);
- **whole build**: ``provcat.build.build_catalogue`` of the folder holding only that format into a
  new catalogue, empty metadata folder (best of ``--runs``). The spaCy pipeline is loaded before
  the first round (one untimed build of the tests' small archive of every format), so a build's
  figure leaves out start-up. In every build the time spent in reading, in identification and in
  extraction (``extract_all``: spaCy and the rules reading its parse) is also added up, by wrapping
  those three functions, so the shares are of the same run (the build's CPU time is kept in the
  ``--json`` output beside them).

Ratios are to plain text's figure of the same run. MB are 10^6 bytes of the input files; words are
the whitespace-separated words of the generated text each file holds (not its markup, metadata,
cue timings or speaker labels), the same for every written format.

Usage:  .venv/bin/python bench/formats.py [--files 40] [--text-bytes 2000] [--runs 3] [--read-runs 5]
            [--formats txt,md,html,pdf,docx,odt,eml,json,srt,vtt] [--workdir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime
import html
import io
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpus import Document, article, person, transcript
from timing import ROOT, machine, table

sys.path.insert(0, str(ROOT / "catalogue"))
sys.path.insert(0, str(ROOT / "tests"))  # the tests' writers of each format

CHUNK = 64  # files a call to Siegfried, as provcat.build.IDENTIFY_FILES
FORMATS = ("txt", "md", "html", "pdf", "docx", "odt", "eml", "json", "srt", "vtt")
SPOKEN = frozenset({"json", "srt", "vtt"})
SITES = ("The Kerrow Gazette", "Brackwater Evening Post", "Ardmore Courier", "The Coastal Ledger")


# ---------------------------------------------------------------------------------------------
# The corpus: the same text in every written format, the same transcripts in every spoken one
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """One generated article: headline, paragraphs, byline and date."""

    headline: str
    paragraphs: list[str]
    author: str
    date: datetime.datetime
    site: str


@dataclass(frozen=True)
class Turn:
    speaker: str
    sentences: list[str]


def story(n: int, target_bytes: int, seed: int) -> Story:
    rng = random.Random(seed * 1_000_003 + n)
    doc: Document = article(rng, f"story-{n:04d}", target_bytes)
    headline, _, body = doc.text.partition("\n\n")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    date = datetime.datetime(2024, 1, 1, 9, 0) + datetime.timedelta(days=n * 3 % 360, minutes=n * 37 % 600)
    return Story(headline, paragraphs, person(rng), date, rng.choice(SITES))


def turns(n: int, target_bytes: int, seed: int) -> list[Turn]:
    """A transcript of bench/corpus.py (``NAME: sentences`` lines), as turns of sentences."""
    rng = random.Random(seed * 1_000_003 + n)
    out = []
    for line in transcript(rng, f"talk-{n:04d}", target_bytes).text.splitlines():
        name, _, said = line.partition(": ")
        out.append(Turn(name.title(), [s for s in re.split(r"(?<=\.) ", said) if s]))
    return out


def _plain(text: str) -> str:
    """Typographic quotation marks as straight ones (the PDF writer's standard font encoding)."""
    return text.replace("\u201c", '"').replace("\u201d", '"')


def txt_bytes(s: Story) -> bytes:
    return (s.headline + "\n\n" + "\n\n".join(s.paragraphs) + "\n").encode()


def md_bytes(s: Story) -> bytes:
    front = f"---\ntitle: {s.headline}\nauthor: {s.author}\ndate: {s.date:%Y-%m-%d}\n---\n\n"
    return (front + f"# {s.headline}\n\n" + "\n\n".join(s.paragraphs) + "\n").encode()


def html_bytes(s: Story) -> bytes:
    """A news page shaped like the tests' WEB_PAGE: metadata, navigation, the article, a footer."""
    slug = re.sub(r"[^a-z0-9]+", "-", s.headline.lower()).strip("-")
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.headline,
                     "datePublished": f"{s.date:%Y-%m-%dT%H:%M:00Z}", "author": {"@type": "Person", "name": s.author}})
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in s.paragraphs)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(s.headline)} | {e(s.site)}</title>
<meta name="author" content="{e(s.author)}">
<meta property="og:site_name" content="{e(s.site)}">
<link rel="canonical" href="https://news.example/{s.date:%Y/%m}/{slug}">
<script type="application/ld+json">{ld}</script>
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | <a href="/weather">Weather</a></nav>
<aside><h3>Most read</h3><ul><li><a href="/a">Ferry timetable changes</a></li>
<li><a href="/b">Library opening hours</a></li></ul></aside>
<article>
<h1>{e(s.headline)}</h1>
<p class="byline">By {e(s.author)}, {s.date:%d %B %Y}</p>
{body}
</article>
<footer>Copyright {s.date:%Y} {e(s.site)}. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>
"""
    return page.encode()


def pdf_file_bytes(s: Story) -> bytes:
    from pdf_files import pdf_bytes

    lines = [_plain(s.headline), ""]
    for paragraph in s.paragraphs:
        lines += textwrap.wrap(_plain(paragraph), 80) + [""]
    per_page = 46  # 14-point leading from y = 720 down to the bottom margin
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]
    info = {"Title": _plain(s.headline), "Author": s.author, "CreationDate": f"D:{s.date:%Y%m%d%H%M%S}Z"}
    return pdf_bytes(pages, info)


def docx_file_bytes(s: Story) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = s.headline
    document.core_properties.author = s.author
    document.core_properties.created = s.date
    document.add_heading(s.headline, 1)
    for paragraph in s.paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_file_bytes(s: Story) -> bytes:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=s.headline))
    document.meta.addElement(meta.InitialCreator(text=s.author))
    document.meta.addElement(meta.CreationDate(text=f"{s.date:%Y-%m-%dT%H:%M:%S}"))
    document.text.addElement(H(outlinelevel=1, text=s.headline))
    for paragraph in s.paragraphs:
        document.text.addElement(P(text=paragraph))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def eml_bytes(s: Story, n: int) -> bytes:
    """A plain-text message like the tests' EMAIL: the article as its body, a short quoted reply."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    def address(name: str) -> str:
        return f"{name} <{name.lower().replace(' ', '.')}@news.example>"

    editor = "Desk Editor"
    message = EmailMessage()
    message["From"] = address(s.author)
    message["To"] = address(editor)
    message["Date"] = format_datetime(s.date.replace(tzinfo=datetime.UTC))
    message["Subject"] = s.headline
    message["Message-ID"] = f"<story-{n:04d}@news.example>"
    body = (f"Hello,\n\nHere is the copy for tomorrow.\n\n{s.headline}\n\n" + "\n\n".join(s.paragraphs)
            + f"\n\n{s.author.split()[0]}\n\nOn {s.date:%a, %d %b %Y}, {editor} wrote:\n> Can you file it by six?\n")
    message.set_content(body)
    return bytes(message)


def _cues(talk: list[Turn]) -> Iterator[tuple[float, float, Turn, int, str]]:
    """Each sentence of the transcript as a cue: start and end (about 0.4 s a word), turn, index."""
    clock = 1.0
    for turn in talk:
        for i, sentence in enumerate(turn.sentences):
            length = 0.4 * len(sentence.split())
            yield clock, clock + length, turn, i, sentence
            clock += length + 0.3


def _time(seconds: float, comma: bool) -> str:
    millis = round(seconds * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h:02d}:{m:02d}:{rest // 1000:02d}{',' if comma else '.'}{rest % 1000:03d}"


def json_bytes(talk: list[Turn]) -> bytes:
    """Whisper/WhisperX style: a segment per sentence, diarised speakers left anonymous."""
    labels: dict[str, str] = {}
    segments = []
    for number, (start, end, turn, _, sentence) in enumerate(_cues(talk)):
        label = labels.setdefault(turn.speaker, f"SPEAKER_{len(labels):02d}")
        segments.append({"id": number, "start": round(start, 2), "end": round(end, 2), "text": " " + sentence,
                         "speaker": label})
    return json.dumps({"language": "en", "text": "".join(s["text"] for s in segments), "segments": segments},
                      ensure_ascii=False, indent=1).encode()


def srt_bytes(talk: list[Turn]) -> bytes:
    """Broadcast captions: the speaker's name before the first cue of each turn, lines of 42."""
    blocks = []
    for number, (start, end, turn, i, sentence) in enumerate(_cues(talk), start=1):
        text = f"{turn.speaker.upper()}: {sentence}" if i == 0 else sentence
        blocks.append(f"{number}\n{_time(start, True)} --> {_time(end, True)}\n" + "\n".join(textwrap.wrap(text, 42)))
    return ("\n\n".join(blocks) + "\n").encode()


def vtt_bytes(talk: list[Turn]) -> bytes:
    """WebVTT with a voice on every cue, as the tests' WEBVTT."""
    blocks = ["WEBVTT"]
    for start, end, turn, _, sentence in _cues(talk):
        blocks.append(f"{_time(start, False)} --> {_time(end, False)}\n<v {turn.speaker}>{sentence}")
    return ("\n\n".join(blocks) + "\n").encode()


def file_bytes(fmt: str, n: int, target_bytes: int, seed: int) -> tuple[bytes, int]:
    """File ``n`` of a format, and the words of the generated text it holds (headline and
    paragraphs, or the transcript's sentences; not the markup, metadata, timings or labels)."""
    if fmt in SPOKEN:
        talk = turns(n, target_bytes, seed)
        words = sum(len(sentence.split()) for turn in talk for sentence in turn.sentences)
        return {"json": json_bytes, "srt": srt_bytes, "vtt": vtt_bytes}[fmt](talk), words
    s = story(n, target_bytes, seed)
    words = sum(len(part.split()) for part in [s.headline, *s.paragraphs])
    if fmt == "eml":
        return eml_bytes(s, n), words
    writers: dict[str, Callable[[Story], bytes]] = {
        "txt": txt_bytes, "md": md_bytes, "html": html_bytes, "pdf": pdf_file_bytes, "docx": docx_file_bytes,
        "odt": odt_file_bytes}
    return writers[fmt](s), words


@dataclass
class Folder:
    """The generated files of one format, and the best time of each measurement."""

    fmt: str
    root: Path
    names: list[str]  # paths inside the folder
    data: list[bytes]
    words: int = 0
    identified_as: str = ""
    read_s: list[float] = field(default_factory=list)
    identify_s: list[float] = field(default_factory=list)
    build_s: list[float] = field(default_factory=list)
    parts: list[dict[str, float]] = field(default_factory=list)  # per build: seconds in each wrapped step
    found: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.names)

    @property
    def megabytes(self) -> float:
        return sum(map(len, self.data)) / 1e6

    @property
    def locations(self) -> list[str]:
        return [str(self.root / name) for name in self.names]


def write_folder(workdir: Path, fmt: str, count: int, target_bytes: int, seed: int) -> Folder:
    root = workdir / "archives" / fmt
    shutil.rmtree(root, ignore_errors=True)  # only this run's files, whatever a kept work folder held
    root.mkdir(parents=True)
    names, data, words = [], [], 0
    for n in range(count):
        name = f"{'talk' if fmt in SPOKEN else 'story'}-{n:04d}.{fmt}"
        content, in_it = file_bytes(fmt, n, target_bytes, seed)
        (root / name).write_bytes(content)
        names.append(name)
        data.append(content)
        words += in_it
    return Folder(fmt, root, names, data, words)


# ---------------------------------------------------------------------------------------------
# The measurements
# ---------------------------------------------------------------------------------------------


def read_all(folder: Folder) -> float:
    from provcat.readers import read_document

    start = time.perf_counter()
    for data, name in zip(folder.data, folder.names, strict=True):
        read_document(data, name)
    return time.perf_counter() - start


def identify_all(folder: Folder) -> float:
    from provcat.identify import identify_files

    locations = folder.locations
    start = time.perf_counter()
    for first in range(0, len(locations), CHUNK):
        identify_files(locations[first:first + CHUNK], folder.names[first:first + CHUNK])
    return time.perf_counter() - start


class Wrapped:
    """Reading, identification and extraction inside a build, each wrapped to add up its time."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def _timed(self, name: str, function: Callable[..., object]) -> Callable[..., object]:
        def timed(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
        return timed

    def _timed_iterator(self, name: str, function: Callable[..., Iterator[object]]) -> Callable[..., Iterator[object]]:
        def timed(*args: object, **kwargs: object) -> Iterator[object]:
            produced = function(*args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    item = next(produced)
                except StopIteration:
                    return
                finally:
                    self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                yield item
        return timed

    def __enter__(self) -> Wrapped:
        from provcat import build, identify
        from provcat.extract import pipeline

        self.saved = (build.read_document, identify.identify_files, pipeline.extract_all)
        build.read_document = self._timed("reading", build.read_document)  # type: ignore[assignment]
        identify.identify_files = self._timed("identification", identify.identify_files)  # type: ignore[assignment]
        pipeline.extract_all = self._timed_iterator("extraction", pipeline.extract_all)  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        from provcat import build, identify
        from provcat.extract import pipeline

        build.read_document, identify.identify_files, pipeline.extract_all = self.saved


def build_once(archive: Path, metadata: Path, db: Path) -> tuple[float, dict[str, float], dict[str, int],
                                                                 list[tuple[str, str]]]:
    from provcat.build import build_catalogue

    for leftover in (db, Path(f"{db}-journal")):
        leftover.unlink(missing_ok=True)  # a new catalogue: nothing reused
    with Wrapped() as wrapped:
        start, cpu = time.perf_counter(), time.process_time()
        report = build_catalogue(archive, metadata, db)
        seconds = time.perf_counter() - start
        wrapped.seconds["cpu"] = time.process_time() - cpu
    conn = sqlite3.connect(db)
    found = {"files": report.files, "documents": report.documents, "extracted": report.extracted,
             **{table: conn.execute(f"select count(*) from {table}").fetchone()[0]
                for table in ("mentions", "entities", "quotes")}}
    conn.close()
    db.unlink()
    return seconds, wrapped.seconds, found, report.warnings


def describe_folder(folder: Folder) -> None:
    """What Siegfried calls the files (the commonest answer, and how many gave it)."""
    from provcat.identify import identify_files

    answers = Counter(f"{i.puid or i.outcome} {i.format_name or ''}".strip()
                      for i in identify_files(folder.locations, folder.names))
    (answer, count), = answers.most_common(1)
    folder.identified_as = answer if count == folder.files else f"{answer} ({count} of {folder.files})"


def warm_up(workdir: Path, metadata: Path) -> None:
    """Every reader imported, Siegfried and the spaCy pipeline loaded: one build of the tests' small
    archive of every format (untimed)."""
    from format_files import write_format_archive

    archive = workdir / "warm-up"
    write_format_archive(archive)
    build_once(archive, metadata, workdir / "warm-up.db")


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args: argparse.Namespace, workdir: Path) -> tuple[str, dict[str, object]]:
    started, load_start = datetime.datetime.now(datetime.UTC), load()
    metadata = workdir / "no-metadata"
    metadata.mkdir(parents=True, exist_ok=True)
    folders = [write_folder(workdir, fmt, args.files, args.text_bytes, args.seed) for fmt in args.formats]
    warm_up(workdir, metadata)
    for folder in folders:
        describe_folder(folder)
    for round_number in range(max(args.runs, args.read_runs)):
        for folder in folders:  # each format in turn, so that other work on the machine falls on all of them
            if round_number < args.read_runs:
                folder.read_s.append(read_all(folder))
                folder.identify_s.append(identify_all(folder))
            if round_number < args.runs:
                seconds, parts, folder.found, folder.warnings = build_once(folder.root, metadata,
                                                                           workdir / f"{folder.fmt}.db")
                folder.build_s.append(seconds)
                folder.parts.append(parts)
        print(f"round {round_number + 1} done (load {load()})", file=sys.stderr, flush=True)
    text, data = report_of(folders, args)
    data.update(started=started.isoformat(timespec="seconds"), load_start=load_start, load_end=load(),
                machine=machine(), seconds=(datetime.datetime.now(datetime.UTC) - started).total_seconds())
    text = (f"Machine: {machine()}; load average {load_start} at the start, {load()} at the end; "
            f"{started:%Y-%m-%d %H:%M} UTC\n\n{text}")
    return text, data


def report_of(folders: list[Folder], args: argparse.Namespace) -> tuple[str, dict[str, object]]:
    base = next((f for f in folders if f.fmt == "txt"), folders[0])
    base_rate = base.files / min(base.build_s)
    read_rows, build_rows, found_rows, data = [], [], [], {}
    for f in folders:
        read, ident, build = min(f.read_s), min(f.identify_s), min(f.build_s)
        parts = f.parts[f.build_s.index(build)]
        share = {k: parts.get(k, 0.0) / build for k in ("reading", "identification", "extraction")}
        rest = 1 - sum(share.values())
        read_rows.append([f".{f.fmt}", str(f.files), f"{f.megabytes:.2f}", f"{f.words / f.files:,.0f}",
                          f"{f.files / read:,.0f}", f"{f.megabytes / read:.2f}", f"{read / f.files * 1e3:.2f}",
                          f"{f.files / ident:,.0f}", f"{ident / f.files * 1e3:.2f}", f.identified_as])
        build_rows.append([f".{f.fmt}", f"{build:.2f}", f"{f.files / build:.1f}", f"{f.megabytes / build:.3f}",
                           f"{f.words / build:,.0f}", f"{f.files / build / base_rate:.2f}",
                           *(f"{100 * share[k]:.0f} %" for k in ("extraction", "reading", "identification")),
                           f"{100 * rest:.0f} %"])
        found_rows.append([f".{f.fmt}", *(f"{f.found[k]:,}" for k in ("documents", "extracted", "mentions", "entities",
                                                                       "quotes")), str(len(f.warnings))])
        data[f.fmt] = {"files": f.files, "bytes": sum(map(len, f.data)), "words": f.words,
                       "identified_as": f.identified_as, "read_s": f.read_s, "identify_s": f.identify_s,
                       "build_s": f.build_s, "build_parts_s": f.parts, "found": f.found,
                       "warnings": f.warnings, "build_files_per_s": f.files / build,
                       "build_ratio_to_txt": f.files / build / base_rate}
    text = "\n\n".join([
        f"**Reading and identification** — {args.files} files a format; best of {args.read_runs} runs",
        table(["format", "files", "MB", "words a file", "read files/s", "read MB/s", "read ms a file",
               "identify files/s", "identify ms a file", "identified as"], read_rows),
        f"**Whole build** (`build_catalogue`, a new catalogue, start-up excluded) — best of {args.runs} runs; "
        f"shares of that build's time",
        table(["format", "build s", "files/s", "MB/s", "words/s", f"files/s ÷ .{base.fmt}", "extraction",
               "reading", "identification", "the rest"], build_rows),
        "**What the builds found**",
        table(["format", "documents", "extracted", "mentions", "entities", "quotes", "warnings"], found_rows),
    ])
    warned = [f"- .{f.fmt}: {path}: {why}" for f in folders for path, why in f.warnings[:3]]
    if warned:
        text += "\n\nWarnings (the first three a format):\n\n" + "\n".join(warned)
    return text, {"formats": data, "files": args.files, "text_bytes": args.text_bytes, "seed": args.seed,
                  "runs": args.runs, "read_runs": args.read_runs}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--files", type=int, default=40, help="files of each format (default 40)")
    parser.add_argument("--text-bytes", type=int, default=2000,
                        help="size of each generated text before it is put in its format (default 2000: ~330 words)")
    parser.add_argument("--formats", type=lambda s: [f.strip().lstrip(".") for f in s.split(",")],
                        default=list(FORMATS), help=f"comma-separated (default {','.join(FORMATS)})")
    parser.add_argument("--runs", type=int, default=3, help="whole builds of each format; the best is kept")
    parser.add_argument("--read-runs", type=int, default=5,
                        help="runs of reading and of identification; the best is kept")
    parser.add_argument("--seed", type=int, default=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, help="keep the generated files here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the figures, every run's, here")
    add_arguments(parser)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.formats) - set(FORMATS))
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)} (known: {', '.join(FORMATS)})")
    if min(args.runs, args.read_runs, args.files) < 1:
        parser.error("--runs, --read-runs and --files must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        text, data = run(args, args.workdir or Path(tmp))
    print(text)
    if args.json:
        args.json.write_text(json.dumps(data, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
