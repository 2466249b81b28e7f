"""`wirehouse query`: named queries from sql/queries/, bound parameters, and csv/json/parquet output."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows.ingest import run_pipeline
from tests.conftest import SAMPLES, full_path, query
from warehouse.queries import QUERY_DIR, QueryError, load_query, named_queries
from wirehouse.cli import main
from wirehouse.settings import Settings

SHIPPED = (
    "top-countries",
    "country-daily",
    "sentences-mentioning",
    "co-mentions",
    "top-people",
    "top-organizations",
    "rejected-files",
    "tone-extremes",
)
COUNTRY_KINDS = "('name', 'capital', 'demonym', 'place')"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The sample articles plus one empty file (rejected), loaded once for this module."""
    root = tmp_path_factory.mktemp("query")
    shutil.copytree(SAMPLES, root / "in")
    (root / "in" / "2017" / "04" / "10").mkdir(parents=True, exist_ok=True)
    (root / "in" / "2017" / "04" / "10" / "empty.txt").write_bytes(b"")
    settings = Settings(input_dir=root / "in", db_path=root / "news.duckdb")
    summary = run_pipeline(settings, as_tasks=False)
    assert summary.files_rejected == 1
    assert summary.files_loaded == 12
    return root / "news.duckdb"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["query", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cli_json(capsys, db_path: Path, *argv: str) -> list[dict]:
    code, out, err = cli(capsys, *argv, "--db", str(db_path), "--format", "json")
    assert code == 0, err
    return json.loads(out)


# --- the shipped files ---------------------------------------------------------


def test_every_shipped_query_parses_and_declares_exactly_the_parameters_it_uses():
    queries = named_queries()

    assert set(SHIPPED) <= set(queries)
    for named in queries.values():
        assert named.description, named.path
        assert named.sql.startswith("-- "), named.path


@pytest.mark.parametrize("path", sorted(QUERY_DIR.glob("*.sql")), ids=lambda p: p.stem)
def test_shipped_queries_follow_the_sql_style(path):
    text = path.read_text()
    code = re.sub(r"--[^\n]*", "", text)

    assert re.search(r"^-- grain: ", text, re.MULTILINE), "a grain comment"
    assert code.rstrip().endswith("select * from final")
    assert not re.search(r"\b(SELECT|FROM|WHERE|JOIN|GROUP BY|ORDER BY)\b", code)
    assert "'" + "{" not in code and "%s" not in code, "no string templating"


def test_a_query_file_whose_params_line_disagrees_with_its_sql_is_refused(tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("-- Bad.\n-- params: since (date)\nselect $until as until_date\n")

    with pytest.raises(
        QueryError, match=r"bad\.sql: declares parameters \['since'\] but uses \['until'\]"
    ):
        load_query(bad)


def test_list_names_every_shipped_query_with_its_description_and_parameters(capsys):
    code, out, _ = cli(capsys, "--list")

    assert code == 0
    for name in SHIPPED:
        description = named_queries()[name].description
        assert re.search(rf"^{re.escape(name)}\s+{re.escape(description)}$", out, re.MULTILINE)
    assert "country (text, required)" in out
    assert "since (date, default 1900-01-01)" in out


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_query_runs_on_the_sample_warehouse(warehouse, capsys, name):
    needs_country = "country" in {p.name for p in named_queries()[name].params}
    extra = ["--country", "JP"] if needs_country else []

    code, out, err = cli(capsys, name, "--db", str(warehouse), *extra)

    assert code == 0, err
    assert re.search(r"^\(\d+ rows?\)$", out, re.MULTILINE)


# --- results checked against hand-written SQL ----------------------------------


def test_top_countries_since_matches_a_count_over_the_raw_mentions(warehouse, capsys):
    rows = cli_json(capsys, warehouse, "top-countries", "--since", "2017-04-01", "--limit", "5")

    expected = query(
        warehouse,
        "select m.country_code, count(*) as n, count(distinct m.article_id) as a"
        " from mentions m join articles a on a.article_id = m.article_id"
        f" where a.published_date >= date '2017-04-01' and m.mention_kind in {COUNTRY_KINDS}"
        " group by m.country_code order by n desc, m.country_code limit 5",
    )
    assert [(r["country_code"], r["mention_count"], r["article_count"]) for r in rows] == expected
    assert len(rows) == 5
    everything = cli_json(capsys, warehouse, "top-countries", "--limit", "5")
    assert everything[0]["mention_count"] > rows[0]["mention_count"], "--since narrowed the count"


def test_until_and_since_together_bound_the_dates(warehouse, capsys):
    rows = cli_json(
        capsys, warehouse, "country-daily", "--country", "JP",
        "--since", "2017-01-01", "--until", "2017-06-30",
    )  # fmt: skip

    expected = query(
        warehouse,
        "select a.published_date::varchar, count(*) from mentions m"
        " join articles a on a.article_id = m.article_id"
        " where m.country_code = 'JP' and a.published_date between ? and ?"
        f" and m.mention_kind in {COUNTRY_KINDS} group by 1 order by 1",
        [date(2017, 1, 1), date(2017, 6, 30)],
    )
    assert [(r["mention_date"], r["mention_count"]) for r in rows] == expected
    assert expected


def test_co_mentions_counts_sentences_shared_with_the_country(warehouse, capsys):
    rows = cli_json(capsys, warehouse, "co-mentions", "--country", "kp")

    expected = query(
        warehouse,
        "select other.country_code, count(distinct (other.article_id, other.sentence_no))"
        " from mentions kp join mentions other on other.article_id = kp.article_id"
        " and other.sentence_no = kp.sentence_no and other.country_code <> 'KP'"
        " where kp.country_code = 'KP' group by 1 order by 2 desc, 1",
    )
    assert [(r["country_code"], r["sentence_count"]) for r in rows] == expected
    assert expected


def test_sentences_mentioning_returns_each_sentence_once_with_its_headline(warehouse, capsys):
    rows = cli_json(capsys, warehouse, "sentences-mentioning", "--country", "KP")

    expected = query(
        warehouse,
        "select distinct a.headline, s.sentence from mentions m"
        " join sentences s on s.article_id = m.article_id and s.sentence_no = m.sentence_no"
        " join articles a on a.article_id = m.article_id where m.country_code = 'KP'",
    )
    assert sorted((r["headline"], r["sentence"]) for r in rows) == sorted(expected)
    assert all(r["published_date"] for r in rows)


def test_rejected_files_lists_what_was_not_loaded_with_its_reason(warehouse, capsys):
    rows = cli_json(capsys, warehouse, "rejected-files")
    empty = full_path(warehouse.parent / "in", "2017/04/10/empty.txt")

    assert [(r["path"], r["status"]) for r in rows] == [(empty, "rejected")]
    assert rows[0]["reason"].startswith(f"{empty}: empty file")


@pytest.mark.parametrize(
    ("name", "entity_type"), [("top-people", "person"), ("top-organizations", "organization")]
)
def test_top_people_and_organizations_match_a_count_over_the_raw_mentions(
    warehouse, tmp_path, capsys, name, entity_type
):
    # Plant one entity mentioned in three articles, so the ranking has something certain in it.
    copy = tmp_path / "planted.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "insert into entities (entity_id, entity_type, name, country_code) values ('planted:zz', $t, 'Zz Planted', 'JP')",
            {"t": entity_type},
        )
        con.execute(
            "insert into mentions (article_id, sentence_no, start_char, end_char, surface,"
            " entity_id, entity_type, mention_kind, country_code)"
            " select article_id, 0, 0, 1, 'x', 'planted:zz', $t, $t, 'JP'"
            " from (select article_id from articles order by article_id limit 3)",
            {"t": entity_type},
        )

    rows = cli_json(capsys, copy, name, "--limit", "50")

    expected = query(
        copy,
        "select e.entity_id, e.name, count(*) as n, count(distinct m.article_id)"
        " from mentions m join entities e on e.entity_id = m.entity_id"
        " where e.entity_type = ? group by e.entity_id, e.name order by n desc, e.entity_id"
        " limit 50",
        [entity_type],
    )
    got = [(r["entity_id"], r["entity_name"], r["mention_count"], r["article_count"]) for r in rows]
    assert got == expected
    assert ("planted:zz", "Zz Planted", 3, 3) in got


# --- parameters are bound, never pasted ------------------------------------------


@pytest.mark.parametrize("name", ["country-daily", "sentences-mentioning", "co-mentions"])
def test_a_quote_in_a_parameter_is_data_not_sql(warehouse, capsys, name):
    assert cli_json(capsys, warehouse, name, "--country", "KP")

    assert cli_json(capsys, warehouse, name, "--country", "KP' or 1=1 --") == []


def test_param_flag_is_the_same_as_the_convenience_flag(warehouse, capsys):
    by_flag = cli_json(capsys, warehouse, "country-daily", "--country", "KR")
    by_param = cli_json(capsys, warehouse, "country-daily", "--param", "country=KR")

    assert by_param == by_flag
    assert by_flag


def test_sql_text_may_use_bound_parameters_too(warehouse, capsys):
    rows = cli_json(
        capsys, warehouse, "select count(*) as n from articles where source_path like $p",
        "--param", "p=2017/%",
    )  # fmt: skip

    assert rows == [
        {
            "n": query(warehouse, "select count(*) from articles where source_path like '2017/%'")[
                0
            ][0]
        }
    ]


# --- errors ----------------------------------------------------------------------


def test_missing_parameter_exits_2_naming_the_query_and_the_parameter(warehouse, capsys):
    code, out, err = cli(capsys, "country-daily", "--db", str(warehouse))

    assert code == 2
    assert out == ""
    assert "query country-daily: missing parameter country" in err
    assert "--country" in err


def test_unknown_parameter_exits_2_and_lists_the_ones_it_takes(warehouse, capsys):
    code, _, err = cli(capsys, "top-countries", "--country", "KP", "--db", str(warehouse))

    assert code == 2
    assert "query top-countries: unknown parameter country" in err
    assert "since, until, limit" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "April"], "parameter since: 'April' is not a date like 2017-04-10"),
        (["--param", "limit=ten"], "limit: 'ten' is not a whole number of at least 1"),
        (["--param", "limit"], "write it as NAME=VALUE"),
    ],
)
def test_badly_typed_parameter_exits_2_with_a_message(warehouse, capsys, argv, message):
    code, _, err = cli(capsys, "top-countries", *argv, "--db", str(warehouse))

    assert code == 2
    assert message in err


