"""warehouse/output_files.py: output is never written through a symbolic link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warehouse.output_files import (
    OutputRefused,
    check_file,
    open_folder,
    replace_file,
    write_file,
    write_files,
)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file someone else owns, which a planted link points at."""
    path = tmp_path / "elsewhere" / "victim.txt"
    path.parent.mkdir()
    path.write_text("not yours")
    return path


def test_files_are_written_into_a_new_folder(tmp_path):
    out = tmp_path / "report" / "2017"

    write_files(out, {"a.png": b"png", "index.html": b"<html>"})

    assert sorted(p.name for p in out.iterdir()) == ["a.png", "index.html"]
    assert (out / "index.html").read_bytes() == b"<html>"


def test_a_link_planted_under_a_file_name_is_refused_and_nothing_is_written(tmp_path, victim):
    out = tmp_path / "report"
    out.mkdir()
    (out / "index.html").symlink_to(victim)

    with pytest.raises(OutputRefused, match="index.html: is a symbolic link"):
        write_files(out, {"a.png": b"png", "index.html": b"<html>"})

    assert victim.read_text() == "not yours"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]  # no a.png, no partial file
    assert (out / "index.html").is_symlink()


def test_a_link_planted_as_the_folder_is_refused(tmp_path, victim):
    out = tmp_path / "report"
    out.symlink_to(victim.parent, target_is_directory=True)

    with pytest.raises(OutputRefused, match="report: is a symbolic link"):
        write_files(out, {"victim.txt": b"overwritten"})

    assert victim.read_text() == "not yours"


def test_a_link_planted_after_the_check_is_replaced_not_followed(tmp_path, victim):
    out = tmp_path / "report"
    out.mkdir()
    with open_folder(out, create=False) as folder_fd:
        (out / "index.html").symlink_to(victim)  # between any check and the write

        replace_file(folder_fd, "index.html", lambda f: f.write(b"<html>"))

    assert victim.read_text() == "not yours"
    assert not (out / "index.html").is_symlink()
    assert (out / "index.html").read_bytes() == b"<html>"


def test_a_failed_write_leaves_the_old_file_and_no_partial_file(tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("old")

    def fail(f):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_file(out, fail)

    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("old")
    out.chmod(0o600)

    write_file(out, lambda f: f.write(b"new"))

    assert out.read_text() == "new"
    assert out.stat().st_mode & 0o777 == 0o600


def test_a_single_file_may_sit_in_a_linked_folder_but_may_not_be_a_link(tmp_path, victim):
    linked = tmp_path / "shared"
    linked.symlink_to(victim.parent, target_is_directory=True)

    write_file(linked / "new.csv", lambda f: f.write(b"a,b\n"))

    assert (victim.parent / "new.csv").read_text() == "a,b\n"
    (tmp_path / "out.csv").symlink_to(victim)
    with pytest.raises(OutputRefused, match="out.csv: is a symbolic link"):
        write_file(tmp_path / "out.csv", lambda f: f.write(b"a,b\n"))
    assert victim.read_text() == "not yours"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such folder"),
        (lambda p: p.parent.write_text("a file"), "is a file, not a folder"),
    ],
    ids=["missing-folder", "folder-is-a-file"],
)
def test_a_file_in_a_folder_that_is_not_there_is_refused(tmp_path, make, message):
    out = tmp_path / "missing" / "x.csv"
    make(out)

    with pytest.raises(OutputRefused, match=message):
        check_file(out)
    assert not os.path.isdir(out.parent)


def test_a_folder_where_a_file_goes_is_refused(tmp_path):
    (tmp_path / "x.csv").mkdir()

    with pytest.raises(OutputRefused, match="x.csv: is a folder"):
        check_file(tmp_path / "x.csv")
