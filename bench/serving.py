"""Serving: ``provcat serve`` against plain Datasette, mutable and immutable, on the same catalogue
file, under a bounded load.

The catalogue is the generated one (bench/generated_catalogue.py: store schema, sqlite-utils
inserts, FTS5), because a spaCy build of 100,000 documents takes hours. Before serving it is
verified once with ``provcat verify`` (untimed, only when no verification is recorded yet), so that
the archive's state the pages show is a real run's: every document intact, checked by a
verification. Three servers run at once on 127.0.0.1, and nothing else is ever contacted:

- ``provcat serve``: the catalogue mutable and read-only (connections ``mode=ro``, no inspect
  file), as it is served so that a verification run while the site is up shows at the next page
  load; its metadata, plugin, templates and settings (facet suggestions off, SQL time limit); each
  request also stats the file (a rebuild that replaced it is reopened) and the home page and
  document pages read the archive's integrity state;
- plain Datasette, mutable: ``datasette serve catalogue.db`` with its default options and no plugin;
- plain Datasette, immutable: ``datasette serve -i catalogue.db --inspect-file inspect.json``, the
  inspect file made first by ``datasette inspect`` (timed apart from the startup), no plugin. Set
  against plain mutable, it is what immutability alone buys on this machine.

Before measuring, provcat's home page and one document page must answer 200 with the archive's
integrity section (``provcat-archive``, ``data-archive-state``), so the pages measured are the ones
a reader gets.

For each kind of request, a load generator in this process sends a fixed number of requests over
one keep-alive connection (latency as one reader sees it) and over eight at once (throughput),
cycling through a fixed list of URLs. The number is the same for every server: enough to last about
``--serve-seconds`` on the slowest one (probed first), at least four per connection. A run ends when
its last answer arrives, so no request spills into the next run. The servers alternate, rounds
repeat, and the medians over rounds are reported with the ratios provcat ÷ plain mutable and plain
immutable ÷ plain mutable. The load average at the start and the end is reported, since the machine
may be shared.

Usage:  .venv/bin/python bench/serving.py --workdir DIR [--serve-docs N] [--serve-seconds S] ...
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from corpus import small_documents
from generated_catalogue import generated_archive
from timing import PROVCAT, PYTHON, ROOT, run_part_alone, table

HOST = "127.0.0.1"
#: Plain Datasette: its own command line, with the plugins installed in this environment left out.
PLAIN_DATASETTE = ("import sys, pluggy\n"
                   "pluggy.PluginManager.load_setuptools_entrypoints = lambda self, group, name=None: 0\n"
                   "from datasette.cli import cli\n"
                   "cli.main(args=sys.argv[1:], prog_name='datasette')\n")


@dataclass
class Load:
    p50_ms: float
    p99_ms: float
    rps: float
    errors: int


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    #: False for provcat's own pages (its search page and canned search query), which plain Datasette
    #: does not have
    compared: bool = True
    results: dict[tuple[str, int], list[Load]] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def server(argv: list[str], port: int) -> Iterator[float]:
    """Start a server in its own process group, wait for its first answer, yield the seconds that
    took; stop exactly that process group afterwards."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/-/versions.json", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {' '.join(argv)}") from None
                time.sleep(0.05)
        yield time.perf_counter() - started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def fetch(conn: http.client.HTTPConnection, path: str) -> bool:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status == 200


def load(port: int, paths: list[str], connections: int, requests: int) -> Load:
    """Send ``requests`` GETs over ``connections`` keep-alive connections at once; latency of each."""
    latencies: list[float] = []
    failures: list[str] = []

    def client(first: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=300)
        for n in range(first, requests, connections):
            path = paths[n % len(paths)]
            started = time.perf_counter()
            try:
                ok = fetch(conn, path)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=300)
            latencies.append(time.perf_counter() - started)
            if not ok:
                failures.append(path)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Load(1000 * cuts[49], 1000 * cuts[98], requests / elapsed, len(failures))


