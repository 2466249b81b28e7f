"""People and organisations: titles, appositives, given names, surnames, bodies, companies,
ambiguous names and ALL-CAPS text (rules in transforms/entities/__init__.py)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from gazetteer import Gazetteer
from transforms.pipeline import transform_articles
from transforms.reading import articles_frame, read_document
from transforms.schemas import ARTICLE_SCHEMA, LEDGER_SCHEMA
from warehouse import db


def transformed(body: str, gazetteer: Gazetteer, headline: str = "Headline") -> tuple:
    articles = pl.DataFrame({k: [None] for k in ARTICLE_SCHEMA}, schema=ARTICLE_SCHEMA)
    articles = articles.with_columns(
        pl.lit("a").alias("article_id"), pl.lit(f"{headline}\n\n{body}").alias("text")
    )
    return pl.collect_all(list(transform_articles(articles.lazy(), gazetteer)))


def found(body: str, gazetteer: Gazetteer, headline: str = "Headline") -> list[tuple]:
    _, _, mentions, _ = transformed(body, gazetteer, headline)
    return mentions.select("surface", "entity_id", "mention_kind", "country_code").rows()


def people(body: str, gazetteer: Gazetteer) -> list[tuple]:
    return [(s, e, c) for s, e, k, c in found(body, gazetteer) if k == "person"]


def orgs(body: str, gazetteer: Gazetteer) -> list[tuple]:
    return [(s, e, c) for s, e, k, c in found(body, gazetteer) if k == "organization"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Chinese President Xi Jinping arrived.", ("Xi Jinping", "person:xi-jinping", "CN")),
        (
            "U.S. Secretary of State Rex Tillerson spoke.",
            ("Rex Tillerson", "person:rex-tillerson", "US"),
        ),
        ("China's Foreign Minister Wang Yi spoke.", ("Wang Yi", "person:wang-yi", "CN")),
        ("U.S. Vice President Mike Pence spoke.", ("Mike Pence", "person:mike-pence", "US")),
        ("Prime Minister Shinzo Abe spoke.", ("Shinzo Abe", "person:shinzo-abe", None)),
        ("Saudi King Salman arrived.", ("Salman", "person:salman", "SA")),
        ("The talks, said Mr. Smith, went well.", ("Smith", "person:smith", None)),
        ("Gen. Joseph Dunford said so.", ("Joseph Dunford", "person:joseph-dunford", None)),
        (
            "Chinese Foreign Ministry spokesman Lu Kang said so.",
            ("Lu Kang", "person:lu-kang", "CN"),
        ),
    ],
)
def test_a_title_introduces_a_person_and_its_country_word_gives_the_country(
    body: str, expected: tuple, gazetteer: Gazetteer
) -> None:
    assert people(body, gazetteer)[0] == expected


def test_japanese_ambassador_to_south_korea_is_japanese(gazetteer: Gazetteer) -> None:
    body = "Japanese Ambassador to South Korea Yasumasa Nagamine returned."
    assert found(body, gazetteer) == [
        ("Japanese", "country:JP", "demonym", "JP"),
        ("South Korea", "country:KR", "name", "KR"),
        ("Yasumasa Nagamine", "person:yasumasa-nagamine", "person", "JP"),
    ]


def test_the_title_country_word_is_also_a_country_mention(gazetteer: Gazetteer) -> None:
    assert found("Chinese President Xi Jinping arrived.", gazetteer)[0] == (
        "Chinese", "country:CN", "demonym", "CN",
    )  # fmt: skip


def test_an_appositive_introduces_a_person(gazetteer: Gazetteer) -> None:
    body = "Federica Mogherini, high representative of the European Union, agreed."
    assert people(body, gazetteer) == [("Federica Mogherini", "person:federica-mogherini", None)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("The bowler, said Wasim Akram, was tired.", "Wasim Akram"),
        ("Kim Jong Un watched the launch.", "Kim Jong Un"),
        ("Michael Jordan played.", "Michael Jordan"),
        ("Denzel Washington starred.", "Denzel Washington"),
        ("Chad Smith drummed.", "Chad Smith"),
    ],
)
def test_a_full_name_starting_with_a_given_name_is_a_person(
    body: str, expected: str, gazetteer: Gazetteer
) -> None:
    assert [s for s, _, k, _ in found(body, gazetteer)] == [expected]


@pytest.mark.parametrize(
    "body",
    [
        "Will Japan agree to the deal?",
        "May Japan and China agree?",
        "North Korea fired a missile.",
        "When Japan agreed, prices rose.",
        "Morgan Stanley Bank said.",
        "Grant Park was closed.",
    ],
)
def test_capitalised_words_that_are_not_names_make_no_person(
    body: str, gazetteer: Gazetteer
) -> None:
    assert people(body, gazetteer) == []


def test_later_surnames_are_the_same_person_with_the_same_country(
    gazetteer: Gazetteer,
) -> None:
    body = (
        "Japanese Foreign Minister Fumio Kishida met officials. Kishida said Kishida's plan "
        "worked. Syrian President Bashar al-Assad spoke. The Assad administration agreed."
    )
    assert people(body, gazetteer) == [
        ("Fumio Kishida", "person:fumio-kishida", "JP"),
        ("Kishida", "person:fumio-kishida", "JP"),
        ("Kishida", "person:fumio-kishida", "JP"),
        ("Bashar al-Assad", "person:bashar-al-assad", "SY"),
        ("Assad", "person:bashar-al-assad", "SY"),
    ]


def test_chinese_names_are_shortened_to_the_family_name(gazetteer: Gazetteer) -> None:
    body = "Chinese President Xi Jinping arrived. Xi said so."
    assert [s for s, _, _ in people(body, gazetteer)] == ["Xi Jinping", "Xi"]


def test_a_surname_that_is_a_country_word_stays_a_country(gazetteer: Gazetteer) -> None:
    body = "Denzel Washington starred. Washington imposed sanctions."
    assert found(body, gazetteer)[1] == ("Washington", "country:US", "capital", "US")


def test_mentions_come_by_article_and_start_whichever_pass_found_them(
    gazetteer: Gazetteer,
) -> None:
    # Articles given out of order, each with countries, places, people and organisations
    # (found by different passes) and a dateline mention that is dropped.
    articles = pl.DataFrame({k: [None, None] for k in ARTICLE_SCHEMA}, schema=ARTICLE_SCHEMA)
    articles = articles.with_columns(
        pl.Series("article_id", ["b", "a"]),
        pl.Series("text", [
            "H\n\nTOKYO, April 10 (Kyodo) - Toyota Motor Corp. told Prime Minister Shinzo Abe "
            "that France and the Bank of Japan agreed. Abe spoke in Osaka.",
            "H\n\nRussian President Vladimir Putin met OPEC in Vienna; Putin left for Berlin.",
        ]),
    )  # fmt: skip
    _, sentences, mentions, evidence = pl.collect_all(
        list(transform_articles(articles.lazy(), gazetteer))
    )
    keys = mentions.select("article_id", "start_char").rows()
    assert len(keys) >= 10 and {kind for kind in mentions.get_column("mention_kind")} >= {
        "person", "organization", "name",
    }  # fmt: skip
    assert keys == sorted(keys)

    # The passes number the articles inside (transforms/pipeline.py); what comes out carries
    # each article's own id.
    def of(frame: pl.DataFrame, article_id: str, column: str) -> set[str]:
        return set(frame.filter(pl.col("article_id") == article_id).get_column(column))

    assert {"Shinzo Abe", "Toyota Motor Corp."} <= of(mentions, "b", "surface")
    assert {"Vladimir Putin", "Putin"} <= of(mentions, "a", "surface")
    assert "person:shinzo-abe" in of(evidence, "b", "entity_id")
    assert "person:vladimir-putin" in of(evidence, "a", "entity_id")
    assert any("Putin left for Berlin." in text for text in of(sentences, "a", "sentence"))
    assert any("Abe spoke in Osaka." in text for text in of(sentences, "b", "sentence"))


def test_the_same_full_name_is_one_entity_across_articles(gazetteer: Gazetteer) -> None:
    articles = pl.DataFrame({k: [None, None] for k in ARTICLE_SCHEMA}, schema=ARTICLE_SCHEMA)
    articles = articles.with_columns(
        pl.Series("article_id", ["a", "b"]),
        pl.Series("text", ["H\n\nRussian President Vladimir Putin spoke.",
                           "H\n\nVladimir Putin and Putin again."]),
    )  # fmt: skip
    _, _, mentions, evidence = pl.collect_all(list(transform_articles(articles.lazy(), gazetteer)))
    people = mentions.filter(pl.col("mention_kind") == "person")
    assert people.get_column("entity_id").unique().to_list() == ["person:vladimir-putin"]
    assert people.get_column("country_code").to_list() == ["RU", None, None]
    # One entity; each article's evidence gives its name, the country it says, and how often.
    assert evidence.filter(pl.col("entity_type") == "person").sort("article_id").rows() == [
        ("a", "person:vladimir-putin", "person", "Vladimir Putin", "RU", 1),
        ("b", "person:vladimir-putin", "person", "Vladimir Putin", None, 2),
    ]


def kyodo(headline: str, body: str) -> bytes:
    return f"Kyodo News\nBack to Main\n{headline}\n\n{body}\n(April 10)\n".encode()


def load_stories(
    con: duckdb.DuckDBPyConnection, gazetteer: Gazetteer, stories: dict[str, bytes]
) -> None:
    """Read, transform and load {full path: file bytes} as one batch, as the pipeline does."""
    records = [
        record
        for path, data in stories.items()
        for record in read_document(data, source_path=path, mtime_date=date(2017, 4, 10)).articles
    ]
    articles, sentences, mentions, evidence = pl.collect_all(
        list(transform_articles(articles_frame(records).lazy(), gazetteer))
    )
    files = pl.DataFrame(
        [{"path": path, "sha256": "x", "size_bytes": len(data), "modified_at": None,
          "status": "loaded", "reason": None, "encoding": "utf-8", "source_format": "kyodo",
          "article_count": 1, "duplicate_of": None} for path, data in stories.items()],
        schema=LEDGER_SCHEMA,
    )  # fmt: skip
    db.load_batch(con, db.Batch(files, articles, sentences, mentions, evidence))


def test_the_same_full_name_in_two_articles_is_one_row_of_the_entities_table(
    warehouse_con, gazetteer: Gazetteer
) -> None:
    load_stories(
        warehouse_con,
        gazetteer,
        {
            "/news/2017/04/10/a.txt": kyodo(
                "Talks held", "Russian President Vladimir Putin spoke."
            ),
            "/news/2017/04/10/b.txt": kyodo("Talks end", "Vladimir Putin and Putin again."),
        },
    )

    # Two of the three mentions give no country: the country is the one the third gives.
    assert warehouse_con.execute(
        "select entity_id, entity_type, name, country_code from entities"
        " where entity_type = 'person'"
    ).fetchall() == [("person:vladimir-putin", "person", "Vladimir Putin", "RU")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("The United Nations and the U.N. agreed.",
         [("United Nations", "org:united-nations", None), ("U.N.", "org:united-nations", None)]),
        ("A Japan-EU deal and the European Union.",
         [("EU", "org:european-union", None), ("European Union", "org:european-union", None)]),
        ("The Group of Seven, or G-7, and the G7 met.",
         [("Group of Seven", "org:group-of-seven", None), ("G-7", "org:group-of-seven", None),
          ("G7", "org:group-of-seven", None)]),
        ("NATO and OPEC and the IMF met.",
         [("NATO", "org:north-atlantic-treaty-organization", None),
          ("OPEC", "org:organization-of-the-petroleum-exporting-countries", None),
          ("IMF", "org:international-monetary-fund", None)]),
        ("The fight against Islamic State militants.",
         [("Islamic State", "org:islamic-state", None)]),
        ("After the U.S. withdrawal from the Trans-Pacific Partnership, TPP died.",
         [("Trans-Pacific Partnership", "org:trans-pacific-partnership", None),
          ("TPP", "org:trans-pacific-partnership", None)]),
    ],
)  # fmt: skip
def test_international_bodies_are_organisations_without_a_country(
    body: str, expected: list, gazetteer: Gazetteer
) -> None:
    assert orgs(body, gazetteer) == expected


def test_islamic_state_and_european_union_are_not_countries(gazetteer: Gazetteer) -> None:
    body = "Islamic State and the European Union."
    assert [k for _, _, k, _ in found(body, gazetteer)] == ["organization", "organization"]


def test_a_qualified_government_body_and_its_later_bare_mention(gazetteer: Gazetteer) -> None:
    body = "The Japanese Foreign Ministry said so. It was announced by the Foreign Ministry."
    assert found(body, gazetteer) == [
        ("Japanese", "country:JP", "demonym", "JP"),
        ("Foreign Ministry", "org:jp-foreign-ministry", "organization", "JP"),
        ("Foreign Ministry", "org:jp-foreign-ministry", "organization", "JP"),
    ]


def test_an_unqualified_government_body_is_no_mention(gazetteer: Gazetteer) -> None:
    assert orgs("The Foreign Ministry said so.", gazetteer) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Toyota Motor Corp. said profits rose.", ("Toyota Motor Corp.", "org:toyota-motor-corp", None)),
        ("Japanese automaker Sorano Electronics Corp. said.",
         ("Sorano Electronics Corp.", "org:sorano-electronics-corp", "JP")),
        ("Shares of Acme Widgets Inc. fell.", ("Acme Widgets Inc.", "org:acme-widgets-inc", None)),
        ("The Kagami Group said.", ("Kagami Group", "org:kagami-group", None)),
    ],
)  # fmt: skip
def test_companies_are_recognised_by_their_suffix(
    body: str, expected: tuple, gazetteer: Gazetteer
) -> None:
    assert orgs(body, gazetteer) == [expected]


def test_group_of_seven_is_not_a_company(gazetteer: Gazetteer) -> None:
    assert orgs("The Group of Seven met.", gazetteer) == [
        ("Group of Seven", "org:group-of-seven", None)
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("He flew to Atlanta, Georgia, on Monday.", ("Georgia", "place:US-GA", "place", "US")),
        ("Georgia and Russia fought in 2008.", ("Georgia", "country:GE", "name", "GE")),
        ("Rain fell in Washington state.", ("Washington", "place:US-WA", "place", "US")),
        ("Washington imposed sanctions.", ("Washington", "country:US", "capital", "US")),
        ("Jordan closed its border.", ("Jordan", "country:JO", "name", "JO")),
        ("Chad and Niger signed.", ("Chad", "country:TD", "name", "TD")),
        ("Turkey objected.", ("Turkey", "country:TR", "name", "TR")),
        ("Nigeria objected.", ("Nigeria", "country:NG", "name", "NG")),
        ("Guinea objected.", ("Guinea", "country:GN", "name", "GN")),
        ("Papua New Guinea objected.", ("Papua New Guinea", "country:PG", "name", "PG")),
        ("Korean women protested.", ("Korean", "country:KR", "demonym", "KR")),
    ],
)
def test_ambiguous_names_follow_the_documented_rules(
    body: str, expected: tuple, gazetteer: Gazetteer
) -> None:
    assert [row for row in found(body, gazetteer) if row[0] == expected[0]] == [expected]


@pytest.mark.parametrize(
    "body", ["Roast turkey was served.", "In the Middle Eastern country.", "A guinea pig."]
)
def test_lowercase_words_and_regions_are_no_mention(body: str, gazetteer: Gazetteer) -> None:
    assert found(body, gazetteer) == []


def test_words_inside_a_persons_name_are_never_places(gazetteer: Gazetteer) -> None:
    body = "Michael Jordan met Denzel Washington and Paul Lucca."
    assert {k for _, _, k, _ in found(body, gazetteer)} == {"person"}


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("JAPAN, U.S. TO URGE CHINA ON N. KOREA",
         [("JAPAN", "JP"), ("U.S.", "US"), ("CHINA", "CN"), ("N. KOREA", "KP")]),
        ("JAPANESE EXPORTS RISE IN TOKYO", [("JAPANESE", "JP"), ("TOKYO", "JP")]),
        ("OPEC MEETS IN GENEVA", [("OPEC", None)]),
        ("WILL JORDAN SMITH SELL LATIN AMERICA BONDS", [("JORDAN", "JO")]),
    ],
)  # fmt: skip
def test_all_caps_headlines_match_countries_capitals_and_demonyms_only(
    headline: str, expected: list, gazetteer: Gazetteer
) -> None:
    rows = found("Body text here.", gazetteer, headline=headline)
    assert [(s, c) for s, _, _, c in rows] == expected


def test_sentence_initial_capitals_neither_hide_nor_invent_mentions(
    gazetteer: Gazetteer,
) -> None:
    body = "Japanese officials met. Will Japan agree? Florida voted. Chinese President Xi spoke."
    assert [(s, k) for s, _, k, _ in found(body, gazetteer)] == [
        ("Japanese", "demonym"), ("Japan", "name"), ("Florida", "place"),
        ("Chinese", "demonym"), ("Xi", "person"),
    ]  # fmt: skip


def test_entity_evidence_rows_carry_people_and_organisations(gazetteer: Gazetteer) -> None:
    _, _, _, evidence = transformed(
        "Chinese President Xi Jinping met U.N. officials and the Japanese Foreign Ministry.",
        gazetteer,
    )
    assert sorted(evidence.rows()) == [
        ("a", "org:jp-foreign-ministry", "organization", "Japan Foreign Ministry", "JP", 1),
        ("a", "org:united-nations", "organization", "United Nations", None, 1),
        ("a", "person:xi-jinping", "person", "Xi Jinping", "CN", 1),
    ]


def test_every_span_reproduces_its_surface_and_none_overlap(gazetteer: Gazetteer) -> None:
    body = (
        "Japanese Foreign Minister Taro Kono and U.S. Secretary of State Rex Tillerson met "
        "Toyota Motor Corp. executives. Kono said the Japanese Foreign Ministry and the "
        "European Union agreed with Michael Jordan of Atlanta, Georgia."
    )
    _, _, mentions, _ = transformed(body, gazetteer)
    text = f"Headline\n\n{body}"
    previous_end = 0
    for start, end, surface in mentions.select("start_char", "end_char", "surface").rows():
        assert text[start:end] == surface
        assert start >= previous_end
        previous_end = end
