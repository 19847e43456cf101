"""The home page: where to start (the search page, whatever queries the site has), an example search
taken from the catalogue, every canned query by its title, and only the databases that are
catalogues."""

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


def test_where_to_start_is_the_search_page_whatever_the_queries(ds: Datasette) -> None:
    expected = [("Search", "/catalogue/-/search"), ("Documents", "/catalogue/documents"),
                ("Entities", "/catalogue/entities"), ("Integrity", "/catalogue/-/integrity"),
                ("Review queue", "/catalogue/-/review")]
    for queries in ({"search": {}}, {}):
        assert [(link.title, link.url) for link in home_page.start_links(ds, "catalogue", queries)] == expected


async def test_the_search_box_goes_to_the_search_page_with_an_example_from_the_catalogue(ds: Datasette) -> None:
    (found,) = (await home_page.index_page_vars(ds, None))["provcat_catalogues"]
    assert found["search_url"] == "/catalogue/-/search"
    (most_cited,) = sqlite3.connect(ds.get_database("catalogue").path).execute(
        "select name from entities order by documents desc, name limit 1").fetchone()
    assert found["search_example"] == most_cited
    page = (await ds.client.get("/")).text
    assert 'action="/catalogue/-/search"' in page and f'placeholder="e.g. {most_cited}"' in page


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
    assert found["name"] == "catalogue" and found["search_url"] == "/catalogue/-/search"  # the site's own page
    assert [link.title for link in found["start"]] == ["Search", "Documents", "Entities", "Integrity", "Review queue"]
    assert found["queries"] == [] and found["integrity"]["page_url"] == "/catalogue/-/integrity"
    assert await home_page.is_catalogue(ds.get_database("catalogue"))
    assert not await home_page.is_catalogue(ds.get_database("other"))
