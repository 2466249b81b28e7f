"""The locked read connection of `query`, `report` and `export`: it reads the warehouse and
nothing else, writes nothing but export's staging folder, and still runs analyst SQL."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.ingest import run_pipeline
from tests.conftest import query
from tests.helpers.articles import kyodo, write
from warehouse import db, queries
from warehouse.export import export_warehouse
from warehouse.report import write_report
from wirehouse.cli import main
from wirehouse.settings import Settings

SECRET = "not-for-query-eyes"


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    """A folder holding a loaded warehouse (news.duckdb), another warehouse (other.duckdb)
    holding one article row, and files query must not read (secret.txt, secret.csv)."""
    root = tmp_path_factory.mktemp("locked")
    write(root / "in", "a.txt", kyodo("Japan and Australia sign beef deal", "Japan cut tariffs."))
    write(root / "in", "b.txt", kyodo("China and Japan resume talks", "Officials met in Tokyo."))
    summary = run_pipeline(
        Settings(input_dir=root / "in", db_path=root / "news.duckdb"), as_tasks=False
    )
    assert summary.files_loaded == 2
    with duckdb.connect(str(root / "other.duckdb")) as con:
        con.execute("create table articles as select 'kept' as article_id")
    (root / "secret.txt").write_text(SECRET)
    (root / "secret.csv").write_text(f"word\n{SECRET}\n")
    return root


def other_articles(place: Path) -> int:
    with duckdb.connect(str(place / "other.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from articles").fetchone()[0]


# --- what query refuses --------------------------------------------------------------

# (SQL, whether query refuses it before running (exit 2) or DuckDB refuses it (exit 1), what
# the message says, the file it must not have made). {d} is the folder of the fixture `place`.
HOSTILE = {
    "copy_table_to": (
        "copy articles to '{d}/out.csv'",
        "refused",
        "COPY is refused",
        "out.csv",
    ),
    "copy_query_to_a_view_file": (
        "copy (select 'delete from mentions') to '{d}/99_zz.sql'",
        "refused",
        "COPY is refused",
        "99_zz.sql",
    ),
    "read_text": ("select * from read_text('{d}/secret.txt')", "failed", "secret.txt", None),
    "glob": ("select * from glob('{d}/*')", "failed", "disabled by configuration", None),
    "read_csv": ("select * from read_csv('{d}/secret.csv')", "failed", "secret.csv", None),
    "path_in_from": ("select * from '{d}/secret.csv'", "failed", "secret.csv", None),
    "export_database": ("export database '{d}/dump'", "refused", "EXPORT DATABASE", "dump"),
    "attach": ("attach '{d}/other.duckdb' as x (read_write)", "refused", "ATTACH is", None),
    "set_external_access": (
        "set enable_external_access = true",
        "refused",
        "SET, RESET and USE are refused",
        None,
    ),
    "reset_lock": ("reset lock_configuration", "refused", "SET, RESET and USE", None),
    "install": ("install httpfs", "refused", "INSTALL and LOAD are refused", None),
    "load": ("load httpfs", "refused", "INSTALL and LOAD are refused", None),
    "pragma": ("pragma enable_profiling", "refused", "PRAGMA is refused", None),
    "delete": ("delete from articles", "refused", "DELETE is refused", None),
    "two_statements": ("select 1; select 2", "refused", "2 statements given", None),
}


def through_cli(capsys, place: Path, sql: str, *extra: str) -> tuple[str, str, str]:
    """(refused|failed|ran, stderr, stdout) of `wirehouse query SQL` on the place's warehouse."""
    code = main(["query", sql, "--db", str(place / "news.duckdb"), *extra])
    captured = capsys.readouterr()
    outcome = {0: "ran", 1: "failed", 2: "refused"}[code]
    return outcome, captured.err.removesuffix("\n"), captured.out


def through_python(place: Path, sql: str, *, script: bool = False) -> tuple[str, str, str]:
    """The same through warehouse.queries.fetch_rows, the Python entry point."""
    stmt = queries.statement(sql, {}, script=script)
    try:
        columns, rows = queries.fetch_rows(place / "news.duckdb", stmt, wait_seconds=5)
    except queries.QueryRefused as exc:
        return "refused", str(exc), ""
    except queries.QueryFailed as exc:
        return "failed", str(exc), ""
    return "ran", "", repr((columns, rows))


