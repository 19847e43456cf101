from __future__ import annotations

import hashlib
import re
import sqlite3
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from provcat.site import hooks as plugin
from provcat.site.hooks import MentionSpan, QuoteSpan, highlight

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
# Speakers: one colour each
# ---------------------------------------------------------------------------------------------


def test_speakers_in_order_of_first_quote_each_with_its_colour() -> None:
    quotes = [QuoteSpan(50, 60, "Jane Doe"), QuoteSpan(0, 10, "John Roe"), QuoteSpan(20, 30, "jane doe"),
              QuoteSpan(70, 80, None), QuoteSpan(90, 95, "  ")]
    speakers = plugin.speakers_of(quotes)
    assert [(s.name, s.colour, s.quotes) for s in speakers] == [
        ("John Roe", plugin.SPEAKER_COLOURS[0], 1), ("jane doe", plugin.SPEAKER_COLOURS[1], 2),
        ("unattributed", plugin.UNATTRIBUTED_COLOUR, 2)]


def test_a_resolved_speaker_is_one_speaker_whatever_the_label() -> None:
    quotes = [QuoteSpan(0, 5, "Peter Neumann", speaker_entity_id="pn", speaker_name="Peter Neumann"),
              QuoteSpan(10, 15, "The director", speaker_entity_id="pn", speaker_name="Peter Neumann"),
              QuoteSpan(20, 25, "The director")]
    speakers = plugin.speakers_of(quotes)
    assert [(s.name, s.entity_id, s.quotes) for s in speakers] == [("Peter Neumann", "pn", 2),
                                                                    ("The director", None, 1)]
    assert speakers[0].colour != speakers[1].colour


def test_colours_cycle_when_there_are_many_speakers() -> None:
    n = len(plugin.SPEAKER_COLOURS)
    speakers = plugin.speakers_of([QuoteSpan(i, i + 1, f"speaker {i}") for i in range(n + 2)])
    assert [s.colour for s in speakers] == [*plugin.SPEAKER_COLOURS, *plugin.SPEAKER_COLOURS[:2]]


def test_quotes_are_drawn_in_their_speakers_colour() -> None:
    text = "A said x. B said y. A said z."
    quotes = [quote(text, "x", speaker="A"), quote(text, "y", speaker="B"), quote(text, "z", speaker="A")]
    html = highlight(text, [], quotes, ENTITIES)
    backgrounds = [re.match(r"background:(#[0-9a-f]{6})", m["style"] or "")[1]  # type: ignore[index]
                   for m in tags(html, "mark")]
    first, second = plugin.SPEAKER_COLOURS[:2]
    assert backgrounds == [first, second, first]
    assert [m["data-speaker"] for m in tags(html, "mark")] == ["A", "B", "A"]


def test_quote_title_names_the_label_and_the_canonical_speaker() -> None:
    q = QuoteSpan(0, 1, "The director", "indirect", "rule:x", 0.5, speaker_entity_id="pn", speaker_name="Peter Neumann")
    assert plugin.quote_title(q) == ("indirect quote · speaker: The director (Peter Neumann) · method: rule:x"
                                     " · confidence: 0.50")
    same = QuoteSpan(0, 1, "peter neumann", speaker_name="Peter Neumann")
    assert "speaker: peter neumann ·" in plugin.quote_title(same)


# ---------------------------------------------------------------------------------------------
# Anchors and cues
# ---------------------------------------------------------------------------------------------


def test_each_quote_has_its_anchor_once_even_when_cut_in_pieces() -> None:
    text = "one two three four five"
    quotes = [quote(text, "one two three", id=1), quote(text, "two three four five", id=2)]
    html = highlight(text, [], quotes, ENTITIES)
    marks = tags(html, "mark")
    assert len(marks) > 2  # crossing quotes: the second is closed and reopened
    assert [m.get("id") for m in marks if m.get("id")] == ["q-1", "q-2"]
    assert sum(1 for m in marks if "data-speaker" in m) == 2
    assert all("provcat-quote-continued" in (m["class"] or "") for m in marks if not m.get("id"))
    assert inner_text(html) == text


