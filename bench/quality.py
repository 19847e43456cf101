"""Extraction quality: build each evaluation corpus with an empty metadata folder and score it.

Usage:  .venv/bin/python bench/quality.py [--eval DIR] [--only NAME ...] [--json FILE]

The corpora and the scorer (``score.py``) live in an evaluation folder beside the project
(``../shared/eval`` by default); none of them ships with provcat. Each corpus is built exactly as a new
user would build a folder (``provcat build`` with an empty metadata folder, in a temporary directory),
except the seeds, which are also built with the project's own ``metadata/`` to show what curation adds.
The tables printed (scores, type accuracy per genre, and the reliability of the mentions'
confidence per method) are the ones ``docs/quality.md`` quotes.

Corpora (each skipped with a note when its folder is missing):

- ``seeds``: the project's two seed documents (no metadata), and ``seeds+metadata``;
- ``dev``: the development documents (real news articles and transcripts);
- ``gum``: a multi-genre corpus with mention-level gold (train split), clean text;
- ``gum-captions``: its spoken-genre documents made caption-like (lower case, no punctuation,
  wrapped at 40 characters).

For the multi-genre corpus the type accuracy is also given per genre, and over the spoken genres
(interviews, speeches, vlogs, podcasts, court hearings, conversations), whose gold type is
``transcript``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
SPOKEN_GENRES = ("interview", "speech", "vlog", "podcast", "court", "conversation")
METRICS = ("type_accuracy", "entity_f1", "entity_untyped_f1", "speaker_f1", "named_speaker_f1", "span_integrity")


@dataclass(frozen=True)
class Corpus:
    name: str
    documents: Path
    gold: Path
    metadata: Path | None = None  # None: an empty metadata folder
    manifest: Path | None = None  # per-document genres, when the corpus has them


def corpora(eval_dir: Path) -> list[Corpus]:
    gum = eval_dir / "gum-train"
    return [
        Corpus("seeds", ROOT / "seeds", eval_dir / "seeds-gold"),
        Corpus("seeds+metadata", ROOT / "seeds", eval_dir / "seeds-gold", metadata=ROOT / "metadata"),
        Corpus("dev", eval_dir / "dev" / "docs", eval_dir / "dev" / "gold"),
        Corpus("gum", gum / "docs", gum / "gold", manifest=gum / "manifest.json"),
        Corpus("gum-captions", gum / "docs_degraded", gum / "gold_degraded", manifest=gum / "manifest.json"),
    ]


def load_scorer(eval_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", eval_dir / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"bench/quality.py: no scorer at {eval_dir / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(corpus: Corpus, workdir: Path) -> Path:
    from provcat.build import build_catalogue

    metadata = corpus.metadata
    if metadata is None:
        metadata = workdir / "no-metadata"
        metadata.mkdir(exist_ok=True)
    db = workdir / f"{corpus.name}.db"
    build_catalogue(corpus.documents, metadata, db)
    return db


def genre_types(result: dict, manifest: Path) -> dict[str, tuple[int, int]]:
    """Documents of each genre, and how many got their gold type."""
    rows = json.loads(manifest.read_text(encoding="utf-8"))
    genre = {row["document"]: row["genre"] for row in rows}
    gold_type = {row["document"]: row["type"] for row in rows}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc in result["per_document"]:
        g = genre.get(doc["document"])
        if g is None:
            continue
        counts[g][0] += 1
        counts[g][1] += int(doc.get("type") == gold_type[doc["document"]])
    return {g: (n, ok) for g, (n, ok) in sorted(counts.items())}


def method_family(method: str) -> str:
    """A mention's method as the reliability table groups it: the rule, or the model with the step
    that shaped it most."""
    head, *steps = method.split("+")
    if not head.startswith("model:"):
        return head
    for step in ("recased", "short-form", "name-head", "gazetteer", "name-shape", "credit-line", "possessive"):
        if step in steps:
            return f"model+{step}"
    return "model"


def mention_outcomes(scorer: ModuleType, db_path: Path, gold_dir: Path) -> list[tuple[str, float, int]]:
    """(method family, confidence, right) of every mention of a gold document: right when its entity is
    one the scorer matches to a gold entity of the same type in that document (mentions of entities
    the gold leaves optional are left out)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    found: list[tuple[str, float, int]] = []
    for gold_file in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        row = scorer.find_document(conn, gold["document"])
        if row is None:
            continue
        entities = []
        for entity_id, name, kind in conn.execute(
                "select e.id, e.name, e.type from document_entities de join entities e on e.id = de.entity_id "
                "where de.document_id = ?", (row[0],)):
            keys = {name} | {s for (s,) in conn.execute(
                "select distinct surface from mentions where document_id = ? and entity_id = ?", (row[0], entity_id))}
            entities.append((entity_id, scorer.coarse(kind), keys))
        right: set[str] = set()
        for g in gold["entities"]:
            keys = {g["name"], *g.get("aliases", [])}
            for entity_id, kind, own in entities:
                if entity_id in right or kind != g["type"]:
                    continue
                if scorer.keys_match(own, keys) or (kind == "person" and scorer.person_surname_match(own, keys)):
                    right.add(entity_id)
                    break
        optional = {scorer.norm(o) for o in gold.get("optional_entities", [])}
        keys_of = {entity_id: own for entity_id, _, own in entities}
        for entity_id, method, confidence in conn.execute(
                "select entity_id, method, confidence from mentions where document_id = ?", (row[0],)):
            if entity_id not in right and {scorer.norm(k) for k in keys_of.get(entity_id, ())} & optional:
                continue
            found.append((method_family(method), confidence, int(entity_id in right)))
    conn.close()
    return found


