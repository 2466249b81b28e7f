"""Parquet export: same rows as the warehouse, Hive partitions, manifest, and an atomic swap."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.ingest import run_pipeline
from tests.conftest import full_path, query
from warehouse import export as export_module
from warehouse.export import EXPORTS, ExportRefused, export_warehouse
from wirehouse.cli import main
from wirehouse.settings import Settings

TABLE_NAMES = [name for name, _, _ in EXPORTS]
# What each export holds, counted in the warehouse (sentences and mentions keep only
# rows whose article exists, as the export joins them to articles).
WAREHOUSE_COUNTS = {
    "source_files": "select count(*) from source_files",
    "countries": "select count(*) from countries",
    "entities": "select count(*) from entities",
    "articles": "select count(*) from articles",
    "sentences": "select count(*) from sentences",
    "mentions": "select count(*) from mentions",
    "country_mentions_daily": "select count(*) from country_mentions_daily",
    "entity_mentions_daily": "select count(*) from entity_mentions_daily",
    "country_tone_daily": "select count(*) from country_tone_daily",
}


def kyodo(headline: str, body: str, dateline: str) -> str:
    return f"Kyodo News\nBack to Main\n{headline}\n\n{body}\n({dateline})\n"


APRIL = kyodo(
    "Japan and Australia sign beef deal",
    "Japan agreed to cut tariffs on Australian beef,\nthe two governments said in Tokyo.",
    "April 10",
)
APRIL_2 = kyodo(
    "China and South Korea resume talks",
    "Officials from China and South Korea met in Beijing\non Monday to discuss trade.",
    "April 10",
)
MAY = kyodo(
    "France hosts Japanese trade mission",
    "A trade mission from Japan arrived in Paris\non Tuesday, officials in France said.",
    "May 2",
)


def build(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    """A warehouse loaded from the given {relative path: text}; returns its path."""
    root = tmp_path / f"{name}-in"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    db_path = tmp_path / f"{name}.duckdb"
    summary = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)
    assert summary.files_loaded == len(files)
    return db_path


def input_folder(db_path: Path) -> Path:
    """The input folder build() loaded the warehouse at db_path from."""
    return db_path.with_name(f"{db_path.stem}-in")


TWO_MONTHS = {
    "2017/04/10/beef.txt": APRIL,
    "2017/04/10/talks.txt": APRIL_2,
    "2017/05/02/mission.txt": MAY,
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("export")
    db_path = build(tmp_path, "two-months", TWO_MONTHS)
    out = tmp_path / "out"
    assert export_warehouse(db_path, out) == out.resolve()
    return db_path, out


def export_killed_before_swap(db_path: Path, out: Path, **options) -> Path:
    """Export, keeping a copy of the finished staging folder as a SIGKILL before the swap would."""
    kept: list[Path] = []

    def keep_staging() -> None:
        (staging,) = [p for p in out.parent.iterdir() if ".staging-" in p.name]
        kept.append(shutil.copytree(staging, staging.with_name(f"{staging.name}0"), symlinks=True))

    export_warehouse(db_path, out, before_swap=keep_staging, **options)
    return kept[0]


def warehouse_count(db_path: Path, name: str) -> int:
    return query(db_path, WAREHOUSE_COUNTS[name])[0][0]


def test_every_export_is_listed_in_this_test():
    assert sorted(WAREHOUSE_COUNTS) == sorted(TABLE_NAMES)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_polars_reads_back_as_many_rows_as_the_warehouse_holds(exported, name):
    db_path, out = exported
    frame = pl.scan_parquet(out / name / "**" / "*.parquet", hive_partitioning=True)

    assert frame.select(pl.len()).collect().item() == warehouse_count(db_path, name)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_duckdb_reads_back_as_many_rows_as_the_warehouse_holds(exported, name):
    db_path, out = exported
    glob = (out / name / "**" / "*.parquet").as_posix()
    with duckdb.connect() as con:
        count = con.execute(
            "select count(*) from read_parquet(?, hive_partitioning = true)", [glob]
        ).fetchone()[0]

    assert count == warehouse_count(db_path, name)


def test_export_holds_rows_from_both_months(exported):
    db_path, _ = exported
    assert warehouse_count(db_path, "articles") == 3
    assert warehouse_count(db_path, "mentions") > 0
    assert warehouse_count(db_path, "country_mentions_daily") > 0


def test_articles_are_partitioned_by_year_and_month_of_their_date(exported):
    db_path, out = exported
    root = input_folder(db_path)
    folders = sorted(
        p.relative_to(out / "articles").as_posix() for p in (out / "articles").glob("*/*")
    )

    assert folders == ["year=2017/month=4", "year=2017/month=5"]
    rows = (
        pl.scan_parquet(out / "articles" / "**" / "*.parquet", hive_partitioning=True)
        .select("source_path", "year", "month")
        .sort("source_path")
        .collect()
        .rows()
    )
    assert rows == [
        (full_path(root, "2017/04/10/beef.txt"), 2017, 4),
        (full_path(root, "2017/04/10/talks.txt"), 2017, 4),
        (full_path(root, "2017/05/02/mission.txt"), 2017, 5),
    ]


def test_sentences_take_the_partition_of_their_article(exported):
    _, out = exported
    frame = pl.read_parquet(out / "sentences" / "**" / "*.parquet", hive_partitioning=True)
    months = (
        frame.group_by("month").agg(pl.col("article_id").n_unique().alias("articles")).sort("month")
    )

    assert months.rows() == [(4, 2), (5, 1)]


def test_manifest_lists_every_table_with_its_row_count_and_the_schema_version(exported):
    db_path, out = exported
    manifest = json.loads((out / "manifest.json").read_text())

    assert manifest["producer"] == "wirehouse"
    # The marker that lets the next export replace this folder without --force.
    assert (manifest["format"], manifest["format_version"]) == ("wirehouse-export", 1)
    assert manifest["warehouse"] == str(db_path.resolve())
    # sql/migrations holds 001_core_tables, 002_datelines_and_duplicates, 003_load_ids,
    # 004_sentence_spans, 005_sources_and_entity_evidence, 006_duplicate_copies,
    # 007_country_validity, 008_object_etags, 009_tone,
    # 010_coordinates_and_focus.
    assert manifest["schema_version"] == 10
    assert sorted(manifest["tables"]) == sorted(TABLE_NAMES)
    for name in TABLE_NAMES:
        entry = manifest["tables"][name]
        assert entry["rows"] == warehouse_count(db_path, name), name
        assert entry["files"], name
        assert all((out / f).is_file() for f in entry["files"]), name
    assert manifest["tables"]["articles"]["partitioned_by"] == ["year", "month"]
    assert manifest["tables"]["countries"]["partitioned_by"] == []


def test_no_staging_folder_remains_after_a_successful_export(exported):
    _, out = exported
    leftovers = [
        p.name for p in out.parent.iterdir() if ".staging-" in p.name or ".retired-" in p.name
    ]
    assert leftovers == []


def test_reexport_into_the_same_folder_leaves_no_stale_partition(tmp_path):
    both = build(tmp_path, "both", TWO_MONTHS)
    april_only = build(tmp_path, "april", {"2017/04/10/beef.txt": APRIL})
    out = tmp_path / "out"
    export_warehouse(both, out, tables=["articles"])
    assert (out / "articles" / "year=2017" / "month=5").is_dir()

    export_warehouse(april_only, out, tables=["articles"])

    assert not (out / "articles" / "year=2017" / "month=5").exists()
    assert (out / "articles" / "year=2017" / "month=4").is_dir()
    frame = pl.read_parquet(out / "articles" / "**" / "*.parquet", hive_partitioning=True)
    assert frame.get_column("source_path").to_list() == [
        full_path(input_folder(april_only), "2017/04/10/beef.txt")
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["articles"]["rows"] == 1


def test_export_refuses_a_non_empty_folder_it_did_not_create(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own notes")

    with pytest.raises(ExportRefused, match="did not write"):
        export_warehouse(db_path, out, tables=["articles"])

    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_force_replaces_a_folder_it_did_not_create(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own notes")

    export_warehouse(db_path, out, tables=["articles"], force=True)

    assert sorted(p.name for p in out.iterdir()) == ["articles", "manifest.json"]


def test_export_into_an_existing_empty_folder_is_allowed(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "empty"
    out.mkdir()

    export_warehouse(db_path, out, tables=["countries"])

    assert (out / "countries" / "data.parquet").is_file()


def test_unknown_table_is_refused_before_anything_is_written(tmp_path, exported):
    db_path, _ = exported
    with pytest.raises(ValueError, match="no_such_table"):
        export_warehouse(db_path, tmp_path / "out", tables=["articles", "no_such_table"])
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_failed_export_leaves_the_previous_export_whole_and_no_staging(
    tmp_path, exported, monkeypatch
):
    db_path, _ = exported
    out = tmp_path / "out"
    export_warehouse(db_path, out, tables=["articles", "countries"])
    manifest_before = (out / "manifest.json").read_text()
    files_before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    # Fail after some tables are already written into the staging folder.
    monkeypatch.setattr(
        export_module,
        "EXPORTS",
        (*EXPORTS, ("broken", "select * from table_that_does_not_exist", None)),
    )

    with pytest.raises(duckdb.CatalogException):
        export_warehouse(db_path, out)

    assert (out / "manifest.json").read_text() == manifest_before
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == files_before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failed_swap_keeps_the_previous_export_in_place(tmp_path, exported, monkeypatch):
    db_path, _ = exported
    out = tmp_path / "out"
    export_warehouse(db_path, out, tables=["countries"])
    real_rename = os.rename
    calls: list[tuple[str, str]] = []

    def rename_failing_on_second_call(src, dst):
        calls.append((str(src), str(dst)))
        if len(calls) == 2:
            raise OSError("simulated failure while swapping")
        return real_rename(src, dst)

    monkeypatch.setattr(export_module.os, "rename", rename_failing_on_second_call)
    # Exercise the two-rename fallback used where renameat2 is missing.
    monkeypatch.setattr(export_module, "_exchange", lambda first, second: False)

    with pytest.raises(OSError, match="simulated"):
        export_warehouse(db_path, out, tables=["countries"])

    assert (out / "manifest.json").is_file()


def test_swap_is_one_atomic_exchange_where_the_kernel_offers_it(tmp_path, exported, monkeypatch):
    db_path, _ = exported
    out = tmp_path / "out"
    export_warehouse(db_path, out, tables=["countries"])
    renames: list[tuple[str, str]] = []
    real_rename = os.rename

    def recording_rename(src, dst):
        renames.append((str(src), str(dst)))
        return real_rename(src, dst)

    monkeypatch.setattr(export_module.os, "rename", recording_rename)
    export_warehouse(db_path, out, tables=["countries", "entities"])

    assert renames == []  # no window in which out/ is missing
    assert sorted(p.name for p in out.iterdir()) == ["countries", "entities", "manifest.json"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_killed_between_renames_is_restored_by_the_next(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "out"
    staging = export_killed_before_swap(db_path, out, tables=["countries"])
    # What a SIGKILL between the fallback's two renames leaves behind: the previous export
    # under its retired name, and the marked staging folder of the killed export.
    os.rename(out, tmp_path / ".out.wirehouse.retired-deadbeef")
    assert staging.is_dir()

    export_warehouse(db_path, out, tables=["entities"])

    assert sorted(p.name for p in out.iterdir()) == ["entities", "manifest.json"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_since_and_until_limit_dated_exports_and_keep_reference_tables_whole(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "window"
    export_warehouse(db_path, out, since=date(2017, 4, 1), until=date(2017, 4, 30))
    con = duckdb.connect()
    try:
        dates = con.execute(
            "select min(published_date), max(published_date), count(*) from read_parquet(?,"
            " hive_partitioning = true)",
            [str(out / "articles" / "**" / "*.parquet")],
        ).fetchone()
        expected = query(
            db_path,
            "select count(*) from articles where published_date between '2017-04-01'"
            " and '2017-04-30'",
        )[0][0]
        countries = con.execute(
            "select count(*) from read_parquet(?)", [str(out / "countries" / "data.parquet")]
        ).fetchone()[0]
    finally:
        con.close()
    assert dates[2] == expected > 0
    assert date(2017, 4, 1) <= dates[0] <= dates[1] <= date(2017, 4, 30)
    assert countries == query(db_path, "select count(*) from countries")[0][0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["since"], manifest["until"]) == ("2017-04-01", "2017-04-30")


def test_export_after_deleting_an_article_file_leaves_no_stale_rows(tmp_path):
    root = tmp_path / "in"
    for rel, text in TWO_MONTHS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    db_path = tmp_path / "news.duckdb"
    settings = Settings(input_dir=root, db_path=db_path, prune_missing=True)
    run_pipeline(settings, as_tasks=False)
    out = tmp_path / "out"
    export_warehouse(db_path, out)
    assert (out / "articles" / "year=2017" / "month=5").exists()

    (root / "2017/05/02/mission.txt").unlink()
    summary = run_pipeline(settings, as_tasks=False)
    export_warehouse(db_path, out)

    assert summary.files_seen == 2
    assert query(db_path, "select status from source_files where path like '%mission%'") == [
        ("removed",)
    ]
    assert not (out / "articles" / "year=2017" / "month=5").exists()
    con = duckdb.connect()
    try:
        for name in TABLE_NAMES:
            pattern = str(out / name / "**" / "*.parquet")
            exported = con.execute(
                "select count(*) from read_parquet(?, hive_partitioning = true)", [pattern]
            ).fetchone()[0]
            assert exported == warehouse_count(db_path, name), name
    finally:
        con.close()
    assert query(db_path, "select count(*) from articles") == [(2,)]


def test_an_output_path_with_quotes_and_sql_is_only_a_path(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "it's'); drop table articles; --"
    export_warehouse(db_path, out, tables=["countries"])
    assert (out / "countries" / "data.parquet").is_file()
    assert query(db_path, "select count(*) > 0 from articles") == [(True,)]


# --- which folders an export may replace, and which siblings it may remove ---------


def tree(folder: Path) -> dict[str, bytes]:
    """Every file and link under folder (links not followed): its content or its target."""
    found: dict[str, bytes] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            if path.is_symlink():
                found[path.relative_to(folder).as_posix()] = os.fsencode(os.readlink(path))
            elif path.is_file():
                found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def copy_warehouse(db_path: Path, folder: Path) -> Path:
    """A copy of the warehouse file (and its WAL, if any) in folder, as news.duckdb."""
    folder.mkdir(parents=True)
    shutil.copyfile(db_path, folder / "news.duckdb")
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, folder / "news.duckdb.wal")
    return folder / "news.duckdb"


def a_project_with_a_manifest(folder: Path, manifest: str) -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "manifest.json").write_text(manifest)
    (folder / "src" / "app.js").write_text("code")
    return folder


@pytest.mark.parametrize(
    "manifest",
    [
        "{}",
        # What an export before the format marker wrote: not enough to prove the folder is one.
        '{"producer": "wirehouse", "tables": {}}',
        '{"format": "wirehouse-export"',
    ],
)
def test_a_folder_with_a_foreign_manifest_loses_no_file_without_force(tmp_path, exported, manifest):
    db_path, _ = exported
    out = a_project_with_a_manifest(tmp_path / "p", manifest)
    before = tree(out)

    with pytest.raises(ExportRefused, match="--force"):
        export_warehouse(db_path, out, tables=["countries"])

    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


def test_the_command_refuses_a_foreign_manifest_with_status_2_naming_the_folder(
    tmp_path, exported, capsys
):
    db_path, _ = exported
    out = a_project_with_a_manifest(tmp_path / "p", "{}")

    assert main(["export", "--out", str(out), "--db", str(db_path)]) == 2

    err = capsys.readouterr().err
    assert str(out) in err
    assert "--force" in err
    assert "Traceback" not in err
    assert (out / "src" / "app.js").read_text() == "code"


@pytest.mark.parametrize("added", ["a file", "a link"])
def test_a_previous_export_with_something_added_by_hand_needs_force(tmp_path, exported, added):
    db_path, _ = exported
    out = tmp_path / "out"
    export_warehouse(db_path, out, tables=["articles"])
    if added == "a file":
        (out / "articles" / "notes.txt").write_text("mine")
    else:
        (tmp_path / "elsewhere").mkdir()
        (out / "articles" / "notes.txt").symlink_to(tmp_path / "elsewhere")
    before = tree(out)

    with pytest.raises(ExportRefused, match="notes.txt"):
        export_warehouse(db_path, out, tables=["articles"])

    assert tree(out) == before


def test_a_reexport_over_a_previous_export_needs_no_force(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "out"
    export_warehouse(db_path, out, tables=["articles", "countries"])

    export_warehouse(db_path, out, tables=["entities"])

    assert sorted(p.name for p in out.iterdir()) == ["entities", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "wirehouse-export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("force", [False, True])
def test_export_out_dot_beside_the_warehouse_never_deletes_it(
    tmp_path, exported, monkeypatch, capsys, force
):
    db_path = copy_warehouse(exported[0], tmp_path / "here")
    monkeypatch.chdir(db_path.parent)
    before = tree(tmp_path)

    code = main(["export", "--out", ".", "--db", "news.duckdb", *(["--force"] if force else [])])

    assert code == 2
    assert tree(tmp_path) == before
    assert query(db_path, "select count(*) from articles") == [(3,)]
    assert "holds the warehouse" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["its folder", "an ancestor of its folder", "the file itself"])
def test_force_never_deletes_the_warehouse_it_reads(tmp_path, exported, out):
    db_path = copy_warehouse(exported[0], tmp_path / "data" / "warehouse")
    (db_path.parent / "manifest.json").write_text("{}")
    target = {
        "its folder": db_path.parent,
        "an ancestor of its folder": tmp_path / "data",
        "the file itself": db_path,
    }[out]
    before = tree(tmp_path)

    with pytest.raises(ExportRefused, match="warehouse"):
        export_warehouse(db_path, target, tables=["countries"], force=True)

    assert tree(tmp_path) == before


@pytest.mark.parametrize("out", [".", ".."])
def test_force_refuses_the_current_folder_and_its_ancestors(tmp_path, exported, monkeypatch, out):
    db_path, _ = exported
    project = a_project_with_a_manifest(tmp_path / "project", "{}")
    monkeypatch.chdir(project / "src")
    before = tree(tmp_path)

    with pytest.raises(ExportRefused, match="current folder"):
        export_warehouse(db_path, Path(out), tables=["countries"], force=True)

    assert tree(tmp_path) == before


def test_force_refuses_the_home_folder(tmp_path, exported, monkeypatch):
    db_path, _ = exported
    home = a_project_with_a_manifest(tmp_path / "home", "{}")
    monkeypatch.setenv("HOME", str(home))
    before = tree(tmp_path)

    with pytest.raises(ExportRefused, match="home folder"):
        export_warehouse(db_path, home, tables=["countries"], force=True)

    assert tree(tmp_path) == before


def test_force_removes_a_link_in_the_folder_but_nothing_it_points_to(tmp_path, exported):
    db_path, _ = exported
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "link").symlink_to(outside)

    export_warehouse(db_path, out, tables=["countries"], force=True)

    assert sorted(p.name for p in out.iterdir()) == ["countries", "manifest.json"]
    assert (outside / "precious.txt").read_text() == "keep"


def test_siblings_named_like_staging_folders_survive_an_export_and_a_reexport(tmp_path, exported):
    db_path, previous = exported
    for name in (
        ".out.staging-1234abcd",
        ".out.retired-deadbeef",
        ".out.wirehouse.staging-0123456789abcdef",
        ".out.wirehouse.retired-0123456789abcdef",
        ".out.wirehouse.staging-",
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.txt").write_text(name)
    # A link to a whole previous export: removed, it would delete the folder it points to.
    shutil.copytree(previous, tmp_path / "elsewhere")
    (tmp_path / ".out.wirehouse.staging-feedface").symlink_to(tmp_path / "elsewhere")
    before = tree(tmp_path)

    export_warehouse(db_path, tmp_path / "out", tables=["countries"])
    export_warehouse(db_path, tmp_path / "out", tables=["entities"])

    after = {k: v for k, v in tree(tmp_path).items() if not k.startswith("out/")}
    assert after == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["entities", "manifest.json"]


def test_a_staging_folder_left_by_a_killed_export_is_removed_by_the_next(tmp_path, exported):
    db_path, _ = exported
    out = tmp_path / "out"
    leftover = export_killed_before_swap(db_path, out, tables=["countries"])
    assert (leftover / export_module.STAGING_MARKER).is_file()

    export_warehouse(db_path, out, tables=["entities"])

    assert not leftover.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_previous_export_left_under_a_staging_name_is_removed_by_the_next(tmp_path, exported):
    db_path, previous = exported
    # What a SIGKILL right after the atomic exchange leaves: the old export, staging's name.
    leftover = shutil.copytree(previous, tmp_path / ".out.wirehouse.staging-0123456789abcdef")

    export_warehouse(db_path, tmp_path / "out", tables=["countries"])

    assert not leftover.exists()


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_an_out_that_is_a_link_is_refused_and_what_it_points_to_kept(tmp_path, exported, force):
    db_path, previous = exported
    # Even a previous export behind the link: an export replaces a folder, never a link.
    target = tmp_path / "target"
    shutil.copytree(previous, target)
    before = tree(target)
    out = tmp_path / "out"
    out.symlink_to(target, target_is_directory=True)

    with pytest.raises(ExportRefused, match="is a symbolic link"):
        export_warehouse(db_path, out, force=force)

    assert tree(target) == before
    assert out.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "target"]


def test_the_command_refuses_an_out_that_is_a_file_in_one_line(tmp_path, exported, capsys):
    db_path, _ = exported
    out = tmp_path / "a-file"
    out.write_text("keep")

    assert main(["export", "--out", str(out), "--db", str(db_path)]) == 2

    assert capsys.readouterr().err == (
        f"wirehouse: {out}: is a file, not a folder; choose a folder for --out\n"
    )
    assert out.read_text() == "keep"