def test_an_unknown_query_name_is_run_as_sql_and_fails_with_1(warehouse, capsys):
    code, out, err = cli(capsys, "top-contries", "--db", str(warehouse))

    assert code == 1
    assert out == ""
    assert "syntax error" in err.lower()
    assert "not a named query" in err


def test_no_sql_and_no_list_exits_2(capsys):
    code, _, err = cli(capsys)

    assert code == 2
    assert "--list" in err


def test_parquet_without_out_exits_2(warehouse, capsys):
    code, out, err = cli(capsys, "top-countries", "--db", str(warehouse), "--format", "parquet")

    assert code == 2
    assert out == ""
    assert "--out" in err


# --- output formats -----------------------------------------------------------


def test_csv_json_and_parquet_outputs_hold_the_same_rows(warehouse, tmp_path, capsys):
    base = ["top-countries", "--since", "2017-04-01", "--db", str(warehouse)]
    for fmt in ("csv", "json", "parquet"):
        code, _, err = cli(capsys, *base, "--format", fmt, "--out", str(tmp_path / f"top.{fmt}"))
        assert code == 0, err
    code, stdout_csv, _ = cli(capsys, *base, "--format", "csv")
    assert code == 0

    from_parquet = pl.read_parquet(tmp_path / "top.parquet")
    from_json = pl.DataFrame(json.loads((tmp_path / "top.json").read_text()))
    from_csv = pl.read_csv(tmp_path / "top.csv")
    as_text = from_parquet.with_columns(pl.col(pl.Date).cast(pl.String))

    assert from_parquet.schema["mention_count"] == pl.Int64
    assert from_parquet.schema["first_mention_date"] == pl.Date
    assert from_parquet.height == 10
    assert_frame_equal(from_json, as_text, check_dtypes=False)
    assert_frame_equal(from_csv, as_text, check_dtypes=False)
    assert list(csv.reader(io.StringIO(stdout_csv))) == list(
        csv.reader(io.StringIO((tmp_path / "top.csv").read_text()))
    )
