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
        "select country_code, mention_kind, count(*) from mentions group by all",
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