def test_a_quote_without_an_id_has_no_anchor() -> None:
    text = "said x"
    (mark,) = tags(highlight(text, [], [quote(text, "x")], ENTITIES), "mark")
    assert "id" not in mark


def test_kinds_are_drawn_differently() -> None:
    text = "a b c"
    quotes = [quote(text, "a", kind="direct"), quote(text, "b", kind="indirect"), quote(text, "c", kind="turn")]
    styles = [m["style"] or "" for m in tags(highlight(text, [], quotes, ENTITIES), "mark")]
    assert "solid" in styles[0] and "dashed" in styles[1] and "display:block" in styles[2]


def test_cue_timings_are_empty_markers_at_each_cue() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nHello there\n\n2\n00:00:02,000 --> 00:00:03,500\nGeneral Kenobi\n"
    cues = [plugin.CueSpan(text.index("Hello"), text.index("Hello") + 11, 1, "00:00:01,000", "00:00:02,000"),
            plugin.CueSpan(text.index("General"), text.index("General") + 14, 2, "00:00:02,000", "00:00:03,500")]
    html = highlight(text, [mention(text, "Kenobi")], [quote(text, "Hello there", kind="turn")], ENTITIES, cues)
    markers = tags(html, "span")
    assert [m["data-begins"] for m in markers] == ["00:00:01,000", "00:00:02,000"]
    assert markers[1]["title"] == "cue 2: 00:00:02,000 → 00:00:03,500"
    assert inner_text(html) == text  # the markers add no text
    assert re.search(r'<mark [^>]*><span class="provcat-cue"[^>]*></span>Hello there</mark>', html)


def test_cues_outside_the_text_are_dropped_and_attributes_escaped() -> None:
    evil = '"><script>alert(1)</script>'
    cues = [plugin.CueSpan(0, 1, 1, evil, evil), plugin.CueSpan(99, 100, 2, "x", "y")]
    html = highlight("ab", [], [], ENTITIES, cues)
    assert "<script" not in html
    (marker,) = tags(html, "span")
    assert marker["data-begins"] == evil


# ---------------------------------------------------------------------------------------------
# Snippets, excerpts, links
# ---------------------------------------------------------------------------------------------

OPEN, CLOSE = plugin.SNIPPET_OPEN, plugin.SNIPPET_CLOSE


def test_snippet_marks_the_matches_after_escaping() -> None:
    html = plugin.snippet_markup(f"<b>{OPEN}Neumann{CLOSE}</b> & {OPEN}<i>x</i>{CLOSE}")
    assert html == ('<span class="provcat-snippet">&lt;b&gt;<mark>Neumann</mark>&lt;/b&gt; &amp; '
                    "<mark>&lt;i&gt;x&lt;/i&gt;</mark></span>")


@pytest.mark.parametrize("snippet", [f"{OPEN}open only", f"close only{CLOSE}", f"{CLOSE}reversed{OPEN}",
                                     f"{OPEN}{OPEN}x{CLOSE}{CLOSE}", ""])
def test_snippet_with_stray_markers_is_well_formed(snippet: str) -> None:
    html = plugin.snippet_markup(snippet)
    parse(html)
    assert OPEN not in html and CLOSE not in html


def test_excerpt_cuts_at_a_word_near_the_limit() -> None:
    assert plugin.excerpt("short", 10) == "short"
    assert plugin.excerpt("alpha beta gamma delta", 12) == "alpha beta…"
    assert plugin.excerpt("x" * 50, 10) == "x" * 10 + "…"


@pytest.mark.parametrize(("value", "expected"), [
    ("Q42", "https://www.wikidata.org/wiki/Q42"), (" Q858 ", "https://www.wikidata.org/wiki/Q858"),
    ("Q0", None), ("q42", None), ("javascript:alert(1)", None), ("Q42/../x", None), ("", None), (None, None)])
def test_wikidata_links_only_item_ids(value: str | None, expected: str | None) -> None:
    assert plugin.wikidata_url(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("https://example.org/a?b=c", "https://example.org/a?b=c"), ("HTTP://x.org", "HTTP://x.org"),
    ("javascript:alert(1)", None), ("data:text/html,x", None), ("//evil.org", None), ("https://a b", None),
    ("", None), (None, None)])