def reliability_table(outcomes: dict[str, list[tuple[str, float, int]]]) -> str:
    """Per corpus and method: mentions, their confidence, and the share right."""
    lines = ["reliability of the mentions' confidence (share right: the mention's entity is a gold entity of "
             "its type):", "| corpus | method | mentions | confidence | share right |", "|---|---|---|---|---|"]
    for corpus, rows in outcomes.items():
        groups: dict[tuple[str, float], list[int]] = defaultdict(list)
        for family, confidence, right in rows:
            groups[(family, confidence)].append(right)
        for (family, confidence), rights in sorted(groups.items(), key=lambda g: -len(g[1])):
            if len(rights) >= 5:
                lines.append(f"| {corpus} | {family} | {len(rights)} | {confidence:.2f} | "
                             f"{sum(rights) / len(rights):.2f} |")
    return "\n".join(lines)


def cell(result: dict, metric: str) -> str:
    value = result.get(metric)
    if value is None:
        return "—"
    if metric.endswith("_f1"):
        stem = metric[: -len("_f1")]
        return f"{value:.3f} ({result[stem + '_precision']:.3f} / {result[stem + '_recall']:.3f})"
    return f"{value:.3f}"


def table(results: dict[str, dict]) -> str:
    head = ["corpus", "documents", *METRICS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, result in results.items():
        lines.append("| " + " | ".join([name, str(result["documents"]), *(cell(result, m) for m in METRICS)]) + " |")
    return "\n".join(lines)


def fitted_genres() -> set[str]:
    """The genres whose texts the spoken-register model was fitted on (its figures there are not
    held-out ones)."""
    from provcat.spoken_register import model

    return set(model()["trained_on"]["genres"])  # type: ignore[index, call-overload]


def genre_table(name: str, genres: dict[str, tuple[int, int]]) -> str:
    fitted = fitted_genres()
    lines = [f"type accuracy by genre ({name}; 'fitted': the register model was trained on these texts):",
             "| genre | documents | right type |", "|---|---|---|"]
    spoken, held_out = [0, 0], [0, 0]
    for g, (n, ok) in genres.items():
        lines.append(f"| {g}{' (fitted)' if g in fitted else ''} | {n} | {ok} ({ok / n:.2f}) |")
        if g in SPOKEN_GENRES:
            spoken[0] += n
            spoken[1] += ok
            if g not in fitted:
                held_out[0] += n
                held_out[1] += ok
    if spoken[0]:
        lines.append(f"| **spoken genres** | {spoken[0]} | {spoken[1]} ({spoken[1] / spoken[0]:.2f}) |")
    if held_out[0]:
        lines.append(f"| **spoken genres not fitted on** | {held_out[0]} | {held_out[1]} "
                     f"({held_out[1] / held_out[0]:.2f}) |")
    return "\n".join(lines)


def run(eval_dir: Path, only: list[str], say: Callable[[str], None]) -> dict[str, dict]:
    scorer = load_scorer(eval_dir)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="provcat-quality-") as tmp:
        workdir = Path(tmp)
        for corpus in corpora(eval_dir):
            if only and corpus.name not in only:
                continue
            if not corpus.documents.is_dir() or not corpus.gold.is_dir():
                say(f"{corpus.name}: skipped ({corpus.documents} or {corpus.gold} is missing)")
                continue
            say(f"{corpus.name}: building {corpus.documents} …")
            db = build(corpus, workdir)
            result = scorer.score(str(db), str(corpus.gold))
            if corpus.manifest is not None and corpus.manifest.is_file():
                result["genre_types"] = genre_types(result, corpus.manifest)
            result["mention_outcomes"] = mention_outcomes(scorer, db, corpus.gold)
            results[corpus.name] = result
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the evaluation folder (default: %(default)s)")
    parser.add_argument("--only", action="append", default=[], help="a corpus to run (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the full results (with per-document detail) here")
    args = parser.parse_args(argv)
    if not (args.eval / "score.py").is_file():
        print(f"bench/quality.py: {args.eval} has no score.py: give the evaluation folder with --eval",
              file=sys.stderr)
        return 2

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = run(args.eval, args.only, say)
    print(table(results))
    for name, result in results.items():
        if result.get("genre_types"):
            print()
            print(genre_table(name, result["genre_types"]))
    print()
    print(reliability_table({name: result["mention_outcomes"] for name, result in results.items()}))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
