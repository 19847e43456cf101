"""Speakers: who the text credits with speech, as a layered attribution sieve.

Layers, most precise first, each naming itself in ``method``:

1. ``rule:turn-label``     labelled transcript turns ("NAME:", "**Name:**", "Q")
2. ``rule:quote-cue``      a quotation with an adjacent reporting verb whose subject is the speaker
                           ("“…,” X said", "said X", "X said: “…”")
3. ``rule:continuation``   a quotation paragraph with no cue that continues the previous speaker's
4. ``rule:reported-speech`` reported speech: a reporting verb with a clausal complement
                           ("X said that …"), and "according to X"

A pronoun subject is resolved to the nearest earlier person-like subject or speaker
(``…+pronoun``, lower confidence). When nothing can be resolved, the quote is kept with no speaker
and a low confidence: a source is never invented.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from ..models import Mention, Quote
from .entities import TITLES
from .lookup import MentionIndex

REPORTING_VERBS = frozenset("""
say tell speak state add explain note claim argue insist announce report recount warn write ask reply respond
answer suggest confirm deny admit acknowledge agree declare comment remark stress emphasise emphasize maintain
allege testify tweet post complain recall contend assert conclude urge concede brand describe caution estimate
indicate reveal disclose predict vow pledge promise observe mention continue quip joke
""".split())
NOT_SPEECH = frozenset(["fear", "wonder", "believe", "expect", "think", "hope", "feel", "want", "know"])
PRONOUNS = frozenset("""
he she they it i we you him her them this that who
""".split())
PERSON_NOUNS = frozenset("""
defector official spokesman spokeswoman spokesperson minister director professor man woman member recruit
source analyst expert resident witness officer leader president chief secretary senator lawyer researcher
scientist economist author editor reporter correspondent commander soldier fighter militant activist
diplomat ambassador governor mayor chairman chairwoman chair founder executive manager owner teacher student
doctor nurse policeman investigator prosecutor judge critic supporter opponent voter worker employee person
people victim survivor father mother son daughter wife husband friend neighbour neighbor administrator
epidemiologist broker host presenter engineer agent commissioner planner staff aide adviser advisor negotiator
representative delegate lawmaker legislator politician candidate councillor councilor insider observer
protester protestor demonstrator organizer organiser participant attendee customer client user fan parent
child villager farmer merchant trader investor banker ceo historian scholar academic trooper firefighter
medic paramedic rescuer relative family brother sister boy girl citizen chancellor premier king
queen prince general colonel captain sergeant pilot driver passenger patient physician surgeon psychologist
consultant strategist pollster commentator columnist journalist producer narrator interviewer moderator
""".split())
INSTITUTION_NOUNS = frozenset("""
ministry statement report government department agency company firm office council committee commission
cabinet police army military court institute university group organization organisation administration
parliament congress senate union association board panel team hospital bank newspaper network channel
outlet study survey poll authority authorities campaign party coalition alliance federation embassy
""".split())
#: Singular nouns for groups: "they", not "he" or "she", refers back to them.
COLLECTIVE_NOUNS = frozenset("staff team family police crew government company council committee panel".split())
#: Verbs that are statements in themselves, without a "that" clause: "X condemned the attack".
SPEECH_ACTS = frozenset("""
criticise criticize condemn accuse praise denounce deny announce urge demand appeal warn pledge vow promise
apologise apologize reject dismiss blame speak express
""".split())
FIRST_AND_SECOND_PERSON = frozenset("i me we us you".split())
STATEMENT_NOUNS = frozenset("statement report release communique announcement document".split())
#: Verbs that attribute a direct quotation though they would not report speech on their own.
QUOTE_ONLY_VERBS = frozenset("wonder muse laugh recall sigh reflect exclaim shout write".split())
HYPOTHETICAL_AUX = frozenset(["will", "would", "could", "might", "may", "should", "shall"])

#: An unattributed quotation shorter than this is taken for a scare quote ("so-called “experts”").
MIN_UNATTRIBUTED_WORDS = 6
DIRECT_CONFIDENCE = 0.9
SPEAKER_NAME_CONFIDENCE = 0.7
PRONOUN_CONFIDENCE = 0.65
CONTINUATION_CONFIDENCE = 0.6
REPORTED_CONFIDENCE = 0.7
UNRESOLVED_CONFIDENCE = 0.2

_OPEN = "\u201c\u00ab"
_CLOSE = "\u201d\u00bb"


# ---------------------------------------------------------------------------------------------
# Quotation marks
# ---------------------------------------------------------------------------------------------


def quotation_spans(view: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of the words inside double quotation marks, paragraph by paragraph.

    Curly and straight marks are both read. A quotation left open runs to the end of its paragraph
    (``closed`` is False): news style reopens a quote in the next paragraph without closing it.
    """
    spans: list[tuple[int, int, bool]] = []
    for para in re.finditer(r"[^\n]+", view):
        open_at: int | None = None
        base = para.start()
        body = para.group(0)
        for i, ch in enumerate(body):
            if ch not in _OPEN and ch not in _CLOSE and ch != '"':
                continue
            if ch == '"':
                before = body[i - 1] if i else " "
                is_open = open_at is None and (before.isspace() or before in "([{\u2014-:,;")
                is_close = open_at is not None
            else:
                is_open, is_close = ch in _OPEN and open_at is None, ch in _CLOSE and open_at is not None
            if is_open:
                open_at = i + 1
            elif is_close and open_at is not None:
                if i > open_at:
                    spans.append((base + open_at, base + i, True))
                open_at = None
        if open_at is not None and len(body) > open_at:
            end = len(body.rstrip())
            if end > open_at:
                spans.append((base + open_at, base + end, False))
    return spans


