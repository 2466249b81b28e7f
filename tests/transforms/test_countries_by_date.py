"""Countries by date: a successor state's mention in a former state's time counts as the former
state (gazetteer/data/successions.csv, transforms/countries_by_date.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from gazetteer import Gazetteer
from gazetteer.build import SUCCESSION_SCHEMA
from transforms.countries_by_date import former_country, mention_countries_by_date
from transforms.pipeline import transform_articles
from transforms.schemas import ARTICLE_SCHEMA


def transformed(
    body: str,
    published: date | None,
    gazetteer: Gazetteer,
    dateline: tuple[str, str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(articles, mentions) of one article with that body, published that day."""
    articles = pl.DataFrame({k: [None] for k in ARTICLE_SCHEMA}, schema=ARTICLE_SCHEMA)
    articles = articles.with_columns(
        pl.lit("a").alias("article_id"),
        pl.lit(f"Headline\n\n{body}").alias("text"),
        pl.lit(published, dtype=pl.Date).alias("published_date"),
        pl.lit(dateline[0] if dateline else None, dtype=pl.String).alias("dateline"),
        pl.lit(dateline[1] if dateline else None, dtype=pl.String).alias("dateline_place"),
    )
    result = transform_articles(articles.lazy(), gazetteer)
    return result.articles.collect(), result.mentions.collect()


def countries(body: str, published: date | None, gazetteer: Gazetteer) -> list[tuple[str, str]]:
    """(surface, country_code) of every mention of the article."""
    _, mentions = transformed(body, published, gazetteer)
    return mentions.select("surface", "country_code").rows()


SENTENCE = "Diplomats from Moscow, Leningrad, Bonn, East Berlin, Leipzig, Belgrade and Prague met."


def test_a_1987_article_counts_soviet_east_german_yugoslav_and_czechoslovak_places_as_then(
    gazetteer: Gazetteer,
) -> None:
    assert countries(SENTENCE, date(1987, 3, 2), gazetteer) == [
        ("Moscow", "SU"),
        ("Leningrad", "SU"),
        ("Bonn", "DE"),  # West Germany's capital: the FRG continued as DE
        ("East Berlin", "DD"),
        ("Leipzig", "DD"),  # a place of the Laender that formed the GDR
        ("Belgrade", "YU"),
        ("Prague", "CS"),
    ]


def test_a_2020_article_counts_the_same_places_as_todays_countries(gazetteer: Gazetteer) -> None:
    assert countries(SENTENCE, date(2020, 3, 2), gazetteer) == [
        ("Moscow", "RU"),
        ("Leningrad", "RU"),
        ("Bonn", "DE"),
        ("East Berlin", "DD"),  # a name of the former state itself stays that state
        ("Leipzig", "DE"),
        ("Belgrade", "RS"),
        ("Prague", "CZ"),
    ]


def test_an_undated_article_keeps_todays_codes(gazetteer: Gazetteer) -> None:
    assert countries("Officials in Moscow and Leipzig agreed.", None, gazetteer) == [
        ("Moscow", "RU"),
        ("Leipzig", "DE"),
    ]


def test_demonyms_of_successor_states_count_as_the_former_state(gazetteer: Gazetteer) -> None:
    body = "Russian, Ukrainian, West German, East German, Yugoslav and Slovak officials met."
    assert countries(body, date(1987, 6, 1), gazetteer) == [
        ("Russian", "SU"),
        ("Ukrainian", "SU"),
        ("West German", "DE"),
        ("East German", "DD"),
        ("Yugoslav", "YU"),
        ("Slovak", "CS"),
    ]


def test_a_mentions_entity_keeps_todays_country_so_the_modern_code_stays_available(
    gazetteer: Gazetteer,
) -> None:
    _, mentions = transformed("Officials in Moscow agreed.", date(1987, 3, 2), gazetteer)
    assert mentions.select("entity_id", "country_code").rows() == [("country:RU", "SU")]


@pytest.mark.parametrize(
    ("body", "published", "expected"),
    [
        # The Soviet Union's last day (1991-12-26) is still its own.
        ("Officials in Moscow agreed.", date(1991, 12, 26), "SU"),
        ("Officials in Moscow agreed.", date(1991, 12, 27), "RU"),
        # The GDR acceded at midnight: its last day is 1990-10-02.
        ("Officials in Leipzig agreed.", date(1990, 10, 2), "DD"),
        ("Officials in Leipzig agreed.", date(1990, 10, 3), "DE"),
        # The USSR recognised the Baltic states on 1991-09-06, months before its end.
        ("Officials in Vilnius agreed.", date(1991, 9, 5), "SU"),
        ("Officials in Vilnius agreed.", date(1991, 9, 6), "LT"),
        # Czechoslovakia split at midnight after 1992-12-31.
        ("Officials in Bratislava agreed.", date(1992, 12, 31), "CS"),
        ("Officials in Bratislava agreed.", date(1993, 1, 1), "SK"),
        # Before the Soviet Union existed, Moscow is Russia's.
        ("Officials in Moscow agreed.", date(1920, 1, 1), "RU"),
    ],
)
def test_the_first_and_last_days_of_a_former_state_are_its_own(
    body: str, published: date, expected: str, gazetteer: Gazetteer
) -> None:
    [(_, country)] = countries(body, published, gazetteer)
    assert country == expected


