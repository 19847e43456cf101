"""Publish the catalogue with Datasette: read-only, with its metadata, the plugin and an inspect file.

``serve`` and the tests share one configuration: ``SETTINGS``, ``publication_metadata`` (the
Datasette metadata merged with the collection description) and ``datasette_arguments`` (the
command line of the server).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from datasette.app import Datasette
from datasette.inspect import inspect_hash

from .curation import load_yaml, validate
from .errors import ProvcatError
from .models import Collection

DATASETTE_METADATA = "datasette.yml"
#: Templates that make a document's row page read as a document.
TEMPLATES = Path(__file__).resolve().parent / "templates"
COLLECTION_METADATA = "collection.yml"

#: Datasette settings: a time limit on every query, no facet suggestions (they cost most of a table
#: page), pages of 50 rows.
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,
    "suggest_facets": False,
    "default_page_size": 50,
    "allow_download": True,
    "max_returned_rows": 1000,
}


def inspect_file_for(db: Path) -> Path:
    """``catalogue.db`` -> ``catalogue.db.inspect.json``, next to the database."""
    return db.with_name(f"{db.name}.inspect.json")


def metadata_file_for(db: Path) -> Path:
    """``catalogue.db`` -> ``catalogue.db.metadata.json``, next to the database."""
    return db.with_name(f"{db.name}.metadata.json")


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


def rename_database(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    """The metadata with its (single) database entry under ``name``, the served file's stem."""
    databases = metadata.get("databases") or {}
    if len(databases) > 1:
        raise ProvcatError(DATASETTE_METADATA, "describes more than one database")
    renamed = dict(metadata)
    entries = list(databases.values())
    renamed["databases"] = {name: entries[0]} if entries else {}
    return renamed


def publication_metadata(db: Path, metadata_dir: Path) -> dict[str, Any]:
    """The Datasette metadata for serving ``db``: datasette.yml, with the title, description,
    rights and source of collection.yml when that exists, under the database's name."""
    datasette_file = metadata_dir / DATASETTE_METADATA
    metadata: dict[str, Any] = {}
    if datasette_file.is_file():
        loaded = load_yaml(datasette_file) or {}
        if not isinstance(loaded, dict):
            raise ProvcatError(datasette_file, "is not a mapping of Datasette metadata")
        metadata = loaded
    collection_file = metadata_dir / COLLECTION_METADATA
    if collection_file.is_file():
        collection = validate(Collection, load_yaml(collection_file), collection_file)
        metadata = {**metadata, **collection_metadata(collection)}
    return rename_database(metadata, db.stem)


# ----------------------------------------------------------------------------------------------
# Inspect data
# ----------------------------------------------------------------------------------------------


def table_counts(db: Path) -> dict[str, int]:
    """Rows in every table of the database (virtual and shadow tables too, as Datasette counts)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        return {name: conn.execute(f"select count(*) from [{name}]").fetchone()[0] for name in names}
    finally:
        conn.close()


def inspect_data(db: Path) -> dict[str, Any]:
    """What ``datasette inspect`` records: the file's hash and size and every table's row count."""
    return {
        db.stem: {
            "hash": inspect_hash(db),
            "size": db.stat().st_size,
            "file": str(db),
            "tables": {table: {"count": count} for table, count in table_counts(db).items()},
        }
    }


# ----------------------------------------------------------------------------------------------
# Serving
# ----------------------------------------------------------------------------------------------


def _setting_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def datasette_arguments(db: Path, inspect_file: Path, metadata_file: Path,
                        host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The ``datasette serve`` command line (without the program) that publishes ``db`` read-only."""
    arguments = ["serve", "-i", str(db), "--inspect-file", str(inspect_file), "-m", str(metadata_file),
                 "--template-dir", str(TEMPLATES), "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        arguments += ["--setting", name, _setting_value(value)]
    return arguments


def datasette_command(arguments: list[str]) -> list[str]:
    """The full command: Datasette run by the Python that runs provcat (so the plugin is found)."""
    return [sys.executable, "-m", "datasette", *arguments]


def prepare(db: Path, metadata_dir: Path) -> tuple[Path, Path]:
    """Write the inspect file and the merged metadata next to the database; return their paths."""
    if not db.is_file():
        raise ProvcatError(db, "no such catalogue database")
    inspect_file = inspect_file_for(db)
    metadata_file = metadata_file_for(db)
    inspect_file.write_text(json.dumps(inspect_data(db), indent=2), encoding="utf-8")
    metadata = publication_metadata(db, metadata_dir)
    metadata_file.write_text(json.dumps(metadata, indent=2, ensure_ascii=False), encoding="utf-8")
    return inspect_file, metadata_file


def serve(db: Path, metadata_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Serve the catalogue with Datasette until interrupted; return Datasette's exit code."""
    inspect_file, metadata_file = prepare(db, metadata_dir)
    command = datasette_command(datasette_arguments(db, inspect_file, metadata_file, host, port))
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


def datasette_instance(db: Path, metadata_dir: Path) -> Datasette:
    """An in-process Datasette configured exactly as ``serve`` configures the server."""
    return Datasette(
        files=[],
        immutables=[str(db)],
        metadata=publication_metadata(db, metadata_dir),
        settings=dict(SETTINGS),
        inspect_data=inspect_data(db),
        template_dir=str(TEMPLATES),
    )
