"""Fixity: digests of the exact bytes of a file, streamed, and the manifest digest of a build.

SHA-256 is the identity digest; SHA-512 is the second algorithm BagIt 1.0 recommends. Both are
computed in one pass over the bytes, read in large blocks. Many files are hashed by a pool of worker
processes (one per core by default), a batch of files per task so that small files do not pay a
round trip each. This module imports nothing heavy, so verification starts fast.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

ALGORITHMS = ("sha256", "sha512")
BLOCK_SIZE = 1 << 20
#: Most files one task hashes: enough to amortise a task's cost (a pipe round trip, pickling) over
#: many small files, while a few large files still spread over every worker.
MAX_FILES_PER_TASK = 1024
#: Tasks per worker at least, so that a worker that drew larger files does not finish last alone.
TASKS_PER_WORKER = 4
#: Below this many files, the files are hashed in this process unless they add up to
#: ``MIN_PARALLEL_BYTES``: starting workers would cost more than it saves.
MIN_PARALLEL_FILES = 64
MIN_PARALLEL_BYTES = 32 << 20
#: Files hashed in this process are handed back this many at a time (progress, recording as it goes).
SERIAL_BATCH_FILES = 64


@dataclass(frozen=True, slots=True)
class Digests:
    sha256: str
    sha512: str
    size_bytes: int


def digest_bytes(data: bytes) -> Digests:
    return Digests(hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(), len(data))


def read_and_hash(path: str | Path, with_sha512: bool, buffer: bytearray) -> tuple[str, str, int]:
    """SHA-256 (and SHA-512) and size of a file, read in blocks of ``len(buffer)`` bytes.

    The file is read with ``os.open``/``os.readv`` rather than a Python file object, which costs
    about a quarter of the time on a small file."""
    sha256 = hashlib.sha256()
    sha512 = hashlib.sha512() if with_sha512 else None
    size = 0
    view = memoryview(buffer)
    buffers = [buffer]
    fd = os.open(path, os.O_RDONLY)
    try:
        while n := os.readv(fd, buffers):
            size += n
            block = view[:n]
            sha256.update(block)
            if sha512 is not None:
                sha512.update(block)
    finally:
        os.close(fd)
    return sha256.hexdigest(), sha512.hexdigest() if sha512 is not None else "", size


def digest_file(path: Path, algorithms: Iterable[str] = ALGORITHMS, buffer: bytearray | None = None) -> Digests:
    """Hash a file in large blocks without holding it in memory (``buffer``, when given, is reused)."""
    return Digests(*read_and_hash(path, "sha512" in set(algorithms), buffer or bytearray(BLOCK_SIZE)))


#: What a worker sends back for one file: (sha256, sha512, size), or the error that stopped its reading.
#: Plain tuples and strings cross the process boundary several times faster than objects.
RawDigests = tuple[str, str, int] | OSError
#: Where each algorithm's digest is in a :data:`RawDigests` tuple.
RAW_INDEX = {"sha256": 0, "sha512": 1}


def digest_batch(paths: Sequence[str], algorithms: tuple[str, ...] = ALGORITHMS) -> list[RawDigests]:
    """A worker's task: each file's digests in order, or its error; one read buffer for all."""
    buffer = bytearray(BLOCK_SIZE)
    with_sha512 = "sha512" in algorithms
    results: list[RawDigests] = []
    for path in paths:
        try:
            results.append(read_and_hash(path, with_sha512, buffer))
        except OSError as exc:
            results.append(exc)
    return results


#: Most hashing processes per core: more than one helps on a spinning or network disk, where each
#: waits on the disk, but each costs memory and a process slot, and thousands exhaust a machine.
MAX_JOBS_PER_CORE = 4


def cores() -> int:
    return os.cpu_count() or 1


def capped_jobs(jobs: int | None) -> tuple[int | None, str | None]:
    """``jobs`` within ``MAX_JOBS_PER_CORE`` per core, and a message when it had to be lowered."""
    most = MAX_JOBS_PER_CORE * cores()
    if jobs is None or jobs <= most:
        return jobs, None
    return most, (f"--jobs {jobs} is more than {MAX_JOBS_PER_CORE} per core on this machine's {cores()} "
                  f"core{'s' if cores() > 1 else ''}: using {most}")


def worker_count(jobs: int | None) -> int:
    """``jobs`` worker processes (at most ``MAX_JOBS_PER_CORE`` per core), or one per core when not given."""
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    return min(jobs or cores(), MAX_JOBS_PER_CORE * cores())


def worth_parallel(paths: Sequence[str], workers: int) -> bool:
    """Whether hashing ``paths`` in worker processes saves time: many files, or a few large ones."""
    if workers < 2 or len(paths) < 2:
        return False
    if len(paths) >= MIN_PARALLEL_FILES:
        return True
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue
    return total >= MIN_PARALLEL_BYTES


def batches(paths: Sequence[str], workers: int) -> list[Sequence[str]]:
    """``paths`` cut into consecutive batches: at least ``TASKS_PER_WORKER`` per worker, at most
    ``MAX_FILES_PER_TASK`` files each."""
    size = max(1, min(MAX_FILES_PER_TASK, math.ceil(len(paths) / (workers * TASKS_PER_WORKER))))
    return [paths[i:i + size] for i in range(0, len(paths), size)]


class Digesting:
    """Files being hashed, in the background by worker processes when that saves time (many files,
    or a few large ones, and more than one job), so that the caller can do other work meanwhile;
    :meth:`results` waits for them. Use it as a context manager: leaving it stops the workers."""

    def __init__(self, paths: Sequence[Path | str], algorithms: Iterable[str] = ALGORITHMS,
                 jobs: int | None = None) -> None:
        self.algorithms = tuple(algorithms)
        self.names = [os.fspath(path) for path in paths]
        self.pool: Executor | None = None
        self.pending: list[Future[list[RawDigests]]] = []
        workers = worker_count(jobs)
        if worth_parallel(self.names, workers):
            from concurrent.futures import ProcessPoolExecutor  # only when there are workers to start

            tasks = batches(self.names, workers)
            self.pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)))
            self.pending = [self.pool.submit(digest_batch, task, self.algorithms) for task in tasks]

    def raw_batches(self) -> Iterator[list[RawDigests]]:
        """Every file's (sha256, sha512, size), or the ``OSError`` that stopped its reading, in the
        order given, a batch at a time as the workers finish them (sha512 is empty when it was not
        asked for): the caller can use one batch while the next are being hashed."""
        if self.pool is None:
            # in this process, a batch at a time all the same: what is done can be shown and recorded
            for start in range(0, len(self.names), SERIAL_BATCH_FILES):
                yield digest_batch(self.names[start:start + SERIAL_BATCH_FILES], self.algorithms)
            return
        for future in self.pending:
            yield future.result()

    def raw_results(self) -> list[RawDigests]:
        """:meth:`raw_batches`, all at once."""
        return [result for batch in self.raw_batches() for result in batch]

    def results(self) -> list[Digests | OSError]:
        """Every file's digests, in the order given (an unreadable file gives its ``OSError``)."""
        return [result if isinstance(result, OSError) else Digests(*result) for result in self.raw_results()]

    def __enter__(self) -> Digesting:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def digest_files(paths: Sequence[Path | str], algorithms: Iterable[str] = ALGORITHMS,
                 jobs: int | None = None) -> list[Digests | OSError]:
    """The digests of every file, in order (an unreadable file gives its ``OSError`` instead), spread
    over ``jobs`` worker processes (default: one per core); a handful of small files, or ``jobs=1``,
    are hashed in this process."""
    with Digesting(paths, algorithms, jobs) as digesting:
        return digesting.results()


def manifest_line(path: str, digest: str) -> str:
    """``<digest>  <path>`` and a line feed, as GNU ``sha256sum`` writes it: a path holding a
    backslash, a line feed or a carriage return has them written ``\\\\``, ``\\n``, ``\\r``, and the line
    starts with a backslash to say so."""
    if "\\" in path or "\n" in path or "\r" in path:
        escaped = path.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {escaped}\n"
    return f"{digest}  {path}\n"


def manifest_lines(entries: Iterable[tuple[str, str]]) -> str:
    """The build manifest: one :func:`manifest_line` per document, sorted by path, LF endings.

    It is the format ``sha256sum`` writes and reads, so ``sha256sum -c`` can check it from the
    archive root.
    """
    return "".join(manifest_line(path, digest) for path, digest in sorted(entries))


def manifest_sha256(entries: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of :func:`manifest_lines` over (path, sha256) pairs."""
    return hashlib.sha256(manifest_lines(entries).encode("utf-8")).hexdigest()
