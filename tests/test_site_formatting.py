"""How values are written: confidences, excerpts, and links only to what is safe to link to."""

from __future__ import annotations

import pytest

from provcat.site import formatting


def test_a_confidence_has_two_decimals_or_says_unknown() -> None:
    assert [formatting.confidence_text(v) for v in (0.9, 1, 0.456, 0.0, None)] == ["0.90", "1.00", "0.46", "0.00",
                                                                                   "unknown"]


def test_excerpt_cuts_at_a_word_near_the_limit() -> None:
    assert formatting.excerpt("short", 10) == "short"
    assert formatting.excerpt("alpha beta gamma delta", 12) == "alpha beta…"
    assert formatting.excerpt("x" * 50, 10) == "x" * 10 + "…"


@pytest.mark.parametrize(("value", "expected"), [
    ("Q42", "https://www.wikidata.org/wiki/Q42"), (" Q858 ", "https://www.wikidata.org/wiki/Q858"),
    ("Q0", None), ("q42", None), ("javascript:alert(1)", None), ("Q42/../x", None), ("", None), (None, None)])
def test_wikidata_links_only_item_ids(value: str | None, expected: str | None) -> None:
    assert formatting.wikidata_url(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("https://example.org/a?b=c", "https://example.org/a?b=c"), ("HTTP://x.org", "HTTP://x.org"),
    ("javascript:alert(1)", None), ("data:text/html,x", None), ("//evil.org", None), ("https://a b", None),
    ("", None), (None, None)])
def test_web_url_accepts_only_http_addresses(value: str | None, expected: str | None) -> None:
    assert formatting.web_url(value) == expected


def test_the_default_excerpt_is_the_documents_table_pages() -> None:
    text = "word " * formatting.EXCERPT_CHARACTERS
    assert formatting.excerpt(text) == formatting.excerpt(text, formatting.EXCERPT_CHARACTERS)
    assert len(formatting.excerpt(text)) <= formatting.EXCERPT_CHARACTERS + 1
