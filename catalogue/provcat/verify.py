"""Verify: re-hash every archived file and compare it with the catalogue.

Each document is reported as intact, changed, missing (in the catalogue, not in the archive),
unrecorded (in the archive, not in the catalogue) or error (could not be read), with the expected
and actual digests. Every check is appended to ``fixity_events``. Nothing heavy is imported here, so
a preservation check starts at once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .archive import scan
from .errors import ProvcatError
from .fixity import ALGORITHMS, Digesting, RawDigests

AGENT = f"provcat {__version__}"
OUTCOMES = ("intact", "changed", "missing", "unrecorded", "error")


@dataclass(frozen=True, slots=True)
class Check:
    document_id: str | None
    path: str
    algorithm: str
    expected: str | None
    actual: str | None
    outcome: str
    detail: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def require_catalogue(db: Path) -> None:
    if not db.is_file():
        raise ProvcatError(db, "catalogue not found (run 'provcat build' first)")


#: What the catalogue says of a document: (id, path, sha256, sha512, size_bytes).
Recorded = tuple[str, str, str, str, int]
#: Where each algorithm's digest is, in a :data:`Recorded` row and in a worker's raw digests.
RECORDED_COLUMN = {"sha256": 2, "sha512": 3}
RAW_COLUMN = {"sha256": 0, "sha512": 1}


def recorded_documents(db: Path) -> list[Recorded]:
    """Every catalogued document's digests, by path (read from a covering index, not the table)."""
    require_catalogue(db)
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        with conn:
            return conn.execute("select id, path, sha256, sha512, size_bytes from documents order by path").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc


def check_archive(archive: Path, db: Path, algorithms: tuple[str, ...] = ("sha256",),
                  jobs: int | None = None, log: FixityLog | None = None) -> list[Check]:
    """Compare every recorded digest with the bytes now in the archive; the checks come by path.

    Files are hashed by ``jobs`` worker processes (default: one per core; ``1`` hashes in this
    process). With a ``log``, each batch of checks is written to it while the next batches are
    being hashed.
    """
    unknown = set(algorithms) - set(ALGORITHMS)
    if unknown:
        raise ProvcatError(None, f"unknown digest algorithm(s): {', '.join(sorted(unknown))}")
    files = scan(archive).files
    require_catalogue(db)
    checks: list[Check] = []
    with Digesting([f.local for f in files], algorithms, jobs) as digesting:
        recorded = {row[1]: row for row in recorded_documents(db)}  # read while the workers hash
        done = 0
        for batch in digesting.raw_batches():
            made: list[Check] = []
            for file, result in zip(files[done:done + len(batch)], batch, strict=True):
                row = recorded.pop(file.path, None)
                made.extend(unrecorded_checks(file.path, result, algorithms) if row is None
                            else recorded_checks(row, result, algorithms))
            done += len(batch)
            checks.extend(made)
            if log is not None:
                log.add(made)
    missing = [check for row in recorded.values() for check in recorded_checks(row, None, algorithms)]
    if log is not None:
        log.add(missing)
    if missing:
        checks.extend(missing)
        checks.sort(key=lambda check: check.path)  # stable: each path's algorithms stay in order
    return checks


def recorded_checks(row: Recorded, result: RawDigests | None, algorithms: tuple[str, ...]) -> list[Check]:
    """The checks of a catalogued document: ``result`` is None when the file is not in the archive."""
    doc_id, path = row[0], row[1]
    if result is None:
        return [Check(doc_id, path, a, row[RECORDED_COLUMN[a]], None, "missing", "not in the archive")
                for a in algorithms]
    if isinstance(result, OSError):
        return [Check(doc_id, path, a, row[RECORDED_COLUMN[a]], None, "error", result.strerror or str(result))
                for a in algorithms]
    checks = []
    for algorithm in algorithms:
        expected, actual = row[RECORDED_COLUMN[algorithm]], result[RAW_COLUMN[algorithm]]
        if actual == expected:
            checks.append(Check(doc_id, path, algorithm, expected, actual, "intact"))
            continue
        detail = None
        if result[2] != row[4]:
            detail = f"size {row[4]} -> {result[2]} bytes"
        checks.append(Check(doc_id, path, algorithm, expected, actual, "changed", detail))
    return checks


