"""The `wirehouse` command at its edges: hostile file names and cells, refused output paths,
out-of-range options, and `--if-running fail` answering at once."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import flows.ingest
import flows.startup
from flows.ingest import run_pipeline
from tests.conftest import REPO_ROOT
from tests.helpers.articles import kyodo, write
from wirehouse.cli import main, spreadsheet_safe
from wirehouse.settings import Settings


@pytest.fixture
def plain_ingest(monkeypatch):
    """Make `wirehouse run` call the pipeline as plain functions (no Prefect, no server looked
    for)."""
    monkeypatch.setattr(
        flows.ingest, "run_flow", lambda settings: run_pipeline(settings, as_tasks=False)
    )
    monkeypatch.setattr(flows.startup, "prefect_for_run", lambda **_: contextlib.nullcontext())


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """One article loaded, shared by the read-only tests here."""
    root = tmp_path_factory.mktemp("edges")
    write(root / "in", "a.txt", kyodo("Japan and Australia sign beef deal", "Japan cut tariffs."))
    settings = Settings(input_dir=root / "in", db_path=root / "news.duckdb")
    assert run_pipeline(settings, as_tasks=False).files_loaded == 1
    return root / "news.duckdb"


# --- control characters in what is printed and logged --------------------------

FORGED = "wirehouse: 0 files seen, 0 unchanged, 0 loaded, 0 duplicate, 0 rejected"
EVIL_NAME = f"evil\n{FORGED}\x1b]0;pwned\x07.txt"


def test_a_file_name_with_a_newline_and_an_escape_sequence_is_printed_escaped(
    plain_ingest, tmp_path, capsys, caplog
):
    root = tmp_path / "in"
    write(root, "a.txt", kyodo("Japan and Australia sign beef deal", "Japan cut tariffs."))
    write(root, EVIL_NAME, b"")  # empty: rejected, so its name is printed with the reason

    with caplog.at_level("INFO", logger="wirehouse"):
        code = main(["run", "--input", str(root), "--db", str(tmp_path / "n.duckdb")])

    out, err = capsys.readouterr()
    assert code == 0
    printed = out + err
    assert "\x1b" not in printed and "\x07" not in printed
    lines = printed.splitlines()
    assert [line for line in lines if line.startswith("wirehouse: ")] == [
        line for line in lines if line.startswith("wirehouse: 2 files seen, 0 unchanged, 1 loaded")
    ]
    assert len([line for line in lines if line.startswith("wirehouse: ")]) == 1
    shown = "evil\\nwirehouse: 0 files seen, 0 unchanged, 0 loaded, 0 duplicate, 0 rejected"
    assert f"{shown}\\x1b]0;pwned\\x07.txt: empty file" in err
    logged = [record.getMessage() for record in caplog.records]
    assert any(f"{shown}\\x1b]0;pwned\\x07.txt" in message for message in logged)
    assert not any(("\n" in m or "\x1b" in m or "\x07" in m) for m in logged)


def test_query_table_output_escapes_control_characters_in_cells(warehouse, capsys):
    sql = "select 'a' || chr(27) || ']0;pwned' || chr(7) || chr(10) || 'b' as \"x\ny\""

    assert main(["query", sql, "--db", str(warehouse)]) == 0

    out = capsys.readouterr().out
    assert out.splitlines() == ["x\\ny", "-" * 20, "a\\x1b]0;pwned\\x07\\nb", "(1 row)"]


# --- spreadsheet formulas in CSV ------------------------------------------------

FORMULA_SQL = """
select
    '=HYPERLINK("http://evil.example","click")' as link,
    '+1+1' as plus,
    '-2+3' as minus,
    '@SUM(A1)' as at_sign,
    chr(9) || 'x' as tab,
    chr(13) || 'x' as carriage_return,
    'a=b' as inner_equals,
    '-5' as negative_text,
    -5 as negative_int,
    -2.5 as negative_decimal,
    date '2017-04-10' as day,
    1 as "=cmd"
