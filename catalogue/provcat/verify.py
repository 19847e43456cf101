"""Verify: re-hash every archived file and compare it with the catalogue.

Each file — a document or any other file the catalogue records — is reported as intact, changed,
missing (in the catalogue, not in the archive), unrecorded (in the archive, not in the catalogue)
or error (could not be read), with the expected and actual digests. Every check is appended to
``fixity_events`` (a document's event names the document; another file's, its path). Formats are
not identified again: a verification only hashes. Nothing heavy is imported here, so a
preservation check starts at once.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from . import __version__, history
from .archive import scan_paths
from .errors import ProvcatError
from .fixity import ALGORITHMS, RAW_INDEX, Digesting, RawDigests
from .lock import CatalogueLock
from .ownership import records_every_file, require_catalogue

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


#: What the catalogue says of a file: (its document id or None, path, size_bytes, then the digests
#: asked for).
Recorded = tuple[str | None, str, int, *tuple[str, ...]]

#: Every catalogued file, by path (from a covering index); a catalogue written before every file
#: was catalogued has its documents only.
RECORDED_FILES_SQL = "select document_id, path, size_bytes, {columns} from files order by path"
RECORDED_DOCUMENTS_SQL = "select id, path, size_bytes, {columns} from documents order by path"


def recorded_files(db: Path, algorithms: tuple[str, ...] = ALGORITHMS) -> list[Recorded]:
    """Every catalogued file's document id (None for a file that is not a document), path, size and
    the digests of ``algorithms`` in that order, by path (read from a covering index, not the table)."""
    require_catalogue(db)
    require_known(algorithms)  # only known names reach the SQL
    columns = ", ".join(algorithms)
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        with conn:
            sql = RECORDED_FILES_SQL if records_every_file(conn) else RECORDED_DOCUMENTS_SQL
            return conn.execute(sql.format(columns=columns)).fetchall()
    except sqlite3.DatabaseError as exc:
        raise ProvcatError(db, f"is not a readable catalogue: {exc}") from exc


def check_archive(archive: Path, db: Path, algorithms: tuple[str, ...] = ("sha256",),
                  jobs: int | None = None, log: FixityLog | None = None,
                  only: Collection[str] | None = None,
                  progress: Callable[[int, int, int, int], None] | None = None) -> list[Check]:
    """Compare every recorded digest with the bytes now in the archive; the checks come by path.

    Files are hashed by ``jobs`` worker processes (default: one per core; ``1`` hashes in this
    process). With a ``log``, each batch of checks is written to it while the next batches are
    being hashed. With ``only`` (catalogue paths), just those files are hashed, and the files the
    catalogue does not know; every catalogued file missing from the archive is reported either way
    (that costs no reading). ``progress`` is told after each batch the files hashed so far, of how
    many, the bytes read and the bytes expected (the catalogued sizes: a file not catalogued adds
    what it holds when it is read).
    """
    require_known(algorithms)
    listing = scan_paths(archive)
    paths, on_disk = listing.found, listing.on_disk
    require_catalogue(db)
    checks: list[Check] = []
    base = os.path.join(str(archive), "")  # with its separator
    recorded: dict[str, Recorded] = {}
    if only is not None:
        recorded = {row[1]: row for row in recorded_files(db, algorithms)}
        scanned = set(paths)
        paths = [path for path in paths if path in only or path not in recorded]
    with Digesting([base + on_disk.get(path, path) for path in paths], algorithms, jobs) as digesting:
        if only is None:
            recorded = {row[1]: row for row in recorded_files(db, algorithms)}  # read while the workers hash
        done = read = 0
        expected = sum(recorded[path][2] or 0 for path in paths if path in recorded) if progress else 0
        if progress is not None:
            progress(0, len(paths), 0, expected)
        for batch in digesting.raw_batches():
            names = paths[done:done + len(batch)]
            if progress is not None:
                for path, result in zip(names, batch, strict=True):
                    if type(result) is tuple:
                        read += result[2]
                        expected += 0 if path in recorded else result[2]  # a file the catalogue does not know
            made = compare_batch(names, batch, recorded, algorithms)
            done += len(batch)
            checks.extend(made)
            if log is not None:
                log.add(made)
            if progress is not None:
                progress(done, len(paths), read, expected)
    absent = recorded.values() if only is None else (row for path, row in recorded.items() if path not in scanned)
    missing = [check for row in absent for check in recorded_checks(row, None, algorithms)]
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
    """The checks of a catalogued file (``row`` from :func:`recorded_files` with the same
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
EVENT_VALUES = "('fixity check', ?, ?, {checked_at}, ?, ?, ?, ?, ?, {agent}, {run_id})"
INSERT_EVENTS = ("insert into fixity_events (event_type, document_id, path, checked_at, algorithm, expected, "
                 "actual, outcome, detail, agent, run_id) values ")
#: Events are committed at least this often, so that a verification that is stopped keeps what it
#: checked (and each commit, which waits for the disk, is paid once a second, not once a batch).
COMMIT_SECONDS = 1.0


def sql_literal(text: str) -> str:
    """A string as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


q1, q2 = "'", "''"


def _quoted(text: str | None) -> str:
    """``text`` as SQLite's quote() writes it (NULL for None)."""
    return "NULL" if text is None else "'" + text.replace(q1, q2) + "'"


class FixityLog:
    """One verification recorded as a run of the fixity history (:mod:`provcat.history`).

    Entering it takes the catalogue's lock (``wait``: wait for another writer rather than stop), so
    that no build replaces the catalogue between the checks and their events, and brings the history
    up to date (``conn`` may then be read, e.g. to choose the files to check). :meth:`begin`
    starts the run (the first event does, if not). Events are written as they are added and
    committed at least every ``COMMIT_SECONDS``. Leaving it ends the run — ``complete``, or
    ``interrupted`` when the block raised (Ctrl+C included): what was checked until then is kept and
    digested — and ``head`` is then the new head of the chain."""

    def __init__(self, db: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None,
                 algorithms: Sequence[str] = ("sha256",), archive: str | None = None) -> None:
        self.db = db
        self.lock = CatalogueLock(db, "verify", wait, on_wait)
        self.algorithms, self.archive = tuple(algorithms), archive
        self.conn: sqlite3.Connection | None = None
        self.run: history.Run | None = None
        self.tally = history.Tally()
        self.head: str | None = None
        self.last_commit = 0.0

    def _fail(self, exc: sqlite3.DatabaseError) -> ProvcatError:
        return ProvcatError(self.db, f"fixity events could not be recorded: {exc}")

    def __enter__(self) -> FixityLog:
        require_catalogue(self.db)
        self.lock.__enter__()
        try:
            self.conn = sqlite3.connect(self.db, isolation_level=None)
            self.conn.execute("begin immediate")
            history.prepare(self.conn, AGENT, __version__)
            self.conn.execute("commit")
        except BaseException as exc:
            if self.conn is not None:
                self.conn.close()
            self.lock.__exit__(None, None, None)
            if isinstance(exc, sqlite3.DatabaseError):
                raise self._fail(exc) from exc
            raise
        return self

    def begin(self, scope: str = "every file", selection: str | None = None) -> None:
        """Start the run: ``scope`` says in words which files it checks, ``selection`` for a program."""
        assert self.conn is not None and self.run is None, "begin() once, inside the with block"
        try:
            self.conn.execute("begin immediate")
            self.run = history.start(self.conn, "fixity check", scope, self.algorithms, AGENT, __version__,
                                     self.archive, selection)
            self.conn.execute("commit")
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from exc
        self.last_commit = time.monotonic()

    def add(self, checks: list[Check]) -> None:
        """Write one event per check, timed now (committed within ``COMMIT_SECONDS``)."""
        if self.run is None:
            self.begin()
        assert self.conn is not None and self.run is not None
        checked_at, run_id = history.now(), self.run.id
        values_sql = EVENT_VALUES.format(checked_at=sql_literal(checked_at), agent=sql_literal(AGENT), run_id=run_id)
        line_head, line_time = f",{run_id},'fixity check',", f"{sql_literal(checked_at)},"
        line_agent = sql_literal(AGENT)
        full_sql = INSERT_EVENTS + ", ".join([values_sql] * EVENTS_PER_STATEMENT)
        try:
            if not self.conn.in_transaction:
                self.conn.execute("begin immediate")
            for start in range(0, len(checks), EVENTS_PER_STATEMENT):
                chunk = checks[start:start + EVENTS_PER_STATEMENT]
                values = list(chain.from_iterable(chunk))  # a check's fields are the parameters, in order
                sql = full_sql if len(chunk) == EVENTS_PER_STATEMENT else \
                    INSERT_EVENTS + ", ".join([values_sql] * len(chunk))
                last = self.conn.execute(sql, values).lastrowid
                assert last is not None
                # the rows of one insert take the ids up to the last, one after the other (one writer);
                # each event's line as history.EVENT_LINES_SQL writes it (SQLite's quote()), made here
                first = last - len(chunk) + 1
                lines = "".join([
                    f"{event_id}{line_head}{_quoted(c.document_id)},'{c.path.replace(q1, q2)}',{line_time}"
                    f"'{c.algorithm}',{_quoted(c.expected)},{_quoted(c.actual)},'{c.outcome}',{_quoted(c.detail)},"
                    f"{line_agent}\n" for event_id, c in enumerate(chunk, start=first)])
                self.tally.add_lines(first, last, lines, [(c.path, c.outcome) for c in chunk])
            if time.monotonic() - self.last_commit >= COMMIT_SECONDS:
                self.conn.execute("commit")
                self.last_commit = time.monotonic()
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from exc

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        try:
            if self.conn is None:
                return
            try:
                if self.run is not None:
                    if not self.conn.in_transaction:
                        self.conn.execute("begin immediate")
                    if exc_type is None:
                        self.head = history.finish(self.conn, self.run.id, "complete", tally=self.tally)
                    else:  # stopped, perhaps between writing events and counting them: read them back
                        self.head = history.finish(self.conn, self.run.id, "interrupted",
                                                   first_event=self.run.first_event)
                    self.conn.execute("commit")
            except sqlite3.DatabaseError as exc:
                raise self._fail(exc) from exc
            finally:
                self.conn.close()
        finally:
            self.lock.__exit__(None, None, None)


#: Each catalogued file's path and when its bytes were last checked — by a verification or by a
#: build, which hashes them too — (NULL: never), oldest first. The latest event of a file is the one
#: with the highest id (events are only ever appended), found in an index: a document's by its id,
#: another file's by its path (``fixity_events_file``, which holds only the events naming no document).
LAST_CHECKED_SQL = """
select f.path, e.checked_at from files f
left join fixity_events e on e.id = (case when f.document_id is not null
    then (select max(id) from fixity_events where document_id = f.document_id)
    else (select max(id) from fixity_events where document_id is null and path = f.path) end)
{where} order by e.id is not null, e.id, f.path {limit}
"""
#: The same, of a catalogue written before every file was catalogued: its documents.
LAST_CHECKED_DOCUMENTS_SQL = """
select d.path, e.checked_at from documents d
left join fixity_events e on e.id = (select max(id) from fixity_events where document_id = d.id)
{where} order by e.id is not null, e.id, d.path {limit}
"""


@dataclass(frozen=True)
class Selection:
    """Which catalogued files a verification hashes: every one, the ``oldest`` N checked longest ago
    (never checked first), or those not checked ``since`` a time (UTC, ISO 8601)."""

    oldest: int | None = None
    since: str | None = None

    @property
    def everything(self) -> bool:
        return self.oldest is None and self.since is None

    def scope(self) -> str:
        if self.oldest is not None:
            return f"the {self.oldest:,} files checked longest ago, and files not in the catalogue"
        if self.since is not None:
            return f"the files not checked since {self.since}, and files not in the catalogue"
        return "every file"

    def as_json(self) -> str:
        return json.dumps({"oldest": self.oldest, "since": self.since})

    def paths(self, conn: sqlite3.Connection) -> set[str] | None:
        """The catalogue paths chosen (None: every one)."""
        last_checked = LAST_CHECKED_SQL if records_every_file(conn) else LAST_CHECKED_DOCUMENTS_SQL
        if self.oldest is not None:
            sql = last_checked.format(where="", limit="limit ?")
            return {path for path, _ in conn.execute(sql, (self.oldest,))}
        if self.since is not None:
            sql = last_checked.format(where="where e.checked_at is null or e.checked_at < ?", limit="")
            return {path for path, _ in conn.execute(sql, (self.since,))}
        return None


_AGE = re.compile(r"\s*(\d+)\s*([mhdw])\s*", re.I)
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since(age: str | None) -> str | None:
    """The time (UTC, as the history records it) ``age`` ago: "30d", "12h", "2w" or "45m"."""
    if age is None:
        return None
    match = _AGE.fullmatch(age)
    if match is None:
        raise ProvcatError(None, f"--not-checked-for {age!r}: give an age such as 30d, 12h, 2w or 45m")
    delta = timedelta(**{_AGE_UNITS[match.group(2).lower()]: int(match.group(1))})
    return (datetime.now(UTC) - delta).isoformat(timespec="microseconds")


def resumed(conn: sqlite3.Connection) -> Selection:
    """What is left of the latest verification if it was interrupted: of every file, those not checked
    since it began; of the N checked longest ago, the N less those it checked; of those not checked
    since a time, the same. A ProvcatError when the latest verification was not interrupted."""
    row = conn.execute("select id, status, started_at, selection, files from fixity_runs where kind = 'fixity check' "
                       "order by id desc limit 1").fetchone() if history.has_runs(conn) else None
    if row is None or row[1] != "interrupted":
        raise ProvcatError(None, "there is no interrupted verification to resume (the latest one "
                                 f"{'was ' + row[1] if row else 'does not exist'})")
    run_id, _, started_at, selection, files = row
    chosen = json.loads(selection or "{}")
    if chosen.get("oldest") is not None:
        # the catalogued files it checked (a file not in the catalogue is checked whatever the slice)
        checked = conn.execute("select count(distinct path) from fixity_events where run_id = ? and outcome not in "
                               "('missing', 'unrecorded')", (run_id,)).fetchone()[0]
        return Selection(oldest=max(0, chosen["oldest"] - checked))
    return Selection(since=chosen.get("since") or started_at)


def record_events(db: Path, checks: list[Check]) -> str | None:
    """Record the checks as one run of the fixity history; return the new head of the chain."""
    with FixityLog(db) as log:
        log.add(checks)
    return log.head


def summary(checks: list[Check]) -> dict[str, int]:
    """Files per outcome (a file counts once, under its worst outcome)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    if len({check.algorithm for check in checks}) <= 1:  # one check per file
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
