"""The read stage's decisions about each file, on hand-made reads and results."""

from __future__ import annotations

import hashlib
from datetime import datetime
from types import SimpleNamespace

import polars as pl
import pytest

from transforms.file_reads import (
    FileRead,
    grown_reason,
    ledger_frame,
    ledger_rows,
    read_change,
    refusal,
    refusals,
    split_unchanged,
    unchanged_frame,
    unreadable_reason,
)
from transforms.reading import ReadResult, RejectedInput
from transforms.schemas import DISCOVERED_SCHEMA, LEDGER_SCHEMA

RETRY = "it is tried again on the next run"
NEXT_RUN = "not loaded this run: it will be picked up next run"
MOMENT_US = 1_500_000_000_000_000  # 2017-07-14 02:40 UTC


def stat(size: int, mtime_ns: int) -> SimpleNamespace:
    return SimpleNamespace(st_size=size, st_mtime_ns=mtime_ns)


# --- refusal: files that are not opened -------------------------------------------------


def test_a_problem_found_by_discovery_refuses_the_file_and_says_it_is_retried():
    problem = "broken symbolic link (No such file or directory): fix or remove the link"

    assert refusal("a.txt", 10, problem, 100) == f"a.txt: {problem}; {RETRY}"


def test_a_file_over_the_size_limit_is_refused_with_both_sizes_and_the_fix():
    assert refusal("a.txt", 3_000_000, None, 2_097_152) == (
        "a.txt: file is 3,000,000 bytes, over the limit of 2,097,152 bytes (2 MB):"
        " split it or raise --max-file-mb"
    )


def test_a_file_at_the_size_limit_is_opened():
    assert refusal("a.txt", 2_097_152, None, 2_097_152) is None


def test_refusals_give_each_file_its_reason_in_order():
    files = pl.DataFrame(
        {
            "path": ["ok.txt", "link.txt", "big.txt"],
            "size_bytes": [10, 10, 5_000],
            "problem": [None, "file name is not valid UTF-8", None],
        }
    )

    assert refusals(files, 4_096) == [
        None,
        f"link.txt: file name is not valid UTF-8; {RETRY}",
        "big.txt: file is 5,000 bytes, over the limit of 4,096 bytes (0.00390625 MB):"
        " split it or raise --max-file-mb",
    ]


def test_refusals_of_files_without_a_problem_column_look_at_size_only():
    files = pl.DataFrame({"path": ["a.txt", "b.txt"], "size_bytes": [1, 2]})

    assert refusals(files, 1) == [
        None,
        "b.txt: file is 2 bytes, over the limit of 1 bytes (9.53674e-07 MB):"
        " split it or raise --max-file-mb",
    ]


# --- what the read itself says --------------------------------------------------------


def test_a_file_that_grew_past_the_limit_names_both_sizes_and_the_limit():
    assert grown_reason("a.txt", 1_000, 5_000, 2_000) == (
        "a.txt: grew from 1,000 to 5,000 bytes after it was found and is now over the limit"
        " of 2,000 bytes: split it or raise --max-file-mb"
    )


@pytest.mark.parametrize(
    ("exc", "is_link", "expected"),
    [
        (
            FileNotFoundError(2, "No such file or directory"),
            False,
            "a.txt: vanished after it was found (deleted or moved during the run); nothing"
            f" loaded: {RETRY} if it comes back",
        ),
        (
            FileNotFoundError(2, "No such file or directory"),
            True,
            f"a.txt: could not read (No such file or directory): check the file; {RETRY}",
        ),
        (
            PermissionError(13, "Permission denied"),
            False,
            f"a.txt: could not read (permission denied): make it readable; {RETRY}",
        ),
        (
            OSError(5, "Input/output error"),
            False,
            f"a.txt: could not read (Input/output error): check the file; {RETRY}",
        ),
    ],
)
def test_an_unreadable_file_says_why_and_what_to_do(exc, is_link, expected):
    assert unreadable_reason("a.txt", exc, is_link) == expected


def test_a_file_that_held_still_since_it_was_found_is_read_without_notes():
    assert read_change("a.txt", (100, MOMENT_US), stat(100, 7), stat(100, 7), 100, MOMENT_US) == (
        None,
        (),
    )


@pytest.mark.parametrize(
    ("before", "after", "read_size"),
    [
        (stat(10, 7), stat(12, 7), 12),  # grew during the read
        (stat(12, 7), stat(12, 8), 12),  # rewritten during the read
        (stat(12, 7), stat(12, 7), 10),  # fewer bytes came than it holds
    ],
)
def test_a_file_that_changed_during_the_read_is_left_for_the_next_run(before, after, read_size):
    reason, notes = read_change("a.txt", (12, MOMENT_US), before, after, read_size, MOMENT_US)

    assert reason == (
        f"a.txt: changed while being read ({before.st_size:,} bytes before,"
        f" {after.st_size:,} after); {NEXT_RUN}"
    )
    assert notes == ()


