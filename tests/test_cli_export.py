import json
import shutil
from pathlib import Path

import pytest
from cli_runner import run

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "000_5b55b6d9b2e6ebeb.txt"


@pytest.fixture
def workspace(tmp_path: Path, seeds_catalogue: Path) -> Path:
    """The seeds, their metadata and their catalogue, laid out as in the project folder."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    shutil.copy(seeds_catalogue, tmp_path / "catalogue.db")
    return tmp_path


def test_export_bag_then_check_it(workspace: Path) -> None:
    code, out, _ = run(["export", "bag", "out/bag"], workspace)
    assert code == 0 and "bagit.py --validate out/bag" in out
    assert (workspace / "out" / "bag" / "data" / "documents" / ARTICLE).is_file()
    code, out, _ = run(["export", "check-bag", "out/bag"], workspace)
    assert code == 0 and "is valid" in out
    changed = workspace / "out" / "bag" / "data" / "documents" / ARTICLE
    data = bytearray(changed.read_bytes())
    data[5] ^= 0x20
    changed.write_bytes(bytes(data))
    code, out, _ = run(["export", "check-bag", "out/bag", "--json"], workspace)
    report = json.loads(out)
    assert code == 1 and not report["valid"]
    assert {p["path"] for p in report["problems"]} == {f"data/documents/{ARTICLE}"}


def test_export_bag_errors_are_one_line(workspace: Path) -> None:
    (workspace / "full").mkdir()
    (workspace / "full" / "x").write_text("x")
    code, _, err = run(["export", "bag", "full"], workspace)
    assert code == 2 and err.count("\n") == 1 and "full: is not empty" in err and "Traceback" not in err
    archived = workspace / "seeds" / ARTICLE
    archived.chmod(0o644)
    archived.write_bytes(archived.read_bytes().replace(b"ISIS", b"ISIL", 1))
    code, _, err = run(["export", "bag", "bag"], workspace)
    assert code == 2 and err.count("\n") == 1 and ARTICLE in err and "sha256" in err
    assert not (workspace / "bag").exists()
    code, _, err = run(["export", "bag", "bag", "--db", "missing.db"], workspace)
    assert code == 2 and "missing.db: catalogue not found" in err


def test_export_prov(workspace: Path) -> None:
    code, out, _ = run(["export", "prov", "out/provenance.json", "--db", "catalogue.db"], workspace)
    assert code == 0 and "out/provenance.json" in out
    data = json.loads((workspace / "out" / "provenance.json").read_text(encoding="utf-8"))
    assert {"entity", "activity", "agent", "used", "wasInformedBy"} <= set(data)
    code, _, err = run(["export", "prov", "p.json", "--db", "nowhere.db"], workspace)
    assert code == 2 and err.count("\n") == 1 and "nowhere.db" in err


def test_check_bag_of_a_missing_folder(workspace: Path) -> None:
    code, _, err = run(["export", "check-bag", "nowhere"], workspace)
    assert code == 2 and "nowhere: bag folder does not exist" in err
