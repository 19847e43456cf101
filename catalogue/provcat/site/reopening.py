"""A catalogue replaced by a build is reopened.

The catalogue is served mutable (read-only, but not "immutable"): ``provcat verify`` appends its
run to the file while the site is up, and the next page load shows it. A build replaces the file:
the next request notices (the file is another one) and reopens it.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def _identity(path: str) -> tuple[int, int, int] | None:
    """The file a path names now (device, inode) and when it was last written."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino, info.st_mtime_ns


def file_seen(db: Any) -> tuple[int, int, int] | None:
    """The file a served catalogue was (device, inode) and when it was last written, as
    :func:`reopen_replaced` found it at the start of the request; None before the first request, or
    when the file could not be read."""
    return getattr(db, "_provcat_file", None)


def reopen_replaced(datasette: Any) -> bool:
    """Reopen the served catalogues when a build has replaced one since it was opened; True if so.

    Datasette keeps one connection per database in each of its SQL threads, and a connection to a
    replaced file goes on reading the old one. So the threads themselves are replaced: the old ones
    finish what they are running and end, and the new ones connect to the files as they are now.
    One ``stat`` per database and request."""
    replaced = False
    for db in list(datasette.databases.values()):
        if not db.is_mutable or db.is_memory or not db.path:
            continue
        now = _identity(db.path)
        opened = file_seen(db)
        db._provcat_file = now  # also what the site keeps a document's reading under (file_seen)
        if opened is not None and now is not None and now[:2] != opened[:2]:
            db._read_connection = None  # without SQL threads, the one connection
            replaced = True
    if replaced and datasette.executor is not None:
        old = datasette.executor
        datasette.executor = ThreadPoolExecutor(max_workers=old._max_workers)
        old.shutdown(wait=False)
    return replaced
