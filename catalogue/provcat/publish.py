"""Publish the catalogue with Datasette: read-only, with its metadata and the plugin, in this process.

``serve`` and the tests share one configuration: ``SETTINGS``, ``publication_metadata`` (the
Datasette metadata merged with the collection description, its links checked) and
``datasette_instance`` (the Datasette that publishes the catalogue).

``serve`` binds the port first, then runs that Datasette with uvicorn in this process, as
``datasette serve`` does. No second Python is started (``python -m datasette`` would put the working
folder first on the import path, and run a ``click.py`` found there), so SIGTERM and Ctrl+C stop the
one process, and nothing is written beside the database: the metadata and the inspect data (the
file's hash and row counts) are handed to Datasette in memory.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from datasette.app import Datasette
from datasette.utils import ConnectionProblem, check_connection

from .curation import load_yaml, validate
from .errors import ProvcatError
from .models import Collection, is_web_url
from .ownership import require_catalogue

DATASETTE_METADATA = "datasette.yml"
#: How every catalogue is published: the site's description, every table's and column's, and the
#: questions the home page offers. A collection's datasette.yml is merged over it.
PUBLICATION = Path(__file__).resolve().parent / "publication.yml"
#: Templates that make a document's row page read as a document.
TEMPLATES = Path(__file__).resolve().parent / "templates"
COLLECTION_METADATA = "collection.yml"

#: Datasette settings: a time limit on every query, no facet suggestions (they cost most of a table
#: page), pages of 50 rows. Six threads run SQL (Datasette's default is three): a query may hold its
#: thread for the whole time limit, and with three such queries and three threads every other page
#: waited 3.4 s for one of them to end; with six, pages answered within 0.7 s (docs/security.md).
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,
    "suggest_facets": False,
    "default_page_size": 50,
    "allow_download": True,
    "max_returned_rows": 1000,
    "num_sql_threads": 6,
}

# ----------------------------------------------------------------------------------------------
# Metadata
# ----------------------------------------------------------------------------------------------


def collection_metadata(collection: Collection) -> dict[str, str]:
    """The instance-level Datasette metadata that the collection description provides."""
    curated_by = f"Curated by {collection.curator}"
    if collection.organization:
        curated_by += f", {collection.organization}"
    fields = {
        "title": collection.title,
        "description": f"{collection.description.rstrip()}\n\n{curated_by}.",
        "license": collection.rights,
        "license_url": collection.licence_url,
        "source": collection.source,
        "source_url": collection.source_url,
    }
    return {key: value for key, value in fields.items() if value}


def rename_database(metadata: dict[str, Any], name: str, path: Path | str = DATASETTE_METADATA) -> dict[str, Any]:
    """The metadata with its (single) database entry under ``name``, the served file's stem."""
    databases = metadata.get("databases") or {}
    if not isinstance(databases, dict):
        raise ProvcatError(path, "field 'databases': must be a mapping of one database to its description")
    if len(databases) > 1:
        raise ProvcatError(path, "describes more than one database")
    renamed = dict(metadata)
    entries = list(databases.values())
    renamed["databases"] = {name: entries[0]} if entries else {}
    return renamed


#: Keys of Datasette metadata whose values Datasette shows as links: in the footer of every page
#: (instance level) and on the database, table and query pages.
URL_KEYS = ("license_url", "source_url", "about_url")


