"""Property: any single-byte change to any seed document is reported as that document changed."""

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provcat.build import build_catalogue
from provcat.verify import check_archive

ROOT = Path(__file__).resolve().parent.parent
SEED_NAMES = sorted(p.name for p in (ROOT / "seeds").iterdir())


@pytest.fixture(scope="module")
def catalogued_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A writable copy of the seeds, catalogued once for the whole module."""
    base = tmp_path_factory.mktemp("fixity-property")
    archive = base / "seeds"
    shutil.copytree(ROOT / "seeds", archive)
    for path in archive.iterdir():
        path.chmod(0o644)
    db = base / "catalogue.db"
    build_catalogue(archive, ROOT / "metadata", db)
    return archive, db


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(SEED_NAMES), delta=st.integers(1, 255), data=st.data())
def test_any_single_byte_change_is_reported_for_that_document_only(
        catalogued_copy: tuple[Path, Path], name: str, delta: int, data: st.DataObject) -> None:
    archive, db = catalogued_copy
    target = archive / name
    original = target.read_bytes()
    offset = data.draw(st.integers(0, len(original) - 1), label="offset")
    changed = bytearray(original)
    changed[offset] ^= delta  # a different byte, same length
    target.write_bytes(bytes(changed))
    try:
        checks = check_archive(archive, db, ("sha256", "sha512"))
    finally:
        target.write_bytes(original)
    outcomes: dict[str, set[str]] = {}
    for check in checks:
        outcomes.setdefault(check.path, set()).add(check.outcome)
    assert outcomes == {n: {"changed"} if n == name else {"intact"} for n in SEED_NAMES}
