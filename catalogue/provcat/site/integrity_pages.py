"""The site's integrity pages: the archive's state, live, on the home page, on its own page and on
every document's page.

The catalogue is served mutable (read-only, but not "immutable"): ``provcat verify`` appends its
run to the file while the site is up, and the next page load shows it; a catalogue a build has
replaced is reopened (:mod:`provcat.site.reopening`). Every figure here is read from the catalogue
at each request (:mod:`provcat.archive_state`); nothing is computed from the stored bytes but the
one document a page shows.
"""

from __future__ import annotations

from typing import Any

from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response

from .. import archive_state

#: The integrity page of a catalogue: /<database>/-/integrity
INTEGRITY_PATH = "/{database}/-/integrity"
INTEGRITY_ROUTE = r"^/(?P<database>[^/]+)/-/integrity$"
#: Files listed as not intact on the home page, and on the integrity page.
HOME_PROBLEMS = 20
PAGE_PROBLEMS = 500
PAGE_RUNS = 50
#: The canned queries the pages link to when the site has them: every stored copy re-hashed, and
#: every document with its last check, oldest first.
STORED_COPIES_QUERY = "integrity"
LAST_CHECKED_QUERY = "last_checked"


def integrity_url(datasette: Any, database: str) -> str:
    return datasette.urls.path(INTEGRITY_PATH.format(database=datasette.get_database(database).route))


# ----------------------------------------------------------------------------------------------
# What the pages show
# ----------------------------------------------------------------------------------------------


def run_view(run: archive_state.RunSummary, datasette: Any, database: str) -> dict[str, Any]:
    return {"run": run, "url": str(datasette.urls.row(database, "fixity_runs", str(run.id))),
            "counts": [(outcome, n) for outcome, n in run.counts.items() if n],
            "colour": "changed" if run.not_intact else ("unknown" if run.status == "running" else "intact")}


def problem_view(problem: archive_state.Problem, datasette: Any, database: str) -> dict[str, Any]:
    """A file not intact, linked to its document's page, or to its row of ``files`` if it is not a document."""
    url = str(datasette.urls.row(database, "documents", problem.document_id)) if problem.document_id else \
        str(datasette.urls.row(database, "files", tilde_encode(problem.path))) if problem.recorded_file else None
    return {"problem": problem, "url": url, "colour": archive_state.STATES.get(problem.outcome, ("", "unknown"))[1]}


async def archive_summary(datasette: Any, database: str, problems_limit: int = HOME_PROBLEMS,
                          runs_limit: int = 0) -> dict[str, Any]:
    """The latest verification, the files it did not find intact, and (``runs_limit``) the latest runs."""
    db = datasette.get_database(database)

    def read(conn: Any) -> tuple[Any, Any, Any]:
        latest = archive_state.latest_verification(conn)
        found = archive_state.problems(conn, latest.id, problems_limit + 1) if latest else []
        return latest, found, archive_state.recent_runs(conn, runs_limit) if runs_limit else []

    latest, found, runs = await db.execute_fn(read)
    queries = await datasette.get_canned_queries(database, None)

    def query_url(name: str) -> str | None:  # only the queries this site's metadata gives
        return str(datasette.urls.query(database, name)) if name in queries else None

    return {
        "latest": run_view(latest, datasette, database) if latest else None,
        "problems": [problem_view(p, datasette, database) for p in found[:problems_limit]],
        "more_problems": len(found) > problems_limit,
        "runs": [run_view(r, datasette, database) for r in runs],
        "page_url": integrity_url(datasette, database),
        "runs_url": str(datasette.urls.table(database, "fixity_runs")),
        "events_url": str(datasette.urls.table(database, "fixity_events")),
        "stored_check_url": query_url(STORED_COPIES_QUERY),
        "last_checked_url": query_url(LAST_CHECKED_QUERY),
        "meanings": archive_state.MEANINGS,
    }


def fixity_view(datasette: Any, database: str, state: archive_state.DocumentFixity) -> dict[str, Any]:
    """What a document's page says of its latest check in the archive (``state``)."""
    run_url = str(datasette.urls.row(database, "fixity_runs", str(state.run_id))) if state.run_id else None
    return {"state": state, "run_url": run_url, "page_url": integrity_url(datasette, database)}


async def document_fixity(datasette: Any, database: str, document_id: str) -> dict[str, Any]:
    """A document's latest check in the archive, read now."""
    db = datasette.get_database(database)
    state = await db.execute_fn(lambda conn: archive_state.document_fixity(conn, document_id))
    return fixity_view(datasette, database, state)


async def integrity_page(datasette: Any, request: Any) -> Response:
    """/<database>/-/integrity: the archive's latest verification, what it found, and the runs."""
    route = request.url_vars["database"]
    try:
        db = datasette.get_database(route=route)
    except KeyError:
        raise NotFound(f"no catalogue {route}") from None
    if not await db.table_exists("documents"):
        raise NotFound(f"{route} is not a catalogue")
    summary = await archive_summary(datasette, db.name, PAGE_PROBLEMS, PAGE_RUNS)
    context = {"integrity": summary, "archive_heading": "The latest verification", "runs": summary["runs"],
               "meanings": summary["meanings"],
               "stored_check_url": summary["stored_check_url"], "database": db.name,
               "database_url": str(datasette.urls.database(db.name))}
    return Response.html(await datasette.render_template("provcat_integrity.html", context, request=request))
