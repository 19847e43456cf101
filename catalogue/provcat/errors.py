"""Errors that are the user's to fix: each names the file and the problem in one line."""

from __future__ import annotations

from pathlib import Path


class ProvcatError(Exception):
    """A problem with an input or the catalogue, reported as one line naming the file."""

    def __init__(self, path: Path | str | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = " ".join(problem.split())
        super().__init__(f"{self.path}: {self.problem}" if self.path else self.problem)
