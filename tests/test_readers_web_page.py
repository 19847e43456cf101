"""Web pages: main text without boilerplate, blocks as regions, the page's own description."""

import pytest
from format_files import WEB_PAGE

from provcat.errors import ProvcatError
from provcat.readers.web_page import MAX_PAGE_BYTES, read_web_page


def test_main_text_without_navigation_or_footer() -> None:
    read = read_web_page(WEB_PAGE.encode(), "page.html")
    assert read.text.startswith("Harbour council votes to close the quay\n\nThe Brackwater council voted")
    assert "Home" not in read.text and "All rights reserved" not in read.text
    assert "What comes next" in read.text
    assert read.encoding == "utf-8" and read.extracted_by.startswith("trafilatura ")


def test_blocks_are_regions_with_offsets_into_the_text() -> None:
    read = read_web_page(WEB_PAGE.encode(), "page.html")
    kinds = [(r.kind, r.locator) for r in read.regions]
    assert kinds == [("heading", "heading 1"), ("paragraph", "paragraph 1"), ("paragraph", "paragraph 2"),
                     ("heading", "heading 2"), ("paragraph", "paragraph 3")]
    assert read.text[read.regions[3].start:read.regions[3].end] == "What comes next"
    # a paragraph's line break in the source is not a break in the text
    assert "Ardmore. The decision follows" in read.text[read.regions[2].start:read.regions[2].end]


def best(embedded: list) -> dict:
    """The likeliest fact of each field, as the build chooses it."""
    chosen: dict = {}
    for fact in sorted(embedded, key=lambda f: -f.confidence):
        chosen.setdefault(fact.field, fact)
    return chosen


def test_description_with_date_and_time_from_json_ld() -> None:
    facts = best(read_web_page(WEB_PAGE.encode(), "page.html").embedded)
    assert (facts["title"].value, facts["title"].method) == ("Harbour council votes to close the quay",
                                                             "html:json-ld headline")
    assert facts["creator"].value == "Maren Tolliver"
    assert facts["publisher"].value == "The Kerrow Gazette"
    assert facts["source_url"].value == "https://gazette.example/2024/harbour-vote"
    assert (facts["date"].value, facts["date"].precision, facts["date"].method) == (
        "2024-03-05T14:30:00Z", "second", "html:json-ld datePublished")
    assert facts["language"].value == "en"
    assert all(f.source == "embedded metadata" for f in facts.values())


def test_title_of_a_menu_or_dialog_is_not_the_pages_title() -> None:
    """trafilatura may take the heading of a help dialog for the title; one that is neither in the
    main text nor in <title> loses to the <title> as written."""
    page = ("<html><head><title>Quay works - Ardmore harbour notes</title></head><body>"
            "<div class='help'><h2>Keyboard shortcuts</h2><p>Press S to search.</p></div>"
            "<main><h1>Quay works</h1><p>" + "The new quay in Ardmore will open in June, said the port authority. " * 8
            + "</p></main></body></html>")
    facts = best(read_web_page(page.encode(), "p.html").embedded)
    assert facts["title"].value in ("Quay works", "Quay works - Ardmore harbour notes")


def test_no_date_is_guessed_from_the_text() -> None:
    page = ("<html><head><title>Quay</title></head><body><p>" + "Copyright 2019 Ardmore. The quay will open. " * 10
            + "</p></body></html>")
    assert "date" not in {f.field for f in read_web_page(page.encode(), "p.html").embedded}


def test_date_from_a_meta_tag_when_there_is_no_json_ld() -> None:
    page = WEB_PAGE.split("<script")[0] + '<meta property="article:published_time" content="2023-11-02T08:15">' \
        + WEB_PAGE.split("</script>")[1]
    dates = [f for f in read_web_page(page.encode(), "p.html").embedded if f.field == "date"]
    assert [(d.value, d.precision, d.method) for d in dates] == [
        ("2023-11-02T08:15", "minute", "html:meta article:published_time")]


def test_windows_1252_page_is_decoded() -> None:
    page = WEB_PAGE.replace("Ardmore", "Ardmöre").replace('<meta charset="utf-8">', "")
    read = read_web_page(page.encode("cp1252"), "p.html")
    assert "Ardmöre" in read.text and read.encoding == "cp1252"


@pytest.mark.parametrize("page", [b"<html><body><nav>Home</nav></body></html>", b"   \n  ", b"<<<>>>"])
def test_a_page_without_main_text_is_one_line_error(page: bytes) -> None:
    with pytest.raises(ProvcatError, match=r"^p\.html: ") as caught:
        read_web_page(page, "p.html")
    assert "\n" not in str(caught.value)


def test_a_page_over_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(ProvcatError, match="larger than"):
        read_web_page(b"<p>" + b"a" * MAX_PAGE_BYTES + b"</p>", "big.html")


def test_markup_in_text_is_text_not_markup() -> None:
    page = WEB_PAGE.replace("its chairman.", "its chairman &lt;script&gt;alert(1)&lt;/script&gt; today.")
    assert "<script>alert(1)</script>" in read_web_page(page.encode(), "p.html").text
