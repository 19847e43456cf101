"""The fixity history: every digest check the catalogue records, in runs chained by digests.

A **run** is one build (its ingestion events) or one verification (its fixity-check events): a row
of ``fixity_runs`` with its start and end (UTC, to the microsecond), agent, software version, scope,
counts per outcome and status (``running``, ``complete``, ``interrupted``); every event names its run
(``fixity_events.run_id``).

**Tamper evidence.** When a run ends it records ``events_sha256``, the SHA-256 of its events, and
``previous_run_sha256``, the digest of the run before it; its own digest, ``run_sha256``, covers
both. Changing, deleting or reordering any past event or run changes a digest the next run records,
so :func:`check_chain` names the first run whose record no longer adds up. Each digest is the
SHA-256 of lines SQLite itself writes (``quote()`` of every column, comma-separated), so anyone can
recompute it with ``sqlite3`` and ``sha256sum`` alone (README: "Checking the fixity history").

Catalogues written before runs existed are brought up to date in place, additively: the table,
the column and the index are added, and the events recorded until then become one run of kind
``earlier events``, whose digest covers them as they were found. Nothing heavy is imported here.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

RUNS_SCHEMA = """
CREATE TABLE IF NOT EXISTS fixity_runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('ingestion', 'fixity check', 'earlier events')),
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    agent TEXT NOT NULL,
    software_version TEXT NOT NULL,
    archive TEXT,
    scope TEXT NOT NULL,
    selection TEXT,
    algorithms TEXT NOT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    intact INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    missing INTEGER NOT NULL DEFAULT 0,
    unrecorded INTEGER NOT NULL DEFAULT 0,
    error INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    first_event INTEGER,
    last_event INTEGER,
    events_sha256 TEXT,
    previous_run_sha256 TEXT,
    run_sha256 TEXT
);
"""

#: The outcomes of a file in a run, worst last: a file with several digests counts under its worst.
OUTCOMES = ("new", "intact", "unrecorded", "changed", "missing", "error")
COUNTED = ("new", "intact", "changed", "missing", "unrecorded", "error")

_EVENT_COLUMNS = ("id", "run_id", "event_type", "document_id", "path", "checked_at", "algorithm", "expected",
                  "actual", "outcome", "detail", "agent")
_RUN_COLUMNS = ("id", "kind", "status", "started_at", "finished_at", "agent", "software_version", "archive",
                "scope", "selection", "algorithms", "files", *COUNTED, "events", "first_event", "last_event",
                "events_sha256", "previous_run_sha256")


_PATH, _OUTCOME = _EVENT_COLUMNS.index("path"), _EVENT_COLUMNS.index("outcome")
_RANK = {outcome: i for i, outcome in enumerate(OUTCOMES)}


def _lines_sql(columns: Iterable[str]) -> str:
    return "||','||".join(f'quote("{column}")' for column in columns)


#: The line of each event and of each run that the digests are taken over (also in the README).
EVENT_LINES_SQL = f"select {_lines_sql(_EVENT_COLUMNS)} from fixity_events where run_id = ? order by id"
RUN_LINE_SQL = f"select {_lines_sql(_RUN_COLUMNS)} from fixity_runs where id = ?"


def now() -> str:
    """The time in UTC to the microsecond, as the history records it."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def has_runs(conn: sqlite3.Connection) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = 'fixity_runs'").fetchone() \
        is not None


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Add what runs need to a catalogue written before them: the table, ``fixity_events.run_id`` and
    the indexes (additive: nothing that was there changes). Nothing is done, and no transaction is
    ended, when they are there."""
    if has_runs(conn):
        return
    columns = {row[1] for row in conn.execute("pragma table_info(fixity_events)")}
    if "run_id" not in columns:
        conn.execute("alter table fixity_events add column run_id INTEGER REFERENCES fixity_runs(id)")
    for statement in RUNS_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def run_sha256(conn: sqlite3.Connection, run_id: int) -> str:
    """SHA-256 of the run's line (``RUN_LINE_SQL``), followed by a line feed."""
    digest = hashlib.sha256()
    for (line,) in conn.execute(RUN_LINE_SQL, (run_id,)):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def sql_quote(value: str | int | None) -> str:
    """A value as SQLite's ``quote()`` writes it (for the kinds of value events hold)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


class Tally:
    """A run's events — how many, the SHA-256 of their lines (each as ``EVENT_LINES_SQL`` writes it,
    followed by a line feed), each file's worst outcome — kept as they are written, so that ending a
    run of many events reads none of them back. Events are added in the order of their ids."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.events = 0
        self.first: int | None = None  # the ids of the first and the last event
        self.last: int | None = None
        self.worst: dict[str, int] = {}

    def add(self, values: tuple[str | int | None, ...]) -> None:
        """One event's values, in the order of the table's columns (id first)."""
        line = ",".join(map(sql_quote, values)) + "\n"
        self.add_line(values[0], line, values[_PATH], values[_OUTCOME])  # type: ignore[arg-type]

    def add_line(self, event_id: int, line: str, path: str, outcome: str) -> None:
        """One event as its id and line (with its line feed), and the file and outcome it records."""
        self.add_lines(event_id, event_id, line, [(path, outcome)])

    def add_lines(self, first: int, last: int, lines: str, outcomes: Iterable[tuple[str, str]]) -> None:
        """Events ``first`` to ``last`` as their lines, joined, and the (file, outcome) of each."""
        self.digest.update(lines.encode("utf-8"))
        self.events += last - first + 1
        if self.first is None:
            self.first = first
        self.last = last
        worst, rank = self.worst, _RANK
        for path, outcome in outcomes:
            value = rank[outcome]
            if value > worst.get(path, -1):
                worst[path] = value

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(COUNTED, 0)
        for rank in self.worst.values():
            counts[OUTCOMES[rank]] += 1
        return counts


