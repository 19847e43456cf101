"""The rows of the ready-made questions (canned queries) and of SQL run on a catalogue, linked by
their columns' names (``render_cell`` on a query page).

A question returns the catalogue's own column names, and each shows as a link to what it names:

* ``document`` (a title) beside ``document_id``: the document's title, linked to its page — at the
  quote's place when the row has a ``quote``;
* ``document_id``: the id, linked to the document's page;
* ``quote`` (a number) beside ``document_id``: "quote N", linked to the quote in place
  (``/<database>/documents/<id>#q-<quote id>``);
* ``speaker`` beside ``speaker_entity_id``, and ``entity`` beside ``entity_id``: the name, linked to
  the entity's page; ``speaker_entity_id`` and ``entity_id``: the id, linked to it;
* ``run`` or ``run_id`` (a number): the run of the fixity history, linked to its record;
* ``in_place`` (``quote_place(document_id, quote)``, an address on this site): a link to the quote
  in its document — the JSON and CSV give the address;
* a column ending in ``_url`` holding an http(s) address: a link to it;
* ``snippet``: the matching words (between U+E000 and U+E001) in ``<mark>``, everything escaped.

Everything else shows as Datasette shows it; the JSON and CSV of a question give the values.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from .formatting import web_url
from .snippets import snippet_markup
from .urls import document_url, entity_url

FIXITY_RUNS = "fixity_runs"
#: A question's column holding the address of a quote in its document (``quote_place()``).
IN_PLACE = "in_place"


def link(href: str, text: Any) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


def row_value(row: Any, column: str) -> Any:
    try:
        return row[column]
    except (IndexError, KeyError, TypeError):
        return None


def is_query_page(path: str | None, database_url: str) -> bool:
    """Whether a request path is the SQL page of a database or one of its canned queries (the
    pages on which Datasette renders a cell without a table)."""
    if not path:
        return False
    if path == database_url:
        return True
    rest = path[len(database_url) + 1:] if path.startswith(database_url + "/") else ""
    return bool(rest) and "/" not in rest


def render_question_cell(row: Any, value: Any, column: str, database: str, datasette: Any) -> Markup | None:
    """A cell of a question's rows as a link to what it names (see the module); None when its
    column follows none of the conventions, or its value is empty."""
    if value is None or value == "":
        return None
    if column == "snippet":
        return snippet_markup(value) if isinstance(value, str) else None
    if column in ("run", "run_id"):
        return link(str(datasette.urls.row(database, FIXITY_RUNS, str(value))), f"run {value}") \
            if isinstance(value, int) else None
    if column == IN_PLACE:
        return link(value, "the quote in place") if isinstance(value, str) and value.startswith("/") else None
    if column.endswith("_url"):
        url = web_url(value) if isinstance(value, str) else None
        return link(url, value) if url else None
    return _document_cell(row, value, column, database, datasette) or \
        _entity_cell(row, value, column, database, datasette)


def _document_cell(row: Any, value: Any, column: str, database: str, datasette: Any) -> Markup | None:
    document_id = row_value(row, "document_id")
    if document_id is None or column not in ("document", "document_id", "quote"):
        return None
    quote_id = row_value(row, "quote")
    if column == "document":
        return link(document_url(datasette, database, str(document_id), quote_id), value)
    if column == "document_id":
        return link(document_url(datasette, database, str(document_id)), value)
    if isinstance(value, int):
        return link(document_url(datasette, database, str(document_id), value), f"quote {value}")
    return None


def _entity_cell(row: Any, value: Any, column: str, database: str, datasette: Any) -> Markup | None:
    if column in ("speaker_entity_id", "entity_id"):
        return link(entity_url(datasette, database, str(value)), value)
    named = {"speaker": "speaker_entity_id", "entity": "entity_id"}.get(column)
    entity_id = row_value(row, named) if named else None
    if entity_id:
        return link(entity_url(datasette, database, str(entity_id)), value)
    return None
