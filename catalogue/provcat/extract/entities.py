"""Cited entities: people, organisations and places named in a document.

Sources, most trusted first: the entity ruler fed from the authority file (``method='authority'``),
then spaCy's statistical NER (``method='model:<pipeline>'``). Spans are trimmed of leading articles,
personal titles and possessive endings; within a document, a person's later short forms ("Neumann",
"Mr. Neumann") are merged into the full name used earlier.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from spacy.tokens import Doc, Span

from ..models import Authority, EntityType, Mention
from . import captions, gazetteer

LABEL_TYPES: dict[str, EntityType] = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
}
TYPE_LABELS = {"person": "PERSON", "organization": "ORG", "place": "GPE"}

TITLES = frozenset("""
mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir dame lord lady rev rev. reverend fr fr. sen sen.
senator rep rep. representative gov gov. governor president vice prime minister secretary chairman chairwoman
chair judge justice gen gen. general col col. colonel lt lt. capt capt. captain sgt sgt. sergeant adm adm.
admiral commissioner mayor king queen prince princess sheikh pope madam mister speaker ambassador chancellor
premier bishop archbishop cardinal rabbi imam sheriff inspector detective councillor councilman councilwoman
congressman congresswoman
""".split())
MONTHS = frozenset("""
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec January February March April May June July August
September October November December
""".split())
_BAD_SURFACE = re.compile(r"^[\W\d_]+$|\n\s*\n|https?:|www\.|@")

AUTHORITY_CONFIDENCE = 0.95
MODEL_CONFIDENCE = 0.75


def ruler_patterns(authorities: Iterable[Authority]) -> list[dict[str, str]]:
    """Entity-ruler patterns for every name and alias, in both apostrophe spellings."""
    patterns: list[dict[str, str]] = []
    for record in authorities:
        label = TYPE_LABELS[record.type]
        forms = {record.name, *record.aliases}
        for form in sorted(forms):
            for variant in {form, form.replace("\u2019", "'"), form.replace("'", "\u2019")}:
                patterns.append({"label": label, "pattern": variant, "id": record.id})
    return patterns


def trim_span(span: Span) -> Span | None:
    """Drop leading articles and titles and a trailing possessive; None when nothing is left."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in ("the", "a", "an", "ex", "former", "anti", "pro", "non", "-")
                           or doc[start].is_punct or doc[start].is_space):
        start += 1
    if span.label_ == "PERSON":
        while start < end - 1 and doc[start].lower_ in TITLES:
            start += 1
        if all(t.lower_ in TITLES or t.lower_.rstrip(".") in TITLES or t.is_punct for t in doc[start:end]):
            return None  # a title or a form of address alone ("Mrs", "Madam Speaker"): no one named
    # a name does not run over a line break in the reading view (captions are already joined there):
    # "Jane Roe\nOct 19" is a byline and a date
    for i in range(start, end):
        if "\n" in doc[i].text or "\n" in doc[i].whitespace_:
            end = i + (0 if "\n" in doc[i].text else 1)
            break
    while end > start and doc[end - 1].text.rstrip(".") in MONTHS:
        end -= 1
    while end > start and (doc[end - 1].text in ("'s", "\u2019s", "'", "\u2019") or doc[end - 1].is_punct
                           or doc[end - 1].is_space):
        end -= 1
    if end <= start:
        return None
    return Span(doc, start, end, label=span.label_, kb_id=span.kb_id_, span_id=span.id_)


def spoken_sound(span: Span) -> bool:
    """Interjections and fillers only ("Mm", "Hmm", "Uh-huh", "Yeah"): never a name, whatever the model
    read."""
    words = [w for w in re.split(r"[\s\-–]+", span.text.lower().strip(".,!?")) if w]
    return bool(words) and all(captions.is_filler(w) for w in words)


def common_word(span: Span) -> bool:
    """A single capitalised word the tagger reads as an ordinary noun, verb or adjective ("Analysis",
    "Survival", "Heroes" at the start of a line), or spoken sounds: not a name."""
    if spoken_sound(span):
        return True
    if len(span) != 1:
        return False
    token = span[0]
    return token.pos_ not in ("PROPN", "X") and not token.text.isupper()


def acceptable(surface: str) -> bool:
    if len(surface.strip()) < 2 or _BAD_SURFACE.search(surface):
        return False
    return any(c.isupper() for c in surface)


def _normal(name: str) -> str:
    return " ".join(name.replace("\u2019", "'").split())


