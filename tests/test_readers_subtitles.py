"""Caption files: cues as segments, WebVTT voices as turns."""

from format_files import WEBVTT

from provcat.readers.subtitles import VOICE_METHOD, is_anonymous, read_captions


def test_webvtt_voices_are_turns_with_the_name_offsets() -> None:
    read = read_captions(WEBVTT.encode(), "talk.vtt", "text/vtt")
    assert len(read.segments) == 2
    first, second = read.voices
    assert (first.speaker, first.named, first.method) == ("Maren Tolliver", True, VOICE_METHOD)
    assert read.text[first.label_start:first.label_end] == "Maren Tolliver"
    assert read.text[first.start:first.end] == "We voted to close the quay in Ardmore."
    assert read.text[second.start:second.end] == "It was the only choice we had."  # without </v>


def test_cues_without_voices_have_none() -> None:
    read = read_captions(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello.\n", "a.vtt", "text/vtt")
    assert read.voices == [] and len(read.segments) == 1


def test_malformed_cue_file_is_plain_text_with_a_warning() -> None:
    read = read_captions(b"WEBVTT\n\nnot a cue at all\n", "a.vtt", "text/vtt")
    assert read.segments == [] and "catalogued as plain text" in read.warnings[0]


def test_anonymous_labels() -> None:
    assert is_anonymous("SPEAKER_01") and is_anonymous("Speaker 2") and is_anonymous("unknown")
    assert not is_anonymous("Maren Tolliver")