@pytest.mark.parametrize("entry", ["cli", "python"])
@pytest.mark.parametrize("case", HOSTILE.values(), ids=HOSTILE.keys())
def test_query_refuses_what_reaches_beyond_the_warehouse_with_one_clear_line(
    place, capsys, entry, case
):
    template, expected, says, not_made = case
    sql = template.format(d=place)
    before = sorted(p.name for p in place.iterdir())

    if entry == "cli":
        outcome, message, out = through_cli(capsys, place, sql)
    else:
        outcome, message, out = through_python(place, sql)

    assert (outcome, out) == (expected, "")
    assert says in message
    assert "\n" not in message, "one line"
    assert SECRET not in message
    if "COPY" in says or "EXPORT" in says or outcome == "failed":
        assert "wirehouse export" in message and "--out" in message
    assert sorted(p.name for p in place.iterdir()) == before
    if not_made:
        assert not (place / not_made).exists()


def test_a_script_cannot_attach_and_delete_from_another_warehouse(place, capsys):
    sql = f"attach '{place}/other.duckdb' as x (read_write); delete from x.articles"

    outcome, message, _ = through_cli(capsys, place, sql, "--script")

    assert outcome == "refused"
    assert message == (
        "wirehouse query: statement 1: ATTACH is refused: query reads only the warehouse named"
        " by --db; pass another --db to read another warehouse"
    )
    assert other_articles(place) == 1


def test_a_script_is_checked_whole_before_any_statement_runs(place, capsys):
    sql = f"create temp view v as select 1 as x; copy v to '{place}/out.csv'"

    outcome, message, _ = through_cli(capsys, place, sql, "--script")

    assert outcome == "refused"
    assert message.startswith("wirehouse query: statement 2: COPY is refused")
    assert not (place / "out.csv").exists()


def test_no_statement_at_all_is_refused(place):
    assert through_python(place, " ; -- nothing") == (
        "refused",
        "no SQL statement given; see `wirehouse query --list`",
        "",
    )


def test_a_script_parameter_no_statement_uses_is_refused(place):
    stmt = queries.statement("select 1; select $a", {"a": "1", "b": "2"}, script=True)

    with pytest.raises(queries.QueryRefused, match="^parameter b is used by no statement$"):
        queries.fetch_rows(place / "news.duckdb", stmt, wait_seconds=5)


# --- DuckDB's own lock, beneath the statement check -------------------------------------


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("copy articles to '{d}/out.csv'", duckdb.PermissionException),
        ("select * from read_text('{d}/secret.txt')", duckdb.PermissionException),
        ("select * from glob('{d}/*')", duckdb.PermissionException),
        ("select * from read_csv('{d}/secret.csv')", duckdb.PermissionException),
        ("export database '{d}/dump'", duckdb.PermissionException),
        ("attach '{d}/other.duckdb' as x (read_write)", duckdb.PermissionException),
        ("install httpfs", duckdb.PermissionException),
        ("load httpfs", duckdb.PermissionException),
        ("set enable_external_access = true", duckdb.InvalidInputException),
        ("set lock_configuration = false", duckdb.InvalidInputException),
        ("set autoload_known_extensions = true", duckdb.InvalidInputException),
        ("call enable_logging()", duckdb.InvalidInputException),
        ("delete from articles", duckdb.InvalidInputException),
    ],
)
def test_the_locked_connection_itself_refuses_files_extensions_settings_and_writes(
    place, sql, error
):
    before = sorted(p.name for p in place.iterdir())

    with db.connect(place / "news.duckdb", locked=True) as con, pytest.raises(error):
        con.execute(sql.format(d=place)).fetchall()

    assert sorted(p.name for p in place.iterdir()) == before
    assert other_articles(place) == 1


def test_exports_connection_writes_into_its_folder_and_nowhere_else(place, tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()

    with db.connect(place / "news.duckdb", locked=True, writable_dirs=[staging]) as con:
        con.execute(f"copy (select 1 as x) to '{staging}/inside.parquet' (format parquet)")
        for target in (f"{staging}/../escaped.parquet", f"{place}/beside.parquet"):
            with pytest.raises(duckdb.PermissionException):
                con.execute(f"copy (select 1 as x) to '{target}' (format parquet)")
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.execute("set allowed_directories = ['/']")
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"select * from read_text('{place}/secret.txt')").fetchall()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["staging"]
    assert [p.name for p in staging.iterdir()] == ["inside.parquet"]
    assert not (place / "beside.parquet").exists()


