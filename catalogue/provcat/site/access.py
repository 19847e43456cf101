"""Which catalogue a page of the site is for, and whether the reader may see it: the routes the
plugin adds (a document's files, the evidence pages) answer 404 for a database that is not there or
is not a catalogue, and 403 where Datasette's permissions close a table the page shows."""

from __future__ import annotations

from typing import Any

from datasette.database import Database
from datasette.utils.asgi import Forbidden, NotFound

from .urls import DOCUMENTS


async def open_catalogue(datasette: Any, request: Any, tables: tuple[str, ...] = (DOCUMENTS,)) -> Database:
    """The catalogue named by the request's ``database`` (its route), if the reader may see
    ``tables`` of it."""
    route = request.url_vars["database"]
    try:
        db = datasette.get_database(route=route)
    except KeyError:
        raise NotFound(f"no catalogue {route}") from None
    if not await db.table_exists(DOCUMENTS):
        raise NotFound(f"{route} is not a catalogue")
    visible, _ = await datasette.check_visibility(request.actor, permissions=[
        *(("view-table", (db.name, table)) for table in tables), ("view-database", db.name), "view-instance"])
    if not visible:
        raise Forbidden("this part of the catalogue is not open to you")
    return db
