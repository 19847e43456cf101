"""Which catalogue a page of the site is for, and whether the reader may see it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from datasette.app import Datasette
from datasette.utils.asgi import Forbidden, NotFound

from provcat.site.access import open_catalogue


def _request(database: str, actor: dict | None = None) -> SimpleNamespace:
    return SimpleNamespace(url_vars={"database": database}, actor=actor)


@pytest.fixture
def sites(sample_catalogue: Path, tmp_path: Path) -> Datasette:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table notes (x)").connection.commit()
    return Datasette(files=[str(sample_catalogue), str(other)], metadata={
        "databases": {"catalogue": {"tables": {"quotes": {"allow": {"id": "curator"}}}}}})


async def test_an_open_catalogue_is_given(sites: Datasette) -> None:
    db = await open_catalogue(sites, _request("catalogue"))
    assert db.name == "catalogue"


@pytest.mark.parametrize("route", ["nowhere", "other"])
async def test_a_database_that_is_not_a_catalogue_is_not_found(sites: Datasette, route: str) -> None:
    with pytest.raises(NotFound):
        await open_catalogue(sites, _request(route))


async def test_a_closed_table_is_closed_to_others_and_open_to_its_reader(sites: Datasette) -> None:
    with pytest.raises(Forbidden):
        await open_catalogue(sites, _request("catalogue"), ("documents", "quotes"))
    db = await open_catalogue(sites, _request("catalogue", {"id": "curator"}), ("documents", "quotes"))
    assert db.name == "catalogue"
