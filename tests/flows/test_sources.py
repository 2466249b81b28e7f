"""Source identity: files are known by their full path, across input folders and releases."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from flows import stages
from tests.conftest import SAMPLES, query
from tests.e2e.test_processes import run_plain
from warehouse import db, sources

FIXTURE = Path(__file__).parents[1] / "fixtures" / "warehouse-dbfde3b"

KENYA = {
    "2017/04/10/story.txt": "Rains cut roads\n\nHeavy rains cut roads across Kenya on Monday.\n",
    "2017/04/11/later.txt": "Markets calm\n\nShares in Nairobi were steady as Kenya voted.\n",
}
CHILE = {
    "2017/04/10/story.txt": "Copper rises\n\nCopper prices rose as Chile raised its forecast.\n",
    "2017/04/11/later.txt": "Port strike ends\n\nDock workers in Chile went back to work.\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def full(root: Path, rel: str) -> str:
    return os.path.join(os.path.realpath(root), rel)


@pytest.mark.slow
def test_two_folders_with_the_same_file_names_keep_both_and_prune_only_their_own(
    tmp_path: Path,
) -> None:
    kenya = write(tmp_path / "feeds" / "kenya", KENYA)
    chile = write(tmp_path / "feeds" / "chile", CHILE)
    warehouse = tmp_path / "news.duckdb"
    for folder, loaded in ((kenya, 2), (chile, 2), (kenya, 0)):
        done = run_plain(folder, warehouse)
        assert done.returncode == 0, done.stderr
        assert f"loaded {loaded} " in done.stdout
    assert "unchanged 2" in done.stdout  # the third run, kenya again, changed nothing

    every = {full(root, rel) for root in (kenya, chile) for rel in KENYA}
    assert {p for (p,) in query(warehouse, "select path from source_files")} == every
    texts = query(warehouse, "select source_path, text from articles order by source_path")
    assert [path for path, _ in texts] == sorted(every)
    assert dict(texts)[full(kenya, "2017/04/10/story.txt")].startswith("Rains cut roads")
    assert dict(texts)[full(chile, "2017/04/10/story.txt")].startswith("Copper rises")

    (kenya / "2017/04/11/later.txt").unlink()
    pruned = run_plain(kenya, warehouse, "--prune")
    assert pruned.returncode == 0, pruned.stderr
    statuses = dict(query(warehouse, "select path, status from source_files"))
    assert statuses == {
        full(kenya, "2017/04/10/story.txt"): "loaded",
        full(kenya, "2017/04/11/later.txt"): "removed",
        full(chile, "2017/04/10/story.txt"): "loaded",
        full(chile, "2017/04/11/later.txt"): "loaded",
    }
    assert query(warehouse, "select count(*) from articles") == [(3,)]


def test_prune_with_a_missing_input_folder_removes_nothing(run, tmp_path: Path) -> None:
    feed = write(tmp_path / "feed", KENYA)
    run(feed)
    summary = run(tmp_path / "fed", prune_missing=True)  # a typo
    assert summary.prune_skipped is not None and "does not exist" in summary.prune_skipped
    assert "input folder does not exist" in summary.unlisted[0][1]
    warehouse = tmp_path / "news.duckdb"
    assert query(warehouse, "select count(*) from articles") == [(2,)]
    assert query(warehouse, "select distinct status from source_files") == [("loaded",)]


def test_prune_with_an_emptied_input_folder_removes_nothing(run, tmp_path: Path) -> None:
    feed = write(tmp_path / "feed", KENYA)
    run(feed)
    shutil.rmtree(feed)
    feed.mkdir()  # as an unmounted drive's mount point looks
    summary = run(feed, prune_missing=True)
    assert summary.prune_skipped is not None and "no article file" in summary.prune_skipped
    warehouse = tmp_path / "news.duckdb"
    assert query(warehouse, "select count(*) from articles") == [(2,)]
    assert query(warehouse, "select distinct status from source_files") == [("loaded",)]


def test_a_folder_that_cannot_be_listed_is_recorded_and_blocks_prune(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = write(tmp_path / "feed", KENYA)
    run(feed)
    (feed / "2017/04/10/story.txt").unlink()  # really gone: would be pruned on a full walk
    hidden = os.path.realpath(feed / "2017/04/11")
    real_scandir = os.scandir

    def failing_scandir(path):  # noqa: ANN001, ANN202 - os.scandir's own signature
        if os.fspath(path) == hidden:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(stages.os, "scandir", failing_scandir)
    summary = run(feed, prune_missing=True)

    assert summary.folders_unlisted == 1
    assert summary.prune_skipped is not None and hidden in summary.prune_skipped
    warehouse = tmp_path / "news.duckdb"
    recorded = query(warehouse, "select folder_path, reason from unlisted_folders")
    assert [folder for folder, _ in recorded] == [hidden]
    assert "permission denied" in recorded[0][1]
    assert query(warehouse, "select count(*) from articles") == [(2,)]

    monkeypatch.setattr(stages.os, "scandir", real_scandir)
    summary = run(feed, prune_missing=True)  # listed again: the deleted file goes now
    assert summary.prune_skipped is None
    assert query(warehouse, "select count(*) from unlisted_folders") == [(0,)]
    assert query(warehouse, "select count(*) from articles") == [(1,)]


def release_warehouse(path: Path) -> None:
    """The shipped samples as release dbfde3b stored them (tests/fixtures/warehouse-dbfde3b)."""
    con = duckdb.connect(str(path))
    try:
        con.execute((FIXTURE / "schema.sql").read_text())
        con.execute((FIXTURE / "load.sql").read_text().replace("{folder}", str(FIXTURE)))
    finally:
        con.close()


def test_a_warehouse_of_the_previous_release_migrates_and_its_folder_adopts_its_rows(
    run, tmp_path: Path
) -> None:
    warehouse = tmp_path / "news.duckdb"
    release_warehouse(warehouse)
    before = query(warehouse, "select article_id, text from articles order by article_id")
    relative = [p for (p,) in query(warehouse, "select path from source_files order by path")]
    assert len(before) == 14 and len(relative) == 12 and not relative[0].startswith("/")

    # Another folder with two of the same relative names first: it must not take their rows.
    other = tmp_path / "other"
    impostors = {
        rel: f"Other story {n}\n\nRains hit Peru on Monday.\n" for n, rel in enumerate(relative[:2])
    }
    write(other, impostors)
    first = run(other)
    assert first.files_loaded == 2
    assert query(warehouse, "select count(*) from articles") == [(16,)]
    assert query(warehouse, "select count(*) from source_files where path not like '/%'") == [(12,)]

    # The folder the release loaded them from: every row adopted, nothing read as new.
    original = tmp_path / "in"
    shutil.copytree(SAMPLES, original)
    second = run(original)
    assert (second.files_loaded, second.files_unchanged) == (0, 12)
    assert query(warehouse, "select count(*) from source_files where path not like '/%'") == [(0,)]
    assert query(warehouse, "select max(version) from schema_migrations") == [(10,)]
    after = query(
        warehouse,
        "select article_id, text from articles where starts_with(source_path, ?)"
        " order by article_id",
        [os.path.join(os.path.realpath(original), "")],
    )
    assert after == before  # the same articles, same ids, none lost or doubled
    assert query(warehouse, "select count(*), count(distinct article_id) from articles") == [
        (16, 16)
    ]
    orphans = (
        "select count(*) from mentions where entity_id not in (select entity_id from entities)"
    )
    assert query(warehouse, orphans) == [(0,)]
    # Entities keep their names, now backed by evidence from the release's mentions.
    assert query(
        warehouse,
        "select count(*) from entities e where e.entity_type = 'person'"
        " and e.entity_id in (select entity_id from entity_evidence)",
    ) == query(warehouse, "select count(*) from entities where entity_type = 'person'")


def test_discovered_paths_are_full_paths_under_the_real_input_folder(tmp_path: Path) -> None:
    real = write(tmp_path / "real", KENYA)
    (tmp_path / "alias").symlink_to(real)
    found = stages.discover(tmp_path / "alias", ("*.txt",))
    assert found.is_complete
    assert sorted(found.files.get_column("path").to_list()) == sorted(
        str(real / rel) for rel in KENYA
    )


def test_migration_backfills_evidence_from_mentions(tmp_path: Path) -> None:
    warehouse = tmp_path / "news.duckdb"
    release_warehouse(warehouse)
    with db.connect(warehouse) as con:
        assert db.migrate(con) == [
            "005_sources_and_entity_evidence.sql",
            "006_duplicate_copies.sql",
            "007_country_validity.sql",
            "008_object_etags.sql",
            "009_tone.sql",
            "010_coordinates_and_focus.sql",
        ]
        mentions = con.execute(
            "select count(*) from mentions where entity_type in ('person', 'organization')"
            " or entity_id in ('place:US-GA', 'place:US-WA')"
        ).fetchone()
        evidence = con.execute("select sum(mention_count) from entity_evidence").fetchone()
        # The two mentions of the US state that the release stored from the samples.
        places = con.execute(
            "select name, country_code, sum(mention_count)::integer from entity_evidence"
            " where entity_id = 'place:US-GA' group by all"
        ).fetchall()
    assert evidence == mentions
    assert places == [("Georgia", "US", 2)]


def test_a_linked_folder_whose_target_is_gone_blocks_prune(run, tmp_path: Path) -> None:
    # feeds/kenya is a link to a drive; unmounted, the link dangles and its files look gone.
    # The drive is outside feeds: only --follow-symlinks all follows the link at all.
    drive = write(tmp_path / "drive", KENYA)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "kenya").symlink_to(drive)
    write(feeds / "chile", CHILE)
    run(feeds, follow_symlinks="all")
    drive.rename(tmp_path / "unmounted")
    summary = run(feeds, prune_missing=True, follow_symlinks="all")
    assert [folder for folder, _ in summary.unlisted] == [str(feeds.resolve() / "kenya")]
    assert "target is missing" in summary.unlisted[0][1]
    assert summary.prune_skipped is not None
    warehouse = tmp_path / "news.duckdb"
    assert query(warehouse, "select count(*) from articles") == [(4,)]
    assert query(warehouse, "select distinct status from source_files") == [("loaded",)]


def test_a_fifo_or_dev_zero_at_a_recorded_path_is_no_evidence_and_holds_nothing_up(
    tmp_path: Path,
) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(b"abc")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    hashes: dict[tuple[str, int], str | None] = {}

    def hash_all() -> None:
        for name, size in (("story.txt", 3), ("story.txt", 4), ("pipe.txt", 0), ("zero.txt", 0)):
            hashes[name, size] = sources._sha256(str(tmp_path / name), size)

    thread = threading.Thread(target=hash_all, daemon=True)
    thread.start()
    thread.join(timeout=10)

    assert not thread.is_alive(), "hashing a recorded path blocked"
    assert hashes == {
        ("story.txt", 3): hashlib.sha256(b"abc").hexdigest(),
        ("story.txt", 4): None,  # not the recorded size: not the recorded bytes either
        ("pipe.txt", 0): None,
        ("zero.txt", 0): None,
    }


def test_a_warehouse_from_before_tone_is_scored_by_its_next_run(run, tmp_path: Path) -> None:
    warehouse = tmp_path / "news.duckdb"
    first = run(SAMPLES)
    # The warehouse without what migration 009 adds: no tone columns, 009 not recorded.
    with db.connect(warehouse) as con:
        for table, columns in (
            ("articles", ("tone", "positive", "negative", "polarity", "word_count")),
            ("sentence_spans", ("tone", "positive", "negative", "word_count")),
        ):
            for column in columns:
                con.execute(f"alter table {table} drop column {column}")
        con.execute("delete from schema_migrations where version = 9")
    before = query(warehouse, "select article_id, text from articles order by article_id")

    second = run(SAMPLES)

    assert second.files_loaded == first.files_loaded > 0
    assert query(warehouse, "select article_id, text from articles order by article_id") == before
    assert query(warehouse, "select count(*) from articles where tone is null") == [(0,)]
    assert query(warehouse, "select count(*) from sentences where tone is null") == [(0,)]
    third = run(SAMPLES)
    assert (third.files_loaded, third.files_unchanged) == (0, first.files_loaded)
