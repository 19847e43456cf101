"""The lines of curation.yml and of a sidecar that the site offers a curator to copy: each action
ready for one entity (or quote), with what only the curator knows left in angle brackets. Names and
quoted words are written as JSON strings, which YAML reads back exactly whatever they hold."""

from __future__ import annotations

import json


def yaml_scalar(value: str) -> str:
    """A YAML scalar that reads back as ``value`` whatever it holds (a JSON string is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def entity_actions(name: str, entity_type: str, today: str) -> dict[str, str]:
    """curation.yml actions about one entity, by what they do: ``merge`` gathers other names into it,
    ``merge_into`` gathers it into another entity."""
    ref = f"{{name: {yaml_scalar(name)}, type: {entity_type}}}"
    who = f"    by: <your name>\n    date: {today}\n    why: <the evidence>"
    others = " or ".join(t for t in ("person", "organization", "place") if t != entity_type)
    return {
        "confirm": f"  - action: confirm\n    entity: {ref}\n{who}",
        "merge": f"  - action: merge\n    entities: [{ref}, {{name: <another name of it>}}]\n{who}",
        "merge_into": f"  - action: merge\n    entities: [{{name: <the entity it is another name of>}}, {ref}]\n{who}",
        "rename": f"  - action: rename\n    entity: {ref}\n    name: <the canonical name>\n{who}",
        "retype": f"  - action: retype\n    entity: {ref}\n    type: <{others}>\n{who}",
        "split": (f"  - action: split\n    entity: {ref}\n    documents: [<path of a document where it is "
                  f"someone else>]\n    name: <the other one's name>\n{who}"),
        "reject": f"  - action: reject\n    entity: {ref}\n{who}",
    }


def speaker_lines(path: str, text: str) -> str:
    """The sidecar lines that name the speaker of a quote (the words exactly as the document has them)."""
    return f"document: {yaml_scalar(path)}\nspeakers:\n  - name: <who said it>\n    quote: {yaml_scalar(text)}"
