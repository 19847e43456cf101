"""``provcat serve`` as a process: what it imports, how it starts, what it writes, how it stops.

These run the real command line (tests/server_process.py) in a folder of the test's own, as a user
runs it from a project folder.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from cli_runner import run
from server_process import port_is_free, run_provcat, served, stop

#: Modules named like dependencies of the server, each leaving a mark when it is imported.
LOOKALIKES = ("click", "jinja2", "uvicorn", "datasette", "sqlite3", "yaml")


def catalogue_folder(tmp_path: Path, sample_catalogue: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copyfile(sample_catalogue, folder / "catalogue.db")
    return folder


def listing(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file of ``folder`` with its size, modification time and SHA-256."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.iterdir())}


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return int(response.status)


def test_modules_in_the_working_folder_are_never_imported(tmp_path: Path, sample_catalogue: Path,
                                                         metadata_dir: Path) -> None:
    folder = catalogue_folder(tmp_path, sample_catalogue)
    marks = tmp_path / "imported"
    for name in LOOKALIKES:
        (folder / f"{name}.py").write_text(
            f"import pathlib\npathlib.Path({str(marks)!r}).open('a').write({name!r} + '\\n')\n"
            "raise SystemExit(97)\n", encoding="utf-8")
    started = None
    try:
        with served("catalogue.db", metadata_dir, cwd=folder) as server:
            started = get(f"{server.base}/catalogue/documents/article")
    except RuntimeError as exc:
        started = str(exc)
    assert not marks.exists(), f"imported from the working folder: {marks.read_text().split()}"
    assert started == 200, started


def test_sigterm_stops_the_server_and_frees_its_port(tmp_path: Path, sample_catalogue: Path,
                                                     metadata_dir: Path) -> None:
    folder = catalogue_folder(tmp_path, sample_catalogue)
    with served(folder / "catalogue.db", metadata_dir) as server:
        assert get(f"{server.base}/catalogue/documents/article") == 200
        stopped_at = time.monotonic()
        assert stop(server.process, seconds=5), "provcat serve did not exit within 5 s of SIGTERM"
        assert server.process.returncode == 0
        while not port_is_free(server.port) and time.monotonic() < stopped_at + 5:
            time.sleep(0.1)
        assert port_is_free(server.port), "the port is still held after SIGTERM"
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_serving_writes_nothing_beside_the_database(tmp_path: Path, sample_catalogue: Path,
                                                    metadata_dir: Path) -> None:
    folder = catalogue_folder(tmp_path, sample_catalogue)
    # files of the names the server once wrote, which it must neither overwrite nor remove
    (folder / "catalogue.db.inspect.json").write_text("an archivist's file\n", encoding="utf-8")
    (folder / "catalogue.db.metadata.json").write_text("another\n", encoding="utf-8")
    before = listing(folder)
    with served(folder / "catalogue.db", metadata_dir, cwd=folder) as server:
        for path in ("/", "/catalogue/documents/article", "/catalogue/integrity", "/-/databases.json"):
            assert get(server.base + path) == 200
        assert stop(server.process)
    assert listing(folder) == before


@pytest.mark.parametrize("where", ["in use", "not this machine's", "out of range"])
def test_a_port_that_cannot_be_bound_is_one_line_and_exit_2(tmp_path: Path, sample_catalogue: Path,
                                                           metadata_dir: Path, where: str) -> None:
    folder = catalogue_folder(tmp_path, sample_catalogue)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        host, port = {"in use": ("127.0.0.1", taken.getsockname()[1]),
                      "not this machine's": ("192.0.2.1", 8001),  # TEST-NET-1: never a local address
                      "out of range": ("127.0.0.1", 70000)}[where]
        before = listing(folder)
        code, _, err = run(["serve", "--db", "catalogue.db", "--metadata", str(metadata_dir),
                            "--host", host, "--port", str(port)], folder)
    assert code == 2
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"provcat: error: {host}:{port}: port already in use"), err
    assert listing(folder) == before


#: (file, text replaced, replacement, what the error names) for a URL in the metadata that is not http(s).
HOSTILE_URLS = {
    "collection.yml licence_url": ("collection.yml", "licence_url: https://creativecommons.org/publicdomain/zero/1.0/",
                                   'licence_url: "javascript:alert(1)"', "field 'licence_url'"),
    "collection.yml source_url": ("collection.yml", "\ncurator: ", '\nsource_url: " JavaScript:alert(1)"\ncurator: ',
                                  "field 'source_url'"),
    # a collection's datasette.yml only adds to the site every catalogue gets: written new
    "datasette.yml license_url": ("datasette.yml", None, 'license_url: "javascript:alert(1)"\n',
                                  "field 'license_url'"),
    "datasette.yml table about_url": ("datasette.yml", None, 'databases:\n  catalogue:\n    tables:\n'
                                      '      documents:\n        about_url: "data:text/html,<b>x</b>"\n',
                                      "field 'databases.catalogue.tables.documents.about_url'"),
}


@pytest.mark.parametrize("case", list(HOSTILE_URLS))
def test_a_url_that_is_not_http_stops_serve_in_one_line(tmp_path: Path, sample_catalogue: Path,
                                                        metadata_dir: Path, case: str) -> None:
    name, old, new, field = HOSTILE_URLS[case]
    folder = catalogue_folder(tmp_path, sample_catalogue)
    shutil.copytree(metadata_dir, folder / "metadata")
    edited = folder / "metadata" / name
    if old is None:
        assert not edited.exists()
        edited.write_text(new, encoding="utf-8")
    else:
        text = edited.read_text(encoding="utf-8")
        assert old in text
        edited.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, _, err = run_provcat(["serve", "--db", "catalogue.db", "--metadata", "metadata", "--port", "0"], folder,
                               seconds=15)
    assert code == 2, f"provcat serve started with a {case} that is not http(s): {err}"
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"provcat: error: metadata/{name}: {field}: "), err
    assert "http" in err
