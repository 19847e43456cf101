"""Authority control: the curator's decisions about entities across a whole collection.

``metadata/curation.yml`` lists actions, each with who took it, when and why::

    actions:
      - action: merge            # these are one: every entity listed becomes the first
        entities: [{name: Jane Doe, type: person}, {name: JANE DOE}, {name: J. Doe}]
        by: A. Curator
        date: 2026-12-01
        why: the byline and the speaker label are the same reporter
      - action: split            # not the same as: in these documents the name is someone else
        entity: {name: John Smith, type: person}
        documents: [2019/interview.txt]
        name: John Smith (footballer)
        by: …
      - action: rename           # the canonical name; the old one stays an alias
      - action: retype           # a place, not an organisation
      - action: reject           # not an entity: everywhere, or in the listed documents
      - action: confirm          # checked: it leaves the review queue

They are applied when the catalogue is written, to every assertion whatever made it, so they hold
when the documents are extracted again. An entity is named as the catalogue names it (its canonical
name, case and spacing ignored) with its type when the name stands for more than one kind of thing.
Actions are applied in the order written and to each other's results: a merge into a renamed entity
names it by its new name. Every action is stored (``curation_actions``) with the assertions it
changed, every entity it shaped records it (``entity_curation``), and an action that matched nothing
is reported when the catalogue is built.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ProvcatError
from .models import (
    ConfirmAction,
    CurationAction,
    EntityRef,
    EntityType,
    MergeAction,
    RejectAction,
    RenameAction,
    RetypeAction,
    SplitAction,
)
from .registry import name_key

CURATION_FILE = "curation.yml"


def _matches(ref: EntityRef, name: str, entity_type: EntityType) -> bool:
    return name_key(ref.name) == name_key(name) and ref.type in (None, entity_type)


@dataclass(frozen=True)
class Routed:
    """Where an assertion about an entity goes once the curator's actions are applied."""

    name: str
    type: EntityType
    actions: tuple[int, ...] = ()  # numbers (1-based) of the actions that moved it
    rejected_by: int | None = None


@dataclass
class Effect:
    """What one action did to one resulting entity."""

    action: int
    effect: str


