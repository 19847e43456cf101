"""Verification at disk speed: ``provcat verify`` against the tools an archivist would otherwise use.

On the same files, side by side in one session: ``provcat verify`` (all cores, and ``--jobs 1``),
``sha256sum -c`` on a manifest, the Library of Congress validator (``bagit.Bag(bag).validate()``, full
validation, with its default single process and with two) on a bag of the same files, and a bare
Python read-and-hash loop on all cores — the machine's own limit. Once with SHA-256 alone, once with
SHA-256 and SHA-512 (``--all-digests``, a bag with both manifests, ``sha512sum -c`` after
``sha256sum -c``). Warm page cache (after one untimed run of each), and cold (the cache emptied
before every run) when the kernel lets us.

Usage:  .venv/bin/python bench/verification.py [--quick] [--workdir DIR] [--runs N] ...
(normally run through bench/run.py)
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus import Document, large_documents, small_documents
from generated_catalogue import generated_archive
from timing import PROVCAT, PYTHON, Command, drop_caches, measure, run_part_alone, table

HERE = Path(__file__).resolve().parent
BAGIT = "import sys, bagit; bagit.Bag(sys.argv[1]).validate(processes=int(sys.argv[2]), fast=False)"


@dataclass(frozen=True)
class Corpus:
    name: str
    root: Path
    files: int
    bytes: int

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def db(self) -> Path:
        return self.root / "catalogue.db"

    def bag(self, algorithms: str) -> Path:
        return self.root / f"bag-{algorithms.replace(',', '-')}"

    def manifest(self, algorithm: str) -> Path:
        return self.root / f"manifest-{algorithm}.txt"


def prepare(name: str, documents: Callable[[], Iterator[Document]], workdir: Path,
            digests_only: bool = False) -> Corpus:
    """The generated archive and its catalogue, ``sha*sum`` manifests and two bags (hard links to
    the same files) below ``workdir/name``; each made only when not already there."""
    root, count, size = generated_archive(workdir, name, documents, digests_only)
    corpus = Corpus(name, root, count, size)
    if not corpus.manifest("sha512").is_file():
        write_manifests(corpus)
    logging.getLogger("bagit").setLevel(logging.WARNING)
    import bagit

    for algorithms in ("sha256", "sha256,sha512"):
        bag = corpus.bag(algorithms)
        if (bag / "tagmanifest-sha256.txt").is_file():
            continue
        if bag.exists():
            shutil.rmtree(bag)
        subprocess.run(["cp", "-al", str(corpus.archive), str(bag)], check=True)
        bagit.make_bag(str(bag), checksums=algorithms.split(","), processes=os.cpu_count() or 1)
    return corpus


def write_manifests(corpus: Corpus) -> None:
    conn = sqlite3.connect(corpus.db)
    for algorithm in ("sha256", "sha512"):
        rows = conn.execute(f"select {algorithm}, path from documents order by path")
        corpus.manifest(algorithm).write_text("".join(f"{digest}  {path}\n" for digest, path in rows))
    conn.close()


def forget_checks(db: Path) -> Callable[[], None]:
    """Before each provcat run: drop the fixity events earlier runs appended (the catalogue stays
    the same size from run to run)."""
    def reset() -> None:
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("delete from fixity_events where event_type = 'fixity check'")
        conn.close()
    return reset


def commands(corpus: Corpus, all_digests: bool, jobs: int) -> list[Command]:
    algorithms = "sha256,sha512" if all_digests else "sha256"
    verify = [str(PROVCAT), "verify", str(corpus.archive), "--db", str(corpus.db)]
    if all_digests:
        verify.append("--all-digests")
    sums = f"sha256sum -c --quiet {shlex.quote(str(corpus.manifest('sha256')))}"
    if all_digests:
        sums += f" && sha512sum -c --quiet {shlex.quote(str(corpus.manifest('sha512')))}"
    bag = str(corpus.bag(algorithms))
    reset = forget_checks(corpus.db)
    return [
        Command("provcat verify", verify, before=reset),
        Command("provcat verify --jobs 1", [*verify, "--jobs", "1"], before=reset),
        Command("sha256sum -c" + (" + sha512sum -c" if all_digests else ""), ["sh", "-c", sums],
                cwd=corpus.archive),
        Command("bagit validate (1 process, its default)", [str(PYTHON), "-c", BAGIT, bag, "1"]),
        Command(f"bagit validate ({jobs} processes)", [str(PYTHON), "-c", BAGIT, bag, str(jobs)]),
        Command(f"bare read-and-hash loop ({jobs} processes)",
                [str(PYTHON), str(HERE / "bare_hash.py"), str(corpus.archive), "--jobs", str(jobs),
                 "--algorithms", algorithms]),
    ]


def report(corpus: Corpus, cmds: list[Command], title: str) -> tuple[str, dict[str, object]]:
    provcat = cmds[0].median
    rows = []
    for c in cmds:
        rows.append([c.name, f"{c.median:.3f}", f"{corpus.files / c.median:,.0f}",
                     f"{corpus.bytes / c.median / 1e6:,.0f}", f"{c.median / provcat:.2f}"])
    text = (f"**{title}** — {corpus.name}: {corpus.files:,} files, {corpus.bytes / 1e6:,.0f} MB; "
            f"median of {len(cmds[0].samples)} runs\n\n"
            + table(["command", "median s", "files/s", "MB/s", "its time ÷ provcat verify's (>1: provcat faster)"],
                    rows))
    data = {"corpus": corpus.name, "files": corpus.files, "bytes": corpus.bytes, "title": title,
            "runs": len(cmds[0].samples),
            "commands": {c.name: {"median_s": c.median, "samples_s": [s.seconds for s in c.samples],
                                  "cpu_s": [s.cpu_seconds for s in c.samples]} for c in cmds}}
    return text, data


def breakdown(corpus: Corpus, runs: int = 3) -> tuple[str, dict[str, object]]:
    """Where ``provcat verify``'s time goes, phase by phase, in this process (warm cache, SHA-256)."""
    import time

    from provcat.archive import scan_paths
    from provcat.fixity import digest_files
    from provcat.verify import FixityLog, check_archive, record_events, recorded_files, report_line, summary

    def timed(work: Callable[[], object]) -> float:
        times = []
        for _ in range(runs):
            forget_checks(corpus.db)()
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    def checked_and_logged() -> None:
        with FixityLog(corpus.db) as log:
            check_archive(corpus.archive, corpus.db, log=log)

    locations = [os.path.join(corpus.archive, path) for path in scan_paths(corpus.archive).found]
    checks = check_archive(corpus.archive, corpus.db)
    phases = {
        "scan the archive (provcat.archive.scan_paths)": timed(lambda: scan_paths(corpus.archive)),
        "read the catalogue's digests": timed(lambda: recorded_files(corpus.db, ("sha256",))),
        "hash every file, all cores (digest_files)": timed(lambda: digest_files(locations, ("sha256",))),
        "hash every file, one process": timed(lambda: digest_files(locations, ("sha256",), jobs=1)),
        "check_archive (scan, read, hash, compare), nothing recorded": timed(
            lambda: check_archive(corpus.archive, corpus.db)),
        "record one fixity event per check, alone": timed(lambda: record_events(corpus.db, checks)),
        "check_archive with the events recorded as each batch is compared": timed(checked_and_logged),
        "format the report": timed(lambda: (summary(checks), "\n".join(map(report_line, checks)))),
    }
    forget_checks(corpus.db)()
    rows = [[name, f"{seconds:.3f}", f"{1e6 * seconds / corpus.files:.1f}"] for name, seconds in phases.items()]
    text = (f"**Where verification's time goes** — {corpus.name}, SHA-256, warm cache, in one process, "
            f"median of {runs}\n\n" + table(["phase", "seconds", "µs per file"], rows))
    return text, {"corpus": corpus.name, "breakdown_s": phases}


