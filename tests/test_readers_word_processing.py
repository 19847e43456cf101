"""DOCX and ODT: paragraphs, headings and tables in order; core properties; damaged and bomb files."""

import io
import zipfile

import pytest
from format_files import docx_bytes, odt_bytes

from provcat.errors import ProvcatError
from provcat.readers.word_processing import read_docx, read_odt


def test_docx_paragraphs_headings_and_tables_in_order() -> None:
    read = read_docx(docx_bytes(), "minutes.docx")
    assert [(r.kind, r.locator) for r in read.regions] == [
        ("heading", "paragraph 1"), ("paragraph", "paragraph 2"), ("table", "table 1"), ("paragraph", "paragraph 4")]
    table = read.regions[2]
    assert read.text[table.start:table.end] == "Member\tVote\nVell\tFor"
    assert read.text.endswith("The meeting closed at nine.\n")


def test_docx_core_properties() -> None:
    facts = {f.field: f for f in read_docx(docx_bytes(), "m.docx").embedded}
    assert facts["title"].value == "Council minutes" and facts["creator"].value == "Maren Tolliver"
    assert facts["date"].value.startswith("2024-03-05T14:30:00") and facts["date"].precision == "second"


def test_odt_text_and_meta() -> None:
    read = read_odt(odt_bytes(), "minutes.odt")
    assert read.text == ("Harbour council minutes\n\nThe council voted on Tuesday to close the quay, "
                         "said Oskar Vell.\n")
    assert [r.kind for r in read.regions] == ["heading", "paragraph"]
    facts = {f.field: f.value for f in read.embedded}
    assert facts == {"title": "Council minutes", "creator": "Maren Tolliver", "date": "2024-03-05T14:30:00"}


@pytest.mark.parametrize("reader", [read_docx, read_odt])
@pytest.mark.parametrize("data", [b"PK\x03\x04 truncated", b"plain text, not a container", b""])
def test_damaged_file_is_one_line_error(reader, data: bytes) -> None:
    with pytest.raises(ProvcatError, match=r"^d\.x: ") as caught:
        reader(data, "d.x")
    assert "\n" not in str(caught.value)


def test_zip_bomb_is_refused_without_unpacking_it() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(ProvcatError, match="ZIP bomb"):
        read_docx(out.getvalue(), "bomb.docx")


def test_a_zip_that_is_not_a_word_file() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as other:
        other.writestr("notes.txt", "hello")
    with pytest.raises(ProvcatError, match=r"^other\.docx: DOCX not readable"):
        read_docx(out.getvalue(), "other.docx")
