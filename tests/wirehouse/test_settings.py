"""wirehouse/settings.py: the defaults, overrides that skip None, and the WIREHOUSE_* variables."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from pathlib import Path

import pytest

from wirehouse.settings import Settings, default_workers

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("input_dir", Path("samples/articles")),
        ("db_path", Path("warehouse/news.duckdb")),
        ("export_dir", None),
        ("reference_date", None),
        ("input_format", "auto"),
        ("max_file_bytes", 20 * MIB),
        ("batch_size", 10_000),
        ("include_dateline_mentions", False),
        ("dask_address", None),
        ("dask_local_workers", 0),
        ("lock_wait_seconds", 600.0),
        ("write_hold_seconds", 5.0),
        ("export_force", False),
        ("if_running", "wait"),
        ("prune_missing", False),
        ("progress", "log"),
        ("crash_at", None),
        ("strict", False),
        ("follow_symlinks", "inside"),
        ("storage_options", {}),
        ("patterns", ("*.txt", "*.jsonl", "*.ndjson", "*.json")),
    ],
)
def test_a_default_setting_has_its_documented_value(name: str, expected: object) -> None:
    assert getattr(Settings(), name) == expected


def test_default_workers_is_one_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert default_workers() == 6
    assert Settings().workers == 6


def test_default_workers_is_two_when_the_core_count_is_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_workers() == 2
    assert Settings().workers == 2


def test_settings_cannot_be_changed_in_place() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().batch_size = 5  # type: ignore[misc]


def test_with_overrides_applies_the_given_values_to_a_copy() -> None:
    base = Settings()
    changed = base.with_overrides(batch_size=50, reference_date=date(2017, 4, 10))
    assert (changed.batch_size, changed.reference_date) == (50, date(2017, 4, 10))
    assert (base.batch_size, base.reference_date) == (10_000, None)


def test_with_overrides_ignores_none_so_an_unset_option_keeps_the_value() -> None:
    base = Settings(export_dir=Path("out"), batch_size=7)
    assert base.with_overrides(export_dir=None, batch_size=None) == base


def test_with_overrides_applies_zero_false_and_empty_values() -> None:
    base = Settings(write_hold_seconds=5.0, strict=True, dask_address="tcp://x:8786")
    changed = base.with_overrides(write_hold_seconds=0, strict=False, dask_address="")
    assert changed.write_hold_seconds == 0
    assert changed.strict is False
    assert changed.dask_address == ""


def test_with_overrides_rejects_a_name_that_is_not_a_setting() -> None:
    with pytest.raises(TypeError, match="batchsize"):
        Settings().with_overrides(batchsize=5)


def test_from_env_with_no_wirehouse_variable_gives_the_defaults() -> None:
    assert Settings.from_env({"HOME": "/home/x", "WIREHOUSE_CACHE_DIR": "/c"}) == Settings()


@pytest.mark.parametrize(
    ("variable", "value", "name", "expected"),
    [
        ("WIREHOUSE_INPUT", "/data/articles", "input_dir", Path("/data/articles")),
        ("WIREHOUSE_DB", "/data/news.duckdb", "db_path", Path("/data/news.duckdb")),
        ("WIREHOUSE_MAX_FILE_MB", "3", "max_file_bytes", 3_145_728),
        ("WIREHOUSE_MAX_FILE_MB", "0.5", "max_file_bytes", 524_288),
        ("WIREHOUSE_CRASH_AT", "load:2", "crash_at", "load:2"),
        ("WIREHOUSE_DASK_ADDRESS", "tcp://10.0.0.5:8786", "dask_address", "tcp://10.0.0.5:8786"),
    ],
)
def test_from_env_fills_one_setting_from_its_variable_and_leaves_the_rest(
    variable: str, value: str, name: str, expected: object
) -> None:
    settings = Settings.from_env({variable: value})
    assert getattr(settings, name) == expected
    assert settings == dataclasses.replace(Settings(), **{name: expected})


def test_from_env_reads_the_process_environment_when_given_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("WIREHOUSE_INPUT", "WIREHOUSE_MAX_FILE_MB", "WIREHOUSE_CRASH_AT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("WIREHOUSE_DB", "/elsewhere/news.duckdb")
    monkeypatch.setenv("WIREHOUSE_DASK_ADDRESS", "tcp://scheduler:8786")
    settings = Settings.from_env()
    assert settings.db_path == Path("/elsewhere/news.duckdb")
    assert settings.dask_address == "tcp://scheduler:8786"
    assert settings.input_dir == Path("samples/articles")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("samples/articles", Path("samples/articles")),
        ("/data/wire", Path("/data/wire")),
        ("file:///data/wire", Path("/data/wire")),  # a local folder, read as one
        ("s3://wire-bucket/kyodo", "s3://wire-bucket/kyodo"),
        ("gs://wire-bucket", "gs://wire-bucket"),
        ("./s3:/not-a-url", Path("s3:/not-a-url")),
    ],
)
def test_a_location_is_a_folder_path_or_a_url_kept_as_text(given: str, expected: object) -> None:
    from wirehouse.settings import is_url, location

    assert location(given) == expected
    assert type(location(given)) is type(expected)
    assert is_url(location(given)) == isinstance(expected, str)


def test_an_input_url_from_the_environment_stays_a_url() -> None:
    settings = Settings.from_env({"WIREHOUSE_INPUT": "s3://wire-bucket/kyodo"})
    assert settings.input_dir == "s3://wire-bucket/kyodo"
