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
    events_sha256 TEXT,
    previous_run_sha256 TEXT,
    run_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS fixity_events_checked ON fixity_events(document_id, event_type, checked_at);
CREATE INDEX IF NOT EXISTS fixity_events_run ON fixity_events(run_id);
"""

#: The outcomes of a file in a run, worst last: a file with several digests counts under its worst.
OUTCOMES = ("new", "intact", "unrecorded", "changed", "missing", "error")
COUNTED = ("new", "intact", "changed", "missing", "unrecorded", "error")

_EVENT_COLUMNS = ("id", "run_id", "event_type", "document_id", "path", "checked_at", "algorithm", "expected",
                  "actual", "outcome", "detail", "agent")
_RUN_COLUMNS = ("id", "kind", "status", "started_at", "finished_at", "agent", "software_version", "archive",
                "scope", "selection", "algorithms", "files", *COUNTED, "events", "events_sha256",
                "previous_run_sha256")


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
    indexes = {row[0] for row in conn.execute("select name from sqlite_master where type = 'index'")}
    if has_runs(conn) and {"fixity_events_checked", "fixity_events_run"} <= indexes:
        return
    columns = {row[1] for row in conn.execute("pragma table_info(fixity_events)")}
    if "run_id" not in columns:
        conn.execute("alter table fixity_events add column run_id INTEGER REFERENCES fixity_runs(id)")
    for statement in RUNS_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def _digest(conn: sqlite3.Connection, sql: str, run_id: int) -> str:
    digest = hashlib.sha256()
    for (line,) in conn.execute(sql, (run_id,)):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def events_sha256(conn: sqlite3.Connection, run_id: int) -> str:
    """SHA-256 of the run's event lines, each followed by a line feed (of nothing for no events)."""
    return _digest(conn, EVENT_LINES_SQL, run_id)


def run_sha256(conn: sqlite3.Connection, run_id: int) -> str:
    """SHA-256 of the run's line, followed by a line feed."""
    return _digest(conn, RUN_LINE_SQL, run_id)


def head(conn: sqlite3.Connection) -> str | None:
    """The digest of the latest finished run: the head of the chain, to keep elsewhere."""
    row = conn.execute("select run_sha256 from fixity_runs where run_sha256 is not null order by id desc limit 1") \
        .fetchone()
    return row[0] if row else None


@dataclass
class Run:
    """A run being recorded."""

    id: int
    started_at: str


def start(conn: sqlite3.Connection, kind: str, scope: str, algorithms: Iterable[str], agent: str,
          version: str, archive: str | None, selection: str | None = None) -> Run:
    """Begin a run (first closing any run left unfinished, and gathering events recorded before runs).
    ``scope`` says in words which files it checks; ``selection`` says it for a program (JSON)."""
    prepare(conn, agent, version)
    started = now()
    cursor = conn.execute(
        "insert into fixity_runs (kind, status, started_at, agent, software_version, archive, scope, selection, "
        "algorithms) values (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
        (kind, started, agent, version, archive, scope, selection, " ".join(algorithms)))
    assert cursor.lastrowid is not None
    return Run(cursor.lastrowid, started)


def prepare(conn: sqlite3.Connection, agent: str, version: str) -> None:
    """Bring the history up to date before a new run: the schema, earlier events, unfinished runs."""
    ensure_schema(conn)
    close_unfinished(conn, agent, version)


