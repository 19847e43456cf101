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


def test_subrip_cues_in_one_pass_as_the_srt_library_reads_them() -> None:
    data = (b"1\n00:00:01,000 --> 00:00:02,000\nHello there\n2\n00:00:02,500 --> 00:00:03,000\nSecond\n\n\n"
            b"still the second cue\n\n3\n00:00:04.000 --> 00:00:05,000 X1:40\nLast\n")
    read = read_captions(data, "a.srt", "application/x-subrip")
    assert [(s.index, s.begins, s.ends, read.text[s.start:s.end]) for s in read.segments] == [
        (1, "00:00:01,000", "00:00:02,000", "Hello there"),
        (2, "00:00:02,500", "00:00:03,000", "Second\n\n\nstill the second cue"),
        (3, "00:00:04,000", "00:00:05,000", "Last")]
    assert read.warnings == []


def test_words_before_the_first_cue_make_it_plain_text() -> None:
    read = read_captions(b"A title\n\n1\n00:00:01,000 --> 00:00:02,000\nHello\n", "a.srt", "application/x-subrip")
    assert read.segments == [] and "line 1 is not a cue number or timing" in read.warnings[0]


def test_a_run_of_digits_is_read_in_linear_time() -> None:
    """The srt library's expression did not finish on a line of a thousand digits; the reader says
    at once that it is not SubRip."""
    read = read_captions(b"1" * 100_000 + b"\n", "a.srt", "application/x-subrip")
    assert read.segments == [] and read.warnings
