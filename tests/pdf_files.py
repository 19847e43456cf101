"""Small PDF files made by the tests: pages with a text layer (standard Helvetica), pages without
one, a document information dictionary. Written byte by byte with a correct cross-reference table,
so that no PDF library is needed to make them."""

from __future__ import annotations


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


#: A standard security handler whose owner and user entries fit no password (not even the empty
#: one): a reader asks for the password.
ENCRYPT = (" /Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /O <" + "11" * 32 + "> /U <" + "22" * 32
           + "> /P -4 >> /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]")


def pdf_bytes(pages: list[list[str]], info: dict[str, str] | None = None, encrypted: bool = False) -> bytes:
    """A PDF with one page per item of ``pages``, each line of it shown as a line of text (an empty
    list gives a page without text); ``encrypted``, one that needs a password."""
    objects: list[bytes] = []
    first_page = 4
    page_numbers = [first_page + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{n} 0 R" for n in page_numbers)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        content_number = first_page + 2 * i + 1
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {content_number} 0 R >>".encode())
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1") if lines else b""
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    info_number = None
    if info:
        entries = " ".join(f"/{k} ({_escape(v)})" for k, v in info.items())
        objects.append(f"<< {entries} >>".encode("latin-1"))
        info_number = len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = (f"<< /Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {info_number} 0 R" if info_number else "")
               + (ENCRYPT if encrypted else "") + " >>")
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
