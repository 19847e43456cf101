"""Fixity: digests of the exact bytes of a file, streamed, and the manifest digest of a build.

SHA-256 is the identity digest; SHA-512 is the second algorithm BagIt 1.0 recommends. Both are
computed in one pass over the bytes. This module imports nothing heavy, so verification starts fast.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ALGORITHMS = ("sha256", "sha512")
BLOCK_SIZE = 1 << 20


@dataclass(frozen=True)
class Digests:
    sha256: str
    sha512: str
    size_bytes: int

    def get(self, algorithm: str) -> str:
        return getattr(self, algorithm)


def digest_bytes(data: bytes) -> Digests:
    return Digests(hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(), len(data))


def digest_file(path: Path, algorithms: Iterable[str] = ALGORITHMS) -> Digests:
    """Hash a file in large blocks without holding it in memory."""
    wanted = set(algorithms)
    sha256 = hashlib.sha256()
    sha512 = hashlib.sha512() if "sha512" in wanted else None
    size = 0
    buffer = bytearray(BLOCK_SIZE)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while True:
            n = handle.readinto(buffer)
            if not n:
                break
            size += n
            sha256.update(view[:n])
            if sha512 is not None:
                sha512.update(view[:n])
    return Digests(sha256.hexdigest(), sha512.hexdigest() if sha512 is not None else "", size)


def manifest_lines(entries: Iterable[tuple[str, str]]) -> str:
    """The build manifest: one ``<sha256>  <path>`` line per document, sorted by path, LF endings.

    It is the format ``sha256sum`` writes and reads, so ``sha256sum -c`` can check it from the
    archive root.
    """
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(entries))


def manifest_sha256(entries: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of :func:`manifest_lines` over (path, sha256) pairs."""
    return hashlib.sha256(manifest_lines(entries).encode("utf-8")).hexdigest()
