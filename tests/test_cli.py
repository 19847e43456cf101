import json
import shutil
from pathlib import Path

import pytest
from cli_runner import run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    return tmp_path


def test_build_then_verify(workspace: Path) -> None:
    code, out, _ = run(["build"], workspace)
    assert code == 0 and "catalogued 2 files into catalogue.db: 2 documents" in out
    code, out, _ = run(["verify"], workspace)
    assert code == 0 and "2 intact" in out
    data = bytearray((workspace / "seeds" / "000_5b55b6d9b2e6ebeb.txt").read_bytes())
    data[100] = (data[100] + 1) % 256
    (workspace / "seeds" / "000_5b55b6d9b2e6ebeb.txt").write_bytes(bytes(data))
    code, out, _ = run(["verify", "--json"], workspace)
    report = json.loads(out)
    assert code == 1 and report["summary"]["changed"] == 1
    assert [c["path"] for c in report["checks"] if c["outcome"] == "changed"] == ["000_5b55b6d9b2e6ebeb.txt"]


def test_errors_are_one_line_naming_the_file(workspace: Path) -> None:
    (workspace / "metadata" / "documents" / "ghost.yml").write_text("document: ghost.txt\n")
    code, out, err = run(["build"], workspace)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "ghost.yml" in err and "ghost.txt" in err and "Traceback" not in err
    code, _, err = run(["verify", "nowhere"], workspace)
    assert code == 2 and "nowhere: archive folder does not exist" in err


def test_schema_prints_json_schema(workspace: Path) -> None:
    code, out, _ = run(["schema"], workspace)
    assert code == 0 and "authorities.yml" in json.loads(out)


def test_version_is_the_distributions() -> None:
    from importlib.metadata import version

    import provcat

    assert provcat.__version__ == version("provcat")


def test_verify_with_thousands_of_jobs_uses_at_most_four_per_core(workspace: Path) -> None:
    import os

    assert run(["build"], workspace)[0] == 0
    code, out, err = run(["verify", "--jobs", "10000"], workspace)
    most = 4 * (os.cpu_count() or 1)
    assert code == 0 and "2 intact" in out
    assert err == f"provcat: warning: --jobs 10000 is more than 4 per core on this machine's {os.cpu_count()} " \
                  f"core{'s' if (os.cpu_count() or 1) > 1 else ''}: using {most}\n"
