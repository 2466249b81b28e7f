"""Re-runs: unchanged files are skipped, changed files replace their rows, duplicates count once."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import full_path, query
from tests.helpers.articles import DAY, kyodo, write

TABLES = ("source_files", "articles", "sentences", "mentions")


PORT = kyodo(
    "Fishing boats return to Hachinohe port",
    "Dozens of fishing boats returned to the port\nof Hachinohe on Monday after storms.",
    "Officials in Aomori Prefecture said the harbor\nwas undamaged.",
)
RICE = kyodo(
    "Rice prices climb in Niigata",
    "Farmers in Niigata blamed the late frost\nfor a poor early harvest in Japan.",
)
TRADE = kyodo(
    "Japan and Australia sign beef deal",
    "Japan agreed to cut tariffs on Australian beef,\nthe two governments said in Tokyo.",
)


def rel(root: Path, name: str) -> str:
    """The full path the warehouse records for the file name in the day folder under root."""
    return full_path(root, (DAY / name).as_posix())


def counts(db_path: Path) -> dict[str, int]:
    return {t: query(db_path, f"select count(*) from {t}")[0][0] for t in TABLES}


def by_path(db_path: Path, columns: str) -> dict[str, tuple]:
    rows = query(db_path, f"select source_path, {columns} from articles")
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    write(root, "port.txt", PORT)
    write(root, "rice.txt", RICE)
    write(root, "trade.txt", TRADE)
    return root


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "news.duckdb"


def test_second_run_over_the_same_files_changes_nothing(root, run, db_path):
    first = run(root)
    before = counts(db_path)
    second = run(root)

    assert first.files_loaded == 3
    assert before["articles"] == 3 and before["sentences"] > 3 and before["mentions"] > 0
    assert counts(db_path) == before
    assert (second.files_seen, second.files_unchanged, second.files_loaded) == (3, 3, 0)
    assert (second.articles, second.sentences, second.mentions) == (0, 0, 0)


def test_touched_file_with_same_bytes_is_not_reloaded_but_its_mtime_is_recorded(root, run, db_path):
    run(root)
    loaded_before = by_path(db_path, "loaded_at")
    stamp = datetime(2021, 3, 4, 5, 6, 7).timestamp()
    os.utime(root / DAY / "rice.txt", (stamp, stamp))

    summary = run(root)

    assert (summary.files_unchanged, summary.files_loaded) == (3, 0)
    assert by_path(db_path, "loaded_at") == loaded_before
    [(modified,)] = query(
        db_path, "select modified_at from source_files where path = ?", [rel(root, "rice.txt")]
    )
    assert (
        abs((modified - datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)).total_seconds())
        < 1
    )


def test_edited_file_replaces_only_its_own_article(root, run, db_path):
    run(root)
    ids_before = by_path(db_path, "article_id")
    loaded_before = by_path(db_path, "loaded_at")
    edited = PORT.replace("was undamaged.", "was badly damaged by waves.")
    write(root, "port.txt", edited)

    summary = run(root)

    assert (summary.files_loaded, summary.files_unchanged) == (1, 2)
    assert by_path(db_path, "article_id") == ids_before
    [(text,)] = query(
        db_path, "select text from articles where source_path = ?", [rel(root, "port.txt")]
    )
    assert text.endswith(
        "Officials in Aomori Prefecture said the harbor was badly damaged by waves."
    )
    loaded_after = by_path(db_path, "loaded_at")
    assert loaded_after[rel(root, "port.txt")] > loaded_before[rel(root, "port.txt")]
    for other in ("rice.txt", "trade.txt"):
        assert loaded_after[rel(root, other)] == loaded_before[rel(root, other)]
    assert counts(db_path)["articles"] == 3


def test_edited_file_leaves_no_sentences_of_its_old_text(root, run, db_path):
    run(root)
    write(root, "port.txt", PORT.replace("was undamaged.", "was badly damaged by waves."))
    run(root)

    stale = query(
        db_path,
        "select s.sentence from sentences s join articles a using (article_id)"
        " where substr(a.text, s.start_char + 1, s.end_char - s.start_char) <> s.sentence",
    )
    assert stale == []
    [(n,)] = query(db_path, "select count(*) from sentences where sentence like '%undamaged%'")
    assert n == 0


def test_jsonl_line_removed_on_rerun_removes_that_article(tmp_path, run, db_path):
    root = tmp_path / "in"
    lines = [
        {"title": "Port reopens in Kobe", "body": "The port reopened on Monday."},
        {"title": "Rail line delayed", "body": "Trains ran late in Osaka."},
        {"title": "Snow in Sapporo", "body": "Snow fell all day."},
    ]
    write(root, "feed.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    run(root)
    assert sorted(h for (h,) in query(db_path, "select headline from articles")) == sorted(
        x["title"] for x in lines
    )

    write(root, "feed.jsonl", "".join(json.dumps(x) + "\n" for x in (lines[0], lines[2])))
    run(root)

    headlines = sorted(h for (h,) in query(db_path, "select headline from articles"))
    assert headlines == ["Port reopens in Kobe", "Snow in Sapporo"]
    [(article_count,)] = query(
        db_path, "select article_count from source_files where path = ?", [rel(root, "feed.jsonl")]
    )
    assert article_count == 2


def test_same_text_under_two_paths_is_loaded_once_and_the_second_is_a_duplicate(
    tmp_path, run, db_path
):
    root = tmp_path / "in"
    write(root, "a-port.txt", PORT)
    write(root, "b-port-copy.txt", PORT)

    summary = run(root)

    ledger = dict(query(db_path, "select path, status from source_files"))
    assert ledger == {rel(root, "a-port.txt"): "loaded", rel(root, "b-port-copy.txt"): "duplicate"}
    [(reason,)] = query(
        db_path, "select reason from source_files where path = ?", [rel(root, "b-port-copy.txt")]
    )
    assert reason == (f"same text as {rel(root, 'a-port.txt')} (already loaded); not counted twice")
    assert query(db_path, "select source_path from articles") == [(rel(root, "a-port.txt"),)]
    assert (summary.files_loaded, summary.files_duplicate, summary.articles) == (1, 1, 1)


def test_whitespace_and_case_only_differences_still_count_as_duplicate(tmp_path, run, db_path):
    root = tmp_path / "in"
    write(root, "a-port.txt", PORT)
    shouty = PORT.replace("Fishing boats return", "FISHING  BOATS\tRETURN").replace(
        "Dozens of", "dozens   of"
    )
    assert shouty != PORT
    write(root, "b-port-copy.txt", shouty)

    run(root)

    assert dict(query(db_path, "select path, status from source_files")) == {
        rel(root, "a-port.txt"): "loaded",
        rel(root, "b-port-copy.txt"): "duplicate",
    }
    assert query(db_path, "select count(*) from articles") == [(1,)]


def test_duplicate_found_in_a_later_run_names_the_already_loaded_path(root, run, db_path):
    run(root)
    write(root, "z-late-copy.txt", RICE)  # sorts after rice.txt: the loaded one stays canonical

    summary = run(root)

    [(status, reason)] = query(
        db_path,
        "select status, reason from source_files where path = ?",
        [rel(root, "z-late-copy.txt")],
    )
    assert status == "duplicate"
    assert reason == (f"same text as {rel(root, 'rice.txt')} (already loaded); not counted twice")
    assert summary.files_duplicate == 1
    assert query(db_path, "select count(*) from articles") == [(3,)]
    assert query(
        db_path, "select source_path from articles where headline = 'Rice prices climb in Niigata'"
    ) == [(rel(root, "rice.txt"),)]


def test_later_copy_that_sorts_first_takes_the_place_of_the_loaded_one(root, run, db_path):
    run(root)
    write(root, "a-early-copy.txt", RICE)  # sorts before rice.txt: it becomes the canonical one

    summary = run(root)

    ledger = dict(query(db_path, "select path, status from source_files"))
    assert ledger[rel(root, "a-early-copy.txt")] == "loaded"
    assert ledger[rel(root, "rice.txt")] == "duplicate"
    [(reason, duplicate_of, article_count)] = query(
        db_path,
        "select reason, duplicate_of, article_count from source_files where path = ?",
        [rel(root, "rice.txt")],
    )
    assert reason == (
        f"same text as {rel(root, 'a-early-copy.txt')} (already loaded); not counted twice"
    )
    assert (duplicate_of, article_count) == (rel(root, "a-early-copy.txt"), 0)
    assert summary.files_loaded == 1
    assert query(db_path, "select count(*) from articles") == [(3,)]
    assert query(
        db_path, "select source_path from articles where headline = 'Rice prices climb in Niigata'"
    ) == [(rel(root, "a-early-copy.txt"),)]


def test_rerun_keeps_the_duplicate_and_does_not_count_it_twice(tmp_path, run, db_path):
    root = tmp_path / "in"
    write(root, "a-port.txt", PORT)
    write(root, "b-port-copy.txt", PORT)
    run(root)

    summary = run(root)

    assert (summary.files_unchanged, summary.files_duplicate, summary.files_loaded) == (2, 0, 0)
    assert query(db_path, "select status from source_files order by path") == [
        ("loaded",),
        ("duplicate",),
    ]
    assert query(db_path, "select count(*) from articles") == [(1,)]


def test_duplicate_is_loaded_once_the_original_it_copied_changes(tmp_path, run, db_path):
    root = tmp_path / "in"
    write(root, "a-port.txt", PORT)
    write(root, "b-port-copy.txt", PORT)
    run(root)
    write(root, "a-port.txt", TRADE)

    run(root)

    headlines = sorted(h for (h,) in query(db_path, "select headline from articles"))
    assert headlines == [
        "Fishing boats return to Hachinohe port",
        "Japan and Australia sign beef deal",
    ]


def test_file_that_became_empty_is_rejected_and_its_rows_are_gone(root, run, db_path):
    run(root)
    [(port_id,)] = query(
        db_path, "select article_id from articles where source_path = ?", [rel(root, "port.txt")]
    )
    write(root, "port.txt", b"")

    summary = run(root)

    [(status, reason, count)] = query(
        db_path,
        "select status, reason, article_count from source_files where path = ?",
        [rel(root, "port.txt")],
    )
    assert (status, count) == ("rejected", 0)
    assert "empty" in reason
    assert summary.files_rejected == 1
    for table in ("articles", "sentences", "mentions"):
        assert query(db_path, f"select count(*) from {table} where article_id = ?", [port_id]) == [
            (0,)
        ]
    assert query(db_path, "select count(*) from articles") == [(2,)]


def test_a_pruned_file_that_comes_back_unchanged_is_loaded_again(tmp_path, run, db_path):
    root = tmp_path / "in"
    article = root / "2017" / "04" / "10" / "story.txt"
    article.parent.mkdir(parents=True)
    article.write_text(
        "Kyodo News\nBack to Main\nJapan and Chile sign a deal\n\n"
        "Japan and Chile signed a trade deal on Monday.\n(April 10)\n"
    )
    # Another file stays throughout: --prune removes nothing from an input folder left empty.
    write(root, "rice.txt", RICE)
    story = "select status, article_count from source_files where path = ?"
    run(root, prune_missing=True)
    parked = tmp_path / "parked.txt"
    os.rename(article, parked)  # rename keeps the mtime, as `mv` does
    run(root, prune_missing=True)
    assert query(db_path, story, [rel(root, "story.txt")]) == [("removed", 0)]
    assert query(db_path, "select count(*) from articles") == [(1,)]

    os.rename(parked, article)
    summary = run(root, prune_missing=True)

    assert summary.files_loaded == 1
    assert query(db_path, story, [rel(root, "story.txt")]) == [("loaded", 1)]
    assert query(db_path, "select count(*) from articles") == [(2,)]
