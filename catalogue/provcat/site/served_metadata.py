"""The metadata a server was started with, shared instead of copied: Datasette 0.65.5 deep-copies the
whole metadata every time it checks whether a table may be viewed (three times for a row page). With
the catalogue's column descriptions that is about 400 objects, a tenth of a millisecond a copy. The
metadata given on the command line is only ever read or merged into fresh dictionaries by those
checks, so its copy can be the object itself.
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
