"""The Datasette plugin: SQL functions for fixity and search, and the pages archivists read.

* ``sha256_hex(value)`` / ``sha512_hex(value)``: lowercase hex digest of a BLOB (TEXT is hashed as its
  UTF-8 bytes; NULL gives NULL), so integrity can be checked in SQL:
  ``select id from documents where sha256_hex(content) != sha256``.
* ``fts_escape(query)``: turns what an archivist types into a safe FTS5 query (every word quoted,
  all words required), so punctuation in a search box never becomes an SQL error.
* Limits on what a served query can make these functions and SQLite do: no string or blob longer
  than the largest value a catalogue holds (``MAX_VALUE_BYTES``), at most ``MAX_HASHED_BYTES`` hashed
  per call, numbers refused, searches of at most ``MAX_SEARCH_CHARACTERS``, one hash at a time per
  core but one, and no call once the query is past Datasette's time limit.
* On a document's row page the ``text`` column shows the document with its quotes (``<mark>``, one
  colour per speaker, an anchor ``#q-<quote id>`` on each, speaker, method and confidence on hover),
  its entity mentions (links to the entity's row page) and, for caption files, each cue's timing in
  the margin. Every character of the document is HTML-escaped: a document may contain markup, it
  never runs.
* On the documents table page the ``text`` column shows the beginning of the text only, and the
  ``content`` column (the exact archived bytes) is shown as its size and a download link.
* Row pages get extra template variables (``extra_template_vars``): a document's integrity state,
  header facts, speaker legend and list of quotes; an entity's names, the documents citing it and the
  quotes credited to it. The home page gets a "start here" list and the canned queries.
* The results of the canned query ``search`` link to the document (at the quote's anchor) and show
  the matching words as ``<mark>``: the query marks them with two private-use characters
  (``SNIPPET_OPEN``, ``SNIPPET_CLOSE``) that are turned into tags only after escaping.

Datasette 0.65 does not pass the request to ``render_cell``; an ASGI wrapper records the request
path in a context variable so the plugin knows which page it is rendering. At startup the plugin
stops Datasette's default error handler from printing with ``rich``, which turns a 404 into a 500,
lets Datasette's permission checks share the metadata instead of deep-copying it each time, and
makes Datasette's time limit visible to the hash functions.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import escape_fts, tilde_encode, urlsafe_components
from markupsafe import Markup, escape

from . import integrity_pages

DOCUMENTS = "documents"
ENTITIES = "entities"
#: The canned query that searches documents and quotes together (metadata/datasette.yml).
SEARCH_QUERY = "search"


@dataclass
class ServedRequest:
    """What the plugin keeps while Datasette answers one request: the request's path (Datasette 0.65
    does not give it to ``render_cell``), the documents already read (a document's text cell and its
    page both need the reading) and the table and query URLs already built (every cell needs one)."""

    path: str | None
    reads: dict[tuple[str, str], DocumentReading | None] = field(default_factory=dict)
    urls: dict[tuple[str, str, str], str] = field(default_factory=dict)


_request: ContextVar[ServedRequest | None] = ContextVar("provcat_request", default=None)


def request_path() -> str | None:
    """The path of the request being answered (None outside a request)."""
    served = _request.get()
    return None if served is None else served.path


def _url_once(key: tuple[str, str, str], build: Callable[[], object]) -> str:
    served = _request.get()
    if served is not None and key in served.urls:
        return served.urls[key]
    url = str(build())
    if served is not None:
        served.urls[key] = url
    return url


def table_url(datasette: Any, database: str, table: str) -> str:
    """``datasette.urls.table``, built once per request."""
    return _url_once(("table", database, table), lambda: datasette.urls.table(database, table))


def query_url(datasette: Any, database: str, query: str) -> str:
    """``datasette.urls.query``, built once per request."""
    return _url_once(("query", database, query), lambda: datasette.urls.query(database, query))

# ----------------------------------------------------------------------------------------------
# SQL functions, and the limits on what a served query can do with them
# ----------------------------------------------------------------------------------------------

#: The most bytes ``sha256_hex`` and ``sha512_hex`` hash in one call: the largest document provcat
#: catalogues (``build.MAX_DOCUMENT_BYTES``; a test keeps the two equal), so the integrity check
#: works on every document's stored bytes. One call then hashes for at most about 0.18 s (SHA-512,
#: the slower of the two, on the two-core machine of docs/security.md).
MAX_HASHED_BYTES = 64 * 1024 * 1024

#: The longest string or blob a served query may read or build, in bytes (``SQLITE_LIMIT_LENGTH``;
#: SQLite's own default is a billion). It is the largest value a catalogue holds: a document's
#: ``content`` is at most :data:`MAX_HASHED_BYTES`, and its ``text``, stored as UTF-8, at most three
#: times that, because every encoding the reader accepts gives at most three bytes of UTF-8 for
#: each byte of the file (one byte of a single-byte code page is one character below U+10000, at
#: most three bytes; the characters above need four bytes of the file in UTF-16 or GB18030, two in
#: Big5-HKSCS; a test checks every encoding the detector may name). CRLF -> LF only shortens it.
#: Anything longer, such as ``zeroblob(1000000000)`` or ``text || text``, is an error at once
#: ("string or blob too big"), before it is built.
MAX_VALUE_BYTES = 3 * MAX_HASHED_BYTES

#: The longest search ``fts_escape`` accepts, in characters: far more than anyone types, and small
#: enough that escaping it and running it as an FTS5 query stays instant.
MAX_SEARCH_CHARACTERS = 10_000

#: Characters of a TEXT encoded to UTF-8 at a time while it is hashed (so a long text is never
#: copied whole a second time).
_HASH_CHUNK_CHARACTERS = 1 << 20


def _refuse_larger(size: int, limit: int) -> None:
    if size > limit:
        # sqlite3 turns OverflowError into SQLite's own "string or blob too big" error
        raise OverflowError(f"{size:,} is more than the {limit:,} this function accepts")


def _hex_digest(new: Callable[[], Any], value: bytes | str | memoryview | None) -> str | None:
    """Hex digest of a BLOB, or of the UTF-8 bytes of a TEXT, of at most :data:`MAX_HASHED_BYTES`;
    None for NULL. A number is refused: it is neither (``bytes(n)`` would be n zero bytes)."""
    if value is None:
        return None
    digest = new()
    if isinstance(value, str):
        _refuse_larger(len(value), MAX_HASHED_BYTES)  # never fewer bytes than characters
        hashed = 0
        for at in range(0, len(value), _HASH_CHUNK_CHARACTERS):
            piece = value[at:at + _HASH_CHUNK_CHARACTERS].encode("utf-8")
            hashed += len(piece)
            _refuse_larger(hashed, MAX_HASHED_BYTES)
            digest.update(piece)
    elif isinstance(value, bytes | memoryview):
        _refuse_larger(len(value), MAX_HASHED_BYTES)
        digest.update(value)  # hashlib releases the interpreter while it hashes more than 2 KiB
    else:
        raise TypeError(f"hashes a BLOB or a TEXT, not {type(value).__name__}")
    return digest.hexdigest()


def sha256_hex(value: bytes | str | memoryview | None) -> str | None:
    """Lowercase hex SHA-256 of a BLOB (or of the UTF-8 bytes of a TEXT); None for NULL."""
    return _hex_digest(hashlib.sha256, value)


def sha512_hex(value: bytes | str | memoryview | None) -> str | None:
    """Lowercase hex SHA-512 of a BLOB (or of the UTF-8 bytes of a TEXT); None for NULL."""
    return _hex_digest(hashlib.sha512, value)


def fts_escape(query: str | None) -> str:
    """An FTS5 query that finds rows containing every word of ``query`` (phrases in double quotes
    kept). An empty query becomes the empty phrase, which matches nothing instead of failing; one
    longer than :data:`MAX_SEARCH_CHARACTERS` is refused."""
    if isinstance(query, str | bytes | memoryview):
        _refuse_larger(len(query), MAX_SEARCH_CHARACTERS)
    return escape_fts(str(query or "")) or '""'


# Datasette stops a query at its time limit from SQLite's progress handler, which runs every 1,000
# virtual-machine instructions: a query calling a hash function on every row can make hundreds of
# calls, tens of seconds of hashing, between two checks. So the hash functions check the time limit
# themselves before each call: Datasette's time-limit context also records the query's deadline
# for the thread that runs it (:func:`track_query_deadlines`), and a function called after it
# interrupts the query, which Datasette then reports as having taken too long.

_running = threading.local()


def query_deadline() -> float | None:
    """When the served query running in this thread must stop (``time.perf_counter``), if any."""
    return getattr(_running, "deadline", None)


def track_query_deadlines() -> None:
    """Make Datasette's time-limit context (``datasette.database.sqlite_timelimit``, used for every
    query it runs) record the query's deadline where :func:`query_deadline` finds it. Once per process."""
    import datasette.database as database

    limit = database.sqlite_timelimit
    if getattr(limit, "provcat_records_deadline", False):
        return

    @contextmanager
    def sqlite_timelimit(conn: sqlite3.Connection, ms: int) -> Iterator[None]:
        previous = query_deadline()
        _running.deadline = time.perf_counter() + ms / 1000
        try:
            with limit(conn, ms):
                yield
        finally:
            _running.deadline = previous

    sqlite_timelimit.provcat_records_deadline = True  # type: ignore[attr-defined]
    database.sqlite_timelimit = sqlite_timelimit


