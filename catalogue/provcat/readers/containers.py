"""Formats that are ZIP containers (DOCX, ODT): checked before anything is unpacked, so that a
damaged file or a ZIP bomb (a few kilobytes that unpack to gigabytes) costs no more than its size."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import ProvcatError

#: At most this much, in all, unpacked from one container.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: At most this many members.
MAX_MEMBERS = 10_000
#: A member that unpacks to more than this many times its packed size is refused (text and XML
#: compress about 5 to 20 times; bombs by thousands).
MAX_RATIO = 200


def check_zip(data: bytes, path: Path | str, kind: str) -> None:
    """Refuse a container that is not a ZIP file, is encrypted, or unpacks to too much. Reading a
    member never yields more than its declared size (``zipfile`` stops there and checks the CRC),
    so the declared sizes bound what will be unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ProvcatError(path, f"{kind} not readable: damaged or not a ZIP container ({exc})") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ProvcatError(path, f"{kind} not read: {len(members):,} parts, more than {MAX_MEMBERS:,}")
        total = 0
        for member in members:
            if member.flag_bits & 0x1:
                raise ProvcatError(path, f"{kind} not read: encrypted")
            total += member.file_size
            if member.file_size > max(1024 * 1024, MAX_RATIO * max(member.compress_size, 1)):
                raise ProvcatError(path, f"{kind} not read: part {member.filename!r} unpacks to "
                                         f"{member.file_size:,} bytes from {member.compress_size:,} (a ZIP bomb?)")
        if total > MAX_UNPACKED_BYTES:
            raise ProvcatError(path, f"{kind} not read: unpacks to {total:,} bytes, more than {MAX_UNPACKED_BYTES:,}")
