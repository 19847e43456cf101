from provcat.models import Authority
from provcat.registry import Registry, name_key


def test_authority_names_and_aliases_resolve_to_the_authority() -> None:
    registry = Registry([Authority(id="kcl", name="King's College London", type="organization",
                                   aliases=["King's College"])])
    assert registry.resolve("King’s College", "organization") == "kcl"
    assert registry.resolve("king's college london", "organization") == "kcl"
    # the model's wrong type does not split an authority
    assert registry.resolve("King's College", "place") == "kcl"


def test_extracted_names_get_stable_slugs_and_types_do_not_collide() -> None:
    registry = Registry([])
    assert registry.resolve("Georgia", "place") == "georgia"
    assert registry.resolve("Georgia", "person") == "georgia-person"
    assert registry.resolve("The Georgia", "place") == "georgia"


def test_aliases_and_documents_are_noted() -> None:
    registry = Registry([])
    entity = registry.resolve("Peter Neumann", "person")
    registry.note(entity, "Neumann", "d1")
    registry.note(entity, "Peter Neumann", "d2")
    record = registry.used()[0]
    assert record.aliases == {"Neumann"} and record.documents == {"d1", "d2"}


def test_name_key() -> None:
    assert name_key("The  King’s College") == "king's college"
