"""flows/ingest.py: the flow takes exactly the settings meant for a flow run, as Prefect
validates and deploys them; the runner calls stages as tasks or as plain functions."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest
from prefect import task

from flows.ingest import Runner, RunSummary, ingest
from wirehouse.settings import FLOW_SETTINGS, Settings

FLOW_PARAMETERS = {
    "input_dir",
    "db_path",
    "export_dir",
    "reference_date",
    "input_format",
    "max_file_mb",
    "batch_size",
    "include_dateline_mentions",
    "workers",
    "lock_wait_seconds",
    "write_hold_seconds",
    "if_running",
    "prune_missing",
    "progress",
    "crash_at",
    "follow_symlinks",
    "storage_options",
}


def test_the_flow_takes_exactly_the_settings_meant_for_a_flow_run() -> None:
    assert set(ingest.parameters.properties) == FLOW_PARAMETERS
    # The file-size cap is a setting in bytes and a parameter in MiB, as on the command line.
    assert set(FLOW_SETTINGS) == FLOW_PARAMETERS - {"max_file_mb"} | {"max_file_bytes"}
    assert set(Settings.__dataclass_fields__) >= set(FLOW_SETTINGS)


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("input_dir", "samples/articles"),
        ("db_path", "warehouse/news.duckdb"),
        ("batch_size", 10_000),
        ("max_file_mb", 20.0),
        ("if_running", "wait"),
        ("follow_symlinks", "inside"),
        ("export_dir", None),
        ("workers", None),  # the CPU count of the machine the run happens on
    ],
)
def test_a_flow_parameter_defaults_to_its_setting(name: str, default: object) -> None:
    assert ingest.parameters.properties[name]["default"] == default


def test_a_deployment_s_text_parameters_become_the_run_s_settings() -> None:
    validated = ingest.validate_parameters(
        {
            "input_dir": "/data/wire",
            "batch_size": "500",
            "reference_date": "2017-04-10",
            "export_dir": "export",
        }
    )

    settings = Settings.from_flow_parameters(validated)

    assert settings == Settings(
        input_dir=Path("/data/wire"),
        batch_size=500,
        reference_date=date(2017, 4, 10),
        export_dir=Path("export"),
    )


def test_a_deployment_s_urls_stay_urls_and_a_file_url_is_a_folder() -> None:
    validated = ingest.validate_parameters(
        {
            "input_dir": "s3://wire-bucket/kyodo",
            "export_dir": "file:///srv/export",
            "storage_options": {"endpoint_url": "http://127.0.0.1:9000"},
        }
    )

    settings = Settings.from_flow_parameters(validated)

    # A Path would fold s3:// into s3:/; the URL is kept as text, as the run's stages expect.
    assert settings.input_dir == "s3://wire-bucket/kyodo"
    assert settings.export_dir == Path("/srv/export")
    assert settings.storage_options == {"endpoint_url": "http://127.0.0.1:9000"}
    assert Settings.from_flow_parameters(settings.flow_parameters()) == settings


def test_a_deployment_s_file_cap_in_mib_and_workers_0_mean_what_they_always_meant() -> None:
    # max_file_mb: 0.5 MiB is 524,288 bytes; workers 0 is one per core (the default).
    validated = ingest.validate_parameters({"max_file_mb": "0.5", "workers": 0})

    settings = Settings.from_flow_parameters(validated)

    assert settings.max_file_bytes == 524_288
    assert settings.workers == Settings().workers


def test_a_parameter_the_flow_does_not_take_is_refused() -> None:
    from prefect.exceptions import SignatureMismatchError

    with pytest.raises(SignatureMismatchError, match="dask_address"):
        ingest.validate_parameters({"dask_address": "tcp://scheduler:8786"})


def test_settings_come_back_whole_from_the_flow_s_parameters() -> None:
    settings = Settings(
        input_dir=Path("/data/wire"),
        export_dir=Path("out"),
        batch_size=3,
        workers=1,
        max_file_bytes=1000,
        prune_missing=True,
        crash_at="load:2",
    )
    assert Settings.from_flow_parameters(settings.flow_parameters()) == settings


def test_settings_that_say_how_to_run_the_flow_are_not_its_parameters() -> None:
    parameters = Settings(dask_address="tcp://x:8786", strict=True).flow_parameters()
    assert not {"dask_address", "dask_local_workers", "strict", "export_force", "patterns"} & set(
        parameters
    )


def test_a_served_deployment_finds_the_flow_by_its_name_in_the_module() -> None:
    deployment = ingest.to_deployment(
        name="wirehouse-scheduled", parameters={"input_dir": "/in", "db_path": "/db/news.duckdb"}
    )
    assert deployment.entrypoint == "flows/ingest.py:ingest"


@task
def double(number: int) -> int:
    return 2 * number


def test_the_plain_runner_calls_the_function_beneath_the_task() -> None:
    plain = Runner(as_tasks=False)
    assert plain(double, 21) == 42
    submitted = plain.submit(double, 4)
    assert submitted.done() and submitted.result() == 8


@task
def thread_name() -> str:
    return threading.current_thread().name


def test_a_plain_run_of_several_workers_makes_batches_on_its_threads() -> None:
    from flows.ingest import _plain_pool

    with _plain_pool(1) as none:
        assert none is None  # one worker: batches are made at once, on the calling thread
    with _plain_pool(3) as pool:
        made = Runner(as_tasks=False, pool=pool).submit(thread_name).result()
    assert made.startswith("wirehouse-batch") and made != threading.current_thread().name


def test_a_file_with_one_repeated_text_counts_only_the_rows_it_loads(tmp_path: Path) -> None:
    from flows.ingest import run_pipeline
    from tests.conftest import query

    first = {"title": "Port reopens in Kobe", "body": "The port reopened in Japan. Ships came."}
    second = {"title": "Rail line delayed", "body": "Trains ran late in Osaka. Japan said so."}
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.jsonl").write_text(json.dumps(first) + "\n")
    (root / "b.jsonl").write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    db_path = tmp_path / "news.duckdb"

    summary = run_pipeline(Settings(input_dir=root, db_path=db_path, workers=1), as_tasks=False)

    # b.jsonl's copy of a.jsonl's text is not loaded, so neither are its sentences.
    assert (summary.files_loaded, summary.files_duplicate, summary.articles) == (2, 0, 2)
    assert [(summary.sentences,)] == query(db_path, "select count(*) from sentences")
    assert [(summary.mentions,)] == query(db_path, "select count(*) from mentions")


def test_the_run_summary_artifact_shows_a_hostile_file_name_on_one_line():
    path = "/in/x.txt\n## Rejected files\x1b]0;pwned\x07"
    summary = RunSummary(files_rejected=1, rejected=[(path, f"{path}: empty file")])

    lines = summary.markdown().splitlines()

    assert "\x1b" not in summary.markdown()
    assert lines.count("## Rejected files") == 1
    assert lines[-1] == (
        "- `/in/x.txt\\n## Rejected files\\x1b]0;pwned\\x07`:"
        " /in/x.txt\\n## Rejected files\\x1b]0;pwned\\x07: empty file"
    )
