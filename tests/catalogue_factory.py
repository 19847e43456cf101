"""Small catalogues built by hand (schema + inserts), for testing the publishing layer without the
build pipeline. Offsets are found by searching the text, so the samples read as plain prose."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from provcat import store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

HOSTILE_TEXT = (
    "<script>alert(1)</script><img src=x onerror=alert(2)>\n"
    'Peter Neumann said "<a href="javascript:alert(3)">click</a> & <b>bold</b>" to nobody.\n'
)
HOSTILE_NAME = "<script>alert('entity')</script>"

CAPTIONS_TEXT = (
    "1\n00:00:01,000 --> 00:00:04,200\nPETER NEUMANN: They came to Syria for a cause\n\n"
    "2\n00:00:04,200 --> 00:00:07,000\nand found a gang instead.\n\n"
    "3\n00:00:07,500 --> 00:00:09,000\nINTERVIEWER: Did they say so?\n"
)


@dataclass(frozen=True)
class SampleEntity:
    id: str
    name: str
    type: str
    source: str = "authority"
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None


@dataclass(frozen=True)
class SampleMention:
    surface: str
    entity_id: str
    occurrence: int = 1


@dataclass(frozen=True)
class SampleQuote:
    text: str
    speaker: str | None
    speaker_entity_id: str | None = None
    kind: str = "direct"


@dataclass(frozen=True)
class SampleCue:
    caption: str
    begins: str
    ends: str


@dataclass
class SampleDocument:
    id: str
    title: str
    type: str
    content: bytes
    mentions: list[SampleMention] = field(default_factory=list)
    quotes: list[SampleQuote] = field(default_factory=list)
    cues: list[SampleCue] = field(default_factory=list)
    suffix: str = ".txt"
    media_type: str = "text/plain"
    publisher: str | None = None
    source_url: str | None = None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


ENTITIES = [
    SampleEntity("peter-neumann", "Peter Neumann", "person", aliases=("Neumann", "P. Neumann")),
    SampleEntity("icsr", "International Centre for the Study of Radicalisation", "organization",
                 aliases=("ICSR",)),
    SampleEntity("isis", "Islamic State", "organization", aliases=("ISIS", "Isis"), wikidata="Q2429253"),
    SampleEntity("syria", "Syria", "place", wikidata="Q858"),
    SampleEntity("turkey", "Turkey", "place", source="extracted"),
    SampleEntity("hostile-entity", HOSTILE_NAME, "person", source="extracted", aliases=(HOSTILE_NAME,),
                 wikidata="javascript:alert(5)"),
]

ARTICLE_TEXT = (
    "Defectors speak out\n\n"
    "Peter Neumann, director of ICSR, said: \u201cThe defectors are a unique opportunity.\u201d\n"
    "Many had come to Syria to fight, not to kill other rebels. "
    "Neumann added that ISIS \u201cis not protecting Muslims\u201d.\n"
    "The director warned that most of them left because of the brutality.\n"
)


def sample_documents() -> list[SampleDocument]:
    """An article, the two seed documents as received, a document full of markup and a SubRip
    caption file with two speakers' turns."""
    article = SampleDocument(
        "article", "Defectors speak out", "article", ARTICLE_TEXT.encode("utf-8"),
        publisher="The Example Times", source_url="https://example.org/defectors-speak-out",
        mentions=[SampleMention("Peter Neumann", "peter-neumann"), SampleMention("ICSR", "icsr"),
                  SampleMention("Syria", "syria"), SampleMention("Neumann", "peter-neumann", 2),
                  SampleMention("ISIS", "isis")],
        quotes=[SampleQuote("The defectors are a unique opportunity.", "Peter Neumann", "peter-neumann"),
                SampleQuote("is not protecting Muslims", "Peter Neumann", "peter-neumann"),
                SampleQuote("most of them left because of the brutality", "The director", "peter-neumann",
                            kind="indirect")],
    )
    seed_article = SampleDocument(
        "000_5b55b6d9b2e6ebeb", "Defectors speak publicly", "article",
        (SEEDS / "000_5b55b6d9b2e6ebeb.txt").read_bytes(),
        mentions=[SampleMention("ISIS", "isis"), SampleMention("Syria", "syria", 2)],
        quotes=[SampleQuote("ISIS is not protecting Muslims. It is killing them", None)],
    )
    seed_transcript = SampleDocument(
        "002_bfaa0521dbc1feff", "Why are Isis recruits leaving?", "transcript",
        (SEEDS / "002_bfaa0521dbc1feff.txt").read_bytes(),
        mentions=[SampleMention("Isis", "isis"), SampleMention("Turkey", "turkey")],
        quotes=[SampleQuote("one defector recounted how an Isis", None, kind="turn")],
    )
    hostile = SampleDocument(
        "hostile", "<script>alert('title')</script>", "article", HOSTILE_TEXT.encode("utf-8"),
        mentions=[SampleMention("Peter Neumann", "peter-neumann"), SampleMention("nobody", "hostile-entity")],
        quotes=[SampleQuote('<a href="javascript:alert(3)">click</a> & <b>bold</b>', "Peter Neumann",
                            "peter-neumann")],
        publisher="<img src=x onerror=alert('publisher')>", source_url="javascript:alert(4)",
    )
    captions = SampleDocument(
        "captions", "Defectors interviewed (captions)", "transcript", CAPTIONS_TEXT.encode("utf-8"),
        mentions=[SampleMention("Syria", "syria")],
        quotes=[SampleQuote("They came to Syria for a cause", "Peter Neumann", "peter-neumann", kind="turn"),
                SampleQuote("Did they say so?", "Interviewer", kind="turn")],
        cues=[SampleCue("PETER NEUMANN: They came to Syria for a cause", "00:00:01,000", "00:00:04,200"),
              SampleCue("and found a gang instead.", "00:00:04,200", "00:00:07,000"),
              SampleCue("INTERVIEWER: Did they say so?", "00:00:07,500", "00:00:09,000")],
        suffix=".srt", media_type="application/x-subrip",
    )
    return [article, seed_article, seed_transcript, hostile, captions]


