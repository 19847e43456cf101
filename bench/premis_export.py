"""The cost of ``provcat export premis`` on a long fixity history.

Builds a catalogue of five short documents with provcat, then, with SQL alone, copies its document
rows to ``--documents`` documents and its events to ``--events`` fixity events (one verification
run holding them all), exports it with the command line in a child process and reports the wall
time and the child's peak resident memory; the export is then validated against the PREMIS schema
when ``--validate`` is given (slow: about 4 minutes for 100,000 events).

Usage:  .venv/bin/python bench/premis_export.py --workdir DIR [--documents N] [--events N] [--validate]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

COPY_DOCUMENTS = """
with recursive n(i) as (select 1 union all select i + 1 from n where i < :copies)
insert into documents (id, path, title, title_source, type, type_confidence, type_method, sha256, sha512,
                       size_bytes, media_type, encoding, text, content)
select d.id || '-' || n.i, 'copy-' || n.i || '/' || d.path, d.title, d.title_source, d.type, d.type_confidence,
       d.type_method, d.sha256, d.sha512, d.size_bytes, d.media_type, d.encoding, d.text, d.content
from documents d, n where d.id not like '%-%-%'
"""
COPY_EVENTS = """
with recursive n(i) as (select 1 union all select i + 1 from n where i < :events)
insert into fixity_events (event_type, document_id, path, checked_at, algorithm, expected, actual, outcome, detail,
                           agent, run_id)
select 'fixity check', d.id, d.path, strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now'), 'sha256', d.sha256, d.sha256,
       'intact', null, 'provcat 0.1.0', 2
from n join documents d on d.rowid = 1 + (n.i % :documents)
"""

#: The command line in a process of its own, which reports its CPU time (s) and peak resident memory
#: (KiB) last
EXPORT = """import resource, sys
from provcat.cli import main
try:
    main()
finally:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss, file=sys.stderr)
"""


def prepare(workdir: Path, documents: int, events: int) -> Path:
    """The catalogue (built in a process of its own, so that the export's peak memory is its own)."""
    from provcat.build import build_catalogue

    archive, db = workdir / "archive", workdir / "catalogue.db"
    archive.mkdir(parents=True, exist_ok=True)
    for n in range(5):
        (archive / f"doc-{n}.txt").write_text(f"The council said on day {n} that the bridge would reopen.\n")
    db.unlink(missing_ok=True)
    build_catalogue(archive, workdir / "no-metadata", db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(COPY_DOCUMENTS, {"copies": max(0, documents // 5 - 1)})
        conn.execute("insert into fixity_runs (kind, status, started_at, agent, software_version, scope, algorithms) "
                     "values ('fixity check', 'complete', strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now'), "
                     "'provcat 0.1.0', '0.1.0', 'every file', 'sha256')")
        conn.execute(COPY_EVENTS, {"events": events - 5, "documents": documents})
    conn.close()
    return db


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.workdir, args.documents, args.events)
        return 0
    subprocess.run([sys.executable, __file__, "--prepare", "--workdir", str(args.workdir), "--documents",
                    str(args.documents), "--events", str(args.events)], check=True)
    db = args.workdir / "catalogue.db"
    out = args.workdir / "premis.xml"
    started = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", EXPORT, "export", "premis", str(out), "--db", str(db),
                            "--archive", str(args.workdir / "archive")], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu, peak_kib = child.stderr.split()[-2:]
    peak_mb = int(peak_kib) / 1024
    print(f"{args.documents} documents, {args.events} events: {seconds:.1f} s ({float(cpu):.1f} s CPU), "
          f"peak resident memory {peak_mb:.0f} MB, {out.stat().st_size / 1e6:.0f} MB written")
    if args.validate:
        import xmlschema

        from provcat.export.premis import SCHEMA

        started = time.perf_counter()
        xmlschema.XMLSchema(SCHEMA).validate(xmlschema.XMLResource(str(out), lazy=True))
        print(f"valid against the PREMIS 3.0 schema ({time.perf_counter() - started:.1f} s to validate)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