@dataclass
class Control:
    """The actions of one curation file, ready to route assertions."""

    actions: list[CurationAction] = field(default_factory=list)
    source: Path | None = None
    applied: Counter[int] = field(default_factory=Counter)  # assertions each action changed
    effects: dict[str, dict[tuple[int, str], None]] = field(default_factory=dict)  # by entity id

    def __post_init__(self) -> None:
        # the actions that name each name (case and spacing ignored), in order: routing a name looks at
        # these only, so its cost does not grow with the length of the file
        self._naming: dict[str, list[int]] = {}
        # the exact names curators gave (a rename's new name, a merge's first entity), by the name they name
        self._spellings: dict[str, list[tuple[int, EntityRef]]] = {}
        # the documents of each split and of each reject that lists some, as sets
        self._documents: dict[int, frozenset[str]] = {}
        for number, action in enumerate(self.actions, start=1):
            if isinstance(action, SplitAction | RejectAction):
                self._documents[number] = frozenset(action.documents)
            refs = action.entities if isinstance(action, MergeAction) else [action.entity]
            for key in dict.fromkeys(name_key(ref.name) for ref in refs):
                self._naming.setdefault(key, []).append(number)
            if isinstance(action, RenameAction | MergeAction):
                spelled = (EntityRef(name=action.name, type=action.entity.type) if isinstance(action, RenameAction)
                           else action.entities[0])
                self._spellings.setdefault(name_key(spelled.name), []).append((number, spelled))
        self._check_cycles()

    def _steps(self, name: str, entity_type: EntityType, document: str | None) -> Routed:
        moved: list[int] = []
        seen = {(name_key(name), entity_type)}
        for _ in range(len(self.actions) + 1):
            step = self._step(name, entity_type, document)
            if step is None:
                return Routed(name, entity_type, tuple(moved))
            number, new_name, new_type = step
            if new_name is None:
                return Routed(name, entity_type, tuple(moved), rejected_by=number)
            moved.append(number)
            key = (name_key(new_name), new_type)
            if key in seen:
                raise ProvcatError(self.source or Path(CURATION_FILE),
                                   f"action {number} ({self.actions[number - 1].action}) leads back to "
                                   f"'{new_name}' ({new_type}): the actions form a cycle")
            seen.add(key)
            name, entity_type = new_name, new_type
        raise ProvcatError(self.source or Path(CURATION_FILE), "the actions form a cycle")  # pragma: no cover

    def _step(self, name: str, entity_type: EntityType, document: str | None
              ) -> tuple[int, str | None, EntityType] | None:
        """The first action that moves (or rejects) this entity: (number, new name or None, new type)."""
        for number in self._naming.get(name_key(name), ()):
            action = self.actions[number - 1]
            if isinstance(action, SplitAction):
                if document in self._documents[number] and _matches(action.entity, name, entity_type):
                    if name_key(action.name) == name_key(name) and (action.type or entity_type) == entity_type:
                        continue
                    return number, action.name, action.type or entity_type
            elif isinstance(action, RejectAction):
                if _matches(action.entity, name, entity_type) and (not action.documents
                                                                     or document in self._documents[number]):
                    return number, None, entity_type
            elif isinstance(action, RetypeAction):
                if _matches(action.entity, name, entity_type) and action.type != entity_type:
                    return number, name, action.type
            elif isinstance(action, RenameAction):
                if _matches(action.entity, name, entity_type) and name_key(action.name) != name_key(name):
                    return number, action.name, entity_type
            elif isinstance(action, MergeAction):
                target = action.entities[0]
                if _matches(target, name, entity_type):
                    continue
                if any(_matches(ref, name, entity_type) for ref in action.entities[1:]):
                    return number, target.name, target.type or entity_type
        return None

    def _check_cycles(self) -> None:
        """Route every name an action mentions, in every type, so that a cycle is found when the file is
        read: everywhere, and from each split's name in each of its documents (a cycle that only a
        document's split closes passes through that name there; rejections only end a route)."""
        def types(ref: EntityRef) -> tuple[EntityType, ...]:
            return ("person", "organization", "place") if ref.type is None else (ref.type,)

        for action in self.actions:
            refs = action.entities if isinstance(action, MergeAction) else [action.entity]
            for ref in refs:
                for entity_type in types(ref):
                    self._steps(ref.name, entity_type, None)
            if isinstance(action, SplitAction):
                for entity_type in types(action.entity):
                    for document in action.documents:
                        self._steps(action.entity.name, entity_type, document)

    def route(self, name: str, entity_type: EntityType, document: str) -> Routed:
        """The name and type an assertion about ``name`` in ``document`` is stored under (or that it is
        rejected), counting the assertions each action changed."""
        routed = self._steps(name, entity_type, document)
        for number in routed.actions:
            self.applied[number] += 1
        if routed.rejected_by is not None:
            self.applied[routed.rejected_by] += 1
        return routed

    def shaped(self, entity_id: str, routed: Routed, name: str, entity_type: EntityType) -> None:
        """Note that the assertion about ``name`` was stored under ``entity_id`` as ``routed`` says."""
        if routed.actions:
            found = self.effects.setdefault(entity_id, {})
            for number in routed.actions:
                found.setdefault((number, self._describe(number, name, entity_type)), None)

    def _describe(self, number: int, name: str, entity_type: EntityType) -> str:
        action = self.actions[number - 1]
        if isinstance(action, MergeAction):
            return f"merged: '{' '.join(name.split())}' ({entity_type})"
        if isinstance(action, SplitAction):
            return f"split from '{action.entity.name}' in {len(action.documents)} document(s)"
        if isinstance(action, RenameAction):
            return f"renamed from '{action.entity.name}'"
        if isinstance(action, RetypeAction):
            return f"retyped: a {action.type}, not a {entity_type}"
        return action.action  # pragma: no cover - rejections shape no entity

    def confirmed_by(self, name: str, entity_type: EntityType) -> int | None:
        """The last confirm action naming this entity, if any."""
        found = None
        for number in self._naming.get(name_key(name), ()):
            action = self.actions[number - 1]
            if isinstance(action, ConfirmAction) and _matches(action.entity, name, entity_type):
                found = number
        return found

    def entity_effects(self, entity_id: str, name: str, entity_type: EntityType) -> list[Effect]:
        """What the actions did to one stored entity (its id, canonical name and type), in action order."""
        found = [Effect(n, text) for (n, text) in self.effects.get(entity_id, {})]
        confirmed = self.confirmed_by(name, entity_type)
        if confirmed is not None:
            self.applied[confirmed] += 1
            found.append(Effect(confirmed, "confirmed"))
        return sorted(found, key=lambda e: e.action)

    def spelling(self, name: str, entity_type: EntityType) -> tuple[int, str] | None:
        """The exact canonical name the curator gave the entity stored under this name and type (by
        renaming it, or as the first entity of a merge), with the action's number, when they gave one;
        the last such action wins."""
        found = None
        for number, ref in self._spellings.get(name_key(name), ()):
            if _matches(ref, name, entity_type):
                found = (number, ref.name)
        return found

    def respelled(self, entity_id: str, number: int, old: str) -> None:
        """Note that action ``number`` gave the stored entity its exact name in place of ``old``."""
        self.applied[number] += 1
        self.effects.setdefault(entity_id, {}).setdefault((number, f"named as the curator spells it, not '{old}'"),
                                                          None)

    def unused(self) -> list[int]:
        """Numbers of the actions that changed nothing in this build."""
        return [n for n in range(1, len(self.actions) + 1) if not self.applied[n]]


def action_row(number: int, action: CurationAction, applied: int, source: str) -> dict[str, object]:
    """The ``curation_actions`` row of one action."""
    detail = action.model_dump(mode="json", exclude={"action", "by", "date", "why"})
    return {"id": number, "action": action.action, "detail": json.dumps(detail, ensure_ascii=False),
            "curator": action.by, "date": action.date.isoformat(), "why": action.why, "file": source,
            "assertions": applied}
