"""The run's held write connection: commits are durable before any checkpoint, readers get in
once it is given up, and it is given up only when due."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import full_path
from warehouse import db

REPO_ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )


def _can_open_read_only(path: Path) -> bool:
    """Whether another process can open the warehouse right now (DuckDB's file lock)."""
    done = _python(
        f"""
        import duckdb
        try:
            duckdb.connect({str(path)!r}, read_only=True).close()
        except duckdb.Error as exc:
            raise SystemExit(f"locked: {{exc}}")
        """
    )
    return done.returncode == 0


def test_loads_committed_while_held_survive_a_kill_before_any_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "news.duckdb"
    killed = _python(
        f"""
        import os, signal
        from pathlib import Path
        from warehouse import db
        writer = db.HeldConnection(Path({str(path)!r}), hold_seconds=3600)
        con = writer.connection()
        con.execute("create table t (n integer)")
        for n in (1, 2):
            con.execute("begin transaction")
            con.execute("insert into t values (?)", [n])
            con.execute("commit")
            writer.release_if_due()  # not due: the connection stays open, nothing checkpointed
        con.execute("begin transaction")
        con.execute("insert into t values (3)")  # never committed
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert Path(f"{path}.wal").exists()  # the two commits live only in the WAL
    with db.connect(path, read_only=True) as con:
        assert con.execute("select n from t order by n").fetchall() == [(1,), (2,)]


def test_readers_get_in_only_once_the_connection_is_given_up(tmp_path: Path) -> None:
    path = tmp_path / "news.duckdb"
    with db.HeldConnection(path, hold_seconds=3600) as writer:
        writer.connection().execute("create table t (n integer)")
        writer.release_if_due()
        assert not _can_open_read_only(path)  # held: a reader has to wait
        writer.release()
        assert _can_open_read_only(path)
        writer.connection().execute("insert into t values (1)")  # opens again when needed
        assert not _can_open_read_only(path)
    assert _can_open_read_only(path)  # leaving the block gives it up
    with db.connect(path, read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone() == (1,)


def test_a_zero_hold_gives_the_connection_up_after_every_load(tmp_path: Path) -> None:
    path = tmp_path / "news.duckdb"
    with db.HeldConnection(path, hold_seconds=0) as writer:
        writer.connection().execute("create table t (n integer)")
        writer.release_if_due()
        assert _can_open_read_only(path)
        assert not Path(f"{path}.wal").exists()  # given up means checkpointed


@pytest.mark.slow
def test_readers_get_in_while_the_loader_waits_for_a_slow_batch(
    tmp_path: Path, monkeypatch
) -> None:
    """With a 2 s hold, the loader gives the warehouse up rather than wait for a slow batch
    with it open: 5 s into that batch's transform, another process can read."""
    from flows import ingest
    from wirehouse.settings import Settings

    db_path = tmp_path / "news.duckdb"
    readable: list[bool] = []
    transform = ingest.transform_articles

    def slow_second_batch(articles, gazetteer, **options):  # noqa: ANN001, ANN003
        if (
            articles.select("source_path")
            .collect()
            .get_column("source_path")[0]
            .startswith(full_path(samples, "2017/04/1"))
        ):
            time.sleep(5)
            readable.append(_can_open_read_only(db_path))
        return transform(articles, gazetteer, **options)

    monkeypatch.setattr(ingest, "transform_articles", slow_second_batch)
    samples = tmp_path / "in"
    for day in ("2017/04/02", "2017/04/03", "2017/04/10"):
        (samples / day).mkdir(parents=True)
        (samples / day / "story.txt").write_text(
            f"Story of {day}\n\nTOKYO, April 10 Kyodo - Japan said so.\n"
        )
    settings = Settings(
        input_dir=samples, db_path=db_path, batch_size=1, workers=2, write_hold_seconds=2.0
    )
    summary = ingest.run_flow(settings)

    assert summary.files_loaded == 3
    assert readable == [True]
