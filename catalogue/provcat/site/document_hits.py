"""A document opened from a search (``/<database>/documents/<id>?q=…``): where the search's words are
in its text, marked on the page (:func:`provcat.site.highlight.highlight`, ``#hit-1``, ``#hit-2``, …)
with the number of matches and links to step from one to the next.

The matches are the ones the full-text index itself finds: FTS5's ``highlight()`` on the document's
row of ``documents_fts``, with the same query as the search page (:mod:`provcat.site.search_syntax`).
So a stemmed index marks the words whose Porter stem is a searched word's stem ("defectors" for
"defector"), a prefix marks every word beginning so, a phrase only where its words follow one
another, and a catalogue built before stemming marks the words as written — always exactly what
the search matched, with no stemmer of provcat's own. Markers unique to the request (private-use
characters around a random token, which no archived text holds) keep the text exact.
"""

from __future__ import annotations

import secrets
import sqlite3
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from datasette.database import QueryInterrupted
from markupsafe import Markup

from .document_reading import document_reading
from .highlight import highlight, hit_anchor
from .search_page import search_url
from .search_syntax import parse
from .sql_functions import MAX_SEARCH_CHARACTERS
from .urls import ENTITIES, document_url, table_url

#: The most matches marked in one document (every match is counted): a common word in a very long
#: transcript would otherwise make the page many times longer than its text.
MAX_MARKED = 1000

HITS_SQL = """
select highlight(documents_fts, 1, :open, :close)
from documents_fts
where documents_fts match :query and rowid = (select rowid from documents where id = :id)
"""


@dataclass(frozen=True)
class DocumentHits:
    """The search's matches in a document's text: ``spans`` (at most :data:`MAX_MARKED`) and how
    many there are in all."""

    typed: str
    text: str
    spans: list[tuple[int, int]]
    total: int


def hit_spans(marked: str, open_marker: str, close_marker: str) -> tuple[str, list[tuple[int, int]]]:
    """The text of ``highlight()``'s output without its markers, and where each marked stretch is in
    it. A marker without its partner is dropped."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    at = length = 0
    start: int | None = None
    while at < len(marked):
        opening = marked.find(open_marker, at)
        closing = marked.find(close_marker, at)
        following = [i for i in (opening, closing) if i >= 0]
        if not following:
            text.append(marked[at:])
            break
        nearest = min(following)
        text.append(marked[at:nearest])
        length += nearest - at
        if nearest == opening:
            start = length
            at = nearest + len(open_marker)
        else:
            if start is not None and start < length:
                spans.append((start, length))
            start = None
            at = nearest + len(close_marker)
    return "".join(text), spans


def markers() -> tuple[str, str]:
    token = secrets.token_hex(8)
    return f"\ue000{token}\ue001", f"\ue001{token}\ue000"


def find_hits(conn: sqlite3.Connection, document_id: str, typed: str) -> DocumentHits | None:
    """The matches of the search ``typed`` in the document's text; None when the search finds
    nothing to look for, or the catalogue has no index of documents."""
    fts = parse(typed[:MAX_SEARCH_CHARACTERS]).fts
    if fts is None:
        return None
    open_marker, close_marker = markers()
    try:
        row = conn.execute(HITS_SQL, {"open": open_marker, "close": close_marker, "query": fts,
                                      "id": document_id}).fetchone()
    except sqlite3.OperationalError as error:
        if error.args == ("interrupted",):
            raise
        return None  # no such index (a catalogue of another kind)
    if row is None or row[0] is None:
        return DocumentHits(typed, "", [], 0)
    text, spans = hit_spans(row[0], open_marker, close_marker)
    return DocumentHits(typed, text, spans[:MAX_MARKED], len(spans))


async def document_hits(datasette: Any, database: str, document_id: str, typed: str) -> DocumentHits | None:
    """:func:`find_hits` under Datasette's SQL time limit; None past it."""
    import datasette.database as datasette_database  # its time limit as provcat's hooks keep it

    db = datasette.get_database(database)
    limit_ms = datasette.setting("sql_time_limit_ms")

    def run(conn: sqlite3.Connection) -> DocumentHits | None:
        with datasette_database.sqlite_timelimit(conn, limit_ms):
            return find_hits(conn, document_id, typed)

    try:
        return await db.execute_fn(run)
    except (QueryInterrupted, sqlite3.OperationalError):
        return None


def outside(spans: list[tuple[int, int]], hidden: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The matches not wholly inside a stretch the reading view hides (``hidden``: in order,
    disjoint): those it can show and step through."""
    starts = [start for start, _ in hidden]
    shown = []
    for start, end in spans:
        at = bisect_right(starts, start) - 1
        if at < 0 or end > hidden[at][1]:
            shown.append((start, end))
    return shown


async def document_hit_vars(datasette: Any, database: str, document_id: str, typed: str | None,
                            view: str = "reading") -> dict[str, Any]:
    """The document page's variables for a search's matches: ``provcat_hits`` (how many, where the
    first and last are, the page without them, how many only the source view shows) and
    ``provcat_hit_text`` (the text with the matches marked, as well as the quotes, mentions and
    cues); nothing when the page was not opened from a search. In the reading view, a match in a
    hidden stretch (a turn's label as written, a timing line) is not marked: it is counted apart."""
    typed = (typed or "").strip()
    if not typed:
        return {}
    reading = await document_reading(datasette, database, document_id)
    if reading is None:
        return {}
    hits = await document_hits(datasette, database, document_id, typed)
    page = document_url(datasette, database, document_id)
    search = {"typed": typed, "clear_url": page, "total": 0, "marked": 0, "in_source": 0,
              "search_url": None, "first": None, "last": None}
    search["search_url"] = f"{search_url(datasette, database)}?{urlencode({'q': typed})}"
    found: dict[str, Any] = {"provcat_hits": search}
    if hits is None or not hits.spans:
        return found
    spans = hits.spans if view == "source" else outside(hits.spans, reading.hidden)
    search.update(total=hits.total, marked=len(spans), in_source=len(hits.spans) - len(spans))
    if not spans:
        return found
    search.update(first=f"#{hit_anchor(1)}", last=f"#{hit_anchor(len(spans))}")
    entities_url = table_url(datasette, database, ENTITIES)
    found["provcat_hit_text"] = Markup(highlight(hits.text, reading.mentions, reading.quotes, entities_url,
                                                 reading.cues, spans, reading.hidden))
    return found
