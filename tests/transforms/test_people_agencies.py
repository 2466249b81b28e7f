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


def _people(body: str, gazetteer, source: str | None = None) -> list[tuple]:
    from transforms.pipeline import transform_articles
    from transforms.schemas import ARTICLE_SCHEMA

    articles = pl.DataFrame({k: [None] for k in ARTICLE_SCHEMA}, schema=ARTICLE_SCHEMA)
    articles = articles.with_columns(
        pl.lit("a").alias("article_id"),
        pl.lit(f"Headline\n\n{body}").alias("text"),
        pl.lit(source, dtype=pl.String).alias("source"),
    )
    mentions = pl.collect_all(list(transform_articles(articles.lazy(), gazetteer)))[2]
    return mentions.select("surface", "entity_id", "mention_kind", "country_code").rows()


@pytest.mark.parametrize(
    ("source", "body", "expected"),
    [
        # A title of office with no country word takes a national agency's country.
        ("Kyodo News", "Prime Minister Shinzo Abe spoke.", "JP"),
        ("Wire Desk", "BEIJING, May 3 (Xinhua) -- Premier Li Keqiang spoke.", "CN"),
        ("Wire Desk", "Foreign Minister Kang Kyung Wha spoke. -- Yonhap", "KR"),
        # International agencies leave it open.
        ("Wire Desk", "Prime Minister Shinzo Abe spoke. (AP)", None),
        ("Reuters", "Prime Minister Shinzo Abe spoke.", None),
        # A country word wins over the agency; courtesy titles and ranks take no agency country.
        ("Kyodo News", "British Prime Minister Theresa May spoke.", "GB"),
        ("Kyodo News", "Later Mr. Howard Dean spoke.", None),
        ("Kyodo News", "Later Gen. Joseph Dunford spoke.", None),
        # An organisation's officer is not the agency country's (`U.N. Secretary General`).
        ("Kyodo News", "U.N. Secretary General Antonio Guterres spoke.", None),
    ],
)
def test_a_bare_title_in_a_national_agencys_copy_takes_the_agencys_country(
    gazetteer, source, body, expected
):
    people = [(s, c) for s, _, kind, c in _people(body, gazetteer, source) if kind == "person"]
    assert len(people) == 1
    assert people[0][1] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("U.S. President-elect Donald Trump spoke.", ("Donald Trump", "person:donald-trump", "US")),
        ("Chinese Vice Premier Wang Yang spoke.", ("Wang Yang", "person:wang-yang", "CN")),
        ("Lt. Gov. Dan Patrick spoke.", ("Dan Patrick", "person:dan-patrick", None)),
        ("Cardinal Joseph Bernardin spoke.", ("Joseph Bernardin", "person:joseph-bernardin", None)),
        ("Ayatollah Ali Khamenei spoke.", ("Ali Khamenei", "person:ali-khamenei", None)),
        ("British opposition leader Michael Howard spoke.",
         ("Michael Howard", "person:michael-howard", "GB")),
        ("Then S. Waugh was out.", ("S. Waugh", "person:s-waugh", None)),
    ],
)  # fmt: skip
def test_more_title_forms_introduce_a_person(gazetteer, body, expected):
    people = [(s, e, c) for s, e, kind, c in _people(body, gazetteer) if kind == "person"]
    assert people == [expected]


def test_a_us_state_before_state_sen_is_the_state_and_the_senator_american(gazetteer):
    found = _people("Georgia state Sen. Raymond L. Pruitt said so, and Mr. Pruitt left.", gazetteer)

    assert found == [
        ("Georgia", "place:US-GA", "place", "US"),
        ("Raymond L. Pruitt", "person:raymond-l-pruitt", "person", "US"),
        ("Pruitt", "person:raymond-l-pruitt", "person", "US"),
    ]


def test_initials_that_spell_a_country_make_no_person(gazetteer):
    found = _people("The U.S. Open began and N. Korea fired.", gazetteer)

    assert [kind for _, _, kind, _ in found] == ["name", "name"]