def find(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the n-th occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _document_row(doc: SampleDocument) -> dict[str, object]:
    return {
        "id": doc.id, "path": f"{doc.id}{doc.suffix}", "title": doc.title, "title_source": "curated",
        "type": doc.type, "type_confidence": 1.0, "type_method": "curated",
        "sha256": hashlib.sha256(doc.content).hexdigest(), "sha512": hashlib.sha512(doc.content).hexdigest(),
        "size_bytes": len(doc.content), "media_type": doc.media_type, "encoding": "utf-8",
        "publisher": doc.publisher, "source_url": doc.source_url, "text": doc.text, "content": doc.content,
        "extraction_build_id": 1,
    }


def _mention_rows(doc: SampleDocument) -> list[dict[str, object]]:
    rows = []
    for m in doc.mentions:
        start, end = find(doc.text, m.surface, m.occurrence)
        rows.append({"document_id": doc.id, "entity_id": m.entity_id, "start": start, "end": end,
                     "surface": m.surface, "method": "authority", "confidence": 0.9})
    return rows


def _label(text: str, start: int) -> tuple[str, int, int] | None:
    """A turn's label as the pipeline records it: "NAME" of a line that opens "NAME: " before the turn."""
    line = text.rfind("\n", 0, start) + 1
    found = re.fullmatch(r"([^:\n]{1,40}):\s*", text[line:start])
    return None if found is None else (found.group(1), line, line + len(found.group(1)))


def _quote_rows(doc: SampleDocument) -> list[dict[str, object]]:
    rows = []
    for q in doc.quotes:
        start, end = find(doc.text, q.text)
        label = _label(doc.text, start) if q.kind == "turn" else None
        rows.append({"document_id": doc.id, "speaker": q.speaker, "speaker_entity_id": q.speaker_entity_id,
                     "text": q.text, "start": start, "end": end, "kind": q.kind,
                     "cue": label[0] if label else None, "cue_start": label[1] if label else None,
                     "cue_end": label[2] if label else None, "method": "test-rule", "confidence": 0.75})
    return rows


def _segment_rows(doc: SampleDocument) -> list[dict[str, object]]:
    rows = []
    for index, cue in enumerate(doc.cues, start=1):
        start, end = find(doc.text, cue.caption)
        rows.append({"document_id": doc.id, "index": index, "start": start, "end": end,
                     "begins": cue.begins, "ends": cue.ends})
    return rows


def _document_entity_rows(doc: SampleDocument) -> list[dict[str, object]]:
    mentions: dict[str, int] = {}
    quotes: dict[str, int] = {}
    for m in doc.mentions:
        mentions[m.entity_id] = mentions.get(m.entity_id, 0) + 1
    for q in doc.quotes:
        if q.speaker_entity_id:
            quotes[q.speaker_entity_id] = quotes.get(q.speaker_entity_id, 0) + 1
    return [{"document_id": doc.id, "entity_id": entity, "role": "speaker" if quotes.get(entity) else "cited",
             "mentions": mentions.get(entity, 0), "quotes": quotes.get(entity, 0)}
            for entity in sorted(mentions.keys() | quotes.keys())]


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict[str, object]]) -> None:
    """Insert rows, leaving out values for columns the schema does not have (it only ever grows)."""
    columns = {c.name for c in db[table].columns}
    store.insert(db, table, [{k: v for k, v in row.items() if k in columns} for row in rows])