def head(conn: sqlite3.Connection) -> str | None:
    """The digest of the latest finished run: the head of the chain, to keep elsewhere."""
    row = conn.execute("select run_sha256 from fixity_runs where run_sha256 is not null order by id desc limit 1") \
        .fetchone()
    return row[0] if row else None


@dataclass
class Run:
    """A run being recorded; its events have ids from ``first_event`` on."""

    id: int
    started_at: str
    first_event: int


def start(conn: sqlite3.Connection, kind: str, scope: str, algorithms: Iterable[str], agent: str,
          version: str, archive: str | None, selection: str | None = None) -> Run:
    """Begin a run (first closing any run left unfinished, and gathering events recorded before runs).
    ``scope`` says in words which files it checks; ``selection`` says it for a program (JSON)."""
    prepare(conn, agent, version)
    started = now()
    first_event = _next_event(conn)
    cursor = conn.execute(
        "insert into fixity_runs (kind, status, started_at, agent, software_version, archive, scope, selection, "
        "algorithms, first_event) values (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, started, agent, version, archive, scope, selection, " ".join(algorithms), first_event))
    assert cursor.lastrowid is not None
    return Run(cursor.lastrowid, started, first_event)


def _next_event(conn: sqlite3.Connection) -> int:
    return conn.execute("select coalesce(max(id), 0) + 1 from fixity_events").fetchone()[0]


def prepare(conn: sqlite3.Connection, agent: str, version: str) -> None:
    """Bring the history up to date before a new run: the schema, earlier events, unfinished runs."""
    ensure_schema(conn)
    close_unfinished(conn, agent, version)


def tally_of(conn: sqlite3.Connection, run_id: int, first_event: int = 0) -> Tally:
    """The tally of a run's events read from the table (its events have ids from ``first_event`` on:
    a run holds the catalogue's lock, so its events are written one after the other)."""
    tally = Tally()
    columns = ", ".join(f'"{column}"' for column in _EVENT_COLUMNS)
    for row in conn.execute(f"select {columns} from fixity_events where id >= ? and run_id = ? order by id",
                            (first_event, run_id)):
        tally.add(row)
    return tally


def finish(conn: sqlite3.Connection, run_id: int, status: str = "complete", finished_at: str | None = None,
           tally: Tally | None = None, first_event: int = 0) -> str:
    """End a run: its counts, its events' digest and its place in the chain; returns its digest (the
    new head of the chain). ``tally``: the events as they were written (else they are read back, from
    the id ``first_event`` on)."""
    tally = tally or tally_of(conn, run_id, first_event)
    counts = tally.counts()
    previous = conn.execute("select run_sha256 from fixity_runs where id < ? order by id desc limit 1",
                            (run_id,)).fetchone()
    conn.execute(
        "update fixity_runs set status = ?, finished_at = ?, files = ?, new = ?, intact = ?, changed = ?, "
        "missing = ?, unrecorded = ?, error = ?, events = ?, first_event = ?, last_event = ?, events_sha256 = ?, "
        "previous_run_sha256 = ? where id = ?",
        (status, finished_at or now(), sum(counts.values()), *(counts[c] for c in COUNTED), tally.events,
         tally.first, tally.last, tally.digest.hexdigest(), previous[0] if previous else None, run_id))
    digest = run_sha256(conn, run_id)
    conn.execute("update fixity_runs set run_sha256 = ? where id = ?", (digest, run_id))
    return digest


def close_unfinished(conn: sqlite3.Connection, agent: str, version: str) -> None:
    """Close what an earlier writer left open, in the order it happened: events recorded outside any
    run (before runs existed, or by a version of provcat that did not keep them) become one
    ``earlier events`` run, and a run still ``running`` (its writer was killed: a run holds the
    catalogue's lock while it runs) is closed as ``interrupted`` at the time of its last event. Only
    the events after the last run's are read (all of them the first time)."""
    for run_id, first in conn.execute("select id, first_event from fixity_runs where status = 'running' "
                                      "order by id").fetchall():
        last = conn.execute("select max(checked_at) from fixity_events where id >= ? and run_id = ?",
                            (first or 0, run_id)).fetchone()[0]
        started = conn.execute("select started_at from fixity_runs where id = ?", (run_id,)).fetchone()[0]
        finish(conn, run_id, "interrupted", last or started, first_event=first or 0)
    after = conn.execute("select coalesce(max(last_event), 0) from fixity_runs").fetchone()[0]
    earliest = conn.execute("select min(checked_at), max(checked_at), min(id) from fixity_events "
                            "where id > ? and run_id is null", (after,)).fetchone()
    if earliest[0] is None:
        return
    cursor = conn.execute(
        "insert into fixity_runs (kind, status, started_at, agent, software_version, scope, algorithms, first_event) "
        "values ('earlier events', 'running', ?, ?, ?, 'the events recorded outside any run', "
        "(select coalesce(group_concat(algorithm, ' '), '') from (select distinct algorithm from fixity_events "
        "where id > ? and run_id is null order by algorithm)), ?)", (earliest[0], agent, version, after, earliest[2]))
    assert cursor.lastrowid is not None
    conn.execute("update fixity_events set run_id = ? where id > ? and run_id is null", (cursor.lastrowid, after))
    finish(conn, cursor.lastrowid, "complete", earliest[1], first_event=earliest[2])


@dataclass(frozen=True)
class Break:
    """Where the chain no longer adds up: the run, and what does not match."""

    run_id: int | None
    problem: str


def runs_in(conn: sqlite3.Connection) -> int:
    return conn.execute("select count(*) from fixity_runs").fetchone()[0] if has_runs(conn) else 0


def check_chain(conn: sqlite3.Connection, kept_head: str | None = None) -> list[Break]:
    """Recompute every run's digests in order; each break found, the first first (empty: intact).
    ``kept_head``, a head digest kept elsewhere, must be the digest of one of the runs: a history
    rewritten or cut from there on, even with every digest recomputed, no longer holds it."""
    breaks: list[Break] = []
    if kept_head is not None and (not has_runs(conn) or conn.execute(
            "select 1 from fixity_runs where run_sha256 = ?", (kept_head.strip().lower(),)).fetchone() is None):
        breaks.append(Break(None, f"the head digest kept elsewhere, {kept_head}, is the digest of none of its runs: "
                                  "the history was cut or rewritten after it"))
    if not has_runs(conn):
        return breaks
    previous: str | None = None
    rows = conn.execute("select id, status, events, events_sha256, previous_run_sha256, run_sha256 "
                        "from fixity_runs order by id").fetchall()
    tallies: dict[int | None, Tally] = {}
    columns = ", ".join(f'"{column}"' for column in _EVENT_COLUMNS)
    for row in conn.execute(f"select {columns} from fixity_events order by id"):  # one pass, in the table's order
        tallies.setdefault(row[1], Tally()).add(row)
    for number, (run_id, status, events, recorded_events, recorded_previous, recorded_run) in enumerate(rows):
        if status == "running":
            if number < len(rows) - 1:
                breaks.append(Break(run_id, "is marked running, but later runs followed it"))
            continue  # the run under way: digested when it ends
        if recorded_previous != previous:
            breaks.append(Break(run_id, f"names {recorded_previous or 'no run'} as the run before it, but the run "
                                        f"before it has the digest {previous or 'none'}: a run was removed, "
                                        "changed or put in between"))
        tally = tallies.get(run_id, Tally())
        if tally.digest.hexdigest() != recorded_events:
            breaks.append(Break(run_id, f"its events do not add up: {tally.events} events now (recorded {events}), "
                                        f"digest {tally.digest.hexdigest()}, recorded {recorded_events}"))
        actual_run = run_sha256(conn, run_id)
        if actual_run != recorded_run:
            breaks.append(Break(run_id, f"its record was changed: digest {actual_run}, recorded {recorded_run}"))
        previous = recorded_run
    known = {row[0] for row in rows}
    orphans = sum(t.events for run_id, t in tallies.items() if run_id not in known)
    if orphans:
        breaks.append(Break(None, f"{orphans} events belong to no run"))
    return breaks
