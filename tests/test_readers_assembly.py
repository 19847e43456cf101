"""Blocks assembled into the stored text, each a region."""

from provcat.readers.assembly import TextBuilder, tidy


def test_blocks_separated_by_a_blank_line_with_regions() -> None:
    builder = TextBuilder()
    builder.add("  Title \u00a0 here ", "heading", "heading 1")
    assert builder.add(" \n \n", "paragraph", "paragraph 1") is None  # empty: left out
    builder.add("One line\n\n\nanother", "paragraph", "paragraph 2")
    assert builder.text == "Title here\n\nOne line\nanother\n"
    assert [(r.index, builder.text[r.start:r.end]) for r in builder.regions] == [
        (1, "Title here"), (2, "One line\nanother")]


def test_tabs_between_cells_are_kept() -> None:
    assert tidy("a\t b\n\n c  d ") == "a\t b\nc d"


def test_no_blocks_no_text() -> None:
    assert TextBuilder().text == ""


def test_a_body_keeps_its_paragraphs() -> None:
    assert tidy("Dear Oskar,\n \n\n\nThe vote is on Tuesday.\n\nMaren\n", paragraphs=True) == \
        "Dear Oskar,\n\nThe vote is on Tuesday.\n\nMaren"
