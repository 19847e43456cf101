"""The review queue: the machine's assertions most worth a curator's look, each with the lines of
``curation.yml`` or of a sidecar that would settle it.

``/<database>/-/review`` lists, most doubtful first:

- **type conflicts**: a name catalogued as more than one kind of thing ("Washington" a person and a
  place) — one of them is often wrong;
- **unresolved speakers**: speech whose source the rules could not name (the speaker left empty);
- **low confidence**: entities whose best assertion has a confidence under ``LOW_CONFIDENCE``;
- **one document only**: entities the machine found in one document and nowhere else, the fewest
  mentions first.

Entities from the authority file and entities a curator confirmed (``confirm`` in ``curation.yml``)
are left out. Each section shows its ``SECTION_LIMIT`` most doubtful items and how many there are;
the ``review_queue`` question gives every item as a table (and CSV).
"""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from typing import Any

from datasette.database import Database, QueryInterrupted
from datasette.utils.asgi import Response

from .access import open_catalogue
from .curation_lines import entity_actions, speaker_lines
from .formatting import confidence_text, excerpt
from .urls import document_url, entity_url

REVIEW_PATH = "/{database}/-/review"
REVIEW_ROUTE = r"^/(?P<database>[^/]+)/-/review$"
#: Under this confidence an entity is worth checking (the model's own mentions have 0.75).
LOW_CONFIDENCE = 0.7
SECTION_LIMIT = 50

#: Entities a curator confirmed, and names catalogued with more than one type.
_WITH = """
with confirmed as (select entity_id from entity_curation where effect = 'confirmed'),
conflicting as (
  select lower(name) as key from entities group by lower(name) having count(distinct type) > 1
)
"""
#: An entity's document: the first that mentions it, or that quotes it.
_FIRST_DOCUMENT = """coalesce((select min(m.document_id) from mentions m where m.entity_id = e.id),
                (select min(q.document_id) from quotes q where q.speaker_entity_id = e.id))"""
_ENTITY_COLUMNS = f"""e.name as entity, e.id as entity_id, e.type, null as speaker, null as quote,
       {_FIRST_DOCUMENT} as document_id,
       e.best_confidence as confidence, e.assertions, e.documents"""
#: Each section's rows, by reason (same columns in each).
SECTION_SQL = {
    "type conflict": f"""select 'type conflict' as reason, {_ENTITY_COLUMNS}, 1 as priority
from entities e
where lower(e.name) in (select key from conflicting) and e.source = 'extracted'
  and e.id not in (select entity_id from confirmed)""",
    "unresolved speaker": """select 'unresolved speaker' as reason, null as entity, null as entity_id, null as type,
       coalesce(q.speaker, '') as speaker, q.id as quote, q.document_id, q.confidence, 1 as assertions,
       1 as documents, 2 as priority
from quotes q
where q.speaker_entity_id is null and (q.method like '%+unresolved%' or q.method = 'rule:quote-unattributed')""",
    "low confidence": f"""select 'low confidence' as reason, {_ENTITY_COLUMNS}, 3 as priority
from entities e
where e.source = 'extracted' and e.best_confidence < :low and e.id not in (select entity_id from confirmed)""",
    "one document only": f"""select 'one document only' as reason, {_ENTITY_COLUMNS}, 4 as priority
from entities e
where e.source = 'extracted' and e.documents = 1 and e.best_confidence >= :low
  and e.id not in (select entity_id from confirmed)""",
}
_ORDER = "order by priority, confidence, assertions, entity"
#: The most items of one kind the question lists (Datasette shows at most 1,000 rows of a question).
QUESTION_LIMIT = 1000
#: The queue, most doubtful first, at most ``QUESTION_LIMIT`` of each kind: each kind is sorted on its
#: own, so a large catalogue's queue is never sorted whole (the ``review_queue`` question: a test keeps
#: the two equal).
QUEUE_SQL = (_WITH + "select * from (\n" + "\nunion all\n".join(
    f"select * from ({sql}\n{_ORDER} limit {QUESTION_LIMIT})" for sql in SECTION_SQL.values())
    + f"\n)\n{_ORDER}\n")