def entity_mentions(doc: Doc, offset: int, authorities: dict[str, Authority], model: str) -> list[Mention]:
    """Mentions of people, organisations and places in one spaCy doc (offsets shifted by ``offset``)."""
    mentions: list[Mention] = []
    for ent in doc.ents:
        entity_type = LABEL_TYPES.get(ent.label_)
        if entity_type is None:
            continue
        authority = authorities.get(ent.ent_id_) if ent.ent_id_ else None
        span = trim_span(ent)
        if span is None or not acceptable(span.text):
            continue
        if authority is None and common_word(span):
            continue
        if authority is not None:
            name, entity_type = authority.name, authority.type
            method, confidence = "authority", AUTHORITY_CONFIDENCE
        elif possessive_inside(span) is not None:
            mentions.extend(split_possessive(span, offset, entity_type, model))
            continue
        elif "/" in span.text:
            mentions.extend(credit_line(span.text, offset + span.start_char, entity_type, model))
            continue
        else:
            name, method, confidence = _normal(span.text), f"model:{model}", MODEL_CONFIDENCE
        mentions.append(Mention(
            start=offset + span.start_char, end=offset + span.end_char, surface=span.text,
            name=name, type=entity_type, method=method, confidence=confidence,
        ))
    return mentions


def possessive_inside(span: Span) -> int | None:
    """Index of a possessive "'s" inside an organisation or place name that is followed by a name of
    its own ("Smith's Transport Department")."""
    if span.label_ == "PERSON":
        return None
    for token in span[1:-2]:
        # a single word after it is part of the name: "King's College", "St John's Wood"
        if token.text in ("'s", "\u2019s"):
            return token.i
    return None


def split_possessive(span: Span, offset: int, entity_type: EntityType, model: str) -> list[Mention]:
    """The owner (a person when it is a short capitalised name) and the thing owned, as two mentions."""
    at = possessive_inside(span)
    assert at is not None
    doc = span.doc
    owner, owned = doc[span.start:at], doc[at + 1:span.end]
    found: list[Mention] = []
    method = f"model:{model}+possessive"
    if owner.text[:1].isupper() and len(owner) <= 3 and acceptable(owner.text):
        found.append(Mention(start=offset + owner.start_char, end=offset + owner.end_char, surface=owner.text,
                             name=_normal(owner.text), type="person", method=method,
                             confidence=MODEL_CONFIDENCE - 0.1))
    if acceptable(owned.text):
        found.append(Mention(start=offset + owned.start_char, end=offset + owned.end_char, surface=owned.text,
                             name=_normal(owned.text), type=entity_type, method=method,
                             confidence=MODEL_CONFIDENCE - 0.1))
    return found


def credit_line(surface: str, start: int, entity_type: EntityType, model: str) -> list[Mention]:
    """A photo credit the model read as one name, "Jo Lane/Acme Photo/City Press": the
    photographer (a person when the first part is a full name) and the agencies (organisations)."""
    found: list[Mention] = []
    at = 0
    for i, part in enumerate(surface.split("/")):
        stripped = part.strip()
        begin = start + at + (len(part) - len(part.lstrip()))
        at += len(part) + 1
        if not acceptable(stripped):
            continue
        words = stripped.split()
        if i == 0:
            kind: EntityType = "person" if 2 <= len(words) <= 3 and all(w[0].isupper() for w in words) \
                else entity_type
        else:
            kind = "organization"
        found.append(Mention(start=begin, end=begin + len(stripped), surface=stripped, name=_normal(stripped),
                             type=kind, method=f"model:{model}+credit-line", confidence=MODEL_CONFIDENCE - 0.1))
    return found


ORGANIZATION_HEADS = frozenset("""
Commission Council Committee Centre Center University College Institute Academy School Department Ministry
Agency Bank Company Corporation Corp Inc Ltd LLC Group Association Party Records Games Studios Media News
Times Post Journal Club Foundation Board Court Police Army Navy Hospital Network Administration Service
Services Union Federation Alliance Organization Organisation Society Trust Fund Bureau Office Authority
Assembly Parliament Senate Congress Cabinet Government Agency Industries Technologies Labs Laboratory
""".split())
PLACE_HEADS = frozenset("""
City County Mountains Mountain Hall Square Street Avenue Road Island Islands River Lake Valley Park Bridge
Station Airport Plaza Peninsula Desert Sea Ocean Bay Coast Province Region District State Republic Capitol
""".split())
#: Buildings, grounds, roads and realms: a name ending so is a place even when the model read an organisation ("the
#: Harbour Art Museum", "Riverside Stadium"); the words in FACILITY_NOT_SURNAMES also after a one-word
#: name the model read as a person ("Eastgate Cemetery").
FACILITY_HEADS = frozenset("""
Museum Stadium Cemetery Cathedral Chapel Mosque Temple Synagogue Basilica Abbey Palace Castle Fortress
Tower Theatre Theater Arena Airport Bridge Monument Memorial Square Gardens Zoo Beach Station Hotel
Road Street Avenue Boulevard Highway Expressway Turnpike Terrace Empire Kingdom
""".split())  # not "Church": "the Catholic Church" is an organisation
FACILITY_NOT_SURNAMES = frozenset("Museum Stadium Cemetery Cathedral Mosque Basilica Airport Monument Arena Zoo "
                                  "Station Synagogue".split())
#: First words that make a place of what follows ("County Ardmore", "Mount Kerrow", "Lake Ardmore").
PLACE_PREFIXES = frozenset("County Mount Lake Fort Cape Isle".split())
_CAMEL = re.compile(r"^(?!Mc|Mac|De|Le|La|Di|Van|O')[A-Z]?[a-z]+[A-Z]")


