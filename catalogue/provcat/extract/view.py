"""The reading view: the stored text with noise blanked out, character for character.

Extraction reads a view of the document in which markup, timestamps, caption line breaks and cue
headers are replaced by spaces of the same length. Because the view has exactly the length of the
stored text, every offset found in it is an offset into ``documents.text``; no offset map can drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Segment
from .turns import TIMESTAMP_PREFIX

#: Markup tags and doctypes (comments are found by :func:`blank_comments`). Every repetition is
#: bounded and stops at the next "<", so hostile text cannot make a match scan far.
_TAG = re.compile(r"<!DOCTYPE[^<>]{0,1000}>|</?[A-Za-z][^<>]{0,300}>")
_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,6}|#x[0-9A-Fa-f]{1,6});")
_MARKDOWN = re.compile(r"\*\*|__|\\(?=[\[\]_*#()])")
_INLINE_TIMESTAMP = re.compile(r"\\?\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\\?\]")
#: Stage directions of captions and transcripts: [Music], (Applause), [laughs], [inaudible 00:12]
_STAGE_DIRECTION = re.compile(
    r"\\?[\[(](?:music|applause|laughter|laughs|laughing|inaudible|crosstalk|silence|pause|cheering|cheers|"
    r"foreign|noise|coughs|sighs|chuckles|indistinct)[^\])\n]{0,40}\\?[\])]", re.I)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
#: The longest run of characters without a blank that the parser is given: spaCy's tokeniser strips
#: leading and trailing punctuation one character at a time, re-reading the rest of the run each
#: time, so a run of quotation marks costs the square of its length (10,000 of them took 14 s).
#: No word is this long; URLs, digests and encoded data are cut into pieces.
MAX_RUN = 100
_LONG_RUN = re.compile(f"\\S{{{MAX_RUN},}}")


def _blank(match: re.Match[str]) -> str:
    return blanks(match.group(0))


def blank_out(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(_blank, text)


def blanks(piece: str) -> str:
    """Spaces for every character of ``piece`` but its line breaks."""
    return "".join("\n" if ch == "\n" else " " for ch in piece)


def blank_comments(text: str) -> str:
    """Markup comments ``<!-- … -->`` blanked out. Found with two searches per comment rather than a
    regular expression: ``<!--.*?-->`` scans to the end of the text from every unclosed ``<!--``,
    which costs the square of the text's length when there are many."""
    parts: list[str] = []
    done = 0
    while (start := text.find("<!--", done)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # unclosed: no later comment can close either
        parts += [text[done:start], blanks(text[start:end + 3])]
        done = end + 3
    return "".join(parts) + text[done:] if parts else text


def reading_view(text: str, doc_type: str, segments: Sequence[Segment] = ()) -> str:
    """A same-length copy of ``text`` for the extractors to read."""
    view = text
    if segments:
        # Only caption text is read: cue numbers, timings and settings become blanks.
        chars = ["\n" if ch == "\n" else " " for ch in view]
        for seg in segments:
            chars[seg.start:seg.end] = view[seg.start:seg.end]
        view = "".join(chars)
    view = blank_out(view, _FRONT_MATTER)
    view = blank_comments(view)
    view = blank_out(view, _TAG)
    view = blank_out(view, _ENTITY)
    view = blank_out(view, _MARKDOWN)
    view = blank_out(view, _INLINE_TIMESTAMP)
    if doc_type == "transcript":
        view = blank_out(view, TIMESTAMP_PREFIX)
        view = blank_out(view, _STAGE_DIRECTION)
        view = join_caption_lines(view)
    view = break_long_runs(view)
    assert len(view) == len(text)
    return view


def break_long_runs(view: str) -> str:
    """Every ``MAX_RUN``-th character of a run without blanks made a space, so no run is longer."""
    if _LONG_RUN.search(view) is None:
        return view

    def cut(match: re.Match[str]) -> str:
        run = match.group(0)
        pieces = (run[i:i + MAX_RUN] for i in range(0, len(run), MAX_RUN))
        return "".join(piece[:-1] + " " if len(piece) == MAX_RUN else piece for piece in pieces)

    return _LONG_RUN.sub(cut, view)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def join_caption_lines(view: str) -> str:
    """Caption text is broken mid-sentence: a single line break inside a turn becomes a space.

    Blank lines stay as paragraph breaks unless the text has a blank line after every line (some
    caption exports do), in which case they are joined too.
    """
    lines = view.split("\n")
    non_empty = sum(1 for line in lines if line.strip())
    blank_between = len(_PARAGRAPH_BREAK.findall(view))
    join_paragraphs = non_empty > 4 and blank_between >= 0.8 * non_empty
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if i == len(lines) - 1:
            break
        nxt = lines[i + 1]
        keep_break = (not line.strip() or not nxt.strip()) and not join_paragraphs
        out.append("\n" if keep_break else " ")
    return "".join(out)
