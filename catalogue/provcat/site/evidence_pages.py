"""The evidence pages: one page for each quote and each entity mention (its permalink), and the
glossary of methods with how many of the catalogue's assertions each one made.

- ``/<database>/-/evidence/quote/<id>`` and ``/<database>/-/evidence/mention/<id>``: the
  assertion's evidence (:mod:`provcat.site.evidence`), linked to its place in the document;
- ``/<database>/-/methods``: every method and step of :mod:`provcat.methods` with its anchor
  (``#method-rule-quote-cue``, ``#step-pronoun``, ``#confidence``), and the methods this
  catalogue's assertions name, counted, each count a link to those rows.

They answer 404 for an assertion or a catalogue that is not there and 403 where Datasette's
permissions close the table.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response

from ..methods import CONFIDENCE_MEANING, METHODS, STEPS, explain
from .access import open_catalogue
from .document_reading import BUILD_SQL, CURATOR_SQL, TEXT_SQL, optional_rows
from .evidence import Build, Links, Made, mention_panel, quote_panel
from .formatting import excerpt
from .highlight import quote_anchor
from .spans import MentionSpan, QuoteSpan
from .urls import DOCUMENTS, document_url, entity_url, evidence_url, methods_url

EVIDENCE_ROUTE = r"^/(?P<database>[^/]+)/-/evidence/(?P<kind>quote|mention)/(?P<id>[0-9]{1,18})$"
METHODS_ROUTE = r"^/(?P<database>[^/]+)/-/methods$"

QUOTE_SQL = """
select q.start, q."end", q.speaker, q.kind, q.method, q.confidence, q.id, q.speaker_entity_id, e.name,
       q.text, q.cue, q.cue_start, q.cue_end, q.document_id
from quotes q left join entities e on e.id = q.speaker_entity_id where q.id = :id
"""
MENTION_SQL = """
select m.start, m."end", m.entity_id, e.name, e.type, m.method, m.confidence, m.id, m.surface, m.document_id
from mentions m left join entities e on e.id = m.entity_id where m.id = :id
"""
TITLE_SQL = "select title, publisher, date, sha256 from documents where id = :id"
#: Characters of a quote a citation gives.
CITED_CHARACTERS = 300
#: What the catalogue's assertions name as their method, and how many each: the table it links to,
#: the column and what the assertions are.
COUNTED = (
    ("quotes", "method", "quotes"),
    ("mentions", "method", "entity mentions"),
    ("documents", "type_method", "document types"),
    ("descriptions", "method", "facts of description"),
)

def read_evidence(conn: sqlite3.Connection, kind: str, assertion_id: int) -> dict[str, Any] | None:
    """A quote's or mention's row, its document's text and title, the build that extracted the
    document and the collection's curator; None when there is no such assertion."""
    try:
        row = conn.execute(QUOTE_SQL if kind == "quote" else MENTION_SQL, {"id": assertion_id}).fetchone()
    except sqlite3.OperationalError:
        return None
    if row is None:
        return None
    values = tuple(row)
    document_id = values[-1]
    span: QuoteSpan | MentionSpan = QuoteSpan(*values[:-1]) if kind == "quote" else MentionSpan(*values[:-1])
    text_row = conn.execute(TEXT_SQL, {"id": document_id}).fetchone()
    title_row = conn.execute(TITLE_SQL, {"id": document_id}).fetchone()
    builds, curators = optional_rows(conn, BUILD_SQL, document_id), optional_rows(conn, CURATOR_SQL, document_id)
    return {"span": span, "document_id": document_id, "text": str(text_row[0] or "") if text_row else "",
            "title": title_row[0] if title_row else None,
            "publisher": title_row[1] if title_row else None, "date": title_row[2] if title_row else None,
            "sha256": title_row[3] if title_row else None,
            "build": Build.from_row(builds[0]) if builds else None, "curator": curators[0][0] if curators else None}


