"""SQL functions for fixity and search, and the limits on what a served query can do with them.

* ``sha256_hex(value)`` / ``sha512_hex(value)``: lowercase hex digest of a BLOB (TEXT is hashed as its
  UTF-8 bytes; NULL gives NULL), so integrity can be checked in SQL:
  ``select id from documents where sha256_hex(content) != sha256``.
* ``fts_escape(query)``: turns what an archivist types into a safe FTS5 query: every word quoted and
  required, with the search page's operators (``"a phrase"``, ``OR``, ``NOT`` or ``-word``,
  ``begin*``; :mod:`provcat.site.search_syntax`), so nothing in a search box becomes an SQL error.
* Limits on what a served query can make these functions and SQLite do: no string or blob longer
  than the largest value a catalogue holds (``MAX_VALUE_BYTES``), at most ``MAX_HASHED_BYTES`` hashed
  per call, numbers refused, searches of at most ``MAX_SEARCH_CHARACTERS``, one hash at a time per
  core but one, and no call once the query is past Datasette's time limit.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from datasette.utils import tilde_encode

from .search_syntax import fts_query

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
    """The FTS5 query for what was typed (:func:`provcat.site.search_syntax.fts_query`): every word
    required, phrases in double quotes kept, ``OR``, ``NOT`` / ``-word`` and ``begin*`` as the search
    page documents them. A query with nothing to find becomes the empty phrase, which matches
    nothing instead of failing; one longer than :data:`MAX_SEARCH_CHARACTERS` is refused."""
    if isinstance(query, str | bytes | memoryview):
        _refuse_larger(len(query), MAX_SEARCH_CHARACTERS)
    return fts_query(str(query or ""))


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


def quote_place(documents_url: str) -> Callable[[Any, Any], str | None]:
    """``quote_place(document_id, quote_id)``: the address of a quote in its document's page on this
    site, ``<documents_url>/<tilde-encoded id>#q-<quote id>``; NULL when either is NULL."""

    def place(document_id: Any, quote_id: Any) -> str | None:
        if document_id is None or quote_id is None:
            return None
        return f"{documents_url}/{tilde_encode(str(document_id))}#q-{int(quote_id)}"

    return place


def register_functions(conn: sqlite3.Connection, documents_url: str | None = None) -> None:
    """The SQL functions on a served connection; ``quote_place`` when the address of the documents
    table is known."""
    conn.create_function("sha256_hex", 1, _served_hash(conn, hashlib.sha256), deterministic=True)
    conn.create_function("sha512_hex", 1, _served_hash(conn, hashlib.sha512), deterministic=True)
    conn.create_function("fts_escape", 1, fts_escape, deterministic=True)
    if documents_url is not None:
        conn.create_function("quote_place", 2, quote_place(documents_url), deterministic=True)
