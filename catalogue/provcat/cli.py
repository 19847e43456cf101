"""The command line: a thin adapter that parses options, calls the library and reports in one line.

Exit codes: 0 success; 1 verification found a file that is not intact (or a bag that is not
valid); 2 an input or the catalogue has a problem (the message names the file); 3 an internal error
(a bug: one line, the traceback only with PROVCAT_DEBUG=1).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import ProvcatError, printable

EXIT_NOT_INTACT = 1
EXIT_PROBLEM = 2
EXIT_INTERNAL = 3
EXIT_STOPPED = 130  # stopped by Ctrl+C or SIGTERM, as shells report it


class ProvcatGroup(click.Group):
    """Turns every error into a one-line message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProvcatError as exc:
            click.echo(f"provcat: error: {printable(str(exc))}", err=True)
            sys.exit(EXIT_PROBLEM)
        except OSError as exc:
            where = getattr(exc, "filename", None)
            message = f"{f'{where}: ' if where else ''}{exc.strerror or exc}"
            click.echo(f"provcat: error: {printable(message)}", err=True)
            sys.exit(EXIT_PROBLEM)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line, the traceback only on request
            if os.environ.get("PROVCAT_DEBUG"):
                raise
            message = printable(" ".join(str(exc).split()) or type(exc).__name__)
            click.echo(f"provcat: internal error: {type(exc).__name__}: {message} "
                       "(set PROVCAT_DEBUG=1 to see the traceback)", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=ProvcatGroup)
@click.version_option(__version__, prog_name="provcat")
def main() -> None:
    """provcat: an archival provenance catalogue of articles and transcripts."""


archive_argument = click.argument("archive", default="seeds", type=click.Path(path_type=Path))
db_option = click.option("--db", default="catalogue.db", show_default=True, type=click.Path(path_type=Path),
                         help="the catalogue database")
metadata_option = click.option("--metadata", default="metadata", show_default=True,
                               type=click.Path(path_type=Path), help="folder of curated metadata")
wait_option = click.option("--wait", is_flag=True,
                           help="if another build or verification is writing the catalogue, wait for it to finish "
                                "(default: stop with a message naming it)")


def warn(message: str) -> None:
    """A warning on standard error, on one line whatever the file names in it."""
    click.echo(f"provcat: warning: {printable(message)}", err=True)


def run_build(archive: Path, metadata: Path, db: Path, as_json: bool = False, wait: bool = False) -> int:
    from .build import build_catalogue
    from .progress import Progress

    with Progress("building", "files", enabled=not as_json) as progress:
        report = build_catalogue(archive, metadata, db, progress if progress.enabled else None, wait, warn)
    for path, problem in report.warnings:
        warn(f"{path}: {problem}")
    if as_json:
        click.echo(json.dumps({
            "db": str(report.db), "files": report.files, "documents": report.documents,
            "unidentified": report.unidentified, "extracted": report.extracted,
            "reused": report.reused, "quotes": report.quotes, "manifest_sha256": report.manifest_sha256,
            "fixity_run": report.fixity_run, "head": report.head,
            "warnings": [{"file": p, "problem": w} for p, w in report.warnings],
        }, indent=2))
    else:
        unidentified = f", {report.unidentified} of unidentified format" if report.unidentified else ""
        click.echo(f"catalogued {report.files} files into {db}: {report.documents} documents "
                   f"({report.extracted} extracted, {report.reused} unchanged){unidentified}; "
                   f"manifest sha256 {report.manifest_sha256}; recorded as run {report.fixity_run}, head of "
                   f"the fixity history: {report.head}")
    return 0


@main.command()
@archive_argument
@metadata_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="print a JSON report for scripts")
@wait_option
def build(archive: Path, metadata: Path, db: Path, as_json: bool, wait: bool) -> None:
    """Catalogue every file of ARCHIVE (default: seeds) and read its documents."""
    sys.exit(run_build(archive, metadata, db, as_json, wait))