# ---------------------------------------------------------------------------------------------
# Speakers from the parse
# ---------------------------------------------------------------------------------------------


@dataclass
class Source:
    """Who a quote is credited to, before it becomes a Quote."""

    label: str | None
    start: int
    end: int
    entity: Mention | None
    pronoun: bool
    plural: bool
    phrase: str = ""  # the subject phrase as written ("A Health Ministry statement")
    head: str = ""  # lemma of the subject's head noun ("witness" in "One of the witnesses")


def is_reporting_verb(token: Token, quotation: bool = False, acts: bool = False) -> bool:
    """A verb that reports speech here (not negated, not hypothetical). ``quotation`` admits verbs that
    only attribute a quotation ("wonders"); ``acts`` admits statements without a clause ("condemned")."""
    lemma = token.lemma_.lower()
    if token.pos_ not in ("VERB", "AUX") or not (
            lemma in REPORTING_VERBS or (quotation and lemma in QUOTE_ONLY_VERBS) or (acts and lemma in SPEECH_ACTS)):
        return False
    if any(child.dep_ == "neg" for child in token.children):
        return False
    if any(child.dep_ == "aux" and child.lower_ in HYPOTHETICAL_AUX for child in token.children):
        return False
    head = token.head
    return not (token.dep_ == "xcomp" and head.lemma_ in ("decline", "refuse"))


def subject_of(verb: Token) -> Token | None:
    """The subject of a verb, climbing through xcomp/conj chains ("was asked to say")."""
    token: Token | None = verb
    for _ in range(4):
        if token is None:
            return None
        subjects = [c for c in token.children
                    if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and token is not verb)]
        for child in token.children:
            if child.dep_ == "agent":  # "was told by X"
                subjects += [c for c in child.children if c.dep_ == "pobj"]
        if subjects:
            # two subjects means an apposition the parser split: the named one, then the nearest
            return min(subjects, key=lambda c: (c.ent_type_ not in ("PERSON", "ORG"), abs(c.i - verb.i)))
        if token.dep_ in ("xcomp", "conj", "advcl") and token.head is not token:
            token = token.head
        else:
            return None
    return None


