import pytest

from provcat.classify import classify, measure

ARTICLE = (
    "Officials said on Tuesday that the bridge would reopen. \"We are confident,\" the mayor said. "
    "Engineers inspected it for three weeks. The work cost more than expected. Residents welcomed the news. "
) * 3
CAPTIONS = "\n".join([
    "so today we are going to talk about", "the history of the city and how it", "grew over the years and what the",
    "people who lived here thought about it", "and you know it is a long story so", "let us get started right away",
] * 3)
LABELLED = "\n".join([
    "MS. SMITH: Good afternoon, everyone.", "Q: Can you tell us more?", "MS. SMITH: I can.",
    "Q: Thank you.", "MR. JONES: One more thing.",
])


def test_article_is_prose() -> None:
    decision = classify(ARTICLE)
    assert (decision.type, decision.method) == ("article", "rule:prose")
    assert 0 < decision.confidence <= 1


def test_unpunctuated_caption_lines_are_a_transcript() -> None:
    decision = classify(CAPTIONS)
    assert (decision.type, decision.method) == ("transcript", "rule:unpunctuated-captions")


def test_speaker_labels_make_a_transcript() -> None:
    decision = classify(LABELLED)
    assert (decision.type, decision.method) == ("transcript", "rule:speaker-labels")


def test_cue_files_are_transcripts() -> None:
    assert classify("hello", "application/x-subrip").method == "rule:cue-file"


def test_timestamped_lines_are_a_transcript() -> None:
    text = "\n".join(f"00:{i:02d}.000 - 00:{i + 1:02d}.000:  Line {i} of the podcast, spoken aloud." for i in range(10))
    assert classify(text).method == "rule:timestamped-lines"


def test_features_are_recorded() -> None:
    features = measure(ARTICLE, "text/plain")
    assert features["sentence_ends_per_100_words"] > 4
    assert classify(ARTICLE).features == features


def test_a_very_long_text_is_classified_from_its_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from provcat import classify as module

    monkeypatch.setattr(module, "MEASURED_CHARACTERS", 2000)
    transcript = "ANA RUIZ: We are here today.\nTOM LEE: Thank you.\n" * 40
    article = "The council met on Monday. It approved the budget, officials said. " * 400
    decision = module.classify(transcript + article)
    assert decision.type == "transcript" and decision.features["measured_characters"] == 2000
    assert "measured_characters" not in module.classify(transcript).features
