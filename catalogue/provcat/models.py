"""Pydantic models shared by every stage of the catalogue.

Two families live here:

* the records the pipeline produces (a read document, a type decision, mentions, quotes), which are
  what the catalogue database stores, and
* the curated metadata an archivist writes in YAML (the collection description, authority records
  and one sidecar per document), validated strictly so that a typo is reported, not ignored.

Offsets are always 0-based character offsets into the stored document text, end exclusive.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

EntityType = Literal["person", "organization", "place"]
DocumentType = Literal["article", "transcript"]
QuoteKind = Literal["direct", "indirect", "turn"]

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """A stable, URL-safe identifier for a name in any script, transliterated to ASCII
    ("St John’s College" -> "st-johns-college", "Łódź" -> "lodz", "Владимир" -> "vladimir");
    "entity" when nothing of it can be written in ASCII."""
    from anyascii import anyascii

    folded = anyascii(name.replace("\u2019", "'")).lower().replace("'", "")
    slug = _SLUG_DROP.sub("-", folded).strip("-")
    return slug or "entity"


class Assertion(BaseModel):
    """What every machine or curated statement about a document carries: where and how."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0, description="0-based character offset into documents.text")
    end: int = Field(ge=0, description="end offset, exclusive")
    method: str = Field(description="how the assertion was made: curated, authority, model or a rule name")
    confidence: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Assertion:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class Mention(Assertion):
    """A span of text that names an entity."""

    surface: str
    name: str = Field(description="canonical name of the entity the span refers to")
    type: EntityType


class Quote(Assertion):
    """Speech or a statement the text credits to a source (or a transcript turn)."""

    text: str
    speaker: str | None = Field(description="the source as attributed; canonical name when resolved")
    speaker_name: str | None = Field(
        default=None, description="canonical entity name when the speaker is a named entity"
    )
    speaker_type: EntityType | None = None
    cue: str | None = Field(default=None, description="the words that attribute the quote")
    cue_start: int | None = None
    cue_end: int | None = None
    kind: QuoteKind


class Segment(BaseModel):
    """A timed stretch of a caption file (a SubRip or WebVTT cue)."""

    model_config = ConfigDict(frozen=True)

    index: int
    start: int
    end: int
    begins: str = Field(description="cue start time as written, e.g. 00:01:02,500")
    ends: str


