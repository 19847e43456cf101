"""Errors that are the user's to fix: each names the file and the problem in one line."""

from __future__ import annotations

import re
from pathlib import Path

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
# a control character (C0, DEL, C1), a lone surrogate (a byte of a file name that is not UTF-8, as
# Python keeps it), or a backslash that the next character would turn into an escape
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]|\\\\(?=[\\\\nrtxu\x00-\x1f\x7f-\x9f\ud800-\udfff])")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # the byte a file name held
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe to print on one line of a report: a file name can neither split a line nor send
    a terminal escape sequence.

    C0 control characters and DEL become ``\\n``, ``\\r``, ``\\t`` or ``\\xNN``, C1 control characters
    ``\\uNNNN``; a byte of a file name that is not UTF-8 (which Python keeps as a lone surrogate)
    becomes ``\\xNN``, as the catalogue records such a name. A backslash is doubled only where it
    would otherwise read as the start of such an escape (before ``n``, ``r``, ``t``, ``x``, ``u``,
    another backslash or a control character), so the result is unambiguous (two
    different names never print alike) while an ordinary backslash, as in ``C:\\Users``, stays as it
    is. All other Unicode is left untouched, format characters such as U+202E included: they cannot
    break a line. Text without control characters or backslashes is returned unchanged.
    """
    return _UNPRINTABLE.sub(_escape, text)


class ProvcatError(Exception):
    """A problem with an input or the catalogue, reported as one line naming the file."""

    def __init__(self, path: Path | str | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = " ".join(problem.split())
        super().__init__(f"{self.path}: {self.problem}" if self.path else self.problem)
