"""What the site keeps while Datasette answers one request, and the ASGI wrapper that keeps it.

Datasette 0.65 does not pass the request to ``render_cell``; the wrapper records the request path in
a context variable so that the hooks know which page they are rendering, and before the request is
answered reopens a catalogue that a build has replaced (:mod:`provcat.site.reopening`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from . import reopening


@dataclass
class ServedRequest:
    """What the plugin keeps while Datasette answers one request: the request's path (Datasette 0.65
    does not give it to ``render_cell``), the documents already read (a document's text cell and its
    page both need the reading) and the table and query URLs already built (every cell needs one)."""

    path: str | None
    reads: dict[tuple[str, str], Any] = field(default_factory=dict)  # DocumentReading | None
    urls: dict[tuple[str, str, str], str] = field(default_factory=dict)


_request: ContextVar[ServedRequest | None] = ContextVar("provcat_request", default=None)


def served_request() -> ServedRequest | None:
    """What is kept for the request being answered (None outside a request)."""
    return _request.get()


def request_path() -> str | None:
    """The path of the request being answered (None outside a request)."""
    served = _request.get()
    return None if served is None else served.path


@contextmanager
def serving(path: str | None) -> Iterator[ServedRequest]:
    """Keep a new :class:`ServedRequest` for the request at ``path`` while the block answers it."""
    token = _request.set(ServedRequest(path))
    try:
        yield _request.get()  # type: ignore[misc]
    finally:
        _request.reset(token)


ASGIApp = Callable[..., Awaitable[None]]


def remember_path(app: ASGIApp, datasette: Any = None) -> ASGIApp:
    """Wrap an ASGI app so that the plugin's hooks share a :class:`ServedRequest` per request, and
    so that a catalogue a build has replaced is reopened before the request reads it."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if datasette is not None and scope.get("type") == "http":
            reopening.reopen_replaced(datasette)
        with serving(scope.get("path") if scope.get("type") == "http" else None):
            await app(scope, receive, send)

    return wrapped
