"""Verify: re-hash every archived file and compare it with the catalogue.

Each document is reported as intact, changed, missing (in the catalogue, not in the archive),
unrecorded (in the archive, not in the catalogue) or error (could not be read), with the expected
and actual digests. Every check is appended to ``fixity_events``. Nothing heavy is imported here, so
a preservation check starts at once.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from . import __version__
from .archive import scan_paths
from .errors import ProvcatError
from .fixity import ALGORITHMS, RAW_INDEX, Digesting, RawDigests
from .lock import CatalogueLock
from .ownership import require_catalogue

AGENT = f"provcat {__version__}"
OUTCOMES = ("intact", "changed", "missing", "unrecorded", "error")


class Check(NamedTuple):
    """One digest of one file compared with the catalogue (a tuple: a verification makes one per
    file and algorithm, so they must be cheap)."""

    document_id: str | None
    path: str
    algorithm: str
    expected: str | None
    actual: str | None
    outcome: str
    detail: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return self._asdict()


def require_known(algorithms: tuple[str, ...]) -> None:
    unknown = set(algorithms) - set(ALGORITHMS)
    if unknown:
        raise ProvcatError(None, f"unknown digest algorithm(s): {', '.join(sorted(unknown))}")


#: What the catalogue says of a document: (id, path, size_bytes, then the digests asked for).
Recorded = tuple[str, str, int, *tuple[str, ...]]


def recorded_documents(db: Path, algorithms: tuple[str, ...] = ALGORITHMS) -> list[Recorded]:
    """Every catalogued document's id, path, size and the digests of ``algorithms`` in that order, by
    path (read from a covering index, not the table)."""
    require_catalogue(db)
    require_known(algorithms)  # only known names reach the SQL
    columns = ", ".join(algorithms)
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        with conn:
            return conn.execute(f"select id, path, size_bytes, {columns} from documents order by path").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc


def check_archive(archive: Path, db: Path, algorithms: tuple[str, ...] = ("sha256",),
                  jobs: int | None = None, log: FixityLog | None = None) -> list[Check]:
    """Compare every recorded digest with the bytes now in the archive; the checks come by path.

    Files are hashed by ``jobs`` worker processes (default: one per core; ``1`` hashes in this
    process). With a ``log``, each batch of checks is written to it while the next batches are
    being hashed.
    """
    require_known(algorithms)
    listing = scan_paths(archive)
    paths, on_disk = listing.found, listing.on_disk
    require_catalogue(db)
    checks: list[Check] = []
    base = os.path.join(str(archive), "")  # with its separator
    with Digesting([base + on_disk.get(path, path) for path in paths], algorithms, jobs) as digesting:
        recorded = {row[1]: row for row in recorded_documents(db, algorithms)}  # read while the workers hash
        done = 0
        for batch in digesting.raw_batches():
            made = compare_batch(paths[done:done + len(batch)], batch, recorded, algorithms)
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


def compare_batch(paths: Sequence[str], batch: Sequence[RawDigests], recorded: dict[str, Recorded],
                  algorithms: tuple[str, ...]) -> list[Check]:
    """The checks of a batch of files (``paths`` and what hashing them gave), taking each file's
    record out of ``recorded`` (what is left in it at the end was not in the archive)."""
    # the digests asked for, as a catalogue row and a worker's result hold them
    recorded_digests = itemgetter(*range(3, 3 + len(algorithms)))
    found_digests = itemgetter(*(RAW_INDEX[algorithm] for algorithm in algorithms))
    made: list[Check] = []
    for path, result in zip(paths, batch, strict=True):
        row = recorded.pop(path, None)
        if row is None:
            made.extend(unrecorded_checks(path, result, algorithms))
        elif type(result) is tuple and found_digests(result) == recorded_digests(row):
            # the common case, kept short: every digest as recorded
            made.extend([Check(row[0], path, algorithm, row[3 + i], row[3 + i], "intact")
                         for i, algorithm in enumerate(algorithms)])
        else:
            made.extend(recorded_checks(row, result, algorithms))
    return made


def recorded_checks(row: Recorded, result: RawDigests | None, algorithms: tuple[str, ...]) -> list[Check]:
    """The checks of a catalogued document (``row`` from :func:`recorded_documents` with the same
    ``algorithms``): ``result`` is None when the file is not in the archive."""
    doc_id, path, size = row[0], row[1], row[2]
    expected = [row[3 + i] for i in range(len(algorithms))]
    if result is None:
        return [Check(doc_id, path, a, e, None, "missing", "not in the archive")
                for a, e in zip(algorithms, expected, strict=True)]
    if isinstance(result, OSError):
        reason = result.strerror or str(result)
        return [Check(doc_id, path, a, e, None, "error", reason) for a, e in zip(algorithms, expected, strict=True)]
    checks = []
    for algorithm, digest in zip(algorithms, expected, strict=True):
        actual = result[RAW_INDEX[algorithm]]
        if actual == digest:
            checks.append(Check(doc_id, path, algorithm, digest, actual, "intact"))
        else:
            detail = f"size {size} -> {result[2]} bytes" if result[2] != size else None
            checks.append(Check(doc_id, path, algorithm, digest, actual, "changed", detail))
    return checks


def unrecorded_checks(path: str, result: RawDigests, algorithms: tuple[str, ...]) -> list[Check]:
    """The checks of a file in the archive that the catalogue does not describe."""
    actuals = {a: None if isinstance(result, OSError) else result[RAW_INDEX[a]] for a in algorithms}
    return [Check(None, path, a, None, actuals[a], "unrecorded", "not in the catalogue") for a in algorithms]


#: Events written per statement: one multi-row insert costs about half as much per row as one
#: statement per row.
EVENTS_PER_STATEMENT = 100
EVENT_VALUES = "('fixity check', ?, ?, {checked_at}, ?, ?, ?, ?, ?, {agent})"
INSERT_EVENTS = ("insert into fixity_events (event_type, document_id, path, checked_at, algorithm, expected, "
                 "actual, outcome, detail, agent) values ")


def sql_literal(text: str) -> str:
    """A string as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class FixityLog:
    """Fixity events being appended to the catalogue in one transaction: written as they are
    added, committed when the ``with`` block ends normally, rolled back if it raises. The catalogue's
    lock is held for the whole ``with`` block (``wait``: wait for another writer rather than stop), so
    that no build replaces the catalogue between the checks and their events. The catalogue is
    opened at the first event."""

    def __init__(self, db: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None) -> None:
        self.db = db
        self.lock = CatalogueLock(db, "verify", wait, on_wait)
        self.checked_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.conn: sqlite3.Connection | None = None
        # the time and the agent are the same for every event: SQL literals rather than parameters
        self.values_sql = EVENT_VALUES.format(checked_at=sql_literal(self.checked_at), agent=sql_literal(AGENT))
        self.full_sql = self.insert_sql(EVENTS_PER_STATEMENT)

    def insert_sql(self, rows: int) -> str:
        return INSERT_EVENTS + ", ".join([self.values_sql] * rows)

    def __enter__(self) -> FixityLog:
        require_catalogue(self.db)
        self.lock.__enter__()
        return self

    def add(self, checks: list[Check]) -> None:
        """Write one event per check (not yet committed)."""
        try:
            if self.conn is None:
                require_catalogue(self.db)
                self.conn = sqlite3.connect(self.db)
                self.conn.execute("begin")
            for start in range(0, len(checks), EVENTS_PER_STATEMENT):
                chunk = checks[start:start + EVENTS_PER_STATEMENT]
                values = list(chain.from_iterable(chunk))  # a check's fields are the parameters, in order
                sql = self.full_sql if len(chunk) == EVENTS_PER_STATEMENT else self.insert_sql(len(chunk))
                self.conn.execute(sql, values)
        except sqlite3.DatabaseError as exc:
            raise ProvcatError(self.db, f"fixity events could not be recorded: {exc}") from exc

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        try:
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
        finally:
            self.lock.__exit__(None, None, None)


def record_events(db: Path, checks: list[Check]) -> None:
    """Append one fixity event per check to the catalogue, in one transaction."""
    with FixityLog(db) as log:
        log.add(checks)


def summary(checks: list[Check]) -> dict[str, int]:
    """Documents per outcome (a document counts once, under its worst outcome)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    if len({check.algorithm for check in checks}) <= 1:  # one check per document
        for check in checks:
            counts[check.outcome] += 1
        return counts
    rank = {outcome: i for i, outcome in enumerate(OUTCOMES)}
    worst: dict[str, int] = {}
    for check in checks:
        worst[check.path] = max(worst.get(check.path, 0), rank[check.outcome])
    for value in worst.values():
        counts[OUTCOMES[value]] += 1
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
