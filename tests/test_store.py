import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from provcat import store

PUBLIC = {
    "documents": {"id", "path", "sha256", "sha512", "size_bytes", "media_type", "encoding", "type",
                  "type_confidence", "type_method", "title", "text", "content"},
    "entities": {"id", "name", "type", "source"},
    "entity_aliases": {"entity_id", "alias"},
    "mentions": {"id", "document_id", "entity_id", "start", "end", "surface", "method", "confidence"},
    "quotes": {"id", "document_id", "speaker", "speaker_entity_id", "text", "start", "end", "cue", "kind",
               "method", "confidence"},
    "document_entities": {"document_id", "entity_id", "role", "mentions"},
    "fixity_events": {"id", "document_id", "checked_at", "algorithm", "expected", "actual", "outcome", "agent"},
    "builds": {"id", "started_at", "finished_at", "software_version", "documents", "manifest_sha256"},
}


def test_schema_has_the_public_tables_and_columns(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "c.db")
    store.create_schema(db)
    store.enable_search(db)
    for table, columns in PUBLIC.items():
        assert columns <= set(db[table].columns_dict), table
    assert {"documents_fts", "quotes_fts"} <= set(db.table_names())
    fks = {(fk.column, fk.other_table) for fk in db["quotes"].foreign_keys}
    assert fks == {("document_id", "documents"), ("speaker_entity_id", "entities"),
                   ("curation_action_id", "curation_actions")}


def test_the_indexes_of_documents_and_quotes_are_stemmed_with_prefix_indexes_and_keep_their_columns(
        tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "c.db")
    store.create_schema(db)
    store.enable_search(db)
    for index, columns in (("documents_fts", ["title", "text"]), ("quotes_fts", ["text", "speaker"])):
        assert [c.name for c in db[index].columns] == columns
        sql = db[index].schema
        assert "tokenize='porter unicode61'" in sql and "prefix='2 3'" in sql, sql
    assert db["documents"].detect_fts() == "documents_fts" and db["quotes"].detect_fts() == "quotes_fts"
    db["documents"].insert({"id": "a", "path": "a.txt", "title": "Report", "type": "article", "type_confidence": 1,
                            "type_method": "curated", "sha256": "0", "sha512": "0", "size_bytes": 1,
                            "media_type": "text/plain", "encoding": "utf-8", "text": "The defectors spoke.",
                            "content": b"x"})
    db["documents"].populate_fts(["title", "text"])
    assert db.execute("select count(*) from documents_fts where documents_fts match 'defector'").fetchone() == (1,)
    assert db.execute("select count(*) from documents_fts where documents_fts match 'de*'").fetchone() == (1,)


def test_copy_history_carries_builds_and_events(tmp_path: Path) -> None:
    old = sqlite_utils.Database(tmp_path / "old.db")
    store.create_schema(old)
    old["builds"].insert({"started_at": "t", "software_version": "1", "extractor_version": "1", "documents": 0,
                          "manifest_sha256": "m"})
    old.conn.commit()
    new = sqlite_utils.Database(tmp_path / "new.db")
    store.create_schema(new)
    conn = store.open_existing(tmp_path / "old.db")
    assert conn is not None
    assert store.copy_history(conn, new, tmp_path / "old.db") == 1
    assert new["builds"].count == 1


def test_open_existing_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    assert store.open_existing(tmp_path / "none.db") is None
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(store.DamagedCatalogue, match="junk.db: the previous catalogue cannot be read"):
        store.open_existing(tmp_path / "junk.db")
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(store.DamagedCatalogue, match="no such table: documents"):
        store.open_existing(tmp_path / "empty.db")


def test_copy_history_stops_at_a_damaged_table(tmp_path: Path) -> None:
    old = sqlite_utils.Database(tmp_path / "old.db")
    store.create_schema(old)
    old.conn.execute("drop table fixity_events")
    old.conn.commit()
    new = sqlite_utils.Database(tmp_path / "new.db")
    store.create_schema(new)
    conn = store.open_existing(tmp_path / "old.db")
    assert conn is not None
    with pytest.raises(store.DamagedCatalogue, match="table fixity_events: no such table"):
        store.copy_history(conn, new, tmp_path / "old.db")


def test_new_catalogues_carry_provcats_application_id(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "c.db")
    store.create_schema(db)
    assert db.conn.execute("pragma application_id").fetchone()[0] == 0x50434154