#: Hash function calls that run at once in a served process: one fewer than the cores, at least one.
#: Hashing releases the interpreter, so without this three queries hashing at once took both cores
#: of a two-core machine and, with the interpreter passed between them, held a page up to 1.8 s;
#: with one call at a time the page kept a core (at most 0.7 s; docs/security.md).
HASHING_AT_ONCE = max(1, (os.cpu_count() or 2) - 1)
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)


def _refuse_unhashable(value: object) -> None:
    """What :func:`_hex_digest` refuses, checked before waiting for a place to hash (a TEXT's UTF-8
    length is checked as it is hashed)."""
    if isinstance(value, str | bytes | memoryview):
        _refuse_larger(len(value), MAX_HASHED_BYTES)
    elif value is not None:
        raise TypeError(f"hashes a BLOB or a TEXT, not {type(value).__name__}")


def _served_hash(conn: sqlite3.Connection, new: Callable[[], Any]) -> Callable[[Any], str | None]:
    """The hash function ``conn`` serves: a value it refuses is refused at once; otherwise it waits
    for one of the :data:`HASHING_AT_ONCE` places, and not past the running query's deadline: then
    it interrupts the query instead (the NULL it returns is never seen: the query fails as
    interrupted, and Datasette says it took too long)."""

    def call(value: Any) -> str | None:
        _refuse_unhashable(value)
        deadline = query_deadline()
        if deadline is None:
            hashing = _hashing.acquire()
        else:
            wait = deadline - time.perf_counter()
            hashing = wait > 0 and _hashing.acquire(timeout=wait)
        if not hashing:
            conn.interrupt()
            return None
        try:
            return _hex_digest(new, value)
        finally:
            _hashing.release()

    return call


def quiet_function_refusals() -> None:
    """Stop Python's sqlite3 from printing a traceback to the server's log each time a function
    refuses a value (Datasette switches those tracebacks on): a refusal is the query's error, which
    the person who sent it is shown and Datasette logs in one line; anyone could otherwise fill the
    log with tracebacks."""
    sqlite3.enable_callback_tracebacks(False)


def register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("sha256_hex", 1, _served_hash(conn, hashlib.sha256), deterministic=True)
    conn.create_function("sha512_hex", 1, _served_hash(conn, hashlib.sha512), deterministic=True)
    conn.create_function("fts_escape", 1, fts_escape, deterministic=True)


#: How much of a catalogue each connection reads through memory-mapped I/O instead of a read call
#: per page: searches and facets look up thousands of scattered rows (measured: a facet over 47,000
#: search matches in a 2 GB catalogue, 60 ms -> 35 ms). Address space only; the pages are the
#: operating system's file cache, shared by every connection.
MMAP_BYTES = 1 << 34


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    register_functions(conn)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"pragma mmap_size = {MMAP_BYTES}")


# ----------------------------------------------------------------------------------------------
# Spans laid over a document's text
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
    """A quote or transcript turn: text[start:end] is credited to the speaker (the label as
    attributed; ``speaker_name`` is the canonical name of ``speaker_entity_id`` when resolved)."""

    start: int
    end: int
    speaker: str | None = None
    kind: str = "direct"
    method: str = ""
    confidence: float | None = None
    id: int | None = None
    speaker_entity_id: str | None = None
    speaker_name: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class CueSpan:
    """A timed cue of a caption file: text[start:end] is shown from ``begins`` to ``ends``."""

    start: int
    end: int
    index: int
    begins: str
    ends: str


