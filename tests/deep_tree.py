"""Trees of folders deeper than recursion (or a path) can go, made and removed through descriptors."""

from __future__ import annotations

import os
from pathlib import Path

_DIR = os.O_RDONLY | os.O_DIRECTORY


def _enter(fd: int, name: str) -> int:
    inner = os.open(name, _DIR, dir_fd=fd)
    os.close(fd)
    return inner


def make_chain(top: Path, depth: int, content: bytes = b"") -> None:
    """``top/d/d/.../d/bottom.txt``, ``depth`` folders deep, made through descriptors (no long paths)."""
    fd = os.open(top, _DIR)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        fd = _enter(fd, "d")
    bottom = os.open("bottom.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(bottom, content)
    os.close(bottom)
    os.close(fd)


def remove_chain(top: Path, depth: int) -> None:
    """Undo :func:`make_chain` without recursion (shutil.rmtree recurses, and cannot go this deep)."""
    fd = os.open(top, _DIR)
    for _ in range(depth):
        fd = _enter(fd, "d")
    os.unlink("bottom.txt", dir_fd=fd)
    for _ in range(depth):
        fd = _enter(fd, "..")
        os.rmdir("d", dir_fd=fd)
    os.close(fd)
