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
