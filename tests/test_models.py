import pytest
from pydantic import ValidationError

from provcat.models import Mention, Sidecar, slugify


def test_slugify() -> None:
    assert slugify("King’s College London") == "kings-college-london"
    assert slugify("Erdoğan") == "erdogan"
    assert slugify("!!!") == "entity"


def test_assertion_offsets_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="before start"):
        Mention(start=5, end=2, surface="x", name="X", type="person", method="model", confidence=0.5)


def test_sidecar_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Sidecar.model_validate({"document": "a.txt", "auther": "me"})