def unrecorded_checks(path: str, result: RawDigests, algorithms: tuple[str, ...]) -> list[Check]:
    """The checks of a file in the archive that the catalogue does not describe."""
    actuals = {a: None if isinstance(result, OSError) else result[RAW_COLUMN[a]] for a in algorithms}
    return [Check(None, path, a, None, actuals[a], "unrecorded", "not in the catalogue") for a in algorithms]


#: Events written per statement: one multi-row insert costs about half as much per row as one
#: statement per row.
EVENTS_PER_STATEMENT = 100
EVENT_VALUES = "('fixity check', ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_EVENTS = ("insert into fixity_events (event_type, document_id, path, checked_at, algorithm, expected, "
                 "actual, outcome, detail, agent) values ")


class FixityLog:
    """Fixity events being appended to the catalogue in one transaction: written as they are
    added, committed when the ``with`` block ends normally, rolled back if it raises. The catalogue
    is opened at the first event, so that a problem with the archive is reported first."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.checked_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> FixityLog:
        return self

    def add(self, checks: list[Check]) -> None:
        """Write one event per check (not yet committed)."""
        full = INSERT_EVENTS + ", ".join([EVENT_VALUES] * EVENTS_PER_STATEMENT)
        try:
            if self.conn is None:
                require_catalogue(self.db)
                self.conn = sqlite3.connect(self.db)
                self.conn.execute("begin")
            for start in range(0, len(checks), EVENTS_PER_STATEMENT):
                chunk = checks[start:start + EVENTS_PER_STATEMENT]
                values = [v for c in chunk for v in (c.document_id, c.path, self.checked_at, c.algorithm,
                                                      c.expected, c.actual, c.outcome, c.detail, AGENT)]
                sql = full if len(chunk) == EVENTS_PER_STATEMENT else INSERT_EVENTS + ", ".join(
                    [EVENT_VALUES] * len(chunk))
                self.conn.execute(sql, values)
        except sqlite3.DatabaseError as exc:
            raise ProvcatError(self.db, f"fixity events could not be recorded: {exc}") from exc

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        if self.conn is None:
            return
        try:
            if exc_type is None:
                self.conn.commit()
            else:
                self.conn.rollback()
        except sqlite3.DatabaseError as exc:
            raise ProvcatError(self.db, f"fixity events could not be recorded: {exc}") from exc
        finally:
            self.conn.close()


def record_events(db: Path, checks: list[Check]) -> None:
    """Append one fixity event per check to the catalogue, in one transaction."""
    with FixityLog(db) as log:
        log.add(checks)


def summary(checks: list[Check]) -> dict[str, int]:
    """Documents per outcome (a document counts once, under its worst outcome)."""
    worst: dict[str, int] = {}
    for check in checks:
        rank = OUTCOMES.index(check.outcome)
        worst[check.path] = max(worst.get(check.path, 0), rank)
    counts = dict.fromkeys(OUTCOMES, 0)
    for rank in worst.values():
        counts[OUTCOMES[rank]] += 1
    return counts


def report_line(check: Check) -> str:
    """One line of the text report: outcome, path and algorithm, and the digests when not intact."""
    line = f"{check.outcome:<10} {check.path}  {check.algorithm}"
    if check.outcome != "intact":
        line += f"  expected {check.expected or '-'}  actual {check.actual or '-'}"
        if check.detail:
            line += f"  ({check.detail})"
    return line


def all_intact(checks: list[Check]) -> bool:
    return bool(checks) and all(c.outcome == "intact" for c in checks)
