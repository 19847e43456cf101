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
