"""country_tone_daily (sql/views/04), the tone-extremes query and check 09, on a hand-built warehouse."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from gazetteer import Gazetteer
from tests.helpers.tone_warehouse import tone_warehouse
from tests.warehouse.test_checks import batch_for
from warehouse import db, queries

APRIL_10, APRIL_11 = date(2017, 4, 10), date(2017, 4, 11)
COUNTRIES = [("JP", "Japan"), ("KP", "North Korea"), ("US", "United States")]
ARTICLES = [("a1", APRIL_10), ("a2", APRIL_10), ("a3", APRIL_11)]
# article_id, sentence_no, tone (None: loaded before migration 009 and not read since)
SENTENCES = [
    ("a1", 0, 0.6),
    ("a1", 1, -0.5),
    ("a1", 2, 0.02),
    ("a2", 0, -0.3),
    ("a3", 0, 0.1),
    ("a3", 1, None),
]
# article_id, sentence_no, mention_kind, country_code
MENTIONS = [
    ("a1", 0, "name", "JP"),
    ("a1", 0, "name", "JP"),  # twice in one sentence: one sentence
    ("a1", 0, "demonym", "KP"),
    ("a1", 1, "capital", "JP"),
    ("a1", 2, "person", "JP"),  # a person is no country reference: not a JP sentence
    ("a2", 0, "place", "JP"),
    ("a2", 0, "name", "US"),
    ("a2", 0, "name", None),
    ("a3", 0, "name", "JP"),
    ("a3", 1, "name", "JP"),
]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A migrated in-memory warehouse holding the rows above."""
    return tone_warehouse(COUNTRIES, ARTICLES, SENTENCES, MENTIONS)


def daily(con: duckdb.DuckDBPyConnection) -> dict[tuple[date, str], tuple]:
    rows = con.execute("select * from country_tone_daily").fetchall()
    return {(row[0], row[1]): row[2:] for row in rows}


def test_each_country_day_counts_its_sentences_once_with_their_mean_tone_and_shares(con):
    rows = daily(con)

    assert set(rows) == {(APRIL_10, "JP"), (APRIL_10, "KP"), (APRIL_10, "US"), (APRIL_11, "JP")}
    # JP on April 10: a1.0 (named twice), a1.1, a2.0; not a1.2, where only a person is JP.
    name, sentences, mean_tone, positive_share, negative_share = rows[(APRIL_10, "JP")]
    assert (name, sentences) == ("Japan", 3)
    assert mean_tone == pytest.approx((0.6 - 0.5 - 0.3) / 3)
    assert (positive_share, negative_share) == (pytest.approx(1 / 3), pytest.approx(2 / 3))
    assert rows[(APRIL_10, "KP")] == ("North Korea", 1, 0.6, 1.0, 0.0)
    assert rows[(APRIL_10, "US")] == ("United States", 1, -0.3, 0.0, 1.0)


def test_a_sentence_without_tone_counts_but_does_not_move_the_mean_or_the_shares(con):
    assert daily(con)[(APRIL_11, "JP")] == ("Japan", 2, 0.1, 1.0, 0.0)


def test_a_tone_inside_the_neutral_band_is_neither_positive_nor_negative(con):
    con.execute("update sentence_spans set tone = 0.04 where article_id = 'a1' and sentence_no = 0")

    _, _, _, positive_share, negative_share = daily(con)[(APRIL_10, "KP")]

    assert (positive_share, negative_share) == (0.0, 0.0)


def extremes(con: duckdb.DuckDBPyConnection, **params: object) -> list[tuple]:
    frame = queries.run_query(con, "tone-extremes", **params)
    return list(frame.select("side", "side_rank", "mention_date", "country_code").iter_rows())


def test_the_extremes_query_ranks_the_most_negative_and_most_positive_country_days(con):
    assert extremes(con, min_sentences=1, limit=2) == [
        ("most negative", 1, APRIL_10, "US"),
        ("most negative", 2, APRIL_10, "JP"),
        ("most positive", 1, APRIL_10, "KP"),
        ("most positive", 2, APRIL_11, "JP"),
    ]


def test_the_extremes_query_leaves_out_country_days_with_fewer_sentences(con):
    # Only Japan's two days have two sentences or more; with so few, each is on both sides.
    assert extremes(con, min_sentences=2) == [
        ("most negative", 1, APRIL_10, "JP"),
        ("most negative", 2, APRIL_11, "JP"),
        ("most positive", 1, APRIL_11, "JP"),
        ("most positive", 2, APRIL_10, "JP"),
    ]
    assert extremes(con, min_sentences=4) == []


def test_the_extremes_query_keeps_to_its_dates(con):
    assert extremes(con, min_sentences=1, limit=1, since=APRIL_11) == [
        ("most negative", 1, APRIL_11, "JP"),
        ("most positive", 1, APRIL_11, "JP"),
    ]


def test_a_loaded_batch_has_tone_on_its_articles_and_sentences(
    warehouse_con, gazetteer: Gazetteer
) -> None:
    db.load_batch(warehouse_con, batch_for(gazetteer), run_first_load_id=1)

    [(article_tone, word_count, polarity)] = warehouse_con.execute(
        "select tone, word_count, polarity from articles"
    ).fetchall()
    sentences = warehouse_con.execute(
        "select tone, word_count from sentences order by sentence_no"
    ).fetchall()
    assert word_count == sum(words for _, words in sentences) > 0
    weighted = sum(tone * words for tone, words in sentences) / word_count
    assert article_tone == pytest.approx(weighted)
    assert polarity is not None
    # "Japan and Chile signed a trade deal on Monday. Officials in Tokyo welcomed it.":
    # `welcomed` is the one sentiment word, so the story is positive.
    assert article_tone > 0
