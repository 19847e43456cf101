"""A document's files on the site: the original bytes under the file's own name, and its record."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from closed_table import closed_table_site
from datasette.utils import tilde_encode

from provcat import publish
from provcat.build import build_catalogue
from provcat.site import document_files

NAME = 'Café "minutes", 1 May.txt'
TEXT = ('"The ferry will run again on Monday," said Margaret Okafor, the harbour master of Lisbon.\n\n'
        "The council in Porto agreed.\n")


@pytest.fixture
def served(tmp_path: Path) -> tuple[object, dict[str, str], Path]:
    archive = tmp_path / "archive"
    (archive / "council").mkdir(parents=True)
    (archive / "council" / NAME).write_text(TEXT + "Déjà vu, said the clerk.\n", encoding="cp1252")
    (archive / "cues.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nthe ferry runs again\n")
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    import sqlite3

    ids = dict(sqlite3.connect(db).execute("select path, id from documents"))
    return publish.datasette_instance(db, metadata), ids, archive


def download_path(document_id: str) -> str:
    return f"/catalogue/-/download/{tilde_encode(document_id)}"


async def test_a_download_is_the_exact_bytes_under_the_files_own_name(served: tuple) -> None:
    ds, ids, archive = served
    response = await ds.client.get(download_path(ids[f"council/{NAME}"]))
    assert response.status_code == 200
    original = (archive / "council" / NAME).read_bytes()
    assert response.content == original
    import sqlite3

    (encoding,) = sqlite3.connect(ds.databases["catalogue"].path).execute(  # as read at cataloguing
        "select encoding from documents where path = ?", (f"council/{NAME}",)).fetchone()
    assert response.headers["content-type"] == f"text/plain; charset={encoding}"
    extended = re.search(r"filename\*=UTF-8''(\S+)", response.headers["content-disposition"])
    assert extended and unquote(extended.group(1)) == NAME  # filename*, as browsers read it (RFC 8187)
    assert re.fullmatch(r'attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8\'\'[A-Za-z0-9%._~-]+',
                        response.headers["content-disposition"])
    digest = base64.b64encode(hashlib.sha256(original).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"


async def test_subtitles_download_with_their_own_media_type(served: tuple) -> None:
    ds, ids, _ = served
    response = await ds.client.get(download_path(ids["cues.srt"]))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-subrip")
    assert 'filename="cues.srt"' in response.headers["content-disposition"]


@pytest.mark.parametrize("path", ["/catalogue/-/download/nothing-here", "/catalogue/-/record/nothing-here.json",
                                  "/elsewhere/-/download/x", "/elsewhere/-/record/x.json"])
async def test_what_is_not_there_is_not_found(served: tuple, path: str) -> None:
    ds, _, _ = served
    assert (await ds.client.get(path)).status_code == 404


async def test_a_closed_documents_table_is_closed_here_too(tmp_path: Path) -> None:
    ds, _, cookies = closed_table_site(tmp_path, "documents", "note.txt", TEXT)
    for path in ("/catalogue/-/download/note", "/catalogue/-/record/note.json"):
        assert (await ds.client.get(path)).status_code == 403, path
    assert (await ds.client.get("/catalogue/-/download/note", cookies=cookies)).status_code == 200


async def test_the_record_gives_every_assertion_with_offsets_into_the_text(served: tuple) -> None:
    ds, ids, _ = served
    response = await ds.client.get(f"/catalogue/-/record/{tilde_encode(ids[f'council/{NAME}'])}.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    record = json.loads(response.text)
    text = record["document"]["text"]
    assert record["document"]["path"] == f"council/{NAME}" and "content" not in record["document"]
    assert record["fixity"]["state"] == "new" and record["fixity"]["run"] == 1
    assert record["download_url"] == download_path(ids[f"council/{NAME}"])
    assert record["mentions"] and record["quotes"] and record["descriptions"]
    for section in ("mentions", "quotes"):
        for item in record[section]:
            assert item["method"] and item["confidence"] is not None
            assert text[item["start"]:item["end"]] == (item.get("surface") or item.get("text"))
    for quote in record["quotes"]:
        if quote["cue"] is not None:
            assert text[quote["cue_start"]:quote["cue_end"]] == quote["cue"]
    from provcat.extract.pipeline import EXTRACTOR_VERSION, MODEL

    made = record["extracted_by"]
    assert (made["build"], made["extractor_version"], made["model"]) == (1, EXTRACTOR_VERSION, MODEL)
    assert made["software_version"] and made["model_version"] and made["started_at"]
    cues = json.loads((await ds.client.get(f"/catalogue/-/record/{ids['cues.srt']}.json")).text)["cues"]
    assert cues == [{"index": 1, "start": cues[0]["start"], "end": cues[0]["end"], "begins": "00:00:01,000",
                     "ends": "00:00:02,000"}]


async def test_the_document_page_links_its_file_record_and_citation(served: tuple) -> None:
    ds, ids, _ = served
    document_id = ids[f"council/{NAME}"]
    page = (await ds.client.get(f"/catalogue/documents/{tilde_encode(document_id)}")).text
    assert f'href="{download_path(document_id)}" download="Café &#34;minutes&#34;, 1 May.txt"' in page
    citation = re.search(r'<p class="provcat-citation">(.*?)</p>', page, re.S)
    assert citation and "SHA-256 " in citation.group(1) and "(accessed " in citation.group(1)
    assert "<cite>Provenance catalogue: archive</cite>" in citation.group(1)


@pytest.mark.parametrize(("name", "fallback"), [("notes.txt", "notes.txt"), ('a"b\\c.txt', "a_b_c.txt"),
                                                ("x\r\ny.txt", "x__y.txt"), ("日本.txt", "__.txt")])
def test_no_file_name_can_end_the_header(name: str, fallback: str) -> None:
    header = document_files.content_disposition(name)
    assert "\r" not in header and "\n" not in header
    assert header.startswith(f'attachment; filename="{fallback}"; ')


def test_text_gets_its_encoding_and_other_files_none() -> None:
    assert document_files.content_type("text/vtt", "utf-8") == "text/vtt; charset=utf-8"
    assert document_files.content_type("application/pdf", "binary") == "application/pdf"


async def test_reading_a_record_leaves_the_sites_connections_as_they_were(served: tuple) -> None:
    ds, ids, _ = served
    for _ in range(8):  # every SQL thread's connection
        assert (await ds.client.get(f"/catalogue/-/record/{ids['cues.srt']}.json")).status_code == 200
    for path in ("/catalogue/documents", "/catalogue/collection", "/catalogue/quotes"):
        assert (await ds.client.get(path)).status_code == 200, path