# ----------------------------------------------------------------------------------------------
# Speakers and their colours (pure)
# ----------------------------------------------------------------------------------------------

#: Background colours of quotes, one per speaker of a document, cycling when there are more speakers.
SPEAKER_COLOURS = ("#ffe97a", "#b8dbff", "#c3efb0", "#ffc7dd", "#d8c8ff", "#ffd0a1", "#a8ebe2", "#e6d3a3")
#: Quotes whose source could not be named.
UNATTRIBUTED_COLOUR = "#e4e4e4"
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class Speaker:
    """A speaker of a document as the legend shows it: one colour for all of their quotes."""

    key: str
    name: str
    entity_id: str | None
    colour: str
    quotes: int


def speaker_key(quote: QuoteSpan) -> str:
    """Who a quote belongs to: the resolved entity, else the label (any case), else nobody."""
    if quote.speaker_entity_id:
        return f"entity:{quote.speaker_entity_id}"
    label = (quote.speaker or "").strip()
    return f"label:{label.casefold()}" if label else UNATTRIBUTED


def speaker_display_name(quote: QuoteSpan) -> str:
    label = (quote.speaker or "").strip()
    return quote.speaker_name or label or quote.speaker_entity_id or UNATTRIBUTED


def speakers_of(quotes: Iterable[QuoteSpan]) -> list[Speaker]:
    """The speakers of a document in order of their first quote in the text, each with a colour of
    ``SPEAKER_COLOURS`` (cycling); unattributed quotes share ``UNATTRIBUTED_COLOUR``, listed last."""
    first: dict[str, QuoteSpan] = {}
    counts: dict[str, int] = defaultdict(int)
    for quote in sorted(quotes, key=lambda q: (q.start, -q.end)):
        key = speaker_key(quote)
        first.setdefault(key, quote)
        counts[key] += 1
    named = [key for key in first if key != UNATTRIBUTED]
    speakers = [Speaker(key, speaker_display_name(first[key]), first[key].speaker_entity_id,
                        SPEAKER_COLOURS[i % len(SPEAKER_COLOURS)], counts[key]) for i, key in enumerate(named)]
    if UNATTRIBUTED in first:
        speakers.append(Speaker(UNATTRIBUTED, UNATTRIBUTED, None, UNATTRIBUTED_COLOUR, counts[UNATTRIBUTED]))
    return speakers


def colours_by_key(speakers: Iterable[Speaker]) -> dict[str, str]:
    return {speaker.key: speaker.colour for speaker in speakers}


# ----------------------------------------------------------------------------------------------
# Highlighting (pure)
# ----------------------------------------------------------------------------------------------

#: How a quote's kind shows, whatever its speaker's colour: underlined, dashed, or a block.
KIND_STYLES = {
    "direct": "border-bottom:2px solid #555",
    "indirect": "border-bottom:2px dashed #777",
    "turn": "display:block;border-left:4px solid #777;padding:0.1em 0.4em",
}
MENTION_STYLE = "font-weight:600"
TEXT_STYLE = "white-space:pre-wrap;max-width:48em;line-height:1.6;position:relative"


def _confidence(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def quote_title(quote: QuoteSpan) -> str:
    speaker = (quote.speaker or "").strip() or UNATTRIBUTED
    if quote.speaker_name and quote.speaker_name.casefold() != speaker.casefold():
        speaker = f"{speaker} ({quote.speaker_name})"
    return (f"{quote.kind} quote · speaker: {speaker} · method: {quote.method or 'unknown'}"
            f" · confidence: {_confidence(quote.confidence)}")


def mention_title(mention: MentionSpan) -> str:
    what = mention.name or mention.entity_id
    if mention.entity_type:
        what = f"{what} ({mention.entity_type})"
    return f"{what} · method: {mention.method or 'unknown'} · confidence: {_confidence(mention.confidence)}"


def quote_anchor(quote_id: int | None) -> str | None:
    """The id of a quote's element in its document page (``q-<id>``), the target of ``#q-<id>``."""
    return None if quote_id is None else f"q-{quote_id}"


@dataclass(frozen=True, slots=True)
class _Element:
    """One span laid over the text, with the tags (already-escaped HTML) that open it (the first
    time, and again after another span forced it closed) and close it."""

    start: int
    end: int
    order: int  # position in the input: keeps the layout stable and deterministic
    is_quote: bool
    opening: str
    closing: str
    reopening: str

    @property
    def rank(self) -> tuple[int, int, int]:
        """Outer spans first: earlier start, then longer, then input order."""
        return (self.start, -self.end, self.order)


# The tags are built as strings with every value passed through ``escape`` (a page has hundreds of
# them, and ``Markup.format`` costs several times more); ``highlight`` wraps the result in Markup.

def _quote_tag(quote: QuoteSpan, colour: str, first: bool) -> str:
    kind = quote.kind if quote.kind in KIND_STYLES else "direct"
    style = escape(f"background:{colour};{KIND_STYLES[kind]}")
    extra = ""
    if first:
        anchor = quote_anchor(quote.id)
        if anchor:
            extra += f' id="{escape(anchor)}"'
        extra += f' data-speaker="{escape(speaker_display_name(quote))}"'
    continued = "" if first else " provcat-quote-continued"
    return (f'<mark class="provcat-quote provcat-quote-{escape(kind)}{continued}"{extra} style="{style}" '
            f'title="{escape(quote_title(quote))}">')


def _quote_element(quote: QuoteSpan, order: int, start: int, end: int, colour: str) -> _Element:
    return _Element(start, end, order, True, _quote_tag(quote, colour, True), "</mark>",
                    _quote_tag(quote, colour, False))


def _mention_element(mention: MentionSpan, order: int, start: int, end: int, entities_url: str) -> _Element:
    href = escape(f"{entities_url}/{tilde_encode(mention.entity_id)}")
    opening = (f'<a class="provcat-mention" style="{MENTION_STYLE}" href="{href}" '
               f'title="{escape(mention_title(mention))}">')
    return _Element(start, end, order, False, opening, "</a>", opening)


def cue_label(cue: CueSpan) -> Markup:
    """An empty marker at the start of a cue; the template shows its timing in the margin."""
    begins = escape(cue.begins)
    return Markup(f'<span class="provcat-cue" data-begins="{begins}" '
                  f'title="cue {escape(cue.index)}: {begins} → {escape(cue.ends)}"></span>')


def _clip(start: int, end: int, length: int) -> tuple[int, int]:
    return max(0, min(start, length)), max(0, min(end, length))


def layout(text_length: int, mentions: Sequence[MentionSpan], quotes: Sequence[QuoteSpan],
           entities_url: str) -> list[_Element]:
    """The spans that can be drawn: clipped to the text, empty and reversed spans dropped."""
    colours = colours_by_key(speakers_of(quotes))
    elements: list[_Element] = []
    for order, quote in enumerate(quotes):
        start, end = _clip(quote.start, quote.end, text_length)
        if start < end:
            elements.append(_quote_element(quote, order, start, end, colours[speaker_key(quote)]))
    for order, mention in enumerate(mentions, start=len(quotes)):
        start, end = _clip(mention.start, mention.end, text_length)
        if start < end:
            elements.append(_mention_element(mention, order, start, end, entities_url))
    return elements


def _points(text_length: int, cues: Sequence[CueSpan]) -> dict[int, list[Markup]]:
    points: dict[int, list[Markup]] = defaultdict(list)
    for cue in sorted(cues, key=lambda c: (c.start, c.index)):
        if 0 <= cue.start < text_length:
            points[cue.start].append(cue_label(cue))
    return points


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
              entities_url: str, cues: Sequence[CueSpan] = ()) -> Markup:
    """The document text as escaped HTML with quotes marked and mentions linked.

    Spans may overlap or cross: the text is cut at every span boundary and the tags are closed and
    reopened as needed, so the HTML is always well nested; a quote's anchor id is on its first piece
    only. ``entities_url`` is the URL of the entities table; a mention links to
    ``<entities_url>/<tilde-encoded entity id>``. Each cue adds an empty marker where it starts.
    """
    elements = layout(len(text), mentions, quotes, entities_url)
    points = _points(len(text), cues)
    cuts = sorted({0, len(text)} | {e.start for e in elements} | {e.end for e in elements} | set(points))
    starting: dict[int, list[_Element]] = defaultdict(list)
    for element in elements:
        starting[element.start].append(element)
    active: dict[int, _Element] = {}
    opened: set[int] = set()
    out: list[str] = []
    stack: list[_Element] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = {k: e for k, e in active.items() if e.end > a}
        active.update((e.order, e) for e in starting[a])
        wanted = _wanted(active.values())
        keep = _common_prefix(stack, wanted)
        out.extend(e.closing for e in reversed(stack[keep:]))
        for element in wanted[keep:]:
            out.append(element.reopening if element.order in opened else element.opening)
            opened.add(element.order)
        out.extend(points.get(a, ()))
        out.append(escape(text[a:b]))
        stack = wanted
    out.extend(e.closing for e in reversed(stack))
    return Markup(f'<div class="provcat-text" style="{TEXT_STYLE}">{"".join(out)}</div>')


