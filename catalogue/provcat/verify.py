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
from .fixity import ALGORITHMS, Digesting, Digests

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


def recorded_documents(db: Path) -> list[sqlite3.Row]:
    require_catalogue(db)
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        with conn:
            return list(conn.execute("select id, path, sha256, sha512, size_bytes from documents order by path"))
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc


def check_archive(archive: Path, db: Path, algorithms: tuple[str, ...] = ("sha256",),
                  jobs: int | None = None) -> list[Check]:
    """Compare every recorded digest with the bytes now in the archive.

    Files are hashed by ``jobs`` worker processes (default: one per core; ``1`` hashes in this
    process). The checks come in the catalogue's order (by path), then the unrecorded files by path.
    """
    unknown = set(algorithms) - set(ALGORITHMS)
    if unknown:
        raise ProvcatError(None, f"unknown digest algorithm(s): {', '.join(sorted(unknown))}")
    files = scan(archive).files
    require_catalogue(db)
    with Digesting([f.location for f in files], algorithms, jobs) as digesting:
        recorded = recorded_documents(db)  # read while the workers hash
        hashed = dict(zip([f.path for f in files], digesting.results(), strict=True))
    checks: list[Check] = []
    for row in recorded:
        checks.extend(recorded_checks(row, hashed.pop(row["path"], None), algorithms))
    for path, result in sorted(hashed.items()):
        checks.extend(unrecorded_checks(path, result, algorithms))
    return checks


def recorded_checks(row: sqlite3.Row, result: Digests | OSError | None,
                    algorithms: tuple[str, ...]) -> list[Check]:
    """The checks of a catalogued document: ``result`` is None when the file is not in the archive."""
    doc_id, path = row["id"], row["path"]
    if result is None:
        return [Check(doc_id, path, a, row[a], None, "missing", "not in the archive") for a in algorithms]
    if isinstance(result, OSError):
        return [Check(doc_id, path, a, row[a], None, "error", result.strerror or str(result)) for a in algorithms]
    checks = []
    for algorithm in algorithms:
        expected, actual = row[algorithm], result.get(algorithm)
        if actual == expected:
            checks.append(Check(doc_id, path, algorithm, expected, actual, "intact"))
            continue
        detail = None
        if result.size_bytes != row["size_bytes"]:
            detail = f"size {row['size_bytes']} -> {result.size_bytes} bytes"
        checks.append(Check(doc_id, path, algorithm, expected, actual, "changed", detail))
    return checks


def unrecorded_checks(path: str, result: Digests | OSError, algorithms: tuple[str, ...]) -> list[Check]:
    """The checks of a file in the archive that the catalogue does not describe."""
    actuals = {a: None if isinstance(result, OSError) else result.get(a) for a in algorithms}
    return [Check(None, path, a, None, actuals[a], "unrecorded", "not in the catalogue") for a in algorithms]


def record_events(db: Path, checks: list[Check]) -> None:
    """Append one fixity event per check to the catalogue."""
    checked_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        conn = sqlite3.connect(db)
        with conn:
            conn.executemany(
                "insert into fixity_events (event_type, document_id, path, checked_at, algorithm, expected, "
                "actual, outcome, detail, agent) values ('fixity check', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.document_id, c.path, checked_at, c.algorithm, c.expected, c.actual, c.outcome, c.detail,
                  AGENT) for c in checks],
            )
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"fixity events could not be recorded: {exc}") from exc


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
