"""Caption-like text: found by its casing, and recased for the entity model.

Automatic captions are written in one case (all lower case, or all capitals), usually without
sentence punctuation and hard-wrapped. The entity model reads a word's shape ("Xxxxx"), so in such
text it finds few names, and the entity rules keep only surfaces with a capital letter. A stretch of
the reading view whose words almost never start with a capital (or almost all do) is *caption-like*;
for it the entity model reads a **recased copy** instead: the same characters with only their case
changed — never a character inserted, removed or moved — so every offset found in the copy is an
offset into the document, and every surface is taken from the document itself.

A word is given a capital when it is

- a form of "I" ("i", "i'm", "i've", …), a month or a day of the week;
- part of a known name form written with capitals: a curated authority record's name or alias, or a
  gazetteer place (countries, US states, continents, and cities that are not common English words);
  the known form's own casing is copied ("McDonald", "New York");
- the word after "mr", "mrs", "ms" or "dr";
- tagged a proper noun by the pipeline's tagger reading the one-case text, when it is not a common
  English word (the model's lemmatizer tables), or is one the model's own training text wrote with a
  capital (its string store);
- not an English word at all (in none of the lemmatizer's word lists, no apostrophe, not a filler):
  "krumbholz" is more likely a name than "helped".

Mentions found this way are labelled ``model:<pipeline>+recased``, with a lower confidence than the
model on ordinary text, and their names are written in title case.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Authority, Mention
from . import gazetteer

#: A caption-like stretch: at most this share of its words (forms of "I" aside) start with a capital
#: (ordinary prose has 10 % and more; captions cased only where a name is, about 4 %) ...
MAX_CAPITALISED_SHARE = 0.02
#: ... or at least this share are written in capitals throughout.
MIN_CAPITALS_SHARE = 0.9
#: Fewer words than this: a stretch is judged with the whole document (a heading, a short cue).
MIN_STRETCH_WORDS = 30
#: A document of fewer words than this is never judged caption-like: too little to measure.
MIN_DOCUMENT_WORDS = 20

_WORD = re.compile(r"[^\W\d_][\w'\u2019]*")
_STRETCH = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")  # text between blank lines

I_FORMS = frozenset({"i", "i'm", "i've", "i'll", "i'd", "i\u2019m", "i\u2019ve", "i\u2019ll", "i\u2019d"})
CALENDAR = frozenset("""
january february april june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
""".split())
NAME_TITLES = frozenset({"mr", "mrs", "ms", "dr"})
#: Spoken fillers and informal forms that no word list has and that are never names.
FILLERS = frozenset("""
um umm uh uhh uhm erm hmm hm mm mmm mhm mmhm ah ahh aw oh ooh eh huh yeah yep yup nope nah okay ok
gonna wanna gotta kinda sorta lemme gimme dunno ya yo wow whoa hey hi bye haha lol cuz gosh duh
""".split())
#: Short words of a name that title case leaves in lower case ("University of Brackwater").
_SMALL_WORDS = frozenset("of the and for in on at to a an de del della di da du la le von van der den y".split())


def casing(text: str) -> tuple[str | None, int]:
    """('lower' or 'upper' when the words of ``text`` are written in one case, else None; the number
    of its words). Forms of "I" are left out of both."""
    words = capitalised = capitals = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        if word.lower().replace("\u2019", "'") in I_FORMS:
            continue
        words += 1
        capitalised += word[0].isupper()
        capitals += word.isupper()
    if not words:
        return None, 0
    if capitalised <= MAX_CAPITALISED_SHARE * words:
        return "lower", words
    if capitals >= MIN_CAPITALS_SHARE * words:
        return "upper", words
    return None, words


def caption_stretches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, 'lower' or 'upper') of the caption-like stretches (runs of text between blank
    lines). A stretch of fewer than ``MIN_STRETCH_WORDS`` words goes with the whole document's casing."""
    whole, words = casing(text)
    if words < MIN_DOCUMENT_WORDS:
        whole = None
    found: list[tuple[int, int, str]] = []
    for match in _STRETCH.finditer(text):
        kind, words = casing(match.group(0))
        if words < MIN_STRETCH_WORDS:
            kind = whole if words else None
        if kind is not None:
            found.append((match.start() + len(match.group(0)) - len(match.group(0).lstrip()), match.end(), kind))
    return found


