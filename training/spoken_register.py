"""Make ``catalogue/provcat/spoken_register.json``: the spoken-register model the classifier uses.

Usage:  .venv/bin/python training/spoken_register.py --corpus DIR [--output FILE]

DIR is the train split of the GUM corpus (Georgetown University Multilayer corpus) as plain text
with a manifest (``manifest.json``: each document's genre and type; ``docs/``: the texts). Only the
genres whose texts are licensed for use in this Apache-2.0 product are read — news and interviews
(Wikinews, CC BY 2.5), academic abstracts and court transcripts (CC BY 4.0) — and every text read is
pinned by its SHA-256 in the model file (file names are not kept: they carry the names of people),
so a rebuild from other inputs is seen. The model is a
logistic regression (scikit-learn, standardised log features, balanced classes, C = 0.5) over the
features of :mod:`provcat.spoken_register`; the feature rows it was fitted on are kept in the file,
so the fit can be checked without the corpus (``tests/test_training_spoken_register.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "catalogue"))

from provcat.readers import read_document  # noqa: E402
from provcat.spoken_register import FEATURES, MODEL_FILE, features  # noqa: E402

#: Genres read, with their texts' licence (the annotations are CC BY 4.0 throughout).
GENRES = {
    "news": "CC BY 2.5 (Wikinews)",
    "interview": "CC BY 2.5 (Wikinews)",
    "academic": "CC BY 4.0",
    "court": "CC BY 4.0",
}
C = 0.5
#: A text is called speech by its register alone when the model gives at least this probability.
THRESHOLD = 0.8


def rows_of(corpus: Path) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    rows, inputs = [], []
    for entry in sorted(manifest, key=lambda e: e["document"]):
        if entry["genre"] not in GENRES:
            continue
        path = corpus / "docs" / entry["document"]
        data = path.read_bytes()
        # pinned by digest and genre only: the corpus's file names carry the names of people
        inputs.append({"genre": entry["genre"], "sha256": hashlib.sha256(data).hexdigest()})
        text = read_document(data, path.name).text
        rows.append({"spoken": int(entry["type"] == "transcript"), "features": features(text)})
    return rows, inputs


def fit(rows: list[dict[str, object]]) -> dict[str, object]:
    """The fitted model's numbers, from feature rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = [[math.log1p(r["features"][f]) for f in FEATURES] for r in rows]  # type: ignore[index]
    y = [r["spoken"] for r in rows]
    scaler = StandardScaler().fit(x)
    regression = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(scaler.transform(x), y)
    return {"features": list(FEATURES), "mean": [round(v, 6) for v in scaler.mean_],
            "scale": [round(v, 6) for v in scaler.scale_],
            "coefficients": [round(v, 6) for v in regression.coef_[0]],
            "intercept": round(float(regression.intercept_[0]), 6)}


def main(argv: list[str] | None = None) -> int:
    import sklearn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="the GUM train split as text, with manifest.json")
    parser.add_argument("--output", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    rows, inputs = rows_of(args.corpus)
    if not rows:
        print(f"training/spoken_register.py: no document of {sorted(GENRES)} in {args.corpus}", file=sys.stderr)
        return 2
    model = {
        "about": "Spoken-register model of provcat's document classifier (provcat/spoken_register.py)",
        **fit(rows),
        "threshold": THRESHOLD,
        "trained_with": f"scikit-learn {sklearn.__version__} LogisticRegression(C={C}, class_weight='balanced')",
        "trained_on": {
            "corpus": "GUM, the Georgetown University Multilayer corpus, train split "
                      "(Zeldes 2017, Language Resources and Evaluation 51(3); annotations CC BY 4.0)",
            "genres": GENRES,
            "documents": len(rows),
            "spoken": sum(int(r["spoken"]) for r in rows),
            "inputs": inputs,
        },
        "rows": rows,
    }
    args.output.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(rows)} documents ({model['trained_on']['spoken']} spoken)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
