"""Search snippets: everything escaped, the marked words in ``<mark>``, stray markers dropped."""

from __future__ import annotations

import pytest
from html_fragments import parse

from provcat.site import snippets

OPEN, CLOSE = snippets.SNIPPET_OPEN, snippets.SNIPPET_CLOSE


def test_snippet_marks_the_matches_after_escaping() -> None:
    html = snippets.snippet_markup(f"<b>{OPEN}Neumann{CLOSE}</b> & {OPEN}<i>x</i>{CLOSE}")
    assert html == ('<span class="provcat-snippet">&lt;b&gt;<mark>Neumann</mark>&lt;/b&gt; &amp; '
                    "<mark>&lt;i&gt;x&lt;/i&gt;</mark></span>")


@pytest.mark.parametrize("snippet", [f"{OPEN}open only", f"close only{CLOSE}", f"{CLOSE}reversed{OPEN}",
                                     f"{OPEN}{OPEN}x{CLOSE}{CLOSE}", ""])
def test_snippet_with_stray_markers_is_well_formed(snippet: str) -> None:
    html = snippets.snippet_markup(snippet)
    parse(html)
    assert OPEN not in html and CLOSE not in html
