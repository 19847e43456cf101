"""What an archivist types into a search box, made a safe FTS5 query (pure).

The operators, as the search page documents them in one line:

* ``"a phrase"`` — the words next to one another, in that order;
* ``word OR other`` — either (``OR`` in capitals joins the terms on each side of it);
* ``NOT word`` or ``-word`` — documents or quotes without it;
* ``begin*`` — any word that begins so. In a stemmed index (every catalogue built by this version)
  FTS5 reduces the beginning typed to its stem as it does every word, so a beginning the stemmer
  shortens finds a little more than typed (``protes*`` looks for ``prote*``: *protest*, but also
  *protect*); a document opened from the search marks exactly what was found.

Every other word is required. Each term is written as an FTS5 string (``"…"``), so nothing typed is
ever read as FTS5 syntax: column filters, ``NEAR``, ``^``, parentheses, colons and ``+`` are words
and punctuation like any other. What cannot be read as intended falls back to plain terms instead
of failing: an unbalanced ``"`` is dropped, an operator with nothing to act on (``OR`` at either
end, two in a row, ``NOT`` at the end, a lone ``-`` or ``*``) is left out, and when nothing is
left to find but words to leave out, those words (and any operator typed) are searched for as
plain terms. A term with no letter or digit (``…``, ``&``) is dropped: it could match nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: The most terms one search keeps (the rest are left out, with a note): far more than anyone
#: types, few enough that the query stays instant.
MAX_TERMS = 32

_PIECES = re.compile(r'-*"[^"]*"\*?|[^\s"]+')
_OPERATORS = ("OR", "NOT", "AND")


@dataclass(frozen=True)
class Term:
    """One word or phrase: ``text`` as typed (without its quotes, ``-`` or ``*``)."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def fts(self) -> str:
        return '"' + self.text.replace('"', '""') + '"' + ("*" if self.prefix else "")

    def shown(self) -> str:
        words = f'"{self.text}"' if self.phrase else self.text
        return words + ("*" if self.prefix else "")


@dataclass(frozen=True)
class SearchQuery:
    """A search as understood: ``groups`` all required, each group one term or several joined by
    OR; ``excluded`` terms left out. ``fts`` is the FTS5 query, None when there is nothing to find."""

    typed: str
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def fts(self) -> str | None:
        if not self.groups:
            return None
        parts = [g[0].fts() if len(g) == 1 else "(" + " OR ".join(t.fts() for t in g) + ")" for g in self.groups]
        found = " ".join(parts)
        if not self.excluded:
            return found
        return f"({found})" + "".join(f" NOT {t.fts()}" for t in self.excluded)

    @property
    def terms(self) -> list[Term]:
        """Every term searched for (not those left out), in the order typed."""
        return [t for g in self.groups for t in g]

    def shown(self) -> str:
        """The search as understood, written back with its operators."""
        found = " ".join(" OR ".join(t.shown() for t in g) for g in self.groups)
        return " ".join([found, *(f"-{t.shown()}" for t in self.excluded)]).strip()


def _has_word(text: str) -> bool:
    """Whether FTS5's unicode61 tokenizer finds a token in ``text``: a letter, a digit or a
    private-use character."""
    return any(unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Co" for ch in text)


def _term(piece: str) -> Term | None:
    prefix = piece.endswith("*")
    body = piece.rstrip("*")
    phrase = body.startswith('"') and body.endswith('"') and len(body) >= 2
    text = body[1:-1] if phrase else body.lstrip("*")
    text = " ".join(text.split())
    return Term(text, phrase, prefix) if _has_word(text) else None


def _balanced(typed: str) -> tuple[str, bool]:
    """``typed`` with its last double quote dropped when it has an odd number of them."""
    if typed.count('"') % 2 == 0:
        return typed, False
    at = typed.rfind('"')
    return typed[:at] + " " + typed[at + 1:], True


def parse(typed: str | None) -> SearchQuery:
    """The search ``typed`` means (see the module's description)."""
    original = typed or ""
    text, unbalanced = _balanced(original)
    notes: list[str] = []
    if unbalanced:
        notes.append("A double quote had no partner: it was left out.")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    words: list[Term] = []  # every term as a plain one, in case nothing is left to find
    operators: list[Term] = []
    join_next = negate_next = stray = False
    for match in _PIECES.finditer(text):
        raw = match.group(0)
        if raw in _OPERATORS:
            operators.append(Term(raw))
            if raw == "OR":
                stray |= join_next or not groups
                join_next = bool(groups)
            elif raw == "NOT":
                stray |= negate_next
                negate_next = True
            continue
        negate = negate_next or raw.startswith("-")
        term = _term(raw.lstrip("-"))
        if term is None:
            # a lone - or *, or an empty phrase, is an operator with nothing to act on; other
            # punctuation simply has nothing to find
            stray |= not raw.strip('-*"')
            continue
        if len(words) == MAX_TERMS:
            notes.append(f"Only the first {MAX_TERMS} words and phrases were searched for.")
            break
        words.append(term)
        if negate:
            excluded.append(term)
            stray |= join_next
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = negate_next = False
    stray |= join_next or negate_next
    if not groups and (words or operators):
        notes.append("Nothing was left to find, so the words were searched for as typed.")
        return SearchQuery(original, tuple((t,) for t in words or operators), (), tuple(notes))
    if stray:
        notes.append("An operator with nothing to act on was left out.")
    return SearchQuery(original, tuple(tuple(g) for g in groups), tuple(excluded), tuple(notes))


def fts_query(typed: str | None) -> str:
    """The FTS5 query for ``typed``; the empty phrase (which matches nothing) when there is nothing
    to find."""
    return parse(typed).fts or '""'