def metadata_levels(metadata: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The parts of Datasette metadata that can carry :data:`URL_KEYS`, each with its key path: the
    instance (path ``""``), every database, every table and every canned query. (A table's
    ``columns`` map column names to descriptions: a column called ``source_url`` is text.)"""
    yield "", metadata
    databases = metadata.get("databases")
    for name, database in (databases.items() if isinstance(databases, dict) else ()):
        if not isinstance(database, dict):
            continue
        yield f"databases.{name}", database
        for kind in ("tables", "queries"):
            entries = database.get(kind)
            for entry_name, entry in (entries.items() if isinstance(entries, dict) else ()):
                if isinstance(entry, dict):
                    yield f"databases.{name}.{kind}.{entry_name}", entry


def check_links(metadata: dict[str, Any], path: Path) -> None:
    """Refuse any :data:`URL_KEYS` value that is not an http(s) URL: a ``javascript:`` or ``data:``
    URL would become a link that runs or shows something else when clicked."""
    for at, level in metadata_levels(metadata):
        for key in URL_KEYS:
            value = level.get(key)
            if value is not None and not is_web_url(value):
                field = f"{at}.{key}" if at else key
                raise ProvcatError(path, f"field '{field}': must be an http:// or https:// URL")


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``: mappings merge key by key, anything else replaces, and a key whose
    value is None (``null`` in YAML) is removed. Neither argument is changed."""
    result = dict(base)
    for key, value in extra.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def catalogued_collection(db: Path) -> dict[str, str]:
    """The collection description the catalogue was built with (its ``collection`` table), as
    instance-level metadata; the archive folder's name gives the title when nothing else does."""
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            facts = {str(k): str(v) for k, v in conn.execute("select key, value from collection") if v is not None}
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    try:
        return collection_metadata(Collection.model_validate({k: v for k, v in facts.items()
                                                              if k in Collection.model_fields}))
    except ValueError:  # built without a collection description
        return {"title": f"Provenance catalogue: {facts['archive']}"} if facts.get("archive") else {}


def load_publication(path: Path) -> dict[str, Any]:
    loaded = load_yaml(path) or {}
    if not isinstance(loaded, dict):
        raise ProvcatError(path, "is not a mapping of Datasette metadata")
    check_links(loaded, path)
    return loaded


def publication_metadata(db: Path, metadata_dir: Path) -> dict[str, Any]:
    """The Datasette metadata for serving ``db``: the site every catalogue gets (publication.yml),
    with the collection's datasette.yml merged over it, and the title, description, rights and
    source of its collection.yml (or, when the metadata folder has none, of the description the
    catalogue was built with), under the database's name. Every link must be http(s)."""
    metadata = rename_database(load_publication(PUBLICATION), db.stem, PUBLICATION)
    datasette_file = metadata_dir / DATASETTE_METADATA
    if datasette_file.is_file():
        metadata = merged(metadata, rename_database(load_publication(datasette_file), db.stem, datasette_file))
    collection_file = metadata_dir / COLLECTION_METADATA
    if collection_file.is_file():
        described = collection_metadata(validate(Collection, load_yaml(collection_file), collection_file))
    else:
        described = catalogued_collection(db)
    return {**metadata, **described}


# ----------------------------------------------------------------------------------------------
# Serving
# ----------------------------------------------------------------------------------------------

#: How long a stop (SIGTERM or Ctrl+C) lets requests in progress finish before their connections
#: are closed (a long download would otherwise hold the stop for as long as it lasts).
SHUTDOWN_SECONDS = 5
#: Connections the listening socket queues before the server accepts them (uvicorn's default).
BACKLOG = 2048


def datasette_instance(db: Path, metadata_dir: Path) -> Datasette:
    """The Datasette that publishes ``db``, with the published metadata, the settings and provcat's
    templates. ``serve`` runs this; the tests query it in-process.

    The catalogue is opened read-only (every connection ``mode=ro``: nothing the
    site runs can write it), but not as "immutable": ``provcat verify`` appends its runs to the
    file while the site is up, and the site shows them at the next page load (an immutable
    database is read without locks, and a change under it reads as a damaged file). A build that
    replaces the file is noticed at the next request (provcat.site.reopening.reopen_replaced)."""
    return Datasette(
        files=[str(db)],
        metadata=publication_metadata(db, metadata_dir),
        settings=dict(SETTINGS),
        template_dir=str(TEMPLATES),
    )


def bind(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``. It is bound before anything else is started, so that a
    port in use is reported at once, and handed to the server, so that nothing can take the port in
    between."""
    where = f"{host}:{port}"

    def refused(reason: object) -> ProvcatError:
        return ProvcatError(where, f"port already in use or cannot be bound here ({reason}); "
                                   "choose another --port or --host")

    if not 0 <= port <= 65535:
        raise refused("ports are 0 to 65535")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError) as exc:
        raise refused(getattr(exc, "strerror", None) or exc) from exc
    sock = socket.socket(family, kind, proto)
    try:
        # as uvicorn does: a restarted server need not wait for the old one's connections to close;
        # a port another server listens on is still refused
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise refused(exc.strerror or exc) from exc
    return sock


async def ready(datasette: Datasette, db: Path) -> None:
    """What ``datasette serve`` does before it serves: run the plugins' startup hooks and check that
    every database can be read."""
    await datasette.invoke_startup()
    for database in list(datasette.databases.values()):
        try:
            await database.execute_fn(check_connection)
        except (ConnectionProblem, sqlite3.DatabaseError) as exc:
            raise ProvcatError(database.path or db, f"cannot be served ({exc})") from exc


def served_url(sock: socket.socket) -> str:
    """The address a bound socket serves, as a URL to open."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if sock.family == socket.AF_INET6 else f"http://{host}:{port}/"


def serve(db: Path, metadata_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Serve the catalogue read-only on ``host:port`` until stopped with Ctrl+C or SIGTERM; return 0
    once stopped. A port that cannot be bound, metadata that is not valid and a file that is not a
    catalogue are each a ProvcatError, raised before anything is served."""
    require_catalogue(db)  # publishes a provcat catalogue, not any database a path names
    # SIGTERM stops the server as Ctrl+C does: before uvicorn runs (and after it has stopped) it
    # raises KeyboardInterrupt; while uvicorn runs, uvicorn takes both signals and stops cleanly.
    # (Only the main thread may set a signal handler.)
    handles_sigterm = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if handles_sigterm else None
    try:
        sock = bind(host, port)
        try:
            datasette = datasette_instance(db, metadata_dir)
            asyncio.run(ready(datasette, db))
            server = uvicorn.Server(uvicorn.Config(datasette.app(), log_level="info", lifespan="on",
                                                   timeout_graceful_shutdown=SHUTDOWN_SECONDS))
            print(f"provcat: serving {db} read-only on {served_url(sock)} (Ctrl+C to stop)", file=sys.stderr,
                  flush=True)
            server.run(sockets=[sock])
        finally:
            sock.close()
    except KeyboardInterrupt:
        pass
    finally:
        if handles_sigterm:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
    return 0
