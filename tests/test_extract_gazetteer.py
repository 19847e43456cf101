from provcat.extract.entities import merge_short_forms
from provcat.extract.gazetteer import is_place, place_names
from provcat.models import Mention


def test_gazetteer_knows_countries_states_continents_and_large_cities() -> None:
    assert {"Portugal", "Vermont", "Oceania", "Porto", "Quezon City"} <= place_names()
    assert not is_place("Wiscasset")  # a small town: left to the model


def test_model_type_is_corrected_to_place() -> None:
    porto = Mention(start=0, end=5, surface="Porto", name="Porto", type="person", method="model:m", confidence=0.7)
    (fixed,) = merge_short_forms([porto])
    assert (fixed.type, fixed.method) == ("place", "model:m+gazetteer")


def test_authority_types_are_not_touched() -> None:
    jordan = Mention(start=0, end=6, surface="Jordan", name="Jordan", type="person", method="authority",
                     confidence=0.95)
    assert merge_short_forms([jordan]) == [jordan]


def test_first_names_merge_into_the_unique_full_name() -> None:
    full = Mention(start=0, end=12, surface="Maren Kerrow", name="Maren Kerrow", type="person",
                   method="model:m", confidence=0.7)
    first = Mention(start=20, end=25, surface="Maren", name="Maren", type="person", method="model:m",
                    confidence=0.7)
    assert [m.name for m in merge_short_forms([full, first])] == ["Maren Kerrow", "Maren Kerrow"]


def test_name_heads_and_shapes_correct_types() -> None:
    def model(name: str, kind: str) -> Mention:
        return Mention(start=0, end=len(name), surface=name, name=name, type=kind, method="model:m",
                       confidence=0.7)

    fixed = {m.name: (m.type, m.method) for m in merge_short_forms([
        model("Brackwater City Licensing Commission", "place"), model("Tolliver Hall", "organization"),
        model("TideLedger", "person"), model("Maren Hall", "person")])}
    assert fixed["Brackwater City Licensing Commission"] == ("organization", "model:m+name-head")
    assert fixed["TideLedger"] == ("organization", "model:m+name-shape")
    assert fixed["Maren Hall"] == ("person", "model:m")


def test_a_country_is_one_place_whatever_its_form() -> None:
    from provcat.extract.gazetteer import identity

    forms = {(i.name, i.geonames) for f in ("U.S.", "USA", "U.S.A.", "US", "United States") if (i := identity(f))}
    assert forms == {("United States", "6252001")}
    assert identity("U.S.").method == "gazetteer:iso-3166" and identity("United States").method == "gazetteer:country"


def test_names_that_stand_for_more_than_one_place_are_left_alone() -> None:
    from provcat.extract.gazetteer import identity

    assert identity("Washington") is None  # a state and cities
    assert identity("New York") is None  # a state and (by another of its names) a city
    assert identity("Georgia") is None  # a country and a state
    assert identity("Paris") is None  # cities are never identified: their names are shared
    assert identity("Vermont").method == "gazetteer:us-state"