def content_summary(size: int, download_url: str) -> Markup:
    """What the content BLOB shows instead of its bytes."""
    unit = "byte" if size == 1 else "bytes"
    return Markup(f'<a class="blob-download" href="{escape(download_url)}">{size:,} {unit}</a> '
                  '<span class="provcat-note">the exact bytes as archived, hashed for fixity '
                  "(sha256, sha512); read them in the text column</span>")


#: Characters of a document's text shown on the documents table page.
EXCERPT_CHARACTERS = 300


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The beginning of a text, cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", max(0, limit - 40), limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"


def text_excerpt(text: str, document_url: str) -> Markup:
    """What the text column shows on the documents table page: its beginning, escaped."""
    if len(text) <= EXCERPT_CHARACTERS:
        return Markup(f'<span class="provcat-excerpt">{escape(text)}</span>')
    return Markup(f'<span class="provcat-excerpt">{escape(excerpt(text))}</span> <a class="provcat-read" '
                  f'href="{escape(document_url)}">read all {len(text):,} characters</a>')


# ----------------------------------------------------------------------------------------------
# Search snippets (pure)
# ----------------------------------------------------------------------------------------------

#: The markers the ``search`` canned query puts around matching words: Unicode private-use
#: characters, which no ordinary text contains (``char(57344)`` and ``char(57345)`` in SQL).
SNIPPET_OPEN = "\ue000"
SNIPPET_CLOSE = "\ue001"
_SNIPPET_MATCH = re.compile(f"{SNIPPET_OPEN}([^{SNIPPET_OPEN}{SNIPPET_CLOSE}]*){SNIPPET_CLOSE}")


def snippet_markup(snippet: str) -> Markup:
    """A search snippet as HTML: everything escaped, the marked words in ``<mark>``; a marker
    without its partner is dropped."""
    out: list[str] = []
    at = 0
    for match in _SNIPPET_MATCH.finditer(snippet):
        out.append(escape(_unmarked(snippet[at:match.start()])))
        out.append(f"<mark>{escape(match.group(1))}</mark>")
        at = match.end()
    out.append(escape(_unmarked(snippet[at:])))
    return Markup(f'<span class="provcat-snippet">{"".join(out)}</span>')


def _unmarked(text: str) -> str:
    return text.replace(SNIPPET_OPEN, "").replace(SNIPPET_CLOSE, "")


# ----------------------------------------------------------------------------------------------
# Small pure helpers for the pages
# ----------------------------------------------------------------------------------------------

_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")


def wikidata_url(identifier: str | None) -> str | None:
    """The Wikidata page of an item id such as Q42; None for anything that is not one."""
    if not identifier or not _WIKIDATA_ID.fullmatch(identifier.strip()):
        return None
    return f"https://www.wikidata.org/wiki/{identifier.strip()}"


def web_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) address (safe as a link), else None."""
    if value and re.match(r"https?://[^\s]+$", value.strip(), flags=re.IGNORECASE):
        return value.strip()
    return None


def is_row_page(path: str | None, table_url: str) -> bool:
    """Whether a request path is the HTML row page of a row of the table at ``table_url``."""
    if not path or not path.startswith(table_url + "/"):
        return False
    rest = path[len(table_url) + 1:]
    return bool(rest) and "/" not in rest and not rest.endswith((".json", ".csv", ".blob"))


def is_page(path: str | None, url: str) -> bool:
    """Whether a request path is the HTML page at ``url`` (a table or a canned query)."""
    return bool(path) and path == url


# ----------------------------------------------------------------------------------------------
# Reading a document's spans from the database
# ----------------------------------------------------------------------------------------------

MENTIONS_SQL = """
select m.start, m."end", m.entity_id, e.name, e.type, m.method, m.confidence
from mentions m left join entities e on e.id = m.entity_id
where m.document_id = :id order by m.start, m."end" desc
"""

QUOTES_SQL = """
select q.start, q."end", q.speaker, q.kind, q.method, q.confidence, q.id, q.speaker_entity_id, e.name,
       q.text
