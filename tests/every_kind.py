"""An archive of files of many kinds, made by the tests (no network, no fixtures from elsewhere): the
two seed documents, a PNG, a ZIP, a PDF, an HTML page and a file no format signature matches, with
the PRONOM identifiers Siegfried (with the signature files pygfried 2.2.0 bundles) gives each. The
PDF and the page are documents too (their text is read); the others are files only."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def png() -> bytes:
    """A valid 1 x 1 greyscale PNG: signature, IHDR, IDAT and IEND chunks with their CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) \
        + chunk(b"IEND", b"")


def zip_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes/readme.txt", "A file inside a ZIP.\n")
    return buffer.getvalue()


def pdf() -> bytes:
    """A minimal PDF 1.4 of one page saying "Hello", written by hand with a correct cross-reference table."""
    stream = b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


HTML = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Harbour reopens</title></head>\n"
        "<body><h1>Harbour reopens</h1><p>The harbour master said the ferry would run again.</p></body></html>\n")
#: Bytes no signature matches, in a file without an extension.
MYSTERY = b"\x01\x02\x03 provcat test bytes \xfe\xfd\n"

#: Every file of the archive that is not a seed document: (path, bytes, the PUID Siegfried gives, format name).
OTHER_FILES = [
    ("images/pixel.png", png(), "fmt/11", "Portable Network Graphics"),
    ("bundle.zip", zip_file(), "x-fmt/263", "ZIP Format"),
    ("reports/report.pdf", pdf(), "fmt/18", "Acrobat PDF 1.4 - Portable Document Format"),
    ("web/page.html", HTML.encode(), "fmt/471", "Hypertext Markup Language"),
    ("mystery", MYSTERY, None, None),
]
#: The other files that are documents (their text is read), with their document ids.
DOCUMENT_FILES = {"reports/report.pdf": "reports/report", "web/page.html": "web/page"}
#: The files that are not documents: kept, hashed and identified, without text.
NOT_DOCUMENTS = [path for path, *_ in OTHER_FILES if path not in DOCUMENT_FILES]
#: The PRONOM identifier of a plain text file, as the seeds are.
PLAIN_TEXT = "x-fmt/111"


def seed_names() -> list[str]:
    return sorted(p.name for p in SEEDS.glob("*.txt"))


def every_kind(folder: Path) -> Path:
    """``folder`` (created) holding the seeds and :data:`OTHER_FILES`; returns it."""
    folder.mkdir(parents=True)
    for name in seed_names():
        shutil.copyfile(SEEDS / name, folder / name)
    for path, data, _, _ in OTHER_FILES:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


def expected_puids() -> dict[str, str | None]:
    """Each file's path and the PUID its identification should record."""
    return {**dict.fromkeys(seed_names(), PLAIN_TEXT), **{path: puid for path, _, puid, _ in OTHER_FILES}}
