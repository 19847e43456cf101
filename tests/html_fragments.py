"""The HTML fragments the site makes, read back: their tags (each closed in the order it was
opened), the tags' attributes and the text."""

from __future__ import annotations

from html.parser import HTMLParser


class Structure(HTMLParser):
    """Records the tags of a fragment and the text, checking that every tag is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.own_text: list[str] = []  # the text less what the site adds inside it (ADDED)
        self.added_at: int | None = None  # depth of the open element the site added, if any
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.max_links_open = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        classes = (dict(attrs).get("class") or "").split()
        if self.added_at is None and ADDED.intersection(classes):
            self.added_at = len(self.stack)
        self.tags.append((tag, dict(attrs)))
        self.max_links_open = max(self.max_links_open, self.stack.count("a"))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        if self.added_at == len(self.stack):
            self.added_at = None
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.added_at is None:
            self.own_text.append(data)


def parse(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    return parser


def inner_text(html: str) -> str:
    return "".join(parse(html).text)


#: Elements the site adds inside a document's text: the link to a quote's evidence (showing the
#: speaker's number), the steps from a search's match to the next and a cue's time.
ADDED = frozenset({"provcat-evidence-link", "provcat-hit-steps", "provcat-cue"})


def document_text(html: str) -> str:
    """The text of a highlighted document, without what the site adds inside it (:data:`ADDED`)."""
    return "".join(parse(html).own_text)


def tags(html: str, name: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in parse(html).tags if tag == name]
