"""A real Datasette server, started as ``provcat serve`` starts it, for tests that use HTTP."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from provcat import publish

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"datasette exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"datasette did not answer {url} within {STARTUP_SECONDS}s:\n{log.read_text()}")


@contextmanager
def running_server(db: Path, metadata_dir: Path) -> Iterator[str]:
    """Serve ``db`` read-only on a free loopback port; yield the base URL; stop the server after."""
    inspect_file, metadata_file = publish.prepare(db, metadata_dir)
    port = free_port()
    command = publish.datasette_command(publish.datasette_arguments(db, inspect_file, metadata_file,
                                                                    host="127.0.0.1", port=port))
    log = db.parent / "datasette.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
