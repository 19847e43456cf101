"""ZIP containers checked before they are unpacked."""

import io
import zipfile

import pytest

from provcat.errors import ProvcatError
from provcat.readers.containers import check_zip


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_ordinary_container_passes() -> None:
    check_zip(_zip({"a.xml": b"<a>" + b"text " * 1000 + b"</a>"}), "a.docx", "DOCX")


def test_bomb_is_refused_by_its_ratio() -> None:
    with pytest.raises(ProvcatError, match="ZIP bomb"):
        check_zip(_zip({"a.xml": b"\0" * (50 * 1024 * 1024)}), "a.docx", "DOCX")


def test_not_a_zip() -> None:
    with pytest.raises(ProvcatError, match=r"^a\.odt: ODT not readable"):
        check_zip(b"hello", "a.odt", "ODT")
