import concurrent.futures
import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from provcat import fixity
from provcat.fixity import (
    ALGORITHMS,
    Digests,
    digest_bytes,
    digest_file,
    digest_files,
    manifest_lines,
    manifest_sha256,
)


def test_digest_file_streams_and_matches_hashlib(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # larger than one read block
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    digests = digest_file(path)
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.sha512 == hashlib.sha512(data).hexdigest()
    assert digests.size_bytes == len(data)
    assert digests == digest_bytes(data)


def test_digest_file_sha256_only_skips_sha512(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    digests = digest_file(path, ("sha256",))
    assert digests.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert digests.sha512 == ""


def test_manifest_is_sorted_sha256sum_format() -> None:
    entries = [("b.txt", "22"), ("a.txt", "11")]
    assert manifest_lines(entries) == "11  a.txt\n22  b.txt\n"
    assert manifest_sha256(entries) == hashlib.sha256(b"11  a.txt\n22  b.txt\n").hexdigest()
    assert manifest_sha256(reversed(entries)) == manifest_sha256(entries)


# ----------------------------------------------------------------------------------------------
# Many files: worker processes, batches of files per task, the same results as one process
# ----------------------------------------------------------------------------------------------


class CountingPool(ProcessPoolExecutor):
    started = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        CountingPool.started += 1
        super().__init__(*args, **kwargs)


@pytest.fixture
def counting_pool(monkeypatch: pytest.MonkeyPatch) -> type[CountingPool]:
    CountingPool.started = 0
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    return CountingPool


def many_files(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        path = folder / f"doc-{n:03d}.txt"
        path.write_bytes(f"Document {n} said the council.\n".encode() * (n % 7 + 1))
        paths.append(path)
    return paths


def test_parallel_digests_equal_serial_ones_in_order(tmp_path: Path, counting_pool: type[CountingPool]) -> None:
    paths = many_files(tmp_path, fixity.MIN_PARALLEL_FILES + 37)
    paths.insert(5, tmp_path / "gone.txt")  # an unreadable file keeps its place
    serial = digest_files(paths, ALGORITHMS, jobs=1)
    assert counting_pool.started == 0
    parallel = digest_files(paths, ALGORITHMS, jobs=3)
    assert counting_pool.started == 1
    assert [d for d in parallel if not isinstance(d, OSError)] == [d for d in serial if not isinstance(d, OSError)]
    assert isinstance(serial[5], FileNotFoundError) and isinstance(parallel[5], FileNotFoundError)
    assert parallel[0] == digest_bytes(paths[0].read_bytes())
    assert len(parallel) == len(paths)


def test_sha256_only_in_workers(tmp_path: Path, counting_pool: type[CountingPool]) -> None:
    paths = many_files(tmp_path, fixity.MIN_PARALLEL_FILES)
    digests = digest_files(paths, ("sha256",), jobs=2)
    assert counting_pool.started == 1
    assert all(isinstance(d, Digests) and d.sha512 == "" for d in digests)
    assert [d.sha256 for d in digests] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_a_handful_of_small_files_is_hashed_in_process(tmp_path: Path, counting_pool: type[CountingPool]) -> None:
    paths = many_files(tmp_path, 5)
    assert digest_files(paths, jobs=4) == digest_files(paths, jobs=1)
    assert counting_pool.started == 0


def test_a_few_large_files_go_to_workers(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(fixity.MIN_PARALLEL_BYTES)  # sparse: takes no disk space
    small = many_files(tmp_path, 2)
    assert fixity.worth_parallel([str(big), *map(str, small)], workers=2)
    assert not fixity.worth_parallel([str(p) for p in small], workers=2)
    assert not fixity.worth_parallel([str(big), str(big)], workers=1)


def test_batches_cover_every_file_once_in_order() -> None:
    names = [f"f{n}" for n in range(1000)]
    cut = fixity.batches(names, workers=2)
    assert [name for batch in cut for name in batch] == names
    assert len(cut) >= 2 * fixity.TASKS_PER_WORKER
    assert max(len(b) for b in cut) <= fixity.MAX_FILES_PER_TASK
    assert fixity.batches(["a", "b"], workers=8) == [["a"], ["b"]]
    many = fixity.batches([str(n) for n in range(100_000)], workers=2)
    assert {len(b) for b in many[:-1]} == {fixity.MAX_FILES_PER_TASK}


def test_worker_count() -> None:
    assert fixity.worker_count(None) == (os.cpu_count() or 1)
    assert fixity.worker_count(3) == 3
    with pytest.raises(ValueError):
        fixity.worker_count(0)


def test_jobs_are_capped_at_four_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    from provcat import fixity

    monkeypatch.setattr(fixity.os, "cpu_count", lambda: 2)
    assert fixity.capped_jobs(None) == (None, None)
    assert fixity.capped_jobs(8) == (8, None)
    jobs, message = fixity.capped_jobs(10_000)
    assert jobs == 8 and message == "--jobs 10000 is more than 4 per core on this machine's 2 cores: using 8"
    assert fixity.worker_count(10_000) == 8 and fixity.worker_count(None) == 2
