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
    registry.note(entity, "Neumann", "d1", 0.75, joined_by="short form")
    registry.note(entity, "Peter Neumann", "d2", 0.9)
    registry.note(entity, "PETER NEUMANN", "d2", 0.95, joined_by="as extracted")
    record = registry.used()[0]
    assert record.aliases == {"Neumann": "short form", "PETER NEUMANN": "same name"}
    assert record.documents == {"d1", "d2"} and (record.mentions, record.confidence) == (3, 0.95)


def test_the_gazetteer_identifies_an_extracted_place_but_not_an_authority_record() -> None:
    from provcat.models import Authority

    registry = Registry([Authority(id="paris", name="Paris", type="place", geonames="2988507")])
    us = registry.resolve("United States", "place")
    registry.identify(us, "6252001", "gazetteer:iso-3166")
    registry.identify("paris", "1", "gazetteer:country")
    assert registry.records[us].identifiers == {"geonames": "6252001"}
    assert registry.records[us].identified_by == "gazetteer:iso-3166"
    assert registry.records["paris"].identifiers == {"geonames": "2988507"}
    assert registry.records["paris"].identified_by == "authority"


def test_name_key() -> None:
    assert name_key("The  King’s College") == "king's college"


def test_names_in_any_script_get_ids_of_their_own() -> None:
    registry = Registry([])
    assert registry.resolve("Владимир Путин", "person") == "vladimir-putin"
    assert registry.resolve("Łódź", "place") == "lodz"
    assert registry.resolve("Straße der Pariser Kommune", "place") == "strasse-der-pariser-kommune"
    assert registry.resolve("محمد بن سلمان", "person") == "mhmd-bn-slmn"
    assert registry.resolve("---", "organization").startswith("entity-")


def test_an_id_does_not_depend_on_the_other_names_of_the_archive() -> None:
    """Ids used to be handed out in turn ("entity", "entity-person", "entity-person-2", …), so the
    same person had another id once a document added a name before theirs."""
    names = ["Анна Петрова", "Иван Сидоров", "王小明", "Ольга Смирнова", "---", "***"]
    alone = {name: Registry([]).resolve(name, "person") for name in names}
    together = Registry([])
    for name in reversed(names):
        together.resolve("Кто-то Другой", "person")
        assert together.resolve(name, "person") == alone[name]
    assert len(set(alone.values())) == len(names)


def test_colliding_names_get_type_and_digest_suffixes_not_counters() -> None:
    registry = Registry([])
    first = registry.resolve("Washington", "place")
    second = registry.resolve("Washington", "person")
    third = registry.resolve("Wąshington", "person")  # the same slug and type, another name
    assert (first, second) == ("washington", "washington-person")
    assert third.startswith("washington-person-") and len(third) == len("washington-person-") + 8
    assert Registry([]).resolve("Wąshington", "person") == "washington"  # alone, it takes the plain slug


def test_many_names_are_registered_in_linear_time() -> None:
    """A new name costs a bounded number of id lookups, however many names share its id's base (it
    once tried entity, entity-person, entity-person-2, ... one by one: quadratic)."""

    class Counting(dict):  # type: ignore[type-arg]
        lookups = 0

        def __contains__(self, key: object) -> bool:
            Counting.lookups += 1
            return super().__contains__(key)

    registry = Registry([])
    registry.records = Counting(registry.records)
    names = 0
    for i in range(20000):
        registry.resolve(f"Имя{i}", "person")
        registry.resolve("Анна", "person" if i % 2 else "place")
        symbols = "".join("!@#$%^&*()"[int(d)] for d in str(i))  # nothing to transliterate
        registry.resolve(symbols, "organization")
        names += 3
    assert len(registry.records) > 40000
    assert Counting.lookups <= 4 * names
