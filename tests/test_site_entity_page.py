"""An entity's row page: its names, the documents citing it and the quotes credited to it, each
linked, the lists cut at the page's limit with the totals kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette

from provcat import publish
from provcat.site import entity_page


@pytest.fixture
def ds(sample_catalogue: Path, metadata_dir: Path) -> Datasette:
    return publish.datasette_instance(sample_catalogue, metadata_dir)


async def test_an_entitys_page_has_its_names_documents_and_quotes(ds: Datasette) -> None:
    entity = (await entity_page.entity_page_vars(ds, "catalogue", "peter-neumann"))["provcat_entity"]
    assert (entity["name"], entity["type"], entity["aliases"]) == ("Peter Neumann", "person", ["Neumann", "P. Neumann"])
    assert entity["documents_total"] == 3 and len(entity["documents"]) == 3
    first = entity["documents"][0]
    assert (first.document_id, first.title, first.mentions, first.quotes) == ("article", "Defectors speak out", 2, 3)
    assert first.url == "/catalogue/documents/article"
    assert entity["quotes_total"] == 5
    assert all(q.url == f"/catalogue/documents/{q.document_id}#q-{q.id}" for q in entity["quotes"])
    assert entity["documents_all_url"] == "/catalogue/document_entities?entity_id=peter-neumann"
    assert entity["quotes_all_url"] == "/catalogue/quotes?speaker_entity_id=peter-neumann"
    isis = (await entity_page.entity_page_vars(ds, "catalogue", "isis"))["provcat_entity"]
    assert isis["wikidata_url"] == "https://www.wikidata.org/wiki/Q2429253" and isis["quotes"] == []


async def test_the_lists_stop_at_the_pages_limit_and_keep_the_totals(ds: Datasette,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entity_page, "ENTITY_PAGE_LIMIT", 1)
    entity = (await entity_page.entity_page_vars(ds, "catalogue", "peter-neumann"))["provcat_entity"]
    assert (len(entity["documents"]), entity["documents_total"]) == (1, 3)
    assert (len(entity["quotes"]), entity["quotes_total"]) == (1, 5)


async def test_an_entity_not_in_the_catalogue_or_a_database_that_is_none_has_nothing(ds: Datasette,
                                                                                    tmp_path: Path) -> None:
    assert await entity_page.entity_page_vars(ds, "catalogue", "nobody") == {}
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table entities (id text primary key)")
    assert await entity_page.entity_page_vars(Datasette([str(other)]), "other", "nobody") == {}


TEXT = ("The harbour council met on Monday. Margaret Okafor, the harbour master, said the ferry would run again.\n\n"
        "\u201cWe are ready,\u201d Okafor said. The Lisbon Ferry Company welcomed the decision.\n")


@pytest.fixture
def built(tmp_path: Path) -> Datasette:
    from provcat.build import build_catalogue

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "notice.txt").write_text(TEXT)
    metadata = tmp_path / "metadata"
    (metadata / "documents").mkdir(parents=True)
    (metadata / "authorities.yml").write_text(
        "entities:\n  - id: margaret-okafor\n    name: Margaret Okafor\n    type: person\n    aliases: [Okafor]\n"
        "    note: Harbour master since 2019.\n")
    (metadata / "documents" / "any-name.yml").write_text(
        "document: notice.txt\nreject:\n  entities: [Lisbon Ferry Company]\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    return publish.datasette_instance(db, metadata)


async def test_mentions_are_shown_in_their_context_with_the_forms_and_the_note(built: Datasette) -> None:
    entity = (await entity_page.entity_page_vars(built, "catalogue", "margaret-okafor"))["provcat_entity"]
    assert entity["note"] == "Harbour master since 2019."
    assert entity["mentions_total"] == len(entity["in_context"]) >= 2
    assert dict(entity["surfaces"]) == {"Margaret Okafor": 1, "Okafor": entity["mentions_total"] - 1}
    for m in entity["in_context"]:
        assert TEXT.replace("\n\n", " ").find(f"{m.before.lstrip('… ')}{m.surface}") >= 0 or m.before.startswith("…")
        assert m.method and m.confidence and m.url == "/catalogue/documents/notice"
    first = entity["in_context"][0]
    assert (first.before, first.surface) == ("The harbour council met on Monday. ", "Margaret Okafor")


def test_context_is_cut_at_a_word_away_from_the_mention() -> None:
    long_before = "x" * 10 + " and the words just before " + "y" * 30
    assert entity_page._one_line(long_before[-entity_page.CONTEXT_CHARACTERS:], left=True).startswith("… ")
    assert entity_page._one_line("said\n\n  the  ferry") == "said the ferry"
    after = " said the ferry would run again on Monday and on every day after that one"
    assert entity_page._one_line(after[:entity_page.CONTEXT_CHARACTERS]).endswith(" …")


async def test_quotes_by_a_label_that_names_the_entity_but_are_not_linked_are_listed_apart(
        sample_catalogue: Path, metadata_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "catalogue.db"
    shutil.copyfile(sample_catalogue, copy)
    conn = sqlite3.connect(copy)
    quote_id, document_id = conn.execute("select id, document_id from quotes where speaker_entity_id = "
                                         "'peter-neumann' order by id limit 1").fetchone()
    conn.execute("update quotes set speaker_entity_id = null, speaker = 'NEUMANN' where id = ?", (quote_id,))
    conn.commit()
    entity = (await entity_page.entity_page_vars(publish.datasette_instance(copy, metadata_dir), "catalogue",
                                                 "peter-neumann"))["provcat_entity"]
    assert [(q.id, q.speaker) for q in entity["unlinked_quotes"]] == [(quote_id, "NEUMANN")]
    assert entity["unlinked_quotes"][0].url == f"/catalogue/documents/{document_id}#q-{quote_id}"


async def test_the_page_says_how_to_correct_the_entity(built: Datasette) -> None:
    page = (await built.client.get("/catalogue/entities/margaret-okafor")).text
    assert "Correcting this entity" in page and "Its record is in <code>authorities.yml</code>" in page
    assert "note: Harbour master since 2019." in page and "entities: [margaret-okafor]" in page
    assert '<table class="provcat-table provcat-kwic">' in page


@pytest.fixture
def curated(tmp_path: Path) -> Datasette:
    from provcat.build import build_catalogue

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "notice.txt").write_text(TEXT + "The Lisbon Ferry Co. said <it> would add sailings.\n")
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    (metadata / "authorities.yml").write_text(
        "entities:\n  - {id: margaret-okafor, name: Margaret Okafor, type: person, aliases: [Okafor],\n"
        "     viaf: '123456789', lcnaf: n80126307}\n")
    (metadata / "curation.yml").write_text(
        "actions:\n"
        "  - action: merge\n"
        "    entities: [{name: Lisbon Ferry Company, type: organization}, {name: Lisbon Ferry Co.}]\n"
        "    by: R. Archivist\n    date: 2026-11-30\n    why: the company's short form <b>in the notice</b>\n"
        "  - action: confirm\n    entity: {name: Margaret Okafor}\n"
        "    by: R. Archivist\n    date: 2026-11-30\n    why: the harbour authority's staff list\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    return publish.datasette_instance(db, metadata)


async def test_the_page_shows_what_curators_decided_with_who_when_and_why(curated: Datasette) -> None:
    page = (await curated.client.get("/catalogue/entities/lisbon-ferry-company")).text
    assert "Curated across the collection (1)" in page
    assert "merged: &#39;Lisbon Ferry Co.&#39; (organization)" in page
    assert 'href="/catalogue/curation_actions/1">action 1</a> (merge)' in page
    assert "by R. Archivist on 2026-11-30" in page
    assert "the company&#39;s short form &lt;b&gt;in the notice&lt;/b&gt;" in page  # escaped, never markup
    confirmed = (await curated.client.get("/catalogue/entities/margaret-okafor")).text
    assert "<strong>confirmed</strong>" in confirmed


async def test_the_page_links_the_authority_identifiers_it_can(curated: Datasette) -> None:
    page = (await curated.client.get("/catalogue/entities/margaret-okafor")).text
    assert 'VIAF <a class="provcat-identifier" href="https://viaf.org/viaf/123456789"' in page
    assert 'href="https://id.loc.gov/authorities/names/n80126307.html"' in page


def test_a_malformed_identifier_is_shown_but_not_linked() -> None:
    found = entity_page.identifiers({"viaf": "12 34", "geonames": "2643743", "lcnaf": None})
    assert [(i.label, i.value, i.url) for i in found] == [("VIAF", "12 34", None),
                                                           ("GeoNames", "2643743", "https://www.geonames.org/2643743")]


async def test_the_page_gives_the_curation_lines_for_the_entity(built: Datasette) -> None:
    page = (await built.client.get("/catalogue/entities/margaret-okafor")).text
    assert "  - action: confirm\n    entity: {name: &#34;Margaret Okafor&#34;, type: person}" in page
    assert "type: &lt;organization or place&gt;" in page


def test_the_curation_lines_read_back_as_the_entity_whatever_its_name() -> None:
    import yaml

    lines = entity_page.curation_lines('Sheikh "Abu" Ali: #1', "person", "2026-12-01")
    action = yaml.safe_load(lines["reject"].replace("<your name>", "me").replace("<the evidence>", "x"))[0]
    assert action["entity"] == {"name": 'Sheikh "Abu" Ali: #1', "type": "person"}


async def test_each_other_form_of_the_name_says_how_it_was_joined(curated: Datasette) -> None:
    page = (await curated.client.get("/catalogue/entities/lisbon-ferry-company")).text
    assert '<span class="provcat-alias">Lisbon Ferry Co.</span> <span class="provcat-muted">(by a curation action)' \
        in page