def probe(port: int, paths: list[str]) -> float:
    """Seconds one request takes (median of three, after one untimed)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    fetch(conn, paths[0])
    times = []
    for path in (paths * 3)[:3]:
        started = time.perf_counter()
        if not fetch(conn, path):
            raise RuntimeError(f"{path}: not HTTP 200 on port {port}")
        times.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(times)


def endpoints(db: Path, rng: random.Random) -> tuple[list[Endpoint], dict[str, int]]:
    """The requests (table searches for rare names and for a common word, the table page, document
    pages and their JSON, and provcat's search page and its canned search query for the same terms)
    and how many documents the search terms match."""
    from datasette.utils import tilde_encode

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = [r[0] for r in conn.execute("select id from documents order by id")]
    names = [r[0] for r in conn.execute("select name from entities where type = 'person' order by id")]

    def frequency(term: str) -> int:
        return conn.execute("select count(*) from documents_fts where documents_fts match ?", (term,)).fetchone()[0]

    rare = [n.split()[-1] for n in rng.sample(names, 200)]
    rare = [t for t in rare if frequency(t) <= 20][:50]
    common = "council"
    frequencies = {"rare terms (median documents)": int(statistics.median(frequency(t) for t in rare)),
                   f"'{common}' (documents)": frequency(common), "documents": len(ids)}
    documents = [tilde_encode(i) for i in rng.sample(ids, 200)]
    conn.close()
    return [
        Endpoint("search, rare name (documents.json?_search=)",
                 [f"/catalogue/documents.json?_search={t}" for t in rare]),
        Endpoint(f"search, common word '{common}'", [f"/catalogue/documents.json?_search={common}"]),
        Endpoint("table JSON (documents.json)", ["/catalogue/documents.json"]),
        Endpoint("document page (HTML)", [f"/catalogue/documents/{d}" for d in documents]),
        Endpoint("document row JSON", [f"/catalogue/documents/{d}.json" for d in documents]),
        Endpoint("provcat search page, rare name (-/search?q=)", [f"/catalogue/-/search?q={t}" for t in rare],
                 compared=False),
        Endpoint(f"provcat search page, common word '{common}'", [f"/catalogue/-/search?q={common}"],
                 compared=False),
        Endpoint("provcat search query, rare name (canned query search?q=)", [f"/catalogue/search?q={t}" for t in rare],
                 compared=False),
        Endpoint(f"provcat search query, common word '{common}'", [f"/catalogue/search?q={common}"],
                 compared=False),
    ], frequencies


PROVCAT_SERVE = "provcat serve"
PLAIN = "plain datasette"
IMMUTABLE = "plain datasette -i"
SERVERS = (PROVCAT_SERVE, PLAIN, IMMUTABLE)


def verified_once(root: Path, db: Path) -> bool:
    """Verify the catalogue once (untimed) unless a verification is recorded already, so that the
    pages show the state a verified archive has; True if it was run now."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    checked = conn.execute("select 1 from fixity_events where event_type = 'fixity check' limit 1").fetchone()
    conn.close()
    if checked:
        return False
    subprocess.run([str(PROVCAT), "verify", str(root / "archive"), "--db", str(db)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return True


def inspected(db: Path) -> tuple[Path, float]:
    """``datasette inspect`` of the catalogue as it is now, for the immutable plain server; the file
    and the seconds it took."""
    inspect = db.with_name("inspect-plain.json")
    started = time.perf_counter()
    subprocess.run([str(PYTHON), "-c", PLAIN_DATASETTE, "inspect", str(db), "--inspect-file", str(inspect)],
                   check=True, stdout=subprocess.DEVNULL)
    return inspect, time.perf_counter() - started


def page(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=300) as response:
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status} on port {port}")
        return response.read().decode()


def check_integrity_pages(port: int, document_path: str) -> None:
    """provcat's home page and a document page answer 200 with the archive's integrity section."""
    for path, marker in (("/", 'class="provcat-archive"'), (document_path, "data-archive-state=")):
        if marker not in page(port, path):
            raise RuntimeError(f"{path} on provcat serve: no {marker!r} in the page")


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[dict[str, object]]]:
    name = f"small-{args.serve_docs}"
    root, _, _ = generated_archive(workdir, name, lambda: small_documents(args.serve_docs))
    db = root / "catalogue.db"
    verified = verified_once(root, db)
    loads = [os.getloadavg()]
    eps, frequencies = endpoints(db, random.Random(7))
    inspect, inspect_seconds = inspected(db)
    ports = {who: free_port() for who in SERVERS}
    commands = {
        PROVCAT_SERVE: [str(PROVCAT), "serve", "--db", str(db), "--metadata", str(ROOT / "metadata"),
                        "--host", HOST, "--port", str(ports[PROVCAT_SERVE])],
        PLAIN: [str(PYTHON), "-c", PLAIN_DATASETTE, "serve", str(db), "--host", HOST, "--port", str(ports[PLAIN])],
        IMMUTABLE: [str(PYTHON), "-c", PLAIN_DATASETTE, "serve", "-i", str(db), "--inspect-file", str(inspect),
                    "--host", HOST, "--port", str(ports[IMMUTABLE])],
    }
    startup: dict[str, float] = {}
    with ExitStack() as servers_up:
        for who in SERVERS:
            startup[who] = servers_up.enter_context(server(commands[who], ports[who]))
        document_page = next(ep for ep in eps if ep.name.startswith("document page"))
        check_integrity_pages(ports[PROVCAT_SERVE], document_page.paths[0])
        for ep in eps:
            servers = ports if ep.compared else {PROVCAT_SERVE: ports[PROVCAT_SERVE]}
            slowest = max(probe(port, ep.paths) for port in servers.values())
            for _ in range(args.serve_rounds):
                for connections in (1, 8):
                    requests = max(4 * connections, min(5000, round(args.serve_seconds / slowest)))
                    for who, port in servers.items():
                        ep.results.setdefault((who, connections), []).append(
                            load(port, ep.paths, connections, requests))
    loads.append(os.getloadavg())
    text, data = report(eps, frequencies, startup, inspect_seconds, verified, loads, args)
    print(text + "\n", flush=True)
    return [text], [data]


def median_load(loads: list[Load]) -> Load:
    return Load(statistics.median(x.p50_ms for x in loads), statistics.median(x.p99_ms for x in loads),
                statistics.median(x.rps for x in loads), sum(x.errors for x in loads))


def rate(requests_per_second: float) -> str:
    return f"{requests_per_second:,.0f}" if requests_per_second >= 10 else f"{requests_per_second:.1f}"


def average(load_average: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load_average)


def latency(x: Load) -> str:
    return f"{x.p50_ms:.1f} / {x.p99_ms:.1f}"


def report(eps: list[Endpoint], frequencies: dict[str, int], startup: dict[str, float], inspect_seconds: float,
           verified: bool, loads: list[tuple[float, float, float]],
           args: argparse.Namespace) -> tuple[str, dict[str, object]]:
    rows, data = [], {}
    for ep in eps:
        for connections in (1, 8):
            mine = median_load(ep.results[(PROVCAT_SERVE, connections)])
            if not ep.compared:
                rows.append([ep.name, str(connections), latency(mine), rate(mine.rps), *["—"] * 6, str(mine.errors)])
                data[f"{ep.name} c{connections}"] = {"provcat": mine.__dict__}
                continue
            plain = median_load(ep.results[(PLAIN, connections)])
            fixed = median_load(ep.results[(IMMUTABLE, connections)])
            rows.append([ep.name, str(connections), latency(mine), rate(mine.rps), latency(plain), rate(plain.rps),
                         latency(fixed), rate(fixed.rps), f"{mine.rps / plain.rps:.2f}", f"{fixed.rps / plain.rps:.2f}",
                         str(mine.errors + plain.errors + fixed.errors)])
            data[f"{ep.name} c{connections}"] = {"provcat": mine.__dict__, "plain": plain.__dict__,
                                                 "plain_immutable": fixed.__dict__,
                                                 "provcat_over_plain": mine.rps / plain.rps,
                                                 "immutable_over_plain": fixed.rps / plain.rps}
    facts = ", ".join(f"{k}: {v:,}" for k, v in frequencies.items())
    text = (f"**Serving** — {facts}; provcat serve mutable and read-only, plain datasette mutable "
            f"(`datasette serve catalogue.db`) and immutable (`-i`, with an inspect file); the catalogue "
            f"verified once before serving ({'now' if verified else 'already'}); provcat's home and document pages "
            f"checked for the integrity section; about {args.serve_seconds:g} s of requests per run on the slowest "
            f"server, median of {args.serve_rounds} rounds; startup to first answer: provcat serve "
            f"{startup[PROVCAT_SERVE]:.1f} s, plain datasette {startup[PLAIN]:.1f} s, plain datasette -i "
            f"{startup[IMMUTABLE]:.1f} s (with the inspect file, made first by `datasette inspect` in "
            f"{inspect_seconds:.1f} s); load average at the start {average(loads[0])}, at the end "
            f"{average(loads[-1])} (the machine may be shared)\n\n"
            + table(["request", "connections", "provcat p50 / p99 ms", "provcat req/s", "plain p50 / p99 ms",
                     "plain req/s", "plain -i p50 / p99 ms", "plain -i req/s", "req/s provcat ÷ plain",
                     "req/s plain -i ÷ plain", "errors"], rows))
    return text, {"serving": data, "frequencies": frequencies, "startup_s": startup, "inspect_s": inspect_seconds,
                  "verified_before_serving": verified, "load_average": {"start": loads[0], "end": loads[-1]}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--serve-docs", type=int, default=100_000)
    parser.add_argument("--serve-seconds", type=float, default=5,
                        help="requests per run: enough for about this long on the slower server")
    parser.add_argument("--serve-rounds", type=int, default=3)


def main(argv: list[str] | None = None) -> int:
    return run_part_alone(__doc__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
