"""A small archive (four notes of a harbour master), an empty metadata folder and their catalogue,
built by the real pipeline."""

from __future__ import annotations

from pathlib import Path

from provcat.build import build_catalogue

TEXTS = {f"doc-{n}.txt": f"The harbour master said on day {n} that the ferry would run again.\n" for n in range(4)}


def small_project(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(archive, metadata folder, catalogue) in ``tmp_path``."""
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in TEXTS.items():
        (archive / name).write_text(text)
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    return archive, metadata, db