"""
SAFE_HEADER = [
    "link", "plus", "minus", "at_sign", "tab", "carriage_return", "inner_equals",
    "negative_text", "negative_int", "negative_decimal", "day", "'=cmd",
]  # fmt: skip
SAFE_ROW = [
    "'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx",
    "'\rx", "a=b", "'-5", "-5", "-2.5", "2017-04-10", "1",
]  # fmt: skip


def test_csv_cells_that_start_like_a_formula_get_a_quote_and_numbers_stay(warehouse, capsys):
    assert main(["query", FORMULA_SQL, "--db", str(warehouse), "--format", "csv"]) == 0

    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert rows == [SAFE_HEADER, SAFE_ROW]


def test_csv_written_to_out_is_escaped_the_same_way(warehouse, tmp_path):
    out = tmp_path / "x.csv"

    assert (
        main(["query", FORMULA_SQL, "--db", str(warehouse), "--format", "csv", "--out", str(out)])
        == 0
    )

    with out.open(newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == [SAFE_HEADER, SAFE_ROW]


def test_json_output_keeps_text_as_it_is(warehouse, capsys):
    assert main(["query", FORMULA_SQL, "--db", str(warehouse), "--format", "json"]) == 0

    record = json.loads(capsys.readouterr().out)[0]
    assert record["link"] == '=HYPERLINK("http://evil.example","click")'
    assert record["negative_int"] == -5


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+1", "'=1+1"), ("", ""), ("'=already", "'=already"), (-1, -1), (None, None)],
)
def test_spreadsheet_safe_touches_only_text_starting_like_a_formula(cell, safe):
    assert spreadsheet_safe(cell) == safe


# --- query --out ----------------------------------------------------------------


def test_query_out_into_a_missing_folder_exits_2_in_one_line(warehouse, tmp_path, capsys):
    out = tmp_path / "missing" / "x.csv"

    code = main(["query", "select 1", "--db", str(warehouse), "--format", "csv", "--out", str(out)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"wirehouse: {tmp_path / 'missing'}: no such folder; create it first\n"
    )
    assert not out.parent.exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_query_out_that_is_a_link_is_refused_and_its_target_kept(warehouse, tmp_path, capsys, fmt):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    out = tmp_path / "x.out"
    out.symlink_to(victim)

    code = main(["query", "select 1", "--db", str(warehouse), "--format", fmt, "--out", str(out)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and f"{out}: is a symbolic link" in err
    assert victim.read_text() == "keep"


def test_query_out_that_is_a_folder_exits_2(warehouse, tmp_path, capsys):
    code = main(
        ["query", "select 1", "--db", str(warehouse), "--format", "csv", "--out", str(tmp_path)]
    )

    err = capsys.readouterr().err
    assert code == 2
    assert err == f"wirehouse: {tmp_path}: is a folder; name a file, or remove the folder\n"


# --- options: whole numbers in range, or a usage error --------------------------


@pytest.mark.parametrize("limit", ["-1", "0", "١٢", "1.5", " 5", "+5", "1_0", ""])
def test_limit_must_be_a_positive_ascii_whole_number(warehouse, capsys, limit):
    with pytest.raises(SystemExit) as exit_info:
        main(["query", "top-countries", "--db", str(warehouse), "--limit", limit])

    assert exit_info.value.code == 2
    assert "argument --limit" in capsys.readouterr().err


@pytest.mark.parametrize("limit", ["-1", "0", "١٢"])
def test_limit_given_as_a_param_is_checked_the_same_way(warehouse, capsys, limit):
    code = main(["query", "top-countries", "--db", str(warehouse), "--param", f"limit={limit}"])

    assert code == 2
    assert "is not a whole number of at least 1" in capsys.readouterr().err


def test_a_good_limit_limits_the_rows(warehouse, capsys):
    code = main(
        ["query", "top-countries", "--db", str(warehouse), "--limit", "1", "--format", "json"]
    )

    assert code == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--workers", "0"],
        ["run", "--batch-size", "0"],
        ["run", "--batch-size", "-3"],
        ["run", "--max-file-mb", "-1"],
        ["run", "--max-file-mb", "0"],
        ["run", "--max-file-mb", "nan"],
        ["run", "--lock-wait", "-5"],
        ["run", "--write-hold", "inf"],
        ["run", "--dask-local", "-1"],
        ["query", "select 1", "--wait", "-1"],
        ["serve", "--interval", "0"],
        ["serve", "--cron", "* * * * *", "--port", "70000"],
    ],
    ids=lambda argv: " ".join(argv[-2:]),
)
def test_an_option_out_of_range_is_a_usage_error(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 2
    assert f"argument {argv[-2]}" in capsys.readouterr().err


# --- --if-running fail -----------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from warehouse.locks import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def test_if_running_fail_exits_3_within_2_seconds_in_one_line(tmp_path):
    db = tmp_path / "news.duckdb"
    write(
        tmp_path / "in", "a.txt", kyodo("Japan and Australia sign beef deal", "Japan cut tariffs.")
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "wirehouse.cli", "run", "--input", str(tmp_path / "in"),
             "--db", str(db), "--if-running", "fail"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait(10)

    assert done.returncode == 3, done.stderr
    assert took < 2, f"took {took:.1f}s"
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"another wirehouse run is loading (pid {holder.pid}, started " in done.stderr
    assert not db.exists()  # nothing was started, let alone loaded
