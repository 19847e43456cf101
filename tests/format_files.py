"""An archive of the formats news and speech archives hold, made by the tests (no file is
downloaded): a web page, PDFs with and without a text layer, DOCX, ODT, an e-mail, WebVTT with
voices, speech-recognition JSON, Markdown with front matter, and files that are only preserved
(a PNG picture, a ZIP file, a JSON settings file). All names in them are invented."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path

from pdf_files import pdf_bytes

WEB_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour council votes to close the quay | The Kerrow Gazette</title>
<meta name="author" content="Maren Tolliver">
<meta property="og:site_name" content="The Kerrow Gazette">
<link rel="canonical" href="https://gazette.example/2024/harbour-vote">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Harbour council votes to close the quay", "datePublished": "2024-03-05T14:30:00Z",
 "author": {"@type": "Person", "name": "Maren Tolliver"}}</script>
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Harbour council votes to close the quay</h1>
<p>The Brackwater council voted on Tuesday to close the old quay, said Oskar Vell, its chairman.</p>
<p>"We had no other choice," Vell told reporters outside the town hall in Ardmore. The decision
follows months of debate among fishermen and traders about the cost of repairs.</p>
<h2>What comes next</h2>
<p>Work on a new quay will start in June, according to the port authority, and take two years.</p>
</article>
<footer>Copyright 2024 The Kerrow Gazette. All rights reserved.</footer>
</body></html>
"""

EMAIL = """MIME-Version: 1.0
From: Maren Tolliver <maren@kerrow.example>
To: Oskar Vell <oskar@brackwater.example>
Date: Tue, 5 Mar 2024 14:30:00 +0000
Subject: The harbour vote
Message-ID: <vote-2024@kerrow.example>
Content-Type: text/plain; charset=utf-8

Oskar,

The council in Ardmore will vote on the quay on Tuesday. I think we should
support the closure, and I will say so at the meeting.

Maren

On Mon, 4 Mar 2024, Oskar Vell wrote:
> Should we support it?
"""

WEBVTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Maren Tolliver>We voted to close the quay in Ardmore.

00:00:04.500 --> 00:00:07.000
<v Oskar Vell>It was the only choice we had.</v>
"""

MARKDOWN = """---
title: Harbour hearing
date: 2024-03-05
---

# Harbour hearing

**Maren Tolliver:** We voted to close the quay.

**Oskar Vell:** It was the only choice we had.
"""

SPEECH_JSON = {"language": "en", "text": "…", "segments": [
    {"id": 0, "start": 0.0, "end": 2.5, "text": " Welcome back to the harbour programme in Ardmore.",
     "speaker": "SPEAKER_00"},
    {"id": 1, "start": 2.5, "end": 5.25, "text": " Today we talk about the quay.", "speaker": "SPEAKER_00"},
    {"id": 2, "start": 5.25, "end": 8.0, "text": " Thanks for having me, it is good to be here.",
     "speaker": "SPEAKER_01"},
]}

#: A one-pixel PNG picture.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082")

REPORT_PAGES = [["Harbour council report", "The council voted on Tuesday to close the quay, said Oskar Vell."],
                ['"We had no other choice," Vell told reporters in Ardmore.']]
REPORT_INFO = {"Title": "Council report", "Author": "Maren Tolliver", "CreationDate": "D:20240305143000Z"}


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Council minutes"
    document.core_properties.author = "Maren Tolliver"
    document.core_properties.created = datetime.datetime(2024, 3, 5, 14, 30)
    document.add_heading("Harbour council minutes", 1)
    document.add_paragraph("The council voted on Tuesday to close the quay, said Oskar Vell, its chairman.")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Member", (0, 1): "Vote", (1, 0): "Vell", (1, 1): "For"}.items():
        table.cell(row, col).text = text
    document.add_paragraph("The meeting closed at nine.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes() -> bytes:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="Council minutes"))
    document.meta.addElement(meta.InitialCreator(text="Maren Tolliver"))
    document.meta.addElement(meta.CreationDate(text="2024-03-05T14:30:00"))
    document.text.addElement(H(outlinelevel=1, text="Harbour council minutes"))
    document.text.addElement(P(text="The council voted on Tuesday to close the quay, said Oskar Vell."))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "kept, not read")
    return out.getvalue()


def write_format_archive(folder: Path) -> dict[str, bytes]:
    """Write the archive into ``folder``; returns each file's name and bytes."""
    files = {
        "page.html": WEB_PAGE.encode(),
        "report.pdf": pdf_bytes(REPORT_PAGES, REPORT_INFO),
        "scan.pdf": pdf_bytes([[], []]),
        "minutes.docx": docx_bytes(),
        "minutes.odt": odt_bytes(),
        "letter.eml": EMAIL.encode(),
        "talk.vtt": WEBVTT.encode(),
        "episode.json": json.dumps(SPEECH_JSON).encode(),
        "hearing.md": MARKDOWN.encode(),
        "photo.png": PNG,
        "bundle.zip": zip_bytes(),
        "settings.json": b'{"theme": "dark"}',
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files
