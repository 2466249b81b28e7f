"""The report's maps and tone chart: shapes, colours, place points and tone means, checked by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from matplotlib.colors import LogNorm, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from tests.helpers.tone_warehouse import tone_warehouse
from warehouse import db
from warehouse.report_data import gather_report, tone_series
from warehouse.report_map import (
    NO_MENTIONS,
    _points,
    count_norm,
    country_shapes,
    fill_colours,
    marker_areas,
    places_map,
    world_map,
)

GREY = to_rgba(NO_MENTIONS)


def in_outline(outline: MplPath, point: tuple[float, float]) -> bool:
    """Whether point is inside an odd number of the outline's rings: in the country, not in a
    hole. (Path.contains_point counts a point in any ring, a hole's too, as inside.)"""
    return sum(MplPath(ring).contains_point(point) for ring in outline.to_polygons()) % 2 == 1


def inside(code: str, lon: float, lat: float) -> bool:
    return in_outline(country_shapes()[code].path, (lon, lat))


# --- the shapes ------------------------------------------------------------------


def test_shapes_are_keyed_by_alpha2_with_natural_earths_minus_99_resolved():
    shapes = country_shapes()

    assert len(shapes) == 175
    assert all(len(code) == 2 and code.isupper() for code in shapes)
    # Natural Earth writes -99 for France and Norway; Kosovo is XK, as in the warehouse.
    assert inside("FR", 2.35, 48.86)  # Paris
    assert inside("NO", 10.75, 59.91)  # Oslo
    assert inside("XK", 21.17, 42.67)  # Pristina
    # Northern Cyprus and Somaliland are drawn with the ISO country they belong to.
    assert inside("CY", 33.32, 35.34)  # Kyrenia
    assert inside("SO", 44.06, 9.56)  # Hargeisa


def test_a_hole_is_left_out_of_its_country():
    # Lesotho lies inside South Africa: Maseru is in LS, and not in ZA's outline.
    assert inside("LS", 27.48, -29.31)
    assert not inside("ZA", 27.48, -29.31)
    assert inside("ZA", 28.05, -26.20)  # Johannesburg


def test_a_country_frames_its_largest_part_not_its_overseas_ones():
    west, south, east, north = country_shapes()["FR"].main_bounds

    assert -5.5 < west < -4 and 42 < south < 43.5 and 7.5 < east < 8.5 and 50.5 < north < 51.5


# --- the world map's colours ------------------------------------------------------


def test_a_mentioned_country_is_coloured_and_one_without_mentions_is_grey():
    codes = ["JP", "US", "FR"]
    fills = dict(zip(codes, fill_colours({"JP": 5, "US": 1}, codes), strict=True))

    assert fills["FR"] == GREY
    assert fills["JP"] != GREY and fills["US"] != GREY
    # More mentions, a darker colour.
    assert sum(fills["JP"][:3]) < sum(fills["US"][:3])


def test_counts_spread_over_twenty_times_are_coloured_on_a_log_scale():
    skewed, even = count_norm([1, 100]), count_norm([1, 5])

    assert isinstance(skewed, LogNorm)
    assert skewed(10) == pytest.approx(0.5)  # 10 is halfway from 1 to 100 in logs
    assert type(even) is Normalize
    assert even(5) == 1.0 and even(0) == 0.0


def test_world_map_fills_each_country_by_its_mentions_and_dots_a_former_one():
    mentions = pl.DataFrame(
        {
            "country_code": ["JP", "US", "SU"],
            "country_name": ["Japan", "United States", "Soviet Union"],
            "mention_count": [5, 1, 2],
            "latitude": [35.69, 38.90, 55.75],
            "longitude": [139.69, -77.04, 37.62],
        }
    )
    fig = Figure()

    world_map(fig, mentions)

    ax = fig.axes[0]
    (countries,) = [c for c in ax.collections if c.get_gid() == "countries"]
    codes = sorted(country_shapes())
    faces = {code: tuple(countries.get_facecolors()[codes.index(code)]) for code in codes}
    assert faces["FR"] == pytest.approx(GREY)
    assert faces["BR"] == pytest.approx(GREY)
    assert faces["JP"] != pytest.approx(GREY)
    assert faces["US"] != pytest.approx(GREY)
    assert faces["JP"] != pytest.approx(faces["US"])
    # SU has no shape: a dot at its point (Moscow), the only other collection on the map.
    (dots,) = [c for c in ax.collections if c is not countries]
    assert dots.get_offsets().tolist() == [[37.62, 55.75]]


# --- the places map ---------------------------------------------------------------


def test_marker_area_is_proportional_to_mentions_within_its_bounds():
    # 24 mentions take the largest area, 400; so one mention is 400 / 24.
    assert marker_areas([24, 6, 1]) == pytest.approx([400.0, 100.0, 25.0])  # 16.7 rises to 25
    # A lone mention is not a big disc: 60 per mention at most.
    assert marker_areas([1, 1]) == [60.0, 60.0]
    assert marker_areas([2, 1]) == [120.0, 60.0]


def test_places_at_one_point_share_a_marker_and_a_label():
    places = pl.DataFrame(
        {
            "place_name": ["Tokyo", "Sendai", "Miyagi"],
            "latitude": [35.69, 38.27, 38.27],
            "longitude": [139.69, 140.87, 140.87],
            "mention_count": [24, 1, 1],
        }
    )

    points = _points(places)

    assert points["label"].to_list() == ["Tokyo (24)", "Miyagi (1), Sendai (1)"]
    assert points["mention_count"].to_list() == [24, 2]


# --- on the seed article ----------------------------------------------------------


@pytest.fixture
def seed_warehouse(tmp_path: Path, seed_bytes: bytes, run) -> Path:
    target = tmp_path / "in" / "2017" / "04" / "10" / "kyodo-seed.txt"
    target.parent.mkdir(parents=True)
    target.write_bytes(seed_bytes)
    run(tmp_path / "in")
    return tmp_path / "news.duckdb"


def test_seed_places_are_points_inside_their_country(seed_warehouse):
    with db.connect(seed_warehouse, read_only=True) as con:
        italy = gather_report(con, map_country="IT")
        default = gather_report(con)

    # Viareggio and Lucca (paragraph 3) are Italy's places; the seed names no Italian capital.
    assert sorted(italy.places["place_name"]) == ["Lucca", "Viareggio"]
    for name, lon, lat in italy.places.select("place_name", "longitude", "latitude").rows():
        assert inside("IT", lon, lat), name
    # By default the map shows the most mentioned country: the US (18 mentions to Japan's 16),
    # with Florida (paragraph 4) and Washington (paragraph 2, its capital).
    assert default.map_country == "US"
    assert sorted(default.places["place_name"]) == ["Florida", "Washington"]
    for name, lon, lat in default.places.select("place_name", "longitude", "latitude").rows():
        assert inside("US", lon, lat), name


def test_places_map_puts_the_seed_places_inside_italy_as_drawn(seed_warehouse):
    with db.connect(seed_warehouse, read_only=True) as con:
        italy = gather_report(con, map_country="IT")
    fig = Figure()

    places_map(fig, italy.places, "IT", "Italy (IT)")

    ax = fig.axes[0]
    (countries,) = [c for c in ax.collections if c.get_gid() == "countries"]
    italy_outline = countries.get_paths()[sorted(country_shapes()).index("IT")]
    (markers,) = [c for c in ax.collections if c is not countries and len(c.get_offsets())]
    points = markers.get_offsets().tolist()
    assert len(points) == 2
    assert all(in_outline(italy_outline, point) for point in points)
    # The frame holds Italy: Rome and Palermo are in view.
    (west, east), (south, north) = ax.get_xlim(), ax.get_ylim()
    assert west < 12.5 < east and south < 38.1 < north and south < 41.9 < north


# --- tone over time, on a hand-built warehouse ---------------------------------------

APRIL_10, APRIL_11, AUGUST_1 = date(2017, 4, 10), date(2017, 4, 11), date(2017, 8, 1)
ARTICLES = [("a1", APRIL_10), ("a2", APRIL_11), ("a3", APRIL_10), ("a4", AUGUST_1)]
SENTENCES = [  # article_id, sentence_no, tone
    ("a1", 0, 0.5),
    ("a1", 1, -0.3),
    ("a2", 0, 0.2),
    ("a3", 0, 0.9),
    ("a4", 0, -0.6),
]
MENTIONS = [  # article_id, sentence_no, mention_kind, country_code
    ("a1", 0, "name", "JP"),
    ("a1", 0, "name", "JP"),  # twice in one sentence: the sentence counts once
    ("a1", 1, "capital", "JP"),
    ("a1", 1, "name", "US"),
    ("a2", 0, "name", "JP"),
    ("a3", 0, "person", "US"),  # a person is not a mention of the country: not a US sentence
    ("a4", 0, "demonym", "JP"),
]


@pytest.fixture
def tone_con() -> duckdb.DuckDBPyConnection:
    """A migrated in-memory warehouse holding the rows above."""
    return tone_warehouse([("JP", "Japan"), ("US", "United States")], ARTICLES, SENTENCES, MENTIONS)


def test_report_gathers_each_top_countrys_daily_tone_and_sentences(tone_con):
    data = gather_report(tone_con, top=2)

    assert data.top_countries["country_code"].to_list() == ["JP", "US"]  # 5 mentions to 1
    rows = {(d, code): (n, tone) for d, code, n, tone in data.tone.rows()}
    assert set(rows) == {(APRIL_10, "JP"), (APRIL_11, "JP"), (AUGUST_1, "JP"), (APRIL_10, "US")}
    assert rows[(APRIL_10, "JP")] == (2, pytest.approx((0.5 - 0.3) / 2))  # a1.0, a1.1
    assert rows[(APRIL_11, "JP")] == (1, pytest.approx(0.2))
    assert rows[(AUGUST_1, "JP")] == (1, pytest.approx(-0.6))
    assert rows[(APRIL_10, "US")] == (1, pytest.approx(-0.3))  # a1.1 only: a3 names a person


def test_tone_per_week_is_the_mean_of_its_sentences_not_of_its_days(tone_con):
    data = gather_report(tone_con, top=2)

    period, series = tone_series(data.tone, ["JP", "US"])

    # April 10 to August 1 is 113 days: weekly, as the mentions chart would be.
    assert period == "week"
    # Mondays from 2017-04-10 to 2017-07-31: 17 weeks, a row per week and country.
    assert series.height == 17 * 2
    weeks = {(d, code): (tone, n) for d, code, tone, n in series.rows()}
    # Week of April 10: a1.0 (0.5), a1.1 (-0.3), a2.0 (0.2); the mean of the two days' means
    # would be (0.1 + 0.2) / 2 = 0.15.
    assert weeks[(APRIL_10, "JP")] == (pytest.approx(0.4 / 3), 3)
    assert weeks[(date(2017, 7, 31), "JP")] == (pytest.approx(-0.6), 1)
    assert weeks[(APRIL_10, "US")] == (pytest.approx(-0.3), 1)
    # A week without a sentence has no tone, not a neutral one.
    assert weeks[(date(2017, 7, 31), "US")] == (None, 0)
    assert weeks[(date(2017, 5, 1), "JP")] == (None, 0)


def test_tone_series_of_nothing_is_empty():
    empty = pl.DataFrame(
        schema={
            "mention_date": pl.Date(),
            "country_code": pl.String(),
            "sentence_count": pl.Int64(),
            "mean_tone": pl.Float64(),
        }
    )

    period, series = tone_series(empty, ["JP"])

    assert (period, series.height) == ("day", 0)
