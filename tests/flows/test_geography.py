"""Coordinates and focus, end to end: hand-written Kyodo stories through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.ingest import run_pipeline
from tests.conftest import query
from tests.helpers.articles import kyodo, write
from wirehouse.settings import Settings

STORIES = {
    # Filed from Tokyo; China has the lead and most mentions, Japan is never named.
    "tokyo-exports.txt": kyodo(
        "Exports rise for fourth month",
        "TOKYO, April 10 Kyodo - Exports rose in March as shipments to China grew, the"
        " government said Monday.",
        "Sales of machinery to China and the United States led the rise.",
    ),
    # Filed from Seoul, about North Korea: headline and lead.
    "seoul-missile.txt": kyodo(
        "North Korea fires ballistic missile into sea",
        "SEOUL, April 10 Kyodo - North Korea fired a ballistic missile into the sea on Monday.",
        "South Korea's military said it was tracking the launch.",
    ),
    # Filed from the town it is about.
    "viareggio-fire.txt": kyodo(
        "Freight train fire forces evacuations in Italy",
        "VIAREGGIO, Italy, April 10 Kyodo - A freight train caught fire in Viareggio on Monday.",
        "Firefighters from Lucca helped clear the station in Viareggio by evening.",
    ),
}

# Rough boxes checked by hand on an atlas: (south, north, west, east).
ITALY = (35.5, 47.1, 6.6, 18.6)


def inside(box: tuple[float, float, float, float], latitude: float, longitude: float) -> bool:
    south, north, west, east = box
    return south <= latitude <= north and west <= longitude <= east


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("geography")
    for name, text in STORIES.items():
        write(root / "in", name, text)
    db_path = root / "news.duckdb"
    run_pipeline(Settings(input_dir=root / "in", db_path=db_path), as_tasks=False)
    return db_path


def article(warehouse: Path, name: str, columns: str) -> tuple:
    [row] = query(
        warehouse, f"select {columns} from articles where source_path like ?", [f"%{name}"]
    )
    return row


def test_the_dateline_decides_when_the_text_never_names_its_country(warehouse: Path) -> None:
    assert article(warehouse, "tokyo-exports.txt", "dateline_country_code, focus_country_code") == (
        "JP",
        "JP",
    )


def test_a_story_filed_from_seoul_about_north_korea_is_about_north_korea(warehouse: Path) -> None:
    assert article(warehouse, "seoul-missile.txt", "dateline_country_code, focus_country_code") == (
        "KR",
        "KP",
    )


def test_the_town_named_most_is_the_focus_place(warehouse: Path) -> None:
    row = article(warehouse, "viareggio-fire.txt", "focus_country_code, focus_place")
    [(name,)] = query(warehouse, "select name from entities where entity_id = ?", [row[1]])
    assert (row[0], name) == ("IT", "Viareggio")


@pytest.mark.parametrize(
    ("name", "latitude", "longitude"),
    # From an atlas, to a tenth of a degree.
    [("tokyo-exports.txt", 35.69, 139.69), ("seoul-missile.txt", 37.57, 126.98),
     ("viareggio-fire.txt", 43.87, 10.25)],
)  # fmt: skip
def test_an_article_carries_its_dateline_citys_point(
    warehouse: Path, name: str, latitude: float, longitude: float
) -> None:
    got = article(warehouse, name, "dateline_latitude, dateline_longitude")
    assert got == pytest.approx((latitude, longitude), abs=0.1)


def test_place_and_capital_mentions_carry_points_in_their_country(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select mentions.surface, mentions.country_code, entities.latitude, entities.longitude"
        " from mentions join entities using (entity_id)"
        " where mentions.mention_kind = 'place' order by mentions.start_char",
    )
    assert sorted({surface for surface, *_ in rows}) == ["Lucca", "Viareggio"]
    assert all(code == "IT" and inside(ITALY, lat, lon) for _, code, lat, lon in rows)


def test_people_and_organisations_have_no_point(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select count(*) from entities where entity_type in ('person', 'organization')"
        " and (latitude is not null or longitude is not null)",
    )
    assert rows == [(0,)]


def test_the_daily_view_counts_each_days_focus_articles(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select country_code, mention_count, focus_article_count from country_mentions_daily"
        " where mention_date = '2017-04-10' order by country_code",
    )
    # Japan is a row only as the Tokyo story's focus; South Korea is named but no focus.
    assert rows == [
        ("CN", 2, 0),
        ("IT", 4, 1),
        ("JP", 0, 1),
        ("KP", 2, 1),
        ("KR", 1, 0),
        ("US", 1, 0),
    ]
