"""Shared fixtures: reference data, a migrated temp warehouse, and a plain-function pipeline run."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker

from flows.ingest import RunSummary, run_pipeline
from gazetteer import Gazetteer, load_gazetteer
from warehouse import db
from wirehouse.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = REPO_ROOT / "samples" / "articles"
SHARED = REPO_ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_9931ddaee67d88b9.txt"
REUTERS = SHARED / "corpora" / "reuters21578"


def pytest_configure(config: pytest.Config) -> None:
    """Keep the gazetteer cache of test runs (and of the CLI runs they start) out of ~/.cache."""
    if "WIREHOUSE_CACHE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="wirehouse-test-cache-")
        os.environ["WIREHOUSE_CACHE_DIR"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture
def warehouse_con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated, empty warehouse in a temp dir."""
    with db.connect(tmp_path / "test.duckdb") as con:
        db.migrate(con)
        yield con


@pytest.fixture
def seed_bytes() -> bytes:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (../shared is absent on this machine)")
    return SEED.read_bytes()


PipelineRunner = Callable[..., RunSummary]


@pytest.fixture
def run(tmp_path: Path) -> PipelineRunner:
    """Run the whole pipeline as plain functions (no Prefect) into tmp_path/news.duckdb."""

    def _run(input_dir: Path, **overrides: object) -> RunSummary:
        settings = Settings(input_dir=input_dir, db_path=tmp_path / "news.duckdb")
        return run_pipeline(settings.with_overrides(**overrides), as_tasks=False)

    return _run


def full_path(root: Path | str, rel: str) -> str:
    """How the warehouse names the file at rel under the input folder root: its full path."""
    return os.path.join(os.path.realpath(root), rel)


def table_snapshot(db_path: Path, tables: dict[str, str]) -> dict[str, list[tuple]]:
    """Every row each named query returns, read in one read-only connection."""
    with db.connect(db_path, read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in tables.items()}


def query(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """All rows of one read-only query."""
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server for the whole session (flows that must run for real)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(autouse=True)
def _stop_prefect_client_services() -> Iterator[None]:
    """After each test, stop the Prefect client services a flow run in this process started.

    A flow run starts Prefect's API-log and events workers, which stay on Prefect's global
    event loop thread until drained. The events worker keeps a websocket open to the server
    and pings it periodically (keepalive and checkpoint pings), and every ping draws its
    payload from the global `random` module. Left running, such a ping can land in the
    middle of a Hypothesis draw in a later property test; Hypothesis checks that the global
    random state does not change while it draws and warns "Do not use the `random` module
    inside strategies" in a test that does no such thing. Draining them, as
    prefect_test_harness does at its exit, sends what they hold and closes the websocket;
    the next flow run starts them afresh. With nothing started it costs microseconds.
    """
    yield
    APILogWorker.drain_all(timeout=30)
    EventsWorker.drain_all(timeout=30)
