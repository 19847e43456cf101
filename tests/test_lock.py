"""One writer at a time: builds and verifications take the catalogue's lock, and nothing is lost
between them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cli_runner import provcat

from provcat import build as build_module
from provcat.build import build_catalogue, remove_abandoned_builds, temporary_name
from provcat.errors import ProvcatError
from provcat.lock import SIGNATURE, CatalogueLock, describe_holder, lock_file_for

HOLD = """
import sys, time
from pathlib import Path
from provcat.lock import CatalogueLock
with CatalogueLock(Path(sys.argv[1]), "build"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "note.txt").write_text("The council said on Monday that the bridge would reopen.\n")
    (tmp_path / "metadata").mkdir()
    build_catalogue(tmp_path / "archive", tmp_path / "metadata", tmp_path / "catalogue.db")
    return tmp_path


def held_elsewhere(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the catalogue's lock for ``seconds``."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def events(db: Path) -> int:
    return sqlite3.connect(db).execute("select count(*) from fixity_events").fetchone()[0]


def test_a_second_writer_is_refused_with_the_holders_details(project: Path) -> None:
    db = project / "catalogue.db"
    holder = held_elsewhere(db, 30)
    try:
        for args in (["build", str(project / "archive"), "--metadata", str(project / "metadata")],
                     ["verify", str(project / "archive")]):
            code, _, err = provcat(*args, "--db", str(db))
            assert code == 2
            assert err.count("\n") == 1 and err.startswith(f"provcat: error: {db}: is being written by provcat build "
                                                           f"(pid {holder.pid}, host ")
            assert "use --wait" in err
    finally:
        holder.kill()
        holder.wait()
    assert events(db) == 1  # the first build's ingestion event, nothing else


def test_verify_waits_for_the_writer_when_asked_and_loses_nothing(project: Path) -> None:
    db = project / "catalogue.db"
    holder = held_elsewhere(db, 1.5)
    try:
        started = time.monotonic()
        code, out, err = provcat("verify", str(project / "archive"), "--db", str(db), "--wait")
        assert time.monotonic() - started >= 1.0
    finally:
        holder.wait()
    assert code == 0 and "1 intact" in out
    assert "waiting for provcat build (pid" in err
    assert events(db) == 2


def test_the_lock_goes_with_its_holder_however_it_ends(project: Path) -> None:
    db = project / "catalogue.db"
    holder = held_elsewhere(db, 60)
    holder.kill()
    holder.wait()
    code, _, _ = provcat("verify", str(project / "archive"), "--db", str(db))
    assert code == 0


def test_a_verification_during_a_build_is_not_lost(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build holds the lock from reading the previous catalogue's history to replacing it: a
    verification started meanwhile waits, and its events land in the new catalogue."""
    db = project / "catalogue.db"
    (project / "archive" / "note.txt").write_text("The council said on Tuesday that the bridge would reopen.\n")
    writing = threading.Event()
    proceed = threading.Event()
    real_write = build_module._write

    def slow_write(*args: object, **kwargs: object) -> None:
        writing.set()
        assert proceed.wait(30)
        real_write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_write", slow_write)
    builder = threading.Thread(target=build_catalogue, args=(project / "archive", project / "metadata", db))
    builder.start()
    assert writing.wait(30)
    result: dict[str, tuple[int, str, str]] = {}
    verifier = threading.Thread(target=lambda: result.update(v=provcat("verify", str(project / "archive"),
                                                                         "--db", str(db), "--wait")))
    verifier.start()
    time.sleep(0.5)
    assert verifier.is_alive()  # waiting for the build
    proceed.set()
    builder.join(60)
    verifier.join(60)
    assert result["v"][0] == 0  # it checked the new catalogue: the changed document is intact there
    rows = sqlite3.connect(db).execute("select event_type, outcome from fixity_events order by id").fetchall()
    assert rows == [("ingestion", "new"), ("ingestion", "changed"), ("fixity check", "intact")]


def test_a_lock_file_that_is_not_provcats_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "catalogue.db"
    lock_file_for(db).write_text("someone else's notes\n")
    with pytest.raises(ProvcatError, match="exists and is not provcat's lock file"), CatalogueLock(db, "verify"):
        pass
    assert lock_file_for(db).read_text() == "someone else's notes\n"


def test_the_lock_file_names_its_holder_while_held(tmp_path: Path) -> None:
    db = tmp_path / "catalogue.db"
    with CatalogueLock(db, "verify"):
        text = lock_file_for(db).read_text()
        assert text.startswith(SIGNATURE) and f"pid: {os.getpid()}" in text
        assert describe_holder(text).startswith(f"provcat verify (pid {os.getpid()}, host ")
    assert lock_file_for(db).read_text() == SIGNATURE + "\n"
    assert describe_holder(SIGNATURE + "\n") == "another provcat process"


def test_temporary_names_never_repeat_and_name_the_host(tmp_path: Path) -> None:
    names = {temporary_name(tmp_path / "catalogue.db") for _ in range(100)}
    assert len(names) == 100
    assert all(n.name.startswith(".catalogue.db.building-") and f"-{os.getpid()}-" in n.name for n in names)


def test_leftovers_of_killed_builds_are_removed_under_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "catalogue.db"
    for name in (".catalogue.db.building-12345", ".catalogue.db.building-host-1-abcd",
                 ".catalogue.db.building-host-1-abcd-journal"):
        (tmp_path / name).write_bytes(b"half a catalogue")
    (tmp_path / ".other.db.building-1").write_bytes(b"another catalogue's")
    (tmp_path / "catalogue.db.building-notes.txt").write_text("not hidden, not ours")
    remove_abandoned_builds(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.db.building-1", "catalogue.db.building-notes.txt"]


def test_a_damaged_history_stops_the_build_and_keeps_the_old_file(project: Path) -> None:
    db = project / "catalogue.db"
    for _ in range(3):
        assert provcat("verify", str(project / "archive"), "--db", str(db))[0] == 0
    conn = sqlite3.connect(db)
    page_size = conn.execute("pragma page_size").fetchone()[0]
    root = conn.execute("select rootpage from sqlite_master where name = 'fixity_events'").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    data[(root - 1) * page_size:root * page_size] = b"\xff" * page_size  # the table's first page
    db.write_bytes(bytes(data))
    code, _, err = provcat("build", str(project / "archive"), "--metadata", str(project / "metadata"),
                           "--db", str(db))
    assert code == 2 and err.count("\n") == 1
    assert "the previous catalogue cannot be read in full (table fixity_events" in err
    assert "left it as it was" in err
    assert db.read_bytes() == bytes(data)
    assert [p.name for p in project.iterdir() if p.name.startswith(".catalogue.db.building-")] == []
