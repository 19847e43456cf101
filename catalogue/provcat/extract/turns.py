"""Labelled turns of a transcript: "NAME:", "**Name:**", "<strong>Mr. X</strong>:", "Name  0:00", "Q".

Pure regular expressions, no model: the classifier uses them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import check_count

_LABEL_PATTERNS = [
    # **Sam Carter:** or **Sam Carter**:
    re.compile(r"^[ \t]*\*\*(?P<label>[^*\n]{1,60}?)[ \t]*(?::\*\*|\*\*[ \t]*:)", re.M),
    # <strong>Mr. WEST</strong>: (anywhere on a line: hearings put labels after <br/>)
    re.compile(r"<(?:strong|b)>[ \t]*(?P<label>[^<\n]{1,60}?)[ \t]*</(?:strong|b)>[ \t]*:", re.I),
    # MR. GRANT:  MS. JONES-PARKER:  THE PRESIDENT:  (all capitals)
    re.compile(r"^[ \t]*(?P<label>(?:(?:MR|MS|MRS|DR)\.[ \t]+)?[A-Z][A-Z .'\u2019-]{1,40}?)[ \t]*:(?=\s|$)", re.M),
    # SECRETARY BLINKEN, SECRETARY OF STATE:  /  Jane Doe, Chief Executive:  (name, then a title)
    re.compile(r"^[ \t]*(?P<label>[A-Z][A-Za-z.'\u2019-]+(?:[ \t][A-Z][A-Za-z.'\u2019-]+){1,3}),[ \t]+"
               r"[A-Z][A-Za-z .,&'\u2019-]{1,60}?:(?=\s)", re.M),
    # Dana Levy  0:00  (Otter-style interview labels on their own line)
    re.compile(r"^(?P<label>[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,3})[ \t]{2,}\d{1,2}:\d{2}(?::\d{2})?[ \t]*$",
               re.M),
    # Dana Levy: text   (mixed-case name label at the start of a line)
    re.compile(r"^[ \t]*(?P<label>[A-Z][a-z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,3}):[ \t]+\S", re.M),
    # okay SPEAKER 2: so ...  /  SPEAKER_01:  (anonymous labels of speaker diarization, anywhere in a line:
    # automatic captions wrap them into the middle of lines)
    re.compile(r"(?<![\w-])(?P<label>(?:SPEAKER|Speaker)[ _]?\d{1,2}):(?=\s)"),
    # Q  question / A  answer (hearings, briefings)
    re.compile(r"^[ \t]*(?P<label>[QA])(?:[.:]|[ \t]{2,})(?=[ \t]*\S)", re.M),
    # Mr. GRANT. What is it?  (GPO style: title and upper-case surname, then a full stop)
    re.compile(r"(?:^|(?<=[.?!]\s))(?P<label>(?:Mr|Ms|Mrs|Dr|Chairman|Senator)\.?[ \t]+[A-Z][A-Z'\u2019-]{2,})\.[ \t]",
               re.M),
]
STOP_LABELS = frozenset({"note", "update", "editor's note", "source", "photo", "image", "caption", "read more",
                         "related", "correction", "http", "https", "tags", "title", "date", "transcript",
                         "details", "summary", "subject", "from", "to", "cc", "re", "source_url"})
#: A timestamp opening a line: "19:04", "00:04.320 - 00:07.910:", "\\[00:02:41.30\\]", "00:01 --> 00:02",
#: "[00:00.000 --> 00:03.000]".
TIMESTAMP_PREFIX = re.compile(
    r"^[ \t]*\\?[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\\?[\])]?"
    r"(?:[ \t]*(?:-->|-)[ \t]*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\\?[\])]?)?[ \t]*:?",
    re.M,
)
#: What closes a label before the words spoken: ":**", "</strong>:", "  0:00".
_LABEL_CLOSING = re.compile(r"(?:\*\*|</(?:strong|b)>|[ \t])*+[:.]?(?:\*\*)?(?:[ \t]+\d{1,2}:\d{2}(?::\d{2})?)?\s*+",
                            re.I)
#: A tag that opens a label: "<br/>", "<strong>", "<b>" (read backwards from the next label).
_OPENING_TAG = re.compile(r"<br\s*/?>|<(?:strong|b)>", re.I)
_TITLE = re.compile(r"^(?:(?:MR|MS|MRS|DR|MISS|SEN|REP|GEN)\.?|THE)\s+", re.I)


@dataclass(frozen=True)
class Turn:
    label: str  # as written, without markup
    label_start: int
    label_end: int
    start: int  # the words spoken: from after the label ...
    end: int  # ... to the next label


def find_labels(text: str, most: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, label) of every speaker label, in text order, overlaps removed; stops with
    TooManyAssertions once more than ``most`` have been found (each pattern finds a label at most once)."""
    found: list[tuple[int, int, str]] = []
    for pattern in _LABEL_PATTERNS:
        for match in pattern.finditer(text):
            label = " ".join(match.group("label").split())
            if not label or label.lower().strip(" .") in STOP_LABELS:
                continue
            found.append((match.start("label"), match.end("label"), label))
            check_count(len(found), None if most is None else most * len(_LABEL_PATTERNS))
    found.sort()
    result: list[tuple[int, int, str]] = []
    for item in found:
        if result and item[0] < result[-1][1]:
            continue
        result.append(item)
    check_count(len(result), most)
    return result