def _lower(text: str) -> str:
    """``text`` in lower case, character for character (a character whose lower case is longer is kept)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def title_name(name: str) -> str:
    """A name found in one-case text, in title case: "university of brackwater" -> "University of Brackwater".
    A word that has a capital already keeps its casing ("McDonald")."""
    words = name.split()
    out = []
    for i, word in enumerate(words):
        if any(c.isupper() for c in word):
            out.append(word)
        elif i and word in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


@dataclass
class Lexicon:
    """What the recaser knows about English words, from the pinned pipeline's own tables."""

    index: dict[str, frozenset[str]]  # part of speech -> lemmas
    rules: dict[str, list[tuple[str, str]]]  # part of speech -> (suffix, replacement)
    exceptions: dict[str, frozenset[str]]  # part of speech -> irregular forms
    capitalised: Callable[[str], bool]  # a form the model's training text wrote with a capital
    stop_words: frozenset[str]
    _common: dict[str, bool] = field(default_factory=dict)

    def has(self, word: str, pos: str) -> bool:
        if word in self.index[pos] or word in self.exceptions[pos]:
            return True
        return any(old and word.endswith(old) and word[:len(word) - len(old)] + new in self.index[pos]
                   for old, new in self.rules[pos])

    def common(self, word: str) -> bool:
        """A function word, filler, or an English verb, adjective or adverb."""
        known = self._common.get(word)
        if known is None:
            known = self._common[word] = self._is_common(word)
            if len(self._common) > 100_000:
                self._common.clear()
        return known

    def _is_common(self, word: str) -> bool:
        return (word in self.stop_words or word in FILLERS or word in I_FORMS
                or self.has(word, "verb") or self.has(word, "adj") or self.has(word, "adv"))

    def english(self, word: str) -> bool:
        return self.common(word) or self.has(word, "noun")


def lexicon(nlp: object) -> Lexicon:
    from spacy.lang.en.stop_words import STOP_WORDS
    from spacy.strings import get_string_id

    lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    tables = {name: lookups.get_table(name) for name in ("lemma_index", "lemma_rules", "lemma_exc")}

    def part(name: str, pos: str) -> object:
        table = tables[name]
        return table.get(get_string_id(pos)) or table.get(pos) or {}

    poses = ("noun", "verb", "adj", "adv")
    strings = nlp.vocab.strings  # type: ignore[attr-defined]
    return Lexicon(
        index={p: frozenset(part("lemma_index", p)) for p in poses},  # type: ignore[arg-type]
        rules={p: [(old, new) for old, new in part("lemma_rules", p)] for p in poses},  # type: ignore[attr-defined]
        exceptions={p: frozenset(part("lemma_exc", p)) for p in poses},  # type: ignore[arg-type]
        capitalised=lambda w: w[:1].upper() + w[1:] in strings,
        stop_words=frozenset(STOP_WORDS),
    )


@lru_cache(maxsize=1)
def _place_forms() -> tuple[dict[str, str], frozenset[str]]:
    """Gazetteer names by lower case, and those (countries, states, continents) always names."""
    forms = {name.lower(): name for name in gazetteer.place_names()}
    return forms, frozenset(name.lower() for name in gazetteer.region_names())


def known_forms(authorities: Iterable[Authority], lex: Lexicon) -> dict[tuple[str, ...], str]:
    """Name forms written with capitals, by their lower-case words: authority names and aliases, and
    gazetteer places. A one-word place that is also a common English word ("nice", "mobile") is left
    out; countries, states and continents are kept."""
    places, regions = _place_forms()
    forms: dict[tuple[str, ...], str] = {}
    for low, name in places.items():
        words = tuple(_WORD.findall(low))
        if len(words) == 1 and low not in regions and (lex.common(low) or lex.has(low, "noun")
                                                       and not lex.capitalised(low)):
            continue
        if words and " ".join(words) == low:
            forms[words] = name
    for record in authorities:
        for form in (record.name, *record.aliases):
            if any(c.isupper() for c in form):
                words = tuple(w.lower() for w in _WORD.findall(form))
                if words and (len(words) > 1 or not lex.common(words[0])):
                    forms[words] = form
    return forms