async def evidence_page(datasette: Any, request: Any) -> Response:
    """/<database>/-/evidence/<quote|mention>/<id>"""
    kind = request.url_vars["kind"]
    table = "quotes" if kind == "quote" else "mentions"
    db = await open_catalogue(datasette, request, (DOCUMENTS, table))
    assertion_id = int(request.url_vars["id"])
    found = await db.execute_fn(lambda conn: read_evidence(conn, kind, assertion_id))
    if found is None:
        raise NotFound(f"no {kind} {assertion_id} in {db.name}")
    span, document_id = found["span"], found["document_id"]
    build = found["build"]
    made = Made(build, str(datasette.urls.row(db.name, "builds", str(build.id))) if build else None,
                found["curator"], f"documents/{document_id}.yml")
    here = evidence_url(datasette, db.name, kind, assertion_id)
    glossary = methods_url(datasette, db.name)
    if isinstance(span, QuoteSpan):
        speaker = entity_url(datasette, db.name, span.speaker_entity_id) if span.speaker_entity_id else None
        links = Links(glossary, here, document_url(datasette, db.name, document_id, span.id), speaker)
        panel = quote_panel(span, found["text"], span.cue, span.cue_span, made, links)
        heading = f"Quote {assertion_id}"
    else:
        links = Links(glossary, here, document_url(datasette, db.name, document_id),
                      entity_url(datasette, db.name, span.entity_id))
        panel = mention_panel(span, span.surface or "", found["text"], made, links)
        heading = f"Mention of {span.name or span.entity_id}"
    context = {"heading": heading, "panel": panel, "kind": kind, "database": db.name,
               "database_url": str(datasette.urls.database(db.name)),
               "document_title": found["title"] or document_id, "document_url": links.in_place.split("#")[0],
               "in_place": links.in_place, "row_url": str(datasette.urls.row(db.name, table, str(assertion_id))),
               "quote_anchor": quote_anchor(assertion_id) if kind == "quote" else None,
               "permalink": f"{request.scheme}://{request.host}{here}"}
    if isinstance(span, QuoteSpan):
        site_title = datasette.metadata("title")
        context["citation"] = {
            "words": excerpt(span.text or "", CITED_CHARACTERS), "speaker": span.speaker_name or span.speaker,
            "title": found["title"] or document_id, "publisher": found["publisher"], "date": found["date"],
            "site_title": str(site_title) if site_title else None, "document_id": document_id,
            "start": span.start, "end": span.end, "sha256": found["sha256"],
            "accessed": datetime.now(UTC).date().isoformat()}
    return Response.html(await datasette.render_template("provcat_evidence.html", context, request=request))


def _count_sql() -> str:
    return " union all ".join(f"select '{table}', {column}, count(*) from {table} group by {column}"
                              for table, column, _ in COUNTED)


async def methods_page(datasette: Any, request: Any) -> Response:
    """/<database>/-/methods: the glossary, and what this catalogue's assertions use."""
    db = await open_catalogue(datasette, request)
    used: list[dict[str, Any]] = []
    counted = True
    try:
        # the counts on a large catalogue read every assertion: past the server's limit for one query
        # (sql_time_limit_ms; Datasette lets a caller only shorten it) the glossary is shown without them
        rows = (await db.execute(_count_sql())).rows
    except QueryInterrupted:
        rows, counted = [], False
    except sqlite3.Error:
        rows = []
    what = {table: (column, words) for table, column, words in COUNTED}
    for table, method, count in rows:
        column, words = what[table]
        explained = explain(method)
        url = f"{datasette.urls.table(db.name, table)}?{urlencode({column: method or ''})}"
        used.append({"method": method or "", "what": words, "count": count, "url": url,
                     "parts": [p for p in (explained.base, *explained.steps) if p is not None],
                     "known": explained.known})
    used.sort(key=lambda u: (u["what"], -u["count"], u["method"]))
    context = {"methods": list(METHODS.values()), "steps": list(STEPS.values()), "used": used,
               "counted": counted, "confidence_meaning": CONFIDENCE_MEANING, "database": db.name,
               "database_url": str(datasette.urls.database(db.name))}
    return Response.html(await datasette.render_template("provcat_methods.html", context, request=request))


ROUTES = [(EVIDENCE_ROUTE, evidence_page), (METHODS_ROUTE, methods_page)]
