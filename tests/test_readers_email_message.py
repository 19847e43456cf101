"""E-mail: headers and body as text, the sender the speaker of the message's own words."""

import pytest
from format_files import EMAIL

from provcat.errors import ProvcatError
from provcat.readers.email_message import SENDER_METHOD, read_email


def test_headers_then_body() -> None:
    read = read_email(EMAIL.encode(), "letter.eml")
    assert read.text.startswith("From: Maren Tolliver <maren@kerrow.example>\nTo: Oskar Vell")
    assert "Subject: The harbour vote\n\nOskar,\n\nThe council in Ardmore" in read.text  # paragraphs kept
    assert [r.kind for r in read.regions] == ["headers", "body"]
    assert read.regions[1].locator == "body (text/plain)"


def test_sender_speaks_the_message_not_the_quoted_reply() -> None:
    read = read_email(EMAIL.encode(), "letter.eml")
    (voice,) = read.voices
    assert (voice.speaker, voice.named, voice.method) == ("Maren Tolliver", True, SENDER_METHOD)
    assert read.text[voice.label_start:voice.label_end] == "Maren Tolliver"
    spoken = read.text[voice.start:voice.end]
    assert spoken.startswith("Oskar,") and spoken.endswith("Maren")
    assert "Should we support it" not in spoken


def test_description_from_headers() -> None:
    facts = {f.field: f for f in read_email(EMAIL.encode(), "letter.eml").embedded}
    assert facts["title"].value == "The harbour vote"
    assert facts["creator"].value == "Maren Tolliver"
    assert (facts["date"].value, facts["date"].precision) == ("2024-03-05T14:30:00+00:00", "second")
    assert facts["identifier"].value == "<vote-2024@kerrow.example>"


def test_sender_without_a_name_is_an_address_not_a_person() -> None:
    read = read_email(EMAIL.replace("Maren Tolliver <maren@kerrow.example>", "maren@kerrow.example").encode(), "l.eml")
    (voice,) = read.voices
    assert voice.speaker == "maren@kerrow.example" and not voice.named


def test_html_only_message_is_read_as_text() -> None:
    html = "Content-Type: text/html; charset=utf-8\n\n<p>The <b>quay</b> vote.</p>\n"
    message = EMAIL.split("Content-Type")[0] + html
    read = read_email(message.encode(), "l.eml")
    assert read.text.endswith("The quay vote.\n") and read.regions[1].locator == "body (text/html)"


@pytest.mark.parametrize("data", [b"just some words\nwithout headers\n", b"From: a@b.example\n\n   \n"])
def test_not_a_message_or_no_body_is_one_line_error(data: bytes) -> None:
    with pytest.raises(ProvcatError, match=r"^m\.eml: ") as caught:
        read_email(data, "m.eml")
    assert "\n" not in str(caught.value)


def test_malformed_headers_do_not_stop_reading() -> None:
    message = "From: =?utf-8?q?broken\nDate: not a date\nSubject: =?bogus?x?y?=\n\nThe text.\n"
    read = read_email(message.encode(), "m.eml")
    assert read.text.endswith("The text.\n")
    assert "date" not in {f.field for f in read.embedded}
