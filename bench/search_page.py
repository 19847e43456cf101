"""The search page (``/<database>/-/search``) against the ``search`` canned query it replaces on the
site's navigation, in process (Datasette's own ASGI client, one request at a time, no network).

Two catalogues: the seeds, and a generated one (bench/generated_catalogue.py; ``--docs`` documents,
10,000 by default) written twice — with the stemmed, prefix-indexed full-text indexes a build makes
now, and with the indexes of a catalogue built before (unicode61 alone, no prefix index). For each,
a rare name (50 surnames found in at most 20 documents, in turn) and a common word ('council'): the
canned query's page (``/catalogue/search?q=``), the search page, its JSON, and a document opened
from it (``/catalogue/documents/<id>?q=``) against the same page without the search. Each request
is sent ``--requests`` times in ``--rounds`` rounds that take turns, each after a warm-up; medians
and 99th percentiles in milliseconds.

Usage:  .venv/bin/python bench/search_page.py --workdir DIR [--docs N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import sqlite_utils
from corpus import small_documents
from generated_catalogue import write_catalogue
from timing import ROOT

sys.path.insert(0, str(ROOT / "catalogue"))

from datasette.utils import tilde_encode  # noqa: E402

from provcat import publish  # noqa: E402
from provcat.build import build_catalogue  # noqa: E402


def unstemmed_copy(db: Path, copy: Path) -> Path:
    """``db`` with the full-text indexes of a catalogue built before they were stemmed."""
    shutil.copyfile(db, copy)
    conn = sqlite_utils.Database(copy)
    with conn.conn:
        for table, columns in (("documents", ["title", "text"]), ("quotes", ["text", "speaker"])):
            conn.conn.execute(f"drop table {table}_fts")
            conn[table].enable_fts(columns, fts_version="FTS5", create_triggers=False)
    conn.conn.execute("vacuum")
    conn.conn.close()
    return copy


def terms(db: Path, rng: random.Random) -> tuple[list[str], str, list[str]]:
    """50 rare surnames, the common word, and documents the common word finds."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    names = [r[0] for r in conn.execute("select name from entities where type = 'person' order by id")]

    def frequency(term: str) -> int:
        return conn.execute("select count(*) from documents_fts where documents_fts match ?", (term,)).fetchone()[0]

    rare = [n.split()[-1] for n in rng.sample(names, min(200, len(names)))]
    rare = [t for t in rare if t.isalpha() and 1 <= frequency(t) <= 20][:50]
    common = "council"
    documents = [tilde_encode(r[0]) for r in conn.execute(
        "select d.id from documents_fts f join documents d on d.rowid = f.rowid where documents_fts match ? "
        "order by f.rank limit 20", (common,))]
    conn.close()
    return rare, common, documents


async def timed(ds: Any, urls: list[str], requests: int) -> list[float]:
    """Seconds of ``requests`` requests cycling through ``urls``, after a warm-up."""
    for url in urls[:5]:
        response = await ds.client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    seconds = []
    for n in range(requests):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = await ds.client.get(url)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    return seconds


def figures(seconds: list[float]) -> tuple[str, str]:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{statistics.median(ordered) * 1000:.1f}", f"{p99 * 1000:.1f}"


async def measure(label: str, db: Path, metadata: Path, requests: int, rounds: int,
                  rng: random.Random) -> list[list[str]]:
    """Every request of the catalogue, in ``rounds`` rounds that take turns (so that a change of load
    on the machine falls on all of them alike)."""
    ds = publish.datasette_instance(db, metadata)
    rare, common, documents = terms(db, rng)
    if not rare:
        rare = ["Neumann"]
    cases: list[tuple[str, str, list[str]]] = []
    for what, words in (("rare name", rare), (f"'{common}'", [common])):
        cases += [(what, "canned query page (search?q=)", [f"/catalogue/search?q={t}" for t in words]),
                  (what, "search page (-/search?q=)", [f"/catalogue/-/search?q={t}" for t in words]),
                  (what, "search page JSON", [f"/catalogue/-/search.json?q={t}" for t in words])]
    if documents:
        cases += [(f"'{common}' documents", "document page", [f"/catalogue/documents/{d}" for d in documents]),
                  (f"'{common}' documents", f"document page ?q={common}",
                   [f"/catalogue/documents/{d}?q={common}" for d in documents])]
    samples: dict[int, list[float]] = {k: [] for k in range(len(cases))}
    for _ in range(rounds):
        for k, (_, _, urls) in enumerate(cases):
            samples[k] += await timed(ds, urls, max(1, requests // rounds))
    return [[label, what, name, *figures(samples[k])] for k, (what, name, _) in enumerate(cases)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    empty = args.workdir / "metadata"
    empty.mkdir(exist_ok=True)
    seeds = args.workdir / "seeds" / "catalogue.db"  # served as "catalogue", as provcat serve does
    seeds.parent.mkdir(exist_ok=True)
    if not seeds.exists():
        build_catalogue(ROOT / "seeds", ROOT / "metadata", seeds)
    generated = args.workdir / f"generated-{args.docs}" / "catalogue.db"
    generated.parent.mkdir(exist_ok=True)
    if not generated.exists():
        started = time.perf_counter()
        write_catalogue(small_documents(args.docs), generated)
        print(f"generated {args.docs:,} documents in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    before = args.workdir / f"generated-{args.docs}-unstemmed" / "catalogue.db"
    before.parent.mkdir(exist_ok=True)
    if not before.exists():
        unstemmed_copy(generated, before)
    for path in (generated, before):
        print(f"{path.parent.name}: {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    rows = []
    for label, db, metadata in (("seeds", seeds, ROOT / "metadata"),
                                (f"generated {args.docs:,}, stemmed", generated, empty),
                                (f"generated {args.docs:,}, built before", before, empty)):
        rows += asyncio.run(measure(label, db, metadata, args.requests, args.rounds, random.Random(7)))
    print("| catalogue | terms | request | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