def test_a_file_that_shrank_after_it_was_found_is_read_as_it_is_and_says_so():
    assert read_change("a.txt", (1_500, MOMENT_US), stat(1_000, 9), stat(1_000, 9), 1_000, 1) == (
        None,
        ("shrank from 1,500 to 1,000 bytes after it was found",),
    )


@pytest.mark.parametrize(("size", "mtime"), [(1_200, MOMENT_US), (1_000, MOMENT_US + 1)])
def test_a_file_that_grew_or_was_touched_after_it_was_found_is_left_for_the_next_run(size, mtime):
    reason, _ = read_change("a.txt", (1_000, MOMENT_US), stat(size, 9), stat(size, 9), size, mtime)

    assert reason == (
        f"a.txt: changed while being read (1,000 bytes when found, {size:,} now): it may"
        f" still be being written; {NEXT_RUN}"
    )


# --- the content-hash shortcut --------------------------------------------------------


def test_the_shortcut_skips_only_files_whose_bytes_hash_as_the_ledger_says():
    same = FileRead("same.txt", 1, 3, "aaa", b"abc")
    edited = FileRead("edited.txt", 1, 3, "bbb", b"abd")
    new = FileRead("new.txt", 1, 3, "ccc", b"xyz")
    # The ledger keeps no hash for a file it rejected unread; nothing read must not match it.
    unread = FileRead("unread.txt", 1, reason="vanished")
    known = {"same.txt": "aaa", "edited.txt": "old", "unread.txt": None}

    fresh, unchanged = split_unchanged([same, edited, new, unread], known)

    assert unchanged == [same]
    assert fresh == [edited, new, unread]


def test_without_a_ledger_nothing_is_skipped():
    reads = [FileRead("a.txt", 1, 3, "aaa", b"abc")]

    assert split_unchanged(reads, {}) == (reads, [])


# --- ledger rows ----------------------------------------------------------------------


def test_each_file_gets_its_ledger_row_and_loaded_files_give_their_articles():
    article_a, article_b = ("a1",), ("a2",)
    reads = [
        FileRead("loaded.jsonl", 5, 40, "s1", b"...", notes=("shrank from 50 to 40 bytes",)),
        FileRead("empty.txt", 6, 0, "s2", b""),
        FileRead("crash.txt", 7, 9, "s3", b"boom text"),
        FileRead("gone.txt", 8, reason="gone.txt: vanished"),
    ]
    results = iter(
        [
            ReadResult([article_a, article_b], "jsonl", "utf-8", ["line 3: not a JSON object"]),
            RejectedInput("empty file (0 bytes)"),
            ValueError("boom"),
        ]
    )

    rows, articles, crashes = ledger_rows(reads, results)

    assert rows == [
        (
            "loaded.jsonl",
            "s1",
            40,
            5,
            "loaded",
            "shrank from 50 to 40 bytes; line 3: not a JSON object",
            "utf-8",
            "jsonl",
            2,
            None,
            None,
        ),
        (
            "empty.txt",
            "s2",
            0,
            6,
            "rejected",
            "empty.txt: empty file (0 bytes)",
            None,
            None,
            0,
            None,
            None,
        ),
        (
            "crash.txt",
            "s3",
            9,
            7,
            "rejected",
            "crash.txt: could not be read as an article (ValueError: boom); this is a"
            " wirehouse bug: please report it with the file",
            None,
            None,
            0,
            None,
            None,
        ),
        ("gone.txt", None, None, 8, "rejected", "gone.txt: vanished", None, None, 0, None, None),
    ]
    assert articles == [article_a, article_b]
    assert [(path, str(exc)) for path, exc in crashes] == [("crash.txt", "boom")]


def test_a_loaded_file_without_notes_has_no_reason():
    reads = [FileRead("a.txt", 5, 3, "s", b"abc")]

    rows, _, _ = ledger_rows(reads, iter([ReadResult([("x",)], "plain", "utf-8", [])]))

    assert rows[0][4:6] == ("loaded", None)


def test_ledger_rows_become_a_ledger_frame_with_datetimes():
    row = ("a.txt", "s", 3, MOMENT_US, "loaded", None, "utf-8", "plain", 1, None, None)

    frame = ledger_frame([row])

    assert frame.schema == LEDGER_SCHEMA
    assert frame.row(0) == ("a.txt", "s", 3, datetime(2017, 7, 14, 2, 40), *row[4:])


def test_no_ledger_rows_make_an_empty_ledger_frame():
    frame = ledger_frame([])

    assert frame.schema == LEDGER_SCHEMA
    assert frame.is_empty()


def test_skipped_files_become_a_frame_of_path_size_and_mtime():
    data = b"abc"
    read = FileRead("a.txt", MOMENT_US, 3, hashlib.sha256(data).hexdigest(), data)

    frame = unchanged_frame([read])

    assert frame.schema == DISCOVERED_SCHEMA
    assert frame.rows() == [("a.txt", 3, datetime(2017, 7, 14, 2, 40), None)]
