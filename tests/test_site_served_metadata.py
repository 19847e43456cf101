"""The metadata a server was started with is shared by its permission checks instead of deep-copied,
and what it says still holds."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

from provcat.site.served_metadata import ServedMetadata, share_metadata_copies


def test_the_served_metadata_is_its_own_deep_copy() -> None:
    metadata = ServedMetadata({"databases": {"c": {"tables": {}}}})
    assert copy.deepcopy(metadata) is metadata
    assert copy.deepcopy({"served": metadata})["served"] is metadata


class Server:
    """Where Datasette 0.65 keeps the metadata it was given."""


def test_only_metadata_given_as_a_plain_dictionary_is_shared() -> None:
    given = Server()
    given._metadata_local = {"title": "Harbour papers"}  # type: ignore[attr-defined]
    share_metadata_copies(given)
    assert type(given._metadata_local) is ServedMetadata  # type: ignore[attr-defined]
    assert given._metadata_local == {"title": "Harbour papers"}  # type: ignore[attr-defined]
    shared = given._metadata_local  # type: ignore[attr-defined]
    share_metadata_copies(given)
    assert given._metadata_local is shared  # type: ignore[attr-defined]
    nothing = Server()
    share_metadata_copies(nothing)
    assert not hasattr(nothing, "_metadata_local")


def test_permission_checks_share_the_served_metadata(tmp_path: Path) -> None:
    import asyncio

    from datasette.app import Datasette

    db = tmp_path / "archive.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table open (id integer primary key)")
        conn.execute("create table closed (id integer primary key)")
    metadata = {"databases": {"archive": {"tables": {
        "open": {"description": "Open to all", "columns": {"id": "The row"}},
        "closed": {"allow": {"id": "curator"}},
    }}}}
    ds = Datasette([str(db)], metadata=metadata)

    async def statuses() -> tuple[int, int, str]:
        await ds.invoke_startup()
        opened = await ds.client.get("/archive/open")
        closed = await ds.client.get("/archive/closed")
        return opened.status_code, closed.status_code, opened.text

    opened, closed, page = asyncio.run(statuses())
    assert copy.deepcopy(ds._metadata_local) is ds._metadata_local
    assert ds._metadata_local == metadata
    # what the metadata says still holds: descriptions shown, a table closed to others stays closed
    assert (opened, closed) == (200, 403) and "Open to all" in page


class Counting:
    """A server whose table checks are counted."""

    def __init__(self) -> None:
        self.calls = 0

    def _table_permission_allows(self, database: str, table: str) -> list[object]:
        self.calls += 1
        return [{"id": "curator"}] if table == "quotes" else []


def test_each_tables_allow_blocks_are_gathered_once() -> None:
    from provcat.site.served_metadata import remember_table_allows

    server = Counting()
    assert remember_table_allows(server)
    for _ in range(3):
        assert server._table_permission_allows("c", "quotes") == [{"id": "curator"}]
        assert server._table_permission_allows("c", "documents") == []
    assert server.calls == 2
    handed = server._table_permission_allows("c", "quotes")
    handed.clear()  # what a caller does to its list does not change what is kept
    assert server._table_permission_allows("c", "quotes") == [{"id": "curator"}]
    assert not remember_table_allows(Server())  # a Datasette without the method: left as it is


def test_a_plugin_with_metadata_of_its_own_keeps_datasettes_checks() -> None:
    from datasette import hookimpl
    from datasette.plugins import pm

    from provcat.site.served_metadata import remember_table_allows

    class Supplier:
        @hookimpl
        def get_metadata(self, datasette: object, key: str, database: str, table: str) -> dict[str, object]:
            return {}

    supplier = Supplier()
    pm.register(supplier, name="metadata-supplier")
    try:
        server = Counting()
        assert not remember_table_allows(server)
        server._table_permission_allows("c", "quotes")
        server._table_permission_allows("c", "quotes")
        assert server.calls == 2
    finally:
        pm.unregister(supplier)


async def test_a_closed_table_stays_closed_and_an_open_one_open_when_remembered(tmp_path: Path,
                                                                                metadata_dir: Path) -> None:
    from closed_table import closed_table_site

    text = '"The ferry runs again," said Margaret Okafor.\n'
    ds, _, cookies = closed_table_site(tmp_path, "quotes", "note.txt", text)
    await ds.invoke_startup()
    for _ in range(2):  # the second time from what was gathered
        assert (await ds.client.get("/catalogue/quotes.json")).status_code == 403
        assert (await ds.client.get("/catalogue/documents.json")).status_code == 200
    assert (await ds.client.get("/catalogue/quotes.json", cookies=cookies)).status_code == 200