from quotes q left join entities e on e.id = q.speaker_entity_id
where q.document_id = :id order by q.start, q."end" desc, q.id
"""

CUES_SQL = """
select start, "end", "index", begins, ends from segments where document_id = :id order by start, "index"
"""

Database = Any  # datasette.database.Database


@dataclass(frozen=True)
class DocumentReading:
    """Everything a document's page shows besides its row, read in one trip to the database."""

    header: dict[str, Any] | None
    integrity: dict[str, Any] | None
    mentions: list[MentionSpan]
    quotes: list[QuoteSpan]
    cues: list[CueSpan]


def _optional(conn: sqlite3.Connection, sql: str, document_id: str) -> list[Any]:
    """Rows of a query on a table an older or foreign catalogue may not have (then none)."""
    try:
        return conn.execute(sql, {"id": document_id}).fetchall()
    except sqlite3.Error:
        return []


def read_document(conn: sqlite3.Connection, document_id: str) -> DocumentReading | None:
    """A document's header, integrity state, mentions, quotes and cues; None when the database is
    not a provcat catalogue or has no such document."""
    try:
        header_row = conn.execute(HEADER_SQL, {"id": document_id}).fetchone()
        if header_row is None:
            return None
        mentions = [MentionSpan(*tuple(r)) for r in conn.execute(MENTIONS_SQL, {"id": document_id})]
        quotes = [QuoteSpan(*tuple(r)) for r in conn.execute(QUOTES_SQL, {"id": document_id})]
        stored = conn.execute(INTEGRITY_SQL, {"id": document_id}).fetchone()
    except sqlite3.Error:
        return None
    cues = [CueSpan(*tuple(r)) for r in _optional(conn, CUES_SQL, document_id)]
    return DocumentReading(document_header(header_row), integrity_state(stored), mentions, quotes, cues)


#: A piece of a document's page kept as HTML: which piece ("text", "quotes") and the entities URL
#: its links were made with.
HtmlPart = tuple[str, str]
CacheEntry = tuple[DocumentReading | None, dict[HtmlPart, Markup]]


class ReadingCache:
    """Documents' readings and the HTML made from them (highlighted text, list of quotes), kept
    across requests for immutable catalogues (served with ``-i``: their content cannot change while
    served, and they are keyed by the file's hash), least recently used first out, within a budget
    of characters."""

    def __init__(self, budget_characters: int) -> None:
        self.budget = budget_characters
        self.used = 0
        self.entries: OrderedDict[tuple[str, str], CacheEntry] = OrderedDict()

    def get(self, key: tuple[str, str]) -> CacheEntry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, str], reading: DocumentReading | None) -> None:
        entry: CacheEntry = (reading, {})
        self.entries[key] = entry
        self.used += self.cost(entry)
        while self.used > self.budget and len(self.entries) > 1:
            _, dropped = self.entries.popitem(last=False)
            self.used -= self.cost(dropped)

    def html(self, key: tuple[str, str], part: HtmlPart) -> Markup | None:
        entry = self.entries.get(key)
        return None if entry is None else entry[1].get(part)

    def add_html(self, key: tuple[str, str], part: HtmlPart, html: Markup) -> None:
        entry = self.entries.get(key)
        if entry is not None and part not in entry[1]:
            entry[1][part] = html
            self.used += len(html)

    @staticmethod
    def cost(entry: CacheEntry) -> int:
        reading, parts = entry
        spans = 0 if reading is None else 100 * (len(reading.mentions) + len(reading.quotes) + len(reading.cues))
        return 1000 + spans + sum(len(html) for html in parts.values())


#: Up to about 64 million characters of highlighted text and spans per served process.
READING_CACHE = ReadingCache(64_000_000)


def _cache_key(db: Database, document_id: str) -> tuple[str, str] | None:
    """Where a catalogue's document is kept in :data:`READING_CACHE`: by the catalogue's hash when
    it is served immutable; when it is served mutable, by the file (device and inode) and when it
    was last written, as found at the start of the request — any write, a verification's included,
    starts afresh; None for an in-memory database."""
    if db.is_memory or not db.path:
        return None
    if db.is_mutable:
        seen = getattr(db, "_provcat_file", None)
        return None if seen is None else (f"{db.path}@{seen[0]}:{seen[1]}:{seen[2]}", document_id)
    digest = db.hash
    return None if digest is None else (digest, document_id)


async def document_reading(datasette: Any, database: str, document_id: str) -> DocumentReading | None:
    """:func:`read_document`, once per request (the text cell and the page share it), and once per
    served process for an immutable catalogue (:class:`ReadingCache`)."""
    served = _request.get()
    reads = None if served is None else served.reads
    key = (database, document_id)
    if reads is not None and key in reads:
        return reads[key]
    db = datasette.get_database(database)
    cache_key = _cache_key(db, document_id)
    cached = READING_CACHE.get(cache_key) if cache_key else None
    if cached is not None:
        reading = cached[0]
    else:
        try:
            reading = await db.execute_fn(lambda conn: read_document(conn, document_id))
        except QueryInterrupted:
            return None
        if cache_key:
            READING_CACHE.put(cache_key, reading)
    if reads is not None:
        reads[key] = reading
    return reading


async def highlighted_text(datasette: Any, database: str, document_id: str, text: str) -> Markup | None:
    """The document's text as highlighted HTML (:func:`highlight`); None when the database is not a
    provcat catalogue. Kept with the reading for an immutable catalogue."""
    reading = await document_reading(datasette, database, document_id)
    if reading is None:
        return None
    return kept_html(datasette, database, document_id, "text",
                     lambda entities_url: highlight(text, reading.mentions, reading.quotes, entities_url, reading.cues))


