import concurrent.futures
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from provcat import fixity
from provcat.build import build_catalogue
from provcat.errors import ProvcatError
from provcat.verify import FixityLog, all_intact, check_archive, record_events, summary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def archive_and_db(tmp_path: Path) -> tuple[Path, Path]:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text("The council said the museum would open on Friday.\n")
    (archive / "b.txt").write_text("Residents said the river had flooded the square overnight.\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    return archive, db


def outcomes(archive: Path, db: Path, algorithms: tuple[str, ...] = ("sha256",)) -> dict[str, str]:
    return {c.path: c.outcome for c in check_archive(archive, db, algorithms)}


def test_intact(archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    checks = check_archive(archive, db, ("sha256", "sha512"))
    assert all_intact(checks) and len(checks) == 4
    assert summary(checks)["intact"] == 2


def test_changed_missing_and_unrecorded(archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    data = bytearray((archive / "a.txt").read_bytes())
    data[3] ^= 1
    (archive / "a.txt").write_bytes(bytes(data))
    (archive / "b.txt").unlink()
    (archive / "c.txt").write_text("new")
    checks = check_archive(archive, db)
    assert {c.path: c.outcome for c in checks} == {"a.txt": "changed", "b.txt": "missing", "c.txt": "unrecorded"}
    changed = next(c for c in checks if c.path == "a.txt")
    assert changed.expected != changed.actual and changed.detail is None
    assert not all_intact(checks)


def test_truncation_reports_the_size(archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    (archive / "b.txt").write_bytes((archive / "b.txt").read_bytes()[:10])
    (check,) = [c for c in check_archive(archive, db) if c.path == "b.txt"]
    assert check.outcome == "changed" and check.detail.startswith("size ")


def test_events_are_appended(archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    record_events(db, check_archive(archive, db))
    rows = sqlite3.connect(db).execute(
        "select event_type, outcome, agent from fixity_events where event_type = 'fixity check'").fetchall()
    assert len(rows) == 2 and {r[1] for r in rows} == {"intact"} and rows[0][2].startswith("provcat ")


def test_missing_catalogue(tmp_path: Path) -> None:
    with pytest.raises(ProvcatError, match="catalogue not found"):
        check_archive(tmp_path, tmp_path / "none.db")


def test_verify_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = "import sys, provcat.verify, provcat.cli; print('spacy' in sys.modules, 'sqlite_utils' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_seeds_copy_is_verified(tmp_path: Path) -> None:
    archive = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", archive)
    build_catalogue(archive, ROOT / "metadata", tmp_path / "c.db")
    assert all_intact(check_archive(archive, tmp_path / "c.db"))


def test_workers_give_the_same_checks_as_one_process(archive_and_db: tuple[Path, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    archive, db = archive_and_db
    data = bytearray((archive / "a.txt").read_bytes())
    data[3] ^= 1
    (archive / "a.txt").write_bytes(bytes(data))
    (archive / "b.txt").unlink()
    for n in range(6):
        (archive / f"new-{n}.txt").write_text(f"unrecorded {n}")
    (archive / "folder.txt").mkdir()  # a folder named like a document is not a document
    monkeypatch.setattr(fixity, "MIN_PARALLEL_FILES", 2)  # so that this small archive goes to workers
    started = []
    real_pool = concurrent.futures.ProcessPoolExecutor

    def counting_pool(*args: object, **kwargs: object) -> concurrent.futures.ProcessPoolExecutor:
        started.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting_pool)
    algorithms = ("sha256", "sha512")
    serial = check_archive(archive, db, algorithms, jobs=1)
    assert started == []
    parallel = check_archive(archive, db, algorithms, jobs=2)
    assert started == [2]
    assert parallel == serial
    assert [(c.path, c.outcome) for c in parallel[::2]] == [
        ("a.txt", "changed"), ("b.txt", "missing"), *((f"new-{n}.txt", "unrecorded") for n in range(6))]


REAL_READ_AND_HASH = fixity.read_and_hash


def unreadable_a(path: str | Path, *args: Any) -> tuple[str, str, int]:
    """read_and_hash, except that a.txt cannot be read (a worker forked from the test inherits it)."""
    if Path(path).name == "a.txt":
        raise PermissionError(13, "Permission denied", str(path))
    return REAL_READ_AND_HASH(path, *args)


def test_unreadable_file_is_an_error_in_workers_too(archive_and_db: tuple[Path, Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    archive, db = archive_and_db
    monkeypatch.setattr(fixity, "read_and_hash", unreadable_a)
    monkeypatch.setattr(fixity, "MIN_PARALLEL_FILES", 2)
    serial, parallel = check_archive(archive, db, jobs=1), check_archive(archive, db, jobs=2)
    assert serial == parallel
    assert {c.path: (c.outcome, c.detail) for c in parallel} == {
        "a.txt": ("error", "Permission denied"), "b.txt": ("intact", None)}


def test_cli_jobs_option(archive_and_db: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from provcat.cli import main

    archive, db = archive_and_db
    one = CliRunner().invoke(main, ["verify", str(archive), "--db", str(db), "--jobs", "1"])
    assert one.exit_code == 0 and one.stdout.splitlines()[-2].startswith("2 files checked: 2 intact")
    two = CliRunner().invoke(main, ["verify", str(archive), "--db", str(db), "-j", "2", "--all-digests"])
    assert two.exit_code == 0 and len(two.stdout.splitlines()) == 6
    zero = CliRunner().invoke(main, ["verify", str(archive), "--db", str(db), "--jobs", "0"])
    assert zero.exit_code == 2 and "--jobs" in zero.stderr


def test_checks_come_by_path_with_missing_documents_in_place(archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    (archive / "a.txt").unlink()
    (archive / "0.txt").write_text("before everything")
    (archive / "c.txt").write_text("after everything")
    checks = check_archive(archive, db, ("sha256", "sha512"))
    assert [(c.path, c.algorithm, c.outcome) for c in checks] == [
        ("0.txt", "sha256", "unrecorded"), ("0.txt", "sha512", "unrecorded"),
        ("a.txt", "sha256", "missing"), ("a.txt", "sha512", "missing"),
        ("b.txt", "sha256", "intact"), ("b.txt", "sha512", "intact"),
        ("c.txt", "sha256", "unrecorded"), ("c.txt", "sha512", "unrecorded"),
    ]


def event_count(db: Path) -> int:
    query = "select count(*) from fixity_events where event_type = 'fixity check'"
    return sqlite3.connect(db).execute(query).fetchone()[0]


def test_fixity_log_writes_every_event_of_a_large_run_in_one_transaction(archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    with FixityLog(db) as log:
        for _ in range(3):
            log.add(check_archive(archive, db) * 101)  # more than one statement's worth, and a remainder
    assert event_count(db) == 3 * 2 * 101


def test_a_verification_that_fails_keeps_what_it_checked_as_an_interrupted_run(
        archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    with pytest.raises(RuntimeError), FixityLog(db) as log:
        log.add(check_archive(archive, db))
        raise RuntimeError("interrupted")
    assert event_count(db) == 2
    conn = sqlite3.connect(db)
    assert conn.execute("select status, files from fixity_runs order by id desc limit 1").fetchone() == \
        ("interrupted", 2)


def test_fixity_log_creates_no_catalogue(tmp_path: Path) -> None:
    with pytest.raises(ProvcatError, match="catalogue not found"), FixityLog(tmp_path / "none.db") as log:
        log.add([])
    assert list(tmp_path.iterdir()) == []  # neither a catalogue nor a lock file


def test_checks_are_logged_batch_by_batch_as_they_are_made(archive_and_db: tuple[Path, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    archive, db = archive_and_db
    for n in range(200):
        (archive / f"extra-{n:03d}.txt").write_text(f"extra {n}")
    monkeypatch.setattr(fixity, "MAX_FILES_PER_TASK", 16)
    added: list[int] = []

    class Recorder:
        def add(self, checks: list[Any]) -> None:
            added.append(len(checks))

    checks = check_archive(archive, db, jobs=2, log=Recorder())  # type: ignore[arg-type]
    assert sum(added) == len(checks) == 202 and len(added) > 2


def digests_only_catalogue(db: Path, archive: Path) -> None:
    """A catalogue holding only what verification reads (the store schema, no extraction)."""
    import hashlib

    import sqlite_utils

    from provcat import store

    catalogue = sqlite_utils.Database(db)
    store.create_schema(catalogue)
    rows = []
    for file in sorted(archive.iterdir()):
        data = file.read_bytes()
        rows.append({"id": file.stem, "path": file.name, "sha256": hashlib.sha256(data).hexdigest(),
                     "sha512": hashlib.sha512(data).hexdigest(), "size_bytes": len(data), "type": "article",
                     "type_confidence": 1.0, "type_method": "test", "media_type": "text/plain", "encoding": "utf-8",
                     "text": data.decode(), "content": data})
    store.insert(catalogue, "documents", rows)
    catalogue.conn.close()


def test_documents_missing_between_the_shares_of_the_workers_are_found(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for n in range(120):
        (archive / f"doc-{n:03d}.txt").write_text(f"document {n}")
    db = tmp_path / "catalogue.db"
    digests_only_catalogue(db, archive)
    gone = {0, 7, 8, 9, 31, 32, 63, 64, 119}  # at the start, inside, on and around share boundaries
    for n in gone:
        (archive / f"doc-{n:03d}.txt").unlink()
    (archive / "doc-050a.txt").write_text("not catalogued")
    monkeypatch.setattr(fixity, "MAX_FILES_PER_TASK", 8)
    serial = check_archive(archive, db, ("sha256", "sha512"), jobs=1)
    parallel = check_archive(archive, db, ("sha256", "sha512"), jobs=2)
    assert parallel == serial
    paths = [c.path for c in serial]
    assert paths == sorted(paths) and len(paths) == 2 * 121
    assert {c.path for c in serial if c.outcome == "missing"} == {f"doc-{n:03d}.txt" for n in gone}
    assert [c.path for c in serial if c.outcome == "unrecorded"] == ["doc-050a.txt"] * 2
    assert summary(serial) == {"intact": 111, "changed": 0, "missing": 9, "unrecorded": 1, "error": 0}


def test_algorithms_in_any_order(archive_and_db: tuple[Path, Path]) -> None:
    archive, db = archive_and_db
    checks = check_archive(archive, db, ("sha512", "sha256"))
    assert all_intact(checks) and [c.algorithm for c in checks[:2]] == ["sha512", "sha256"]


@pytest.mark.parametrize("algorithms", [("sha256",), ("sha256", "sha512"), ("sha512", "sha256")])
def test_compare_batch_gives_what_each_document_alone_gives(algorithms: tuple[str, ...]) -> None:
    from provcat.verify import compare_batch, recorded_checks, unrecorded_checks

    def raw(text: str) -> tuple[str, str, int]:
        digests = fixity.digest_bytes(text.encode())
        return digests.sha256, digests.sha512, digests.size_bytes

    def row(doc_id: str, text: str, *, first_of: str | None = None) -> tuple[Any, ...]:
        """A catalogue row; with ``first_of``, the first algorithm's digest is that of another text."""
        digests = [raw(text)[fixity.RAW_INDEX[a]] for a in algorithms]
        if first_of is not None:
            digests[0] = raw(first_of)[fixity.RAW_INDEX[algorithms[0]]]
        return (doc_id, f"{doc_id}.txt", len(text), *digests)

    rows = [row("a", "same"), row("c", "before"), row("h", "old", first_of="new"), row("e", "x"), row("m", "gone")]
    recorded = {r[1]: r for r in rows}
    paths = ["a.txt", "c.txt", "h.txt", "e.txt", "u.txt"]
    batch = [raw("same"), raw("after!"), raw("new"), PermissionError(13, "Permission denied"), raw("extra")]
    expected = [check for path, result in zip(paths, batch, strict=True)
                for check in (unrecorded_checks(path, result, algorithms) if path not in recorded
                              else recorded_checks(recorded[path], result, algorithms))]
    checks = compare_batch(paths, batch, recorded, algorithms)
    assert checks == expected
    outcomes = {(c.path, c.algorithm): c.outcome for c in checks}
    assert {outcomes["a.txt", a] for a in algorithms} == {"intact"}
    assert {outcomes["c.txt", a] for a in algorithms} == {"changed"}
    # one digest as recorded, the other not: the document is not intact
    assert [outcomes["h.txt", a] for a in algorithms] == ["intact"] + ["changed"] * (len(algorithms) - 1)
    assert outcomes["e.txt", algorithms[0]] == "error" and outcomes["u.txt", algorithms[0]] == "unrecorded"
    assert list(recorded) == ["m.txt"]  # what was not in the batch is left for the missing documents
