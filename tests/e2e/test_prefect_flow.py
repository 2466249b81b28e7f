"""One end-to-end run of the real Prefect flow over the shipped samples."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, query

pytestmark = pytest.mark.slow


def test_flow_loads_the_samples_and_every_span_matches_its_text(
    prefect_harness, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    db_path = tmp_path / "news.duckdb"
    summary = ingest(input_dir=SAMPLES, db_path=db_path, export_dir=tmp_path / "export")
    sample_files = [p for p in SAMPLES.rglob("*") if p.suffix in {".txt", ".jsonl"}]
    assert summary.files_seen == len(sample_files)
    assert summary.files_loaded == len(sample_files)
    assert summary.files_rejected == 0
    # Checked over the whole warehouse in SQL, not per article in Python.
    bad_sentences = query(
        db_path,
        "select count(*) from sentences s join articles a using (article_id)"
        " where substr(a.text, s.start_char + 1, s.end_char - s.start_char) <> s.sentence",
    )
    bad_mentions = query(
        db_path,
        "select count(*) from mentions m join articles a using (article_id)"
        " where substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.surface",
    )
    assert bad_sentences == [(0,)] and bad_mentions == [(0,)]
    assert query(db_path, "select count(*) > 100 from mentions") == [(True,)]
    top = query(
        db_path,
        "select country_code from country_mentions_daily"
        " group by country_code order by sum(mention_count) desc limit 1",
    )
    assert top == [("JP",)]  # the samples are Japanese wire copy
    assert (tmp_path / "export" / "manifest.json").exists()

    again = ingest(input_dir=SAMPLES, db_path=db_path)
    assert again.files_unchanged == len(sample_files) and again.files_loaded == 0


def test_batches_on_a_dask_cluster_or_threads_give_the_tables_of_a_plain_run(
    prefect_harness, tmp_path: Path
) -> None:
    from flows.ingest import run_flow, run_pipeline
    from tests.e2e.test_determinism import snapshot
    from wirehouse.settings import Settings

    settings = Settings(
        input_dir=SAMPLES, db_path=tmp_path / "dask.duckdb", batch_size=3, dask_local_workers=2
    )
    summary = run_flow(settings)
    plain = query(tmp_path / "dask.duckdb", "select count(*) from mentions")
    sample_files = [p for p in SAMPLES.rglob("*") if p.suffix in {".txt", ".jsonl"}]
    assert summary.files_loaded == len(sample_files)
    # Every batch was read and transformed in a Dask worker process, not in this one.
    assert summary.workers and f"{socket.gethostname()}:{os.getpid()}" not in summary.workers
    assert 1 <= len(summary.workers) <= 2
    assert plain == [(summary.mentions,)]

    # The same tables, row for row, as threads with other batches and as a plain run.
    threads = Settings(
        input_dir=SAMPLES, db_path=tmp_path / "threads.duckdb", batch_size=5, workers=2
    )
    run_flow(threads)
    run_pipeline(
        Settings(input_dir=SAMPLES, db_path=tmp_path / "plain.duckdb", batch_size=100),
        as_tasks=False,
    )
    expected = snapshot(tmp_path / "plain.duckdb")
    assert len(expected["articles"]) == summary.articles
    assert snapshot(tmp_path / "dask.duckdb") == expected
    assert snapshot(tmp_path / "threads.duckdb") == expected