def run_verify(archive: Path, db: Path, as_json: bool = False, all_digests: bool = False,
               jobs: int | None = None, wait: bool = False, oldest: int | None = None,
               not_checked_for: str | None = None, resume: bool = False) -> int:
    import signal
    import threading

    from .archive import require_folder
    from .fixity import ALGORITHMS, capped_jobs
    from .progress import Progress
    from .verify import FixityLog, Selection, all_intact, check_archive, report_line, resumed, since, summary

    require_folder(archive)
    if sum(x is not None and x is not False for x in (oldest, not_checked_for, resume)) > 1:
        raise click.UsageError("give at most one of --oldest, --not-checked-for and --resume")
    algorithms = ALGORITHMS if all_digests else ("sha256",)
    jobs, capped = capped_jobs(jobs)
    if capped:
        warn(capped)
    log = FixityLog(db, wait, warn, algorithms, archive.resolve().name)
    in_main = threading.current_thread() is threading.main_thread()  # only there can a handler be set
    # stopped by SIGTERM as by Ctrl+C: the run is ended as interrupted, nothing checked is lost
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if in_main else None
    try:
        with log:
            assert log.conn is not None
            selection = resumed(log.conn) if resume else Selection(oldest, since(not_checked_for))
            log.begin(selection.scope(), selection.as_json())
            with Progress("verifying", "files", enabled=not as_json) as progress:
                checks = check_archive(archive, db, algorithms, jobs, log, selection.paths(log.conn), progress)
    except KeyboardInterrupt:
        if log.run is None:
            raise
        click.echo(f"provcat: verification stopped: what was checked is recorded in run {log.run.id} (interrupted); "
                   "'provcat verify --resume' checks the rest", err=True)
        return EXIT_STOPPED
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    counts = summary(checks)
    assert log.run is not None
    run = {"id": log.run.id, "scope": selection.scope(), "head": log.head}
    # a slice with nothing to check is a success; an archive with nothing in it is not
    intact = all_intact(checks) or (not checks and not selection.everything)
    if as_json:
        click.echo(json.dumps({"intact": intact, "summary": counts, "run": run,
                               "checks": [c.as_dict() for c in checks]}, indent=2))
    else:
        lines = [printable(report_line(c)) for c in checks]
        total = len({c.path for c in checks})
        lines.append(f"{total} files checked: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        lines.append(f"recorded as run {log.run.id} ({selection.scope()}); head of the fixity history: {log.head}")
        click.echo("\n".join(lines))
    return 0 if intact else EXIT_NOT_INTACT


def run_check_history(db: Path, head: str | None = None, as_json: bool = False) -> int:
    """Recompute the fixity history's chain of digests; exit 0 when every run adds up."""
    import sqlite3

    from .history import check_chain, runs_in
    from .history import head as head_of
    from .ownership import require_catalogue

    require_catalogue(db)
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        breaks = check_chain(conn, head)
        runs, latest = runs_in(conn), head_of(conn)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps({"intact": not breaks, "runs": runs, "head": latest,
                               "breaks": [{"run": b.run_id, "problem": b.problem} for b in breaks]}, indent=2))
    else:
        for b in breaks:
            click.echo(f"broken     {'run ' + str(b.run_id) if b.run_id is not None else 'history'}  {b.problem}")
        if breaks:
            first = next((b.run_id for b in breaks if b.run_id is not None), None)
            click.echo(f"the fixity history of {runs} runs does not add up: {len(breaks)} problem"
                       f"{'s' if len(breaks) > 1 else ''}" + (f", the first at run {first}" if first else ""))
        else:
            click.echo(f"the fixity history of {runs} runs adds up; head {latest}")
    return 0 if not breaks else EXIT_NOT_INTACT


@main.command()
@archive_argument
@db_option
@click.option("--json", "as_json", is_flag=True, help="print the checks as JSON")
@click.option("--all-digests", is_flag=True, help="check SHA-512 as well as SHA-256")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="processes hashing the files (at most 4 per core)  [default: one per core]")
@wait_option
@click.option("--oldest", type=click.IntRange(min=0), default=None, metavar="N",
              help="check only the N files checked longest ago (never checked first)")
@click.option("--not-checked-for", metavar="AGE",
              help="check only the files not checked for AGE: 30d, 12h, 2w, 45m")
@click.option("--resume", is_flag=True, help="check what the latest, interrupted verification did not")
@click.option("--history", is_flag=True, help="check the fixity history's chain of digests instead of the files")
@click.option("--head", metavar="DIGEST", help="with --history: a head digest kept elsewhere, which must be in it")
def verify(archive: Path, db: Path, as_json: bool, all_digests: bool, jobs: int | None, wait: bool,
           oldest: int | None, not_checked_for: str | None, resume: bool, history: bool, head: str | None) -> None:
    """Re-hash ARCHIVE and compare with the catalogue; exit 0 only when every file is intact.

    Every verification is recorded as a run of the fixity history; --history checks that history
    instead (exit 0 when every run adds up)."""
    if history:
        sys.exit(run_check_history(db, head, as_json))
    if head:
        raise click.UsageError("--head goes with --history")
    sys.exit(run_verify(archive, db, as_json, all_digests, jobs, wait, oldest, not_checked_for, resume))


@main.command()
@db_option
@metadata_option
@click.option("--archive", default="seeds", show_default=True, type=click.Path(path_type=Path),
              help="archive to build from when the catalogue is missing")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(db: Path, metadata: Path, archive: Path, host: str, port: int) -> None:
    """Publish the catalogue read-only in Datasette (builds it first if it is missing)."""
    from .publish import serve as run_server

    if not db.exists():
        run_build(archive, metadata, db)
    sys.exit(run_server(db, metadata, host=host, port=port))


