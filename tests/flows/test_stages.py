"""The disk-touching stages: discovery of the input folder and the read of the files it found."""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from flows import stages
from transforms.schemas import ARTICLE_SCHEMA, DISCOVERED_SCHEMA, FOUND_SCHEMA, LEDGER_SCHEMA

PATTERNS = ("*.txt", "*.jsonl")
STORY = b"Ferry resumes\n\nTOKYO, April 10 Kyodo - The ferry sailed at dawn.\n"
JULY_14_2017 = 1_500_000_000 * 10**9  # 2017-07-14 02:40:00 UTC, in ns
RETRY = "it is tried again on the next run"


def write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def full(root: Path, rel: str) -> str:
    return os.path.join(os.path.realpath(root), rel)


def read(files: pl.DataFrame, known_sha: dict[str, str] | None = None, **settings: object):
    options = {"input_format": "auto", "reference_date": None, "max_file_bytes": 1_000_000}
    options.update(settings)
    return stages.read_files(files, known_sha or {}, **options)


# --- discover ----------------------------------------------------------------------------


def test_discovery_finds_matching_files_depth_first_with_their_sizes(tmp_path):
    root = tmp_path / "in"
    write(root, "a.txt", b"abc")
    write(root, "b.jsonl", b"{}\n{}\n")
    write(root, "notes.md", b"not an article")
    write(root, "sub/c.txt", b"x")
    write(root, "sub/deeper/d.TXT", b"no: patterns are case-sensitive")

    found = stages.discover(root, PATTERNS)

    assert found.files.schema == pl.Schema(FOUND_SCHEMA)
    assert found.files.select("path", "size_bytes", "problem").rows() == [
        (full(root, "a.txt"), 3, None),
        (full(root, "b.jsonl"), 6, None),
        (full(root, "sub/c.txt"), 1, None),
    ]
    assert found.is_complete


def test_discovery_reads_mtimes_in_utc_including_ones_outside_the_common_range(tmp_path):
    root = tmp_path / "in"
    for name, ns in [
        ("a.txt", JULY_14_2017),
        ("b.txt", -86_400 * 10**9),  # the day before 1970
        ("c.txt", 2**63 - 1),  # the last int64 nanosecond, in 2262
    ]:
        os.utime(write(root, name, b"x"), ns=(0, ns))

    mtimes = stages.discover_files(root, PATTERNS).get_column("modified_at").to_list()

    assert mtimes[:2] == [datetime(2017, 7, 14, 2, 40), datetime(1969, 12, 31)]
    assert mtimes[2].date() == date(2262, 4, 11)


def test_a_folder_that_cannot_be_listed_is_reported_and_the_rest_is_found(tmp_path, monkeypatch):
    root = tmp_path / "in"
    write(root, "a.txt", b"abc")
    write(root, "locked/b.txt", b"abc")
    locked = full(root, "locked")
    real_scandir = os.scandir

    def scandir(path):  # noqa: ANN001, ANN202 - os.scandir's own signature
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(stages.os, "scandir", scandir)
    found = stages.discover(root, PATTERNS)

    assert found.files.get_column("path").to_list() == [full(root, "a.txt")]
    assert found.unlisted.rows() == [
        (
            locked,
            f"{locked}: could not list this folder (permission denied: make it readable); the"
            " files under it were not looked at and none of their rows is pruned; it is tried"
            " again on the next run",
        )
    ]
    assert not found.is_complete


def test_a_missing_input_folder_is_reported_not_taken_for_an_empty_one(tmp_path):
    found = stages.discover(tmp_path / "missing", PATTERNS)
    missing = os.path.realpath(tmp_path / "missing")

    assert found.files.is_empty()
    assert found.unlisted.rows() == [
        (
            missing,
            f"{missing}: input folder does not exist: check --input (a typo, or a drive not"
            " mounted?)",
        )
    ]


def test_a_link_to_nothing_is_a_file_with_a_problem_or_an_unlisted_entry(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "story.txt").symlink_to(root / "gone.txt")
    (root / "folder").symlink_to(root / "gone-folder")

    found = stages.discover(root, PATTERNS)

    assert found.files.select("path", "problem").rows() == [
        (
            full(root, "story.txt"),
            "broken symbolic link (No such file or directory): fix or remove the link",
        )
    ]
    [(folder, reason)] = found.unlisted.rows()
    assert folder == full(root, "folder")
    assert "symbolic link or entry that cannot be followed (its target is missing)" in reason


