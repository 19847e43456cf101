from provcat.extract.view import join_caption_lines, reading_view
from provcat.models import Segment


def test_view_has_the_length_of_the_text_and_blanks_markup() -> None:
    text = "<p>Hello &amp; <strong>Mr. X</strong>: hi</p>\n**Tim:** \\[laughs\\]"
    view = reading_view(text, "transcript")
    assert len(view) == len(text)
    assert "<" not in view and "&amp;" not in view and "**" not in view
    assert view.index("Hello") == text.index("Hello")


def test_caption_lines_are_joined_but_paragraphs_kept() -> None:
    assert join_caption_lines("one\ntwo\n\nthree") == "one two\n\nthree"


def test_every_line_followed_by_a_blank_line_is_joined() -> None:
    text = "\n\n".join(["a b", "c d", "e f", "g h", "i j", "k l"])
    assert "\n" not in join_caption_lines(text)


def test_cue_files_keep_only_caption_text() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nhello there\n"
    seg = Segment(index=1, start=text.index("hello"), end=len(text) - 1, begins="a", ends="b")
    view = reading_view(text, "transcript", [seg])
    assert view.strip() == "hello there"
    assert len(view) == len(text)


def test_timestamps_are_blanked_in_transcripts() -> None:
    text = "00:00.040 - 00:04.320:  Hello, this is the news.\n19:04\nWelcome to tonight's session"
    view = reading_view(text, "transcript")
    assert "00:" not in view and "19:04" not in view
    assert view.index("Hello") == text.index("Hello")


def test_stage_directions_are_blanked_in_transcripts() -> None:
    text = "[Music] welcome back (Applause) everyone \\[laughs\\] yes"
    view = reading_view(text, "transcript")
    assert "Music" not in view and "Applause" not in view and "laughs" not in view
    assert view.index("welcome") == text.index("welcome")