def strip_opening(text: str, start: int, end: int) -> int:
    """``end`` moved back over the blanks and markup that open a label, not before ``start``."""
    while end > start:
        if text[end - 1].isspace():
            end -= 1
        elif text[end - 1] == "*" and end - 2 >= start and text[end - 2] == "*":
            end -= 2
        elif text[end - 1] == ">" and (tag := text.rfind("<", max(start, end - 16), end)) >= 0 \
                and _OPENING_TAG.fullmatch(text, tag, end):
            end = tag
        else:
            break
    return end


def speaker_labels(text: str) -> list[str]:
    return [label for _, _, label in find_labels(text)]


def find_turns(text: str, most: int | None = None) -> list[Turn]:
    """Turns: each label and the text it introduces (trimmed of surrounding blanks and markup); at
    most ``most`` of them, or TooManyAssertions."""
    labels = find_labels(text, most)
    turns: list[Turn] = []
    for i, (start, end, label) in enumerate(labels):
        # skip the markup and punctuation that close the label (":**", "</strong>:", "  0:00")
        body_start = _LABEL_CLOSING.match(text, end).end()
        body_end = labels[i + 1][0] if i + 1 < len(labels) else len(text)
        # step back over blanks and the markup that opens the next label ("**", "<br/><strong>")
        body_end = strip_opening(text, body_start, body_end)
        if body_end <= body_start:
            continue
        turns.append(Turn(label, start, end, body_start, body_end))
    return turns


def label_name(label: str) -> str:
    """The person a label names, without titles: "MS. JONES-PARKER" -> "Jones-Parker"."""
    name = _TITLE.sub("", label).strip(" .")
    if name.isupper():
        name = "-".join(part.capitalize() for part in name.split("-"))
        name = " ".join(word[:1].upper() + word[1:] for word in name.split())
    return name


#: A speaker a diarizing tool or a file names by number or not at all: "Speaker 2", "SPEAKER_01".
_DIARIZATION_LABEL = re.compile(r"(?i)\A(?:speaker|spk|voice|unknown|unidentified)(?:[ _-]*\w{1,3})?\Z")


def is_diarization_label(label: str) -> bool:
    """Whether a speaker a file states (a WebVTT voice, a transcript segment's speaker, a speaker
    line) is named by number or not at all ("SPEAKER_01", "Speaker 2", "Unknown")."""
    return _DIARIZATION_LABEL.match(label.strip()) is not None


def is_anonymous_label(label: str) -> bool:
    """Q/A markers and role labels ("THE PRESIDENT", "Interviewer") do not name a person."""
    stripped = label.strip(" .").lower()
    return (len(stripped) <= 1 or stripped.startswith("the ")
            or stripped in {"interviewer", "host", "moderator", "reporter", "audience", "speaker", "narrator",
                            "announcer", "voice", "unknown", "unidentified", "male", "female", "participant",
                            "question", "answer", "all", "crowd", "operator"})
