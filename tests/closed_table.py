"""A catalogue of one note, built by the real pipeline, whose metadata closes one table to all but
the actor ``curator``; its site, and the cookies that sign in as that actor."""

from __future__ import annotations

from pathlib import Path

from datasette.app import Datasette

from provcat import publish
from provcat.build import build_catalogue


def closed_table_site(tmp_path: Path, table: str, name: str, text: str) -> tuple[Datasette, Path, dict[str, str]]:
    """(the site, the catalogue, the curator's cookies) for ``archive/<name>`` holding ``text``."""
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / name).write_text(text)
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    (metadata / "datasette.yml").write_text(f"databases:\n  catalogue:\n    tables:\n      {table}:\n"
                                            "        allow: {id: curator}\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    ds = publish.datasette_instance(db, metadata)
    return ds, db, {"ds_actor": ds.sign({"a": {"id": "curator"}}, "actor")}
