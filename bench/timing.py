"""Timing helpers shared by the benchmarks: commands timed side by side, medians and ratios.

Every measured thing is a command run in a subprocess, so each side pays its own start-up and the
figures are what a user sees. In a round every command runs once, in turn; rounds repeat; the
median over rounds is reported, and ratios are taken between medians of the same session — never
against a figure measured at another time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
PROVCAT = ROOT / ".venv" / "bin" / "provcat"
#: GNU time, for the peak memory of each command (Debian: apt-get install time); without it the
#: figure is an upper bound (see run_once).
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    max_rss_kb: int


@dataclass
class Command:
    name: str
    argv: Sequence[str]
    cwd: Path | None = None
    before: Callable[[], None] | None = None  # untimed preparation before each run
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_rss_mb(self) -> float:
        return max(s.max_rss_kb for s in self.samples) / 1024


def run_once(argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    """Run a command to completion, its output discarded; wall time, CPU time and peak memory. A
    failing command stops the benchmark.

    Peak memory comes from GNU time (``/usr/bin/time -f %M``), which forks the command from its own
    small process: the ``ru_maxrss`` that ``wait4`` reports for a child started directly from this
    process also counts this process's own resident memory, which the child's address space starts
    as (measured here: a 1 GB benchmark process made ``/bin/true`` report 1 GB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss") as peak:
        command = [GNU_TIME, "-f", "%M", "-o", peak.name, *argv] if GNU_TIME else list(argv)
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        process.returncode = code
        if code != 0:
            raise RuntimeError(f"{' '.join(map(str, argv))} exited with {code}: {stderr[-2000:]}")
        max_rss_kb = int(peak.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return Sample(seconds, usage.ru_utime + usage.ru_stime, max_rss_kb)


def drop_caches() -> bool:
    """Empty the page cache (root only); False when the kernel does not let us."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def measure(commands: list[Command], runs: int, cold: bool = False, warmup: bool = True) -> None:
    """Run every command ``runs`` times, alternating; with ``cold`` the page cache is emptied before
    each run, otherwise one untimed run of each warms it first."""
    if warmup and not cold:
        for command in commands:
            if command.before:
                command.before()
            run_once(command.argv, command.cwd)
    for _ in range(runs):
        for command in commands:
            if command.before:
                command.before()
            if cold:
                drop_caches()
            command.samples.append(run_once(command.argv, command.cwd))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def run_part_alone(description: str, add_arguments: Callable[[argparse.ArgumentParser], None],
                   run: Callable[[argparse.Namespace, Path], object], argv: list[str] | None = None) -> int:
    """The command line of one benchmark part run on its own: ``--workdir`` and the part's options."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    add_arguments(parser)
    args = parser.parse_args(argv)
    run(args, args.workdir)
    return 0