def test_web_url_accepts_only_http_addresses(value: str | None, expected: str | None) -> None:
    assert plugin.web_url(value) == expected


def test_digest_summary_keeps_the_whole_digest_on_hover() -> None:
    (code,) = tags(plugin.digest_summary("0123456789abcdef0123"), "code")
    assert code["title"] == "0123456789abcdef0123"
    assert "title" not in tags(plugin.digest_summary("abc"), "code")[0]


def test_extra_template_vars_only_for_the_home_and_catalogue_row_pages() -> None:
    def hook(view_name: str, table: str | None) -> object:
        return plugin.extra_template_vars(template="x.html", database="c", table=table, view_name=view_name,
                                          request=object(), datasette=_FakeDatasette())

    assert hook("table", "documents") is None
    assert hook("row", "quotes") is None
    assert hook("database", None) is None
    assert callable(hook("row", "documents")) and callable(hook("row", "entities")) and callable(hook("index", None))


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


def render_on(path: str | None, **kw: object) -> object:
    token = plugin._request.set(plugin.ServedRequest(path))
    try:
        return plugin.render_cell(datasette=_FakeDatasette(), database="c", **kw)  # type: ignore[arg-type]
    finally:
        plugin._request.reset(token)


def test_render_cell_shows_the_beginning_of_the_text_on_the_table_page() -> None:
    short = render_on("/c/documents", row={"id": "a"}, value="<b>x</b>", column="text", table="documents")
    assert short == '<span class="provcat-excerpt">&lt;b&gt;x&lt;/b&gt;</span>'
    long_text = "<i>word</i> " * 1000
    html = str(render_on("/c/documents", row={"id": "a/b"}, value=long_text, column="text", table="documents"))
    assert len(inner_text(html)) < plugin.EXCERPT_CHARACTERS + 40
    assert "<i>" not in html and "&lt;i&gt;word&lt;/i&gt;" in html
    assert tags(html, "a")[0]["href"] == "/c/documents/a~2Fb"
    assert f"read all {len(long_text):,} characters" in html


def test_render_cell_shortens_digests_and_features_on_the_table_page() -> None:
    digest = "ab" * 32
    html = str(render_on("/c/documents", row={"id": "a"}, value=digest, column="sha256", table="documents"))
    assert tags(html, "code")[0]["title"] == digest
    assert inner_text(html) == digest[:plugin.DIGEST_CHARACTERS] + "…"
    folded = str(render_on("/c/documents", row={"id": "a"}, value='{"x": "<b>"}', column="type_features",
                           table="documents"))
    assert "<details" in folded and "&lt;b&gt;" in folded
    # elsewhere (a custom SQL page, the row page) digests are whole
    assert render_on("/c", row={"id": "a"}, value=digest, column="sha256", table="documents") is None
    assert render_on("/c/documents/a", row={"id": "a"}, value=digest, column="sha256", table="documents") is None


def test_render_cell_on_the_search_page_links_and_marks() -> None:
    row = {"document_id": "a/b", "quote": 7, "speaker_entity_id": "peter-neumann", "snippet": "x"}
    path = "/c/search"
    title = str(render_on(path, row=row, value="<T>", column="document", table=None))
    assert tags(title, "a")[0]["href"] == "/c/documents/a~2Fb#q-7" and "&lt;T&gt;" in title
    quote_link = str(render_on(path, row=row, value=7, column="quote", table=None))
    assert tags(quote_link, "a")[0]["href"] == "/c/documents/a~2Fb#q-7"
    speaker = str(render_on(path, row=row, value="Peter", column="speaker", table=None))
    assert tags(speaker, "a")[0]["href"] == "/c/entities/peter-neumann"
    snippet = str(render_on(path, row=row, value="<b>\ue000hit\ue001</b>", column="snippet", table=None))
    assert "<mark>hit</mark>" in snippet and "&lt;b&gt;" in snippet
    document_row = {**row, "quote": None}
    title = str(render_on(path, row=document_row, value="T", column="document", table=None))
    assert tags(title, "a")[0]["href"] == "/c/documents/a~2Fb"
    # other queries and pages are left alone
    assert render_on("/c/search_quotes", row=row, value="\ue000x\ue001", column="snippet", table=None) is None
    assert render_on("/c", row=row, value="T", column="document", table=None) is None