#: The most words of a known name form.
LONGEST_FORM = 6
#: Titles before a name ("president obama", "professor jones"): the next word is given a capital when
#: it is not a common English word.
TITLE_WORDS = frozenset("president senator governor mayor professor judge sir saint st king queen prince princess "
                        "pope".split())
#: Spoken sounds written as words: "hmm", "mmkay", "unhunh", "yaay", "wooh", "shh".
_FILLER = re.compile(r"^(?:[hmnu]+|u*n?h+u+n?h+|m+kay|y+a+y+|w+o+h*|w+h*o+a*|s+h+|a+h+|o+h+|e+h+|a+w+|h+a+h+[ah]*)$")


def is_filler(word: str) -> bool:
    """A spoken sound or filler written as a word ("hmm", "mmkay", "unhunh", "yeah"), in lower case."""
    return word in FILLERS or bool(_FILLER.match(word))


def name_like(word: str, tagged: bool, lex: Lexicon) -> bool:
    """Whether a lower-case word is likely a name (or part of one): the tagger read it as a proper
    noun (``tagged``) and it is one the model's training text wrote with a capital, or not a common
    English word; or it is no English word at all."""
    if len(word) < 2 or "'" in word or word in lex.stop_words or is_filler(word):
        return False
    if tagged and lex.capitalised(word):
        return True
    if lex.common(word) or lex.has(word, "noun"):
        return False
    return tagged or len(word) >= 3


def recase(text: str, stretches: Sequence[tuple[int, int, str]], lex: Lexicon, forms: dict[tuple[str, ...], str],
           proper: Callable[[int], bool] = lambda _: False) -> str:
    """A copy of ``text`` whose caption-like stretches are given capitals where a name is likely (see
    the module's description); a stretch in capitals is lower-cased first, a lower-case one keeps the
    capitals it has. Outside them the text is unchanged. ``proper(offset)`` says whether the tagger
    read the word at that offset as a proper noun; a word it read so at least half the times it occurs
    is given a capital everywhere."""
    chars = list(text)
    words: list[tuple[int, str]] = []  # (offset, the word in lower case), in text order
    for start, end, kind in stretches:
        low = _lower(text[start:end])
        if kind == "upper":
            chars[start:end] = low
        words += [(start + m.start(), m.group(0).replace("\u2019", "'")) for m in _WORD.finditer(low)]
    tally: dict[str, list[int]] = {}  # word -> [occurrences, read as a proper noun]
    for at, word in words:
        counts = tally.setdefault(word, [0, 0])
        counts[0] += 1
        counts[1] += proper(at)
    everywhere = {w for w, (n, tagged) in tally.items()
                  if tagged and 2 * tagged >= n and name_like(w, True, lex) and not lex.common(w)}
    longest: dict[str, int] = {}  # first word of a known form -> the most words of one
    for form in forms:
        longest[form[0]] = max(longest.get(form[0], 0), len(form))
    capital: dict[int, str | None] = {}  # offset -> the known form's casing (None: first letter only)
    i = 0
    while i < len(words):
        most = min(longest.get(words[i][1], 0), LONGEST_FORM, len(words) - i)
        size = next((n for n in range(most, 0, -1) if tuple(w for _, w in words[i:i + n]) in forms), 0)
        if size:
            form = forms[tuple(w for _, w in words[i:i + size])]
            if len(form) == words[i + size - 1][0] + len(words[i + size - 1][1]) - words[i][0]:
                capital[words[i][0]] = form  # the same length: its casing is copied as it is
            else:
                capital.update((at, None) for at, _ in words[i:i + size])
            i += size
            continue
        at, word = words[i]
        following = words[i + 1][1] if i + 1 < len(words) else ""
        if word in I_FORMS or word in CALENDAR or word in everywhere:
            capital[at] = None
        elif following and (word in NAME_TITLES or word in TITLE_WORDS and "'" not in following
                            and not lex.common(following)):
            capital[at] = capital[words[i + 1][0]] = None
        elif name_like(word[:-2] if word.endswith("'s") else word, proper(at), lex):
            capital[at] = None
        i += 1
    for at, form in capital.items():
        if form is None:
            upper = chars[at].upper()
            if len(upper) == 1:
                chars[at] = upper
        else:
            for k, c in enumerate(form):
                if c.lower() == chars[at + k].lower():
                    chars[at + k] = c
    return "".join(chars)