def describe(subject: Token, offset: int, mentions: MentionIndex, found: Found | None = None) -> Source:
    """The speaker phrase a subject token stands for: an entity, a description or a pronoun.

    A capitalised name the entity model missed ("Mayor Ana Ruiz told reporters") becomes a person,
    added to ``found`` as a mention made by ``rule:speaker-name``."""
    if subject.lower_ in PRONOUNS or subject.pos_ == "PRON":
        plural = subject.lower_ in ("they", "them", "we")
        return Source(subject.text, offset + subject.idx, offset + subject.idx + len(subject), None, True, plural)
    # a named appositive wins over a description: "the director ..., Maria Lopez said"
    for child in subject.children:
        if child.dep_ == "appos":
            m = mentions.longest_overlapping(offset + child.idx, offset + child.idx + len(child))
            if m is not None and m.type == "person":
                return Source(m.name, m.start, m.end, m, False, False)
    m = mentions.longest_overlapping(offset + subject.idx, offset + subject.idx + len(subject))
    if m is not None:
        return Source(m.name, m.start, m.end, m, False, False)
    if subject.pos_ == "PROPN":
        # a surname the model did not tag here, of a person named in full elsewhere: "said Kerrow"
        people = mentions.people_named(subject.text)
        if len(people) == 1:
            person = next(iter(people.values()))
            return Source(person.name, offset + subject.idx, offset + subject.idx + len(subject), person,
                          False, False)
        named = speaker_name(subject, offset, found)
        if named is not None:
            return Source(named.name, named.start, named.end, named, False, False)
    if subject.lemma_.lower() in STATEMENT_NOUNS:
        # "A Health Ministry statement said": the institution behind the statement speaks
        for child in subject.children:
            if child.dep_ in ("compound", "poss"):
                m = mentions.longest_overlapping(offset + child.idx, offset + child.idx + len(child))
                if m is not None and m.type == "organization":
                    phrase = subject.doc[subject.left_edge.i:subject.i + 1].text.lower()
                    return Source(m.name, m.start, m.end, m, False, False, phrase)
    tokens = [subject]
    left = [t for t in subject.lefts if t.dep_ not in ("punct", "cc", "appos")]
    right: list[Token] = []
    for t in subject.rights:
        if t.dep_ in ("prep", "compound", "amod", "nummod") and t.i == (right[-1].right_edge.i + 1 if right
                                                                        else subject.i + 1):
            right.append(t)
        else:
            break
    start_tok = min([t.left_edge for t in left] + tokens, key=lambda t: t.i)
    end_tok = max([t.right_edge for t in right] + tokens, key=lambda t: t.i)
    span = subject.doc[start_tok.i:end_tok.i + 1]
    if len(span) > 10:
        span = subject.doc[subject.i:subject.i + 1]
    plural = subject.tag_ in ("NNS", "NNPS") or subject.lemma_.lower() in COLLECTIVE_NOUNS
    return Source(span.text, offset + span.start_char, offset + span.end_char, None, False, plural,
                  head=head_lemma(subject))


