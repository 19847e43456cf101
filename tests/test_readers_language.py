"""The language of a text, measured, or none when unsure."""

from provcat.readers.language import language, tool_version

ENGLISH = ("The council voted on Tuesday to close the old quay, said its chairman, after months of debate "
           "among fishermen and traders about the cost of repairs and the future of the town.")
FRENCH = ("Le conseil a voté mardi la fermeture du vieux quai, a déclaré son président, après des mois de débat "
          "entre les pêcheurs et les commerçants sur le coût des réparations et l'avenir de la ville.")


def test_languages_are_told_apart() -> None:
    assert language(ENGLISH)[0] == "en" and language(FRENCH)[0] == "fr"
    assert language(ENGLISH)[1] >= 0.8


def test_too_short_to_tell() -> None:
    assert language("um yeah so") is None


def test_tool_is_named() -> None:
    assert tool_version().startswith("py3langid ")
