"""The `wirehouse` command: help texts, read-only query output, export, and run's exit status."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import flows.ingest
import flows.startup
from flows.ingest import run_pipeline
from tests.conftest import REPO_ROOT, SAMPLES, full_path, query
from tests.helpers.articles import kyodo, write
from wirehouse.cli import main
from wirehouse.settings import Settings


def good_files(root: Path) -> None:
    write(root, "a.txt", kyodo("Japan and Australia sign beef deal", "Japan cut tariffs."))
    write(root, "bb.txt", kyodo("Rice prices climb in Niigata", "Farmers blamed frost."))


def bad_files(root: Path) -> None:
    write(root, "empty.txt", b"")
    write(root, "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(64))


@pytest.fixture
def warehouse(tmp_path: Path, run) -> Path:
    root = tmp_path / "in"
    good_files(root)
    summary = run(root)
    assert summary.files_loaded == 2
    return tmp_path / "news.duckdb"


# --- help --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["--help"], "usage: wirehouse"),
        (["run", "--help"], "usage: wirehouse run"),
        (["query", "--help"], "usage: wirehouse query"),
        (["export", "--help"], "usage: wirehouse export"),
        (["serve", "--help"], "usage: wirehouse serve"),
    ],
)
def test_help_of_every_command_exits_zero_and_prints_usage(argv, usage, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(usage)
    assert "--help" in out


def test_top_level_help_names_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "query", "export", "serve"):
        assert command in out


def test_unknown_subcommand_exits_with_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# --- query -------------------------------------------------------------------


def test_query_prints_an_aligned_table_with_header_and_row_count(warehouse, capsys):
    # Paths shown from the input folder down: the column's width is then known here.
    start = len(full_path(warehouse.parent / "in", "")) + 1
    code = main(
        [
            "query",
            f"select substr(source_path, {start}) as source_path, date_basis from articles"
            " order by source_path",
            "--db",
            str(warehouse),
        ]
    )

    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "source_path        date_basis",
        "-----------------  -------------",
        "2017/04/10/a.txt   dateline+path",
        "2017/04/10/bb.txt  dateline+path",
        "(2 rows)",
    ]


def test_query_says_one_row_in_the_singular(warehouse, capsys):
    assert main(["query", "select count(*) as n from articles", "--db", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "-", "2", "(1 row)"]


def test_query_csv_output_parses_with_a_header(warehouse, capsys):
    code = main(
        [
            "query",
            "select source_path, published_date from articles order by source_path",
            "--db",
            str(warehouse),
            "--format",
            "csv",
        ]
    )

    assert code == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    root = warehouse.parent / "in"
    assert rows == [
        ["source_path", "published_date"],
        [full_path(root, "2017/04/10/a.txt"), "2017-04-10"],
        [full_path(root, "2017/04/10/bb.txt"), "2017-04-10"],
    ]


def test_query_json_output_is_a_list_of_objects(warehouse, capsys):
    code = main(
        [
            "query",
            "select headline, published_date from articles order by headline",
            "--db",
            str(warehouse),
            "--format",
            "json",
        ]
    )

    assert code == 0
    assert json.loads(capsys.readouterr().out) == [
        {"headline": "Japan and Australia sign beef deal", "published_date": "2017-04-10"},
        {"headline": "Rice prices climb in Niigata", "published_date": "2017-04-10"},
    ]


def test_query_on_a_missing_warehouse_returns_1_and_says_so(tmp_path, capsys):
    missing = tmp_path / "nowhere.duckdb"

    assert main(["query", "select 1", "--db", str(missing)]) == 1

    err = capsys.readouterr().err
    assert str(missing) in err
    assert "does not exist" in err
    assert not missing.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "delete from articles",
        "drop table articles",
        "insert into countries values ('XX', null, 'X', false, null, null)",
    ],
)
def test_query_cannot_change_the_warehouse(warehouse, sql):
    before = {
        t: query(warehouse, f"select count(*) from {t}")[0][0] for t in ("articles", "countries")
    }

    try:
        code = main(["query", sql, "--db", str(warehouse)])
    except duckdb.Error as exc:
        assert "read-only" in str(exc)
    else:
        assert code != 0

    after = {
        t: query(warehouse, f"select count(*) from {t}")[0][0] for t in ("articles", "countries")
    }
    assert after == before


def test_query_with_invalid_sql_returns_1_with_a_message(warehouse, capsys):
    code = main(["query", "selec 1", "--db", str(warehouse)])

    assert code == 1
    assert "syntax error" in capsys.readouterr().err.lower()


# --- export ------------------------------------------------------------------


def test_export_command_writes_parquet_and_a_manifest(warehouse, tmp_path, capsys):
    out = tmp_path / "parquet"

    assert main(["export", "--out", str(out), "--db", str(warehouse)]) == 0

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["articles"]["rows"] == 2
    assert (out / "articles" / "year=2017" / "month=4").is_dir()
    assert "manifest.json" in capsys.readouterr().out


def test_export_command_with_tables_writes_only_those(warehouse, tmp_path):
    out = tmp_path / "parquet"

    assert main(["export", "--out", str(out), "--db", str(warehouse), "--tables", "articles"]) == 0

    assert sorted(p.name for p in out.iterdir()) == ["articles", "manifest.json"]


def test_export_command_refuses_a_foreign_folder_with_status_2(warehouse, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")

    assert main(["export", "--out", str(out), "--db", str(warehouse)]) == 2

    assert "--force" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "keep me"
    assert not (out / "manifest.json").exists()


# --- run exit status, without Prefect --------------------------------------


@pytest.fixture
def plain_ingest(monkeypatch):
    """Make `wirehouse run` call the pipeline as plain functions, so its exit logic runs fast;
    no Prefect server is looked for."""

    def run_flow(settings: Settings):
        return run_pipeline(settings, as_tasks=False)

    monkeypatch.setattr(flows.ingest, "run_flow", run_flow)
    monkeypatch.setattr(flows.startup, "prefect_for_run", lambda **_: contextlib.nullcontext())


@pytest.mark.parametrize(
    ("files", "strict", "expected"),
    [
        ([good_files, bad_files], False, 0),
        ([good_files, bad_files], True, 1),
        ([bad_files], False, 1),
        ([good_files], True, 0),
        ([], False, 1),
    ],
    ids=["mixed", "mixed-strict", "only-bad", "only-good-strict", "no-files"],
)
def test_run_exit_status(plain_ingest, tmp_path, capsys, files, strict, expected):
    root = tmp_path / "in"
    root.mkdir()
    for make in files:
        make(root)
    argv = ["run", "--input", str(root), "--db", str(tmp_path / "n.duckdb")]

    assert main(argv + (["--strict"] if strict else [])) == expected

    err = capsys.readouterr().err
    if bad_files in files:
        assert f"rejected: {full_path(root, '2017/04/10/empty.txt')}: empty file" in err
        assert (
            f"rejected: {full_path(root, '2017/04/10/photo.txt')}: binary file (PNG image)" in err
        )
    if not files:
        assert "no article files found" in err


def test_run_with_export_into_a_foreign_folder_loads_refuses_the_export_and_exits_2(
    plain_ingest, tmp_path, capsys
):
    out = tmp_path / "p"
    (out / "src").mkdir(parents=True)
    (out / "manifest.json").write_text("{}")
    db_path = tmp_path / "n.duckdb"
    argv = ["run", "--input", str(SAMPLES), "--db", str(db_path), "--export", str(out)]

    assert main(argv) == 2

    assert "loaded, but not exported" in capsys.readouterr().err
    assert (out / "src").is_dir() and (out / "manifest.json").read_text() == "{}"
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("select count(*) > 0 from articles").fetchone() == (True,)


# --- --follow-symlinks ------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "loaded", "rejected"),
    [([], 1, 1), (["--follow-symlinks", "all"], 2, 0), (["--follow-symlinks", "none"], 1, 1)],
    ids=["default-inside", "all", "none"],
)
def test_run_follows_a_link_out_of_input_only_when_asked(
    plain_ingest, tmp_path, capsys, option, loaded, rejected
):
    root = tmp_path / "in"
    write(root, "a.txt", kyodo("Japan and Australia sign beef deal", "Japan cut tariffs."))
    (tmp_path / "passwd.txt").write_text(kyodo("Not an article of this feed", "Elsewhere."))
    link = write(root, "x.txt", b"")
    link.unlink()
    link.symlink_to(tmp_path / "passwd.txt")
    argv = ["run", "--input", str(root), "--db", str(tmp_path / "n.duckdb"), *option]

    assert main(argv) == 0

    out, err = capsys.readouterr()
    assert f"{loaded} loaded, 0 duplicate, {rejected} rejected" in out
    if rejected:
        assert f"rejected: {full_path(root, '2017/04/10/x.txt')}: symbolic link" in err
        assert "not followed (--follow-symlinks" in err


def test_run_refuses_an_unknown_follow_symlinks_value_with_status_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--follow-symlinks", "outside"])

    assert exit_info.value.code == 2
    assert "invalid choice: 'outside'" in capsys.readouterr().err


def test_serve_hands_follow_symlinks_to_the_scheduled_runs(monkeypatch, tmp_path):
    import flows.serve
    from wirehouse.cli import build_parser, cmd_serve

    given: dict[str, object] = {}
    monkeypatch.setattr(flows.serve, "serve", lambda **kwargs: given.update(kwargs) or 0)
    argv = ["serve", "--interval", "60", "--input", str(tmp_path), "--follow-symlinks", "none"]

    assert cmd_serve(build_parser().parse_args(argv)) == 0
    assert given["follow_symlinks"] == "none"
    assert cmd_serve(build_parser().parse_args(argv[:-2])) == 0
    assert given["follow_symlinks"] == "inside"


# --- run exit status, through Prefect (slow: starts a temporary server) -----


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
    }
    return subprocess.run(
        [sys.executable, "-m", "wirehouse.cli", "run", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
def test_cli_run_of_only_bad_files_exits_1(tmp_path):
    root = tmp_path / "in"
    bad_files(root)
    db_path = tmp_path / "n.duckdb"

    done = run_cli(tmp_path, "--input", str(root), "--db", str(db_path))

    assert done.returncode == 1, done.stderr
    assert "nothing could be loaded" in done.stderr
    assert query(db_path, "select count(*) from source_files where status = 'rejected'") == [(2,)]


@pytest.mark.slow
def test_cli_run_strict_on_a_mixed_folder_exits_1_but_still_loads_the_good_files(tmp_path):
    root = tmp_path / "in"
    good_files(root)
    bad_files(root)
    db_path = tmp_path / "n.duckdb"

    done = run_cli(tmp_path, "--input", str(root), "--db", str(db_path), "--strict")

    assert done.returncode == 1, done.stderr
    assert "4 files seen, 0 unchanged, 2 loaded, 0 duplicate, 2 rejected" in done.stdout
    assert query(db_path, "select count(*) from articles") == [(2,)]
