from __future__ import annotations

from pathlib import Path

import pytest

# ----------------------------------------------------------------------------------------------
# Browser tests run in their own pytest process (`pytest -m browser`): a plain `pytest` leaves
# them out, because a real browser and Datasette's async tests do not share an event loop well.
# ----------------------------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr", ""):
        return
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser:
        config.hook.pytest_deselected(items=browser)
        items[:] = [item for item in items if not item.get_closest_marker("browser")]


# ----------------------------------------------------------------------------------------------
# Publishing: a small hand-built catalogue (tests/catalogue_factory.py), no build pipeline needed.
# ----------------------------------------------------------------------------------------------

METADATA_DIR = Path(__file__).resolve().parent.parent / "metadata"


@pytest.fixture(scope="session")
def sample_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue.db with an article, the two seeds and a hostile document. Do not modify it:
    copy it first (it is shared by the whole session)."""
    from catalogue_factory import build_catalogue

    return build_catalogue(tmp_path_factory.mktemp("published") / "catalogue.db")


@pytest.fixture(scope="session")
def metadata_dir() -> Path:
    return METADATA_DIR


# ----------------------------------------------------------------------------------------------
# The seeds built by the real pipeline, once per session (exports and fixity tests read it).
# ----------------------------------------------------------------------------------------------

ROOT = METADATA_DIR.parent


@pytest.fixture(scope="session")
def seeds_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue.db of ROOT/seeds with ROOT/metadata. Do not modify it: copy it first."""
    from provcat.build import build_catalogue

    db = tmp_path_factory.mktemp("seeds-catalogue") / "catalogue.db"
    build_catalogue(ROOT / "seeds", ROOT / "metadata", db)
    return db