@main.group()
def export() -> None:
    """Export the catalogue for outside tools: a BagIt bag, a W3C PROV document or PREMIS."""


def run_export_bag(out_dir: Path, db: Path, archive: Path, metadata: Path) -> int:
    from .export.bag import export_bag

    bag = export_bag(db, out_dir, archive, metadata)
    click.echo(f"wrote a BagIt 1.0 bag of {archive} to {bag}; validate it with: bagit.py --validate {bag}")
    return 0


@export.command("bag")
@click.argument("out_dir", type=click.Path(path_type=Path))
@db_option
@click.option("--archive", default="seeds", show_default=True, type=click.Path(path_type=Path),
              help="the archive folder the files are copied from")
@metadata_option
def export_bag_command(out_dir: Path, db: Path, archive: Path, metadata: Path) -> None:
    """Write a BagIt 1.0 bag (every archived file, curated metadata, catalogue) into OUT_DIR (new or empty)."""
    sys.exit(run_export_bag(out_dir, db, archive, metadata))


def run_export_prov(out_file: Path, db: Path, archive: Path, metadata: Path) -> int:
    from .export.prov import export_prov

    export_prov(db, out_file, {"archive": archive, "metadata folder": metadata})
    click.echo(f"wrote the W3C PROV-JSON provenance of {db} to {out_file}")
    return 0


@export.command("prov")
@click.argument("out_file", type=click.Path(path_type=Path))
@db_option
@click.option("--archive", default="seeds", show_default=True, type=click.Path(path_type=Path),
              help="the archive folder (nothing is written inside it)")
@metadata_option
def export_prov_command(out_file: Path, db: Path, archive: Path, metadata: Path) -> None:
    """Write the provenance of the catalogue as W3C PROV-JSON to OUT_FILE (a new file, or a previous
    provenance export, outside the archive and the metadata folder)."""
    sys.exit(run_export_prov(out_file, db, archive, metadata))


def run_export_premis(out_file: Path, db: Path, archive: Path, metadata: Path) -> int:
    from .export.premis import export_premis

    written = export_premis(db, out_file, {"archive": archive, "metadata folder": metadata})
    click.echo(f"wrote the PREMIS 3.0 fixity history of {printable(str(db))} to {printable(str(out_file))}: "
               f"{written.objects} objects, {written.events} events, {written.agents} agents")
    return 0


@export.command("premis")
@click.argument("out_file", type=click.Path(path_type=Path))
@db_option
@click.option("--archive", default="seeds", show_default=True, type=click.Path(path_type=Path),
              help="the archive folder (nothing is written inside it)")
@metadata_option
def export_premis_command(out_file: Path, db: Path, archive: Path, metadata: Path) -> None:
    """Write the fixity history of the catalogue as PREMIS 3.0 XML to OUT_FILE (a new file, or a
    previous PREMIS export, outside the archive and the metadata folder)."""
    sys.exit(run_export_premis(out_file, db, archive, metadata))


def run_check_bag(bag: Path, as_json: bool = False) -> int:
    """Exit 0: valid; 4: valid, with warnings (2 and 3 are taken by input and internal errors); 1: invalid."""
    from .errors import printable
    from .export.bagcheck import check_bag_report

    report = check_bag_report(bag)
    problems, warnings = report.problems, report.warnings
    if as_json:
        click.echo(json.dumps({"valid": not problems, "version": report.version,
                               "problems": [p.as_dict() for p in problems],
                               "warnings": [w.as_dict() for w in warnings]}, indent=2))
    else:
        shown = printable(str(bag))  # a name from the bag can neither split a line nor reach the terminal
        for level, found in (("invalid", problems), ("warning", warnings)):
            for p in found:
                click.echo(f"{level}    {printable(p.path) or shown}  {printable(p.problem)}")
        counted = [f"{len(found)} {noun}{'s' if len(found) > 1 else ''}"
                   for noun, found in (("problem", problems), ("warning", warnings)) if found]
        if problems:
            click.echo(f"{shown} is invalid: {' and '.join(counted)}")
        else:
            click.echo(f"{shown} is valid, with {counted[0]}" if warnings else f"{shown} is valid")
    if problems:
        return EXIT_NOT_INTACT
    return 4 if warnings else 0


@export.command("check-bag")
@click.argument("bag", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the problems and warnings as JSON")
def check_bag_command(bag: Path, as_json: bool) -> None:
    """Validate a bag of BagIt 0.93 to 1.0 in full, naming every file that fails. Exit 0 when it is
    valid, 4 when it is valid with warnings, 1 when it is not valid."""
    sys.exit(run_check_bag(bag, as_json))


@main.command()
def schema() -> None:
    """Print the JSON Schema of the curated metadata files."""
    from .curation import json_schemas

    click.echo(json.dumps(json_schemas(), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
