import re

from hypothesis import given
from hypothesis import strategies as st

from provcat.errors import ProvcatError, printable

_ESCAPE = re.compile(r"\\(\\|n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})")
_NAMED = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}


def _char(escape: str) -> str:
    if escape in _NAMED:
        return _NAMED[escape]
    code = int(escape[1:], 16)
    return chr(0xDC00 + code) if escape[0] == "x" and code >= 0x80 else chr(code)


def unprintable(text: str) -> str:
    """The inverse of printable, as its docstring describes it: a backslash not starting an escape is itself."""
    return _ESCAPE.sub(lambda m: _char(m.group(1)), text)


def test_printable_examples() -> None:
    assert printable("data/évidence 100%.txt") == "data/évidence 100%.txt"  # other Unicode untouched
    assert printable("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert printable("\x1b[2J\x00\x7f\x85\x9f") == "\\x1b[2J\\x00\\x7f\\u0085\\u009f"
    assert printable(b"caf\xe9.txt".decode("utf-8", "surrogateescape")) == "caf\\xe9.txt"  # a byte not UTF-8
    assert printable("a\\u00e9") == "a\\\\u00e9"
    assert printable("C:\\Users\\me") == "C:\\Users\\me"  # a backslash that cannot be misread stays single
    assert printable("a\\nb") == "a\\\\nb"  # ... one that would read as an escape is doubled
    assert printable("a\\\nb") == "a\\\\\\nb"
    assert printable("\u202e\u2028\ufeff") == "\u202e\u2028\ufeff"


@given(st.text() | st.binary().map(lambda b: b.decode("utf-8", "surrogateescape")))
def test_printable_is_one_line_and_unambiguous(text: str) -> None:
    shown = printable(text)
    assert not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff]", shown)
    shown.encode("utf-8")  # printable on any UTF-8 terminal
    assert unprintable(shown) == text


def test_provcat_error_keeps_the_path() -> None:
    error = ProvcatError("bag/x", "is not\na folder")
    assert str(error) == "bag/x: is not a folder"