def kept_html(datasette: Any, database: str, document_id: str, piece: str, make: Callable[[str], Markup]) -> Markup:
    """A piece of a document's page, made by ``make(entities_url)``; made once per served process
    for an immutable catalogue (:class:`ReadingCache`), once per request otherwise."""
    entities_url = table_url(datasette, database, ENTITIES)
    cache_key = _cache_key(datasette.get_database(database), document_id)
    part = (piece, entities_url)
    kept = READING_CACHE.html(cache_key, part) if cache_key else None
    if kept is not None:
        return kept
    html = make(entities_url)
    if cache_key:
        READING_CACHE.add_html(cache_key, part, html)
    return html


def _row_value(row: Any, column: str) -> Any:
    try:
        return row[column]
    except (IndexError, KeyError, TypeError):
        return None


def _row_id(row: Any) -> str | None:
    value = _row_value(row, "id")
    return None if value is None else str(value)


def _render_text(text: str, document_id: str, database: str, datasette: Any) -> Callable[[], Awaitable[Any]]:
    async def inner() -> Markup | None:
        # None when the database is not a provcat catalogue: Datasette renders the plain text
        return await highlighted_text(datasette, database, document_id, text)

    return inner


# ----------------------------------------------------------------------------------------------
# render_cell: documents (row page and table page) and the search query's results
# ----------------------------------------------------------------------------------------------


def document_url(datasette: Any, database: str, document_id: str, quote_id: object = None) -> str:
    """The row page of a document, at a quote's anchor when ``quote_id`` is given."""
    url = f"{table_url(datasette, database, DOCUMENTS)}/{tilde_encode(document_id)}"
    anchor = quote_anchor(int(quote_id)) if isinstance(quote_id, int) else None
    return f"{url}#{anchor}" if anchor else url


def entity_url(datasette: Any, database: str, entity_id: str) -> str:
    return f"{table_url(datasette, database, ENTITIES)}/{tilde_encode(entity_id)}"


def _render_document_cell(row: Any, value: Any, column: str, database: str,
                          datasette: Any) -> Markup | Callable[[], Awaitable[Any]] | None:
    document_id = _row_id(row)
    if document_id is None:
        return None
    if column == "content" and isinstance(value, bytes):
        url = datasette.urls.row_blob(database, DOCUMENTS, tilde_encode(document_id), column)
        return content_summary(len(value), url)
    path, documents_url = request_path(), table_url(datasette, database, DOCUMENTS)
    if column == "text" and isinstance(value, str) and is_row_page(path, documents_url):
        return _render_text(value, document_id, database, datasette)
    if not is_page(path, documents_url):
        return None
    if column == "text" and isinstance(value, str):
        return text_excerpt(value, document_url(datasette, database, document_id))
    return _shortened(value, column)


#: Columns of the documents table page shown shortened (the row page and the exports show them whole).
DIGEST_COLUMNS = ("sha256", "sha512", "extraction_key")
DIGEST_CHARACTERS = 16


def digest_summary(digest: str) -> Markup:
    """A long digest as its first characters, the whole digest on hover."""
    if len(digest) <= DIGEST_CHARACTERS:
        return Markup(f'<code class="provcat-digest">{escape(digest)}</code>')
    return Markup(f'<code class="provcat-digest" title="{escape(digest)}">{escape(digest[:DIGEST_CHARACTERS])}…</code>')


def folded(value: str, summary: str) -> Markup:
    """A long value folded away under a one-word summary (opened with a click, no script)."""
    return Markup(f'<details class="provcat-folded"><summary>{escape(summary)}</summary>{escape(value)}</details>')


def _shortened(value: Any, column: str) -> Markup | None:
    """How the wide columns of a document show on the documents table page: shortened."""
    if not isinstance(value, str) or not value:
        return None
    if column in DIGEST_COLUMNS:
        return digest_summary(value)
    if column == "type_features":
        return folded(value, "features")
    return None


def _link(href: str, text: Any) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


def _render_search_cell(row: Any, value: Any, column: str, database: str, datasette: Any) -> Markup | None:
    """The ``search`` query's results: matches marked, titles and ids linked to where they are."""
    document_id, quote_id = _row_value(row, "document_id"), _row_value(row, "quote")
    if column == "snippet" and isinstance(value, str):
        return snippet_markup(value)
    if document_id is None:
        return None
    if column == "document" and value is not None:
        return _link(document_url(datasette, database, str(document_id), quote_id), value)
    if column == "document_id":
        return _link(document_url(datasette, database, str(document_id)), value)
    if column == "quote" and isinstance(value, int):
        return _link(document_url(datasette, database, str(document_id), value), f"quote {value}")
    speaker_entity = _row_value(row, "speaker_entity_id")
    if column == "speaker" and value is not None and speaker_entity:
        return _link(entity_url(datasette, database, str(speaker_entity)), value)
    return None


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | Callable[[], Awaitable[Any]] | None:
    if table == DOCUMENTS:
        return _render_document_cell(row, value, column, database, datasette)
    if table is None and is_page(request_path(), query_url(datasette, database, SEARCH_QUERY)):
        return _render_search_cell(row, value, column, database, datasette)
    return None


ASGIApp = Callable[..., Awaitable[None]]


def remember_path(app: ASGIApp, datasette: Any = None) -> ASGIApp:
    """Wrap an ASGI app so that the plugin's hooks share a :class:`ServedRequest` per request, and
    so that a catalogue a build has replaced is reopened before the request reads it."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if datasette is not None and scope.get("type") == "http":
            integrity_pages.reopen_replaced(datasette)
        token = _request.set(ServedRequest(scope.get("path") if scope.get("type") == "http" else None))
        try:
            await app(scope, receive, send)
        finally:
            _request.reset(token)

    return wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    return lambda app: remember_path(app, datasette)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(integrity_pages.INTEGRITY_ROUTE, integrity_pages.integrity_page)]


# ----------------------------------------------------------------------------------------------
# Errors: Datasette 0.65's default error handler prints the traceback with ``rich`` when that is
# installed (spaCy brings it in). For a route that does not exist there is no exception being
# handled, the print itself fails, and a 404 becomes a 500. Plain tracebacks are printed instead.
# ----------------------------------------------------------------------------------------------


def plain_tracebacks() -> None:
    """Stop Datasette's default error handler from using ``rich`` (it still prints server errors)."""
    from datasette import handle_exception as default_handler

    default_handler.rich = None  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------------------
# Metadata: Datasette 0.65.5 deep-copies the whole metadata every time it checks whether a table may
# be viewed (three times for a row page). With the catalogue's column descriptions that is about
# 400 objects, a tenth of a millisecond a copy. The metadata given on the command line is only ever
# read or merged into fresh dictionaries by those checks, so its copy can be the object itself.
# ----------------------------------------------------------------------------------------------


