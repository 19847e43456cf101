"""provcat writes over no file but its own: a catalogue, or one of its own exports.

Each case here was a file that `provcat build --db X` or `provcat export prov X` overwrote (and
exited 0) before the checks of provcat.ownership existed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from cli_runner import provcat

from provcat import ownership

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An archive with one short document, a metadata folder and nothing else."""
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "note.txt").write_text("The council said on Monday that the bridge would reopen.\n")
    (tmp_path / "metadata").mkdir()
    (tmp_path / "metadata" / "collection.yml").write_text(
        "title: Notes\ndescription: Notes.\nrights: CC0\ncurator: A. Curator\n")
    return tmp_path


def build(project: Path, db: Path) -> tuple[int, str, str]:
    return provcat("build", str(project / "archive"), "--metadata", str(project / "metadata"), "--db", str(db))


def device_node(folder: Path) -> Path:
    """A character device like /dev/null, made in ``folder`` (tests never touch the real one: a build
    that wrongly replaced it would replace the machine's /dev/null)."""
    node = folder / "device"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return node


def only_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("provcat: error: "), lines
    return lines[0]


# ---------------------------------------------------------------------------------------------
# --db of a build
# ---------------------------------------------------------------------------------------------


def test_build_refuses_an_archived_document_as_its_catalogue(project: Path) -> None:
    document = project / "archive" / "note.txt"
    before = document.read_bytes()
    code, _, err = build(project, document)
    assert code == 2 and "is inside the archive" in only_error(err)
    assert document.read_bytes() == before
    assert sorted(p.name for p in (project / "archive").iterdir()) == ["note.txt"]


def test_build_refuses_a_curated_file_as_its_catalogue(project: Path) -> None:
    curated = project / "metadata" / "collection.yml"
    before = curated.read_bytes()
    code, _, err = build(project, curated)
    assert code == 2 and "is inside the metadata folder" in only_error(err)
    assert curated.read_bytes() == before


def test_build_refuses_a_file_that_is_not_a_catalogue(project: Path) -> None:
    picture = project / "photo.png"
    picture.write_bytes(PNG)
    code, _, err = build(project, picture)
    assert code == 2 and "exists and is not a provcat catalogue" in only_error(err)
    assert picture.read_bytes() == PNG


def test_build_refuses_another_applications_database(project: Path) -> None:
    other = project / "accounts.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("create table documents (id text, path text)")
    conn.execute("insert into documents values ('a', 'b')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    code, _, err = build(project, other)
    assert code == 2 and "is not a provcat catalogue" in only_error(err)
    assert other.read_bytes() == before


@pytest.mark.parametrize("kind", ["link", "folder", "device", "pipe"])
def test_build_refuses_links_folders_and_devices(project: Path, kind: str) -> None:
    target = project / "catalogue.db"
    if kind == "link":
        build(project, project / "real.db")
        target.symlink_to(project / "real.db")
        expected = "is a symbolic link"
    elif kind == "folder":
        target.mkdir()
        expected = "is a folder"
    elif kind == "device":
        target = device_node(project)
        expected = "is a device, pipe or socket"
    else:
        os.mkfifo(target)
        expected = "is a device, pipe or socket"
    code, _, err = build(project, target)
    assert code == 2 and expected in only_error(err)
    if kind == "link":
        assert target.is_symlink()
    elif kind == "device":
        assert stat.S_ISCHR(os.lstat(target).st_mode)


def test_build_replaces_its_own_catalogue_and_one_written_before_it_was_marked(project: Path) -> None:
    db = project / "catalogue.db"
    assert build(project, db)[0] == 0
    assert ownership.is_catalogue(db)
    conn = sqlite3.connect(db)
    conn.execute("pragma application_id = 0")  # as catalogues of earlier versions were written
    conn.commit()
    conn.close()
    assert ownership.is_catalogue(db)
    assert build(project, db)[0] == 0
    assert sqlite3.connect(db).execute("select count(*) from builds").fetchone()[0] == 2


def test_verify_refuses_a_file_that_is_not_a_catalogue(project: Path) -> None:
    picture = project / "photo.png"
    picture.write_bytes(PNG)
    code, _, err = provcat("verify", str(project / "archive"), "--db", str(picture))
    assert code == 2 and "is not a provcat catalogue" in only_error(err)
    assert picture.read_bytes() == PNG
    assert not (project / "photo.png.lock").exists()


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def built(project: Path) -> Path:
    assert build(project, project / "catalogue.db")[0] == 0
    return project


def export_prov(project: Path, out: Path) -> tuple[int, str, str]:
    return provcat("export", "prov", str(out), "--db", str(project / "catalogue.db"),
                   "--archive", str(project / "archive"), "--metadata", str(project / "metadata"))


def test_export_prov_refuses_the_catalogue_itself(built: Path) -> None:
    db = built / "catalogue.db"
    before = db.read_bytes()
    code, _, err = export_prov(built, db)
    assert code == 2 and "is the catalogue" in only_error(err)
    assert db.read_bytes() == before


@pytest.mark.parametrize("where", ["archive", "metadata"])
def test_export_prov_writes_nothing_in_the_archive_or_the_metadata(built: Path, where: str) -> None:
    code, _, err = export_prov(built, built / where / "provenance.json")
    assert code == 2 and "provcat writes nothing there" in only_error(err)
    assert not (built / where / "provenance.json").exists()


def test_export_prov_refuses_a_file_it_did_not_write(built: Path) -> None:
    picture = built / "photo.png"
    picture.write_bytes(PNG)
    code, _, err = export_prov(built, picture)
    assert code == 2 and "is not a provenance file provcat exported" in only_error(err)
    assert picture.read_bytes() == PNG
    code, _, err = export_prov(built, device_node(built))
    assert code == 2 and "is a device" in only_error(err)
    assert stat.S_ISCHR(os.lstat(built / "device").st_mode)


def test_export_prov_replaces_its_own_previous_export(built: Path) -> None:
    out = built / "out" / "provenance.json"
    assert export_prov(built, out)[0] == 0
    assert ownership.is_prov_export(out)
    os.utime(out, (0, 0))
    assert export_prov(built, out)[0] == 0
    assert out.stat().st_mtime > 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["provenance.json"]  # no temporary file left


def test_export_bag_writes_nothing_in_the_metadata_folder(built: Path) -> None:
    code, _, err = provcat("export", "bag", str(built / "metadata" / "bag"), "--db", str(built / "catalogue.db"),
                           "--archive", str(built / "archive"), "--metadata", str(built / "metadata"))
    assert code == 2 and "is inside the metadata folder" in only_error(err)
    assert not (built / "metadata" / "bag").exists()


def test_is_catalogue_reads_only_the_start_of_a_file(tmp_path: Path) -> None:
    assert not ownership.is_catalogue(tmp_path / "none.db")
    (tmp_path / "empty.db").write_bytes(b"")
    assert not ownership.is_catalogue(tmp_path / "empty.db")
    shutil.copy(ROOT / "README.md", tmp_path / "readme.db")
    assert not ownership.is_catalogue(tmp_path / "readme.db")
    os.mkfifo(tmp_path / "pipe.db")
    assert not ownership.is_catalogue(tmp_path / "pipe.db")  # returns at once: a pipe is not opened to read
    assert not ownership.is_prov_export(tmp_path / "pipe.db")