# --- what query still runs ------------------------------------------------------------

ANALYST_SQL = {
    "view": "select country_code, sum(mention_count) as mention_count"
    " from country_mentions_daily group by country_code order by mention_count desc, country_code",
    "cte": "with jp as (select article_id from mentions where country_code = 'JP')"
    " select count(distinct article_id) as article_count from jp",
    "window": "select article_id, sentence_no,"
    " count(*) over (partition by article_id) as sentence_count"
    " from sentences order by article_id, sentence_no",
    "qualify": "select article_id, sentence from sentences"
    " qualify row_number() over (partition by article_id order by sentence_no) = 1"
    " order by article_id",
    "describe": "describe articles",
    "pivot": "pivot (select mention_kind from mentions) on mention_kind using count(*)",
    "table_function": "select name from pragma_table_info('articles') order by cid",
}


@pytest.mark.parametrize("sql", ANALYST_SQL.values(), ids=ANALYST_SQL.keys())
def test_analyst_sql_gives_on_the_locked_connection_what_a_plain_one_gives(place, capsys, sql):
    outcome, err, out = through_cli(capsys, place, sql, "--format", "json")

    assert outcome == "ran", err
    rows = [tuple(r.values()) for r in json.loads(out)]
    expected = [
        tuple(v if isinstance(v, int | str | None) else str(v) for v in row)
        for row in query(place / "news.duckdb", sql)
    ]
    assert rows == expected
    assert rows, "the warehouse holds something for this SQL to find"


def test_named_queries_with_parameters_run_on_the_locked_connection(place, capsys):
    outcome, err, out = through_cli(
        capsys, place, "country-daily", "--country", "JP", "--since", "2017-04-01",
        "--format", "json",
    )  # fmt: skip

    assert outcome == "ran", err
    by_hand = query(
        place / "news.duckdb",
        "select count(*) from mentions inner join articles using (article_id)"
        " where mentions.country_code = 'JP' and articles.published_date >= date '2017-04-01'"
        " and mentions.mention_kind in ('name', 'capital', 'demonym', 'place')",
    )[0][0]
    assert sum(r["mention_count"] for r in json.loads(out)) == by_hand
    assert by_hand == 4, "Japan in both headlines, Japan and Tokyo in the bodies"
    with db.connect(place / "news.duckdb", locked=True) as con:
        top = queries.run_query(con, "top-countries", limit=1)
    assert top.get_column("country_code").to_list() == ["JP"]


def test_a_script_runs_a_temp_view_then_the_select_printing_the_last_result(place, capsys):
    sql = (
        "create temp view located as select * from mentions where country_code is not null;"
        " select count(*) as mention_count from located where country_code = $c"
    )

    outcome, err, out = through_cli(
        capsys, place, sql, "--script", "--param", "c=JP", "--format", "json"
    )

    assert outcome == "ran", err
    expected = query(
        place / "news.duckdb", "select count(*) from mentions where country_code = 'JP'"
    )
    assert json.loads(out) == [{"mention_count": expected[0][0]}]


def test_a_script_writes_parquet_through_out_only(place, tmp_path, capsys):
    target = tmp_path / "jp.parquet"
    sql = "create temp macro jp() as table select 'JP' as code; select * from jp()"

    outcome, err, _ = through_cli(
        capsys, place, sql, "--script", "--format", "parquet", "--out", str(target)
    )

    assert outcome == "ran", err
    assert pl.read_parquet(target).to_dicts() == [{"code": "JP"}]


# --- report and export, on their locked connections -----------------------------------------


def test_report_still_writes_its_page(place, tmp_path):
    page = write_report(place / "news.duckdb", tmp_path / "report")

    assert page.read_text(encoding="utf-8").count('<img class="chart"') == 8


def test_export_still_writes_every_table_and_nothing_beside_its_folder(place, tmp_path):
    out = export_warehouse(place / "news.duckdb", tmp_path / "export")

    manifest = json.loads((out / "manifest.json").read_text())
    articles = pl.scan_parquet(out / "articles" / "**" / "*.parquet", hive_partitioning=True)
    assert manifest["tables"]["articles"]["rows"] == 2
    assert articles.select(pl.len()).collect().item() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]
