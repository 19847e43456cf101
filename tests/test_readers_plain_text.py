import pytest

from provcat.errors import ProvcatError
from provcat.readers import read_document
from provcat.readers.plain_text import decode


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        ("naïve café".encode(), "utf-8", "naïve café"),
        ("\ufeffnaïve".encode(), "utf-8-sig", "naïve"),
        ("The café’s owner".encode("utf-16"), "utf-16", "The café’s owner"),
        ("héllo wörld, ça va? Très bien, merci.".encode("cp1252"), "cp1252", "héllo wörld, ça va? Très bien, merci."),
    ],
)
def test_decode_records_the_encoding(data: bytes, encoding: str, text: str) -> None:
    assert decode(data, "x.txt") == (text, encoding)


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty file"), (b"abc\x00\x01def", "binary file"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")],
)
def test_unreadable_input_names_the_problem(data: bytes, problem: str) -> None:
    with pytest.raises(ProvcatError) as err:
        decode(data, "bad.txt")
    assert str(err.value).startswith("bad.txt: ")
    assert problem in str(err.value)


def test_crlf_becomes_lf_and_is_recorded() -> None:
    doc = read_document(b"one\r\ntwo\r\n", "a.txt")
    assert doc.text == "one\ntwo\n"
    assert doc.normalisation == ["line endings CRLF/CR -> LF"]
    assert doc.media_type == "text/plain"


def test_whitespace_only_is_refused() -> None:
    with pytest.raises(ProvcatError, match="only whitespace"):
        read_document(b" \n\t\n", "blank.txt")


SRT = """1
00:00:01,000 --> 00:00:03,500
hello and welcome

2
00:00:04,000 --> 00:00:06,000
to the show
"""


def test_subrip_cues_become_segments_with_offsets() -> None:
    doc = read_document(SRT.encode(), "talk.srt")
    assert doc.media_type == "application/x-subrip"
    assert [(s.begins, s.ends) for s in doc.segments] == [("00:00:01,000", "00:00:03,500"),
                                                        ("00:00:04,000", "00:00:06,000")]
    assert [doc.text[s.start:s.end] for s in doc.segments] == ["hello and welcome", "to the show"]


def test_webvtt_cues_become_segments_with_offsets() -> None:
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nFirst line\n\n00:02.000 --> 00:04.000\nSecond line\n"
    doc = read_document(vtt.encode(), "talk.vtt")
    assert [doc.text[s.start:s.end] for s in doc.segments] == ["First line", "Second line"]


def test_broken_cue_file_is_kept_as_text_with_a_warning() -> None:
    doc = read_document(b"this is not\na subrip file at all\n", "broken.srt")
    assert doc.segments == []
    assert doc.warnings and "SubRip" in doc.warnings[0]