class Recaser:
    """Recased copies of caption-like reading views, for one pipeline and set of authorities."""

    def __init__(self, nlp: object, authorities: Sequence[Authority] = ()) -> None:
        self.nlp = nlp
        self.authorities = authorities
        self._known: tuple[Lexicon, dict[tuple[str, ...], str]] | None = None

    def known(self) -> tuple[Lexicon, dict[tuple[str, ...], str]]:
        """The word lists and name forms, made when the first caption-like text is met."""
        if self._known is None:
            lex = lexicon(self.nlp)
            self._known = lex, known_forms(self.authorities, lex)
        return self._known

    def copy(self, view: str, pieces: Sequence[tuple[int, str]], joined: bool = False
             ) -> tuple[str | None, list[tuple[int, int, str]]]:
        """The recased copy of ``view`` (whose parsing ``pieces`` are given) and its caption-like
        stretches; (None, []) when there are none. The tagger reads the pieces first, for proper nouns
        (with the stretches in capitals lower-cased). Unless the view's lines are already ``joined``, a
        stretch of wrapped lines has its line breaks made spaces, so that a name wrapped over two lines
        is read as one."""
        stretches = caption_stretches(view)
        if not stretches:
            return None, []
        lowered = list(view)
        for start, end, kind in stretches:
            if kind == "upper":
                lowered[start:end] = _lower(view[start:end])
        low = "".join(lowered)
        proper: set[int] = set()
        with self.nlp.select_pipes(enable=["tok2vec", "tagger"]):  # type: ignore[attr-defined]
            docs = self.nlp.pipe([low[o:o + len(p)] for o, p in pieces])  # type: ignore[attr-defined]
            for (offset, _), doc in zip(pieces, docs, strict=True):
                proper.update(offset + t.idx for t in doc if t.tag_ in ("NNP", "NNPS"))
        copy = recase(view, stretches, *self.known(), proper.__contains__)
        if not joined:
            copy = join_wrapped(copy, stretches)
        return copy, stretches


#: A stretch whose lines have at least this many words on average is wrapped running text (a list
#: of names, one a line, is not).
MIN_WRAPPED_LINE_WORDS = 5


def join_wrapped(text: str, stretches: Sequence[tuple[int, int, str]]) -> str:
    """Line breaks inside wrapped caption-like stretches made spaces (same length)."""
    chars = list(text)
    for start, end, _ in stretches:
        lines = [line for line in text[start:end].split("\n") if line.strip()]
        if len(lines) > 1 and casing(text[start:end])[1] >= MIN_WRAPPED_LINE_WORDS * len(lines):
            for at in range(start, end):
                if chars[at] == "\n":
                    chars[at] = " "
    return "".join(chars)


#: The model reading a recased copy is right less often than on text cased by its writer.
RECASED_CONFIDENCE = 0.55


def mark_recased(mentions: Iterable[Mention], stretches: Sequence[tuple[int, int, str]]) -> list[Mention]:
    """The model's mentions inside caption-like ``stretches``: method ``…+recased``, the lower
    confidence, and the name in title case (the surface stays the document's own)."""
    starts = [start for start, _, _ in stretches]
    out: list[Mention] = []
    for m in mentions:
        i = bisect_right(starts, m.start) - 1
        if m.method.startswith("model:") and i >= 0 and m.start < stretches[i][1]:
            model, _, rest = m.method.partition("+")
            m = m.model_copy(update={
                "method": f"{model}+recased" + (f"+{rest}" if rest else ""),
                "confidence": min(m.confidence, RECASED_CONFIDENCE), "name": title_name(m.name)})
        out.append(m)
    return out
