"""warehouse/queries.py: the run summary's top countries, report SQL files, and `wirehouse query`'s statements."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.helpers.warehouse_rows import insert_articles, insert_countries
from warehouse import db, queries

# The statement the flow's summarise task ran inline before sql/report/ held it.
SUMMARISE_SQL = (
    "select country_code, any_value(country_name), sum(mention_count)::bigint as n"
    " from country_mentions_daily group by country_code order by n desc, country_code limit 10"
)
COUNTRIES = [("JP", "Japan"), ("KP", "North Korea"), ("US", "United States"), ("FR", "France")]
ARTICLES = [("a1", date(1987, 3, 1)), ("a2", date(2017, 4, 10)), ("a3", date(1850, 6, 1))]
# (article_id, mention_kind, country_code), one mention each.
MENTIONS = [
    ("a1", "name", "JP"),
    ("a2", "capital", "JP"),
    ("a3", "demonym", "JP"),  # dated before 1900: still counted, the summary has no date range
    ("a2", "name", "KP"),
    ("a2", "name", "KP"),
    ("a2", "place", "US"),
    ("a1", "place", "US"),
    ("a1", "person", "FR"),  # people and bodies are not country references: FR counts 0
    ("a1", "organization", "FR"),
    ("a2", "name", None),
]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A migrated in-memory warehouse holding the articles and mentions above."""
    con = duckdb.connect()
    db.migrate(con)
    con.execute("delete from countries")
    insert_countries(con, COUNTRIES)
    insert_articles(con, ARTICLES, text="Tokyo said so.", source_format="kyodo")
    for start, (article_id, kind, code) in enumerate(MENTIONS):
        con.execute(
            "insert into mentions (article_id, sentence_no, start_char, end_char, surface,"
            " entity_id, entity_type, mention_kind, country_code)"
            " values (?, 0, ?, ?, 'x', ?, 'country', ?, ?)",
            [article_id, start, start + 1, f"e{start}", kind, code],
        )
    return con


# --- the run summary's top countries --------------------------------------------


def test_top_countries_counts_country_references_over_every_date(con):
    assert queries.top_countries(con) == [
        ("JP", "Japan", 3),
        ("KP", "North Korea", 2),
        ("US", "United States", 2),  # ties are broken by code
        ("FR", "France", 0),
    ]


def test_top_countries_gives_exactly_the_rows_of_the_summarise_statement(con):
    assert queries.top_countries(con) == con.execute(SUMMARISE_SQL).fetchall()


def test_top_countries_stops_at_the_limit(con):
    assert queries.top_countries(con, limit=2) == [("JP", "Japan", 3), ("KP", "North Korea", 2)]


def test_top_countries_of_an_empty_warehouse_is_an_empty_list():
    con = duckdb.connect()
    db.migrate(con)

    assert queries.top_countries(con) == []


# --- the report's SQL files -------------------------------------------------------


@pytest.mark.parametrize("path", sorted(queries.REPORT_DIR.glob("*.sql")), ids=lambda p: p.stem)
def test_report_sql_files_state_their_grain_first_and_end_in_final(path: Path):
    text = path.read_text()
    code = re.sub(r"--[^\n]*", "", text)

    assert text.startswith("-- grain: ")
    assert code.rstrip().endswith("select * from final")
    assert not re.search(r"\b(SELECT|FROM|WHERE|JOIN|GROUP BY|ORDER BY|WITH)\b", code)
    assert "{" not in code and "%s" not in code, "no string templating"


def test_the_report_reads_the_files_it_names():
    names = {path.stem for path in queries.REPORT_DIR.glob("*.sql")}

    assert {
        "totals",
        "daily_mentions",
        "run_summary_top_countries",
        "country_mentions",
        "country_places",
        "country_tone",
    } <= names


def test_report_totals_count_only_articles_in_range_but_files_of_every_date(con):
    window = {"since": date(1987, 1, 1), "until": date(1987, 12, 31)}

    [totals] = con.sql(queries.report_sql("totals"), params=window).pl().to_dicts()

    assert totals["article_count"] == 1
    assert totals["mention_count"] == 4  # a1: JP name, US place, FR person and organization
    assert totals["first_date"] == totals["last_date"] == date(1987, 3, 1)


# --- `wirehouse query`'s statements -------------------------------------------------


def test_a_named_statement_binds_typed_parameters_and_fills_defaults():
    stmt = queries.statement("top-countries", {"limit": "3"})

    assert stmt.named is not None and stmt.named.name == "top-countries"
    assert stmt.params == {
        "since": date(1900, 1, 1),
        "until": date(2999, 12, 31),
        "limit": 3,
    }


def test_sql_text_is_run_as_given_with_its_parameters_as_strings():
    stmt = queries.statement("select $n as n", {"n": "7"})

    assert (stmt.named, stmt.sql, stmt.params) == (None, "select $n as n", {"n": "7"})


def test_a_failed_bare_word_is_hinted_as_a_mistyped_query_name(tmp_path):
    stmt = queries.statement("top-contries", {})

    message = stmt.failure(tmp_path / "news.duckdb", RuntimeError("syntax error"))

    assert message == (
        f"{tmp_path / 'news.duckdb'}: syntax error"
        " ('top-contries' is not a named query either; see `wirehouse query --list`)"
    )


def test_a_failed_named_query_is_named_in_the_message(tmp_path):
    path = tmp_path / "news.duckdb"
    with db.connect(path) as con:
        con.execute("create table t (x integer)")  # a database without the warehouse's views

    with pytest.raises(queries.QueryFailed, match=r"^query top-countries: Catalog Error"):
        queries.fetch_rows(path, queries.statement("top-countries", {}), wait_seconds=0)


def test_fetch_rows_gives_column_names_and_python_values(tmp_path):
    path = tmp_path / "news.duckdb"
    with db.connect(path) as con:
        con.execute("create table t as select 1 as x, date '2017-04-10' as d")

    columns, rows = queries.fetch_rows(
        path, queries.statement("select * from t", {}), wait_seconds=0
    )

    assert (columns, rows) == (["x", "d"], [(1, date(2017, 4, 10))])
