"""How the cells show: a document's content as its size, its text's beginning and its digests
shortened on the table page, and the rows of every question linked and marked
(tests/test_site_questions.py for each convention)."""

from __future__ import annotations

from fake_datasette import FakeDatasette
from html_fragments import inner_text, tags

from provcat.site import cells
from provcat.site.formatting import EXCERPT_CHARACTERS
from provcat.site.served_request import serving


def test_digest_summary_keeps_the_whole_digest_on_hover() -> None:
    (code,) = tags(cells.digest_summary("0123456789abcdef0123"), "code")
    assert code["title"] == "0123456789abcdef0123"
    assert "title" not in tags(cells.digest_summary("abc"), "code")[0]


def test_content_summary_gives_size_and_link() -> None:
    html = cells.content_summary(2_115_000, "/catalogue/documents/a.blob?_blob_column=content")
    assert "2,115,000 bytes" in html
    assert tags(html, "a")[0]["href"] == "/catalogue/documents/a.blob?_blob_column=content"


def test_render_cell_leaves_other_tables_and_columns_alone() -> None:
    fake = FakeDatasette()
    elsewhere = [("quotes", "text"), ("documents", "title"), (None, "text"), ("entities", "content")]
    for table, column in elsewhere:
        assert cells.render_cell(row={"id": "a"}, value="x", column=column, table=table, database="c",
                                  datasette=fake) is None


def render_on(path: str | None, **kw: object) -> object:
    with serving(path):
        return cells.render_cell(datasette=FakeDatasette(), database="c", **kw)  # type: ignore[arg-type]


def test_render_cell_shows_the_beginning_of_the_text_on_the_table_page() -> None:
    short = render_on("/c/documents", row={"id": "a"}, value="<b>x</b>", column="text", table="documents")
    assert short == '<span class="provcat-excerpt">&lt;b&gt;x&lt;/b&gt;</span>'
    long_text = "<i>word</i> " * 1000
    html = str(render_on("/c/documents", row={"id": "a/b"}, value=long_text, column="text", table="documents"))
    assert len(inner_text(html)) < EXCERPT_CHARACTERS + 40
    assert "<i>" not in html and "&lt;i&gt;word&lt;/i&gt;" in html
    assert tags(html, "a")[0]["href"] == "/c/documents/a~2Fb"
    assert f"read all {len(long_text):,} characters" in html


def test_render_cell_shortens_digests_and_features_on_the_table_page() -> None:
    digest = "ab" * 32
    html = str(render_on("/c/documents", row={"id": "a"}, value=digest, column="sha256", table="documents"))
    assert tags(html, "code")[0]["title"] == digest
    assert inner_text(html) == digest[:cells.DIGEST_CHARACTERS] + "…"
    folded = str(render_on("/c/documents", row={"id": "a"}, value='{"x": "<b>"}', column="type_features",
                           table="documents"))
    assert "<details" in folded and "&lt;b&gt;" in folded
    # elsewhere (a custom SQL page, the row page) digests are whole
    assert render_on("/c", row={"id": "a"}, value=digest, column="sha256", table="documents") is None
    assert render_on("/c/documents/a", row={"id": "a"}, value=digest, column="sha256", table="documents") is None


def test_render_cell_on_the_search_page_links_and_marks() -> None:
    row = {"document_id": "a/b", "quote": 7, "speaker_entity_id": "peter-neumann", "snippet": "x"}
    path = "/c/search"
    title = str(render_on(path, row=row, value="<T>", column="document", table=None))
    assert tags(title, "a")[0]["href"] == "/c/documents/a~2Fb#q-7" and "&lt;T&gt;" in title
    quote_link = str(render_on(path, row=row, value=7, column="quote", table=None))
    assert tags(quote_link, "a")[0]["href"] == "/c/documents/a~2Fb#q-7"
    speaker = str(render_on(path, row=row, value="Peter", column="speaker", table=None))
    assert tags(speaker, "a")[0]["href"] == "/c/entities/peter-neumann"
    snippet = str(render_on(path, row=row, value="<b>\ue000hit\ue001</b>", column="snippet", table=None))
    assert "<mark>hit</mark>" in snippet and "&lt;b&gt;" in snippet
    document_row = {**row, "quote": None}
    title = str(render_on(path, row=document_row, value="T", column="document", table=None))
    assert tags(title, "a")[0]["href"] == "/c/documents/a~2Fb"
    # every question's rows and SQL's are linked the same way; other pages are left alone
    assert "<mark>x</mark>" in str(render_on("/c/search_quotes", row=row, value="\ue000x\ue001", column="snippet",
                                             table=None))
    assert tags(str(render_on("/c", row=row, value="T", column="document", table=None)), "a")
    assert render_on("/c/documents/a", row=row, value="T", column="document", table=None) is None
    assert render_on(None, row=row, value="T", column="document", table=None) is None
