"""Speech-recognition JSON: segments as cues, speakers as turns, other JSON not a document."""

import json

import pytest
from format_files import SPEECH_JSON

from provcat.errors import ProvcatError
from provcat.readers.whisper_json import SPEAKER_METHOD, NotATranscript, read_whisper_json


def test_segments_are_lines_and_cues() -> None:
    read = read_whisper_json(json.dumps(SPEECH_JSON).encode(), "e.json")
    assert read.text == ("SPEAKER_00: Welcome back to the harbour programme in Ardmore.\n"
                         "Today we talk about the quay.\n"
                         "SPEAKER_01: Thanks for having me, it is good to be here.\n")
    assert [(s.begins, s.ends) for s in read.segments] == [
        ("00:00:00.000", "00:00:02.500"), ("00:00:02.500", "00:00:05.250"), ("00:00:05.250", "00:00:08.000")]
    assert read.text[read.segments[1].start:read.segments[1].end] == "Today we talk about the quay."


def test_a_speakers_run_of_segments_is_one_turn() -> None:
    read = read_whisper_json(json.dumps(SPEECH_JSON).encode(), "e.json")
    first, second = read.voices
    assert (first.speaker, first.named, first.method) == ("SPEAKER_00", False, SPEAKER_METHOD)
    assert read.text[first.start:first.end] == ("Welcome back to the harbour programme in Ardmore.\n"
                                                "Today we talk about the quay.")
    assert read.text[second.label_start:second.label_end] == "SPEAKER_01"


def test_without_speakers_no_labels_and_no_turns() -> None:
    plain = {"segments": [{"start": 0, "end": 1, "text": " Hello there."}]}
    read = read_whisper_json(json.dumps(plain).encode(), "e.json")
    assert read.text == "Hello there.\n" and read.voices == []


def test_named_speakers_are_people() -> None:
    named = {"segments": [{"start": 0, "end": 1, "text": "We voted.", "speaker": "Maren Tolliver"}]}
    (voice,) = read_whisper_json(json.dumps(named).encode(), "e.json").voices
    assert voice.named


@pytest.mark.parametrize("data", [b'{"theme": "dark"}', b"[1, 2]", b"{not json", b'{"segments": [{"start": 0}]}'])
def test_other_json_is_not_a_transcript(data: bytes) -> None:
    with pytest.raises(NotATranscript):
        read_whisper_json(data, "s.json")


def test_segments_without_times_are_an_error() -> None:
    with pytest.raises(ProvcatError, match="no text or no times"):
        read_whisper_json(b'{"segments": [{"text": "hi", "start": "soon"}]}', "s.json")
