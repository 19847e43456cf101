from __future__ import annotations

import hashlib
import re
import sqlite3
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from provcat import datasette_plugin as plugin
from provcat.datasette_plugin import MentionSpan, QuoteSpan, highlight

ENTITIES = "/catalogue/entities"


def mention(text: str, surface: str, entity_id: str = "e", **kw: object) -> MentionSpan:
    start = text.index(surface)
    return MentionSpan(start, start + len(surface), entity_id, **kw)  # type: ignore[arg-type]


def quote(text: str, words: str, **kw: object) -> QuoteSpan:
    start = text.index(words)
    return QuoteSpan(start, start + len(words), **kw)  # type: ignore[arg-type]


class Structure(HTMLParser):
    """Records the tags of a fragment and the text, checking that every tag is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.max_links_open = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.tags.append((tag, dict(attrs)))
        self.max_links_open = max(self.max_links_open, self.stack.count("a"))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    return parser


def inner_text(html: str) -> str:
    return "".join(parse(html).text)


def tags(html: str, name: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in parse(html).tags if tag == name]


# ---------------------------------------------------------------------------------------------
# SQL functions
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def conn() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    plugin.prepare_connection(conn=connection, database="catalogue", datasette=None)
    return connection


def test_sha256_hex_of_a_blob(conn: sqlite3.Connection) -> None:
    data = b"\x00\xffarchived bytes"
    (digest,) = conn.execute("select sha256_hex(?)", (data,)).fetchone()
    assert digest == hashlib.sha256(data).hexdigest()
    assert digest == digest.lower()


def test_sha512_hex_of_a_blob(conn: sqlite3.Connection) -> None:
    (digest,) = conn.execute("select sha512_hex(?)", (b"abc",)).fetchone()
    assert digest == hashlib.sha512(b"abc").hexdigest()


def test_digest_of_text_is_of_its_utf8_bytes(conn: sqlite3.Connection) -> None:
    (digest,) = conn.execute("select sha256_hex('caf\u00e9')").fetchone()
    assert digest == hashlib.sha256("caf\u00e9".encode()).hexdigest()


def test_digest_of_null_is_null(conn: sqlite3.Connection) -> None:
    assert conn.execute("select sha256_hex(null), sha512_hex(null)").fetchone() == (None, None)


def test_digest_of_empty_blob(conn: sqlite3.Connection) -> None:
    (digest,) = conn.execute("select sha256_hex(x'')").fetchone()
    assert digest == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("", '""'), ("defectors", '"defectors"'), ("don't stop", '"don\'t" "stop"'),
     ('"caliphate rather"', '"caliphate rather"'), ("NEAR(a b) OR c*", '"NEAR(a" "b)" "OR" "c*"')],
)
def test_fts_escape_quotes_every_word(typed: str, expected: str) -> None:
    assert plugin.fts_escape(typed) == expected


def test_fts_escape_makes_any_input_a_valid_query(conn: sqlite3.Connection) -> None:
    conn.execute("create virtual table t using fts5(body)")
    conn.execute("insert into t values ('he said: it''s over (for now)')")
    for typed in ["", '"', "it's", "(for", "over AND", "*", "said:"]:
        conn.execute("select * from t where t match fts_escape(?)", (typed,)).fetchall()
    assert conn.execute("select count(*) from t where t match fts_escape('it''s over')").fetchone() == (1,)


# ---------------------------------------------------------------------------------------------
# highlight
# ---------------------------------------------------------------------------------------------


def test_text_without_spans_is_escaped_and_kept_whole() -> None:
    text = "a < b & c > d \"quoted\" 'single'\nsecond line"
    html = highlight(text, [], [], ENTITIES)
    assert isinstance(html, Markup)
    assert inner_text(html) == text
    assert "<b" not in html.replace("<div", "")


def test_mention_links_to_the_entity_row_page() -> None:
    text = "Peter Neumann spoke."
    html = highlight(text, [mention(text, "Peter Neumann", "peter-neumann", name="Peter Neumann",
                                    entity_type="person", method="authority", confidence=0.9)], [], ENTITIES)
    (link,) = tags(html, "a")
    assert link["href"] == "/catalogue/entities/peter-neumann"
    assert link["title"] == "Peter Neumann (person) · method: authority · confidence: 0.90"
    assert re.search(r"<a [^>]*>Peter Neumann</a> spoke\.", html)


def test_entity_id_is_tilde_encoded_in_the_link() -> None:
    text = "at King's"
    html = highlight(text, [mention(text, "King's", "kings/college x")], [], ENTITIES)
    (link,) = tags(html, "a")
    assert link["href"] == "/catalogue/entities/kings~2Fcollege+x"


def test_quote_is_marked_with_speaker_method_and_confidence() -> None:
    text = 'She said "we will stay" and left.'
    html = highlight(text, [], [quote(text, '"we will stay"', speaker="Jane Doe", kind="direct",
                                      method="said-cue", confidence=0.8)], ENTITIES)
    (mark,) = tags(html, "mark")
    assert mark["title"] == "direct quote · speaker: Jane Doe · method: said-cue · confidence: 0.80"
    assert "provcat-quote-direct" in (mark["class"] or "")
    assert inner_text(html) == text


def test_anonymous_quote_says_unattributed() -> None:
    text = "it was said that all is well"
    html = highlight(text, [], [quote(text, "all is well", method="m", confidence=0.2)], ENTITIES)
    (mark,) = tags(html, "mark")
    assert "speaker: unattributed" in (mark["title"] or "")


def test_mention_inside_quote_nests() -> None:
    text = 'He said "Syria is far" today.'
    html = highlight(text, [mention(text, "Syria", "syria")], [quote(text, '"Syria is far"')], ENTITIES)
    assert re.search(r'<mark [^>]*>&#34;<a [^>]*>Syria</a> is far&#34;</mark>', html)
    assert inner_text(html) == text


def test_spans_at_the_edges_of_the_text() -> None:
    text = "Neumann met ICSR"
    html = highlight(text, [mention(text, "Neumann"), mention(text, "ICSR")], [quote(text, text)], ENTITIES)
    expected = r"<div [^>]*><mark [^>]*><a [^>]*>Neumann</a> met <a [^>]*>ICSR</a></mark></div>"
    assert re.fullmatch(expected, html)


def test_crossing_quotes_stay_well_nested() -> None:
    text = "one two three four"
    html = highlight(text, [], [quote(text, "one two three"), quote(text, "two three four")], ENTITIES)
    parse(html)  # raises when a tag closes out of order
    assert inner_text(html) == text
    assert len(tags(html, "mark")) >= 2


def test_overlapping_mentions_never_nest_links() -> None:
    text = "King's College London"
    html = highlight(text, [mention(text, "King's College", "kc"), mention(text, "College London", "cl"),
                            mention(text, "London", "london")], [], ENTITIES)
    structure = parse(html)
    assert structure.max_links_open == 1
    assert inner_text(html) == text
    hrefs = [a["href"] for a in tags(html, "a")]
    assert hrefs[0] == "/catalogue/entities/kc"
    assert "/catalogue/entities/cl" in hrefs


def test_crossing_quote_and_mention() -> None:
    text = "alpha beta gamma delta"
    html = highlight(text, [mention(text, "beta gamma")], [quote(text, "gamma delta")], ENTITIES)
    assert parse(html).max_links_open == 1
    assert inner_text(html) == text


def test_identical_spans() -> None:
    text = "same same"
    html = highlight(text, [mention(text, "same"), mention(text, "same")],
                     [quote(text, "same"), quote(text, "same")], ENTITIES)
    assert inner_text(html) == text
    assert parse(html).max_links_open == 1


@pytest.mark.parametrize(("start", "end"), [(-5, 3), (3, 999), (5, 5), (7, 2), (100, 200)])
def test_spans_outside_the_text_are_clipped_or_dropped(start: int, end: int) -> None:
    text = "short text"
    html = highlight(text, [MentionSpan(start, end, "e")], [QuoteSpan(start, end)], ENTITIES)
    assert inner_text(html) == text


def test_empty_text() -> None:
    assert inner_text(highlight("", [MentionSpan(0, 3, "e")], [], ENTITIES)) == ""


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a>'


def test_document_markup_is_shown_as_text() -> None:
    img = "<img src=x onerror=alert(2)>"
    html = highlight(HOSTILE, [mention(HOSTILE, "alert(1)")], [quote(HOSTILE, img)], ENTITIES)
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert inner_text(html) == HOSTILE
    assert [tag for tag, _ in parse(html).tags] == ["div", "a", "mark"]


def test_attributes_are_escaped() -> None:
    text = "x"
    evil = '"><script>alert(1)</script>'
    html = highlight(text, [MentionSpan(0, 1, evil, name=evil, entity_type=evil, method=evil)],
                     [QuoteSpan(0, 1, speaker=evil, kind=evil, method=evil)], ENTITIES)
    assert "<script" not in html
    structure = parse(html)
    assert [tag for tag, _ in structure.tags] == ["div", "mark", "a"]
    (mark,) = tags(html, "mark")
    assert evil in (mark["title"] or "")
    assert "provcat-quote-direct" in (mark["class"] or "")  # an unknown kind is drawn as direct


def test_unicode_offsets_are_characters_not_bytes() -> None:
    text = "\u201cLeft\u201d said Jos\u00e9 \U0001f600 in Syria"
    html = highlight(text, [mention(text, "Syria")], [quote(text, "\u201cLeft\u201d")], ENTITIES)
    assert re.search(r"<a [^>]*>Syria</a>", html)
    assert re.search(r"<mark [^>]*>\u201cLeft\u201d</mark>", html)


def test_many_spans_stay_fast() -> None:
    text = "word " * 20000
    mentions = [MentionSpan(i * 5, i * 5 + 4, f"e{i % 50}") for i in range(0, 20000, 2)]
    quotes = [QuoteSpan(i * 5, i * 5 + 50) for i in range(0, 20000, 20)]
    html = highlight(text, mentions, quotes, ENTITIES)
    assert html.count("<a ") == 10000


# ---------------------------------------------------------------------------------------------
# Hook plumbing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/catalogue/documents/article", True),
        ("/catalogue/documents/sub~2Fdoc", True),
        ("/catalogue/documents", False),
        ("/catalogue/documents/", False),
        ("/catalogue/documents/article.json", False),
        ("/catalogue/documents/article.blob", False),
        ("/catalogue/quotes/1", False),
        ("/catalogue/documents_fts/1", False),
        (None, False),
    ],
)
def test_is_row_page(path: str | None, expected: bool) -> None:
    assert plugin.is_row_page(path, "/catalogue/documents") is expected


def test_content_summary_gives_size_and_link() -> None:
    html = plugin.content_summary(2_115_000, "/catalogue/documents/a.blob?_blob_column=content")
    assert "2,115,000 bytes" in html
    assert tags(html, "a")[0]["href"] == "/catalogue/documents/a.blob?_blob_column=content"


def test_render_cell_leaves_other_tables_and_columns_alone() -> None:
    fake = _FakeDatasette()
    elsewhere = [("quotes", "text"), ("documents", "title"), (None, "text"), ("entities", "content")]
    for table, column in elsewhere:
        assert plugin.render_cell(row={"id": "a"}, value="x", column=column, table=table, database="c",
                                  datasette=fake) is None


def test_render_cell_leaves_text_alone_on_the_table_page() -> None:
    row = {"id": "a"}
    token = plugin._request_path.set("/c/documents")
    try:
        assert plugin.render_cell(row=row, value="x", column="text", table="documents", database="c",
                                  datasette=_FakeDatasette()) is None
    finally:
        plugin._request_path.reset(token)


class _FakeUrls:
    def table(self, database: str, table: str) -> str:
        return f"/{database}/{table}"

    def row_blob(self, database: str, table: str, row_path: str, column: str) -> str:
        return f"/{database}/{table}/{row_path}.blob?_blob_column={column}"


class _FakeDatasette:
    urls = _FakeUrls()
