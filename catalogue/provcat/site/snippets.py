"""Search snippets (pure): the ``search`` canned query marks the matching words with two private-use
characters (``SNIPPET_OPEN``, ``SNIPPET_CLOSE``), which become ``<mark>`` only after the snippet has
been escaped."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

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
