"""The spoken-register model: its features, counted outside quotations, and what it makes of
speech set down as prose against written prose."""

from __future__ import annotations

import json
import re

from provcat import spoken_register
from provcat.classify import classify

TALK = ("So, um, yeah, I mean we went down there and, you know, it was kind of amazing. Well, we didn't "
        "expect that. And then, uh, okay, so we thought, I guess we should just go for it. ") * 6
SPEECH = ("Thank you all for coming tonight. We gather here because we believe in this town. And we know the "
          "work is not done. So let us finish it together. Well, I think we can, and we will. ") * 5
NEWS = ("The council voted on Tuesday to close the library, officials said. According to the mayor, the "
        "building had cost more than expected. He told reporters the decision was final. Residents "
        "said they were disappointed, and the union reported that staff had not been consulted. ") * 5


def test_features_are_counted_outside_quotation_marks() -> None:
    quoted = 'The minister said: "Um, yeah, you know, we will see." ' * 20
    inside = spoken_register.features(quoted)
    assert inside["fillers"] == 0 and inside["discourse_markers"] == 0 and inside["we"] == 0
    assert inside["reporting_verbs"] > 0
    bare = spoken_register.features(quoted.replace('"', ""))
    assert bare["fillers"] > 0 and bare["discourse_markers"] > 0 and bare["we"] > 0


def test_curly_and_straight_apostrophes_count_alike() -> None:
    assert spoken_register.features("We’re here, we’ve come. " * 10) == spoken_register.features(
        "We're here, we've come. " * 10)


def test_talk_reads_as_speech_and_news_as_prose() -> None:
    assert spoken_register.probability(spoken_register.features(TALK)) > 0.9
    assert spoken_register.probability(spoken_register.features(NEWS)) < 0.2


def test_a_speech_without_labels_is_a_transcript_and_says_why() -> None:
    decision = classify(SPEECH)
    assert decision.type == "transcript" and decision.method == "model:spoken-register"
    assert decision.confidence >= 0.8
    assert round(decision.features["spoken_register_probability"], 2) == decision.confidence
    assert decision.features["register_we_per_1000_words"] > 0


def test_news_prose_stays_an_article_with_the_models_reading_recorded() -> None:
    decision = classify(NEWS)
    assert (decision.type, decision.method) == ("article", "rule:prose")
    assert decision.features["spoken_register_probability"] < 0.2


def test_a_short_text_is_not_judged_by_its_register() -> None:
    decision = classify("So we went there. Well, I think we did. And we came back.")
    assert decision.type == "article" and "spoken_register_probability" not in decision.features


def test_the_model_file_says_what_it_was_trained_on_and_keeps_no_file_names() -> None:
    model = spoken_register.model()
    assert model["features"] == list(spoken_register.FEATURES)
    assert len(model["coefficients"]) == len(model["mean"]) == len(model["scale"]) == len(model["features"])
    trained = model["trained_on"]
    assert trained["documents"] == len(trained["inputs"]) == len(model["rows"])
    assert set(trained["genres"]) == {"news", "interview", "academic", "court"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", i["sha256"]) and set(i) == {"genre", "sha256"} for i in trained["inputs"])
    assert ".txt" not in json.dumps(model)
