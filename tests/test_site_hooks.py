"""Datasette's hooks: the plugin Datasette loads, the pages that get extra template variables, and the
connections it prepares."""

from __future__ import annotations

import hashlib
import sqlite3
from importlib.metadata import entry_points
from pathlib import Path

from provcat.site import hooks


def test_datasette_loads_the_plugin_from_the_hooks_module() -> None:
    from datasette.plugins import pm

    (entry,) = [e for e in entry_points(group="datasette") if e.name == "provcat"]
    assert entry.value == "provcat.site.hooks" and pm.get_plugin("provcat") is hooks
    implemented = {name for name in dir(hooks) if hasattr(getattr(hooks, name), "datasette_impl")}
    assert implemented == {"prepare_connection", "render_cell", "asgi_wrapper", "register_routes", "startup",
                           "extra_template_vars"}


def test_extra_template_vars_only_for_the_home_and_catalogue_row_pages() -> None:
    def hook(view_name: str, table: str | None) -> object:
        return hooks.extra_template_vars(template="x.html", database="c", table=table, view_name=view_name,
                                          request=object(), datasette=object())

    assert hook("table", "documents") is None
    assert hook("row", "quotes") is None
    assert hook("database", None) is None
    assert callable(hook("row", "documents")) and callable(hook("row", "entities")) and callable(hook("index", None))


def test_catalogue_connections_read_through_memory_mapping(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    assert conn.execute("pragma mmap_size").fetchone()[0] == 0
    hooks.prepare_connection(conn, "catalogue", None)
    assert conn.execute("pragma mmap_size").fetchone()[0] > 0  # capped by how SQLite was compiled
    assert conn.execute("select sha256_hex('')").fetchone()[0] == hashlib.sha256(b"").hexdigest()


async def test_datasettes_own_scratch_database_gets_the_functions_too(sample_catalogue: Path,
                                                                      metadata_dir: Path) -> None:
    """/-/versions.json runs on ``_memory``, which is not among the served databases (it answered 500)."""
    from provcat import publish

    ds = publish.datasette_instance(sample_catalogue, metadata_dir)
    response = await ds.client.get("/-/versions.json")
    assert response.status_code == 200 and "sqlite" in response.json()
    rows = await ds.get_database("catalogue").execute("select quote_place('a', 1)")
    assert rows.first()[0] == "/catalogue/documents/a#q-1"