@pytest.mark.parametrize(
    ("dateline", "published", "expected"),
    [
        (("MOSCOW, March 2", "MOSCOW"), date(1987, 3, 2), "SU"),
        (("MOSCOW, March 2", "MOSCOW"), date(2020, 3, 2), "RU"),
        (("LEIPZIG, March 2", "LEIPZIG"), date(1987, 3, 2), "DD"),
        (("BONN, March 2", "BONN"), date(1987, 3, 2), "DE"),
        (("ZAGREB, March 2", "ZAGREB"), date(1987, 3, 2), "YU"),
        (("MOSCOW, March 2", "MOSCOW"), None, "RU"),
    ],
)
def test_the_dateline_country_is_the_country_of_the_articles_date(
    dateline: tuple[str, str], published: date | None, expected: str, gazetteer: Gazetteer
) -> None:
    articles, _ = transformed("Officials agreed.", published, gazetteer, dateline)
    assert articles.get_column("dateline_country_code").to_list() == [expected]


def successions(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SUCCESSION_SCHEMA, orient="row")


def test_a_place_row_wins_over_its_countrys_row_and_applies_to_that_place_only() -> None:
    table = successions(
        ("XA", "ZZ", None, date(1950, 1, 1), date(1960, 12, 31)),
        ("XB", "ZZ", "place:1", date(1950, 1, 1), date(1970, 12, 31)),
    )
    frame = pl.LazyFrame(
        {
            "entity_id": ["place:1", "place:2", "place:1", "person:x", "place:1"],
            "country_code": ["ZZ", "ZZ", "ZZ", "ZZ", "ZZ"],
            "day": [date(1955, 1, 1), date(1955, 1, 1), date(1965, 1, 1), date(1955, 1, 1), None],
        }
    )
    result = former_country(frame, table, date="day", code="country_code", entity_id="entity_id")
    assert result.collect().get_column("country_code").to_list() == ["XB", "XA", "XB", "XA", "ZZ"]


def test_codes_no_succession_lists_and_null_codes_pass_through_unchanged() -> None:
    table = successions(("XA", "ZZ", None, date(1950, 1, 1), date(1960, 12, 31)))
    frame = pl.LazyFrame(
        {"country_code": ["JP", None, "ZZ"], "day": [date(1955, 1, 1)] * 3},
        schema={"country_code": pl.String, "day": pl.Date},
    )
    result = former_country(frame, table, date="day", code="country_code").collect()
    assert result.get_column("country_code").to_list() == ["JP", None, "XA"]
    assert result.columns == ["country_code", "day"]


def test_mentions_count_by_their_articles_date_in_the_order_given() -> None:
    # Only the successor's code changes, by each article's own date; other codes, null codes
    # and undated articles keep theirs, and every mention stays in its place.
    table = successions(
        ("XA", "ZZ", None, date(1950, 1, 1), date(1960, 12, 31)),
        ("XB", "ZZ", "place:1", date(1950, 1, 1), date(1970, 12, 31)),
    )
    mentions = pl.LazyFrame(
        {
            "article_id": ["new", "old", "old", "old", "old", "undated"],
            "start_char": [0, 9, 3, 5, 1, 0],
            "entity_id": ["country:ZZ", "country:ZZ", "country:JP", "place:1", "person:x",
                          "country:ZZ"],
            "country_code": ["ZZ", "ZZ", "JP", "ZZ", None, "ZZ"],
        }
    )  # fmt: skip
    articles = pl.LazyFrame(
        {"article_id": ["old", "new", "undated"],
         "published_date": [date(1955, 1, 1), date(2020, 1, 1), None]},
    )  # fmt: skip
    result = mention_countries_by_date(mentions, articles, table).collect()
    assert result.columns == ["article_id", "start_char", "entity_id", "country_code"]
    assert result.select("article_id", "start_char", "country_code").rows() == [
        ("new", 0, "ZZ"),
        ("old", 9, "XA"),
        ("old", 3, "JP"),
        ("old", 5, "XB"),
        ("old", 1, None),
        ("undated", 0, "ZZ"),
    ]


def test_every_former_country_has_its_days_and_every_succession_lies_inside_them(
    gazetteer: Gazetteer,
) -> None:
    formers = gazetteer.countries.filter(pl.col("is_historical"))
    assert formers.filter(
        pl.col("valid_from").is_null() | pl.col("valid_to").is_null()
        | (pl.col("valid_from") >= pl.col("valid_to"))
    ).is_empty()  # fmt: skip
    current = gazetteer.countries.filter(~pl.col("is_historical"))
    assert current.filter(pl.col("valid_from").is_not_null()).is_empty()
    outside = gazetteer.successions.join(
        formers.select("country_code", "valid_from", "valid_to"),
        left_on="former_code",
        right_on="country_code",
        suffix="_former",
    ).filter(
        (pl.col("valid_from") < pl.col("valid_from_former"))
        | (pl.col("valid_to") > pl.col("valid_to_former"))
    )
    assert outside.is_empty()
    assert set(gazetteer.successions.filter(pl.col("former_code") == "SU")["successor_code"]) == {
        "RU", "UA", "BY", "KZ", "UZ", "TM", "KG", "TJ", "AM", "AZ", "GE", "MD", "EE", "LV", "LT",
    }  # fmt: skip
