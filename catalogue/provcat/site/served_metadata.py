"""The metadata a server was started with, shared instead of copied: Datasette 0.65.5 deep-copies the
whole metadata every time it checks whether a table may be viewed (three times for a row page). With
the catalogue's column descriptions that is about 400 objects, a tenth of a millisecond a copy. The
metadata given on the command line is only ever read or merged into fresh dictionaries by those
checks, so its copy can be the object itself.

Each such check also gathers the ``allow`` blocks of the table from the whole metadata, every
table's descriptions walked and compared (``Datasette._table_permission_allows``: about half of a
row's JSON under eight readers, measured in process). The metadata of a served catalogue does not
change while it is served when no plugin supplies metadata of its own (``get_metadata``), so each
table's blocks are gathered once (:func:`remember_table_allows`).
"""

from __future__ import annotations

from typing import Any


class ServedMetadata(dict):  # type: ignore[type-arg]
    """The metadata a server was started with; ``copy.deepcopy`` returns it as it is."""

    def __deepcopy__(self, memo: dict[int, Any]) -> ServedMetadata:
        return self


def share_metadata_copies(datasette: Any) -> None:
    """Let the server's permission checks share its metadata instead of deep-copying it."""
    local = getattr(datasette, "_metadata_local", None)
    if type(local) is dict:
        datasette._metadata_local = ServedMetadata(local)


def remember_table_allows(datasette: Any) -> bool:
    """Gather each table's ``allow`` blocks once for the server's life, when its metadata cannot
    change (no plugin's ``get_metadata``); True if so."""
    from datasette.plugins import pm  # here: loading Datasette's plugins loads this module

    original = getattr(datasette, "_table_permission_allows", None)
    if original is None or pm.hook.get_metadata.get_hookimpls():
        return False
    found: dict[tuple[str, str], list[Any]] = {}

    def allows(database: str, table: str) -> list[Any]:
        key = (database, table)
        if key not in found:
            found[key] = original(database, table)
        return list(found[key])

    datasette._table_permission_allows = allows
    return True