class _FakeUrls:
    def table(self, database: str, table: str) -> str:
        return f"/{database}/{table}"

    def query(self, database: str, query: str) -> str:
        return f"/{database}/{query}"

    def row(self, database: str, table: str, row_path: str) -> str:
        return f"/{database}/{table}/{row_path}"

    def row_blob(self, database: str, table: str, row_path: str, column: str) -> str:
        return f"/{database}/{table}/{row_path}.blob?_blob_column={column}"


class _FakeDatasette:
    urls = _FakeUrls()


def test_reading_cache_drops_the_least_recently_used_beyond_its_budget() -> None:
    cache = plugin.ReadingCache(budget_characters=5_000)
    reading = plugin.DocumentReading(None, None, [], [], [])
    for name in ("a", "b", "c"):
        cache.put(("hash", name), reading)
    assert cache.get(("hash", "a")) is not None  # "a" is now the most recently used
    cache.add_html(("hash", "a"), ("text", "/catalogue/entities"), Markup("x" * 1_500))
    cache.put(("hash", "d"), reading)
    assert [key[1] for key in cache.entries] == ["c", "a", "d"] and cache.used <= cache.budget
    assert cache.get(("hash", "b")) is None
    assert cache.html(("hash", "a"), ("text", "/catalogue/entities")) == "x" * 1_500
    assert cache.html(("hash", "a"), ("quotes", "/catalogue/entities")) is None
    assert cache.html(("hash", "b"), ("text", "/catalogue/entities")) is None


def test_catalogue_connections_read_through_memory_mapping(tmp_path) -> None:
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    assert conn.execute("pragma mmap_size").fetchone()[0] == 0
    plugin.prepare_connection(conn, "catalogue", None)
    assert conn.execute("pragma mmap_size").fetchone()[0] > 0  # capped by how SQLite was compiled
    assert conn.execute("select sha256_hex('')").fetchone()[0] == hashlib.sha256(b"").hexdigest()


def test_permission_checks_share_the_served_metadata(tmp_path) -> None:
    import asyncio
    import copy

    from datasette.app import Datasette

    db = tmp_path / "archive.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table open (id integer primary key)")
        conn.execute("create table closed (id integer primary key)")
    metadata = {"databases": {"archive": {"tables": {
        "open": {"description": "Open to all", "columns": {"id": "The row"}},
        "closed": {"allow": {"id": "curator"}},
    }}}}
    ds = Datasette([str(db)], metadata=metadata)

    async def statuses() -> tuple[int, int, str]:
        await ds.invoke_startup()
        opened = await ds.client.get("/archive/open")
        closed = await ds.client.get("/archive/closed")
        return opened.status_code, closed.status_code, opened.text

    opened, closed, page = asyncio.run(statuses())
    assert copy.deepcopy(ds._metadata_local) is ds._metadata_local
    assert ds._metadata_local == metadata
    # what the metadata says still holds: descriptions shown, a table closed to others stays closed
    assert (opened, closed) == (200, 403) and "Open to all" in page


def test_quote_list_links_each_quote_and_escapes_everything() -> None:
    entries = [
        plugin.QuoteEntry(7, "q-7", "Ann <Lee>", "the <b>minister</b>", "/c/entities/ann", "#abc", "direct",
                          "cue-verb", "0.90", 'She said "<script>"'),
        plugin.QuoteEntry(None, None, "unattributed", None, None, "#def", "indirect", "sieve", "0.40", "x & y"),
    ]
    html = plugin.quote_list(entries)
    items = tags(f"<ol>{html}</ol>", "li")
    assert [i["style"] for i in items] == ["border-left-color: #abc", "border-left-color: #def"]
    assert [a["href"] for a in tags(html, "a")] == ["#q-7", "/c/entities/ann"]
    text = inner_text(html)
    assert 'She said "<script>"' in text and "Ann <Lee>" in text and "as “the <b>minister</b>”" in text
    assert "x & y" in text and "indirect · sieve · confidence 0.40" in text
    assert "<script>" not in html and "<b>" not in html
