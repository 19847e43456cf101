"""Methods: what each ``method`` recorded with an assertion means, in words.

Every assertion in the catalogue — a document's type, a fact of its description, an entity
mention, a quote and its speaker — names the method that made it: ``curated`` (a person, in a
sidecar), ``authority`` (the collection's authority file), ``model:<pipeline>`` (spaCy's
statistical model) or ``rule:<name>`` (one of provcat's rules), followed by ``+<step>`` for each
further step that changed it (``rule:quote-cue+pronoun``: a quotation with a reporting verb whose
subject was a pronoun, resolved to an earlier person). This module is the glossary the site shows
and :func:`explain` reads a recorded method back into its parts.

Confidence is fixed for each method (for a document's type, worked out from the features that
decided it), ordered by how often that method was right on the development documents: it ranks
methods, it is not a probability.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What a confidence value is, for every assertion.
CONFIDENCE_MEANING = (
    "Confidence is fixed for each method, in the order of how often that method was right when tested "
    "on development documents (1.0 for a person's assertion). It ranks methods; it is not a probability."
)


@dataclass(frozen=True, slots=True)
class Method:
    """One entry of the glossary: a method or a step that modifies it."""

    name: str  # as recorded: "rule:quote-cue", "model", "+pronoun"
    label: str  # a few words
    sentence: str  # what it does, in one sentence
    asserts: tuple[str, ...]  # what it makes: "quotes", "mentions", "type", "description"
    confidence: str  # the confidence it gives, in words

    @property
    def anchor(self) -> str:
        """The id of its entry on the glossary page."""
        if self.name.startswith("+"):
            return "step-" + self.name[1:]
        return "method-" + "".join(c if c.isalnum() else "-" for c in self.name)


def _m(name: str, label: str, sentence: str, asserts: tuple[str, ...], confidence: str) -> Method:
    return Method(name, label, sentence, asserts, confidence)


QUOTES, MENTIONS, TYPE, DESCRIPTION = ("quotes",), ("mentions",), ("type",), ("description",)

#: The methods an assertion can name, by what comes before any ``+``.
METHODS: dict[str, Method] = {m.name: m for m in (
    _m("curated", "a curator's assertion",
       "Written by a person in the document's sidecar file in the metadata folder; it replaces what "
       "the machine found there.", QUOTES + MENTIONS + TYPE + DESCRIPTION, "1.0"),
    _m("authority", "the authority file",
       "The text has the name or an alias of a record in the collection's authority file "
       "(authorities.yml), matched word for word.", MENTIONS, "0.95"),
    _m("model", "spaCy's statistical model",
       "spaCy's statistical named-entity recogniser (the pipeline named after model:) read the span as "
       "a person, organisation or place.", MENTIONS, "0.75"),
    _m("reader:webvtt-voice", "a WebVTT voice",
       "The caption file itself names the cue's speaker (a <v Name> voice tag); the cue's words are "
       "that speaker's turn, and the tag's name names them.", QUOTES + MENTIONS, "0.95"),
    _m("reader:transcript-speaker", "a speaker in transcript JSON",
       "The speech-recognition transcript names the speaker of its segments (after diarization); each "
       "run of one speaker's segments is their turn. Labels such as SPEAKER_00 stay anonymous.",
       QUOTES + MENTIONS, "0.95"),
    _m("reader:timestamped-speaker", "a speaker line of a timestamped transcript",
       "A line of the transcript gives a speaker's name and a time code (as Otter writes them); the "
       "words under it are that speaker's turn.", QUOTES + MENTIONS, "0.95"),
    _m("reader:message-sender", "an e-mail's sender",
       "The message's From header names who wrote it; the body's own words, up to a quoted earlier "
       "message, are credited to the sender.", QUOTES + MENTIONS, "0.95"),
    _m("rule:turn-label", "a labelled transcript turn",
       "A transcript line opens with a speaker label (\"NAME:\", \"**Name:**\", \"Q:\"); the words up "
       "to the next label are that speaker's turn, and the label names them.", QUOTES + MENTIONS, "0.95"),
    _m("rule:quote-cue", "a quotation with its reporting verb",
       "Words in quotation marks next to a reporting verb (\"said\", \"told\", \"added\") whose subject "
       "is the speaker.", QUOTES, "0.9"),
    _m("rule:continuation", "a quotation continuing a speaker",
       "A quotation with no reporting verb of its own, credited to the speaker quoted just before it "
       "(a quotation running on into the next paragraph).", QUOTES, "0.6"),
    _m("rule:quote-unattributed", "a quotation without a source",
       "Words in quotation marks with no reporting verb and no neighbouring attributed quotation; the "
       "speaker is left empty, never guessed.", QUOTES, "0.2"),
    _m("rule:reported-speech", "reported speech",
       "A reporting verb followed by what was said in the speaker's words reported (\"X said that …\"): "
       "indirect speech.", QUOTES, "0.7"),
    _m("rule:speech-act", "a statement by its verb",
       "A verb that is a statement in itself (\"condemned\", \"criticised\", \"announced\") with its "
       "subject as the speaker.", QUOTES, "0.7"),
    _m("rule:according-to", "\"according to\"",
       "A statement the text credits with \"according to X\".", QUOTES, "0.7"),
    _m("rule:self-introduction", "a speaker introducing themself",
       "In a recording, a speaker names themself (\"my name is …\", \"I'm … from …\"); what follows is "
       "credited to that name.", QUOTES + MENTIONS, "0.8"),
    _m("rule:introduced", "a speaker introduced by another",
       "The words after a hand-over (\"please welcome …\", \"over to …\") are credited to the person "
       "introduced.", QUOTES + MENTIONS, "0.5"),
    _m("rule:speaker-name", "a speaker's name",
       "The subject of a reporting verb is a capitalised name the statistical model did not mark; it "
       "is catalogued as a person.", MENTIONS, "0.7"),
    _m("rule:cue-file", "a cue file",
       "The file is a subtitle or caption file (SubRip or WebVTT), speech-recognition JSON or a text "
       "transcript read into timed cues: a transcript.", TYPE, "0.99"),
    _m("rule:speaker-labels", "speaker-labelled turns",
       "Several lines open with speaker labels, some repeated: a transcript.", TYPE,
       "0.8 and more with the number of labelled turns, at most 0.97"),
    _m("rule:timestamped-lines", "timestamped lines",
       "At least a fifth of the lines open with a timestamp: a transcript.", TYPE,
       "0.75 and more with the share of timestamped lines, at most 0.97"),
    _m("rule:unpunctuated-captions", "unpunctuated captions",
       "Many words with almost no sentence ends, as automatic captions are written: a transcript.", TYPE,
       "0.95 with under one sentence end in 100 words, 0.8 with fewer than 2.5"),
    _m("rule:spoken-register", "the spoken register",
       "Markers of speech (\"[applause]\", \"um\", \"you know\", \"welcome back\") and almost no quotation "
       "marks: a transcript.", TYPE, "0.6"),
    _m("model:spoken-register", "the spoken-register model",
       "No labels, timestamps or caption shape, but the words read as speech written down: hesitations "
       "(\"um\", \"yeah\"), discourse markers (\"you know\", \"I mean\"), sentences opened with "
       "\"So\" or \"Well\", the speakers' \"we\", few reporting verbs — weighed by a logistic model "
       "trained on openly licensed annotated text (docs/quality.md): a transcript.", TYPE,
       "the model's probability, at least 0.8"),
    _m("rule:prose", "written prose",
       "None of the signs of a transcript: an article.", TYPE,
       "0.9 with at least four sentence ends in 100 words, 0.7 with fewer, 0.5 under 40 words"),
    _m("rule:front-matter", "the front matter",
       "A field of the YAML front matter at the top of the file (rule:front-matter:<field>).",
       DESCRIPTION, "0.95"),
    _m("rule:markdown-heading", "a Markdown heading",
       "The first line with words is a Markdown heading (\"# …\").", DESCRIPTION, "0.9"),
    _m("rule:headline", "the first line",
       "The first line with words reads as a headline: short, capitalised, without a sentence end.",
       DESCRIPTION, "0.8 when a blank line follows it, 0.7 otherwise"),
    _m("rule:devised-opening-words", "a devised title",
       "No title was found, so one is devised from the kind of document and its opening words, in "
       "square brackets as archival description marks it.", DESCRIPTION, "1.0 (it says what it is)"),
    _m("rule:devised", "a devised title",
       "No title was found and the document has no words; the title says so, in square brackets.",
       DESCRIPTION, "1.0 (it says what it is)"),
)}

#: The steps a method can be followed by (``+<step>``).
STEPS: dict[str, Method] = {m.name: m for m in (
    _m("+pronoun", "the speaker resolved from a pronoun",
       "The reporting verb's subject was a pronoun (\"he\", \"she\", \"they\"); the speaker is the "
       "nearest earlier person or speaker it can refer to.", QUOTES, "0.65"),
    _m("+description", "the speaker resolved from a description",
       "The reporting verb's subject was a description (\"the ministry\", \"the official\"); the speaker "
       "is the nearest earlier source it describes.", QUOTES, "0.65"),
    _m("+unresolved", "the speaker not resolved",
       "The reporting verb's subject was a pronoun or description that refers to no earlier source; the "
       "speaker is left empty, never guessed.", QUOTES, "0.2"),
    _m("+possessive", "a possessive split",
       "The model read \"X's Y\" as one name; it is split into the owner and the thing owned.", MENTIONS,
       "0.65"),
    _m("+credit-line", "a credit line split",
       "The model read a photo credit (\"Name/Agency/Paper\") as one name; it is split into the "
       "photographer and the agencies.", MENTIONS, "0.65"),
    _m("+name-head", "the type corrected from the last word",
       "The type was corrected from the name's last word (\"… Commission\" is an organisation, "
       "\"… Hall\" a place).", MENTIONS, "as the method before it"),
    _m("+name-shape", "the type corrected from the name's shape",
       "A one-word \"person\" written like a brand (\"DataWorks\") was corrected to an organisation.",
       MENTIONS, "as the method before it"),
    _m("+gazetteer", "the type corrected by the gazetteer",
       "The name is a place in provcat's list of places, so its type was corrected to place.", MENTIONS,
       "as the method before it"),
    _m("+short-form", "a short form of a full name",
       "A surname, a first name or initials with a surname (\"Doe\", \"J. Doe\") in a document that "
       "names one person so (\"Jane Doe\"): the mention is of that person.", MENTIONS,
       "the method before it plus 0.15, at most 0.9"),
    _m("+recased", "read from a recased copy",
       "The text was all lower case or all capitals (automatic captions); the model read a copy with "
       "capitals given to likely names, and the offsets and surface are the document's own.", MENTIONS,
       "0.55"),
)}


@dataclass(frozen=True, slots=True)
class Explanation:
    """A recorded method read back into the glossary's entries."""

    method: str  # as recorded
    base: Method | None  # None when the glossary does not know it
    detail: str | None  # the model's pipeline ("model:<pipeline>"), the front-matter field
    steps: tuple[Method, ...]
    unknown: tuple[str, ...]  # parts the glossary does not know

    @property
    def known(self) -> bool:
        return self.base is not None and not self.unknown

    @property
    def sentence(self) -> str:
        """What made the assertion, in a sentence or two."""
        if self.base is None:
            return f"The method {self.method!r} is not described in this version of provcat."
        parts = [self.base.sentence]
        if self.detail and self.base.name == "model":
            parts[0] = parts[0].replace("(the pipeline named after model:)", f"(the pipeline {self.detail})")
        parts += [step.sentence for step in self.steps]
        return " ".join(parts)


def explain(method: str | None) -> Explanation:
    """``method`` as the glossary reads it: ``rule:quote-cue+pronoun`` is the rule
    ``rule:quote-cue`` followed by the step ``+pronoun``; ``model:<pipeline>+recased`` is the
    statistical model named, read from a recased copy."""
    recorded = method or ""
    head, *rest = recorded.split("+")
    detail: str | None = None
    base = METHODS.get(head)
    if base is None and head.startswith("model:") and len(head) > len("model:"):
        base, detail = METHODS["model"], head[len("model:"):]
    elif base is None and head.startswith("rule:front-matter:"):
        base, detail = METHODS["rule:front-matter"], head[len("rule:front-matter:"):]
    steps = tuple(STEPS[f"+{part}"] for part in rest if f"+{part}" in STEPS)
    unknown = tuple(f"+{part}" for part in rest if f"+{part}" not in STEPS)
    return Explanation(recorded, base, detail, steps, unknown)
