"""--follow-symlinks: which links under the input folder a run follows, and the reason it
records for each one it does not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows import stages
from tests.conftest import full_path, query
from tests.helpers.articles import DAY, kyodo, write

PATTERNS = ("*.txt",)


def linked_input(tmp_path: Path) -> Path:
    """An input folder with one plain story and four links: a file and a folder leading out,
    a file and a folder leading to places inside; returns the input folder."""
    root = tmp_path / "in"
    write(root, "plain.txt", kyodo("Plain story stays put", "It is a file."))
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(kyodo("Story from outside", "It lives elsewhere."))
    (outside / "folder" / "deep.txt").write_text(kyodo("Story in an outside folder", "Deep."))
    # Relative, through '..': what it resolves to decides, not how it is written.
    (root / DAY / "out.txt").symlink_to(Path("../../../../outside/secret.txt"))
    (root / DAY / "out-folder").symlink_to(outside / "folder", target_is_directory=True)
    # Targets inside that match no pattern, so what loads through them loads once.
    write(root, "kept/story.md", kyodo("Story under another name", "It is linked in."))
    write(root, "kept/folder/notes.md", "no article here")
    (root / DAY / "in.txt").symlink_to("kept/story.md")
    (root / DAY / "in-folder").symlink_to("kept/folder", target_is_directory=True)
    return root


def headlines(db_path: Path) -> list[str]:
    return [row[0] for row in query(db_path, "select headline from articles order by headline")]


def ledger(db_path: Path) -> dict[str, tuple[str, str | None]]:
    rows = query(db_path, "select path, status, reason from source_files")
    return {path: (status, reason) for path, status, reason in rows}


def test_by_default_a_link_out_of_the_input_is_recorded_not_loaded_and_links_inside_load(
    tmp_path, run
):
    root = linked_input(tmp_path)
    summary = run(root)
    out = full_path(root, f"{DAY}/out.txt")
    secret = os.path.realpath(tmp_path / "outside" / "secret.txt")

    assert headlines(tmp_path / "news.duckdb") == [
        "Plain story stays put",
        "Story under another name",
    ]
    status, reason = ledger(tmp_path / "news.duckdb")[out]
    assert status == "rejected"
    assert reason == (
        f"{out}: symbolic link to {secret}, outside the input folder, not followed"
        " (--follow-symlinks inside): move its target into the input folder, or run with"
        " --follow-symlinks all; it is tried again on the next run"
    )
    assert ledger(tmp_path / "news.duckdb")[full_path(root, f"{DAY}/in.txt")][0] == "loaded"
    # Only the folder link leading out is left unwalked; in-folder was followed.
    [(folder, why)] = summary.unlisted
    assert folder == full_path(root, f"{DAY}/out-folder")
    assert why.startswith(
        f"{folder}: symbolic link to {os.path.realpath(tmp_path / 'outside' / 'folder')},"
        " outside the input folder, not followed (--follow-symlinks inside);"
        " nothing under it was looked at"
    )
    assert why.endswith("run with --follow-symlinks all")


def test_with_follow_symlinks_all_links_out_of_the_input_load(tmp_path, run):
    root = linked_input(tmp_path)
    summary = run(root, follow_symlinks="all")

    assert headlines(tmp_path / "news.duckdb") == [
        "Plain story stays put",
        "Story from outside",
        "Story in an outside folder",
        "Story under another name",
    ]
    assert (summary.files_rejected, summary.unlisted) == (0, [])


def test_with_follow_symlinks_none_no_link_loads_and_each_says_why(tmp_path, run):
    root = linked_input(tmp_path)
    summary = run(root, follow_symlinks="none")
    rows = ledger(tmp_path / "news.duckdb")

    assert headlines(tmp_path / "news.duckdb") == ["Plain story stays put"]
    for rel in ("out.txt", "in.txt"):
        path = full_path(root, f"{DAY}/{rel}")
        assert rows[path] == (
            "rejected",
            f"{path}: symbolic link, not followed (--follow-symlinks none): run with"
            " --follow-symlinks inside or all to follow it; it is tried again on the next run",
        )
    assert sorted(folder for folder, _ in summary.unlisted) == [
        full_path(root, f"{DAY}/in-folder"),
        full_path(root, f"{DAY}/out-folder"),
    ]
    assert all("not followed (--follow-symlinks none)" in why for _, why in summary.unlisted)


def test_a_link_refused_today_loads_once_the_run_follows_it(tmp_path, run):
    root = linked_input(tmp_path)
    first = run(root)
    second = run(root, follow_symlinks="all")

    assert first.files_rejected == 1
    # Nothing was read the first time, so the ledger does not take it for unchanged.
    assert second.files_loaded == 2  # out.txt, and deep.txt from the folder now walked


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("kept/story.md", True),
        ("kept/../kept/story.md", True),
        ("../../../../outside/secret.txt", False),
        ("hop.md", False),  # a link to a link that leads out
    ],
)
def test_inside_follows_a_link_by_where_its_target_resolves(tmp_path, target, followed):
    root = linked_input(tmp_path)
    (root / DAY / "hop.md").symlink_to(tmp_path / "outside" / "secret.txt")
    (root / DAY / "probe.txt").symlink_to(target)
    found = stages.discover_files(root, PATTERNS)
    problems = dict(found.select("path", "problem").iter_rows())

    assert (problems[full_path(root, f"{DAY}/probe.txt")] is None) is followed


def test_a_file_swapped_for_a_link_out_after_discovery_is_not_read(tmp_path):
    root = tmp_path / "in"
    path = write(root, "story.txt", kyodo("Story found in place", "It is a file."))
    found = stages.discover_files(root, PATTERNS)
    secret = tmp_path / "secret.txt"
    secret.write_text(kyodo("Secret outside", "It must not load."))
    path.unlink()
    path.symlink_to(secret)
    links = stages.Links("inside", os.path.realpath(root))

    ledger_rows, articles, _ = stages.read_files(
        found, {}, input_format="auto", reference_date=None, max_file_bytes=10**6, links=links
    )
    [row] = ledger_rows.to_dicts()

    assert row["status"] == "rejected"
    assert f"symbolic link to {os.path.realpath(secret)}, outside the input folder" in row["reason"]
    assert articles.is_empty()


def test_an_unknown_follow_symlinks_value_is_refused_by_name():
    with pytest.raises(ValueError, match="'some': give one of inside, all, none"):
        stages.Links("some", "/")
