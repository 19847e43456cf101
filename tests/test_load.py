"""A bounded load on loopback: a fixed number of requests at several concurrency levels against the
served seed catalogue (table JSON, search, document pages), with zero errors allowed.

The figures are printed (run with ``-s``); docs/security.md records a run. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from server_process import running_server

from provcat.build import build_catalogue

ROOT = Path(__file__).resolve().parent.parent
PATHS = [
    "/catalogue/documents.json?_search=defectors",
    "/catalogue/quotes.json?_search=shininess",
    "/catalogue/documents.json",
    "/catalogue/entities.json?_sort=name",
    "/catalogue/documents/000_5b55b6d9b2e6ebeb",
    "/catalogue/documents/002_bfaa0521dbc1feff",
    "/catalogue/entities/peter-neumann",
]
REQUESTS_PER_LEVEL = 140
LEVELS = (1, 4, 8)
TIME_LIMIT_SECONDS = 60


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("load") / "catalogue.db"
    build_catalogue(ROOT / "seeds", ROOT / "metadata", db)
    with running_server(db, ROOT / "metadata") as base:
        yield base


def fetch(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        status = 0
    return status, time.perf_counter() - started


def test_bounded_load_has_no_errors(base_url: str) -> None:
    deadline = time.monotonic() + TIME_LIMIT_SECONDS
    report = []
    for level in LEVELS:
        urls = [base_url + PATHS[i % len(PATHS)] for i in range(REQUESTS_PER_LEVEL)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=level) as pool:
            results = list(pool.map(fetch, urls))
        elapsed = time.perf_counter() - started
        errors = [status for status, _ in results if status != 200]
        assert errors == [], f"{len(errors)} errors at {level} connections: {sorted(set(errors))}"
        latencies = sorted(seconds for _, seconds in results)
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        report.append(f"{level} connections: {len(results)} requests, {len(results) / elapsed:.0f} req/s, "
                      f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, 0 errors")
        assert time.monotonic() < deadline, "load test exceeded its time limit"
    print("\n" + "\n".join(report))


def test_the_server_refuses_writes(base_url: str) -> None:
    status, _ = fetch(base_url + "/catalogue.json?sql=" + urllib.request.quote("delete from documents"))
    assert status in (400, 403)
    request = urllib.request.Request(base_url + "/catalogue/documents/-/insert", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status in (403, 404, 405)