SECTIONS = {
    "type conflict": "Names catalogued as more than one kind of thing",
    "unresolved speaker": "Speech whose source could not be named",
    "low confidence": f"Entities whose best assertion has a confidence under {LOW_CONFIDENCE}",
    "one document only": "Entities found in one document only",
}
WHY = {
    "type conflict": "One of the types is often the machine's mistake: retype it, or merge the two if they are one.",
    "unresolved speaker": "The rules found speech but not who spoke: name the speaker in the document's sidecar.",
    "low confidence": "Made by a method that is often wrong: confirm the entity, or reject it.",
    "one document only": "Named in one document and nowhere else, so nothing confirms it: confirm it, merge it "
                         "into the entity it is another name of, or reject it.",
}
#: A section's most doubtful items, with the path of each one's document and a quote's words.
_SHOWN_SQL = """{with_}select s.*, d.path, q.text as words
from (select * from ({section}) {order} limit :limit) s
left join documents d on d.id = s.document_id left join quotes q on q.id = s.quote
{order}"""


@dataclass(frozen=True)
class Item:
    reason: str
    name: str
    type: str | None
    confidence: str
    assertions: int
    documents: int
    url: str  # the entity's page, or the quote in its document
    lines: str  # what to add to curation.yml or the sidecar
    where: str  # "curation.yml" or the sidecar's file name
    quote: str = ""  # for a speaker: the words
    document: str = ""  # for an entity: the path of the first document mentioning it


def entity_lines(reason: str, name: str, entity_type: str) -> str:
    """The curation.yml actions that settle an item about an entity."""
    actions = entity_actions(name, entity_type, datetime.date.today().isoformat())
    chosen = {"type conflict": ("retype", "confirm"), "one document only": ("confirm", "merge_into", "reject")}
    return "\n".join(actions[a] for a in chosen.get(reason, ("confirm", "reject")))


async def queue(db: Database, limit: int = SECTION_LIMIT) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """The queue's rows by reason (at most ``limit`` each, most doubtful first) and how many each has:
    a query per section, so that a large catalogue's queue is never gathered whole."""
    sections: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, int] = {}
    params = {"low": LOW_CONFIDENCE, "limit": limit}
    for reason, sql in SECTION_SQL.items():
        # each query may run as long as the server lets one (sql_time_limit_ms); past it the page says so
        rows = (await db.execute(_SHOWN_SQL.format(with_=_WITH, section=sql, order=_ORDER), params)).rows
        sections[reason] = [dict(zip(row.keys(), tuple(row), strict=True)) for row in rows]
        total = (await db.execute(f"{_WITH}select count(*) from ({sql})", params)).first()
        counts[reason] = int(total[0]) if total is not None else 0
    return sections, counts


async def review_page(datasette: Any, request: Any) -> Response:
    """/<database>/-/review: the queue, section by section."""
    db = await open_catalogue(datasette, request, tables=("documents", "entities", "quotes", "mentions"))
    timed_out = False
    try:
        sections, counts = await queue(db)
    except QueryInterrupted:
        sections, counts, timed_out = {r: [] for r in SECTIONS}, dict.fromkeys(SECTIONS, 0), True
    except sqlite3.Error:  # a catalogue written before the queue's columns and tables
        sections, counts = {r: [] for r in SECTIONS}, dict.fromkeys(SECTIONS, 0)
    shown: dict[str, list[Item]] = {}
    for reason, rows in sections.items():
        items = []
        for r in rows:
            if r["quote"] is not None:
                text = r["words"] or ""
                items.append(Item(reason, r["speaker"] or "", None, confidence_text(r["confidence"]), 1, 1,
                                  document_url(datasette, db.name, r["document_id"], r["quote"]),
                                  speaker_lines(r["path"] or "", text), f"documents/{r['document_id']}.yml",
                                  excerpt(text, 300)))
            else:
                items.append(Item(reason, r["entity"], r["type"], confidence_text(r["confidence"]),
                                  int(r["assertions"] or 0), int(r["documents"] or 0),
                                  entity_url(datasette, db.name, r["entity_id"]),
                                  entity_lines(reason, r["entity"], r["type"]), "curation.yml",
                                  document=r["path"] or ""))
        shown[reason] = items
    context = {"sections": [{"reason": r, "title": SECTIONS[r], "why": WHY[r], "entries": shown[r],
                             "count": counts[r], "anchor": r.replace(" ", "-")} for r in SECTIONS],
               "timed_out": timed_out, "database": db.name,
               "database_url": str(datasette.urls.database(db.name)),
               "query_url": str(datasette.urls.query(db.name, "review_queue")) + f"?low={LOW_CONFIDENCE}"}
    return Response.html(await datasette.render_template("provcat_review.html", context, request=request))


ROUTES = [(REVIEW_ROUTE, review_page)]
