"""Speakers of unlabelled recordings: people who introduce themselves or are introduced.

Captions and podcast transcripts often have no speaker labels; voices are known only because they
say who they are ("my name is Ana Ruiz", "Hello, I'm Tom Baker", "Lena Park here") or
because someone hands over to them ("please welcome …", "his name's Omar Haddad", "welcome to the
stage … Jane Doe"). Only capitalised names are taken, and a name the entity model calls an
organisation or a place is not a person introducing themselves.

* ``rule:self-introduction``: the quote is the self-introduction itself, the speaker's own words.
* ``rule:introduced``: the quote is the line that follows the hand-over, with a low confidence: the
  recording is assumed to go over to the person introduced.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from ..models import Mention, Quote
from . import check_count
from .entities import TITLES
from .lookup import MentionIndex

NAME = r"(?P<name>[A-Z][\w'\u2019-]+(?:[ \t]+(?:[A-Z][\w'\u2019-]+|de|van|von|al|bin|da)){0,3})"
SELF = [
    re.compile(r"\b(?:[Mm]y name is|[Mm]y name's|I'm|I am)[ \t]+" + NAME),
    re.compile(r"(?:^|(?<=[.!?]\s)|(?<=\n))[ \t]*" + NAME + r"[ \t]+here\b(?:[ \t]+(?:from|with|at)\b)"),
]
OTHERS = [
    re.compile(r"\b(?:[Pp]lease welcome|[Ww]elcome to the stage|[Jj]oining (?:me|us)(?: now| today)? is|"
               r"(?:I'm|I am|we're|we are) joined by|(?:his|her|their) name(?:'s| is))\b"),
]
_CAPITALISED = re.compile(NAME)
NOT_NAMES = frozenset("""
Going Gonna Just Here Really Sure Not So Very Glad Happy Excited Looking Trying Also Still Now Back Sorry
Good Fine Okay OK Thank Thanks The A An This That It Today Tonight Yes No I I'm I've I'll I'd I’m
""".split())
SELF_CONFIDENCE = 0.8
INTRODUCED_CONFIDENCE = 0.5


def _clean_name(raw: str) -> str:
    """Drop trailing non-names ("Ana Ruiz I'm") and leading titles or acronyms ("CEO Jane Doe")."""
    words = raw.split()
    while words and words[-1] in NOT_NAMES:
        words.pop()
    while len(words) > 1 and (words[0].isupper() or words[0].lower() in TITLES):
        words.pop(0)
    return " ".join(words)


MAX_INTRODUCTION = 160


def _sentence_end(view: str, at: int) -> int:
    """End of the sentence from ``at``; unpunctuated captions are cut at a word boundary."""
    m = re.compile(r"[.!?](?=\s)|\n").search(view, at, at + MAX_INTRODUCTION)
    if m:
        return m.start() + (0 if view[m.start()] == "\n" else 1)
    end = min(len(view), at + MAX_INTRODUCTION)
    space = view.rfind(" ", at, end)
    return space if end < len(view) and space > at else end


def _speaker(name: str, start: int, mentions: MentionIndex) -> tuple[str, str | None, bool]:
    """(label, entity name, acceptable) for a name found at ``start``."""
    m = mentions.first_overlapping(start, start + len(name))
    if m is None:
        return name, name, True
    if m.type != "person":
        return name, None, False
    return m.name, m.name, True


class Lines:
    """The lines of a document, each asked at most once for the next line with something to read."""

    def __init__(self, text: str, view: str) -> None:
        self.text, self.view = text, view
        self.breaks = [m.start() for m in re.finditer("\n", text)]
        self._readable: dict[int, tuple[int, int] | None] = {}  # line break -> the next readable line

    def after(self, at: int) -> tuple[int, int] | None:
        """(start, end) of the next line of the stored text after ``at`` with something to read in
        the view (timestamps are blank there), trimmed of blanks; None when there is none."""
        first = j = bisect_left(self.breaks, at)
        found: tuple[int, int] | None = None
        while j < len(self.breaks):
            if j in self._readable:
                found = self._readable[j]
                break
            pos = self.breaks[j]
            end = self.breaks[j + 1] if j + 1 < len(self.breaks) else len(self.text)
            line = self.view[pos + 1:end]
            if line.strip():
                start = pos + 1 + (len(line) - len(line.lstrip()))
                found = (start, pos + 1 + len(line.rstrip()))
                break
            j += 1
        for k in range(first, min(j + 1, len(self.breaks))):
            self._readable[k] = found
        return found


def _name_mention(text: str, start: int, name: str, entity: str | None, method: str,
                  confidence: float, seen: MentionIndex) -> list[Mention]:
    """A mention of the person named at ``start``, unless a mention already covers part of it (the
    new mention is added to ``seen``)."""
    end = start + len(name)
    if entity is None or seen.first_overlapping(start, end) is not None:
        return []
    mention = Mention(start=start, end=end, surface=text[start:end], name=entity, type="person", method=method,
                      confidence=confidence)
    seen.add(mention)
    return [mention]


def introductions(text: str, view: str, mentions: list[Mention],
                  most: int | None = None) -> tuple[list[Quote], list[Mention]]:
    """Quotes credited to introduced speakers, and mentions of names the entity model missed
    (TooManyAssertions once there would be more than ``most`` of them)."""
    quotes: list[Quote] = []
    found: list[Mention] = []
    known = MentionIndex(mentions)
    seen = MentionIndex(mentions)  # and the names found here
    lines = Lines(text, view)
    for pattern in SELF:
        for match in pattern.finditer(view):
            name = _clean_name(match.group("name"))
            if not name or name.split()[0] in NOT_NAMES:
                continue
            start = match.start("name")
            label, entity, ok = _speaker(name, start, known)
            if not ok:
                continue
            q_start = match.start()
            while q_start < len(view) and view[q_start].isspace():
                q_start += 1
            q_end = _sentence_end(view, start + len(name))
            quotes.append(Quote(
                start=q_start, end=q_end, text=text[q_start:q_end], speaker=label, speaker_name=entity,
                speaker_type="person" if entity else None, cue=text[start:start + len(name)], cue_start=start,
                cue_end=start + len(name), kind="direct", method="rule:self-introduction",
                confidence=SELF_CONFIDENCE))
            found += _name_mention(text, start, name, entity, "rule:self-introduction", SELF_CONFIDENCE, seen)
            check_count(len(quotes) + len(found), most)
    for pattern in OTHERS:
        for match in pattern.finditer(view):
            # the person handed over to: the first capitalised name in the next few words that the
            # entity model does not call an organisation or a place ("Acme founder and CEO Jane Doe")
            window_end = min(len(view), match.end() + 80)
            newline = view.find("\n", match.end(), window_end)
            window_end = newline if newline >= 0 else window_end
            chosen = None
            for candidate in _CAPITALISED.finditer(view, match.end(), window_end):
                name = _clean_name(candidate.group("name"))
                if not name or name.split()[0] in NOT_NAMES or name.isupper():
                    continue
                label, entity, ok = _speaker(name, candidate.start("name"), known)
                if ok:
                    chosen = (name, candidate.start("name"), label, entity)
                    break
            if chosen is None:
                continue
            name, start, label, entity = chosen
            following = lines.after(start + len(name))
            if following is None:
                continue
            q_start, q_end = following
            quotes.append(Quote(
                start=q_start, end=q_end, text=text[q_start:q_end], speaker=label, speaker_name=entity,
                speaker_type="person" if entity else None, cue=text[match.start():start + len(name)],
                cue_start=match.start(), cue_end=start + len(name), kind="direct", method="rule:introduced",
                confidence=INTRODUCED_CONFIDENCE))
            found += _name_mention(text, start, name, entity, "rule:introduced", SELF_CONFIDENCE, seen)
            check_count(len(quotes) + len(found), most)
    return quotes, found
