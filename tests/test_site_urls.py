"""The addresses of the site's pages: documents (at a quote's anchor), entities, which page a request
is for, and table and query URLs built once per request."""

from __future__ import annotations

import pytest
from fake_datasette import FakeDatasette, FakeUrls

from provcat.site import urls
from provcat.site.served_request import serving


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/catalogue/documents/article", True),
        ("/catalogue/documents/sub~2Fdoc", True),
        ("/catalogue/documents", False),
        ("/catalogue/documents/", False),
        ("/catalogue/documents/article.json", False),
        ("/catalogue/documents/article.blob", False),
        ("/catalogue/quotes/1", False),
        ("/catalogue/documents_fts/1", False),
        (None, False),
    ],
)
def test_is_row_page(path: str | None, expected: bool) -> None:
    assert urls.is_row_page(path, "/catalogue/documents") is expected


@pytest.mark.parametrize(("path", "expected"), [("/c/search", True), ("/c/search.json", False), ("/c/search/x", False),
                                                ("/c", False), ("", False), (None, False)])
def test_is_page(path: str | None, expected: bool) -> None:
    assert urls.is_page(path, "/c/search") is expected


def test_a_document_links_to_its_row_page_and_a_quote_to_its_anchor() -> None:
    site = FakeDatasette()
    assert urls.document_url(site, "c", "a/b c") == "/c/documents/a~2Fb+c"
    assert urls.document_url(site, "c", "a", 7) == "/c/documents/a#q-7"
    assert urls.document_url(site, "c", "a", "7") == urls.document_url(site, "c", "a", None) == "/c/documents/a"
    assert urls.entity_url(site, "c", "peter/neumann") == "/c/entities/peter~2Fneumann"


class CountingUrls(FakeUrls):
    def __init__(self) -> None:
        self.built: list[str] = []

    def table(self, database: str, table: str) -> str:
        self.built.append(table)
        return super().table(database, table)

    def query(self, database: str, query: str) -> str:
        self.built.append(query)
        return super().query(database, query)


def test_table_and_query_urls_are_built_once_per_request() -> None:
    site = FakeDatasette()
    site.urls = counting = CountingUrls()
    for _ in range(2):
        with serving("/c/documents"):
            for _ in range(3):
                assert urls.table_url(site, "c", "documents") == "/c/documents"
                assert urls.query_url(site, "c", "search") == "/c/search"
    assert counting.built == ["documents", "search"] * 2
    urls.table_url(site, "c", "documents")
    urls.table_url(site, "c", "documents")  # outside a request: built each time
    assert counting.built[4:] == ["documents", "documents"]
