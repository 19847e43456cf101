"""E-mail messages (``.eml``, RFC 5322), read with the standard library's ``email`` package.

The stored text is the message as a person reads it: the From, To, Cc, Date and Subject headers, a
blank line, and the body (the plain-text part, else the HTML part's text). The sender is the speaker
of the message's own words: the body up to where a quoted earlier message begins ("> " lines, "On …
wrote:", "-----Original Message-----") is a turn credited to the From header's name. Subject, sender,
date and Message-ID are the embedded description.
"""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from ..errors import ProvcatError
from ..models import EmbeddedFact, ReadDocument, Voice
from .assembly import TextBuilder
from .dates import mail_date
from .plain_text import normalise

HEADERS = ("From", "To", "Cc", "Date", "Subject")
OPTIONS = "headers From, To, Cc, Date, Subject; body: text/plain part, else text/html part's text; attachments left out"
SENDER_METHOD = "reader:message-sender"
_QUOTED_START = re.compile(r"(?m)^(?:>|On .{0,200}wrote:\s*$|-{2,}\s*Original Message\s*-{2,}|_{10,}\s*$"
                           r"|From: .+\nSent: )")


def read_email(data: bytes, path: Path | str, media_type: str = "message/rfc822") -> ReadDocument:
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except (ValueError, TypeError, IndexError, LookupError) as exc:
        raise ProvcatError(path, f"e-mail message not readable: {exc}") from exc
    if not isinstance(message, EmailMessage) or not any(message.get(h) for h in ("From", "Subject", "Date")):
        raise ProvcatError(path, "not an e-mail message (no From, Subject or Date header)")
    return message_document(message, path, media_type)


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, LookupError):  # a malformed header the parser gave up on
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _body(message: EmailMessage, path: Path | str) -> tuple[str, str]:
    """The text a person reads, and which part it came from."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return "", "none"
        content = part.get_content()
    except (KeyError, LookupError, ValueError, TypeError, AssertionError) as exc:
        raise ProvcatError(path, f"e-mail body not readable: {exc}") from exc
    kind = part.get_content_type()
    if not isinstance(content, str):
        return "", kind
    if kind == "text/html":
        from lxml import html as lxml_html

        try:
            content = lxml_html.fromstring(content).text_content()
        except (ValueError, lxml_html.etree.ParserError):
            content = ""
    return normalise(content)[0], kind


def sender(message: EmailMessage) -> tuple[str, str] | None:
    """The sender's name as written in the From header and the address; None without a From."""
    try:
        header = message.get("From")
        addresses: tuple[Address, ...] = tuple(header.addresses) if header is not None else ()
    except (ValueError, TypeError, IndexError, LookupError, AttributeError):
        return None
    if not addresses:
        return None
    return addresses[0].display_name.strip(), addresses[0].addr_spec


def message_document(message: EmailMessage, path: Path | str, media_type: str) -> ReadDocument:
    body, part = _body(message, path)
    builder = TextBuilder()
    header_lines = [f"{name}: {_header(message, name)}" for name in HEADERS if _header(message, name)]
    headers = builder.add("\n".join(header_lines), "headers", "headers")
    own = builder.add(body, "body", f"body ({part})", paragraphs=True)
    if own is None:
        raise ProvcatError(path, "e-mail message without text in its body")
    text = builder.text
    voices = []
    who = sender(message)
    if who is not None and headers is not None:
        name, address = who
        label = name or address
        line = text.find("From: ", headers.start, headers.end)
        at = text.find(label, line) if line >= 0 else -1
        quoted = _QUOTED_START.search(text, own.start, own.end)
        end = own.end if quoted is None else quoted.start()
        while end > own.start and text[end - 1].isspace():
            end -= 1
        if at >= 0 and end > own.start:
            voices.append(Voice(speaker=label, named=bool(name) and "@" not in name, label_start=at,
                                label_end=at + len(label), start=own.start, end=end, method=SENDER_METHOD))
    return ReadDocument(text=text, encoding=None, media_type=media_type, regions=builder.regions, voices=voices,
                        extracted_by="python email (standard library, policy.default)", extraction_options=OPTIONS,
                        embedded=message_facts(message, who))


def message_facts(message: EmailMessage, who: tuple[str, str] | None) -> list[EmbeddedFact]:
    facts = []

    def add(field: str, value: str, method: str, confidence: float, precision: str | None = None) -> None:
        if value:
            facts.append(EmbeddedFact(field=field, value=value, source="embedded metadata", method=method,
                                      confidence=confidence, precision=precision))

    add("title", _header(message, "Subject"), "email:Subject", 0.9)
    if who is not None:
        add("creator", who[0] or who[1], "email:From", 0.95)
    dated = mail_date(_header(message, "Date"))
    if dated is not None:
        add("date", dated[0], "email:Date", 0.9, dated[1])
    add("identifier", _header(message, "Message-ID"), "email:Message-ID", 1.0)
    return facts