def retype(mention: Mention, full_names: Collection[str]) -> Mention:
    """Correct the model's type from the name itself: its head word ("… Harbour Commission" is an
    organisation, "Symphony Hall" a place), its shape ("DataWorks" is not a person) or the gazetteer."""
    words = mention.name.split()
    kind, why = mention.type, ""
    # "Anna Hall", "Tom Post": a two-word person name may end in such a word
    headed = len(words) > 2 or (len(words) == 2 and mention.type != "person")
    if len(words) >= 2 and words[-1] in FACILITY_HEADS and (headed or words[-1] in FACILITY_NOT_SURNAMES):
        kind, why = "place", "+name-head"
    elif headed and words[-1] in ORGANIZATION_HEADS:
        kind, why = "organization", "+name-head"
    elif (len(words) >= 2 and words[0] in PLACE_PREFIXES  # "County Ardmore"; "Cape Harbour Institute" is not one
          or headed and words[-1] in PLACE_HEADS and mention.type != "organization"):
        kind, why = "place", "+name-head"
    elif mention.type == "person" and len(words) == 1 and _CAMEL.match(mention.name):
        kind, why = "organization", "+name-shape"
    elif mention.type != "place" and mention.name not in full_names and gazetteer.is_place(mention.name):
        kind, why = "place", "+gazetteer"
    if kind == mention.type:
        return mention
    return mention.model_copy(update={"type": kind, "method": mention.method + why})


_INITIALS = re.compile(r"(?:[A-Z]\.?\s?){1,3}")


#: What a short form adds to its mention's confidence (at most ``SHORT_FORM_MOST``): a surname or
#: initials matching the one full name of the document was right 94 % of the time on the texts the
#: value was set on, 83-100 % on those held out (docs/quality.md, reliability).
SHORT_FORM_GAIN = 0.15
SHORT_FORM_MOST = 0.9


def _short_form_of(mention: Mention, full_name: str) -> Mention:
    """The mention as one of ``full_name``, a person, the step recorded in its method."""
    confidence = round(min(SHORT_FORM_MOST, max(mention.confidence, mention.confidence + SHORT_FORM_GAIN)), 2)
    return mention.model_copy(update={"name": full_name, "type": "person", "method": f"{mention.method}+short-form",
                                      "confidence": confidence})


def merge_short_forms(mentions: list[Mention]) -> list[Mention]:
    """Within a document, give each name one entity and one type.

    A surname-only or partial mention ("Dufresne" after "Anneli Dufresne"), or initials with the surname
    ("A. Dufresne"), becomes a mention of the unique full name it fits, whatever type the model gave it,
    with ``+short-form`` added to its method; a short form that fits two different full names is left
    as it is. Then every name takes the type most of its mentions have (authority
    mentions decide outright), so one person is not also catalogued as an organisation or a place.
    """
    full_names = {m.name for m in mentions if m.type == "person" and len(m.name.split()) > 1}
    by_last: dict[str, list[str]] = {}
    by_first: dict[str, list[str]] = {}
    for name in sorted(full_names):
        by_last.setdefault(name.split()[-1].lower(), []).append(name)
        by_first.setdefault(name.split()[0].lower(), []).append(name)
    merged: list[Mention] = []
    for mention in mentions:
        words = mention.name.split()
        if mention.method not in ("authority", "curated") and len(words) == 1:
            word = words[0].lower()
            candidates = by_last.get(word, [])
            if not candidates and mention.type == "person":
                # a first name alone ("Sam" in a conversation with Sam Carter)
                candidates = by_first.get(word, [])
            if len(candidates) == 1:
                mention = _short_form_of(mention, candidates[0])
        elif mention.method not in ("authority", "curated") and len(words) > 1 and _INITIALS.fullmatch(
                " ".join(words[:-1])):
            # initials and a surname ("J. Doe", "J.R. Doe") of the one full name they fit ("Jane Doe")
            fits = [n for n in by_last.get(words[-1].lower(), [])
                    if not _INITIALS.fullmatch(" ".join(n.split()[:-1])) and n[0].lower() == words[0][0].lower()]
            if len(fits) == 1:
                mention = _short_form_of(mention, fits[0])
        if mention.method.startswith("model:"):
            mention = retype(mention, full_names)
        merged.append(mention)
    votes: dict[str, dict[str, float]] = {}
    for mention in merged:
        weight = 100.0 if mention.method in ("authority", "curated") else 1.0
        tally = votes.setdefault(_normal(mention.name).casefold(), {})
        tally[mention.type] = tally.get(mention.type, 0.0) + weight
    preference = {"person": 0.2, "organization": 0.1, "place": 0.0}
    chosen = {key: max(tally, key=lambda t: (tally[t] + preference[t])) for key, tally in votes.items()}
    return [m if chosen[_normal(m.name).casefold()] == m.type
            else m.model_copy(update={"type": chosen[_normal(m.name).casefold()]}) for m in merged]
