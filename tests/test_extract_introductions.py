from provcat.extract.introductions import introductions
from provcat.extract.view import reading_view
from provcat.models import Mention


def run(text: str, mentions: list[Mention] | None = None) -> tuple[list, list]:
    quotes, named = introductions(text, reading_view(text, "transcript"), mentions or [])
    for q in quotes:
        assert text[q.start:q.end] == q.text
    return quotes, named


def test_self_introductions() -> None:
    text = "good evening all my name is Maren Tolliver I'm the head of the ferry board\nand we can begin"
    (quote,), (mention,) = run(text)
    assert (quote.speaker, quote.speaker_name, quote.method) == ("Maren Tolliver", "Maren Tolliver",
                                                                "rule:self-introduction")
    assert quote.text.startswith("my name is Maren Tolliver")
    assert (mention.surface, mention.type) == ("Maren Tolliver", "person")


def test_name_here_from() -> None:
    (quote,), _ = run("00:03.250 - 00:04.900:  Oskar Vell here from Kerrow Telecom.\n")
    assert quote.speaker == "Oskar Vell"


def test_not_names() -> None:
    quotes, _ = run("I'm going to open the hearing. I'm Sorry about that. I am Not sure.")
    assert quotes == []


def test_organisations_do_not_introduce_themselves() -> None:
    text = "Hello, I'm Kerrow Telecom and we sell phones."
    org = Mention(start=11, end=25, surface="Kerrow Telecom", name="Kerrow Telecom", type="organization",
                  method="model:x", confidence=0.7)
    assert run(text, [org]) == ([], [])


def test_introduced_speaker_takes_the_next_line() -> None:
    text = "welcome to the stage Acme founder and CEO Jane Doe\nthank you all for coming tonight\n"
    acme = Mention(start=21, end=25, surface="Acme", name="Acme", type="organization", method="model:x",
                   confidence=0.7)
    (quote,), _ = run(text, [acme])
    assert (quote.speaker, quote.method, quote.text) == ("Jane Doe", "rule:introduced",
                                                         "thank you all for coming tonight")
    assert quote.confidence <= 0.5
