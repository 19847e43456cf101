"""The script that makes the spoken-register model: the model shipped is the fit of the rows it
keeps, and only texts of the licensed genres are read."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from provcat import spoken_register

SCRIPT = Path(__file__).resolve().parent.parent / "training" / "spoken_register.py"


def load_script():
    spec = importlib.util.spec_from_file_location("train_spoken_register", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_spoken_register"] = module
    spec.loader.exec_module(module)
    return module


def test_the_shipped_model_is_the_fit_of_its_rows() -> None:
    pytest.importorskip("sklearn")
    script = load_script()
    shipped = spoken_register.model()
    refit = script.fit(shipped["rows"])
    for key in ("features", "mean", "scale", "coefficients"):
        assert refit[key] == pytest.approx(shipped[key], abs=1e-4), key
    assert refit["intercept"] == pytest.approx(shipped["intercept"], abs=1e-4)


def test_only_the_licensed_genres_are_read(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    script = load_script()
    (tmp_path / "docs").mkdir()
    entries = []
    for n, (genre, kind) in enumerate([("news", "article"), ("court", "transcript"), ("fiction", "article"),
                                       ("vlog", "transcript"), ("interview", "transcript"),
                                       ("academic", "article")]):
        name = f"doc{n}.txt"
        text = ("So, um, we went there and, you know, yeah. " if kind == "transcript"
                else "The council said on Monday that the plan had been approved. ") * 20
        (tmp_path / "docs" / name).write_text(text)
        entries.append({"document": name, "genre": genre, "type": kind})
    (tmp_path / "manifest.json").write_text(json.dumps(entries))
    out = tmp_path / "model.json"
    assert script.main(["--corpus", str(tmp_path), "--output", str(out)]) == 0
    model = json.loads(out.read_text())
    assert sorted(i["genre"] for i in model["trained_on"]["inputs"]) == ["academic", "court", "interview", "news"]
    assert model["trained_on"]["spoken"] == 2
    talk = spoken_register.features("So, um, we went there and, you know, yeah. " * 20)
    assert spoken_register.probability(talk, model) > 0.5
