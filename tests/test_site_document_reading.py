"""A document read from the catalogue for its page: its header, the state of its stored copy, its
spans in the order of the text, nothing for what is not a catalogue's document; and the cache that
keeps readings within a budget."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from catalogue_factory import tamper
from markupsafe import Markup

from provcat.site import document_reading
from provcat.site.sql_functions import register_functions


def reading_of(db: Path, document_id: str) -> document_reading.DocumentReading | None:
    """What the site reads, on a connection made as Datasette makes them (rows by column name)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    register_functions(conn)
    try:
        return document_reading.read_document(conn, document_id)
    finally:
        conn.close()


def test_a_documents_header_stored_copy_and_spans_are_read(sample_catalogue: Path) -> None:
    reading = reading_of(sample_catalogue, "article")
    assert reading is not None and reading.header is not None and reading.integrity is not None
    assert reading.header["publisher"] == "The Example Times"
    assert reading.header["source_link"] == "https://example.org/defectors-speak-out"
    assert reading.header["type_confidence_text"] in {"unknown"} | {f"{n / 100:.2f}" for n in range(101)}
    assert reading.integrity["intact"] is True and reading.integrity["stored_size"] == reading.header["size_bytes"]
    assert [m.entity_id for m in reading.mentions] == ["peter-neumann", "icsr", "syria", "peter-neumann", "isis"]
    assert [(q.speaker, q.speaker_name, q.kind) for q in reading.quotes] == [
        ("Peter Neumann", "Peter Neumann", "direct"), ("Peter Neumann", "Peter Neumann", "direct"),
        ("The director", "Peter Neumann", "indirect")]
    assert [q.start for q in reading.quotes] == sorted(q.start for q in reading.quotes) and reading.cues == []
    captions = reading_of(sample_catalogue, "captions")
    assert captions is not None
    assert [(c.index, c.begins, c.ends) for c in captions.cues] == [
        (1, "00:00:01,000", "00:00:04,200"), (2, "00:00:04,200", "00:00:07,000"), (3, "00:00:07,500", "00:00:09,000")]


def test_a_source_that_is_no_web_address_is_no_link(sample_catalogue: Path) -> None:
    reading = reading_of(sample_catalogue, "hostile")
    assert reading is not None and reading.header is not None
    assert reading.header["source_url"] == "javascript:alert(4)" and reading.header["source_link"] is None


def test_a_stored_copy_that_was_changed_is_not_intact(sample_catalogue: Path, tmp_path: Path) -> None:
    copy = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, copy)
    tamper(copy, "article", b"Defectors speak out - edited\n")
    reading = reading_of(copy, "article")
    assert reading is not None and reading.integrity is not None
    assert reading.integrity["intact"] is False and reading.integrity["stored"] != reading.integrity["recorded"]


def test_what_is_not_a_catalogues_document_reads_as_nothing(sample_catalogue: Path, tmp_path: Path) -> None:
    assert reading_of(sample_catalogue, "no-such-document") is None
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table documents (id text primary key)")
    assert reading_of(other, "article") is None


def test_a_catalogue_without_cues_reads_its_documents_without_them(sample_catalogue: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    shutil.copyfile(sample_catalogue, older)
    with sqlite3.connect(older) as conn:
        conn.execute("drop table segments")
    reading = reading_of(older, "captions")
    assert reading is not None and reading.cues == [] and len(reading.quotes) == 2


def test_reading_cache_drops_the_least_recently_used_beyond_its_budget() -> None:
    cache = document_reading.ReadingCache(budget_characters=5_000)
    reading = document_reading.DocumentReading(None, None, [], [], [])
    for name in ("a", "b", "c"):
        cache.put(("hash", name), reading)
    assert cache.get(("hash", "a")) is not None  # "a" is now the most recently used
    cache.add_html(("hash", "a"), ("text", "/catalogue/entities"), Markup("x" * 1_500))
    cache.put(("hash", "d"), reading)
    assert [key[1] for key in cache.entries] == ["c", "a", "d"] and cache.used <= cache.budget
    assert cache.get(("hash", "b")) is None
    assert cache.html(("hash", "a"), ("text", "/catalogue/entities")) == "x" * 1_500
    assert cache.html(("hash", "a"), ("quotes", "/catalogue/entities")) is None
    assert cache.html(("hash", "b"), ("text", "/catalogue/entities")) is None
