"""Datasette's default error handler prints plain tracebacks: with ``rich`` installed (spaCy brings it
in) a route that does not exist was answered 500 instead of 404."""

from __future__ import annotations

import pytest
from datasette import handle_exception
from datasette.app import Datasette

from provcat.site.plain_tracebacks import plain_tracebacks


def test_the_default_error_handler_no_longer_prints_with_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handle_exception, "rich", object())
    plain_tracebacks()
    assert handle_exception.rich is None


async def test_a_route_that_does_not_exist_is_a_404_with_rich_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handle_exception, "rich", pytest.importorskip("rich"))
    ds = Datasette(memory=True)
    await ds.invoke_startup()
    response = await ds.client.get("/_memory/no/such/page")
    assert response.status_code == 404