class ServedMetadata(dict):  # type: ignore[type-arg]
    """The metadata a server was started with; ``copy.deepcopy`` returns it as it is."""

    def __deepcopy__(self, memo: dict[int, Any]) -> ServedMetadata:
        return self


def share_metadata_copies(datasette: Any) -> None:
    """Let the server's permission checks share its metadata instead of deep-copying it."""
    local = getattr(datasette, "_metadata_local", None)
    if type(local) is dict:
        datasette._metadata_local = ServedMetadata(local)


@hookimpl
def startup(datasette: Any) -> None:
    plain_tracebacks()
    share_metadata_copies(datasette)
    track_query_deadlines()
    quiet_function_refusals()


# ----------------------------------------------------------------------------------------------
# A document's row page: integrity, header facts, speakers and quotes
# ----------------------------------------------------------------------------------------------

INTEGRITY_SQL = """
select sha256 as recorded, sha256_hex(content) as stored, length(content) as stored_size, size_bytes
from documents where id = :id
"""
HEADER_SQL = """
select type, type_confidence, type_method, publisher, date, source_url, path, media_type, encoding,
       size_bytes, sha256, sha512
from documents where id = :id
"""


def integrity_state(row: Any) -> dict[str, Any] | None:
    """The copy of the bytes stored in the catalogue compared with the recorded digest (``row``:
    :data:`INTEGRITY_SQL`). The archive's own state is read at each request (integrity_pages)."""
    if row is None:
        return None
    return {
        "intact": row["recorded"] == row["stored"],
        "recorded": row["recorded"],
        "stored": row["stored"],
        "size_bytes": row["size_bytes"],
        "stored_size": row["stored_size"],
    }


def document_header(row: Any) -> dict[str, Any]:
    """What a document's page says about it above the text (``row``: :data:`HEADER_SQL`);
    ``source_link`` only for http(s)."""
    header = dict(row)
    header["source_link"] = web_url(header.get("source_url"))
    header["type_confidence_text"] = _confidence(header.get("type_confidence"))
    return header


#: Characters of a quote shown in a document's list of quotes.
QUOTE_LIST_CHARACTERS = 90


@dataclass(frozen=True)
class QuoteEntry:
    """One line of a document's list of quotes, linking to the quote's place in the text."""

    id: int | None
    anchor: str | None
    speaker: str
    label: str | None
    speaker_url: str | None
    colour: str
    kind: str
    method: str
    confidence: str
    excerpt: str


@dataclass(frozen=True)
class SpeakerEntry:
    """One line of a document's speaker legend."""

    name: str
    url: str | None
    colour: str
    quotes: int


def quote_entries(quotes: Sequence[QuoteSpan], speakers: Sequence[Speaker],
                  speaker_link: Callable[[str], str]) -> list[QuoteEntry]:
    colours = colours_by_key(speakers)
    return [QuoteEntry(q.id, quote_anchor(q.id), speaker_display_name(q), q.speaker,
                       speaker_link(q.speaker_entity_id) if q.speaker_entity_id else None,
                       colours[speaker_key(q)], q.kind, q.method, _confidence(q.confidence),
                       excerpt(q.text or "", QUOTE_LIST_CHARACTERS)) for q in quotes]


def quote_list(entries: Sequence[QuoteEntry]) -> Markup:
    """The items of a document's list of quotes: each quote's beginning (a link to its place in the
    text), its speaker (a link to the speaker's entity), kind, method and confidence."""
    items = []
    for q in entries:
        words = f'<span class="provcat-quote-excerpt">{escape(q.excerpt)}</span>'
        if q.anchor:
            words = f'<a class="provcat-goto" href="#{escape(q.anchor)}">{words}</a>'
        if q.speaker_url:
            speaker = f'<a class="provcat-quote-speaker" href="{escape(q.speaker_url)}">{escape(q.speaker)}</a>'
        else:
            speaker = f'<span class="provcat-quote-speaker">{escape(q.speaker)}</span>'
        label = ""
        if q.label and q.label != q.speaker:
            label = f' <span class="provcat-muted">as “{escape(q.label)}”</span>'
        items.append(f'<li class="provcat-quote-entry" style="border-left-color: {escape(q.colour)}">\n'
                     f'{words}\n{speaker}{label}\n<span class="provcat-muted">· {escape(q.kind)} · {escape(q.method)}'
                     f' · confidence {escape(q.confidence)}</span>\n</li>')
    return Markup("\n".join(items))


def speaker_entries(speakers: Sequence[Speaker], speaker_link: Callable[[str], str]) -> list[SpeakerEntry]:
    return [SpeakerEntry(s.name, speaker_link(s.entity_id) if s.entity_id else None, s.colour, s.quotes)
            for s in speakers]


async def document_page_vars(datasette: Any, database: str, document_id: str) -> dict[str, Any]:
    reading = await document_reading(datasette, database, document_id)
    if reading is None:
        return {}
    found: dict[str, Any] = {"provcat_fixity": await integrity_pages.document_fixity(datasette, database, document_id)}
    if reading.integrity is not None:
        found["provcat_integrity"] = reading.integrity
    speakers = speakers_of(reading.quotes)

    def link(entity_id: str) -> str:
        return entity_url(datasette, database, entity_id)

    quotes = quote_entries(reading.quotes, speakers, link)
    found.update(provcat_document=reading.header, provcat_speakers=speaker_entries(speakers, link),
                 provcat_quotes=quotes, provcat_cues=len(reading.cues),
                 provcat_quote_list=kept_html(datasette, database, document_id, "quotes", lambda _: quote_list(quotes)))
    return found


# ----------------------------------------------------------------------------------------------
# An entity's row page: names, the documents citing it, the quotes credited to it
# ----------------------------------------------------------------------------------------------

#: Rows listed on an entity page before pointing to the full table.
ENTITY_PAGE_LIMIT = 200

