"""The language a text is written in, measured (py3langid, BSD-3-Clause, with its bundled model).

Recorded as an extracted fact of the description with the model's probability; a text too short to
tell, or one the model is unsure of, gets none rather than a guess.
"""

from __future__ import annotations

from functools import lru_cache

#: Fewer words than this, and the measurement is left out (the model guesses on a few words).
MIN_WORDS = 20
#: The probability below which no language is recorded.
MIN_PROBABILITY = 0.8
#: Only the first this many characters are read: a language does not change halfway through a
#: document often enough to be worth reading a whole book for.
SAMPLE_CHARS = 20_000
METHOD = "model:py3langid"


@lru_cache(maxsize=1)
def _identifier() -> object:
    from py3langid import langid

    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def language(text: str) -> tuple[str, float] | None:
    """The ISO 639-1 code of the text's language and its probability, or None when unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split()) < MIN_WORDS:
        return None
    code, probability = _identifier().classify(sample)  # type: ignore[attr-defined]
    probability = float(probability)
    if probability < MIN_PROBABILITY:
        return None
    return str(code), round(probability, 3)


def tool_version() -> str:
    from importlib.metadata import version

    return f"py3langid {version('py3langid')}"
