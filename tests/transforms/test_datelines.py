"""Opening datelines: the country of the dateline city."""

from __future__ import annotations

import polars as pl
import pytest

from gazetteer import Gazetteer
from gazetteer.datelines import dateline_places, dateline_regions
from transforms.datelines import dateline_countries


@pytest.mark.parametrize(
    ("dateline", "place", "expected"),
    [
        ("TOKYO, April 10", "TOKYO", "JP"),
        ("SALVADOR, Feb 26", "SALVADOR", "BR"),  # Salvador da Bahia, GeoNames' largest Salvador
        ("SAN MATEO, Calif., March 3", "SAN MATEO", "US"),  # not the Philippine San Mateo
        ("GREENWICH, Conn., March 3", "GREENWICH", "US"),  # not London's Greenwich
        ("LONDON, Ontario, Jan 2", "LONDON", "CA"),
        ("CAMBRIDGE, England, Jan 2", "CAMBRIDGE", "GB"),
        ("FRANKFURT, March 3", "FRANKFURT", "DE"),  # GeoNames calls it Frankfurt am Main
        ("PHOENIX, March 3", "PHOENIX", "US"),  # stoplisted as a mention, fine as a dateline
        ("NEW YORK (Reuters)", "NEW YORK", "US"),
        ("SAO PAULO, Feb 26", "SAO PAULO", "BR"),
        ("WASHINGTON, April 10", "WASHINGTON", "US"),
    ],
)
def test_dateline_city_gives_its_country(
    dateline: str, place: str, expected: str, gazetteer: Gazetteer
) -> None:
    articles = pl.DataFrame({"dateline": [dateline], "dateline_place": [place]})
    result = dateline_countries(
        articles.lazy(), gazetteer.surface_forms, dateline_regions(), dateline_places()
    ).collect()
    assert result.get_column("dateline_country_code").to_list() == [expected]


def test_articles_without_an_opening_dateline_get_no_dateline_country(
    gazetteer: Gazetteer,
) -> None:
    articles = pl.DataFrame(
        {"dateline": ["April 10", None], "dateline_place": [None, None]},
        schema={"dateline": pl.String, "dateline_place": pl.String},
    )
    result = dateline_countries(
        articles.lazy(), gazetteer.surface_forms, dateline_regions(), dateline_places()
    ).collect()
    assert result.get_column("dateline_country_code").to_list() == [None, None]


# Where each dateline city lies, from an atlas (to about a tenth of a degree): the point of the
# city the dateline names, in the country the dateline gives.
@pytest.mark.parametrize(
    ("dateline", "place", "latitude", "longitude"),
    [
        ("TOKYO, April 10", "TOKYO", 35.69, 139.69),  # Japan's point: its capital
        ("WASHINGTON, April 10", "WASHINGTON", 38.90, -77.04),  # the capital, not the state
        ("LONDON, Ontario, Jan 2", "LONDON", 42.98, -81.23),  # London in Canada
        ("CAMBRIDGE, England, Jan 2", "CAMBRIDGE", 52.20, 0.12),  # not Cambridge, Mass.
        ("SAN MATEO, Calif., March 3", "SAN MATEO", 37.56, -122.33),
        ("SALVADOR, Feb 26", "SALVADOR", -12.97, -38.50),  # a GeoNames-only name
        ("FRANKFURT, March 3", "FRANKFURT", 50.11, 8.68),  # am Main, the larger Frankfurt
    ],
)
def test_dateline_city_gives_its_point(
    dateline: str, place: str, latitude: float, longitude: float, gazetteer: Gazetteer
) -> None:
    articles = pl.DataFrame({"dateline": [dateline], "dateline_place": [place]})
    result = dateline_countries(
        articles.lazy(),
        gazetteer.surface_forms,
        dateline_regions(),
        dateline_places(),
        entities=gazetteer.entities,
        points=gazetteer.dateline_points,
    ).collect()
    [(got_latitude, got_longitude)] = result.select(
        "dateline_latitude", "dateline_longitude"
    ).rows()
    assert got_latitude == pytest.approx(latitude, abs=0.1)
    assert got_longitude == pytest.approx(longitude, abs=0.1)


def test_a_dateline_without_a_known_city_or_without_one_at_all_has_no_point(
    gazetteer: Gazetteer,
) -> None:
    articles = pl.DataFrame(
        {"dateline": ["QQXQQ, March 3", "April 10"], "dateline_place": ["QQXQQ", None]}
    )
    result = dateline_countries(
        articles.lazy(),
        gazetteer.surface_forms,
        dateline_regions(),
        dateline_places(),
        entities=gazetteer.entities,
        points=gazetteer.dateline_points,
    ).collect()
    assert result.select("dateline_latitude", "dateline_longitude").rows() == [
        (None, None),
        (None, None),
    ]
