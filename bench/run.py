"""Every benchmark in one command: verification, build, serving, fixity history, build cost against
document size (see docs/performance.md).

Corpora are generated from parameters into a work folder (a new temporary folder, removed at the
end, unless ``--workdir`` names one to keep and reuse). The results are printed as Markdown and
written to ``results.md`` and ``results.json`` in ``bench/results/`` (or ``--output``; not committed).

Usage:  .venv/bin/python bench/run.py [--quick] [--only verify,build,serve,history,size] [--workdir DIR] [...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import building
import history
import serving
import size
import verification
from timing import ROOT, machine

QUICK = {"small": [2000], "large": 20, "verify_runs": 3, "cold_runs": 1, "build_docs": 100, "build_runs": 2,
         "serve_docs": 2000, "serve_seconds": 2, "serve_rounds": 1, "history_docs": 2000, "history_runs": 10,
         "size_mb": [0.1, 0.2], "hostile_mb": [0.1, 0.2], "names_mb": [0.1, 0.2],
         "size_kinds": ["article", "transcript", "straight-quotes"],
         "size_runs": 1, "size_runs_large": 1}
PARTS = {"verify": verification, "build": building, "serve": serving, "history": history, "size": size}


def needed_gb(args: argparse.Namespace) -> float:
    """A generous estimate of the disk the corpora take (files, catalogues, bags are hard links)."""
    small = sum(args.small) if "verify" in args.only else 0
    if "serve" in args.only and args.serve_docs not in args.small:
        small += args.serve_docs
    large = args.large * args.large_mb / 1000 if "verify" in args.only else 0
    events = history.needed_gb(args) if "history" in args.only else 0
    documents = size.needed_gb(args) if "size" in args.only else 0
    return small * 25e-6 + large * 1.2 + events + documents + 0.5


def revision() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" with uncommitted changes" if dirty else "")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small corpora, few runs: a check that it all works")
    parser.add_argument("--only", default="verify,build,serve,history,size",
                        help="comma-separated: verify, build, serve, history, size")
    parser.add_argument("--workdir", type=Path, help="keep the corpora here (and reuse them next time)")
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "results",
                        help="folder for results.md and results.json (default: bench/results)")
    for part in PARTS.values():
        part.add_arguments(parser)
    args = parser.parse_args(argv)
    args.only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.only) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="provcat-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(workdir).free / 1e9
    if free < needed_gb(args):
        print(f"only {free:.1f} GB free in {workdir}; these corpora need about {needed_gb(args):.1f} GB",
              file=sys.stderr)
        return 2
    header = (f"provcat benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, revision {revision()}\n"
              f"machine: {machine()}\nwork folder: {workdir}" + (" (quick)" if args.quick else ""))
    print(header + "\n", flush=True)
    texts, results = [header], []
    try:
        for name in args.only:
            part_texts, part_results = PARTS[name].run(args, workdir)
            texts += part_texts
            results += part_results
    finally:
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "results.md").write_text("\n\n".join(texts) + "\n")
        (args.output / "results.json").write_text(json.dumps(results, indent=2))
        print(f"results written to {args.output}")
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
