"""What is typed into a search box, as an FTS5 query: the documented operators ("a phrase", OR, NOT
or -word, begin*), every other word required and quoted, and anything else (unbalanced quotes,
stray operators, FTS5's own syntax) searched for as words, never an error."""

from __future__ import annotations

import sqlite3

import pytest

from provcat.site import search_syntax
from provcat.site.search_syntax import MAX_TERMS, Term, parse


@pytest.fixture(scope="module")
def conn() -> sqlite3.Connection:
    """A stemmed index like a catalogue's, with a few texts."""
    connection = sqlite3.connect(":memory:")
    connection.execute("create virtual table t using fts5(body, tokenize='porter unicode61', prefix='2 3')")
    for body in ["The defectors spoke of the brutality.", "One defector recounted the journey.",
                 "The tax budget was cut.", "Sport and weather tonight.", "A budget for sport.",
                 "The prime minister spoke."]:
        connection.execute("insert into t values (?)", (body,))
    return connection


def found(conn: sqlite3.Connection, typed: str) -> list[int]:
    query = search_syntax.fts_query(typed)
    return [r[0] for r in conn.execute("select rowid from t where t match ? order by rowid", (query,))]


@pytest.mark.parametrize(("typed", "fts"), [
    ("defectors", '"defectors"'),
    ("prime minister", '"prime" "minister"'),
    ('"prime minister"', '"prime minister"'),
    ("tax OR budget cut", '("tax" OR "budget") "cut"'),
    ("budget -sport", '("budget") NOT "sport"'),
    ("budget NOT sport", '("budget") NOT "sport"'),
    ('budget -"prime minister"', '("budget") NOT "prime minister"'),
    ("defect*", '"defect"*'),
    ('"prime min"*', '"prime min"*'),
    ("it's", '"it\'s"'),
])
def test_the_operators_become_fts5(typed: str, fts: str) -> None:
    assert parse(typed).fts == fts


def test_the_operators_find_what_they_say(conn: sqlite3.Connection) -> None:
    assert found(conn, "defector") == [1, 2]  # stemmed: defectors and defector
    assert found(conn, "defec*") == [1, 2]
    assert found(conn, '"prime minister"') == [6]
    assert found(conn, '"minister prime"') == []
    assert found(conn, "tax OR sport") == [3, 4, 5]
    assert found(conn, "budget -sport") == [3]
    assert found(conn, "budget NOT sport") == [3]
    assert found(conn, "spoke brutality") == [1]


@pytest.mark.parametrize("typed", [
    "", " ", '"', '"unbalanced phrase', 'a "b" "c', "OR", "AND", "NOT", "a OR", "OR a", "a OR OR b", "a NOT",
    "NOT NOT a", "-", "--", "- x", "*", "**", "x**", "*x", "-*", '""', '"" x', "…", "&", "x OR -y", "NEAR(a b)",
    "title:x", "body:spoke", "^x", "+x", "(a OR b)", "a AND b", "x -", '"a"b"c"', "\u00a0", "\x00", "\ue000",
    "a" * 2000, "über straße", "中文 검색",
])
def test_anything_typed_is_a_valid_query(conn: sqlite3.Connection, typed: str) -> None:
    conn.execute("select count(*) from t where t match ?", (search_syntax.fts_query(typed),)).fetchone()


def test_fts5_syntax_typed_is_searched_for_as_words(conn: sqlite3.Connection) -> None:
    assert parse("body:spoke").fts == '"body:spoke"'  # not a column filter
    assert found(conn, "body:spoke") == []  # the phrase "body spoke" is in no text
    assert parse("NEAR(a b)").fts == '"NEAR(a" "b)"'
    assert parse("^x +y").fts == '"^x" "+y"'


def test_an_unbalanced_quote_is_dropped_and_said() -> None:
    query = parse('"prime minister')
    assert query.fts == '"prime" "minister"'
    assert any("double quote" in note for note in query.notes)
    assert parse('"prime minister" spoke "x').fts == '"prime minister" "spoke" "x"'


def test_a_stray_operator_is_left_out_and_said() -> None:
    for typed in ("budget OR", "OR budget", "budget NOT", "budget -", "budget OR OR tax"):
        query = parse(typed)
        assert query.fts is not None and "budget" in query.fts
        assert any("operator" in note for note in query.notes), typed
    assert parse("budget OR OR tax").fts == '("budget" OR "tax")'


def test_with_nothing_to_find_the_words_are_searched_for(conn: sqlite3.Connection) -> None:
    assert parse("-sport").fts == '"sport"'
    assert parse("NOT sport").fts == '"sport"'
    assert parse("OR").fts == '"OR"'
    assert found(conn, "-sport") == [4, 5]
    assert parse("-sport").notes


def test_nothing_to_find_matches_nothing() -> None:
    for typed in ("", "   ", "…", "&&", '""', "*", "-"):
        assert parse(typed).fts is None
        assert search_syntax.fts_query(typed) == '""'


def test_lower_case_or_and_not_are_words() -> None:
    assert parse("war or peace").fts == '"war" "or" "peace"'
    assert parse("not now").fts == '"not" "now"'


def test_the_search_is_written_back_as_understood() -> None:
    assert parse('tax OR budget "prime minister" -sport pre*').shown() == 'tax OR budget "prime minister" pre* -sport'
    assert parse("").shown() == ""


def test_terms_are_those_searched_for() -> None:
    assert parse("tax OR budget -sport").terms == [Term("tax"), Term("budget")]


def test_at_most_max_terms_are_kept() -> None:
    query = parse(" ".join(f"w{n}" for n in range(MAX_TERMS + 5)))
    assert len(query.terms) == MAX_TERMS
    assert any(str(MAX_TERMS) in note for note in query.notes)
