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
from .fixity import ALGORITHMS, digest_file

AGENT = f"provcat {__version__}"
OUTCOMES = ("intact", "changed", "missing", "unrecorded", "error")


@dataclass(frozen=True)
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


def recorded_documents(db: Path) -> list[sqlite3.Row]:
    if not db.is_file():
        raise ProvcatError(db, "catalogue not found (run 'provcat build' first)")
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        with conn:
            return list(conn.execute("select id, path, sha256, sha512, size_bytes from documents order by path"))
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc


def check_archive(archive: Path, db: Path, algorithms: tuple[str, ...] = ("sha256",)) -> list[Check]:
    """Compare every recorded digest with the bytes now in the archive."""
    unknown = set(algorithms) - set(ALGORITHMS)
    if unknown:
        raise ProvcatError(None, f"unknown digest algorithm(s): {', '.join(sorted(unknown))}")
    found = {f.path: f for f in scan(archive).files}
    recorded = recorded_documents(db)
    checks: list[Check] = []
    for row in recorded:
        path = row["path"]
        item = found.pop(path, None)
        if item is None:
            checks.extend(Check(row["id"], path, a, row[a], None, "missing", "not in the archive")
                          for a in algorithms)
            continue
        try:
            digests = digest_file(item.location, algorithms)
        except OSError as exc:
            checks.extend(Check(row["id"], path, a, row[a], None, "error", exc.strerror or str(exc))
                          for a in algorithms)
            continue
        for algorithm in algorithms:
            actual = digests.get(algorithm)
            if actual == row[algorithm]:
                checks.append(Check(row["id"], path, algorithm, row[algorithm], actual, "intact"))
            else:
                detail = None
                if digests.size_bytes != row["size_bytes"]:
                    detail = f"size {row['size_bytes']} -> {digests.size_bytes} bytes"
                checks.append(Check(row["id"], path, algorithm, row[algorithm], actual, "changed", detail))
    for path, item in sorted(found.items()):
        try:
            digests = digest_file(item.location, algorithms)
            actuals = {a: digests.get(a) for a in algorithms}
        except OSError:
            actuals = dict.fromkeys(algorithms)
        checks.extend(Check(None, path, a, None, actuals[a], "unrecorded", "not in the catalogue")
                      for a in algorithms)
    return checks


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


def all_intact(checks: list[Check]) -> bool:
    return bool(checks) and all(c.outcome == "intact" for c in checks)
