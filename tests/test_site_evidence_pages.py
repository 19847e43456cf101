"""The evidence pages of a catalogue built with an empty metadata folder: each quote's and each
mention's own page (its permalink) and the glossary of methods with the catalogue's counts."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from closed_table import closed_table_site
from html_fragments import inner_text, parse, tags

from provcat import publish
from provcat.build import build_catalogue
from provcat.extract.pipeline import EXTRACTOR_VERSION, MODEL
from provcat.methods import METHODS, STEPS

TEXT = ('"The ferry will run again on Monday," said Margaret Okafor, the harbour master of Lisbon.\n\n'
        '"We have waited long enough," she added.\n\n'
        "The council in Porto agreed.\n")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    root = tmp_path_factory.mktemp("evidence")
    archive = root / "archive"
    archive.mkdir()
    (archive / "ferry.txt").write_text(TEXT)
    metadata = root / "metadata"
    metadata.mkdir()
    db = root / "catalogue.db"
    build_catalogue(archive, metadata, db)
    return publish.datasette_instance(db, metadata), db


def _main(html: str) -> str:
    """The page's <main> element's content (well nested: checked)."""
    inner = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    parse(inner)
    return inner


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_a_quotes_page_shows_its_cue_speaker_method_confidence_and_build(served: tuple) -> None:
    ds, db = served
    ((quote_id, method, cue),) = _rows(db, "select id, method, cue from quotes where text like 'We have%'")
    assert method == "rule:quote-cue+pronoun" and cue
    response = await ds.client.get(f"/catalogue/-/evidence/quote/{quote_id}")
    assert response.status_code == 200
    html = response.text
    assert re.search(r'<mark class="provcat-evidence-cue">[^<]*she added', html)
    assert re.search(r'<mark class="provcat-evidence-quote">We have waited long enough', html)
    text = inner_text(_main(html))
    assert "Margaret Okafor — attributed in the text as “she added”: the speaker resolved from a pronoun" in text
    assert STEPS["+pronoun"].sentence in text and METHODS["rule:quote-cue"].sentence in text
    assert "not a probability" in text and "0.65" in text
    assert "Made bybuild 1 of" in text and f"extractor {EXTRACTOR_VERSION}, model {MODEL}" in text
    assert f"/catalogue/-/evidence/quote/{quote_id}" in text  # the permalink, written out
    hrefs = [a["href"] for a in tags(_main(html), "a")]
    assert f"/catalogue/documents/ferry#q-{quote_id}" in hrefs and "/catalogue/builds/1" in hrefs
    assert "/catalogue/-/methods#step-pronoun" in hrefs
    assert "<title>Quote" in html


async def test_a_mentions_page_shows_the_entity_and_how_it_was_found(served: tuple) -> None:
    ds, db = served
    ((mention_id, entity_id),) = _rows(db, "select id, entity_id from mentions where surface = 'Porto'")
    response = await ds.client.get(f"/catalogue/-/evidence/mention/{mention_id}")
    assert response.status_code == 200
    assert re.search(r'<mark class="provcat-evidence-mention">Porto</mark>', response.text)
    assert f'href="/catalogue/entities/{entity_id}"' in response.text and "written “Porto” in the text" in response.text


@pytest.mark.parametrize("path", ["/catalogue/-/evidence/quote/999999", "/catalogue/-/evidence/mention/0",
                                  "/catalogue/-/evidence/file/1", "/catalogue/-/evidence/quote/x",
                                  "/nowhere/-/evidence/quote/1", "/nowhere/-/methods"])
async def test_what_is_not_there_is_not_found(served: tuple, path: str) -> None:
    ds, _ = served
    assert (await ds.client.get(path)).status_code == 404


async def test_the_glossary_explains_every_method_and_counts_this_catalogues(served: tuple) -> None:
    ds, db = served
    response = await ds.client.get("/catalogue/-/methods")
    assert response.status_code == 200
    html = response.text
    ids = {t.get("id") for t in tags(_main(html), "dt")}
    assert {m.anchor for m in (*METHODS.values(), *STEPS.values())} <= ids
    assert 'id="confidence"' in html
    counted = dict(_rows(db, "select method, count(*) from quotes group by method"))
    for method, count in counted.items():
        row = re.search(rf"<td>quotes</td><td><code>{re.escape(method)}</code></td>.*?<a href=\"([^\"]+)\">{count}</a>",
                        html, re.S)
        assert row, method
        listed = await ds.client.get(row.group(1).replace("&amp;", "&") .replace("?", ".json?") + "&_shape=array")
        assert len(listed.json()) == count
    assert "not described by this version" not in html


async def test_a_closed_quotes_table_closes_its_evidence(tmp_path: Path) -> None:
    ds, db, cookies = closed_table_site(tmp_path, "quotes", "ferry.txt", TEXT)
    ((quote_id,),) = _rows(db, "select min(id) from quotes")
    assert (await ds.client.get(f"/catalogue/-/evidence/quote/{quote_id}")).status_code == 403
    assert (await ds.client.get(f"/catalogue/-/evidence/quote/{quote_id}", cookies=cookies)).status_code == 200


async def test_the_document_page_has_a_panel_for_every_quote_reached_from_its_number(served: tuple) -> None:
    ds, db = served
    quotes = [q for (q,) in _rows(db, "select id from quotes order by start")]
    html = (await ds.client.get("/catalogue/documents/ferry")).text
    panels = [d["id"] for d in tags(_main(html), "details")]
    assert panels == [f"evidence-q-{q}" for q in quotes]
    links = re.findall(r'<a class="provcat-evidence-link" href="#(evidence-q-\d+)" aria-label="([^"]+)">(\d+)</a>',
                       html)
    assert [link for link, _, _ in links] == panels
    assert links[0][1] == "Evidence of this quote (speaker 1, Margaret Okafor)" and links[0][2] == "1"
    assert 'href="/catalogue/-/methods#method-rule-prose"' in html and "Why article:" in html


async def test_a_quotes_page_gives_a_citation_with_offsets_digest_and_address(served: tuple) -> None:
    ds, db = served
    ((quote_id, start, end, sha256),) = _rows(db, "select q.id, q.start, q.\"end\", d.sha256 from quotes q join "
                                                  "documents d on d.id = q.document_id where q.text like 'We have%'")
    html = (await ds.client.get(f"/catalogue/-/evidence/quote/{quote_id}")).text
    citation = re.search(r'<p class="provcat-citation">(.*?)</p>', html, re.S)
    assert citation
    cited = " ".join(inner_text(citation.group(1)).split())
    assert cited.startswith("“We have waited long enough,” (Margaret Okafor). In ")
    assert f"document ferry, characters {start}–{end}, SHA-256 {sha256}." in cited
    assert f"http://localhost/catalogue/-/evidence/quote/{quote_id} (accessed 20" in cited
