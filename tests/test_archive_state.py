"""The archive's state as the site reads it: each document's latest check, the latest verification,
the files it did not find intact, and the runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_runner import provcat

from provcat import archive_state
from provcat.build import build_catalogue

TEXTS = {f"doc-{n}.txt": f"The council said on day {n} that the ferry would run again.\n" for n in range(4)}


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in TEXTS.items():
        (archive / name).write_text(text)
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    return archive, db


def ids(db: Path) -> dict[str, str]:
    return dict(sqlite3.connect(db).execute("select path, id from documents"))


def damage(archive: Path) -> None:
    (archive / "doc-0.txt").write_text("The council said nothing.\n")
    (archive / "doc-1.txt").unlink()
    (archive / "extra.txt").write_text("A file the catalogue does not describe.\n")


def test_after_a_build_every_document_was_checked_by_that_build(project: tuple[Path, Path]) -> None:
    _, db = project
    conn = sqlite3.connect(db)
    for document_id in ids(db).values():
        state = archive_state.document_fixity(conn, document_id)
        assert (state.state, state.label, state.colour, state.by, state.run_id) == ("new", "Intact", "intact",
                                                                                    "a build", 1)
        assert state.checked_at and state.checked_at.endswith("+00:00")
    assert archive_state.latest_verification(conn) is None  # a build is not a verification
    assert [(r.id, r.kind, r.label) for r in archive_state.recent_runs(conn)] == [(1, "ingestion", "all intact")]


def test_a_verification_gives_each_document_its_state(project: tuple[Path, Path]) -> None:
    archive, db = project
    damage(archive)
    assert provcat("verify", str(archive), "--db", str(db))[0] == 1
    conn = sqlite3.connect(db)
    path_ids = ids(db)
    states = {path: archive_state.document_fixity(conn, i) for path, i in path_ids.items()}
    assert {p: (s.state, s.label, s.colour, s.by, s.run_id) for p, s in states.items()} == {
        "doc-0.txt": ("changed", "Changed", "changed", "a verification", 2),
        "doc-1.txt": ("missing", "Missing", "changed", "a verification", 2),
        "doc-2.txt": ("intact", "Intact", "intact", "a verification", 2),
        "doc-3.txt": ("intact", "Intact", "intact", "a verification", 2),
    }
    assert states["doc-0.txt"].expected != states["doc-0.txt"].actual
    latest = archive_state.latest_verification(conn)
    assert latest is not None
    assert (latest.id, latest.kind, latest.status, latest.files, latest.not_intact, latest.label) == (
        2, "fixity check", "complete", 5, 3, "not intact")
    assert latest.counts == {"new": 0, "intact": 2, "changed": 1, "missing": 1, "unrecorded": 1, "error": 0}
    found = archive_state.problems(conn, latest.id)
    assert [(p.path, p.document_id, p.outcome, p.label) for p in found] == [
        ("doc-0.txt", path_ids["doc-0.txt"], "changed", "Changed"),
        ("doc-1.txt", path_ids["doc-1.txt"], "missing", "Missing"),
        ("extra.txt", None, "unrecorded", "Not in the catalogue"),
    ]
    assert [r.id for r in archive_state.recent_runs(conn)] == [2, 1]
    assert [r.id for r in archive_state.recent_runs(conn, limit=1)] == [2]


def test_problems_list_each_file_once_and_stop_at_the_limit(project: tuple[Path, Path]) -> None:
    archive, db = project
    for name in TEXTS:
        (archive / name).write_text("rewritten\n")
    provcat("verify", str(archive), "--db", str(db), "--all-digests")
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from fixity_events where run_id = 2").fetchone()[0] == 8  # two digests a file
    assert [p.path for p in archive_state.problems(conn, 2)] == sorted(TEXTS)
    assert [p.path for p in archive_state.problems(conn, 2, limit=2)] == sorted(TEXTS)[:2]
    assert archive_state.problems(conn, 99) == []


def test_the_latest_verification_is_the_last_one_whatever_its_outcome(project: tuple[Path, Path]) -> None:
    archive, db = project
    damage(archive)
    provcat("verify", str(archive), "--db", str(db))
    (archive / "doc-0.txt").write_text(TEXTS["doc-0.txt"])
    (archive / "doc-1.txt").write_text(TEXTS["doc-1.txt"])
    (archive / "extra.txt").unlink()
    assert provcat("verify", str(archive), "--db", str(db))[0] == 0
    conn = sqlite3.connect(db)
    latest = archive_state.latest_verification(conn)
    assert latest is not None and (latest.id, latest.label, latest.not_intact) == (3, "all intact", 0)
    assert archive_state.problems(conn, 3) == []
    assert archive_state.document_fixity(conn, ids(db)["doc-0.txt"]).state == "intact"


def test_a_slice_names_its_scope(project: tuple[Path, Path]) -> None:
    archive, db = project
    provcat("verify", str(archive), "--db", str(db), "--oldest", "2")
    latest = archive_state.latest_verification(sqlite3.connect(db))
    assert latest is not None and latest.files == 2 and "longest ago" in latest.scope


@pytest.mark.parametrize(("status", "counts", "label"), [
    ("running", {"intact": 1}, "running"),
    ("interrupted", {"intact": 3}, "interrupted (all it checked intact)"),
    ("interrupted", {"intact": 3, "changed": 1}, "not intact"),
    ("complete", {"intact": 3, "new": 2}, "all intact"),
    ("complete", {"intact": 3, "error": 1}, "not intact"),
])
def test_a_run_says_in_words_what_it_found(status: str, counts: dict[str, int], label: str) -> None:
    run = archive_state.RunSummary(1, "fixity check", status, "2026-01-01T00:00:00.000000Z", None, "someone",
                                   "every file", sum(counts.values()), counts, None)
    assert run.label == label


def test_a_catalogue_without_a_history_has_no_check_to_show(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "bare.db")
    conn.execute("create table documents (id text primary key)")
    state = archive_state.document_fixity(conn, "anything")
    assert (state.state, state.label, state.colour, state.checked_at) == ("never checked", "Never checked",
                                                                          "unknown", None)
    assert archive_state.latest_verification(conn) is None
    assert archive_state.recent_runs(conn) == []


def test_every_outcome_has_words_and_a_meaning() -> None:
    outcomes = {"new", "intact", "changed", "missing", "unrecorded", "error", "never checked"}
    assert set(archive_state.STATES) == outcomes
    assert set(archive_state.MEANINGS) == outcomes - {"new", "never checked"}
    assert {colour for _, colour in archive_state.STATES.values()} <= {"intact", "changed", "warning", "unknown"}
