"""The seeds built by the real pipeline and published by the real Datasette configuration."""

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from provcat import publish
from provcat.build import build_catalogue

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seeds") / "catalogue.db"
    build_catalogue(ROOT / "seeds", ROOT / "metadata", db)
    return db


async def rows(ds: Datasette, path: str, **params: str) -> list[dict[str, Any]]:
    response = await ds.client.get(path, params={"_shape": "array", **params})
    assert response.status_code == 200, response.text
    return response.json()


async def test_search_for_shininess_finds_the_article(seed_db: Path) -> None:
    ds = publish.datasette_instance(seed_db, ROOT / "metadata")
    found = await rows(ds, "/catalogue/documents.json", _search="shininess", _col="type")
    assert [(r["id"], r["type"]) for r in found] == [("000_5b55b6d9b2e6ebeb", "article")]


async def test_integrity_query_confirms_then_catches_tampering(seed_db: Path, tmp_path: Path) -> None:
    ds = publish.datasette_instance(seed_db, ROOT / "metadata")
    assert {r["outcome"] for r in await rows(ds, "/catalogue/integrity.json")} == {"intact"}
    assert await rows(ds, "/catalogue.json", sql="select sha256_hex(content) = sha256 as ok from documents") == [
        {"ok": 1}, {"ok": 1}]
    tampered = tmp_path / "catalogue.db"
    shutil.copy(seed_db, tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute("update documents set content = cast(replace(cast(content as text), 'Neumann', 'Neuman!') "
                     "as blob) where id = '000_5b55b6d9b2e6ebeb'")
    ds = publish.datasette_instance(tampered, ROOT / "metadata")
    outcomes = {r["document_id"]: r["outcome"] for r in await rows(ds, "/catalogue/integrity.json")}
    assert outcomes == {"000_5b55b6d9b2e6ebeb": "changed", "002_bfaa0521dbc1feff": "intact"}


async def test_researcher_queries(seed_db: Path) -> None:
    ds = publish.datasette_instance(seed_db, ROOT / "metadata")
    quotes = await rows(ds, "/catalogue/quotes_by_speaker.json", speaker="Peter Neumann")
    assert any("shininess is wearing off" in q["text"] for q in quotes)
    citing = await rows(ds, "/catalogue/documents_citing.json", entity="NPR")
    assert [(r["document_id"], r["entity_id"]) for r in citing] == [("002_bfaa0521dbc1feff", "npr")]
    plugins = (await ds.client.get("/-/plugins.json")).json()
    assert "provcat" in {p["name"] for p in plugins}


async def test_document_page_shows_its_integrity_state(seed_db: Path, tmp_path: Path) -> None:
    ds = publish.datasette_instance(seed_db, ROOT / "metadata")
    page = (await ds.client.get("/catalogue/documents/000_5b55b6d9b2e6ebeb")).text
    assert 'data-archive-state="new"' in page and "In the archive: Intact</strong> — checked by a build" in page
    assert "Copy stored in the catalogue: intact" in page
    tampered = tmp_path / "catalogue.db"
    shutil.copy(seed_db, tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute("update documents set content = x'00' where id = '000_5b55b6d9b2e6ebeb'")
    ds = publish.datasette_instance(tampered, ROOT / "metadata")
    page = (await ds.client.get("/catalogue/documents/000_5b55b6d9b2e6ebeb")).text
    assert "provcat-integrity-changed" in page
