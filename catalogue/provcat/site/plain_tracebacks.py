"""Errors printed plainly: Datasette 0.65's default error handler prints the traceback with ``rich``
when that is installed (spaCy brings it in). For a route that does not exist there is no exception
being handled, the print itself fails, and a 404 becomes a 500. Plain tracebacks are printed instead.
"""

from __future__ import annotations


def plain_tracebacks() -> None:
    """Stop Datasette's default error handler from using ``rich`` (it still prints server errors)."""
    from datasette import handle_exception as default_handler

    default_handler.rich = None  # type: ignore[attr-defined]