ENTITY_SQL = "select id, name, type, source, wikidata from entities where id = :id"
ALIASES_SQL = "select alias from entity_aliases where entity_id = :id order by alias collate nocase"
CITING_SQL = """
select de.document_id, d.title, d.type, de.role, de.mentions, de.quotes
from document_entities de join documents d on d.id = de.document_id
where de.entity_id = :id
order by de.mentions + de.quotes desc, d.title, de.document_id
limit :limit
"""
CITING_COUNT_SQL = "select count(*) from document_entities where entity_id = :id"
CREDITED_SQL = """
select q.id, q.document_id, d.title, q.speaker, q.text, q.kind, q.method, q.confidence
from quotes q join documents d on d.id = q.document_id
where q.speaker_entity_id = :id
order by d.title, q.document_id, q.start
limit :limit
"""
CREDITED_COUNT_SQL = "select count(*) from quotes where speaker_entity_id = :id"

#: Characters of a quote shown in lists.
QUOTE_EXCERPT_CHARACTERS = 400


@dataclass(frozen=True)
class CitingDocument:
    document_id: str
    title: str
    type: str
    role: str
    mentions: int
    quotes: int
    url: str


@dataclass(frozen=True)
class CreditedQuote:
    id: int
    document_id: str
    document_title: str
    speaker: str | None
    text: str
    kind: str
    method: str
    confidence: str
    url: str


def _filtered(datasette: Any, database: str, table: str, column: str, value: str) -> str:
    """The table page of ``table`` showing the rows where ``column`` equals ``value``."""
    return f"{datasette.urls.table(database, table)}?{urlencode({column: value})}"


async def _count(db: Database, sql: str, entity_id: str) -> int:
    row = (await db.execute(sql, {"id": entity_id})).first()
    return int(row[0]) if row is not None else 0


async def entity_page_vars(datasette: Any, database: str, entity_id: str) -> dict[str, Any]:
    db = datasette.get_database(database)
    params = {"id": entity_id, "limit": ENTITY_PAGE_LIMIT}
    try:
        entity = (await db.execute(ENTITY_SQL, params)).first()
        if entity is None:
            return {}
        aliases = [r[0] for r in (await db.execute(ALIASES_SQL, params)).rows]
        citing = (await db.execute(CITING_SQL, params)).rows
        credited = (await db.execute(CREDITED_SQL, params)).rows
        citing_total = await _count(db, CITING_COUNT_SQL, entity_id)
        credited_total = await _count(db, CREDITED_COUNT_SQL, entity_id)
    except (sqlite3.Error, QueryInterrupted):
        return {}

    def link(document_id: str, quote_id: int | None = None) -> str:
        return document_url(datasette, database, document_id, quote_id)

    documents = [CitingDocument(r[0], r[1] or r[0], r[2], r[3], r[4], r[5] or 0, link(r[0])) for r in citing]
    quotes = [CreditedQuote(r[0], r[1], r[2] or r[1], r[3], excerpt(r[4] or "", QUOTE_EXCERPT_CHARACTERS),
                            r[5], r[6], _confidence(r[7]), link(r[1], r[0])) for r in credited]
    return {"provcat_entity": {
        "id": entity["id"], "name": entity["name"], "type": entity["type"], "source": entity["source"],
        "wikidata": entity["wikidata"], "wikidata_url": wikidata_url(entity["wikidata"]),
        "aliases": [a for a in aliases if a != entity["name"]],
        "documents": documents, "documents_total": citing_total,
        "documents_all_url": _filtered(datasette, database, "document_entities", "entity_id", entity_id),
        "quotes": quotes, "quotes_total": credited_total,
        "quotes_all_url": _filtered(datasette, database, "quotes", "speaker_entity_id", entity_id),
    }}


# ----------------------------------------------------------------------------------------------
# The home page: where to start, and the canned queries
# ----------------------------------------------------------------------------------------------

START_HERE = (
    ("Search", "query", SEARCH_QUERY, "Find words in the documents and in the quotes, best matches first."),
    ("Documents", "table", DOCUMENTS, "Every archived document: open one to read it with its quotes "
                                      "and the people, organisations and places it names."),
    ("Entities", "table", ENTITIES, "The people, organisations and places the documents cite or quote, "
                                    "with the documents and quotes for each."),
    ("Integrity", "page", integrity_pages.INTEGRITY_PATH, "Whether the archive's files are still the exact "
                                                       "bytes catalogued: the latest verification, what it "
                                                       "found, and every run before it."),
)


@dataclass(frozen=True)
class StartLink:
    title: str
    url: str
    description: str


async def is_catalogue(db: Database) -> bool:
    return bool(await db.table_exists(DOCUMENTS) and await db.table_exists(ENTITIES))


def start_links(datasette: Any, database: str, queries: dict[str, Any]) -> list[StartLink]:
    links = []
    for title, kind, name, description in START_HERE:
        if kind == "query" and name not in queries:
            continue
        if kind == "page":
            url = integrity_pages.integrity_url(datasette, database)
        else:
            url = datasette.urls.query(database, name) if kind == "query" else datasette.urls.table(database, name)
        links.append(StartLink(title, str(url), description))
    return links


def query_links(datasette: Any, database: str, queries: dict[str, Any]) -> list[StartLink]:
    return [StartLink(str(q.get("title") or name), str(datasette.urls.query(database, name)),
                      str(q.get("description") or "")) for name, q in queries.items()]


async def index_page_vars(datasette: Any, request: Any) -> dict[str, Any]:
    catalogues = []
    for name, db in datasette.databases.items():
        if name.startswith("_") or not await is_catalogue(db):
            continue
        queries = await datasette.get_canned_queries(name, getattr(request, "actor", None))
        search_url = str(datasette.urls.query(name, SEARCH_QUERY)) if SEARCH_QUERY in queries else None
        catalogues.append({"name": name, "search_url": search_url, "start": start_links(datasette, name, queries),
                           "queries": query_links(datasette, name, queries),
                           "integrity": await integrity_pages.archive_summary(datasette, name)})
    return {"provcat_catalogues": catalogues}


# ----------------------------------------------------------------------------------------------
# extra_template_vars
# ----------------------------------------------------------------------------------------------


def _single_pk(request: Any) -> str | None:
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    return pks[0] if len(pks) == 1 else None


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None, view_name: str,
                        request: Any, datasette: Any) -> Callable[[], Awaitable[dict[str, Any]]] | None:
    if view_name == "index":
        return lambda: index_page_vars(datasette, request)
    if view_name != "row" or table not in (DOCUMENTS, ENTITIES) or database is None or request is None:
        return None
    page_vars = document_page_vars if table == DOCUMENTS else entity_page_vars

    async def inner() -> dict[str, Any]:
        pk = _single_pk(request)
        return {} if pk is None else await page_vars(datasette, database, pk)

    return inner
