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