def speaker_name(subject: Token, offset: int, found: Found | None) -> Mention | None:
    """A person's name written as the subject, titles dropped: two or more capitalised words."""
    compounds = {t.i: t for t in subject.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"}
    names = [subject]
    while names[0].i - 1 in compounds:  # the words right before the subject, none between
        names.insert(0, compounds[names[0].i - 1])
    while names and names[0].lower_.rstrip(".") in {t.rstrip(".") for t in TITLES}:
        names = names[1:]
    if len(names) < 2 or not all(t.text[:1].isupper() and t.text.replace("-", "").isalpha() for t in names):
        return None
    # "the Ardmore Liberal", "Brackwater Radio Podcasts": descriptions and things, not names
    if any(c.dep_ == "det" for c in subject.children) or any(t.ent_type_ not in ("", "PERSON") for t in names):
        return None
    start, end = offset + names[0].idx, offset + names[-1].idx + len(names[-1])
    name = " ".join(t.text for t in names)
    mention = Mention(start=start, end=end, surface=subject.doc[names[0].i:names[-1].i + 1].text,
                      name=name, type="person", method="rule:speaker-name", confidence=SPEAKER_NAME_CONFIDENCE)
    if found is not None:
        found.setdefault((start, end), mention)
    return mention


def head_lemma(subject: Token) -> str:
    """What kind of source a subject is: its lemma, or for "One of the witnesses" the noun after "of"."""
    head = subject.lemma_.lower()
    if head in ("one", "some", "many", "several", "few", "most", "two", "three", "all", "none", "each"):
        objects = [o for p in subject.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
        head = objects[0].lemma_.lower() if objects else head
    return head


def can_report(subject: Token, offset: int, mentions: MentionIndex) -> bool:
    """Whether a subject can be the source of reported speech: a named entity, a person or an
    institution, or a pronoun standing for one; not "nobody", "you", "it" or "the purpose statement"."""
    if subject.lower_ in ("it", "you", "nobody", "none", "nothing", "everyone", "everybody", "anyone"):
        return False
    if any(child.lower_ in ("no", "neither", "you", "our", "my", "your") for child in subject.children):
        return False
    if subject.pos_ == "PRON" or subject.lower_ in PRONOUNS:
        return True
    if mentions.longest_overlapping(offset + subject.idx, offset + subject.idx + len(subject)) is not None:
        return True
    lemma = head_lemma(subject)
    return subject.pos_ == "PROPN" or lemma in PERSON_NOUNS or lemma in INSTITUTION_NOUNS


def person_like(source: Source) -> bool:
    if source.entity is not None:
        return source.entity.type == "person"
    return source.head in PERSON_NOUNS


class Referents:
    """Earlier subjects and speakers, for resolving "he said", "they say".

    Only the latest ``REFERENT_REACH`` are searched: an antecedent is near its pronoun, and a search
    over every earlier subject would make a long document cost the square of its length."""

    def __init__(self) -> None:
        self.items: list[Source] = []

    def add(self, source: Source) -> None:
        if not source.pronoun and source.label:
            self.items.append(source)

    def recent(self) -> list[Source]:
        """The latest referents, most recent first."""
        return self.items[:-REFERENT_REACH - 1:-1]

    def resolve_description(self, source: Source, head: str) -> Source | None:
        """"the statement" / "the defector": the nearest earlier referent with the same head noun."""
        for earlier in self.recent():
            if earlier.start >= source.start or earlier is source:
                continue
            words = f"{earlier.label or ''} {earlier.phrase}".lower().split()
            if head in words and earlier.entity is not None:
                return earlier
        return None

    def resolve(self, pronoun: Source, before: int) -> Source | None:
        word = (pronoun.label or "").lower()
        if word in FIRST_AND_SECOND_PERSON:
            return None  # the speaker of the passage, not someone mentioned earlier
        for source in self.recent():
            if source.start >= before:
                continue
            if word in ("he", "she") and person_like(source) and not source.plural:
                return source
            if word in ("they", "we") and (source.plural or (source.entity is not None
                                                             and source.entity.type == "organization")):
                return source
            if word == "it" and source.entity is not None and source.entity.type == "organization":
                return source
        return None


#: How many of the latest subjects and speakers a pronoun or a description may refer back to.
REFERENT_REACH = 200
#: How many reporting verbs nearest a quotation are tried as its cue.
VERB_REACH = 16
#: Mentions found by the rules while reading, by (start, end), in the order they were found.
Found = dict[tuple[int, int], Mention]


#: The most characters between a reporting verb and its subject for the two to be one cue.
CUE_GAP = 80


def cue_span(text: str, verb: tuple[int, int], subject: tuple[int, int] | None) -> tuple[int, int]:
    """The attributing words: the reporting verb with its subject as written ("she added", "said
    Margaret Okafor", "the ministry said in a statement" up to the verb) when the subject is near it
    on the same line and no quotation mark comes between them; otherwise the verb alone."""
    if subject is None:
        return verb
    start, end = min(verb[0], subject[0]), max(verb[1], subject[1])
    between = text[min(verb[1], subject[1]):max(verb[0], subject[0])]
    if len(between) > CUE_GAP or "\n" in between or any(mark in between for mark in '"“”'):
        return verb
    return start, end


def _quote(text: str, start: int, end: int, source: Source | None, cue: Token | None, offset: int,
           kind: str, method: str, confidence: float, subject: Source | None = None) -> Quote:
    """A quote of ``text[start:end]`` credited to ``source``; ``cue`` is the reporting verb and
    ``subject`` its subject as written (before a pronoun or a description was resolved)."""
    cue_text = cue_start = cue_end = None
    if cue is not None:
        verb = (offset + cue.idx, offset + cue.idx + len(cue))
        cue_start, cue_end = cue_span(text, verb, None if subject is None else (subject.start, subject.end))
        cue_text = text[cue_start:cue_end]
    entity = source.entity if source is not None else None
    return Quote(
        start=start, end=end, text=text[start:end], speaker=source.label if source else None,
        speaker_name=entity.name if entity else None, speaker_type=entity.type if entity else None,
        cue=cue_text, cue_start=cue_start, cue_end=cue_end, kind=kind, method=method,
        confidence=confidence,
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


class Spans:
    """Sorted, non-overlapping ``(start, end)`` spans, asked whether they hold an offset."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def holds(self, at: int) -> bool:
        i = bisect_right(self.starts, at) - 1
        return i >= 0 and at < self.ends[i]


def nearest_first(verbs: list[Token], positions: list[int], q_start: int, q_end: int, limit: int) -> list[Token]:
    """The ``limit`` verbs nearest to the quotation ``[q_start, q_end)`` (none lies inside it), nearest
    first, the earlier of two at the same distance first; ``positions`` are the verbs' offsets."""
    before = bisect_left(positions, q_start) - 1
    after = bisect_left(positions, q_end)
    chosen: list[Token] = []
    while len(chosen) < limit and (before >= 0 or after < len(verbs)):
        gap_before = q_start - positions[before] if before >= 0 else None
        gap_after = positions[after] - q_end if after < len(verbs) else None
        if gap_after is None or (gap_before is not None and gap_before <= gap_after):
            chosen.append(verbs[before])
            before -= 1
        else:
            chosen.append(verbs[after])
            after += 1
    return chosen


@dataclass
class Attribution:
    """The attribution sieve over the parsed pieces of one document, read in order.

    A piece is a stretch of the reading view parsed on its own (a long document is parsed in
    pieces). What a later piece needs of the earlier ones is carried over: the subjects and speakers
    seen (for pronouns), and a quotation left open at the end of a paragraph. :meth:`finish` then
    gives every quotation no cue attributed the speaker of its neighbours."""

    text: str
    view: str
    mentions: MentionIndex
    referents: Referents = field(default_factory=Referents)
    quotes: list[Quote] = field(default_factory=list)
    previous_quote: tuple[bool, Quote | None] | None = None  # (closed, quote) of the latest quotation

    def read(self, doc: Doc, offset: int) -> list[Mention]:
        """Attribute the quotations and reported speech of one parsed piece (``doc``, whose text is
        the view from ``offset``); return the speakers' names the entity model had missed."""
        found: Found = {}
        marks = quotation_spans(doc.text)
        inside = Spans([(s, e) for s, e, _ in marks])
        used_verbs = self.direct_quotes(doc, offset, marks, inside, found)
        self.reported_speech(doc, offset, inside, used_verbs, found)
        return list(found.values())

    def _resolve(self, source: Source, at: int) -> tuple[Source | None, str, float]:
        words = (source.label or "").lower().split()
        if not source.pronoun and source.entity is None and len(words) == 2 and words[0] == "the":
            found = self.referents.resolve_description(source, words[1])
            if found is not None:
                return found, "+description", PRONOUN_CONFIDENCE
        if not source.pronoun:
            return source, "", DIRECT_CONFIDENCE
        found = self.referents.resolve(source, at)
        if found is not None:
            return found, "+pronoun", PRONOUN_CONFIDENCE
        return None, "+unresolved", UNRESOLVED_CONFIDENCE

    def direct_quotes(self, doc: Doc, offset: int, marks: list[tuple[int, int, bool]], inside: Spans,
                      found: Found) -> set[int]:
        """The quotations ``marks`` and their cues; returns the reporting verbs used as cues (token
        indices)."""
        text, mentions, view = self.text, self.mentions, doc.text
        sentences = list(doc.sents)
        sentence_starts = [s.start_char for s in sentences]
        cues: dict[int, tuple[list[Token], list[int]]] = {}  # sentence -> reporting verbs outside quotations

        def cue_verbs(i: int) -> tuple[list[Token], list[int]]:
            if i not in cues:
                verbs = [t for t in sentences[i] if is_reporting_verb(t, quotation=True) and not inside.holds(t.idx)]
                cues[i] = (verbs, [t.idx for t in verbs])
            return cues[i]

        # sentence subjects become referents as we go
        events: list[tuple[int, str, object]] = [(s.start_char, "sent", s) for s in sentences]
        events += [(s, "quote", (s, e, closed)) for s, e, closed in marks]
        events.sort(key=lambda item: (item[0], item[1] != "sent"))
        used_verbs: set[int] = set()
        for _, what, payload in events:
            if what == "sent":
                sent: Span = payload  # type: ignore[assignment]
                for token in sent:
                    if (token.dep_ in ("nsubj", "nsubjpass") and not inside.holds(token.idx)
                            and can_report(token, offset, mentions)):
                        self.referents.add(describe(token, offset, mentions, found))
                continue
            q_start, q_end, closed = payload  # type: ignore[misc]
            first = max(0, bisect_right(sentence_starts, q_start) - 1)
            last = bisect_left(sentence_starts, q_end)
            verbs: list[Token] = []
            positions: list[int] = []
            for i in range(first, last):
                if sentences[i].end_char > q_start:
                    these, at = cue_verbs(i)
                    verbs += these
                    positions += at
            start, end = offset + q_start, offset + q_end
            quote: Quote | None = None
            for verb in nearest_first(verbs, positions, q_start, q_end, VERB_REACH):
                subject = subject_of(verb)
                if subject is None or inside.holds(subject.idx):
                    continue
                written = describe(subject, offset, mentions, found)
                source, suffix, confidence = self._resolve(written, start)
                quote = _quote(text, start, end, source, verb, offset, "direct", "rule:quote-cue" + suffix,
                               confidence, written)
                used_verbs.add(verb.i)
                if source is not None:
                    self.referents.add(source)
                break
            n_words = len(view[q_start:q_end].split())
            if quote is None:
                prev = self.previous_quote
                if prev is not None and not prev[0] and prev[1] is not None and prev[1].speaker:
                    # the previous paragraph's quotation was left open: this one continues it
                    quote = prev[1].model_copy(update={
                        "start": start, "end": end, "text": text[start:end], "cue": None, "cue_start": None,
                        "cue_end": None, "method": "rule:continuation", "confidence": CONTINUATION_CONFIDENCE})
                elif n_words >= 3:
                    quote = _quote(text, start, end, None, None, offset, "direct", "rule:quote-unattributed",
                                   UNRESOLVED_CONFIDENCE)
            # a short quotation is kept when something attributes it ("No," he said); alone it is a scare quote
            if quote is not None and (n_words >= 3 or quote.cue is not None):
                self.quotes.append(quote)
            self.previous_quote = (closed, quote)
        return used_verbs

    def reported_speech(self, doc: Doc, offset: int, inside: Spans, used_verbs: set[int], found: Found) -> None:
        """Reporting verbs with a clausal complement, not already used for a quotation, speech acts,
        and "according to X"."""
        text, mentions, view = self.text, self.mentions, doc.text
        for sent in doc.sents:
            for token in sent:
                if token.i in used_verbs or inside.holds(token.idx) or not is_reporting_verb(token, acts=True):
                    continue
                complement = [c for c in token.children if c.dep_ in ("ccomp",) and not inside.holds(c.idx)]
                speech_act = not complement and token.lemma_.lower() in SPEECH_ACTS
                if not complement and not speech_act:
                    continue
                subject = subject_of(token)
                if subject is None or not can_report(subject, offset, mentions):
                    continue
                if speech_act and token.dep_ == "relcl":
                    # "the concerns that have been expressed by X": what was said is the noun it qualifies
                    c_start, c_end = token.head.left_edge.idx, token.head.idx + len(token.head)
                elif speech_act:
                    # "Portugal criticised the statement": what was said is the rest of the verb's clause
                    right = [c for c in token.rights if c.dep_ not in ("punct", "cc", "conj")]
                    if not right:
                        continue
                    c_start = token.idx
                    c_end = right[-1].right_edge.idx + len(right[-1].right_edge)
                else:
                    clause = complement[0]
                    c_start, c_end = clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge)
                if not speech_act and c_start <= token.idx < c_end:
                    continue
                c_start, c_end = _trim(view, c_start, c_end)
                if len(view[c_start:c_end].split()) < (1 if speech_act else 3):
                    continue
                written = describe(subject, offset, mentions, found)
                source, suffix, confidence = self._resolve(written, offset + token.idx)
                if source is None:
                    continue
                confidence = min(confidence, REPORTED_CONFIDENCE)
                method = "rule:speech-act" if speech_act else "rule:reported-speech"
                self.quotes.append(_quote(text, offset + c_start, offset + c_end, source, token, offset, "indirect",
                                          method + suffix, confidence, written))
            self.quotes.extend(according_to(text, view, sent, offset, mentions))

    def finish(self) -> list[Quote]:
        """Every quote of the document: quotations no cue attributed take the speaker of their
        neighbours, and what is still unattributed is kept only when it reads as speech."""
        quotes = continue_speakers(self.view, self.quotes)
        return [q for q in quotes
                if q.method != "rule:quote-unattributed" or len(q.text.split()) >= MIN_UNATTRIBUTED_WORDS]


class Paragraphs:
    """Where the paragraphs (lines) of a text begin and end, found by bisection."""

    def __init__(self, view: str) -> None:
        self.view = view
        self.breaks = [m.start() for m in re.finditer("\n", view)]
        self._first_words: dict[int, int] = {}

    def around(self, at: int) -> tuple[int, int]:
        """(start, end) of the line holding offset ``at``: end is the offset of its line break."""
        i = bisect_left(self.breaks, at)
        start = self.breaks[i - 1] + 1 if i > 0 else 0
        end = self.breaks[i] if i < len(self.breaks) else len(self.view)
        return start, end

    def _text_from(self, at: int) -> int:
        """The offset of the first character from ``at`` on that is not a blank (remembered)."""
        if at not in self._first_words:
            found = _NOT_BLANK.search(self.view, at)
            self._first_words[at] = found.start() if found else len(self.view)
        return self._first_words[at]

    def opens(self, start: int, at: int) -> bool:
        """Whether only blanks and an opening quotation mark stand between a line's ``start`` and ``at``."""
        first = self._text_from(start)
        return first >= at or (self.view[first] in "\u201c\"\u2018" and self._text_from(first + 1) >= at)


_NOT_BLANK = re.compile(r"\S")


def continue_speakers(view: str, quotes: list[Quote]) -> list[Quote]:
    """An unattributed quotation takes the speaker of the attributed one beside it.

    News style attributes the first of several quotations in a paragraph, or the paragraph before a
    quotation that opens a paragraph, and leaves the rest to the reader. The nearest attributed
    direct quotation in the same paragraph decides; failing that, a quotation that opens its
    paragraph continues the last speaker quoted in the paragraph before. ``view`` is the whole
    document's reading view; offsets are the document's.
    """
    paragraphs = Paragraphs(view)
    attributed = sorted((q for q in quotes if q.kind == "direct" and q.speaker is not None), key=lambda q: q.start)
    starts = [q.start for q in attributed]
    result: list[Quote] = []
    for q in quotes:
        if q.method != "rule:quote-unattributed":
            result.append(q)
            continue
        p_start, p_end = paragraphs.around(q.start)
        i = bisect_left(starts, q.start)
        # the nearest attributed quotation in the paragraph, the earlier of two at the same distance
        near = [a for a in attributed[max(0, i - 1):i + 1] if p_start <= a.start < p_end]
        source = min(near, key=lambda a: abs(a.start - q.start)) if near else None
        if source is None and paragraphs.opens(p_start, q.start):
            j = bisect_left(starts, p_start)
            if j > 0 and paragraphs.around(attributed[j - 1].start)[1] >= p_start - 2:
                source = attributed[j - 1]
        if source is None:
            result.append(q)
            continue
        result.append(q.model_copy(update={
            "speaker": source.speaker, "speaker_name": source.speaker_name, "speaker_type": source.speaker_type,
            "method": "rule:continuation", "confidence": CONTINUATION_CONFIDENCE}))
    return result


def according_to(text: str, view: str, sent: Span, offset: int, mentions: MentionIndex) -> list[Quote]:
    """"According to X, …": X is the source of the rest of the sentence (``view`` is the text of
    ``sent``'s doc)."""
    found: list[Quote] = []
    for token in sent:
        if token.lower_ != "according":
            continue
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        if nxt is None or nxt.lower_ != "to":
            continue
        objects = [c for c in nxt.children if c.dep_ == "pobj"]
        if not objects:
            continue
        source = describe(objects[0], offset, mentions)
        if source.pronoun:
            continue
        phrase_end = objects[0].right_edge.idx + len(objects[0].right_edge)
        if token.idx - sent.start_char < 3:  # phrase opens the sentence
            c_start, c_end = phrase_end, sent.end_char
        else:
            c_start, c_end = sent.start_char, token.idx
        c_start, c_end = _trim(view, c_start, c_end)
        if len(view[c_start:c_end].split()) < 3:
            continue
        found.append(_quote(text, offset + c_start, offset + c_end, source, token, offset, "indirect",
                            "rule:according-to", REPORTED_CONFIDENCE, source))
    return found
