"""People across the warehouse: a one-word person resolves to the one full-name person with
that short form, and a person's country comes from all its mentions (sql/views/02_entity_resolution.sql)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.ingest import run_pipeline
from gazetteer import Gazetteer
from tests.conftest import SAMPLES
from tests.transforms.test_entities import kyodo, load_stories
from warehouse.report_data import gather_report
from wirehouse.settings import Settings


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The shipped samples, loaded once, as `wirehouse run` loads them."""
    db_path: Path = tmp_path_factory.mktemp("people") / "news.duckdb"
    run_pipeline(Settings(input_dir=SAMPLES, db_path=db_path), as_tasks=False)
    con = duckdb.connect(str(db_path), read_only=True)
    yield con
    con.close()


def test_the_samples_report_shows_one_donald_trump_of_the_united_states(sample_con):
    people = gather_report(sample_con, top=50).people

    trumps = people.filter(pl.col("entity_name").str.contains("Trump"))
    assert trumps.select("entity_id", "entity_name", "country_code").rows() == [
        ("person:donald-trump", "Donald Trump", "US")
    ]
    # Every mention of him counts for that one entity: six in the 2017/01/03 sample (the
    # headline's `Trump`, `President-elect Donald Trump`, three bare `Trump`, `Mr. Trump`)
    # and `President Donald Trump` in the 2017/04/24 one.
    assert trumps.get_column("mention_count").to_list() == [7]


def test_the_samples_report_has_no_country_georgia_for_a_state_senator(sample_con):
    report = gather_report(sample_con, top=50)

    pruitt = report.people.filter(pl.col("entity_name") == "Raymond L. Pruitt")
    assert pruitt.select("entity_id", "country_code").rows() == [("person:raymond-l-pruitt", "US")]
    georgia = sample_con.execute(
        "select mentions.entity_id, mentions.country_code from mentions"
        " inner join articles on articles.article_id = mentions.article_id"
        " where articles.source_path like '%sorano-electronics-us-plant-mumbai.txt'"
        " and mentions.surface = 'Georgia' order by mentions.start_char"
    ).fetchall()
    # `near Atlanta, Georgia` and `Georgia state Sen. Raymond L. Pruitt`: the US state both
    # times. (The Caspian sample's Georgia, beside Tbilisi, is the country.)
    assert georgia == [("place:US-GA", "US"), ("place:US-GA", "US")]


def test_a_bare_surname_resolves_across_articles_only_when_one_full_name_has_it(
    warehouse_con, gazetteer: Gazetteer
):
    load_stories(
        warehouse_con,
        gazetteer,
        {
            "/news/2017/04/10/a.txt": kyodo("Visit", "U.S. President Donald Trump arrived."),
            "/news/2017/04/10/b.txt": kyodo("Talks", "President Trump said so."),
            "/news/2017/04/10/c.txt": kyodo("Meeting", "Mr. Smith and Adam Smith met Jane Smith."),
        },
    )

    resolved = dict(
        warehouse_con.execute(
            "select entity_id, canonical_entity_id from entity_resolution"
            " where entity_type = 'person'"
        ).fetchall()
    )
    assert resolved["person:trump"] == "person:donald-trump"
    # Two full names end in Smith: `Mr. Smith` elsewhere stays a person of its own.
    assert "person:smith" not in resolved or resolved["person:smith"] == "person:smith"


def test_a_persons_country_comes_from_the_titled_mentions_of_all_its_articles(
    warehouse_con, gazetteer: Gazetteer
):
    load_stories(
        warehouse_con,
        gazetteer,
        {
            "/news/2017/04/10/a.txt": kyodo("One", "Michael Howard spoke in London."),
            "/news/2017/04/10/b.txt": kyodo("Two", "British opposition leader Michael Howard."),
            "/news/2017/04/10/c.txt": kyodo("Three", "Conservative leader Howard spoke."),
        },
    )

    rows = warehouse_con.execute(
        "select entity_id, canonical_entity_id, name, country_code from entity_resolution"
        " where entity_type = 'person' order by entity_id"
    ).fetchall()
    assert rows == [
        ("person:howard", "person:michael-howard", "Michael Howard", "GB"),
        ("person:michael-howard", "person:michael-howard", "Michael Howard", "GB"),
    ]
