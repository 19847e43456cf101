"""Timestamped plain-text transcripts read into cues; a file with a few times in it stays plain text."""

import pytest

from provcat.readers import read_document
from provcat.readers.timestamped import SPEAKER_METHOD, timestamped

OTTER = b"""Maren Tolliver  0:03
We voted to close the quay.
It was time.

Speaker 2  0:10
It was the only choice.

Maren Tolliver  0:15
So we did.
"""


def cues(data: bytes) -> list[tuple[str, str, str]]:
    read = read_document(data, "t.txt")
    return [(s.begins, s.ends, read.text[s.start:s.end]) for s in read.segments]


@pytest.mark.parametrize(("data", "expected"), [
    (b"00:00.060 - 00:05.560:  Hello from the harbour\n00:05.560 - 00:08.740:  in Ardmore.\n"
     b"00:09.200 - 00:12.620:  More news.\n",
     [("00:00.060", "00:05.560", "Hello from the harbour"), ("00:05.560", "00:08.740", "in Ardmore."),
      ("00:09.200", "00:12.620", "More news.")]),
    (b"[00:00.000 --> 00:03.000] MAREN: We voted\n[00:03.000 --> 00:06.000] to close it.\n"
     b"[00:06.000 --> 00:09.000] OSKAR: Yes.\n",
     [("00:00.000", "00:03.000", "MAREN: We voted"), ("00:03.000", "00:06.000", "to close it."),
      ("00:06.000", "00:09.000", "OSKAR: Yes.")]),
    (b"10:58\nWelcome to the meeting\n11:05\nof the council\nin Ardmore\n11:12\ntonight.\n",
     [("10:58", "11:05", "Welcome to the meeting"), ("11:05", "11:12", "of the council\nin Ardmore"),
      ("11:12", "11:12", "tonight.")]),
    (b"[00:01:02] First line\n[00:01:05] second line\n00:01:09 third line\n",
     [("00:01:02", "00:01:05", "First line"), ("00:01:05", "00:01:09", "second line"),
      ("00:01:09", "00:01:09", "third line")]),
])
def test_time_code_layouts(data: bytes, expected: list[tuple[str, str, str]]) -> None:
    assert cues(data) == expected


def test_the_text_is_the_file() -> None:
    data = b"10:58\nWelcome to the meeting\n11:05\nof the council\n11:12\ntonight.\n"
    read = read_document(data, "t.txt")
    assert read.text == data.decode() and read.extracted_by is None


def test_speaker_lines_are_turns() -> None:
    read = read_document(OTTER, "o.txt")
    assert [(v.speaker, v.named, read.text[v.label_start:v.label_end], read.text[v.start:v.end]) for v in read.voices] \
        == [("Maren Tolliver", True, "Maren Tolliver", "We voted to close the quay.\nIt was time."),
            ("Speaker 2", False, "Speaker 2", "It was the only choice."),
            ("Maren Tolliver", True, "Maren Tolliver", "So we did.")]
    assert {v.method for v in read.voices} == {SPEAKER_METHOD}
    # each cue shows the extractors who speaks: it begins at the speaker's line
    assert [(s.begins, s.ends, read.text[s.start:s.end].split("\n")[0]) for s in read.segments] == [
        ("0:03", "0:10", "Maren Tolliver  0:03"), ("0:10", "0:15", "Speaker 2  0:10"),
        ("0:15", "0:15", "Maren Tolliver  0:15")]


@pytest.mark.parametrize("text", [
    "The meeting began at 10:30 and ended at 11:45.\nIt was long.\nVery long.\n",
    "Times: 10:30\nand 11:45\nare\nin\nthe\ntext\nbut\nthis\nis\nprose\nabout\nthem\n",
    "no times at all\n",
])
def test_prose_with_a_few_times_is_plain_text(text: str) -> None:
    assert timestamped(text) is None

