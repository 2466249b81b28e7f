"""The Kyodo seed article, end to end through the pipeline, against counts checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import query

# Counted by reading the seed paragraph by paragraph (headline included, the
# "Kyodo News" source line and the "(April 10)" dateline excluded):
# JP name: headline, Japan's (p2), Japan (p5, p8), Japan x2 (p9), Japan-South Korea (p11),
#   Japan (p12), Japan and Japan-U.S. (p14), Japan-EU (p21) = 11
# JP demonym: Japanese (p1, p6, p10 x2, p19) = 5
# US name: U.S. (headline, p1, p3, p5, p13, p15, p19), United States' (p2, p8),
#   United States x2 (p9), U.S. (p12), U.S. x2 (p14), U.S. and U.S.-Russia (p17) = 16
# US capital: Washington (p2); US place: Florida (p4)
# CN name: headline, p1, p4, p9 x2 = 5; CN demonym: Chinese (p4)
# KP name: N. Korea (headline), North Korea (p1, p4, p8, p11) = 5;
#   KP demonym: North Korean (p9); KP capital: Pyongyang (p4)
# KR name: South Korea (p9, p10 x3, p11, p12) = 6; KR demonym: Korean (p10; see gazetteer note)
# SY name: p2, p6, p8, p19 = 4; SY demonym: Syrian (p17)
# RU name: p6, p16, p17 x2, p18 x2, p20 = 7; RU capital: Moscow (p16); RU demonym: Russian (p18)
# IT name: Italy (p3); IT place: Viareggio, Lucca (p3); IT demonym: Italian (p22)
EXPECTED = {
    ("JP", "name"): 11,
    ("JP", "demonym"): 5,
    ("US", "name"): 16,
    ("US", "capital"): 1,
    ("US", "place"): 1,
    ("CN", "name"): 5,
    ("CN", "demonym"): 1,
    ("KP", "name"): 5,
    ("KP", "demonym"): 1,
    ("KP", "capital"): 1,
    ("KR", "name"): 6,
    ("KR", "demonym"): 1,
    ("SY", "name"): 4,
    ("SY", "demonym"): 1,
    ("RU", "name"): 7,
    ("RU", "capital"): 1,
    ("RU", "demonym"): 1,
    ("IT", "name"): 1,
    ("IT", "place"): 2,
    ("IT", "demonym"): 1,
}
HEADLINE = 'Japan, U.S. to urge China "to play bigger role" in halting N. Korea'


@pytest.fixture
def seed_warehouse(tmp_path: Path, seed_bytes: bytes, run) -> Path:
    target = tmp_path / "in" / "2017" / "04" / "10" / "kyodo-seed.txt"
    target.parent.mkdir(parents=True)
    target.write_bytes(seed_bytes)
    run(tmp_path / "in")
    return tmp_path / "news.duckdb"


def test_seed_loads_with_its_date_and_headline(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select source, headline, published_date::varchar, date_basis, dateline from articles",
    )
    assert rows == [("Kyodo News", HEADLINE, "2017-04-10", "dateline+path", "April 10")]


def test_seed_mentions_per_country_and_kind_match_a_careful_reading(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select country_code, mention_kind, count(*) from mentions"
        " where entity_type in ('country', 'place') group by all",
    )
    assert {(code, kind): n for code, kind, n in rows} == EXPECTED


def test_kyodo_source_line_is_not_a_mention_of_japan(seed_warehouse: Path) -> None:
    rows = query(seed_warehouse, "select count(*) from mentions where surface like '%Kyodo%'")
    assert rows == [(0,)]
    text = query(seed_warehouse, "select text from articles")[0][0]
    assert "Kyodo" not in text and "(April 10)" not in text


def test_seed_view_counts_japan_on_april_10(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select mention_count, name_count, demonym_count, capital_count, place_count"
        " from country_mentions_daily where country_code = 'JP' and mention_date = '2017-04-10'",
    )
    assert rows == [(16, 11, 5, 0, 0)]


def test_seed_has_five_truncated_paragraph_endings(seed_warehouse: Path) -> None:
    # Paragraphs 5, 10, 12, 15 and 21 of the seed stop mid-sentence.
    rows = query(
        seed_warehouse,
        "select paragraph_no from sentences where is_truncated order by paragraph_no",
    )
    assert [r[0] for r in rows] == [5, 10, 12, 15, 21]


# People and organisations, counted by reading the seed: Kishida is `Fumio Kishida` (p1) and
# `Kishida` alone in p2, p5, p7, p9, p10, p13, p14, p15, p16, p18, p19, p21, p22 = 14;
# Tillerson: `Rex Tillerson` (p1), then p5 x2, p10, p12, p13, p14, p17, p19 = 9.
# Abe: `Prime Minister Shinzo Abe` (p3), a bare title in Kyodo's copy, so Japan's prime minister,
# and `Abe` (p18). Trump: `U.S. President Donald Trump` (p3), `Trump` (p4). Assad: `Syrian
# President Bashar al-Assad's` (p17), `Assad` (p19, p20). Mogherini: the EU's high
# representative (p19, p21); the text gives her no country (the EU is none), so none.
SEED_PEOPLE = {
    ("person:fumio-kishida", "JP"): 14,
    ("person:rex-tillerson", "US"): 9,
    ("person:shinzo-abe", "JP"): 2,
    ("person:donald-trump", "US"): 2,
    ("person:xi-jinping", "CN"): 1,
    ("person:yasumasa-nagamine", "JP"): 1,
    ("person:mike-pence", "US"): 1,
    ("person:bashar-al-assad", "SY"): 3,
    ("person:vladimir-putin", "RU"): 1,
    ("person:federica-mogherini", None): 2,
    ("person:angelino-alfano", "IT"): 1,
}


def test_seed_people_are_one_entity_each_with_their_country(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select entity_id, country_code, count(*) from mentions"
        " where mention_kind = 'person' group by all",
    )
    assert {(entity, code): n for entity, code, n in rows} == SEED_PEOPLE


def test_seed_people_keep_their_country_in_the_report(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select entity_id, entity_name, country_code from entity_mentions_daily"
        " where entity_type = 'person' order by entity_id",
    )
    assert rows == [
        ("person:angelino-alfano", "Angelino Alfano", "IT"),
        ("person:bashar-al-assad", "Bashar al-Assad", "SY"),
        ("person:donald-trump", "Donald Trump", "US"),
        ("person:federica-mogherini", "Federica Mogherini", None),
        ("person:fumio-kishida", "Fumio Kishida", "JP"),
        ("person:mike-pence", "Mike Pence", "US"),
        ("person:rex-tillerson", "Rex Tillerson", "US"),
        ("person:shinzo-abe", "Shinzo Abe", "JP"),
        ("person:vladimir-putin", "Vladimir Putin", "RU"),
        ("person:xi-jinping", "Xi Jinping", "CN"),
        ("person:yasumasa-nagamine", "Yasumasa Nagamine", "JP"),
    ]


def test_seed_organisations_and_their_short_forms(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select surface, entity_id, country_code from mentions"
        " where mention_kind = 'organization' order by start_char",
    )
    assert rows == [
        ("Group of Seven", "org:group-of-seven", None),
        ("Islamic State", "org:islamic-state", None),
        ("Trans-Pacific Partnership", "org:trans-pacific-partnership", None),
        ("G-7", "org:group-of-seven", None),
        ("European Union", "org:european-union", None),
        ("Foreign Ministry", "org:jp-foreign-ministry", "JP"),
        ("G-7", "org:group-of-seven", None),
        ("EU", "org:european-union", None),
        ("Foreign Ministry", "org:jp-foreign-ministry", "JP"),
    ]


def test_seed_person_names_invent_no_place_or_country(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select c.surface from mentions c join mentions p"
        " on p.article_id = c.article_id and p.mention_kind = 'person'"
        " and c.start_char < p.end_char and p.start_char < c.end_char"
        " where c.entity_type in ('country', 'place')",
    )
    assert rows == []
    islamic_state = query(
        seed_warehouse, "select entity_type from mentions where surface = 'Islamic State'"
    )
    assert islamic_state == [("organization",)]


def test_seed_entities_table_has_its_people_and_organisations(seed_warehouse: Path) -> None:
    rows = query(
        seed_warehouse,
        "select entity_id, name, country_code from entities"
        " where entity_id in ('person:fumio-kishida', 'person:federica-mogherini',"
        " 'org:european-union', 'org:jp-foreign-ministry') order by entity_id",
    )
    assert rows == [
        ("org:european-union", "European Union", None),
        ("org:jp-foreign-ministry", "Japan Foreign Ministry", "JP"),
        ("person:federica-mogherini", "Federica Mogherini", None),
        ("person:fumio-kishida", "Fumio Kishida", "JP"),
    ]


# Rough boxes per country, checked by hand on an atlas: (south, north, west, east).
COUNTRY_BOXES = {
    "IT": (35.5, 47.1, 6.6, 18.6),
    "US": (24.0, 50.0, -125.0, -66.0),  # the lower 48 states, Florida included
    "KP": (37.6, 43.1, 124.2, 130.7),
    "RU": (41.1, 81.9, 19.6, 180.0),
}


def test_every_place_and_capital_mention_of_the_seed_lies_inside_its_country(
    seed_warehouse: Path,
) -> None:
    rows = query(
        seed_warehouse,
        "select mentions.surface, mentions.mention_kind, mentions.country_code,"
        " entities.latitude, entities.longitude"
        " from mentions left join entities using (entity_id)"
        " where mentions.mention_kind in ('place', 'capital') order by mentions.start_char",
    )
    places = sorted((surface, code) for surface, kind, code, *_ in rows if kind == "place")
    assert places == [("Florida", "US"), ("Lucca", "IT"), ("Viareggio", "IT")]
    outside = []
    for surface, _kind, code, latitude, longitude in rows:
        south, north, west, east = COUNTRY_BOXES[code]
        if latitude is None or not (south <= latitude <= north and west <= longitude <= east):
            outside.append((surface, code, latitude, longitude))
    assert outside == []
    assert {surface for surface, kind, *_ in rows if kind == "capital"} == {
        "Washington",
        "Pyongyang",
        "Moscow",
    }
