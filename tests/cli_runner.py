"""Run the provcat command line in-process, in a given folder, as a user would."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from provcat.cli import main


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of ``provcat ARGS`` run in ``cwd``."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def provcat(*args: str) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of ``provcat ARGS`` run here."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr
