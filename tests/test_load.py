"""A bounded load on loopback: a fixed number of requests at several concurrency levels against the
served seed catalogue (table JSON, search, document pages), with zero errors allowed; then heavy
hashing requests three at a time, while a document page must keep answering.

The figures are printed (run with ``-s``); docs/security.md records a run. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from server_process import Served, served

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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("load") / "catalogue.db"
    build_catalogue(ROOT / "seeds", ROOT / "metadata", db)
    with served(db, ROOT / "metadata") as running:
        yield running


@pytest.fixture(scope="module")
def base_url(server: Served) -> str:
    return server.base


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


#: Requests that once took the server's memory to gigabytes and stalled every page for seconds, with
#: the status each must now get: a hash of one huge value (refused), hashes of many large values
#: (stopped at the time limit), a hash of a number (refused: it was hashed as that many zero bytes),
#: and the integrity check. Each is sent three times at once.
HEAVY_SQL = [
    ("select sha512_hex(zeroblob(300000000))", 400),
    ("select sha512_hex(zeroblob(67108864 - x % 2)) from "
     "(with recursive r(x) as (select 1 union all select x + 1 from r where x < 400) select x from r)", 400),
    ("select sha512_hex(900000000)", 400),
    ("select sha256_hex(content) from documents", 200),
]
#: What a page may take while they run, and what the server may grow by.
PAGE_SECONDS = 2.0
GROWTH_BYTES = 1_500_000_000


def resident_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def test_heavy_hashing_leaves_other_pages_answering(server: Served) -> None:
    page = server.base + PATHS[4]
    for sql, expected in HEAVY_SQL:
        before = resident_bytes(server.process.pid)
        peak, latencies = before, []
        url = server.base + "/catalogue.json?" + urllib.parse.urlencode({"sql": sql})
        with ThreadPoolExecutor(max_workers=3) as pool:
            heavy = [pool.submit(fetch, url) for _ in range(3)]
            while not all(f.done() for f in heavy):
                status, seconds = fetch(page)
                latencies.append(seconds)
                assert status == 200
                peak = max(peak, resident_bytes(server.process.pid))
                time.sleep(0.05)
            results = [f.result() for f in heavy]
        assert [status for status, _ in results] == [expected] * 3, f"{sql}: {results}"
        assert max(latencies) < PAGE_SECONDS, f"{sql}: a page took {max(latencies):.2f} s"
        assert all(seconds < 5 for _, seconds in results), f"{sql}: {results}"  # the 3 s limit, and a call
        assert peak - before < GROWTH_BYTES, f"{sql}: the server grew by {(peak - before) / 1e6:.0f} MB"
        print(f"\n{sql[:50]}: {[s for s, _ in results]} in {max(t for _, t in results):.2f} s; pages at most "
              f"{max(latencies) * 1000:.0f} ms; server +{(peak - before) / 1e6:.0f} MB")
