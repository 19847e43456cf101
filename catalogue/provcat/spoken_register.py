"""Spoken register: how much a text without speaker labels, timestamps or caption shape reads like
recorded speech.

Speech written down keeps marks that edited prose loses: hesitations and back-channels ("um",
"yeah", "okay"), discourse markers ("you know", "I mean", "kind of"), sentences opened with "So",
"Well", "And", the speakers' "we", and few of the reporting verbs ("said", "according to") and
third-person narration written prose is made of. Each is measured per 1,000 words outside quotation
marks (words quoted in an article are speech inside prose), and a logistic model weighs them:
``spoken_register.json``, made by ``training/spoken_register.py`` from openly licensed annotated text
(see ``docs/quality.md`` for what it was trained on, under which licences, and how well it does on
text it was not trained on). The model is a dozen numbers; nothing is downloaded or run.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("spoken_register.json")

_QUOTED = re.compile(r'"[^"\n]{0,2000}"|“[^”\n]{0,2000}”')
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_SENTENCE_OPENER = re.compile(r"(?:^|[.?!]\s+)([A-Za-z]+)", re.M)
_DISCOURSE = re.compile(r"\b(?:you know|i mean|kind of|sort of|i think|i guess)\b")

FILLERS = frozenset("um uh yeah okay oh gonna wanna hmm mm yep nope ok huh".split())
OPENERS = frozenset("So Well And But Now Okay Yeah".split())
WE = frozenset("we we're we've we'll us our ours".split())
NARRATION = frozenset("he she his her they was were had".split())
REPORTING = frozenset("said says according told reported stated".split())

#: The features, in the model's order.
FEATURES = ("fillers", "discourse_markers", "spoken_openers", "we", "narration", "reporting_verbs")


def features(text: str) -> dict[str, float]:
    """Each feature per 1,000 words of the text outside quotation marks."""
    outside = _QUOTED.sub(" ", text)
    words = [w.lower().replace("\u2019", "'") for w in _WORD.findall(outside)]
    n = max(len(words), 1)
    counts = Counter(words)

    def per_1000(k: int) -> float:
        return round(1000 * k / n, 3)

    openers = sum(1 for w in _SENTENCE_OPENER.findall(outside) if w in OPENERS)
    return {
        "fillers": per_1000(sum(counts[w] for w in FILLERS)),
        "discourse_markers": per_1000(len(_DISCOURSE.findall(outside.lower()))),
        "spoken_openers": per_1000(openers),
        "we": per_1000(sum(counts[w] for w in WE)),
        "narration": per_1000(sum(counts[w] for w in NARRATION)),
        "reporting_verbs": per_1000(sum(counts[w] for w in REPORTING)),
    }


@lru_cache(maxsize=1)
def model() -> dict[str, object]:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def probability(measured: dict[str, float], weights: dict[str, object] | None = None) -> float:
    """How likely a text with these features is speech, by the model: each feature as log(1 + x),
    standardised as in training, weighed, and the sum passed through the logistic function."""
    m = weights or model()
    mean, scale, coef = m["mean"], m["scale"], m["coefficients"]  # type: ignore[index]
    z = float(m["intercept"])  # type: ignore[arg-type]
    for i, name in enumerate(m["features"]):  # type: ignore[arg-type]
        z += coef[i] * (math.log1p(measured[name]) - mean[i]) / scale[i]  # type: ignore[index, operator]
    return 1 / (1 + math.exp(-z))