def counts_of(outcomes: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Files per outcome from (path, outcome) pairs: a file with several digests counts under its worst."""
    rank = {outcome: i for i, outcome in enumerate(OUTCOMES)}
    worst: dict[str, int] = {}
    for path, outcome in outcomes:
        worst[path] = max(worst.get(path, 0), rank[outcome])
    counts = dict.fromkeys(COUNTED, 0)
    for value in worst.values():
        counts[OUTCOMES[value]] += 1
    return counts


def finish(conn: sqlite3.Connection, run_id: int, status: str = "complete", finished_at: str | None = None) -> str:
    """End a run: its counts, its events' digest and its place in the chain; returns its digest (the
    new head of the chain)."""
    counts = counts_of(conn.execute("select path, outcome from fixity_events where run_id = ?", (run_id,)))
    events = conn.execute("select count(*) from fixity_events where run_id = ?", (run_id,)).fetchone()[0]
    previous = conn.execute("select run_sha256 from fixity_runs where id < ? order by id desc limit 1",
                            (run_id,)).fetchone()
    conn.execute(
        "update fixity_runs set status = ?, finished_at = ?, files = ?, new = ?, intact = ?, changed = ?, "
        "missing = ?, unrecorded = ?, error = ?, events = ?, events_sha256 = ?, previous_run_sha256 = ? where id = ?",
        (status, finished_at or now(), sum(counts.values()), *(counts[c] for c in COUNTED), events,
         events_sha256(conn, run_id), previous[0] if previous else None, run_id))
    digest = run_sha256(conn, run_id)
    conn.execute("update fixity_runs set run_sha256 = ? where id = ?", (digest, run_id))
    return digest


def close_unfinished(conn: sqlite3.Connection, agent: str, version: str) -> None:
    """Close what an earlier writer left open, in the order it happened: events recorded before
    runs existed become one ``earlier events`` run, and a run still ``running`` (its writer was
    killed: a run holds the catalogue's lock while it runs) is closed as ``interrupted`` at the time
    of its last event."""
    earliest = conn.execute("select min(checked_at), max(checked_at) from fixity_events where run_id is null") \
        .fetchone()
    if earliest[0] is not None:
        cursor = conn.execute(
            "insert into fixity_runs (kind, status, started_at, agent, software_version, scope, algorithms) "
            "values ('earlier events', 'running', ?, ?, ?, 'the events recorded before runs were kept', "
            "(select coalesce(group_concat(algorithm, ' '), '') from "
            "(select distinct algorithm from fixity_events where run_id is null order by algorithm)))",
            (earliest[0], agent, version))
        conn.execute("update fixity_events set run_id = ? where run_id is null", (cursor.lastrowid,))
        assert cursor.lastrowid is not None
        finish(conn, cursor.lastrowid, "complete", earliest[1])
    for (run_id,) in conn.execute("select id from fixity_runs where status = 'running' order by id").fetchall():
        last = conn.execute("select max(checked_at) from fixity_events where run_id = ?", (run_id,)).fetchone()[0]
        started = conn.execute("select started_at from fixity_runs where id = ?", (run_id,)).fetchone()[0]
        finish(conn, run_id, "interrupted", last or started)


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
    for number, (run_id, status, events, recorded_events, recorded_previous, recorded_run) in enumerate(rows):
        if status == "running":
            if number < len(rows) - 1:
                breaks.append(Break(run_id, "is marked running, but later runs followed it"))
            continue  # the run under way: digested when it ends
        if recorded_previous != previous:
            breaks.append(Break(run_id, f"names {recorded_previous or 'no run'} as the run before it, but the run "
                                        f"before it has the digest {previous or 'none'}: a run was removed, "
                                        "changed or put in between"))
        found = conn.execute("select count(*) from fixity_events where run_id = ?", (run_id,)).fetchone()[0]
        actual_events = events_sha256(conn, run_id)
        if actual_events != recorded_events:
            breaks.append(Break(run_id, f"its events do not add up: {found} events now (recorded {events}), digest "
                                        f"{actual_events}, recorded {recorded_events}"))
        actual_run = run_sha256(conn, run_id)
        if actual_run != recorded_run:
            breaks.append(Break(run_id, f"its record was changed: digest {actual_run}, recorded {recorded_run}"))
        previous = recorded_run
    orphans = conn.execute("select count(*) from fixity_events where run_id is null or run_id not in "
                           "(select id from fixity_runs)").fetchone()[0]
    if orphans:
        breaks.append(Break(None, f"{orphans} events belong to no run"))
    return breaks
