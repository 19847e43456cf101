"""The Datasette plugin: SQL functions for fixity and search, and the reading view of a document.

* ``sha256_hex(value)`` / ``sha512_hex(value)``: lowercase hex digest of a BLOB (TEXT is hashed as its
  UTF-8 bytes; NULL gives NULL), so integrity can be checked in SQL:
  ``select id from documents where sha256_hex(content) != sha256``.
* ``fts_escape(query)``: turns what an archivist types into a safe FTS5 query (every word quoted,
  all words required), so punctuation in a search box never becomes an SQL error.
* On a document's row page the ``text`` column shows the document with its quotes (``<mark>``, with
  speaker, method and confidence on hover) and entity mentions (links to the entity's row page).
  Every character of the document is HTML-escaped: a document may contain markup, it never runs.
* The ``content`` column (the exact archived bytes) is shown as its size and a download link.
* A document's row page shows its integrity state: the stored bytes re-hashed against the recorded
  SHA-256, and the latest fixity event recorded for the document (``extra_template_vars``).

Datasette 0.65 does not pass the request to ``render_cell``; an ASGI wrapper records the request
path in a context variable so the plugin knows whether it is rendering a row page.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import escape_fts, tilde_encode
from markupsafe import Markup, escape

DOCUMENTS = "documents"

_request_path: ContextVar[str | None] = ContextVar("provcat_request_path", default=None)

# ----------------------------------------------------------------------------------------------
# SQL functions
# ----------------------------------------------------------------------------------------------


def _as_bytes(value: bytes | str | memoryview) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def sha256_hex(value: bytes | str | memoryview | None) -> str | None:
    """Lowercase hex SHA-256 of a BLOB (or of the UTF-8 bytes of a TEXT); None for NULL."""
    return None if value is None else hashlib.sha256(_as_bytes(value)).hexdigest()


def sha512_hex(value: bytes | str | memoryview | None) -> str | None:
    """Lowercase hex SHA-512 of a BLOB (or of the UTF-8 bytes of a TEXT); None for NULL."""
    return None if value is None else hashlib.sha512(_as_bytes(value)).hexdigest()


def fts_escape(query: str | None) -> str:
    """An FTS5 query that finds rows containing every word of ``query`` (phrases in double quotes
    kept). An empty query becomes the empty phrase, which matches nothing instead of failing."""
    return escape_fts(str(query or "")) or '""'


def register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("sha256_hex", 1, sha256_hex, deterministic=True)
    conn.create_function("sha512_hex", 1, sha512_hex, deterministic=True)
    conn.create_function("fts_escape", 1, fts_escape, deterministic=True)


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    register_functions(conn)


# ----------------------------------------------------------------------------------------------
# Highlighting (pure)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MentionSpan:
    """An entity mention: text[start:end] names the entity."""

    start: int
    end: int
    entity_id: str
    name: str | None = None
    entity_type: str | None = None
    method: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class QuoteSpan:
    """A quote or transcript turn: text[start:end] is credited to the speaker."""

    start: int
    end: int
    speaker: str | None = None
    kind: str = "direct"
    method: str = ""
    confidence: float | None = None


QUOTE_STYLES = {
    "direct": "background:#fff1a8",
    "indirect": "background:#ffe0c2",
    "turn": "background:#e3ecfb",
}
MENTION_STYLE = "font-weight:600"
TEXT_STYLE = "white-space:pre-wrap;max-width:48em;line-height:1.5"


def _confidence(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def quote_title(quote: QuoteSpan) -> str:
    speaker = quote.speaker or "unattributed"
    return (f"{quote.kind} quote · speaker: {speaker} · method: {quote.method or 'unknown'}"
            f" · confidence: {_confidence(quote.confidence)}")


def mention_title(mention: MentionSpan) -> str:
    what = mention.name or mention.entity_id
    if mention.entity_type:
        what = f"{what} ({mention.entity_type})"
    return f"{what} · method: {mention.method or 'unknown'} · confidence: {_confidence(mention.confidence)}"


@dataclass(frozen=True)
class _Element:
    """One span laid over the text, with the tags that open and close it."""

    start: int
    end: int
    order: int  # position in the input: keeps the layout stable and deterministic
    is_quote: bool
    opening: Markup
    closing: Markup

    @property
    def rank(self) -> tuple[int, int, int]:
        """Outer spans first: earlier start, then longer, then input order."""
        return (self.start, -self.end, self.order)


def _quote_element(quote: QuoteSpan, order: int, start: int, end: int) -> _Element:
    kind = quote.kind if quote.kind in QUOTE_STYLES else "direct"
    opening = Markup('<mark class="provcat-quote provcat-quote-{}" style="{}" title="{}">').format(
        kind, QUOTE_STYLES[kind], quote_title(quote))
    return _Element(start, end, order, True, opening, Markup("</mark>"))


def _mention_element(mention: MentionSpan, order: int, start: int, end: int, entities_url: str) -> _Element:
    href = f"{entities_url}/{tilde_encode(mention.entity_id)}"
    opening = Markup('<a class="provcat-mention" style="{}" href="{}" title="{}">').format(
        MENTION_STYLE, href, mention_title(mention))
    return _Element(start, end, order, False, opening, Markup("</a>"))


def _clip(start: int, end: int, length: int) -> tuple[int, int]:
    return max(0, min(start, length)), max(0, min(end, length))


def layout(text_length: int, mentions: Sequence[MentionSpan], quotes: Sequence[QuoteSpan],
           entities_url: str) -> list[_Element]:
    """The spans that can be drawn: clipped to the text, empty and reversed spans dropped."""
    elements: list[_Element] = []
    for order, quote in enumerate(quotes):
        start, end = _clip(quote.start, quote.end, text_length)
        if start < end:
            elements.append(_quote_element(quote, order, start, end))
    for order, mention in enumerate(mentions, start=len(quotes)):
        start, end = _clip(mention.start, mention.end, text_length)
        if start < end:
            elements.append(_mention_element(mention, order, start, end, entities_url))
    return elements


def _wanted(active: Iterable[_Element]) -> list[_Element]:
    """What should be open over a stretch of text: every quote (outer first), then one mention
    inside them (links cannot nest, so overlapping mentions take turns)."""
    quotes = sorted((e for e in active if e.is_quote), key=lambda e: e.rank)
    mentions = sorted((e for e in active if not e.is_quote), key=lambda e: e.rank)
    return quotes + mentions[:1]


def _common_prefix(a: list[_Element], b: list[_Element]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] is b[n]:
        n += 1
    return n


def highlight(text: str, mentions: Sequence[MentionSpan], quotes: Sequence[QuoteSpan],
              entities_url: str) -> Markup:
    """The document text as escaped HTML with quotes marked and mentions linked.

    Spans may overlap or cross: the text is cut at every span boundary and the tags are closed and
    reopened as needed, so the HTML is always well nested. ``entities_url`` is the URL of the
    entities table; a mention links to ``<entities_url>/<tilde-encoded entity id>``.
    """
    elements = layout(len(text), mentions, quotes, entities_url)
    cuts = sorted({0, len(text)} | {e.start for e in elements} | {e.end for e in elements})
    starting: dict[int, list[_Element]] = defaultdict(list)
    for element in elements:
        starting[element.start].append(element)
    active: dict[int, _Element] = {}
    out: list[str] = []
    stack: list[_Element] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = {k: e for k, e in active.items() if e.end > a}
        active.update((e.order, e) for e in starting[a])
        wanted = _wanted(active.values())
        keep = _common_prefix(stack, wanted)
        out.extend(e.closing for e in reversed(stack[keep:]))
        out.extend(e.opening for e in wanted[keep:])
        out.append(escape(text[a:b]))
        stack = wanted
    out.extend(e.closing for e in reversed(stack))
    return Markup('<div class="provcat-text" style="{}">{}</div>').format(TEXT_STYLE, Markup("").join(out))


def content_summary(size: int, download_url: str) -> Markup:
    """What the content BLOB shows instead of its bytes."""
    unit = "byte" if size == 1 else "bytes"
    return Markup(
        '<a class="blob-download" href="{}">{:,} {}</a> '
        '<span class="provcat-note">the exact bytes as archived, hashed for fixity '
        "(sha256, sha512); read them in the text column</span>"
    ).format(download_url, size, unit)


# ----------------------------------------------------------------------------------------------
# Datasette hooks
# ----------------------------------------------------------------------------------------------


def is_row_page(path: str | None, table_url: str) -> bool:
    """Whether a request path is the HTML row page of a row of the table at ``table_url``."""
    if not path or not path.startswith(table_url + "/"):
        return False
    rest = path[len(table_url) + 1:]
    return bool(rest) and "/" not in rest and not rest.endswith((".json", ".csv", ".blob"))


MENTIONS_SQL = """
select m.start, m."end", m.entity_id, e.name, e.type, m.method, m.confidence
from mentions m left join entities e on e.id = m.entity_id
where m.document_id = :id order by m.start, m."end" desc
"""

QUOTES_SQL = """
select start, "end", speaker, kind, method, confidence
from quotes where document_id = :id order by start, "end" desc
"""


async def document_spans(db: Any, document_id: str) -> tuple[list[MentionSpan], list[QuoteSpan]]:
    """The mentions and quotes of one document, read from a Datasette database."""
    mentions = await db.execute(MENTIONS_SQL, {"id": document_id})
    quotes = await db.execute(QUOTES_SQL, {"id": document_id})
    return ([MentionSpan(*tuple(r)) for r in mentions.rows], [QuoteSpan(*tuple(r)) for r in quotes.rows])


def _row_id(row: Any) -> str | None:
    try:
        value = row["id"]
    except (IndexError, KeyError, TypeError):
        return None
    return None if value is None else str(value)


def _render_text(text: str, document_id: str, database: str, datasette: Any) -> Callable[[], Awaitable[Any]]:
    async def inner() -> Markup | None:
        try:
            mentions, quotes = await document_spans(datasette.get_database(database), document_id)
        except (sqlite3.Error, QueryInterrupted):
            return None  # not a provcat catalogue, or too slow: Datasette renders the plain text
        return highlight(text, mentions, quotes, datasette.urls.table(database, "entities"))

    return inner


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | Callable[[], Awaitable[Any]] | None:
    if table != DOCUMENTS:
        return None
    document_id = _row_id(row)
    if document_id is None:
        return None
    if column == "content" and isinstance(value, bytes):
        url = datasette.urls.row_blob(database, table, tilde_encode(document_id), column)
        return content_summary(len(value), url)
    on_row_page = is_row_page(_request_path.get(), datasette.urls.table(database, table))
    if column == "text" and isinstance(value, str) and on_row_page:
        return _render_text(value, document_id, database, datasette)
    return None


ASGIApp = Callable[..., Awaitable[None]]


def remember_path(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so that ``render_cell`` can see the path of the request it serves."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        token = _request_path.set(scope.get("path") if scope.get("type") == "http" else None)
        try:
            await app(scope, receive, send)
        finally:
            _request_path.reset(token)

    return wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    return remember_path


# ----------------------------------------------------------------------------------------------
# Integrity state of a document, for its row page
# ----------------------------------------------------------------------------------------------

INTEGRITY_SQL = """
select sha256 as recorded, sha256_hex(content) as stored, length(content) as stored_size, size_bytes
from documents where id = :id
"""
LAST_EVENT_SQL = """
select event_type, checked_at, algorithm, outcome, agent from fixity_events
where document_id = :id order by checked_at desc, id desc limit 1
"""


async def integrity_state(db: Any, document_id: str) -> dict[str, Any] | None:
    """The stored bytes compared with the recorded digest, and the latest recorded fixity event."""
    try:
        row = (await db.execute(INTEGRITY_SQL, {"id": document_id})).first()
        event = (await db.execute(LAST_EVENT_SQL, {"id": document_id})).first()
    except (sqlite3.Error, QueryInterrupted):
        return None
    if row is None:
        return None
    return {
        "intact": row["recorded"] == row["stored"],
        "recorded": row["recorded"],
        "stored": row["stored"],
        "size_bytes": row["size_bytes"],
        "stored_size": row["stored_size"],
        "last_event": dict(event) if event is not None else None,
    }


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None, view_name: str,
                        request: Any, datasette: Any) -> Callable[[], Awaitable[dict[str, Any]]] | None:
    if view_name != "row" or table != DOCUMENTS or database is None or request is None:
        return None

    async def inner() -> dict[str, Any]:
        from datasette.utils import urlsafe_components

        pks = urlsafe_components(request.url_vars.get("pks", ""))
        if len(pks) != 1:
            return {}
        state = await integrity_state(datasette.get_database(database), pks[0])
        return {"provcat_integrity": state} if state is not None else {}

    return inner
