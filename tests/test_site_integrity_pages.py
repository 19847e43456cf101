"""The site's integrity pages, read live: a verification run while the site is up shows at the next
request, pages answer while a verification writes, and what the archive holds is escaped. (A rebuild
that replaces the catalogue: tests/test_site_reopening.py.)"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from cli_runner import provcat
from datasette.app import Datasette
from small_project import small_project

from provcat import publish
from provcat.build import build_catalogue


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path, Path]:
    return small_project(tmp_path)


def ids(db: Path) -> dict[str, str]:
    return dict(sqlite3.connect(db).execute("select path, id from documents"))


async def page(ds: Datasette, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def counts(html: str) -> dict[str, str]:
    return dict((outcome, n) for n, outcome in re.findall(r'data-outcome="[^"]+">([\d,]+) (\w+)<', html))


def archive_state(html: str) -> str:
    found = re.search(r'data-archive-state="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


async def test_a_verification_run_while_the_site_is_up_shows_at_the_next_request(
        project: tuple[Path, Path, Path]) -> None:
    archive, metadata, db = project
    ds = publish.datasette_instance(db, metadata)
    home = await page(ds, "/")
    assert "No verification of the archive is recorded yet" in home
    doc0 = f"/catalogue/documents/{ids(db)['doc-0.txt']}"
    assert archive_state(await page(ds, doc0)) == "new"  # checked by the build
    await page(ds, "/catalogue/fixity_events")

    (archive / "doc-0.txt").write_text("The harbour master said nothing.\n")
    (archive / "doc-1.txt").unlink()
    (archive / "extra.txt").write_text("A file nobody catalogued.\n")
    assert provcat("verify", str(archive), "--db", str(db))[0] == 1

    for path in ("/", "/catalogue/-/integrity"):
        html = await page(ds, path)
        assert counts(html) == {"intact": "2", "changed": "1", "missing": "1", "unrecorded": "1"}, path
        assert f'href="{doc0}">doc-0.txt</a>' in html
        assert "Not in the catalogue</span>:\n        extra.txt" in html  # not linked: no document
    document = await page(ds, doc0)
    assert archive_state(document) == "changed"
    assert "In the archive: Changed" in document
    assert "Copy stored in the catalogue: intact" in document  # the stored copy is another thing
    assert archive_state(await page(ds, f"/catalogue/documents/{ids(db)['doc-1.txt']}")) == "missing"
    assert archive_state(await page(ds, f"/catalogue/documents/{ids(db)['doc-2.txt']}")) == "intact"
    events = await ds.client.get("/catalogue/fixity_events.json?_shape=array&outcome=changed")
    assert events.status_code == 200 and [e["path"] for e in events.json()] == ["doc-0.txt"]


async def test_the_integrity_page_lists_the_runs_newest_first(project: tuple[Path, Path, Path]) -> None:
    archive, metadata, db = project
    provcat("verify", str(archive), "--db", str(db))
    provcat("verify", str(archive), "--db", str(db), "--oldest", "1")
    html = await page(publish.datasette_instance(db, metadata), "/catalogue/-/integrity")
    assert re.findall(r'<tr data-run="(\d+)">', html) == ["3", "2", "1"]
    assert "the 1 files checked longest ago" in html or "the 1 file checked longest ago" in html
    assert "What each state means" in html
    assert html.count("Integrity of the archive<") == 1  # the page title, once


async def test_names_from_the_archive_are_escaped_on_the_integrity_pages(project: tuple[Path, Path, Path]) -> None:
    archive, metadata, db = project
    (archive / "<img src=x onerror=alert(1)>.txt").write_text("Unexpected.\n")
    provcat("verify", str(archive), "--db", str(db))
    ds = publish.datasette_instance(db, metadata)
    for path in ("/", "/catalogue/-/integrity"):
        html = await page(ds, path)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html


async def test_the_integrity_page_of_a_database_not_served_is_not_found(project: tuple[Path, Path, Path]) -> None:
    _, metadata, db = project
    response = await publish.datasette_instance(db, metadata).client.get("/elsewhere/-/integrity")
    assert response.status_code == 404


def test_pages_read_while_a_verification_writes_all_answer(tmp_path: Path) -> None:
    """Readers of the running site and the verification writing its run do not stop each other: the
    verification completes, and every page asked for meanwhile answers 200."""
    import threading
    import urllib.error
    import urllib.request

    from server_process import running_server

    archive, metadata = tmp_path / "archive", tmp_path / "metadata"
    archive.mkdir()
    metadata.mkdir()
    for n in range(300):
        (archive / f"note-{n:03}.txt").write_text(f"The clerk said on day {n} that the office would open.\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    statuses: list[int] = []
    done = threading.Event()
    with running_server(db, metadata) as base:
        def read() -> None:
            paths = ["/", "/catalogue/-/integrity", "/catalogue/documents/note-007", "/catalogue/fixity_events"]
            while not done.is_set():
                for path in paths:
                    try:
                        with urllib.request.urlopen(base + path, timeout=30) as response:
                            statuses.append(response.status)
                    except urllib.error.HTTPError as exc:
                        statuses.append(exc.code)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            results = [provcat("verify", str(archive), "--db", str(db), "--jobs", "1") for _ in range(3)]
        finally:
            done.set()
            for reader in readers:
                reader.join()
    assert [code for code, _, _ in results] == [0, 0, 0]
    assert len(statuses) >= 12 and set(statuses) == {200}  # several rounds of pages while verifying
    assert sqlite3.connect(db).execute("select count(*) from fixity_runs where status = 'complete'").fetchone() == (4,)


@pytest.mark.parametrize("with_metadata", [False, True])
async def test_every_link_of_the_integrity_pages_answers(project: tuple[Path, Path, Path], with_metadata: bool) -> None:
    """With an empty metadata folder (a new collection) as with the project's, no link leads nowhere.
    (A collection's datasette.yml may remove a query: the pages then leave its link out.)"""
    archive, metadata, db = project
    if with_metadata:
        metadata = Path(__file__).resolve().parent.parent / "metadata"
    (archive / "doc-0.txt").write_text("changed\n")
    provcat("verify", str(archive), "--db", str(db))
    ds = publish.datasette_instance(db, metadata)
    pages = ["/", "/catalogue/-/integrity", f"/catalogue/documents/{ids(db)['doc-0.txt']}"]
    links = set()
    for path in pages:
        links |= {link for link in re.findall(r'href="(/[^"#]*)', await page(ds, path)) if not link.startswith("/-/")}
    assert "/catalogue/fixity_runs/2" in links
    assert {"/catalogue/last_checked", "/catalogue/integrity"} <= links  # the site every catalogue gets
    for link in sorted(links):
        response = await ds.client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
