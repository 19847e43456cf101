"""A build killed with SIGKILL at any moment leaves either the previous catalogue, byte for byte, or a
complete new one; never a broken one. The next build succeeds and cleans up after the killed one."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("PROVCAT_CRASH_KILLS", "20"))
SENTENCES = [
    "The minister said on {day} that the talks in {city} would resume.",
    "“We are not giving up,” said {name}, a spokesman for the council.",
    "According to officials in {city}, the road will reopen next week.",
    "{name} told reporters that the budget was balanced.",
]
NAMES = ["Anna Berg", "Omar Haddad", "Lena Park", "Tom Baker", "Ines Duarte"]
CITIES = ["Lisbon", "Quito", "Oslo", "Lima", "Hanoi"]
DAYS = ["Monday", "Tuesday", "Friday"]


def write_archive(folder: Path, documents: int, rng: random.Random) -> None:
    shutil.copytree(ROOT / "seeds", folder)
    for n in range(documents):
        text = "\n\n".join(rng.choice(SENTENCES).format(name=rng.choice(NAMES), city=rng.choice(CITIES),
                                                        day=rng.choice(DAYS)) for _ in range(25))
        (folder / f"generated-{n:03d}.txt").write_text(text + "\n", encoding="utf-8")


def build_command(archive: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "provcat.cli", "build", str(archive), "--metadata", str(ROOT / "metadata"),
            "--db", str(db)]


def state(db: Path) -> tuple[int, int]:
    """(builds, documents) of a catalogue that must be complete and consistent."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        builds, documents = conn.execute("select count(*), max(documents) from builds").fetchone()
        assert conn.execute("select count(*) from documents").fetchone() == (documents,)
        assert conn.execute("select count(*) from documents_fts").fetchone() == (documents,)
        return builds, documents
    finally:
        conn.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_builds_killed_at_random_moments(tmp_path: Path) -> None:
    seed = int(os.environ.get("PROVCAT_CRASH_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    archive = tmp_path / "archive"
    write_archive(archive, 40, rng)
    db = tmp_path / "catalogue.db"
    subprocess.run(build_command(archive, db), check=True, capture_output=True)
    # how long a rebuild with one changed document takes: the kills fall within that span
    (archive / "generated-039.txt").write_text("The mayor said no.\n")
    started = time.monotonic()
    subprocess.run(build_command(archive, db), check=True, capture_output=True)
    span = time.monotonic() - started
    builds, documents = state(db)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(KILLS):
        # a different document each round, so every build has real work to do
        (archive / f"generated-{attempt % 40:03d}.txt").write_text(f"Round {attempt}: the mayor said yes.\n")
        before = db.read_bytes()
        process = subprocess.Popen(build_command(archive, db), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, span))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if db.read_bytes() == before:
            outcomes["old"] += 1
        else:
            new_builds, new_documents = state(db)
            assert (new_builds, new_documents) == (builds + 1, documents), f"seed {seed}, round {attempt}"
            builds += 1
            outcomes["new"] += 1
    result = subprocess.run(build_command(archive, db), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert state(db) == (builds + 1, documents)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".catalogue.db.building-")]
    assert leftovers == [], f"seed {seed}"
    print(f"crash safety (seed {seed}): {KILLS} kills, {outcomes['old']} left the old catalogue, "
          f"{outcomes['new']} a complete new one")