def build_catalogue(path: Path, documents: list[SampleDocument] | None = None,
                    entities: list[SampleEntity] | None = None) -> Path:
    """Write a catalogue database with the public schema and the sample rows; return its path."""
    documents = sample_documents() if documents is None else documents
    entities = ENTITIES if entities is None else entities
    db = sqlite_utils.Database(path)
    store.create_schema(db)
    with db.conn:
        _insert(db, "builds", [{"id": 1, "started_at": "2024-01-01T00:00:00Z",
                                     "software_version": "test", "extractor_version": "test",
                                     "documents": len(documents), "manifest_sha256": "0" * 64}])
        _insert(db, "entities", [{"id": e.id, "name": e.name, "type": e.type, "source": e.source,
                                       "wikidata": e.wikidata, "documents": 0} for e in entities])
        _insert(db, "entity_aliases",
                     [{"entity_id": e.id, "alias": a} for e in entities for a in e.aliases])
        _insert(db, "documents", [_document_row(d) for d in documents])
        _insert(db, "mentions", [r for d in documents for r in _mention_rows(d)])
        _insert(db, "quotes", [r for d in documents for r in _quote_rows(d)])
        _insert(db, "document_entities", [r for d in documents for r in _document_entity_rows(d)])
        _insert(db, "segments", [r for d in documents for r in _segment_rows(d)])
        db.conn.execute("update entities set documents = "
                        "(select count(*) from document_entities where entity_id = entities.id)")
        # as a build counts them: mentions and linked quotes, and the best confidence among them
        db.conn.execute("""
            update entities set
              assertions = (select count(*) from mentions where entity_id = entities.id)
                         + (select count(*) from quotes where speaker_entity_id = entities.id),
              best_confidence = (select max(c) from (
                  select confidence as c from mentions where entity_id = entities.id
                  union all select confidence from quotes where speaker_entity_id = entities.id))""")
    store.enable_search(db)
    db.conn.close()
    return path


def tamper(path: Path, document_id: str, replacement: bytes) -> None:
    """Change the stored bytes of one document without updating its recorded digest."""
    db = sqlite_utils.Database(path)
    with db.conn:
        db.conn.execute("update documents set content = ? where id = ?", (replacement, document_id))
    db.conn.close()


def unstem(path: Path) -> None:
    """Give a catalogue the full-text indexes of a catalogue built before they were stemmed: FTS5's
    default tokenizer (unicode61), no prefix index."""
    db = sqlite_utils.Database(path)
    with db.conn:
        for table, columns in (("documents", ["title", "text"]), ("quotes", ["text", "speaker"])):
            db.conn.execute(f"drop table {table}_fts")
            db[table].enable_fts(columns, fts_version="FTS5", create_triggers=False)
    db.conn.close()
