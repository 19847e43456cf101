import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from provcat.build import build_catalogue
from provcat.errors import ProvcatError
from provcat.fixity import manifest_sha256

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTICLE = "000_5b55b6d9b2e6ebeb"
TRANSCRIPT = "002_bfaa0521dbc1feff"


@pytest.fixture(scope="module")
def machine_db(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    """The seeds built with no curated metadata: everything in it was found by the machine."""
    db = tmp_path_factory.mktemp("machine") / "catalogue.db"
    build_catalogue(SEEDS, tmp_path_factory.mktemp("empty-metadata"), db)
    return sqlite3.connect(db)


@pytest.fixture(scope="module")
def curated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("curated") / "catalogue.db"
    build_catalogue(SEEDS, ROOT / "metadata", db)
    return db


def test_digests_are_the_files_sha256(machine_db: sqlite3.Connection) -> None:
    rows = machine_db.execute("select path, sha256, sha512, size_bytes, content from documents").fetchall()
    assert len(rows) == 2
    for path, sha256, sha512, size, content in rows:
        data = (SEEDS / path).read_bytes()
        assert sha256 == hashlib.sha256(data).hexdigest()
        assert sha512 == hashlib.sha512(data).hexdigest()
        assert (size, content) == (len(data), data)


def test_types_are_found_from_the_text(machine_db: sqlite3.Connection) -> None:
    types = dict(machine_db.execute("select id, type from documents"))
    assert types == {ARTICLE: "article", TRANSCRIPT: "transcript"}
    for method, confidence in machine_db.execute("select type_method, type_confidence from documents"):
        assert method.startswith("rule:") and 0.5 < confidence <= 1


def test_machine_finds_neumann_kings_college_and_npr(machine_db: sqlite3.Connection) -> None:
    entities = set(machine_db.execute(
        "select e.name, e.type from document_entities de join entities e on e.id = de.entity_id"))
    assert ("Peter Neumann", "person") in entities
    assert ("King’s College", "organization") in entities or ("King's College", "organization") in entities
    assert ("NPR", "organization") in entities
    (speaker, entity_type, method, confidence), = machine_db.execute(
        "select q.speaker, e.type, q.method, q.confidence from quotes q join entities e on e.id = q.speaker_entity_id "
        "where q.text like '%shininess is wearing off%' and q.kind = 'direct'")
    assert (speaker, entity_type) == ("Peter Neumann", "person")
    assert method.startswith("rule:") and confidence >= 0.8


def test_every_span_reproduces_its_text(machine_db: sqlite3.Connection) -> None:
    bad = machine_db.execute(
        "select count(*) from mentions m join documents d on d.id = m.document_id "
        "where substr(d.text, m.start + 1, m.[end] - m.start) != m.surface").fetchone()[0]
    bad += machine_db.execute(
        "select count(*) from quotes q join documents d on d.id = q.document_id "
        "where substr(d.text, q.start + 1, q.[end] - q.start) != q.text").fetchone()[0]
    assert bad == 0
    assert machine_db.execute("select count(*) from mentions").fetchone()[0] > 10


def test_every_assertion_has_method_and_confidence(machine_db: sqlite3.Connection) -> None:
    for table in ("mentions", "quotes"):
        assert machine_db.execute(
            f"select count(*) from {table} where method is null or confidence is null "
            "or confidence < 0 or confidence > 1").fetchone()[0] == 0


def test_build_row_and_manifest(machine_db: sqlite3.Connection) -> None:
    (documents, manifest), = machine_db.execute("select documents, manifest_sha256 from builds")
    expected = manifest_sha256((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in SEEDS.iterdir())
    assert (documents, manifest) == (2, expected)


def test_search_index(machine_db: sqlite3.Connection) -> None:
    hits = machine_db.execute("select rowid from documents_fts where documents_fts match 'shininess'").fetchall()
    assert len(hits) == 1


def test_curated_metadata_wins_and_says_so(curated_db: Path) -> None:
    conn = sqlite3.connect(curated_db)
    (title, source), = conn.execute("select title, title_source from documents where id = ?", (TRANSCRIPT,))
    assert source == "curated" and title.startswith("[")
    (speaker, entity, method, confidence), = conn.execute(
        "select speaker, speaker_entity_id, method, confidence from quotes where text like 'shininess%'")
    assert (speaker, entity, method, confidence) == ("Peter Neumann", "peter-neumann", "curated", 1.0)
    assert conn.execute("select wikidata from entities where id = 'npr'").fetchone() == ("Q671510",)
    assert conn.execute("select count(*) from mentions where entity_id = 'testtube-news' "
                        "and method = 'curated'").fetchone() == (1,)
    assert ("kings-college-london", "King’s College") in set(conn.execute(
        "select entity_id, surface from mentions"))


def test_rebuild_reuses_unchanged_documents_and_keeps_history(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(SEEDS, archive)
    db = tmp_path / "catalogue.db"
    first = build_catalogue(archive, ROOT / "metadata", db)
    second = build_catalogue(archive, ROOT / "metadata", db)
    assert (first.extracted, second.extracted, second.reused) == (2, 0, 2)
    assert first.manifest_sha256 == second.manifest_sha256
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from builds").fetchone() == (2,)
    outcomes = [r[0] for r in conn.execute("select outcome from fixity_events order by id")]
    assert outcomes == ["new", "new", "intact", "intact"]
    fresh = tmp_path / "fresh.db"
    build_catalogue(archive, ROOT / "metadata", fresh)
    for table, order in [("mentions", "id"), ("quotes", "id"), ("entities", "id"), ("document_entities",
                                                                                      "document_id, entity_id")]:
        reused = conn.execute(f"select * from {table} order by {order}").fetchall()
        assert reused == sqlite3.connect(fresh).execute(f"select * from {table} order by {order}").fetchall()


def test_each_document_names_the_build_that_extracted_it_across_rebuilds(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text('"We will open the port," said Ana Ruiz, the mayor of Porto.\n')
    (archive / "b.txt").write_text('"The ferry runs again," said Margaret Okafor in Lisbon.\n')
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    db = tmp_path / "catalogue.db"

    def made() -> dict[str, int | None]:
        conn = sqlite3.connect(db)
        try:
            return dict(conn.execute("select id, extraction_build_id from documents"))
        finally:
            conn.close()

    build_catalogue(archive, metadata, db)
    assert made() == {"a": 1, "b": 1}
    build_catalogue(archive, metadata, db)  # nothing changed: both extractions reused, made by build 1
    assert made() == {"a": 1, "b": 1}
    (archive / "b.txt").write_text('"The ferry runs again on Monday," said Margaret Okafor in Lisbon.\n')
    build_catalogue(archive, metadata, db)
    assert made() == {"a": 1, "b": 3}
    # a catalogue that did not record it (made before): its reused extraction's build is not known
    conn = sqlite3.connect(db)
    conn.execute("alter table documents drop column extraction_build_id")
    conn.commit()
    conn.close()
    report = build_catalogue(archive, metadata, db)
    assert report.reused == 2 and made() == {"a": None, "b": None}


def test_any_folder_with_no_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "any"
    (archive / "sub").mkdir(parents=True)
    (archive / "sub" / "note.txt").write_text("Mayor Ana Ruiz said the library in Toledo would reopen in May.\n")
    (archive / "talk.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:03.000\nwelcome to the talk\n")
    (archive / "old.txt").write_bytes("Caf\xe9 owners in Lyon said business was good.".encode("cp1252"))
    (archive / "empty.txt").write_bytes(b"")
    report = build_catalogue(archive, tmp_path / "no-metadata", tmp_path / "c.db")
    assert (report.files, report.documents) == (4, 3)
    assert report.warnings == [("empty.txt", "empty file: nothing to catalogue; catalogued as a file, without text")]
    conn = sqlite3.connect(tmp_path / "c.db")
    rows = dict(conn.execute("select id, encoding from documents"))
    assert rows == {"old": "cp1252", "sub/note": "utf-8", "talk": "utf-8"}
    assert conn.execute("select begins, ends from segments").fetchall() == [("00:00:00.000", "00:00:03.000")]


@pytest.fixture
def one_document(tmp_path: Path) -> tuple[Path, Path]:
    """An archive of one document and its catalogue, built with no metadata."""
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text("Officials said the bridge would reopen in the spring.\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "none", db)
    return archive, db


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("document: missing.txt\n", "describes 'missing.txt', which is not a document"),
        ("document: a.txt\ntitle: [unclosed\n", "malformed YAML"),
        ("document: a.txt\nspeakers:\n  - {name: X, quote: words that are not there}\n", "quote text is not in"),
    ],
)
def test_bad_input_leaves_the_catalogue_untouched(tmp_path: Path, one_document: tuple[Path, Path],
                                                  sidecar: str, message: str) -> None:
    archive, db = one_document
    before = db.read_bytes()
    metadata = tmp_path / "metadata"
    (metadata / "documents").mkdir(parents=True)
    (metadata / "documents" / "a.yml").write_text(sidecar)
    with pytest.raises(ProvcatError, match=message):
        build_catalogue(archive, metadata, db)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".catalogue.db.building-*"))


def test_each_document_is_described_with_where_each_fact_came_from(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "headline.txt").write_text("Ferry service to resume\n\nThe harbour master said so on Monday.\n")
    (archive / "front.txt").write_text("---\ntitle: Harbour notice\ndate: 2024-05-01\n"
                                      "url: https://example.org/notice\n---\nThe ferry runs again.\n")
    (archive / "plain.txt").write_text("the ferry runs again said the harbour master on monday\n")
    metadata = tmp_path / "metadata"
    (metadata / "documents").mkdir(parents=True)
    (metadata / "documents" / "plain.yml").write_text("document: plain.txt\ndate: '2024-05-02'\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    conn = sqlite3.connect(db)
    rows = {r[0]: r[1:] for r in conn.execute("select path, title, title_source, date, source_url from documents")}
    assert rows["headline.txt"] == ("Ferry service to resume", "first line", None, None)
    assert rows["front.txt"] == ("Harbour notice", "front matter", "2024-05-01", "https://example.org/notice")
    title, source, day, _ = rows["plain.txt"]
    assert (source, day) == ("devised", "2024-05-02") and title.startswith("[") and "the ferry runs again" in title
    described = conn.execute("select d.field, d.value, d.source, substr(doc.text, d.start + 1, d.\"end\" - d.start), "
                             "d.method, d.confidence, d.chosen from descriptions d join documents doc "
                             "on doc.id = d.document_id where doc.path = 'front.txt' order by d.field").fetchall()
    assert described == [
        ("date", "2024-05-01", "front matter", "2024-05-01", "rule:front-matter:date", 0.95, 1),
        ("source_url", "https://example.org/notice", "front matter", "https://example.org/notice",
         "rule:front-matter:url", 0.95, 1),
        ("title", "Harbour notice", "front matter", "Harbour notice", "rule:front-matter:title", 0.95, 1),
    ]
    assert conn.execute("select field, source, chosen from descriptions d join documents doc on doc.id = d.document_id "
                        "where doc.path = 'plain.txt' order by field").fetchall() == [
        ("date", "curated", 1), ("title", "devised", 1)]


def test_unreadable_file_stops_the_build_and_keeps_the_catalogue(tmp_path: Path, one_document: tuple[Path, Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    archive, db = one_document
    before = db.read_bytes()
    real_read_bytes = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(ProvcatError) as err:
        build_catalogue(archive, tmp_path / "none", db)
    assert str(err.value) == f"{archive / 'a.txt'}: cannot be read: Permission denied"
    assert db.read_bytes() == before


def test_documents_over_the_size_limit_are_kept_without_text_with_a_reason(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import provcat.build

    monkeypatch.setattr(provcat.build, "MAX_DOCUMENT_BYTES", 100)
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "small.txt").write_text("The mayor said the bridge would reopen.\n")
    (archive / "big.txt").write_text("word " * 100)
    report = build_catalogue(archive, tmp_path / "none", tmp_path / "c.db")
    assert (report.files, report.documents) == (2, 1)
    assert report.warnings == [("big.txt", "500 bytes, larger than the 100-byte limit for one document; "
                                           "catalogued as a file, without text")]


def test_rejections_survive_a_rebuild_that_reuses_the_extraction(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    build_catalogue(SEEDS, ROOT / "metadata", db)
    first = sqlite3.connect(db).execute("select * from rejections").fetchall()
    report = build_catalogue(SEEDS, ROOT / "metadata", db)
    assert report.reused == 2
    assert sqlite3.connect(db).execute("select * from rejections").fetchall() == first != []


def test_a_text_longer_than_the_extractor_reads_is_catalogued_without_machine_assertions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provcat.extract import pipeline

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "short.txt").write_text("Mayor Ana Ruiz said the bridge in Lisbon would reopen.\n")
    (archive / "long.txt").write_text("Mayor Ana Ruiz said the bridge in Lisbon would reopen.\n" * 20)
    monkeypatch.setattr(pipeline, "MAX_CHARACTERS", 200)
    report = build_catalogue(archive, tmp_path / "none", tmp_path / "catalogue.db")
    assert report.warnings == [("long.txt", "1,100 characters, more than the 200 the extractor reads in one "
                                "document: catalogued with its text and fixity, without machine entities or quotes")]
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    counted = dict(conn.execute("select d.id, count(m.id) from documents d left join mentions m "
                                "on m.document_id = d.id group by d.id"))
    assert counted["long"] == 0 and counted["short"] > 0
    assert conn.execute("select count(*) from documents_fts where documents_fts match 'Lisbon'").fetchone()[0] == 2


def test_a_text_with_more_machine_assertions_than_allowed_keeps_none(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from provcat.extract import pipeline

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "few.txt").write_text("Mayor Ana Ruiz said the bridge in Lisbon would reopen.\n")
    (archive / "labels.txt").write_text("MS. RUIZ: Yes.\nMR. LEE: No.\n" * 25)
    monkeypatch.setattr(pipeline, "MAX_ASSERTIONS", 20)
    report = build_catalogue(archive, tmp_path / "none", tmp_path / "catalogue.db")
    assert report.warnings == [("labels.txt", "more than the 20 machine assertions one document may have: "
                                "catalogued with its text and fixity, without machine entities or quotes")]
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    assert conn.execute("select count(*) from quotes where document_id = 'labels'").fetchone()[0] == 0
    assert conn.execute("select count(*) from mentions where document_id = 'few'").fetchone()[0] > 0
    assert conn.execute("select type from documents where id = 'labels'").fetchone()[0] == "transcript"


def test_the_assertion_limit_stops_turns_before_they_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    from provcat.extract import TooManyAssertions, turns

    text = "MS. RUIZ: Yes.\nMR. LEE: No.\n" * 500
    with pytest.raises(TooManyAssertions):
        turns.find_turns(text, most=10)
    assert len(turns.find_turns(text, most=1000)) == 1000


def test_an_authority_records_note_is_kept_and_names_can_be_searched(curated_db: Path) -> None:
    conn = sqlite3.connect(curated_db)
    (note,) = conn.execute("select note from entities where id = 'peter-neumann'").fetchone()
    assert note and note.startswith("Director of the International Centre")
    assert conn.execute("select note from entities where source = 'extracted' and note is not null").fetchall() == []
    found = conn.execute("select e.id from entities_fts f join entities e on e.rowid = f.rowid "
                         "where entities_fts match 'neumann'").fetchall()
    assert found == [("peter-neumann",)]