class Region(BaseModel):
    """A stretch of the stored text and where it came from in the source file: a paragraph or
    heading of a web page or word-processing file, a page of a PDF, the headers or body of an
    e-mail message. A coarse map back to the original, which is kept whole."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: str = Field(description="heading, paragraph, list, table, quote, page, headers, body")
    locator: str = Field(description="where it is in the source, e.g. 'page 3', 'paragraph 12'")


class Voice(BaseModel):
    """Speech a file itself credits to a speaker (a WebVTT voice, a transcript segment's speaker, an
    e-mail's sender): a turn with the offsets of the words that name the speaker."""

    model_config = ConfigDict(frozen=True)

    speaker: str
    named: bool = Field(description="whether the label is a person's name (not 'SPEAKER_01')")
    label_start: int = Field(ge=0)
    label_end: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    method: str


class EmbeddedFact(BaseModel):
    """A fact of the description a file's own metadata gives (a page's JSON-LD, a PDF's document
    information, a word-processing file's core properties, an e-mail's headers), or that was
    measured from its text (its language)."""

    model_config = ConfigDict(frozen=True)

    field: str = Field(description="title, creator, date, publisher, source_url, language or identifier")
    value: str
    source: str = Field(description="embedded metadata, or extracted")
    method: str = Field(description="where exactly: e.g. 'html:json-ld datePublished', 'pdf:Info Title'")
    confidence: float = Field(ge=0.0, le=1.0)
    precision: str | None = Field(default=None, description="a date's precision: year, month, day, minute, second")


class ReadDocument(BaseModel):
    """A document decoded for cataloguing: the stored text and how it was obtained.

    For a plain-text or caption file the stored text is the decoded file; for any other format it
    is the text a reader extracted (``extracted_by`` names the reader and its library's version,
    ``extraction_options`` how it was asked), with ``regions`` mapping it back to the source."""

    text: str
    encoding: str | None = Field(description="the character encoding decoded; None for a binary format")
    media_type: str
    normalisation: list[str] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    extracted_by: str | None = None
    extraction_options: str | None = None
    regions: list[Region] = Field(default_factory=list)
    voices: list[Voice] = Field(default_factory=list)
    embedded: list[EmbeddedFact] = Field(default_factory=list)


class TypeDecision(BaseModel):
    type: DocumentType
    confidence: float = Field(ge=0.0, le=1.0)
    method: str
    features: dict[str, float] = Field(default_factory=dict)


class Extraction(BaseModel):
    mentions: list[Mention] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    refused: str | None = Field(default=None, description="why no machine assertions were kept, if so")


# --------------------------------------------------------------------------------------------
# Curated metadata (YAML), validated strictly: unknown fields are errors.
# --------------------------------------------------------------------------------------------

_WEB_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def is_web_url(value: object) -> bool:
    """Whether ``value`` is an http:// or https:// address: the only kind the published catalogue
    links to (``javascript:``, ``data:`` and the like would run or show something when clicked)."""
    return isinstance(value, str) and _WEB_URL.fullmatch(value.strip()) is not None


def _web_url(value: str) -> str:
    if not is_web_url(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


#: A URL the catalogue shows as a link: http(s) only.
WebUrl = Annotated[str, AfterValidator(_web_url), Field(description="an http:// or https:// URL")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Collection(Strict):
    """metadata/collection.yml: what the collection is and who looks after it."""

    title: str
    description: str
    rights: str = Field(description="licence or rights statement for the catalogue")
    licence_url: WebUrl | None = None
    curator: str
    source: str | None = Field(default=None, description="where the documents came from")
    source_url: WebUrl | None = None
    organization: str | None = Field(default=None, description="the organisation holding the archive")


#: The shape of each identifier an authority record can carry besides Wikidata.
IDENTIFIER_PATTERNS = {"viaf": r"^[0-9]{1,22}$", "lcnaf": r"^n[abors]?[0-9]{6,10}$", "geonames": r"^[0-9]{1,10}$"}


class Authority(Strict):
    """One authority record: the canonical form of a person, organisation or place."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    wikidata: str | None = Field(default=None, pattern=r"^Q[0-9]+$", description="Wikidata item, e.g. Q42")
    viaf: str | None = Field(default=None, pattern=IDENTIFIER_PATTERNS["viaf"],
                             description="VIAF cluster id, e.g. 113230702")
    lcnaf: str | None = Field(default=None, pattern=IDENTIFIER_PATTERNS["lcnaf"],
                              description="Library of Congress Name Authority File id, e.g. n80126307")
    geonames: str | None = Field(default=None, pattern=IDENTIFIER_PATTERNS["geonames"],
                                 description="GeoNames id, e.g. 2643743")
    note: str | None = None

    @field_validator("aliases")
    @classmethod
    def _no_blank_alias(cls, aliases: list[str]) -> list[str]:
        if any(not a.strip() for a in aliases):
            raise ValueError("an alias is empty")
        return aliases


class AuthorityFile(Strict):
    """metadata/authorities.yml."""

    entities: list[Authority] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> AuthorityFile:
        seen: set[str] = set()
        for record in self.entities:
            if record.id in seen:
                raise ValueError(f"duplicate authority id '{record.id}'")
            seen.add(record.id)
        return self


class CuratedSpeaker(Strict):
    """A speaker the curator asserts, anchored to the text that is attributed to them."""

    name: str = Field(description="the speaker as the catalogue should show them")
    entity: str | None = Field(default=None, description="authority id when the speaker is a known entity")
    quote: str = Field(description="the quoted or reported words, exactly as in the document")
    cue: str | None = Field(default=None, description="the attributing words, exactly as in the document")
    kind: QuoteKind = "direct"
    occurrence: int = Field(default=1, ge=1, description="which occurrence of the quote text is meant")


class CuratedEntity(Strict):
    """An entity the curator asserts the document cites, at every place a surface form occurs."""

    entity: str = Field(description="authority id")
    surfaces: list[str] = Field(min_length=1, description="the forms as they appear in the text")


class Rejections(Strict):
    """Machine assertions the curator has found wrong."""

    entities: list[str] = Field(default_factory=list, description="entity names, ids or surface forms")
    speakers: list[str] = Field(default_factory=list, description="speaker labels or entity ids")


class Sidecar(Strict):
    """metadata/documents/<document id>.yml: the curated description of one document."""

    document: str = Field(description="path of the document relative to the archive root")
    title: str | None = None
    type: DocumentType | None = None
    publisher: str | None = None
    date: str | None = Field(default=None, description="date as the document states it (ISO 8601 if known)")
    source_url: WebUrl | None = None
    language: str | None = None
    note: str | None = None
    speakers: list[CuratedSpeaker] = Field(default_factory=list)
    entities: list[CuratedEntity] = Field(default_factory=list)
    reject: Rejections = Field(default_factory=Rejections)


# --------------------------------------------------------------------------- authority control


class EntityRef(Strict):
    """An entity as the catalogue names it: its canonical name (case and spacing ignored) and, when
    the name stands for more than one kind of thing, its type."""

    name: str = Field(min_length=1)
    type: EntityType | None = Field(default=None, description="omitted: whatever type it was given")


class _Action(Strict):
    by: str = Field(min_length=1, description="who decided")
    date: datetime.date = Field(description="when (YYYY-MM-DD)")
    why: str = Field(min_length=1, description="the evidence or reason, for the next curator")


class MergeAction(_Action):
    """These are one: every listed entity becomes the first (its name and type)."""

    action: Literal["merge"]
    entities: list[EntityRef] = Field(min_length=2)


class SplitAction(_Action):
    """Not the same as: in the listed documents, the entity so named is another one, ``name``."""

    action: Literal["split"]
    entity: EntityRef
    documents: list[str] = Field(min_length=1, description="document paths relative to the archive root")
    name: str = Field(min_length=1, description="the name of the other entity")
    type: EntityType | None = Field(default=None, description="its type, when not the entity's own")


class RenameAction(_Action):
    """The entity's canonical name becomes ``name``; the old one is kept as an alias."""

    action: Literal["rename"]
    entity: EntityRef
    name: str = Field(min_length=1)


class RetypeAction(_Action):
    """The entity is a ``type``, not what the machine said."""

    action: Literal["retype"]
    entity: EntityRef
    type: EntityType


class RejectAction(_Action):
    """Not an entity at all: its mentions are dropped everywhere, or only in the listed documents."""

    action: Literal["reject"]
    entity: EntityRef
    documents: list[str] = Field(default_factory=list, description="omitted: in every document")


class ConfirmAction(_Action):
    """A curator has checked the entity: right name, right type; it leaves the review queue."""

    action: Literal["confirm"]
    entity: EntityRef


CurationAction = Annotated[MergeAction | SplitAction | RenameAction | RetypeAction | RejectAction | ConfirmAction,
                           Field(discriminator="action")]


class CurationFile(Strict):
    """metadata/curation.yml: decisions about entities across the whole collection, in order."""

    actions: list[CurationAction] = Field(default_factory=list)
