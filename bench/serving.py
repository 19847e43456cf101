"""Serving: ``provcat serve`` against plain Datasette on the same catalogue file, under a bounded load.

The catalogue is the generated one (bench/generated_catalogue.py: store schema, sqlite-utils
inserts, FTS5), because a spaCy build of 100,000 documents takes hours. Two servers run at once on
127.0.0.1, and nothing else is ever contacted:

- ``provcat serve``: immutable, with its inspect file, metadata, plugin, templates and settings
  (facet suggestions off, SQL time limit);
- plain Datasette: ``datasette serve catalogue.db`` with its default options and no plugin.

For each kind of request, ``wrk`` runs a fixed time with one connection (latency as one reader
sees it) and with eight (throughput), cycling through a fixed list of URLs; the servers alternate,
rounds repeat, and the medians over rounds are reported with the ratio between the two servers.

Usage:  .venv/bin/python bench/serving.py --workdir DIR [--serve-docs N] [--serve-seconds S] ...
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from corpus import small_documents
from generated_catalogue import generated_archive
from timing import PROVCAT, PYTHON, ROOT, table

HOST = "127.0.0.1"
#: Plain Datasette: its own command line, with the plugins installed in this environment left out.
PLAIN_DATASETTE = ("import sys, pluggy\n"
                   "pluggy.PluginManager.load_setuptools_entrypoints = lambda self, group, name=None: 0\n"
                   "from datasette.cli import cli\n"
                   "cli.main(args=sys.argv[1:], prog_name='datasette')\n")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


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


def lua_script(paths: list[str], into: Path) -> Path:
    """A wrk script cycling through ``paths`` (each thread from its own offset)."""
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    into.write_text(f"local paths = {{\n{quoted}\n}}\nlocal i = math.random(#paths)\n"
                    "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
    return into


def milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> Load:
    def latency(percent: str) -> float:
        return milliseconds(re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(latency("50"), latency("99"), rps, errors + (int(non2xx.group(1)) if non2xx else 0))


def wrk(port: int, script: Path, connections: int, seconds: int) -> Load:
    threads = min(2, connections)
    output = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                             "--latency", "-s", str(script), f"http://{HOST}:{port}"],
                            capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def check(port: int, paths: list[str]) -> None:
    for path in paths[:3]:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=60) as response:
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")


def endpoints(db: Path, rng: random.Random) -> tuple[list[Endpoint], dict[str, int]]:
    """The requests: ranked by nothing, as an archivist sends them from the table page."""
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
    ], frequencies


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[dict[str, object]]]:
    if shutil.which("wrk") is None:
        return ["Serving benchmark skipped: `wrk` is not installed (apt-get install wrk)."], []
    name = f"small-{args.serve_docs}"
    root, _, _ = generated_archive(workdir, name, lambda: small_documents(args.serve_docs))
    db = root / "catalogue.db"
    eps, frequencies = endpoints(db, random.Random(7))
    ports = {"provcat serve": free_port(), "plain datasette": free_port()}
    commands = {
        "provcat serve": [str(PROVCAT), "serve", "--db", str(db), "--metadata", str(ROOT / "metadata"),
                          "--host", HOST, "--port", str(ports["provcat serve"])],
        "plain datasette": [str(PYTHON), "-c", PLAIN_DATASETTE, "serve", str(db), "--host", HOST,
                            "--port", str(ports["plain datasette"])],
    }
    startup = {}
    with server(commands["provcat serve"], ports["provcat serve"]) as startup["provcat serve"], \
            server(commands["plain datasette"], ports["plain datasette"]) as startup["plain datasette"]:
        for n, ep in enumerate(eps):
            script = lua_script(ep.paths, root / f"wrk-{n}.lua")
            for port in ports.values():
                check(port, ep.paths)
                wrk(port, script, 8, 1)  # warm-up
            for _ in range(args.serve_rounds):
                for connections in (1, 8):
                    for who, port in ports.items():
                        ep.results.setdefault((who, connections), []).append(
                            wrk(port, script, connections, args.serve_seconds))
    text, data = report(eps, frequencies, startup, args)
    print(text + "\n", flush=True)
    return [text], [data]


def median_load(loads: list[Load]) -> Load:
    return Load(statistics.median(x.p50_ms for x in loads), statistics.median(x.p99_ms for x in loads),
                statistics.median(x.rps for x in loads), sum(x.errors for x in loads))


def report(eps: list[Endpoint], frequencies: dict[str, int], startup: dict[str, float],
           args: argparse.Namespace) -> tuple[str, dict[str, object]]:
    rows, data = [], {}
    for ep in eps:
        for connections in (1, 8):
            mine = median_load(ep.results[("provcat serve", connections)])
            plain = median_load(ep.results[("plain datasette", connections)])
            rows.append([ep.name, str(connections),
                         f"{mine.p50_ms:.1f} / {mine.p99_ms:.1f}", f"{mine.rps:,.0f}",
                         f"{plain.p50_ms:.1f} / {plain.p99_ms:.1f}", f"{plain.rps:,.0f}",
                         f"{mine.rps / plain.rps:.2f}", str(mine.errors + plain.errors)])
            data[f"{ep.name} c{connections}"] = {"provcat": mine.__dict__, "plain": plain.__dict__}
    facts = ", ".join(f"{k}: {v:,}" for k, v in frequencies.items())
    text = (f"**Serving** — {facts}; wrk for {args.serve_seconds:g} s per run, median of {args.serve_rounds} "
            f"rounds; startup to first answer: provcat serve {startup['provcat serve']:.1f} s (inspect file "
            f"included), plain datasette {startup['plain datasette']:.1f} s\n\n"
            + table(["request", "connections", "provcat p50 / p99 ms", "provcat req/s", "plain p50 / p99 ms",
                     "plain req/s", "req/s provcat ÷ plain", "errors"], rows))
    return text, {"serving": data, "frequencies": frequencies, "startup_s": startup}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--serve-docs", type=int, default=100_000)
    parser.add_argument("--serve-seconds", type=int, default=5)
    parser.add_argument("--serve-rounds", type=int, default=3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    add_arguments(parser)
    args = parser.parse_args(argv)
    run(args, args.workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
