"""Each format read by its reader, chosen by the file's extension."""

import json

import pytest
from format_files import EMAIL, SPEECH_JSON, WEB_PAGE, docx_bytes

from provcat.archive import MEDIA_TYPES
from provcat.errors import ProvcatError
from provcat.readers import READERS, NotText, read_document, reader


def test_every_media_type_has_a_reader() -> None:
    assert set(MEDIA_TYPES.values()) == set(READERS)
    for media_type in READERS:
        assert callable(reader(media_type))


@pytest.mark.parametrize(("name", "data", "media_type", "extracted"), [
    ("a.txt", b"Plain words.\n", "text/plain", False),
    ("a.md", b"# Heading\n\nWords.\n", "text/markdown", False),
    ("a.HTML", WEB_PAGE.encode(), "text/html", True),
    ("a.eml", EMAIL.encode(), "message/rfc822", True),
    ("a.json", json.dumps(SPEECH_JSON).encode(), "application/json", True),
    ("a.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", True),
])
def test_read_by_extension(name: str, data: bytes, media_type: str, extracted: bool) -> None:
    read = read_document(data, name)
    assert read.media_type == media_type and read.text.strip()
    assert (read.extracted_by is not None) is extracted


def test_json_that_is_not_a_transcript_is_quietly_not_text() -> None:
    with pytest.raises(NotText):
        read_document(b'{"theme": "dark"}', "settings.json")


def test_empty_file() -> None:
    with pytest.raises(ProvcatError, match="empty file"):
        read_document(b"", "a.pdf")
