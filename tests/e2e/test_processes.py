"""Real processes: crashes at every stage, two writers, and queries during a load."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO_ROOT, SAMPLES, table_snapshot
from wirehouse.cli import main as cli

pytestmark = pytest.mark.slow

# Every column but the ones that say when or in which load a row was written.
TABLES = {
    "source_files": "select * exclude (loaded_at) from source_files order by path",
    "articles": "select * exclude (loaded_at, load_id) from articles order by article_id",
    "sentences": "select * exclude (load_id) from sentences order by article_id, sentence_no",
    "mentions": "select * exclude (load_id) from mentions order by article_id, start_char",
    "entities": "select * from entities order by entity_id",
    "country_mentions_daily": "select * from country_mentions_daily order by all",
}


def run_plain(
    input_dir: Path, db: Path, *extra: str, crash_at: str | None = None, wait: bool = True
) -> subprocess.Popen | subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("WIREHOUSE_CRASH_AT", None)
    if crash_at:
        env["WIREHOUSE_CRASH_AT"] = crash_at
    command = [sys.executable, "-m", "tests.helpers.run_plain", str(input_dir), str(db), *extra]
    if not wait:
        return subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    return subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return table_snapshot(db, TABLES)


def many_articles(root: Path, copies: int) -> Path:
    """copies distinct variants of every sample article, for loads that take a while."""
    for number in range(copies):
        for sample in SAMPLES.rglob("*.txt"):
            target = root / sample.relative_to(SAMPLES).parent / f"{number:04d}-{sample.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            text = sample.read_text(encoding="utf-8")
            # A distinct final paragraph keeps each copy from being a duplicate.
            target.write_text(f"{text.rstrip()}\n\nCopy number {number} filed.\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict[str, list[tuple]]]:
    """The samples loaded in one uninterrupted run, in batches of three files."""
    db = tmp_path_factory.mktemp("clean") / "news.duckdb"
    done = run_plain(SAMPLES, db, "--batch-size", "3")
    assert done.returncode == 0, done.stderr
    return db, snapshot(db)


@pytest.mark.parametrize("point", ["read:2", "transform:2", "load:3", "export"])
def test_a_run_killed_at_any_stage_leaves_whole_batches_and_the_next_run_finishes(
    point: str, clean, tmp_path: Path
) -> None:
    _, expected = clean
    db = tmp_path / "news.duckdb"
    out = tmp_path / "export"
    killed = run_plain(SAMPLES, db, "--batch-size", "3", "--export", str(out), crash_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    if db.exists():
        partial = snapshot(db)
        loaded_paths = {row[0] for row in partial["source_files"]}
        con = duckdb.connect(str(db), read_only=True)
        article_paths = {r[0] for r in con.execute("select source_path from articles").fetchall()}
        con.close()
        # Whole batches only: every file in the ledger has all its articles, sentences
        # and mentions exactly as the clean run has them, and no others are present.
        assert article_paths <= loaded_paths
        ids = {r[0] for r in partial["articles"]}
        for table in ("articles", "sentences", "mentions"):
            assert partial[table] == [r for r in expected[table] if r[0] in ids]
        assert len(loaded_paths) % 3 == 0 or point == "export"
    assert not out.exists() or (out / "manifest.json").exists()

    resumed = run_plain(SAMPLES, db, "--batch-size", "3", "--export", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert snapshot(db) == expected
    assert (out / "manifest.json").exists()
    assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def test_a_second_writer_waits_or_fails_and_never_double_loads(clean, tmp_path: Path) -> None:
    source = many_articles(tmp_path / "in", copies=20)
    db = tmp_path / "news.duckdb"
    first = run_plain(source, db, "--batch-size", "20", wait=False)
    lock = db.with_name(db.name + ".run.lock")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)

    refused = run_plain(source, db, "--if-running", "fail")
    waited = run_plain(source, db, "--if-running", "wait")
    assert first.wait(timeout=300) == 0, first.stderr.read()

    assert refused.returncode == 3
    assert "another wirehouse run is loading" in refused.stderr
    assert waited.returncode == 0, waited.stderr
    assert "unchanged" in waited.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        files = len(list(source.rglob("*"))) - len([p for p in source.rglob("*") if p.is_dir()])
        assert files == 20 * 11  # many_articles copies the 11 one-article .txt samples
        assert con.execute("select count(*) from source_files").fetchone() == (files,)
        assert con.execute(
            "select count(*), count(distinct article_id) from articles"
        ).fetchone() == (files, files)
    finally:
        con.close()


def test_queries_during_a_long_load_all_answer(tmp_path: Path, capsys) -> None:
    source = many_articles(tmp_path / "in", copies=20)
    db = tmp_path / "news.duckdb"
    seeded = run_plain(SAMPLES, db)  # the file exists before the long load starts
    assert seeded.returncode == 0, seeded.stderr
    loader = run_plain(source, db, "--batch-size", "10", wait=False)
    answers, failures = 0, []
    while loader.poll() is None:
        status = cli(
            [
                "query",
                "select count(*) from articles",
                "--db",
                str(db),
                "--wait",
                "60",
                "--format",
                "csv",
            ]
        )
        printed = capsys.readouterr()
        if status == 0:
            answers += 1
        else:
            failures.append(printed.err)
    assert loader.returncode == 0, loader.stderr.read()
    assert failures == []
    assert answers >= 3
    with capsys.disabled():
        print(f"\nconcurrent reads: {answers} queries answered during the load, 0 failed")


def test_run_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    killed = run_plain(SAMPLES, db, "--batch-size", "3", crash_at="load:2")
    assert killed.returncode == -signal.SIGKILL
    again = run_plain(SAMPLES, db, "--if-running", "fail")
    assert again.returncode == 0, again.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)
