"""Bad input files are recorded with a reason, once each, and never stop good files loading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.ingest import run_pipeline
from tests.conftest import full_path, query
from tests.helpers.articles import DAY, kyodo, write
from wirehouse.settings import Settings

LIMIT = 2000


GOOD = {
    "good-port.txt": kyodo(
        "Fishing boats return to Hachinohe port",
        "Dozens of fishing boats returned to the port\nof Hachinohe on Monday after storms.",
    ),
    "good-rice.txt": kyodo(
        "Rice prices climb in Niigata",
        "Farmers in Niigata blamed the late frost\nfor a poor early harvest.",
    ),
}


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    """One run over good files and a file of every bad kind: (summary, db, ledger by path, rows,
    input folder)."""
    tmp_path = tmp_path_factory.mktemp("mixed")
    root = tmp_path / "in"
    for name, text in GOOD.items():
        write(root, name, text)
    write(root, "empty.txt", b"")
    write(root, "blank.txt", "  \n\n\t \r\n")
    write(root, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(root, "bundle.txt", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 40)
    write(
        root,
        "windows.txt",
        b"Kyodo News\nBack to Main\nCaf\xe9 owners \x93welcome\x94 tourists\n\n"
        b"Prices rose by \xa35 in the Ginza district.\n(April 10)\n",
    )
    write(root, "no-headline.txt", "Kyodo News\nBack to Main\n\n")
    write(
        root,
        "no-dateline.txt",
        "Kyodo News\nBack to Main\nSnow closes mountain roads in Nagano\n\n"
        "Heavy snow closed roads in Nagano on Monday.\n",
    )
    big = kyodo("A very long report on the budget", "The budget grew again. " * 120)
    assert len(big.encode()) > LIMIT
    write(root, "too-big.txt", big)
    db_path = tmp_path / "news.duckdb"
    settings = Settings(input_dir=root, db_path=db_path, max_file_bytes=LIMIT)
    summary = run_pipeline(settings, as_tasks=False)
    rows = query(db_path, "select path, status, reason, encoding from source_files")
    ledger = {path: (status, reason, encoding) for path, status, reason, encoding in rows}
    return summary, db_path, ledger, rows, root


def at(root: Path, name: str) -> str:
    """The full path the warehouse records for the file name in the day folder under root."""
    return full_path(root, (DAY / name).as_posix())


def test_every_input_file_appears_exactly_once_in_the_ledger(mixed_run):
    summary, _, _, rows, _ = mixed_run
    paths = [row[0] for row in rows]

    assert len(paths) == len(set(paths)) == 10
    assert summary.files_seen == 10


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.txt", ["empty"]),
        ("blank.txt", ["whitespace"]),
        ("photo.txt", ["binary", "PNG"]),
        ("bundle.txt", ["binary", "gzip"]),
        ("no-headline.txt", ["headline"]),
        ("too-big.txt", ["limit"]),
    ],
)
def test_bad_file_is_rejected_with_a_reason_naming_the_file_and_problem(mixed_run, name, words):
    _, _, ledger, _, root = mixed_run
    status, reason, _ = ledger[at(root, name)]

    assert status == "rejected"
    assert reason.startswith(at(root, name) + ":")
    for word in words:
        assert word in reason


def test_cp1252_file_loads_and_its_reason_names_the_encoding(mixed_run):
    _, db_path, ledger, _, root = mixed_run
    status, reason, encoding = ledger[at(root, "windows.txt")]

    assert (status, encoding) == ("loaded", "cp1252")
    assert "cp1252" in reason
    [(headline,)] = query(
        db_path, "select headline from articles where source_path = ?", [at(root, "windows.txt")]
    )
    assert headline == "Caf\u00e9 owners \u201cwelcome\u201d tourists"


def test_file_without_dateline_loads_dated_by_its_path_and_says_so(mixed_run):
    _, db_path, ledger, _, root = mixed_run
    status, reason, _ = ledger[at(root, "no-dateline.txt")]

    assert status == "loaded"
    assert "no dateline" in reason
    [(published, basis)] = query(
        db_path,
        "select published_date::varchar, date_basis from articles where source_path = ?",
        [at(root, "no-dateline.txt")],
    )
    assert (published, basis) == ("2017-04-10", "path")


def test_good_files_load_alongside_the_bad_ones(mixed_run):
    summary, db_path, ledger, _, root = mixed_run
    loaded = sorted(p for p, (status, _, _) in ledger.items() if status == "loaded")

    assert loaded == sorted(at(root, n) for n in [*GOOD, "windows.txt", "no-dateline.txt"])
    articles = query(db_path, "select source_path from articles order by source_path")
    assert [a for (a,) in articles] == loaded
    assert (summary.files_loaded, summary.files_rejected) == (4, 6)
    [(sentences,)] = query(
        db_path,
        "select count(*) from sentences where article_id in (select article_id from articles)",
    )
    assert sentences >= 8  # each of the four articles: a headline and at least one body sentence


def test_rejected_files_leave_no_article_rows_and_count_zero(mixed_run):
    _, db_path, _, _, _ = mixed_run
    rows = query(
        db_path,
        "select f.path, f.article_count, count(a.article_id) from source_files f"
        " left join articles a on a.source_path = f.path"
        " where f.status = 'rejected' group by all",
    )
    assert len(rows) == 6
    assert all(count == 0 and n == 0 for _, count, n in rows)


def test_summary_lists_each_rejected_file_with_its_reason(mixed_run):
    summary, _, ledger, _, _ = mixed_run
    rejected = {p for p, (status, _, _) in ledger.items() if status == "rejected"}

    assert {path for path, _ in summary.rejected} == rejected
    assert all(reason == ledger[path][1] for path, reason in summary.rejected)


def test_size_limit_reason_states_two_different_sizes(mixed_run):
    _, _, ledger, _, root = mixed_run
    _, reason, _ = ledger[at(root, "too-big.txt")]
    match = re.search(r"file is (.+?), over the limit of (.+?):", reason)

    assert match is not None
    assert match.group(1) != match.group(2)
