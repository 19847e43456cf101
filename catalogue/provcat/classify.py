"""Classify: is a document an article (written prose) or a transcript (recorded speech)?

Decided from the text itself, by named rules over measured features, most telling first: a cue file,
speaker-labelled turns, timestamped lines, caption-shaped unpunctuated text, spoken-register markers,
then the spoken-register model (:mod:`provcat.spoken_register`: speech written down without labels,
such as a speech, a vlog or an interview set as prose); otherwise prose. The decision records the
rule that decided (``method``), a confidence and every feature measured, so an archivist can see
why. A curated sidecar ``type`` overrides it.
"""

from __future__ import annotations

import re
import statistics

from . import spoken_register
from .extract.turns import TIMESTAMP_PREFIX, speaker_labels
from .models import TypeDecision

#: Media types that are always transcripts: caption files and speech-recognition JSON.
CUE_MEDIA_TYPES = frozenset({"application/x-subrip", "text/vtt", "application/json"})

_SENTENCE_END = re.compile(r"[.?!…](?=[\"'”’)\]]*(?:\s|$))")
_QUOTE_MARK = re.compile(r"[\"“”]")
_SPOKEN = re.compile(
    r"\[(?:music|applause|laughter|laughs|inaudible|crosstalk)\]|\((?:applause|laughter|laughs|inaudible)\)"
    r"|\b(?:um+|uh+|you know|i mean|thanks for watching|subscribe|welcome back|welcome to)\b",
    re.I,
)


def measure(text: str, media_type: str, timed: bool = False) -> dict[str, float]:
    """The features the decision rests on."""
    lines = [line for line in text.split("\n") if line.strip()]
    words = text.split()
    n_words = max(len(words), 1)
    labels = speaker_labels(text)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    line_words = [len(line.split()) for line in lines] or [0]
    unterminated = sum(1 for line in lines if not re.search(r"[.?!:;,\"”’)\]]\s*$", line))
    return {
        "cue_file": float(media_type in CUE_MEDIA_TYPES or timed),
        "words": float(len(words)),
        "lines": float(len(lines)),
        "label_turns": float(len(labels)),
        "repeated_labels": float(sum(1 for c in counts.values() if c >= 2)),
        "distinct_labels": float(len(counts)),
        "timestamp_line_ratio": round(len(TIMESTAMP_PREFIX.findall(text)) / max(len(lines), 1), 3),
        "sentence_ends_per_100_words": round(100 * len(_SENTENCE_END.findall(text)) / n_words, 2),
        "median_line_words": float(statistics.median(line_words)),
        "unterminated_line_ratio": round(unterminated / max(len(lines), 1), 3),
        "quote_marks_per_1000_words": round(1000 * len(_QUOTE_MARK.findall(text)) / n_words, 2),
        "spoken_markers_per_1000_words": round(1000 * len(_SPOKEN.findall(text)) / n_words, 2),
    }


#: The features are measured on at most this many characters from the start of the text: enough to
#: tell a transcript from an article, and a bound on the time and memory a very long text costs.
MEASURED_CHARACTERS = 1_000_000
#: Fewer words than this say too little of their register for the model to judge.
REGISTER_MIN_WORDS = 100


def classify(text: str, media_type: str = "text/plain", timed: bool = False) -> TypeDecision:
    """Decide article or transcript, with the deciding rule, a confidence and the features (measured
    on the first ``MEASURED_CHARACTERS`` of a longer text, which the features then say). A text read
    into timed cues (``timed``: a caption file, a timestamped transcript) is a transcript."""
    sample = text[:MEASURED_CHARACTERS]
    f = measure(sample, media_type, timed)
    if len(text) > MEASURED_CHARACTERS:
        f["measured_characters"] = float(MEASURED_CHARACTERS)

    def decide(kind: str, confidence: float, rule: str, method: str | None = None) -> TypeDecision:
        return TypeDecision(type=kind, confidence=round(confidence, 2), method=method or f"rule:{rule}", features=f)

    if f["cue_file"]:
        return decide("transcript", 0.99, "cue-file")
    labelled = f["label_turns"] >= 3 and (f["repeated_labels"] >= 2 or f["label_turns"] >= 6)
    if labelled and f["label_turns"] >= 0.02 * f["lines"]:
        return decide("transcript", min(0.97, 0.8 + 0.02 * f["label_turns"]), "speaker-labels")
    if f["timestamp_line_ratio"] >= 0.2:
        return decide("transcript", min(0.97, 0.75 + f["timestamp_line_ratio"] / 2), "timestamped-lines")
    if f["words"] >= 40 and f["sentence_ends_per_100_words"] < 2.5:
        confidence = 0.95 if f["sentence_ends_per_100_words"] < 1 else 0.8
        return decide("transcript", confidence, "unpunctuated-captions")
    if f["spoken_markers_per_1000_words"] >= 4 and f["quote_marks_per_1000_words"] < 2:
        return decide("transcript", 0.6, "spoken-register")
    if f["words"] >= REGISTER_MIN_WORDS:
        register = spoken_register.features(sample)
        f.update({f"register_{name}_per_1000_words": value for name, value in register.items()})
        chance = spoken_register.probability(register)
        f["spoken_register_probability"] = round(chance, 3)
        if chance >= float(spoken_register.model()["threshold"]):  # type: ignore[arg-type]
            return decide("transcript", chance, "register", method="model:spoken-register")
    confidence = 0.9 if f["sentence_ends_per_100_words"] >= 4 else 0.7
    if f["words"] < 40:
        confidence = 0.5
    return decide("article", confidence, "prose")
