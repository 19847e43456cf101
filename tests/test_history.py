"""The fixity history: runs, their chain of digests, rolling verification and resuming."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_runner import provcat

from provcat import history
from provcat.build import build_catalogue
from provcat.verify import Check, FixityLog

TEXTS = {f"doc-{n}.txt": f"The council said on day {n} that the bridge would reopen.\n" for n in range(5)}


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in TEXTS.items():
        (archive / name).write_text(text)
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    return archive, db


def verify(archive: Path, db: Path, *options: str) -> tuple[int, str, str]:
    return provcat("verify", str(archive), "--db", str(db), *options)


def runs(db: Path) -> list[tuple[object, ...]]:
    return sqlite3.connect(db).execute(
        "select id, kind, status, scope, files, new, intact, changed, missing, unrecorded from fixity_runs "
        "order by id").fetchall()


def checked(db: Path, run_id: int) -> list[str]:
    return [r[0] for r in sqlite3.connect(db).execute(
        "select path from fixity_events where run_id = ? order by path", (run_id,))]


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


def test_builds_and_verifications_are_runs_with_their_counts(project: tuple[Path, Path]) -> None:
    archive, db = project
    (archive / "doc-0.txt").write_text("changed")
    (archive / "doc-1.txt").unlink()
    (archive / "extra.txt").write_text("A file the catalogue does not know.")
    code, out, _ = verify(archive, db)
    assert code == 1
    assert runs(db) == [(1, "ingestion", "complete", "every file", 5, 5, 0, 0, 0, 0),
                        (2, "fixity check", "complete", "every file", 6, 0, 3, 1, 1, 1)]
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from fixity_events where run_id is null").fetchone()[0] == 0
    head = conn.execute("select run_sha256 from fixity_runs where id = 2").fetchone()[0]
    assert out.splitlines()[-1] == f"recorded as run 2 (every file); head of the fixity history: {head}"
    started, finished = conn.execute("select started_at, finished_at from fixity_runs where id = 2").fetchone()
    assert started.endswith("+00:00") and "." in started and started < finished  # UTC, below the second


def test_a_rebuild_keeps_every_run_and_chains_its_own(project: tuple[Path, Path]) -> None:
    archive, db = project
    assert verify(archive, db)[0] == 0
    build_catalogue(archive, archive.parent / "no-metadata", db)
    assert [r[:3] for r in runs(db)] == [(1, "ingestion", "complete"), (2, "fixity check", "complete"),
                                         (3, "ingestion", "complete")]
    conn = sqlite3.connect(db)
    assert history.check_chain(conn) == []
    assert conn.execute("select fixity_run_id from builds order by id").fetchall() == [(1,), (3,)]
    assert {r[0] for r in conn.execute("select outcome from fixity_events where run_id = 3")} == {"intact"}


# ---------------------------------------------------------------------------------------------
# The chain
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def chained(project: tuple[Path, Path]) -> tuple[Path, Path]:
    archive, db = project
    for _ in range(3):
        assert verify(archive, db)[0] == 0
    return archive, db


def history_check(db: Path, *options: str) -> tuple[int, str]:
    code, out, _ = provcat("verify", "--history", "--db", str(db), *options)
    return code, out


def test_a_clean_history_adds_up(chained: tuple[Path, Path]) -> None:
    _, db = chained
    code, out = history_check(db)
    head = sqlite3.connect(db).execute("select run_sha256 from fixity_runs order by id desc").fetchone()[0]
    assert code == 0 and out == f"the fixity history of 4 runs adds up; head {head}\n"
    assert history_check(db, "--head", head)[0] == 0


@pytest.mark.parametrize("tampering", [
    "update fixity_events set outcome = 'changed', actual = 'ff' where id = 7",
    "delete from fixity_events where id = 7",
    "update fixity_events set checked_at = '2020-01-01T00:00:00+00:00' where id = 7",
    "update fixity_events set id = 1000 where id = 7",
])
def test_changing_a_past_event_is_found_in_its_run(chained: tuple[Path, Path], tampering: str) -> None:
    _, db = chained
    run_of_7 = sqlite3.connect(db).execute("select run_id from fixity_events where id = 7").fetchone()[0]
    conn = sqlite3.connect(db)
    conn.execute(tampering)
    conn.commit()
    code, out = history_check(db)
    assert code == 1
    assert out.splitlines()[0].startswith(f"broken     run {run_of_7}  its events do not add up")
    assert out.splitlines()[-1].endswith(f", the first at run {run_of_7}")


def test_removing_or_changing_a_run_is_found(chained: tuple[Path, Path]) -> None:
    _, db = chained
    conn = sqlite3.connect(db)
    conn.execute("update fixity_runs set intact = 0 where id = 2")
    conn.commit()
    code, out = history_check(db)
    assert code == 1 and out.startswith("broken     run 2  its record was changed")
    conn.execute("update fixity_runs set intact = 5 where id = 2")  # put back
    conn.execute("delete from fixity_events where run_id = 3")
    conn.execute("delete from fixity_runs where id = 3")
    conn.commit()
    code, out = history_check(db)
    assert code == 1 and out.startswith("broken     run 4  names ")


def test_a_history_rewritten_with_new_digests_is_found_by_the_head_kept_elsewhere(chained: tuple[Path, Path]) -> None:
    _, db = chained
    conn = sqlite3.connect(db)
    kept = history.head(conn)
    conn.execute("update fixity_events set outcome = 'intact' where run_id = 4")
    for run_id in (4,):  # recompute the run's digests as a forger would
        history.finish(conn, run_id)
    conn.commit()
    assert history_check(db)[0] == 0  # the chain alone adds up again ...
    code, out = history_check(db, "--head", kept)
    assert code == 1 and f"the head digest kept elsewhere, {kept}, is the digest of none of its runs" in out


@pytest.mark.skipif(shutil.which("sqlite3") is None or shutil.which("sha256sum") is None,
                    reason="needs the sqlite3 and sha256sum commands")
def test_the_digests_can_be_recomputed_with_sqlite3_and_sha256sum(chained: tuple[Path, Path]) -> None:
    """What the README shows an auditor, with nothing but the two commands."""
    archive, db = chained
    (archive / "doc-2.txt").write_text("a changed line, with 'quotes' and a\nline break")
    verify(archive, db)
    conn = sqlite3.connect(db)
    run_id, events_digest, run_digest = conn.execute(
        "select id, events_sha256, run_sha256 from fixity_runs order by id desc").fetchone()

    def shell(sql: str) -> str:
        lines = subprocess.run(["sqlite3", str(db), sql.replace("?", str(run_id))], capture_output=True,
                               check=True).stdout
        return subprocess.run(["sha256sum"], input=lines, capture_output=True, check=True).stdout.decode().split()[0]

    assert shell(history.EVENT_LINES_SQL) == events_digest
    assert shell(history.RUN_LINE_SQL) == run_digest


def test_the_readme_shows_the_digest_commands() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert history.EVENT_LINES_SQL.replace("?", "7") in readme
    assert history.RUN_LINE_SQL.replace("?", "7") in readme


# ---------------------------------------------------------------------------------------------
# Catalogues written before runs
# ---------------------------------------------------------------------------------------------


def test_a_catalogue_written_before_runs_is_brought_up_to_date(project: tuple[Path, Path]) -> None:
    archive, db = project
    conn = sqlite3.connect(db)  # the catalogue as earlier versions wrote it
    conn.executescript("alter table fixity_events drop column run_id; drop table fixity_runs;")
    conn.execute("update fixity_events set outcome = 'unrecorded'")
    conn.commit()
    conn.close()
    assert verify(archive, db)[0] == 0
    assert [r[:3] for r in runs(db)] == [(1, "earlier events", "complete"), (2, "fixity check", "complete")]
    assert len(checked(db, 1)) == 5
    assert history_check(db)[0] == 0


# ---------------------------------------------------------------------------------------------
# Stopping, resuming, rolling
# ---------------------------------------------------------------------------------------------


def test_a_run_left_running_is_closed_as_interrupted(project: tuple[Path, Path]) -> None:
    """A verification killed outright (SIGKILL) leaves its run running, with what it had committed."""
    archive, db = project
    log = FixityLog(db)
    log.__enter__()
    log.begin()
    log.add([Check("doc-0", "doc-0.txt", "sha256", "x", "x", "intact")])
    assert log.conn is not None
    log.conn.execute("commit")
    log.conn.close()
    log.lock.__exit__(None, None, None)  # as the operating system releases it when a process dies
    assert runs(db)[-1][:3] == (2, "fixity check", "running")
    code, out, _ = verify(archive, db, "--resume")
    assert code == 0
    assert runs(db)[1][:3] == (2, "fixity check", "interrupted")
    assert checked(db, 3) == [f"doc-{n}.txt" for n in range(1, 5)]  # the rest, not doc-0
    assert history_check(db)[0] == 0


def test_the_oldest_checked_are_checked_in_turn(project: tuple[Path, Path]) -> None:
    archive, db = project
    code, out, _ = verify(archive, db, "--oldest", "2")
    assert code == 0 and "recorded as run 2 (the 2 files checked longest ago" in out
    assert checked(db, 2) == ["doc-0.txt", "doc-1.txt"]
    verify(archive, db, "--oldest", "2")
    assert checked(db, 3) == ["doc-2.txt", "doc-3.txt"]
    verify(archive, db, "--oldest", "2")
    assert checked(db, 4) == ["doc-0.txt", "doc-4.txt"]  # never checked first, then the longest ago


def test_a_slice_still_reports_missing_and_unknown_files(project: tuple[Path, Path]) -> None:
    archive, db = project
    (archive / "doc-4.txt").unlink()
    (archive / "extra.txt").write_text("A file the catalogue does not know.")
    code, out, _ = verify(archive, db, "--oldest", "1")
    assert code == 1
    assert checked(db, 2) == ["doc-0.txt", "doc-4.txt", "extra.txt"]
    assert runs(db)[-1][6:] == (1, 0, 1, 1)


def test_not_checked_for_an_age(project: tuple[Path, Path]) -> None:
    archive, db = project
    conn = sqlite3.connect(db)  # as if the build had been two hours ago
    conn.execute("update fixity_events set checked_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-2 hours')")
    conn.commit()
    verify(archive, db, "--oldest", "3")
    code, out, _ = verify(archive, db, "--not-checked-for", "1h")
    assert code == 0 and checked(db, 3) == ["doc-3.txt", "doc-4.txt"]
    assert "recorded as run 3 (the files not checked since 20" in out
    code, _, err = verify(archive, db, "--not-checked-for", "soon")
    assert code == 2 and "give an age such as 30d" in err


def test_a_build_counts_as_a_check(project: tuple[Path, Path]) -> None:
    archive, db = project
    code, _, _ = verify(archive, db, "--not-checked-for", "1h")
    assert code == 0 and checked(db, 2) == []  # the build hashed every file a moment ago


def test_a_stopped_verification_keeps_what_it_checked_and_resumes(project: tuple[Path, Path],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from provcat import verify as verify_module

    archive, db = project
    real = verify_module.compare_batch
    calls = {"n": 0}

    def stop_after_first(*args: object, **kwargs: object) -> list[Check]:
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(verify_module, "compare_batch", stop_after_first)
    monkeypatch.setattr("provcat.fixity.MAX_FILES_PER_TASK", 2)
    monkeypatch.setattr("provcat.fixity.MIN_PARALLEL_FILES", 1)
    code, _, err = verify(archive, db, "--jobs", "2")
    assert code == 130 and "verification stopped: what was checked is recorded in run 2 (interrupted)" in err
    done = checked(db, 2)
    assert 0 < len(done) < 5 and runs(db)[-1][2] == "interrupted"
    monkeypatch.setattr(verify_module, "compare_batch", real)
    assert verify(archive, db, "--resume")[0] == 0
    assert sorted(done + checked(db, 3)) == sorted(TEXTS)
    code, _, err = verify(archive, db, "--resume")
    assert code == 2 and "no interrupted verification to resume" in err
