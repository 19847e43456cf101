"""The review queue: the machine's doubtful findings, each with the lines that settle it — and the
lines, once a curator fills them in, do settle it when the catalogue is built again."""

from __future__ import annotations

import re
import sqlite3
from html import unescape
from pathlib import Path

import pytest
import yaml
from cli_runner import run
from datasette.app import Datasette

from provcat import publish
from provcat.site import review_queue

NOTES = ("The harbour council met in Lisbon on Monday. Margaret Okafor, the harbour master, said the ferry would "
         "run again.\n\"We will never close the harbour.\"\nPhoto: Jo Lane/Acme Photo\n")
MORE = "Margaret Okafor spoke to the <b>council</b> in Lisbon again on Friday.\n"
#: Lisbon as an organisation in one document: the same name catalogued as two kinds of thing.
SPLIT = """\
actions:
  - action: split
    entity: {name: Lisbon, type: place}
    documents: [more.txt]
    name: Lisbon
    type: organization
    by: T. Tester
    date: 2026-12-01
    why: a conflict for the queue to find
"""


def build(tmp_path: Path, curation: str) -> Datasette:
    archive, metadata = tmp_path / "archive", tmp_path / "metadata"
    archive.mkdir(exist_ok=True)
    metadata.mkdir(exist_ok=True)
    (archive / "notes.txt").write_text(NOTES)
    (archive / "more.txt").write_text(MORE)
    (metadata / "curation.yml").write_text(curation)
    code, _out, err = run(["build", str(archive), "--metadata", str(metadata), "--db", "catalogue.db"], tmp_path)
    assert code == 0, err
    return publish.datasette_instance(tmp_path / "catalogue.db", metadata)


def section(page: str, anchor: str) -> str:
    start = page.index(f'<h2 id="{anchor}">')
    end = page.find("<h2 ", start + 1)
    return page[start:end if end > 0 else len(page)]


def lines_for(part: str, name: str) -> list[dict]:
    """The curation.yml actions offered for the item named ``name``, read as YAML."""
    item = next(li for li in part.split('<li class="provcat-review-item">')[1:] if f"<strong>{name}</strong>" in li)
    text = unescape(re.search(r'<pre class="provcat-curation-lines">(.*?)</pre>', item, re.S).group(1))
    return yaml.safe_load(text.replace("<your name>", "R. Archivist").replace("<the evidence>", "checked"))


async def test_the_queue_lists_each_kind_of_doubt_with_its_counts(tmp_path: Path) -> None:
    ds = build(tmp_path, SPLIT)
    response = await ds.client.get("/catalogue/-/review")
    assert response.status_code == 200
    page = response.text
    conflict = section(page, "type-conflict")
    assert "(2)</h2>" in conflict and 'href="/catalogue/entities/lisbon"' in conflict
    assert "· organization ·" in conflict and "· place ·" in conflict
    unresolved = section(page, "unresolved-speaker")
    assert "We will never close the harbour." in unresolved and "documents/notes.yml" in unresolved
    sidecar = yaml.safe_load(unescape(re.search(r'<pre class="provcat-curation-lines">(.*?)</pre>', unresolved,
                                                re.S).group(1)))
    assert sidecar["document"] == "notes.txt" and sidecar["speakers"][0]["quote"] == "We will never close the harbour."
    low = section(page, "low-confidence")
    assert "<strong>Jo Lane</strong>" in low and "best confidence 0.65" in low
    assert "Margaret Okafor" not in page.split('<h2 id="type-conflict">')[1]  # 0.75, four assertions: no doubt
    # the same rows as the question, which takes the threshold as a parameter
    rows = (await ds.client.get("/catalogue/review_queue.json?low=0.7&_shape=array")).json()
    assert {r["reason"] for r in rows} == {"type conflict", "unresolved speaker", "low confidence", "one document only"}
    home = (await ds.client.get("/")).text
    assert 'href="/catalogue/-/review"><strong>Review queue</strong>' in home


async def test_the_offered_lines_settle_the_item_when_the_catalogue_is_built_again(tmp_path: Path) -> None:
    ds = build(tmp_path, SPLIT)
    page = (await ds.client.get("/catalogue/-/review")).text
    reject = [a for a in lines_for(section(page, "low-confidence"), "Jo Lane") if a["action"] == "reject"]
    confirm = [a for a in lines_for(section(page, "low-confidence"), "Acme Photo") if a["action"] == "confirm"]
    curation = yaml.safe_load(SPLIT)
    curation["actions"] += reject + confirm
    ds = build(tmp_path, yaml.safe_dump(curation))
    page = (await ds.client.get("/catalogue/-/review")).text
    low = section(page, "low-confidence")
    assert "Jo Lane" not in low and "Acme Photo" not in low and "Nothing to review." in low
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    assert conn.execute("select count(*) from entities where name = 'Jo Lane'").fetchone() == (0,)
    assert conn.execute("select surface from rejected_mentions").fetchall() == [("Jo Lane",)]


async def test_names_from_the_archive_are_escaped(tmp_path: Path) -> None:
    ds = build(tmp_path, SPLIT.replace("name: Lisbon\n    type", "name: <i>Lisbon</i>\n    type"))
    page = (await ds.client.get("/catalogue/-/review")).text
    assert "<i>Lisbon</i>" not in page and "&lt;i&gt;Lisbon&lt;/i&gt;" in page


def test_the_question_and_the_page_ask_the_same() -> None:
    queries = publish.load_publication(publish.PUBLICATION)["databases"]["catalogue"]["queries"]
    assert queries["review_queue"]["sql"].strip() == review_queue.QUEUE_SQL.strip()


@pytest.mark.parametrize("name", ["O'Brien: the \"elder\"", "#hashtag", "- dash", "Ünïcode – name"])
def test_the_lines_read_back_as_the_entity(name: str) -> None:
    actions = yaml.safe_load(review_queue.entity_lines("one document only", name, "person"))
    assert all(a.get("entity", {}).get("name", name) == name for a in actions)
    assert {a["action"] for a in actions} == {"confirm", "merge", "reject"}


async def test_a_catalogue_written_before_authority_control_still_has_its_pages(tmp_path: Path) -> None:
    build(tmp_path, "actions: []\n")
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    with conn:
        conn.execute("drop table entity_curation")
        conn.execute("alter table entities drop column best_confidence")
    conn.close()
    ds = publish.datasette_instance(tmp_path / "catalogue.db", tmp_path / "metadata")
    review = await ds.client.get("/catalogue/-/review")
    assert review.status_code == 200 and "Review queue" in review.text
    entity = await ds.client.get("/catalogue/entities/margaret-okafor")
    assert entity.status_code == 200 and "Documents citing Margaret Okafor" in entity.text
