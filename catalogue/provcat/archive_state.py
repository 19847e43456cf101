"""The archive's integrity as the site shows it: each document's latest check, the latest
verification of the whole archive, the files it found not intact (documents and other files
alike), and the history of runs.

Read live from the catalogue on every page (a verification appends to it while the site is up), in
a few indexed queries. A catalogue written before runs were kept, and not verified since, has
events but no runs: its documents still show their latest event, and the archive "no verification
recorded".
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from .ownership import records_every_file

#: How each outcome reads on a document's page and in lists, and the colour class it takes.
STATES: dict[str, tuple[str, str]] = {
    "intact": ("Intact", "intact"),
    "new": ("Intact", "intact"),  # first catalogued: the bytes are the ones recorded
    "changed": ("Changed", "changed"),
    "missing": ("Missing", "changed"),
    "unrecorded": ("Not in the catalogue", "warning"),
    "error": ("Could not be read", "warning"),
    "never checked": ("Never checked", "unknown"),
}
MEANINGS: dict[str, str] = {
    "intact": "the file's bytes are exactly those catalogued",
    "changed": "the file is there, but its bytes are not those catalogued",
    "missing": "the catalogue describes the file, the archive no longer holds it",
    "unrecorded": "the archive holds a file the catalogue does not describe",
    "error": "the file could not be read",
}

LATEST_EVENT_SQL = """
select event_type, checked_at, algorithm, outcome, detail, agent, run_id, expected, actual
from fixity_events where id = (select max(id) from fixity_events where document_id = :id)
"""
RUN_COLUMNS = ("id, kind, status, started_at, finished_at, agent, scope, files, new, intact, changed, missing, "
               "unrecorded, error, run_sha256")
NOT_INTACT_SQL = """
select path, document_id, outcome, detail, algorithm, expected, actual, {recorded} from fixity_events
where id >= :first and run_id = :run and outcome not in ('intact', 'new')
group by path order by path limit :limit
"""
#: Whether a file that is not a document is one the catalogue records (a row of ``files``).
RECORDED_FILE = "(document_id is null and exists (select 1 from files f where f.path = fixity_events.path))"


@dataclass(frozen=True)
class DocumentFixity:
    """A document's latest check in the archive, in words."""

    state: str  # an outcome, or "never checked"
    label: str
    colour: str
    checked_at: str | None = None
    by: str | None = None  # "a verification" or "a build"
    run_id: int | None = None
    detail: str | None = None
    agent: str | None = None
    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True)
class RunSummary:
    """A run of the fixity history as the site lists it."""

    id: int
    kind: str
    status: str
    started_at: str
    finished_at: str | None
    agent: str
    scope: str
    files: int
    counts: dict[str, int]
    run_sha256: str | None

    @property
    def not_intact(self) -> int:
        return sum(n for outcome, n in self.counts.items() if outcome not in ("intact", "new"))

    @property
    def label(self) -> str:
        """In a word or two: all intact, problems found, still running, interrupted."""
        if self.status == "running":
            return "running"
        if self.not_intact:
            return "not intact"
        return "interrupted (all it checked intact)" if self.status == "interrupted" else "all intact"


@dataclass(frozen=True)
class Problem:
    """A file a run did not find intact."""

    path: str
    document_id: str | None
    outcome: str
    label: str
    detail: str | None
    recorded_file: bool = False  # a file that is not a document, recorded in ``files`` (its row is its page)


def _has(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where name = ?", (name,)).fetchone() is not None


def document_fixity(conn: sqlite3.Connection, document_id: str) -> DocumentFixity:
    """The document's latest event (a verification's check, or its build's ingestion)."""
    row = conn.execute(LATEST_EVENT_SQL, {"id": document_id}).fetchone() if _has(conn, "fixity_events") else None
    if row is None:
        label, colour = STATES["never checked"]
        return DocumentFixity("never checked", label, colour)
    event_type, checked_at, _, outcome, detail, agent, run_id, expected, actual = row
    label, colour = STATES.get(outcome, (outcome, "unknown"))
    by = "a verification" if event_type == "fixity check" else "a build"
    return DocumentFixity(outcome, label, colour, checked_at, by, run_id, detail, agent, expected, actual)


def _summary(row: Any) -> RunSummary:
    (run_id, kind, status, started_at, finished_at, agent, scope, files, new, intact, changed, missing,
     unrecorded, error, run_sha256) = row
    counts = {"new": new, "intact": intact, "changed": changed, "missing": missing, "unrecorded": unrecorded,
              "error": error}
    return RunSummary(run_id, kind, status, started_at, finished_at, agent, scope, files, counts, run_sha256)


def latest_verification(conn: sqlite3.Connection) -> RunSummary | None:
    """The latest verification of the archive (complete, interrupted or running); None if none."""
    if not _has(conn, "fixity_runs"):
        return None
    row = conn.execute(f"select {RUN_COLUMNS} from fixity_runs where kind = 'fixity check' order by id desc limit 1"
                       ).fetchone()
    return None if row is None else _summary(row)


def recent_runs(conn: sqlite3.Connection, limit: int = 50) -> list[RunSummary]:
    """The latest runs, newest first."""
    if not _has(conn, "fixity_runs"):
        return []
    return [_summary(r) for r in conn.execute(f"select {RUN_COLUMNS} from fixity_runs order by id desc limit ?",
                                              (limit,))]


def problems(conn: sqlite3.Connection, run_id: int, limit: int = 200) -> list[Problem]:
    """The files the run did not find intact, by path (one line per file, whatever its digests)."""
    first = conn.execute("select coalesce(first_event, 0) from fixity_runs where id = ?", (run_id,)).fetchone()
    found = []
    sql = NOT_INTACT_SQL.format(recorded=RECORDED_FILE if records_every_file(conn) else "0")
    for path, document_id, outcome, detail, _, _, _, recorded in conn.execute(
            sql, {"first": first[0] if first else 0, "run": run_id, "limit": limit}):
        found.append(Problem(path, document_id, outcome, STATES.get(outcome, (outcome, ""))[0], detail,
                             bool(recorded)))
    return found
