"""How the catalogue's cells show (``render_cell``).

* On a document's row page the ``text`` column shows the document highlighted
  (:mod:`provcat.site.highlight`): its quotes, its entity mentions and its cues.
* On the documents table page the ``text`` column shows the beginning of the text only, the
  ``content`` column (the exact archived bytes) its size and a download link, and the digests and
  type features are shortened.
* The rows of the ready-made questions (canned queries, the ``search`` query's among them) and of
  SQL link to the documents, quotes, entities and runs they name, by their columns' names
  (:mod:`provcat.site.questions`), and show the matching words of a snippet as ``<mark>``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from datasette.utils import tilde_encode
from markupsafe import Markup, escape

from .document_reading import document_reading, kept_html
from .formatting import EXCERPT_CHARACTERS, excerpt
from .highlight import highlight
from .questions import is_query_page, render_question_cell
from .served_request import request_path
from .urls import DOCUMENTS, database_url, document_url, is_page, is_row_page, table_url


def content_summary(size: int, download_url: str) -> Markup:
    """What the content BLOB shows instead of its bytes."""
    unit = "byte" if size == 1 else "bytes"
    return Markup(f'<a class="blob-download" href="{escape(download_url)}">{size:,} {unit}</a> '
                  '<span class="provcat-note">the exact bytes as archived, hashed for fixity '
                  "(sha256, sha512); read them in the text column</span>")


def text_excerpt(text: str, document_url: str) -> Markup:
    """What the text column shows on the documents table page: its beginning, escaped."""
    if len(text) <= EXCERPT_CHARACTERS:
        return Markup(f'<span class="provcat-excerpt">{escape(text)}</span>')
    return Markup(f'<span class="provcat-excerpt">{escape(excerpt(text))}</span> <a class="provcat-read" '
                  f'href="{escape(document_url)}">read all {len(text):,} characters</a>')


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


def _row_value(row: Any, column: str) -> Any:
    try:
        return row[column]
    except (IndexError, KeyError, TypeError):
        return None


def _row_id(row: Any) -> str | None:
    value = _row_value(row, "id")
    return None if value is None else str(value)


async def highlighted_text(datasette: Any, database: str, document_id: str, text: str) -> Markup | None:
    """The document's text as highlighted HTML (:func:`highlight`); None when the database is not a
    provcat catalogue. Kept with the reading for an immutable catalogue."""
    reading = await document_reading(datasette, database, document_id)
    if reading is None:
        return None
    return kept_html(datasette, database, document_id, "text",
                     lambda entities_url: highlight(text, reading.mentions, reading.quotes, entities_url, reading.cues,
                                                    hidden=reading.hidden))


def _render_text(text: str, document_id: str, database: str, datasette: Any) -> Callable[[], Awaitable[Any]]:
    async def inner() -> Markup | None:
        # None when the database is not a provcat catalogue: Datasette renders the plain text
        return await highlighted_text(datasette, database, document_id, text)

    return inner


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


def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | Callable[[], Awaitable[Any]] | None:
    """How a cell shows: for a document's cells and the rows of questions and SQL, its HTML (or a
    function that makes it); None leaves the cell as Datasette shows it."""
    if table == DOCUMENTS:
        return _render_document_cell(row, value, column, database, datasette)
    if table is None:
        path = request_path()
        if path and is_query_page(path, database_url(datasette, database)):
            return render_question_cell(row, value, column, database, datasette)
    return None
