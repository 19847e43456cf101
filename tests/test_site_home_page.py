"""The home page: where to start (a search only where the site has one), every canned query by its
title, and only the databases that are catalogues."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette

from provcat import publish
from provcat.site import home_page


@pytest.fixture
def ds(sample_catalogue: Path, metadata_dir: Path) -> Datasette:
    return publish.datasette_instance(sample_catalogue, metadata_dir)


def test_where_to_start_has_a_search_only_where_the_site_has_one(ds: Datasette) -> None:
    start = home_page.start_links(ds, "catalogue", {"search": {}})
    assert [(link.title, link.url) for link in start] == [
        ("Search", "/catalogue/search"), ("Documents", "/catalogue/documents"), ("Entities", "/catalogue/entities"),
        ("Integrity", "/catalogue/-/integrity")]
    assert [link.title for link in home_page.start_links(ds, "catalogue", {})] == ["Documents", "Entities", "Integrity"]


def test_each_canned_query_is_named_by_its_title(ds: Datasette) -> None:
    links = home_page.query_links(ds, "catalogue", {"last_checked": {"title": "Last checked", "description": "When"},
                                                    "bare": {"sql": "select 1"}})
    assert [(link.title, link.url, link.description) for link in links] == [
        ("Last checked", "/catalogue/last_checked", "When"), ("bare", "/catalogue/bare", "")]


async def test_the_home_page_lists_only_the_catalogues(sample_catalogue: Path, tmp_path: Path) -> None:
    catalogue, other = tmp_path / "catalogue.db", tmp_path / "other.db"
    shutil.copyfile(sample_catalogue, catalogue)
    with sqlite3.connect(other) as conn:
        conn.execute("create table documents (id text primary key)")  # no entities: not a catalogue
    ds = Datasette([str(catalogue), str(other)])
    (found,) = (await home_page.index_page_vars(ds, None))["provcat_catalogues"]
    assert found["name"] == "catalogue" and found["search_url"] is None  # no metadata: no search query
    assert [link.title for link in found["start"]] == ["Documents", "Entities", "Integrity"]
    assert found["queries"] == [] and found["integrity"]["page_url"] == "/catalogue/-/integrity"
    assert await home_page.is_catalogue(ds.get_database("catalogue"))
    assert not await home_page.is_catalogue(ds.get_database("other"))
