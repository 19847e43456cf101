from pathlib import Path

import pytest
from pydantic import ValidationError

from provcat.curation import validate
from provcat.errors import ProvcatError
from provcat.models import Collection, Mention, Sidecar, slugify


def test_slugify() -> None:
    assert slugify("King’s College London") == "kings-college-london"
    assert slugify("Kerroğlu") == "kerroglu"
    assert slugify("!!!") == "entity"


def test_assertion_offsets_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="before start"):
        Mention(start=5, end=2, surface="x", name="X", type="person", method="model", confidence=0.5)


def test_sidecar_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Sidecar.model_validate({"document": "a.txt", "auther": "me"})


COLLECTION = {"title": "T", "description": "D", "rights": "R", "curator": "C"}
NOT_WEB_URLS = ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x",
                "//elsewhere.example/", "file:///etc/passwd", "https://", "ftp://x.example/", "https://x y"]


@pytest.mark.parametrize("url", NOT_WEB_URLS)
@pytest.mark.parametrize("field", ["licence_url", "source_url"])
def test_collection_urls_must_be_http(field: str, url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        Collection.model_validate({**COLLECTION, field: url})


@pytest.mark.parametrize("url", NOT_WEB_URLS)
def test_sidecar_source_url_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        Sidecar.model_validate({"document": "a.txt", "source_url": url})


def test_http_urls_are_kept_as_written() -> None:
    collection = Collection.model_validate({**COLLECTION, "licence_url": " HTTPS://example.org/licence ",
                                            "source_url": "http://example.org/a?b=1#c"})
    assert collection.licence_url == "HTTPS://example.org/licence"
    assert collection.source_url == "http://example.org/a?b=1#c"
    assert Sidecar.model_validate({"document": "a.txt", "source_url": None}).source_url is None


def test_a_bad_url_in_a_curated_file_is_one_line_naming_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    with pytest.raises(ProvcatError) as err:
        validate(Sidecar, {"document": "a.txt", "source_url": "javascript:alert(1)"}, path)
    assert str(err.value).startswith(f"{path}: field 'source_url': ") and "http" in str(err.value)
