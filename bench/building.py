"""Build throughput, incremental rebuilds and peak memory.

On a generated archive of short documents, side by side in one session:

- **full build**: ``provcat build`` into a new catalogue, against bare ``nlp.pipe`` over the same
  texts (the same pinned spaCy pipeline, the logic of bench/extraction.py) run the same way, as a
  command: the ratio is the share of the build's time that spaCy alone needs;
- **rebuild, nothing changed**: ``provcat build`` over the catalogue the full build wrote, as a
  percentage of the full build's time;
- **rebuild, 1 % changed**: the same after a sentence is appended to one document in a hundred.

Peak memory is each command's own peak resident set (``wait4``), as ``resource.getrusage`` reports
it for a child. ``--memory-docs N`` adds single full builds of larger archives for the memory
figure alone (a spaCy build of 100,000 documents takes hours on two cores).

Usage:  .venv/bin/python bench/building.py --workdir DIR [--build-docs N] [--build-runs R]
        .venv/bin/python bench/building.py --bare ARCHIVE     (one bare nlp.pipe run, for timing)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from corpus import small_documents, write_only
from timing import PROVCAT, PYTHON, Command, measure, run_once, table

HERE = Path(__file__).resolve().parent
CHANGE = "\n\nA correction was published on Friday after readers asked about the figures.\n"


def texts_of(archive: Path) -> list[str]:
    from provcat.archive import scan
    from provcat.readers import read_document

    return [read_document(f.location.read_bytes(), f.path).text for f in scan(archive).files]


def bare(archive: Path) -> int:
    """What bench/extraction.py measures: the pinned pipeline over the texts, nothing else."""
    from extraction import bare_pipe

    bare_pipe(texts_of(archive))
    return 0


def generate(workdir: Path, count: int) -> Path:
    root = workdir / f"build-{count}"
    archive = root / "archive"
    if not (root / "corpus.json").is_file():
        if root.exists():
            shutil.rmtree(root)
        write_only(small_documents(count, seed=3), archive)
        (root / "no-metadata").mkdir()
        (root / "corpus.json").write_text(json.dumps({"documents": count}))
    return root


def changed_files(archive: Path, share: float = 0.01) -> list[Path]:
    files = sorted(archive.rglob("*.txt"))
    step = max(1, round(1 / share))
    return files[::step]


def build_command(root: Path, db: Path) -> list[str]:
    return [str(PROVCAT), "build", str(root / "archive"), "--metadata", str(root / "no-metadata"),
            "--db", str(db), "--json"]


def fresh(db: Path, originals: dict[Path, bytes]) -> Callable[[], None]:
    """Before a full build: no catalogue; the archive as generated."""
    def remove() -> None:
        put_back(originals)
        for path in (db, db.with_name(db.name + "-journal")):
            path.unlink(missing_ok=True)
    return remove


def put_back(originals: dict[Path, bytes]) -> None:
    for path, data in originals.items():
        path.write_bytes(data)


def restore(db: Path, saved: Path, originals: dict[Path, bytes], edit: bool = False) -> Callable[[], None]:
    """Before a rebuild: the catalogue as the full build left it; the archive as generated, or with
    a sentence appended to each of the ``originals`` when ``edit``."""
    def prepare() -> None:
        put_back(originals)
        shutil.copyfile(saved, db)
        for path, data in originals.items():
            if edit:
                path.write_bytes(data + CHANGE.encode())
    return prepare


def words_in(archive: Path) -> int:
    return sum(len(t.split()) for t in texts_of(archive))


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[dict[str, object]]]:
    root = generate(workdir, args.build_docs)
    archive = root / "archive"
    words = words_in(archive)
    full_db, saved = root / "full.db", root / "full-saved.db"
    run_once(build_command(root, saved))  # the catalogue every rebuild starts from (also warms the cache)
    originals = {p: p.read_bytes() for p in changed_files(archive)}
    rebuild_db = root / "rebuild.db"
    cmds = [
        Command("bare nlp.pipe (same texts, same pipeline)",
                [str(PYTHON), str(HERE / "building.py"), "--bare", str(archive)], before=lambda: put_back(originals)),
        Command("provcat build (full, new catalogue)", build_command(root, full_db),
                before=fresh(full_db, originals)),
        Command("provcat build (rebuild, nothing changed)", build_command(root, rebuild_db),
                before=restore(rebuild_db, saved, originals)),
        Command(f"provcat build (rebuild, 1 % changed: {len(originals)} of {args.build_docs:,} documents)",
                build_command(root, rebuild_db), before=restore(rebuild_db, saved, originals, edit=True)),
    ]
    try:
        measure(cmds, args.build_runs, warmup=False)
    finally:
        put_back(originals)
    text, data = report(cmds, args.build_docs, words)
    texts, results = [text], [data]
    if args.memory_docs:
        text, data = memory(workdir, args.memory_docs)
        texts.append(text)
        results.append(data)
    for t in texts:
        print(t + "\n", flush=True)
    return texts, results


def report(cmds: list[Command], documents: int, words: int) -> tuple[str, dict[str, object]]:
    bare_time, full = cmds[0].median, cmds[1].median
    rows = []
    for i, c in enumerate(cmds):
        relation = (f"{bare_time / c.median:.2f} of bare throughput" if i == 1
                    else f"{100 * c.median / full:.1f} % of the full build" if i > 1 else "")
        rows.append([c.name, f"{c.median:.2f}", f"{words / c.median:,.0f}", f"{c.peak_rss_mb:,.0f}", relation])
    text = (f"**Build** — {documents:,} generated documents, {words:,} words; median of {len(cmds[0].samples)} "
            "runs\n\n" + table(["command", "median s", "words/s", "peak RSS MB", "ratio"], rows))
    data = {"documents": documents, "words": words, "runs": len(cmds[0].samples),
            "commands": {c.name: {"median_s": c.median, "samples_s": [s.seconds for s in c.samples],
                                  "peak_rss_mb": c.peak_rss_mb} for c in cmds}}
    return text, data


def memory(workdir: Path, counts: list[int]) -> tuple[str, dict[str, object]]:
    """One full build per archive size: time and peak memory."""
    rows, data = [], {}
    for count in counts:
        root = generate(workdir, count)
        db = root / "memory.db"
        fresh(db, {})()
        sample = run_once(build_command(root, db))
        rows.append([f"{count:,}", f"{sample.seconds:,.0f}", f"{count / sample.seconds:.1f}",
                     f"{sample.max_rss_kb / 1024:,.0f}"])
        data[str(count)] = {"seconds": sample.seconds, "peak_rss_mb": sample.max_rss_kb / 1024}
        fresh(db, {})()
    text = "**Build memory** — one full build per size\n\n" + table(
        ["documents", "seconds", "documents/s", "peak RSS MB"], rows)
    return text, {"memory": data}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--build-docs", type=int, default=1000, help="documents in the build benchmark")
    parser.add_argument("--build-runs", type=int, default=3)
    parser.add_argument("--memory-docs", type=int, nargs="*", default=[],
                        help="archive sizes for single full builds measuring peak memory (e.g. 5000 100000)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bare", type=Path, help="run bare nlp.pipe over the documents of this archive and exit")
    parser.add_argument("--workdir", type=Path)
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.bare:
        return bare(args.bare)
    if args.workdir is None:
        parser.error("--workdir is required")
    run(args, args.workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