def test_a_fifo_named_like_an_article_is_not_a_file_to_read(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    os.mkfifo(root / "pipe.txt")

    assert stages.discover_files(root, PATTERNS).is_empty()


def test_the_source_prefix_is_the_real_input_folder_with_a_slash(tmp_path):
    real = tmp_path / "feeds" / "kenya"
    real.mkdir(parents=True)
    (tmp_path / "alias").symlink_to(real)

    assert stages.source_root(tmp_path / "alias") == os.path.realpath(real)
    assert stages.source_prefix(tmp_path / "alias") == os.path.realpath(real) + "/"


def test_an_input_folder_whose_name_is_not_utf8_is_refused_whole(tmp_path):
    root = tmp_path / os.fsdecode(b"bad-\xff")
    write(root, "a.txt", b"abc")

    found = stages.discover(root, PATTERNS)

    assert found.files.is_empty()
    [(folder, reason)] = found.unlisted.rows()
    assert folder.endswith("bad-\\xff")
    assert "input folder's path is not valid UTF-8" in reason


# --- read_files --------------------------------------------------------------------------


def test_read_files_loads_a_story_and_rejects_an_empty_file_with_the_bytes_read(tmp_path):
    root = tmp_path / "in"
    write(root, "2017/04/10/story.txt", STORY)
    write(root, "2017/04/10/empty.txt", b"")
    files = stages.discover_files(root, PATTERNS)
    mtimes = dict(files.select("path", "modified_at").iter_rows())
    empty, story = full(root, "2017/04/10/empty.txt"), full(root, "2017/04/10/story.txt")

    ledger, articles, unchanged = read(files)

    assert ledger.schema == LEDGER_SCHEMA
    assert ledger.rows() == [
        (
            empty,
            hashlib.sha256(b"").hexdigest(),
            0,
            mtimes[empty],
            "rejected",
            f"{empty}: empty file (0 bytes); nothing to load: remove it or re-fetch it",
            None,
            None,
            0,
            None,
            None,
        ),
        (
            story,
            hashlib.sha256(STORY).hexdigest(),
            len(STORY),
            mtimes[story],
            "loaded",
            None,
            "utf-8",
            "plain",
            1,
            None,
            None,
        ),
    ]
    assert articles.schema == pl.Schema(ARTICLE_SCHEMA)
    assert articles.select("headline", "dateline", "published_date", "source_path").rows() == [
        ("Ferry resumes", "TOKYO, April 10 Kyodo", date(2017, 4, 10), story)
    ]
    assert unchanged.is_empty()


def test_a_problem_found_by_discovery_rejects_the_file_unread(tmp_path):
    path = write(tmp_path, "story.txt", STORY)
    moment = datetime(2017, 7, 14, 2, 40)
    files = pl.DataFrame(
        [(str(path), len(STORY), moment, None, "file name is not valid UTF-8")],
        schema=FOUND_SCHEMA,
        orient="row",
    )

    ledger, articles, _ = read(files)

    assert ledger.rows() == [
        (
            str(path),
            None,
            None,
            moment,
            "rejected",
            f"{path}: file name is not valid UTF-8; {RETRY}",
            None,
            None,
            0,
            None,
            None,
        )
    ]
    assert articles.is_empty()


def test_a_file_over_the_size_limit_is_rejected_unread_and_retried_later(tmp_path):
    write(tmp_path / "in", "big.txt", b"x" * 5_000)
    files = stages.discover_files(tmp_path / "in", PATTERNS)
    big = full(tmp_path / "in", "big.txt")

    ledger, _, _ = read(files, max_file_bytes=4_000)

    assert ledger.select("path", "sha256", "size_bytes", "status", "reason").rows() == [
        (
            big,
            None,
            None,
            "rejected",
            f"{big}: file is 5,000 bytes, over the limit of 4,000 bytes (0.0038147 MB): split"
            " it or raise --max-file-mb",
        )
    ]


def test_a_file_whose_bytes_hash_as_the_ledger_says_is_skipped_as_unchanged(tmp_path):
    root = tmp_path / "in"
    write(root, "2017/04/10/story.txt", STORY)
    write(root, "2017/04/10/edited.txt", STORY.replace(b"dawn", b"noon"))
    files = stages.discover_files(root, PATTERNS)
    story, edited = full(root, "2017/04/10/story.txt"), full(root, "2017/04/10/edited.txt")
    known = {story: hashlib.sha256(STORY).hexdigest(), edited: hashlib.sha256(STORY).hexdigest()}

    ledger, articles, unchanged = read(files, known)

    assert ledger.get_column("path").to_list() == [edited]
    assert articles.get_column("source_path").to_list() == [edited]
    assert unchanged.schema == DISCOVERED_SCHEMA
    assert unchanged.rows() == files.filter(pl.col("path") == story).drop("problem").rows()


def test_files_read_in_many_small_batches_give_what_one_batch_gives(tmp_path, monkeypatch):
    root = tmp_path / "in"
    for day in ("10", "11", "12"):
        write(root, f"2017/04/{day}/story.txt", STORY)
        write(root, f"2017/04/{day}/empty.txt", b"")
    files = stages.discover_files(root, PATTERNS)
    whole = read(files)

    monkeypatch.setattr(stages, "_PARSE_BATCH_BYTES", 1)
    batched = read(files)

    assert whole[0].height == 6
    assert all(a.equals(b) for a, b in zip(whole, batched, strict=True))


@pytest.mark.parametrize("known_sha", [{}, {"never-seen.txt": "x"}])
def test_no_files_read_give_empty_frames_of_the_stage_schemas(known_sha):
    ledger, articles, unchanged = read(pl.DataFrame(schema=FOUND_SCHEMA), known_sha)

    assert (ledger.schema, articles.schema, unchanged.schema) == (
        LEDGER_SCHEMA,
        pl.Schema(ARTICLE_SCHEMA),
        DISCOVERED_SCHEMA,
    )
    assert ledger.is_empty() and articles.is_empty() and unchanged.is_empty()
