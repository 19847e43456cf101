"""The entity registry: one canonical entity per name and type across the whole catalogue.

Authority records come first and keep their ids; their names and aliases resolve to them whatever
the extractor called them. Other names get an id made from the name alone, so that it stays the
same from one build to the next whatever else the archive holds: the name transliterated to ASCII
("vladimir-putin"); when another entity has that id already, the name and its type
("washington-place"); and when that is taken too, or the name has nothing to transliterate, a short
digest of the name and type ("entity-3f2a9c1d"), never a counter. Names are compared
case-insensitively with apostrophes unified, so "St John’s College" and "St John's College" are one
entity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .models import Authority, EntityType, slugify


def name_key(name: str) -> str:
    folded = name.replace("\u2019", "'").replace("\u2018", "'").casefold()
    folded = folded[4:] if folded.startswith("the ") else folded
    return " ".join(folded.split())


@dataclass
class EntityRecord:
    id: str
    name: str
    type: EntityType
    source: str  # 'authority' or 'extracted'
    wikidata: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # another form of the name -> how it was joined
    note: str | None = None  # the authority record's note
    identifiers: dict[str, str] = field(default_factory=dict)  # viaf, lcnaf, geonames
    identified_by: str | None = None  # where the identifiers come from: authority, or the gazetteer's match
    documents: set[str] = field(default_factory=set)
    mentions: int = 0  # mentions and speaker links of it in the catalogue
    confidence: float = 0.0  # the highest confidence of those assertions


class Registry:
    def __init__(self, authorities: list[Authority]) -> None:
        self.records: dict[str, EntityRecord] = {}
        self._by_key: dict[tuple[str, str], str] = {}
        self._by_name: dict[str, str] = {}
        for a in authorities:
            identifiers = {k: v for k in ("viaf", "lcnaf", "geonames") if (v := getattr(a, k))}
            self.records[a.id] = EntityRecord(a.id, a.name, a.type, "authority", a.wikidata,
                                              dict.fromkeys(a.aliases, "authority"), note=a.note,
                                              identifiers=identifiers,
                                              identified_by="authority" if identifiers or a.wikidata else None)
            for form in (a.name, *a.aliases):
                self._by_key.setdefault((name_key(form), a.type), a.id)
                self._by_name.setdefault(name_key(form), a.id)

    def resolve(self, name: str, entity_type: EntityType) -> str:
        """The id of the entity with this name and type, registering it when new."""
        key = (name_key(name), entity_type)
        if key in self._by_key:
            return self._by_key[key]
        # an authority name wins even when the model guessed another type ("NPR" as a place)
        authority = self._by_name.get(key[0])
        if authority is not None and self.records[authority].source == "authority":
            return authority
        candidate = self._new_id(key[0], entity_type, slugify(name))
        self.records[candidate] = EntityRecord(candidate, " ".join(name.split()), entity_type, "extracted")
        self._by_key[key] = candidate
        return candidate

    def _new_id(self, key: str, entity_type: str, base: str) -> str:
        digest = hashlib.sha256(f"{entity_type}\0{key}".encode()).hexdigest()
        candidates = [base, f"{base}-{entity_type}"] if base != "entity" else []
        candidates += [f"{base}-{entity_type}-{digest[:8]}" if base != "entity" else f"entity-{digest[:8]}",
                       f"{base}-{digest}"]
        return next(c for c in candidates if c not in self.records)

    def note(self, entity_id: str, surface: str, document_id: str, confidence: float = 0.0,
             joined_by: str = "as extracted") -> None:
        """Note an assertion of ``document_id`` about the entity, written ``surface``; a form of the name
        not seen before is kept as an alias with how it was joined to the entity (``joined_by``)."""
        record = self.records[entity_id]
        record.mentions += 1
        record.confidence = max(record.confidence, confidence)
        if " ".join(surface.split()) != record.name:
            if name_key(surface) == name_key(record.name):
                joined_by = "same name"  # case, spacing, apostrophes or a leading "the"
            record.aliases.setdefault(surface, joined_by)
        record.documents.add(document_id)

    def identify(self, entity_id: str, geonames: str, method: str) -> None:
        """Give an extracted entity the gazetteer's identifier (an authority record's own are kept)."""
        record = self.records[entity_id]
        if record.source != "authority" and "geonames" not in record.identifiers:
            record.identifiers["geonames"] = geonames
            record.identified_by = method

    def used(self) -> list[EntityRecord]:
        """Every entity some document refers to, plus every authority record."""
        return [r for _, r in sorted(self.records.items()) if r.documents or r.source == "authority"]
