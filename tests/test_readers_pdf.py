"""PDF: the text layer page by page, no text layer flagged, damaged files one-line errors."""

import pytest
from format_files import REPORT_INFO, REPORT_PAGES
from pdf_files import pdf_bytes

from provcat.errors import ProvcatError
from provcat.readers.pdf import NO_TEXT, info_facts, read_pdf


def test_text_layer_page_by_page() -> None:
    read = read_pdf(pdf_bytes(REPORT_PAGES, REPORT_INFO), "report.pdf")
    assert [(r.kind, r.locator) for r in read.regions] == [("page", "page 1"), ("page", "page 2")]
    first, second = (read.text[r.start:r.end] for r in read.regions)
    assert first == "Harbour council report\nThe council voted on Tuesday to close the quay, said Oskar Vell."
    assert second == '"We had no other choice," Vell told reporters in Ardmore.'
    assert read.encoding is None and read.extracted_by.startswith("pypdfium2 ")


def test_document_information_is_the_description() -> None:
    facts = {f.field: f for f in read_pdf(pdf_bytes(REPORT_PAGES, REPORT_INFO), "r.pdf").embedded}
    assert facts["title"].value == "Council report" and facts["creator"].value == "Maren Tolliver"
    assert (facts["date"].value, facts["date"].precision) == ("2024-03-05T14:30:00Z", "second")


def test_pages_without_text_are_left_out_and_said() -> None:
    read = read_pdf(pdf_bytes([["One."], [], ["Three."]]), "r.pdf")
    assert [r.locator for r in read.regions] == ["page 1", "page 3"]
    assert read.warnings == ["1 of 3 pages without text (page 2)"]


def test_no_text_layer_is_flagged_as_scanned() -> None:
    with pytest.raises(ProvcatError, match=rf"scan\.pdf: {NO_TEXT.replace('(', '.').replace(')', '.')}"):
        read_pdf(pdf_bytes([[], []]), "scan.pdf")


@pytest.mark.parametrize("data", [b"%PDF-1.4\n", b"not a pdf at all", pdf_bytes(REPORT_PAGES)[:200]])
def test_damaged_pdf_is_one_line_error(data: bytes) -> None:
    with pytest.raises(ProvcatError, match=r"^d\.pdf: ") as caught:
        read_pdf(data, "d.pdf")
    assert "\n" not in str(caught.value)


def test_pdf_dates_in_their_written_precision() -> None:
    facts = info_facts({"CreationDate": "D:202403"})
    assert [(f.value, f.precision) for f in facts] == [("2024-03", "month")]
    assert info_facts({"CreationDate": "D:20241345"}) == []  # month 13: not a date


def test_encrypted_pdf_is_said_to_be_encrypted() -> None:
    with pytest.raises(ProvcatError, match=r"^secret\.pdf: PDF not readable: encrypted \(a password is needed\)$"):
        read_pdf(pdf_bytes([["Words"]], encrypted=True), "secret.pdf")
