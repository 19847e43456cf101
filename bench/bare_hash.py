"""The machine's own limit: read and hash every file below a folder with N processes, nothing else.

Standard library only; no comparison, no report. Each process reads its share of the files (every
N-th) in 1 MiB blocks and hashes them with the given algorithms.

Usage:  python bench/bare_hash.py FOLDER [--jobs N] [--algorithms sha256,sha512]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from multiprocessing import Pool


def hash_files(paths: list[str], algorithms: tuple[str, ...]) -> int:
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    for path in paths:
        hashes = [hashlib.new(a) for a in algorithms]
        with open(path, "rb", buffering=0) as handle:
            while n := handle.readinto(buffer):
                for h in hashes:
                    h.update(view[:n])
        for h in hashes:
            h.hexdigest()
    return len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--algorithms", default="sha256")
    args = parser.parse_args(argv)
    algorithms = tuple(args.algorithms.split(","))
    paths = [os.path.join(d, f) for d, _, files in os.walk(args.folder) for f in files]
    if args.jobs == 1:
        hash_files(paths, algorithms)
        return 0
    with Pool(args.jobs) as pool:
        pool.starmap(hash_files, [(paths[i::args.jobs], algorithms) for i in range(args.jobs)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
