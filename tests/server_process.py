"""A real server, started with the ``provcat serve`` command line as a user starts it, for tests that
use HTTP or that check how the server starts and stops.

The server runs in its own process group, so that whatever it leaves behind can be found and
stopped; it is stopped with SIGTERM, as a service manager stops it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

#: The installed ``provcat`` command, beside the Python that runs the tests.
PROVCAT = Path(sys.executable).with_name("provcat")
STARTUP_SECONDS = 30
STOP_SECONDS = 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a new server could listen on ``host:port`` now (as ``provcat serve`` binds: connections
    of the previous server still closing do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            s.listen()
        except OSError:
            return False
        return True


def serve_command(db: Path | str, metadata_dir: Path | str, port: int, host: str = "127.0.0.1") -> list[str]:
    return [str(PROVCAT), "serve", "--db", str(db), "--metadata", str(metadata_dir), "--host", host,
            "--port", str(port)]


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"provcat serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"provcat serve did not answer {url} within {STARTUP_SECONDS}s:\n{log.read_text()}")


def _exited(pid: int) -> bool:
    """Whether the child ``pid`` has exited, without reaping it (its process group stays reserved)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def stop(process: subprocess.Popen[bytes], seconds: float = STOP_SECONDS) -> bool:
    """Send SIGTERM and wait up to ``seconds`` for the process to exit; then kill whatever is left of
    its process group (a server it started and did not stop). True when it exited by itself."""
    if process.poll() is not None:
        return True
    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while not _exited(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    exited = _exited(process.pid)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return exited


@dataclass
class Served:
    """A running ``provcat serve``: its base URL, port, process and log."""

    base: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def served(db: Path | str, metadata_dir: Path | str, cwd: Path | None = None) -> Iterator[Served]:
    """Run ``provcat serve`` on ``db`` on a free loopback port (in ``cwd``, the tests' folder by default;
    the log goes to a temporary folder of its own); yield it once it answers; stop it after."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="provcat-serve-log-") as logs:
        log = Path(logs) / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(serve_command(db, metadata_dir, port), cwd=cwd, stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/-/versions.json", process, log)
            yield Served(base, port, process, log)
        finally:
            stop(process)


@contextmanager
def running_server(db: Path, metadata_dir: Path) -> Iterator[str]:
    """Serve ``db`` read-only on a free loopback port; yield the base URL; stop the server after."""
    with served(db, metadata_dir) as server:
        yield server.base


def run_provcat(args: list[str], cwd: Path, seconds: float = 30) -> tuple[int | None, str, str]:
    """(exit code, standard output, standard error) of the ``provcat`` command in ``cwd``; the exit
    code is None when it was still running after ``seconds`` (it is then stopped)."""
    process = subprocess.Popen([str(PROVCAT), *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=seconds)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        stop(process)
        out, err = process.communicate()
        code = None
    return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
