"""Extraction throughput: the whole build against bare ``nlp.pipe`` on the same texts.

Usage:  .venv/bin/python bench/extraction.py [--copies N] [--runs R] [--corpus DIR ...]

The corpus is the given folders (by default the seeds and, when present beside the project, the
development documents), repeated N times under different names so that the build cannot reuse
anything. Both sides are measured in the same run, alternating, and the medians are reported with
their ratio. Words are whitespace-separated tokens of the decoded texts.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = [ROOT / "seeds", ROOT.parent / "shared" / "eval" / "dev" / "docs"]


def make_corpus(sources: list[Path], copies: int, into: Path) -> list[str]:
    from provcat.archive import scan
    from provcat.readers import read_document

    texts: list[str] = []
    for n in range(copies):
        for source in sources:
            for item in scan(source).files:
                target = into / f"copy{n:03d}" / source.name / item.path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(item.location, target)
                texts.append(read_document(target.read_bytes(), item.path).text)
    return texts


def bare_pipe(texts: list[str]) -> float:
    from provcat.extract.pipeline import load_nlp

    nlp = load_nlp()
    start = time.perf_counter()
    for _ in nlp.pipe(texts):  # type: ignore[attr-defined]  # spaCy's own batching
        pass
    return time.perf_counter() - start


def full_build(archive: Path, workdir: Path) -> float:
    from provcat.build import build_catalogue

    db = workdir / "bench.db"
    if db.exists():
        db.unlink()
    start = time.perf_counter()
    build_catalogue(archive, workdir / "no-metadata", db)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, action="append")
    args = parser.parse_args(argv)
    sources = [p for p in (args.corpus or DEFAULT_CORPORA) if p.is_dir()]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        archive = workdir / "archive"
        texts = make_corpus(sources, args.copies, archive)
        words = sum(len(t.split()) for t in texts)
        bare_pipe(texts[:2])  # load the model once before timing
        bare, build = [], []
        for _ in range(args.runs):
            bare.append(bare_pipe(texts))
            build.append(full_build(archive, workdir))
        b, f = statistics.median(bare), statistics.median(build)
        print(f"corpus: {len(texts)} documents, {words} words ({args.copies} copies of {', '.join(map(str, sources))})")
        print(f"bare nlp.pipe : median {b:.2f} s over {args.runs} runs  = {words / b:,.0f} words/s")
        print(f"provcat build : median {f:.2f} s over {args.runs} runs  = {words / f:,.0f} words/s")
        print(f"ratio (build / bare throughput): {b / f:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
