"""The lines the site offers to copy are valid curated files once the curator fills in the parts in
angle brackets, whatever the entity's name or the quote's words hold."""

from __future__ import annotations

import pytest
import yaml

from provcat.models import CurationFile, Sidecar
from provcat.site.curation_lines import entity_actions, speaker_lines

FILLED = {"<your name>": "R. Archivist", "<the evidence>": "checked", "<another name of it>": "Other",
          "<the entity it is another name of>": "Other", "<the canonical name>": "New Name",
          "<organization or place>": "place", "<path of a document where it is someone else>": "a.txt",
          "<the other one's name>": "Someone Else", "<who said it>": "Ann Keel"}


def filled(text: str) -> str:
    for blank, value in FILLED.items():
        text = text.replace(blank, value)
    return text


@pytest.mark.parametrize("name", ["Ann Keel", 'O\'Brien: the "elder" #1', "- dash", "Ünïcode – name"])
def test_every_action_is_a_valid_curation_file_once_filled(name: str) -> None:
    actions = entity_actions(name, "person", "2026-12-01")
    parsed = CurationFile.model_validate(yaml.safe_load("actions:\n" + filled("\n".join(actions.values()))))
    assert [a.action for a in parsed.actions] == ["confirm", "merge", "merge", "rename", "retype", "split", "reject"]
    assert parsed.actions[0].entity.name == name and parsed.actions[2].entities[1].name == name


def test_the_sidecar_lines_keep_the_words_exactly() -> None:
    words = 'He said: "no" — and left.\n'
    sidecar = Sidecar.model_validate(yaml.safe_load(filled(speaker_lines("2019/a b.txt", words))))
    assert sidecar.document == "2019/a b.txt" and sidecar.speakers[0].quote == words.strip()