def corpora(args: argparse.Namespace) -> list[tuple[str, Callable[[], Iterator[Document]], bool]]:
    wanted = []
    for count in args.small:
        wanted.append((f"small-{count}", lambda n=count: small_documents(n), False))
    if args.large:
        wanted.append((f"large-{args.large}x{args.large_mb:g}MB",
                       lambda: large_documents(args.large, args.large_mb), True))
    return wanted


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--small", type=int, nargs="*", default=[10_000, 100_000],
                        help="sizes of the small-document corpora (3 KB each)")
    parser.add_argument("--large", type=int, default=200, help="number of long transcripts")
    parser.add_argument("--large-mb", type=float, default=5.0, help="size of each long transcript")
    parser.add_argument("--verify-runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=3, help="runs with an empty page cache (0: none)")


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[dict[str, object]]]:
    texts: list[str] = []
    results: list[dict[str, object]] = []
    jobs = os.cpu_count() or 1
    cold = args.cold_runs > 0 and drop_caches()
    if args.cold_runs > 0 and not cold:
        texts.append("Cold-cache runs skipped: this kernel does not let us empty the page cache.")
    for name, documents, digests_only in corpora(args):
        corpus = prepare(name, documents, workdir, digests_only)
        if not digests_only and corpus.files == max(args.small):
            text, data = breakdown(corpus)
            print(text + "\n", flush=True)
            texts.append(text)
            results.append(data)
        for all_digests in (False, True):
            label = "SHA-256 + SHA-512" if all_digests else "SHA-256"
            cmds = commands(corpus, all_digests, jobs)
            measure(cmds, args.verify_runs)
            text, data = report(corpus, cmds, f"{label}, warm cache")
            print(text + "\n", flush=True)
            texts.append(text)
            results.append(data)
            if cold:
                cmds = commands(corpus, all_digests, jobs)
                measure(cmds, args.cold_runs, cold=True)
                text, data = report(corpus, cmds, f"{label}, cold cache (page cache emptied before each run)")
                print(text + "\n", flush=True)
                texts.append(text)
                results.append(data)
    return texts, results


def main(argv: list[str] | None = None) -> int:
    return run_part_alone(__doc__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
