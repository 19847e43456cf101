import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provcat.build import build_catalogue
from provcat.errors import ProvcatError
from provcat.export.bag import decode_path, encode_path, export_bag
from provcat.export.bagcheck import check_bag
from provcat.fixity import manifest_sha256

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
METADATA = ROOT / "metadata"
ARTICLE = "000_5b55b6d9b2e6ebeb.txt"
BAGIT_CLI = Path(sys.executable).parent / "bagit.py"


@pytest.fixture
def bag(seeds_catalogue: Path, tmp_path: Path) -> Path:
    return export_bag(seeds_catalogue, tmp_path / "bag", SEEDS, METADATA)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the seeds and its catalogue, for tests that change the archive."""
    archive = tmp_path / "seeds"
    shutil.copytree(SEEDS, archive)
    for path in archive.iterdir():
        path.chmod(0o644)
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, METADATA, db)
    return archive, db


def tags(path: Path) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in path.read_text(encoding="utf-8").splitlines())


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def bagit_cli(bag: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BAGIT_CLI), "--validate", str(bag)], capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------------------------
# What the bag holds
# ---------------------------------------------------------------------------------------------


def test_layout_and_declaration(bag: Path) -> None:
    assert (bag / "bagit.txt").read_bytes() == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt",
                 "bag-info.txt"):
        assert (bag / name).is_file(), name
    for seed in SEEDS.iterdir():
        assert (bag / "data" / "documents" / seed.name).read_bytes() == seed.read_bytes()
    assert (bag / "data" / "metadata" / "collection.yml").read_bytes() == (METADATA / "collection.yml").read_bytes()
    assert (bag / "data" / "metadata" / "documents" / "000_5b55b6d9b2e6ebeb.yml").is_file()
    copy = sqlite3.connect(bag / "data" / "catalogue" / "catalogue.db")
    assert copy.execute("select count(*) from documents").fetchone()[0] == 2
    copy.close()
    listed = [line.split("  ", 1)[1] for line in (bag / "manifest-sha256.txt").read_text().splitlines()]
    assert listed == sorted(listed) and "data/catalogue/catalogue.db" in listed
    tag_listed = {line.split("  ", 1)[1] for line in (bag / "tagmanifest-sha512.txt").read_text().splitlines()}
    assert tag_listed == {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"}
    assert not list(bag.parent.glob(".bag.bagging-*"))


def test_bag_info(bag: Path, seeds_catalogue: Path) -> None:
    info = tags(bag / "bag-info.txt")
    manifest = sqlite3.connect(seeds_catalogue).execute(
        "select manifest_sha256 from builds order by id desc limit 1").fetchone()[0]
    assert info["External-Identifier"] == f"urn:sha256:{manifest}"
    assert info["Source-Organization"] == "provcat maintainers"  # no organization: the curator
    assert info["External-Description"] == "ISIS defectors: seed collection"
    assert info["Bag-Software-Agent"].startswith("provcat ")
    assert len(info["Bagging-Date"]) == 10
    payload = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"


# ---------------------------------------------------------------------------------------------
# Outside validators accept it, and catch a changed byte
# ---------------------------------------------------------------------------------------------


def test_library_of_congress_validator_accepts_it(bag: Path) -> None:
    loc = bagit.Bag(str(bag))
    assert loc.version_info == (1, 0)
    assert set(loc.algorithms) == {"sha256", "sha512"}
    loc.validate(fast=False)
    assert check_bag(bag) == []


def test_bagit_command_line_accepts_it(bag: Path) -> None:
    result = bagit_cli(bag)
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stderr


def test_a_changed_payload_byte_fails_full_validation(bag: Path) -> None:
    changed = bag / "data" / "documents" / ARTICLE
    size = changed.stat().st_size
    flip_byte(changed, 100)
    assert changed.stat().st_size == size
    with pytest.raises(bagit.BagValidationError) as failure:
        bagit.Bag(str(bag)).validate(fast=False)
    assert {d.path for d in failure.value.details} == {f"data/documents/{ARTICLE}"}
    # why full validation: the fast (Payload-Oxum) check cannot see a same-length edit
    assert bagit.Bag(str(bag)).is_valid(fast=True)
    result = bagit_cli(bag)
    assert result.returncode == 1 and ARTICLE in result.stderr
    problems = check_bag(bag)
    assert {p.path for p in problems} == {f"data/documents/{ARTICLE}"}
    assert sorted(p.problem.split()[0] for p in problems) == ["sha256", "sha512"]


def test_check_bag_names_the_file_when_a_size_changes(bag: Path) -> None:
    changed = bag / "data" / "metadata" / "collection.yml"
    changed.write_bytes(changed.read_bytes() + b"\n")
    problems = check_bag(bag)
    assert {p.path for p in problems} == {"data/metadata/collection.yml", "bag-info.txt"}
    assert any("Payload-Oxum" in p.problem for p in problems)


def test_check_bag_reports_missing_unlisted_and_tag_files(bag: Path) -> None:
    (bag / "data" / "documents" / ARTICLE).unlink()
    (bag / "data" / "extra.txt").write_text("smuggled")
    with (bag / "bag-info.txt").open("a") as info:
        info.write("Internal-Sender-Description: edited after bagging\n")
    problems: dict[str, list[str]] = {}
    for p in check_bag(bag):
        problems.setdefault(p.path, []).append(p.problem)
    assert problems[f"data/documents/{ARTICLE}"] == ["is listed in a manifest but missing from the bag"]
    assert all("not listed in manifest" in p for p in problems["data/extra.txt"])
    assert sorted(p.split()[0] for p in problems["bag-info.txt"] if "differs" in p) == ["sha256", "sha512"]


def test_check_bag_refuses_unsafe_manifest_paths(bag: Path) -> None:
    with (bag / "manifest-sha256.txt").open("a") as manifest:
        manifest.write(f"{'0' * 64}  data/../../etc/passwd\n")
    assert any("unsafe" in p.problem for p in check_bag(bag))


# ---------------------------------------------------------------------------------------------
# Refusals: nothing half-written, nothing overwritten
# ---------------------------------------------------------------------------------------------


def test_refuses_a_non_empty_folder(seeds_catalogue: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ProvcatError, match="is not empty"):
        export_bag(seeds_catalogue, out, SEEDS, METADATA)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_writes_into_an_empty_folder(seeds_catalogue: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    export_bag(seeds_catalogue, out, SEEDS, METADATA)
    assert check_bag(out) == []


def test_refuses_a_document_that_differs_from_the_catalogue(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    archive, db = workspace
    flip_byte(archive / ARTICLE, 10)
    with pytest.raises(ProvcatError) as failure:
        export_bag(db, tmp_path / "exports" / "bag", archive, METADATA)
    assert ARTICLE in str(failure.value) and "sha256" in str(failure.value)
    assert list((tmp_path / "exports").iterdir()) == []  # no bag, no temporary folder


def test_refuses_a_missing_document(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    archive, db = workspace
    (archive / ARTICLE).unlink()
    with pytest.raises(ProvcatError, match="not in the archive"):
        export_bag(db, tmp_path / "bag", archive, METADATA)
    assert not (tmp_path / "bag").exists()


def test_refuses_a_bag_inside_the_archive(workspace: tuple[Path, Path]) -> None:
    archive, db = workspace
    with pytest.raises(ProvcatError, match="inside the archive"):
        export_bag(db, archive / "bag", archive, METADATA)


def test_refuses_a_missing_catalogue(tmp_path: Path) -> None:
    with pytest.raises(ProvcatError, match="catalogue not found"):
        export_bag(tmp_path / "none.db", tmp_path / "bag", SEEDS, METADATA)
    assert not (tmp_path / "bag").exists()


def test_refuses_a_catalogue_path_that_leaves_the_archive(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    archive, db = workspace
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("update files set path = '../outside.txt' where path = ?", (ARTICLE,))  # what the bag copies
    with pytest.raises(ProvcatError, match="do not match the manifest"):
        export_bag(db, tmp_path / "bag", archive, METADATA)
    entries = conn.execute("select path, sha256 from files").fetchall()
    conn.execute("update builds set manifest_sha256 = ?", (manifest_sha256(entries),))
    conn.close()
    with pytest.raises(ProvcatError, match="not a plain relative path"):
        export_bag(db, tmp_path / "bag", archive, METADATA)


# ---------------------------------------------------------------------------------------------
# Paths in manifests (RFC 8493 section 2.1.3)
# ---------------------------------------------------------------------------------------------


def test_percent_encoding_examples() -> None:
    assert encode_path("data/100% true.txt") == "data/100%25 true.txt"
    assert encode_path("data/a\r\nb") == "data/a%0D%0Ab"
    assert encode_path("data/%0A") == "data/%250A"
    assert decode_path("data/%250A") == "data/%0A"
    assert decode_path("data/a%0d%0ab%20c") == "data/a\r\nb%20c"  # only %25, %0D, %0A are decoded


@given(st.text())
def test_percent_encoding_round_trips(path: str) -> None:
    encoded = encode_path(path)
    assert "\n" not in encoded and "\r" not in encoded
    assert decode_path(encoded) == path


def test_awkward_file_names(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    (archive / "sub").mkdir(parents=True)
    (archive / "100% true.txt").write_text("The council said the museum would open on Friday.\n")
    (archive / "sub" / "line\nbreak.txt").write_text("Residents said the river had flooded the square.\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    bag = export_bag(db, tmp_path / "bag", archive, tmp_path / "no-metadata")
    manifest = (bag / "manifest-sha256.txt").read_text()
    assert "data/documents/100%25 true.txt\n" in manifest
    assert "data/documents/sub/line%0Abreak.txt\n" in manifest
    assert not (bag / "data" / "metadata").exists()
    assert check_bag(bag) == []
