"""News agencies: the gazetteer's table of agencies and their countries."""

from __future__ import annotations

import polars as pl
import pytest

from gazetteer import load_gazetteer


@pytest.mark.parametrize(
    ("surface", "agency", "country_code"),
    [
        ("Kyodo", "Kyodo News", "JP"),
        ("Xinhua", "Xinhua News Agency", "CN"),
        ("Yonhap", "Yonhap News Agency", "KR"),
        ("KCNA", "Korean Central News Agency", "KP"),
        ("Itar-Tass", "TASS", "RU"),
        ("dpa", "Deutsche Presse-Agentur", "DE"),
        ("Reuters", "Reuters", None),
        ("AP", "Associated Press", None),
        ("Agence France-Presse", "Agence France-Presse", None),
    ],
)
def test_news_agency_spellings_name_their_agency_and_country(surface, agency, country_code):
    agencies = load_gazetteer().news_agencies
    row = agencies.filter(pl.col("surface") == surface)
    assert row.rows() == [(agency, surface, country_code)]


def test_news_agency_surfaces_are_unique():
    agencies = load_gazetteer().news_agencies
    assert agencies.get_column("surface").is_duplicated().sum() == 0
    assert agencies.columns == ["agency", "surface", "country_code"]
