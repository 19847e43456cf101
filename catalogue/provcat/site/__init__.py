"""The site archivists read: the Datasette plugin that publishes a catalogue.

Datasette loads it from :mod:`provcat.site.hooks` (the ``datasette`` entry point in pyproject.toml),
whose hooks hand the work to these modules; each imports only those listed before it:

* :mod:`~provcat.site.search_syntax` (pure): what is typed into a search box, made a safe FTS5 query
  with the search page's operators;
* :mod:`~provcat.site.sql_functions`: ``sha256_hex``, ``sha512_hex`` and ``fts_escape`` for SQL, and
  the limits on what a served query can do with them;
* :mod:`~provcat.site.spans`, :mod:`~provcat.site.speakers`, :mod:`~provcat.site.formatting`,
  :mod:`~provcat.site.highlight` and :mod:`~provcat.site.snippets` (pure): the spans laid over a
  document's text, its speakers and their colours, how values are written, the highlighted text
  (every character of a document HTML-escaped: a document may contain markup, it never runs) and the
  search snippets;
* :mod:`~provcat.site.reopening` and :mod:`~provcat.site.served_request`: a catalogue a build has
  replaced reopened, and what the hooks keep for each request (Datasette 0.65 does not pass the
  request to ``render_cell``);
* :mod:`~provcat.site.urls`: the addresses of the pages;
* :mod:`~provcat.site.document_reading`: a document read from the catalogue for its page, and kept;
* :mod:`~provcat.site.questions`: the rows of the ready-made questions and of SQL, linked to the
  documents, quotes, entities and runs they name;
* :mod:`~provcat.site.cells`: how a document's cells and the questions' rows show;
* :mod:`~provcat.site.plain_tracebacks` and :mod:`~provcat.site.served_metadata`: Datasette's error
  handler kept from turning a 404 into a 500, and its permission checks from deep-copying the
  metadata;
* :mod:`~provcat.site.search_index`, :mod:`~provcat.site.search_page` and
  :mod:`~provcat.site.document_hits`: the search page (documents and quotes ranked and counted
  apart, with facets, and its JSON) and a document opened from it, its matches marked;
* :mod:`~provcat.site.integrity_pages`, :mod:`~provcat.site.document_page`,
  :mod:`~provcat.site.entity_page` and :mod:`~provcat.site.home_page`: what the integrity page, a
  document's and an entity's row pages and the home page show.

The templates are in ``catalogue/provcat/templates``.
"""
