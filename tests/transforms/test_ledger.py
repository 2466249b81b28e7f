"""transforms/ledger.py: which files a run reads, which are gone, which copy of a text counts,
why --prune holds back, and what one load adds to the counts. Tiny frames, checked by hand."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from transforms import ledger
from transforms.schemas import FOUND_SCHEMA, KNOWN_SCHEMA, LEDGER_SCHEMA

T1 = datetime(2017, 4, 10, 9, 0)
T2 = datetime(2017, 4, 11, 9, 0)
SAME = "(already loaded); not counted twice"


def found(*rows: tuple[str, int, datetime]) -> pl.DataFrame:
    """Discovered files: (path, size, mtime)."""
    return pl.DataFrame(
        [(path, size, mtime, None, None) for path, size, mtime in rows],
        schema=FOUND_SCHEMA,
        orient="row",
    )


def known(*rows: tuple) -> pl.DataFrame:
    """Ledger as the planner sees it: (path, sha256, size, mtime, status, repeats)."""
    return pl.DataFrame(
        [
            (path, sha, size, mtime, None, status, repeats[0] if repeats else None, repeats)
            for path, sha, size, mtime, status, repeats in rows
        ],
        schema=KNOWN_SCHEMA,
        orient="row",
    )


def planned(*rows: tuple[str, bool]) -> pl.DataFrame:
    """to_read rows: (path, is_forced)."""
    return found(*((path, 1, T1) for path, _ in rows)).with_columns(
        pl.Series("is_forced", [forced for _, forced in rows])
    )


def ledger_rows(*rows: tuple) -> pl.DataFrame:
    """Files read: (path, status, reason, size)."""
    return pl.DataFrame(
        [
            (path, "sha", size, T1, status, reason, "utf-8", "kyodo", 0, None, None)
            for path, status, reason, size in rows
        ],
        schema=LEDGER_SCHEMA,
        orient="row",
    )


def articles(*rows: tuple[str, str, str]) -> pl.DataFrame:
    """(article_id, content_hash, source_path)."""
    return pl.DataFrame(
        rows,
        schema={"article_id": pl.String(), "content_hash": pl.String(), "source_path": pl.String()},
        orient="row",
    ).select("content_hash", "source_path", "article_id")


def paths(frame: pl.DataFrame, *columns: str) -> list:
    return sorted(frame.select("path", *columns).iter_rows())


# --- plan_reads -----------------------------------------------------------------------------


def test_plan_reads_new_resized_and_touched_files_and_forces_copies_of_changed_ones() -> None:
    discovered = found(
        ("/in/a.txt", 10, T1),  # as known: skipped
        ("/in/b.txt", 20, T1),  # size changed
        ("/in/c.txt", 30, T2),  # mtime changed
        ("/in/d.txt", 1, T1),  # new
        ("/in/e.txt", 5, T1),  # unchanged, but a copy of b, which changed
        ("/in/f.txt", 7, T1),  # unchanged copy of a, which did not change
    )
    ledger_now = known(
        ("/in/a.txt", "A", 10, T1, "loaded", []),
        ("/in/b.txt", "B", 25, T1, "loaded", []),
        ("/in/c.txt", "C", 30, T1, "loaded", []),
        ("/in/e.txt", "E", 5, T1, "duplicate", ["/in/b.txt"]),
        ("/in/f.txt", "F", 7, T1, "duplicate", ["/in/a.txt"]),
    )

    to_read = ledger.plan_reads(discovered, ledger_now)

    assert paths(to_read, "is_forced") == [
        ("/in/b.txt", False),
        ("/in/c.txt", False),
        ("/in/d.txt", False),
        ("/in/e.txt", True),
    ]


def test_an_object_rewritten_with_the_same_size_within_the_same_second_is_read_for_its_etag():
    """Object stores list mtimes to the second: only the ETag tells such a rewrite."""
    url = "s3://wire/feed/a.txt"
    discovered = found((url, 10, T1), ("s3://wire/feed/b.txt", 10, T1)).with_columns(
        pl.Series("etag", ["new-etag", "same-etag"])
    )
    ledger_now = known(
        (url, "A", 10, T1, "loaded", []), ("s3://wire/feed/b.txt", "B", 10, T1, "loaded", [])
    ).with_columns(pl.Series("etag", ["old-etag", "same-etag"]))

    to_read = ledger.plan_reads(discovered, ledger_now)

    assert paths(to_read, "etag") == [(url, "new-etag")]


def test_an_object_first_listed_with_an_etag_is_read_once_to_record_it():
    """A row with no ETag (bytes read of an unknown version) is read again once listed with one."""
    discovered = found(("s3://wire/feed/a.txt", 10, T1)).with_columns(pl.lit("e1").alias("etag"))
    ledger_now = known(("s3://wire/feed/a.txt", "A", 10, T1, "loaded", []))

    assert paths(ledger.plan_reads(discovered, ledger_now)) == [("s3://wire/feed/a.txt",)]


def test_a_changed_copy_is_planned_once_not_forced() -> None:
    discovered = found(("/in/a.txt", 11, T1), ("/in/e.txt", 6, T1))
    ledger_now = known(
        ("/in/a.txt", "A", 10, T1, "loaded", []),
        ("/in/e.txt", "E", 5, T1, "duplicate", ["/in/a.txt"]),
    )

    to_read = ledger.plan_reads(discovered, ledger_now)

    assert paths(to_read, "is_forced") == [("/in/a.txt", False), ("/in/e.txt", False)]


# --- mark_duplicates and duplicate_reason ---------------------------------------------------


def test_of_two_files_with_one_text_the_smaller_path_counts_and_the_other_is_duplicate() -> None:
    files = ledger_rows(("/in/a.txt", "loaded", None, 1), ("/in/b.txt", "loaded", None, 1))
    batch = articles(("a1", "h", "/in/a.txt"), ("b1", "h", "/in/b.txt"))

    marked, kept, demoted, copies = ledger.mark_duplicates(files, batch, articles())

    assert paths(marked, "status", "article_count", "reason") == [
        ("/in/a.txt", "loaded", 1, None),
        ("/in/b.txt", "duplicate", 0, f"same text as /in/a.txt {SAME}"),
    ]
    assert kept.get_column("article_id").to_list() == ["a1"]
    assert demoted.is_empty()
    assert list(copies.iter_rows()) == [("/in/b.txt", "h", "/in/a.txt")]


def test_a_new_file_that_sorts_first_demotes_the_loaded_copy() -> None:
    files = ledger_rows(("/in/a.txt", "loaded", None, 1))
    loaded = articles(("z1", "h", "/in/z.txt"))

    marked, kept, demoted, copies = ledger.mark_duplicates(
        files, articles(("a1", "h", "/in/a.txt")), loaded
    )

    assert paths(marked, "status", "article_count") == [("/in/a.txt", "loaded", 1)]
    assert kept.get_column("article_id").to_list() == ["a1"]
    assert list(demoted.iter_rows()) == [("z1", "/in/z.txt", "/in/a.txt")]
    assert list(copies.iter_rows()) == [("/in/z.txt", "h", "/in/a.txt")]


def test_a_new_file_that_sorts_after_the_loaded_copy_is_duplicate() -> None:
    files = ledger_rows(("/in/m.txt", "loaded", "date taken from the path", 1))
    loaded = articles(("a1", "h", "/in/a.txt"))

    marked, kept, demoted, _ = ledger.mark_duplicates(
        files, articles(("m1", "h", "/in/m.txt")), loaded
    )

    assert paths(marked, "status", "article_count", "reason") == [
        (
            "/in/m.txt",
            "duplicate",
            0,
            f"same text as /in/a.txt {SAME}; date taken from the path",
        )
    ]
    assert kept.is_empty() and demoted.is_empty()


def test_a_file_with_one_repeated_text_of_two_stays_loaded_with_one_article() -> None:
    files = ledger_rows(("/in/m.jsonl", "loaded", None, 1))
    batch = articles(("m1", "h1", "/in/m.jsonl"), ("m2", "h2", "/in/m.jsonl"))
    loaded = articles(("a1", "h1", "/in/a.txt"))

    marked, kept, _, _ = ledger.mark_duplicates(files, batch, loaded)

    assert paths(marked, "status", "article_count", "reason") == [
        ("/in/m.jsonl", "loaded", 1, f"same text as /in/a.txt {SAME}")
    ]
    assert kept.get_column("article_id").to_list() == ["m2"]


def test_a_rejected_file_keeps_its_status_and_reason() -> None:
    files = ledger_rows(("/in/x.txt", "rejected", "/in/x.txt: empty file", 0))

    marked, kept, _, _ = ledger.mark_duplicates(files, articles(), articles())

    assert paths(marked, "status", "article_count", "reason") == [
        ("/in/x.txt", "rejected", 0, "/in/x.txt: empty file")
    ]
    assert kept.is_empty()


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        (None, f"same text as /in/a.txt {SAME}"),
        ("no dateline", f"same text as /in/a.txt {SAME}; no dateline"),
    ],
)
def test_duplicate_reason_names_the_canonical_file_then_any_notes(
    notes: str | None, expected: str
) -> None:
    reason = pl.select(
        ledger.duplicate_reason(pl.lit("/in/a.txt"), pl.lit(notes, dtype=pl.String))
    ).item()
    assert reason == expected


# --- dedupe_batch ---------------------------------------------------------------------------


def test_a_file_read_again_is_not_a_duplicate_of_its_own_loaded_rows() -> None:
    files = ledger_rows(("/in/a.txt", "loaded", None, 1))
    loaded = articles(("a1-before", "h", "/in/a.txt"))  # the rows this load replaces

    rows = ledger.dedupe_batch(
        files,
        articles(("a1", "h", "/in/a.txt")),
        pl.DataFrame({"article_id": ["a1"]}),
        pl.DataFrame({"article_id": ["a1"]}),
        pl.DataFrame({"article_id": ["a1"]}),
        loaded,
    )

    assert paths(rows.files, "status") == [("/in/a.txt", "loaded")]
    assert rows.demoted.is_empty() and rows.copies.is_empty()


def test_dedupe_keeps_only_the_sentences_mentions_and_evidence_of_counted_articles() -> None:
    files = ledger_rows(("/in/a.txt", "loaded", None, 1), ("/in/b.txt", "loaded", None, 1))
    batch = articles(("a1", "h", "/in/a.txt"), ("b1", "h", "/in/b.txt"))
    sentences = pl.DataFrame({"article_id": ["a1", "a1", "b1"], "sentence_no": [1, 2, 1]})
    mentions = pl.DataFrame({"article_id": ["b1", "a1"], "surface": ["Japan", "Tokyo"]})
    evidence = pl.DataFrame({"article_id": ["b1"], "entity_id": ["org:x"]})

    rows = ledger.dedupe_batch(files, batch, sentences, mentions, evidence, articles())

    assert rows.articles.get_column("article_id").to_list() == ["a1"]
    assert sorted(rows.sentences.iter_rows()) == [("a1", 1), ("a1", 2)]
    assert list(rows.mentions.iter_rows()) == [("a1", "Tokyo")]
    assert rows.entities.is_empty()


# --- count_batch ----------------------------------------------------------------------------


def test_count_batch_counts_files_by_status_and_the_rows_loaded() -> None:
    files = ledger_rows(
        ("/in/a.jsonl", "loaded", None, 100),
        ("/in/b.txt", "duplicate", f"same text as /in/a.jsonl {SAME}", 50),
        ("/in/c.txt", "rejected", "/in/c.txt: empty file", None),
    ).with_columns(pl.Series("article_count", [2, 0, 0], dtype=pl.Int32))
    unchanged = pl.DataFrame({"path": ["/in/d.txt"], "size_bytes": [9], "modified_at": [T2]})

    counts = ledger.count_batch(
        files, unchanged, pl.DataFrame({"n": [1, 2, 3]}), pl.DataFrame({"n": [1, 2, 3, 4]})
    )

    assert counts.files_unchanged == 1
    assert (counts.files_loaded, counts.files_duplicate, counts.files_rejected) == (1, 1, 1)
    assert (counts.articles, counts.sentences, counts.mentions) == (2, 3, 4)
    assert counts.raw_bytes == 150
    assert counts.files_done == 4
    assert list(counts.rejected.iter_rows()) == [("/in/c.txt", "/in/c.txt: empty file")]


# --- prune: gone files and the copies of their texts ----------------------------------------


def test_gone_files_are_known_files_under_the_input_prefix_that_the_walk_missed() -> None:
    ledger_now = known(
        ("/in/a.txt", "A", 1, T1, "loaded", []),  # gone
        ("/in/b.txt", "B", 1, T1, "removed", []),  # already removed
        ("/in/d.txt", "D", 1, T1, "loaded", []),  # still there
        ("/in2/e.txt", "E", 1, T1, "loaded", []),  # another folder that starts the same
        ("/other/c.txt", "C", 1, T1, "loaded", []),  # another folder
    )

    gone = ledger.gone_files(ledger_now, found(("/in/d.txt", 1, T1)), "/in/")

    assert gone.get_column("path").to_list() == ["/in/a.txt"]


def test_found_copies_of_a_gone_file_not_planned_yet_are_read_again() -> None:
    ledger_now = known(
        ("/in/x.txt", "X", 1, T1, "duplicate", ["/in/a.txt"]),  # read again
        ("/in/y.txt", "Y", 1, T1, "duplicate", ["/in/a.txt"]),  # not found
        ("/in/z.txt", "Z", 1, T1, "duplicate", ["/in/q.txt"]),  # copy of a file still there
        ("/in/w.txt", "W", 1, T1, "duplicate", ["/in/a.txt"]),  # already planned
    )
    discovered = found(("/in/x.txt", 1, T1), ("/in/z.txt", 1, T1), ("/in/w.txt", 1, T1))
    to_read = planned(("/in/w.txt", False))

    copies = ledger.copies_of_gone(
        ledger_now, pl.DataFrame({"path": ["/in/a.txt"]}), discovered, to_read
    )

    assert copies.columns == to_read.columns
    assert paths(copies, "is_forced") == [("/in/x.txt", True)]


def test_plan_run_without_prune_removes_nothing_and_with_it_rereads_copies() -> None:
    discovered = found(("/in/x.txt", 1, T1))
    ledger_now = known(
        ("/in/a.txt", "A", 1, T1, "loaded", []),
        ("/in/x.txt", "X", 1, T1, "duplicate", ["/in/a.txt"]),
    )

    kept = ledger.plan_run(discovered, ledger_now, prune_skipped="not asked")
    pruned = ledger.plan_run(discovered, ledger_now, prune_under="/in/")

    assert kept.gone.is_empty() and kept.to_read.is_empty()
    assert kept.prune_skipped == "not asked"
    assert pruned.gone.get_column("path").to_list() == ["/in/a.txt"]
    assert paths(pruned.to_read, "is_forced") == [("/in/x.txt", True)]
    assert pruned.known_sha.is_empty()  # a forced copy is read whatever its hash


def test_only_unforced_planned_files_with_rows_now_have_trusted_hashes() -> None:
    ledger_now = known(
        ("/in/a.txt", "A", 1, T1, "loaded", []),  # trusted
        ("/in/b.txt", "B", 1, T1, "removed", []),  # no rows now
        ("/in/c.txt", None, 1, T1, "loaded", []),  # no hash
        ("/in/d.txt", "D", 1, T1, "loaded", []),  # not planned
        ("/in/e.txt", "E", 1, T1, "duplicate", []),  # forced
    )
    to_read = planned(
        ("/in/a.txt", False), ("/in/b.txt", False), ("/in/c.txt", False), ("/in/e.txt", True)
    )

    trusted = ledger.trusted_hashes(ledger_now, to_read)

    assert list(trusted.iter_rows()) == [("/in/a.txt", "A")]


def unlisted(*folders: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"folder_path": list(folders), "reason": [f"{f}: permission denied" for f in folders]},
        schema={"folder_path": pl.String(), "reason": pl.String()},
    )


def test_prune_goes_ahead_after_a_complete_walk_that_found_files() -> None:
    why = ledger.why_not_prune(found(("/in/a.txt", 1, T1)), unlisted(), root="/in", input_dir="in")
    assert why is None


def test_prune_holds_back_when_the_input_folder_itself_cannot_be_listed() -> None:
    why = ledger.why_not_prune(found(), unlisted("/in"), root="/in", input_dir="in")
    assert why == "/in: permission denied"


@pytest.mark.parametrize(
    ("folders", "shown"),
    [
        (["/in/a", "/in/b"], "/in/a, /in/b"),
        (["/in/a", "/in/b", "/in/c", "/in/d"], "/in/a, /in/b, /in/c, ..."),
    ],
)
def test_prune_holds_back_while_a_folder_under_the_input_cannot_be_listed(
    folders: list[str], shown: str
) -> None:
    why = ledger.why_not_prune(
        found(("/in/x.txt", 1, T1)), unlisted(*folders), root="/in", input_dir="in"
    )
    assert why == (
        f"{len(folders)} folder(s) under in could not be listed ({shown});"
        " a file there may still exist, so no row is removed until every folder is listed"
    )


def test_prune_holds_back_when_the_input_folder_is_empty() -> None:
    why = ledger.why_not_prune(found(), unlisted(), root="/in", input_dir="in")
    assert why == (
        "no article file under in: an empty input folder is more often a wrong --input or an"
        " unmounted drive than a deletion; remove the rows of a folder you emptied on purpose"
        " by running with --prune once a file is back in it"
    )


# --- the re-read pass -----------------------------------------------------------------------


def test_marked_files_that_were_found_are_read_again_forced() -> None:
    discovered = found(("/in/a.txt", 1, T1), ("/in/b.txt", 1, T1))
    marked = pl.DataFrame({"path": ["/in/b.txt", "/in/gone.txt"]})

    again = ledger.marked_copies(discovered, marked)

    assert paths(again, "is_forced") == [("/in/b.txt", True)]


def test_files_read_again_that_the_plan_left_out_were_counted_unchanged() -> None:
    again = planned(("/in/a.txt", True), ("/in/b.txt", True))
    assert ledger.planned_as_unchanged(again, planned(("/in/b.txt", False))) == 1
