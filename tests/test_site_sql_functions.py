"""The SQL functions: digests of BLOBs and of TEXT, FTS5 queries from anything typed, and the limits
they keep to (the same limits on the running site: tests/test_publish.py)."""

from __future__ import annotations

import hashlib
import sqlite3
import time

import datasette.database
import pytest

from provcat.site import sql_functions


@pytest.fixture
def conn() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    sql_functions.register_functions(connection)
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
     ('"caliphate rather"', '"caliphate rather"'), ("NEAR(a b) OR c*", '"NEAR(a" ("b)" OR "c"*)'),
     ("tax -sport", '("tax") NOT "sport"')],
)
def test_fts_escape_quotes_every_word_with_the_search_pages_operators(typed: str, expected: str) -> None:
    assert sql_functions.fts_escape(typed) == expected


def test_fts_escape_makes_any_input_a_valid_query(conn: sqlite3.Connection) -> None:
    conn.execute("create virtual table t using fts5(body)")
    conn.execute("insert into t values ('he said: it''s over (for now)')")
    for typed in ["", '"', "it's", "(for", "over AND", "*", "said:", "OR", "NOT it's", "-", 'a "b', "^x", "x:y"]:
        conn.execute("select * from t where t match fts_escape(?)", (typed,)).fetchall()
    assert conn.execute("select count(*) from t where t match fts_escape('it''s over')").fetchone() == (1,)


def test_numbers_are_refused_not_hashed() -> None:
    for value in (900, 1.5):
        with pytest.raises(TypeError, match="hashes a BLOB or a TEXT"):
            sql_functions.sha256_hex(value)  # type: ignore[arg-type]


def test_more_than_the_limit_is_refused_counting_a_texts_utf8_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_functions, "MAX_HASHED_BYTES", 10)
    assert sql_functions.sha512_hex(b"x" * 10) == hashlib.sha512(b"x" * 10).hexdigest()
    for value in (b"x" * 11, memoryview(b"x" * 11), "x" * 11, "\u00e9" * 6):  # the last: 6 characters, 12 bytes
        with pytest.raises(OverflowError):
            sql_functions.sha256_hex(value)


def test_a_search_longer_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_functions, "MAX_SEARCH_CHARACTERS", 5)
    assert sql_functions.fts_escape("a b c") == '"a" "b" "c"'
    with pytest.raises(OverflowError):
        sql_functions.fts_escape("a b cd")


def test_the_functions_know_a_querys_deadline_only_while_it_runs(conn: sqlite3.Connection) -> None:
    sql_functions.track_query_deadlines()
    limit = datasette.database.sqlite_timelimit
    sql_functions.track_query_deadlines()  # once per process: a second call changes nothing
    assert datasette.database.sqlite_timelimit is limit
    assert sql_functions.query_deadline() is None
    with limit(conn, 2000):
        deadline = sql_functions.query_deadline()
        assert deadline is not None and 1.5 < deadline - time.perf_counter() <= 2
    assert sql_functions.query_deadline() is None


def test_a_hash_asked_for_past_the_querys_deadline_interrupts_the_query(conn: sqlite3.Connection) -> None:
    sql_functions.track_query_deadlines()
    with datasette.database.sqlite_timelimit(conn, 50):  # SQLite's own check: every 1,000 instructions
        time.sleep(0.1)
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute("select sha256_hex('x')").fetchone()
    assert conn.execute("select sha256_hex('x')").fetchone() == (hashlib.sha256(b"x").hexdigest(),)


def test_a_quotes_place_is_its_address_in_its_documents_page() -> None:
    conn = sqlite3.connect(":memory:")
    sql_functions.register_functions(conn, "/c/documents")
    # as Datasette writes a row's address
    assert conn.execute("select quote_place('a/b c', 7)").fetchone() == ("/c/documents/a~2Fb+c#q-7",)
    assert conn.execute("select quote_place(null, 7), quote_place('x', null)").fetchone() == (None, None)
    plain = sqlite3.connect(":memory:")
    sql_functions.register_functions(plain)  # no site: no addresses
    with pytest.raises(sqlite3.OperationalError):
        plain.execute("select quote_place('x', 1)")
