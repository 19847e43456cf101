"""A catalogue replaced by a build is reopened at the next request; one written in place (a
verification) is not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_runner import provcat
from small_project import small_project

from provcat import publish
from provcat.build import build_catalogue
from provcat.site import reopening


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path, Path]:
    return small_project(tmp_path)


async def test_a_rebuild_that_replaces_the_catalogue_is_reopened(project: tuple[Path, Path, Path]) -> None:
    archive, metadata, db = project
    ds = publish.datasette_instance(db, metadata)
    before = await ds.client.get("/catalogue/documents.json?_shape=array")
    assert len(before.json()) == 4
    (archive / "doc-9.txt").write_text("The harbour master said the ferry is back.\n")
    build_catalogue(archive, metadata, db)  # a new file, moved over the old one
    after = await ds.client.get("/catalogue/documents.json?_shape=array")
    assert after.status_code == 200 and len(after.json()) == 5
    assert reopening.reopen_replaced(ds) is False  # already reopened, nothing new since


def test_reopening_is_only_for_a_file_that_was_replaced(project: tuple[Path, Path, Path]) -> None:
    archive, metadata, db = project
    ds = publish.datasette_instance(db, metadata)
    assert reopening.reopen_replaced(ds) is False  # first look: remembered, not reopened
    executor = ds.executor
    provcat("verify", str(archive), "--db", str(db))  # written in place: the same file
    assert reopening.reopen_replaced(ds) is False and ds.executor is executor
    build_catalogue(archive, metadata, db)
    assert reopening.reopen_replaced(ds) is True and ds.executor is not executor


def test_the_file_seen_is_the_file_as_the_last_request_found_it(project: tuple[Path, Path, Path]) -> None:
    archive, metadata, db = project
    ds = publish.datasette_instance(db, metadata)
    catalogue = ds.get_database("catalogue")
    assert reopening.file_seen(catalogue) is None  # before the first request
    reopening.reopen_replaced(ds)
    info = os.stat(db)
    assert reopening.file_seen(catalogue) == (info.st_dev, info.st_ino, info.st_mtime_ns)
    build_catalogue(archive, metadata, db)
    reopening.reopen_replaced(ds)
    assert reopening.file_seen(catalogue)[:2] == (os.stat(db).st_dev, os.stat(db).st_ino) != (info.st_dev, info.st_ino)
