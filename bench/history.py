"""The cost of a long fixity history: recording one verification onto a catalogue that already
holds many.

Each verification appends one fixity event per document and algorithm, and the index on
``fixity_events(document_id)`` takes each new entry beside that document's earlier ones, so once the
history is long, recording a run touches a page of the index for nearly every document. This
benchmark records ``--history-runs`` verifications of ``--history-docs`` intact documents, one after
the other, with provcat's own ``FixityLog`` (one transaction per run, 100 rows per ``INSERT``) into
a catalogue with the store schema and no documents, and reports how long each recording took as
the history grows. Nothing is hashed: this is the recording alone.

Usage:  .venv/bin/python bench/history.py --workdir DIR [--history-docs N] [--history-runs R]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

import sqlite_utils
from timing import run_part_alone, table

from provcat import store
from provcat.verify import Check, FixityLog

#: Bytes a fixity event takes in the catalogue, its index entry included (measured: 30 million
#: events of generated paths, 9.2 GB).
EVENT_BYTES = 310


def checks(documents: int) -> list[Check]:
    """One intact SHA-256 check per document, with paths and ids shaped like the generated corpora's."""
    made = []
    for n in range(documents):
        document_id = f"batch-{n // 1000:04d}/doc-{n:06d}"
        digest = hashlib.sha256(document_id.encode()).hexdigest()
        made.append(Check(document_id, f"{document_id}.txt", "sha256", digest, digest, "intact"))
    return made


def reported(run: int, runs: int) -> bool:
    """Whether run number ``run`` (from 1) gets a line: the first ones, then every tenth of the way."""
    return run <= 2 or run == runs or run % max(1, runs // 10) == 0


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[dict[str, object]]]:
    db = workdir / f"history-{args.history_docs}" / "catalogue.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    catalogue = sqlite_utils.Database(db)
    store.create_schema(catalogue)
    catalogue.conn.close()
    events = checks(args.history_docs)
    rows, data = [], []
    seconds: list[float] = []
    for n in range(1, args.history_runs + 1):
        started = time.perf_counter()
        with FixityLog(db) as log:
            log.add(events)
        seconds.append(time.perf_counter() - started)
        if reported(n, args.history_runs):
            before = (n - 1) * len(events)
            recent = statistics.median(seconds[-5:])
            rows.append([f"{n:,}", f"{before / 1e6:.1f} M", f"{seconds[-1]:.2f}", f"{recent:.2f}",
                         f"{db.stat().st_size / 1e9:.2f}"])
            data.append({"run": n, "events_before": before, "seconds": seconds[-1], "median_last_5": recent,
                         "catalogue_bytes": db.stat().st_size})
            print(f"history: run {n}: {seconds[-1]:.2f} s", flush=True)
    text = (f"**The cost of a long fixity history** — recording one verification of {args.history_docs:,} "
            f"documents (SHA-256) with `FixityLog`, after each earlier run, {args.history_runs} runs\n\n"
            + table(["run", "events already recorded", "seconds to record it",
                     "median of the last 5 runs", "catalogue GB"], rows))
    print(text + "\n", flush=True)
    db.unlink(missing_ok=True)
    return [text], [{"history": data, "documents": args.history_docs}]


def needed_gb(args: argparse.Namespace) -> float:
    return args.history_docs * args.history_runs * EVENT_BYTES / 1e9


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--history-docs", type=int, default=100_000, help="documents per verification")
    parser.add_argument("--history-runs", type=int, default=100, help="verifications recorded one after the other")


def main(argv: list[str] | None = None) -> int:
    return run_part_alone(__doc__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
