"""Progress on a terminal: count, rate and time left while a verification runs; nothing at all when
the output is not a terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from provcat.build import build_catalogue
from provcat.progress import Progress
from provcat.verify import check_archive

PROVCAT = Path(sys.executable).with_name("provcat")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def frames(written: str) -> list[str]:
    return [frame for frame in written.split("\r") if frame.strip()]


def test_nothing_is_written_where_the_output_is_not_a_terminal() -> None:
    piped = io.StringIO()
    with Progress("verifying", "files", stream=piped) as progress:
        for n in range(5):
            progress(n, 5, n * 1000, 5000)
    assert piped.getvalue() == ""


def test_nothing_is_written_when_it_is_not_wanted() -> None:
    terminal = Terminal()
    with Progress("verifying", "files", stream=terminal, enabled=False) as progress:
        progress(1, 5)
    assert terminal.getvalue() == ""


def test_a_count_shows_how_many_of_how_many_and_the_time_left() -> None:
    terminal = Terminal()
    progress = Progress("extracting", "documents", stream=terminal)
    progress(0, 10)
    progress.bar.mininterval = 0  # type: ignore[union-attr]  # draw every call
    progress(4, 10)
    shown = frames(terminal.getvalue())
    assert shown[0].startswith("extracting:   0%") and "0/10 [" in shown[0]
    assert "4/10 [" in shown[-1] and " 40%" in shown[-1]
    assert "<" in shown[-1] and "documents/s" in shown[-1]  # elapsed<left, and the rate
    progress.close()
    assert terminal.getvalue().endswith("\r")  # the line is cleared: the report stands alone
    assert all(len(frame) <= 80 for frame in frames(terminal.getvalue()))  # a terminal without a size: 80


def test_bytes_measure_the_work_and_the_count_goes_beside() -> None:
    terminal = Terminal()
    progress = Progress("verifying", "files", stream=terminal)
    progress(0, 3, 0, 3_000_000)
    progress.bar.mininterval = 0  # type: ignore[union-attr]
    progress(1, 3, 2_000_000, 3_000_000)
    assert "2.00M/3.00M" in frames(terminal.getvalue())[-1]
    assert "1 of 3 files" in frames(terminal.getvalue())[-1]
    progress(3, 3, 4_000_000, 3_000_000)  # more than expected (a file grew): the total follows
    assert progress.bar is not None and progress.bar.total == 4_000_000
    progress.close()


def test_a_verification_tells_its_progress_batch_by_batch(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for n in range(150):  # three batches hashed in this process
        (archive / f"note-{n:03}.txt").write_text(f"The clerk said on day {n} that the office would open.\n" * 3)
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    (archive / "later.txt").write_text("A file the catalogue does not know." * 10)
    calls: list[tuple[int, int, int, int]] = []
    check_archive(archive, db, jobs=1, progress=lambda *told: calls.append(told))
    total = sum(p.stat().st_size for p in archive.iterdir())
    assert calls[0] == (0, 151, 0, total - (archive / "later.txt").stat().st_size)
    assert [c[0] for c in calls] == [0, 64, 128, 151]
    assert calls[-1] == (151, 151, total, total)
    assert all(a[2] <= b[2] for a, b in zip(calls, calls[1:], strict=False))


def run_on_a_terminal(command: list[str]) -> str:
    """What ``command`` writes on a terminal of 100 columns (standard output and error)."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execv(command[0], command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    out = bytearray()
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out.extend(data)
    os.waitpid(pid, 0)
    return out.decode(errors="replace")


@pytest.fixture
def catalogued(tmp_path: Path) -> tuple[Path, Path]:
    archive = tmp_path / "archive"
    archive.mkdir()
    for n in range(3):
        (archive / f"memo-{n}.txt").write_text(f"The clerk said on day {n} that the office would open.\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    return archive, db


def test_verify_shows_progress_on_a_terminal(catalogued: tuple[Path, Path]) -> None:
    archive, db = catalogued
    written = run_on_a_terminal([str(PROVCAT), "verify", str(archive), "--db", str(db)])
    assert "verifying:   0%" in written and "0.00/156 [" in written  # the bytes to read, from the start
    assert "3 files checked: 3 intact" in written


def test_verify_piped_or_as_json_shows_none(catalogued: tuple[Path, Path]) -> None:
    archive, db = catalogued
    piped = subprocess.run([str(PROVCAT), "verify", str(archive), "--db", str(db)], capture_output=True, text=True)
    assert piped.returncode == 0 and "verifying" not in piped.stderr + piped.stdout
    as_json = run_on_a_terminal([str(PROVCAT), "verify", str(archive), "--db", str(db), "--json"])
    assert "verifying" not in as_json and '"intact": true' in as_json


def test_a_build_tells_its_progress_document_by_document(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for n in range(5):
        (archive / f"memo-{n}.txt").write_text(f"The clerk said on day {n} that the office would open.\n")
    calls: list[tuple[int, int, int, int]] = []
    build_catalogue(archive, tmp_path / "no-metadata", tmp_path / "catalogue.db",
                    progress=lambda *told: calls.append(told))
    total = sum(p.stat().st_size for p in archive.iterdir())
    assert calls == [(n, 5, 52 * n, total) for n in range(6)]


def test_build_shows_progress_on_a_terminal_and_none_piped(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "memo.txt").write_text("The clerk said that the office would open.\n")
    command = [str(PROVCAT), "build", str(archive), "--metadata", str(tmp_path / "none"), "--db",
               str(tmp_path / "catalogue.db")]
    assert "building:" in run_on_a_terminal(command)
    piped = subprocess.run(command, capture_output=True, text=True)
    assert piped.returncode == 0 and "building" not in piped.stderr and piped.stderr == ""
