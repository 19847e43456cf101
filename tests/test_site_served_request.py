"""What the site keeps for each request: the path of an HTTP request, kept for it alone, and a
catalogue a build has replaced reopened before an HTTP request reads it."""

from __future__ import annotations

from typing import Any

import pytest

from provcat.site import served_request
from provcat.site.served_request import remember_path, request_path, serving


async def test_each_http_request_is_answered_with_its_own_path_kept() -> None:
    seen: list[tuple[str | None, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append((request_path(), served_request.served_request()))

    wrapped = remember_path(app)
    await wrapped({"type": "http", "path": "/c/documents/a"}, None, None)
    await wrapped({"type": "http", "path": "/c/documents/b"}, None, None)
    await wrapped({"type": "lifespan"}, None, None)
    assert [path for path, _ in seen] == ["/c/documents/a", "/c/documents/b", None]
    assert all(kept is not None for _, kept in seen) and seen[0][1] is not seen[1][1]
    assert request_path() is None and served_request.served_request() is None  # nothing kept after


async def test_what_was_kept_is_let_go_when_answering_fails() -> None:
    async def failing(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert request_path() == "/broken"
        raise RuntimeError("the page failed")

    with pytest.raises(RuntimeError):
        await remember_path(failing)({"type": "http", "path": "/broken"}, None, None)
    assert request_path() is None


def test_a_request_inside_another_keeps_its_own_and_gives_the_outer_one_back() -> None:
    with serving("/outer") as outer:
        outer.reads[("c", "a")] = None
        with serving("/inner") as inner:
            assert request_path() == "/inner" and inner.reads == {}
        assert served_request.served_request() is outer and request_path() == "/outer"


async def test_a_replaced_catalogue_is_reopened_before_each_http_request(monkeypatch: pytest.MonkeyPatch) -> None:
    reopened: list[object] = []
    monkeypatch.setattr(served_request.reopening, "reopen_replaced", lambda datasette: reopened.append(datasette))
    site = object()
    answered: list[int] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        answered.append(len(reopened))  # how many reopenings came before the request was answered

    await remember_path(app, site)({"type": "http", "path": "/"}, None, None)
    await remember_path(app, site)({"type": "lifespan"}, None, None)
    await remember_path(app)({"type": "http", "path": "/"}, None, None)  # no site: nothing to reopen
    assert answered == [1, 1, 1] and reopened == [site]
