"""The command's start and end: what it imports, its one line about Prefect, no Prefect chatter,
and its exit status and output once it skips the interpreter's teardown."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.serve import DEFAULT_PORT, healthy, local_api_url, start_server, stop_server
from flows.startup import NO_SERVER
from tests.conftest import REPO_ROOT
from tests.helpers.articles import kyodo, write
from warehouse import db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wirehouse(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m wirehouse.cli ARGS` from the repository root, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "wirehouse.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def modules_loaded_by(argv: list[str]) -> set[str]:
    """The modules imported by the time main(argv) returns, in a new interpreter."""
    code = (
        "import json, sys\n"
        "from wirehouse.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture
def empty_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "news.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
    return path


# --- lazy imports ---------------------------------------------------------------------------


def test_help_imports_neither_prefect_nor_the_data_libraries():
    loaded = modules_loaded_by(["--help"])

    assert {"prefect", "polars", "duckdb", "flows.ingest"}.isdisjoint(loaded)


def test_query_does_not_import_prefect_or_the_pipeline(empty_warehouse):
    loaded = modules_loaded_by(
        ["query", "select count(*) from articles", "--db", str(empty_warehouse)]
    )

    assert "duckdb" in loaded  # it did run the query
    assert {"prefect", "flows.ingest", "gazetteer"}.isdisjoint(loaded)


# --- the exit ------------------------------------------------------------------------------


def test_output_written_to_a_pipe_is_all_there_after_the_quick_exit(empty_warehouse):
    sql = "select range as n from range(5000)"

    done = wirehouse("query", sql, "--db", str(empty_warehouse), "--format", "csv")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "n"
    assert lines[-1] == "4999"
    assert len(lines) == 5001


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["query", "--limit", "0", "top-countries"], 2),  # a usage error, from argparse
        (["query", "select 1", "--db", "no/such/warehouse.duckdb"], 1),
        (["query", "--list"], 0),
    ],
)
def test_the_exit_status_survives_the_quick_exit(args, status):
    assert wirehouse(*args).returncode == status


# --- run's line about Prefect, and nothing from Prefect itself (slow: Prefect runs) --------

# What the flow itself logs at the default level, through Prefect's run logger.
FLOW_LINE = re.compile(
    r"^\d\d:\d\d:\d\d\.\d{3} \| INFO +\| Flow run '[^']+' - (discover|plan|progress|done): "
)


def prefect_chatter(stderr: str) -> list[str]:
    """The lines of stderr that are neither wirehouse's own nor the flow's."""
    return [
        line
        for line in stderr.splitlines()
        if not line.startswith("wirehouse: ") and not FLOW_LINE.match(line)
    ]


def two_articles(root: Path) -> Path:
    write(root, "a.txt", kyodo("Japan and Australia sign beef deal", "Japan cut tariffs."))
    write(root, "b.txt", kyodo("Rice prices climb in Niigata", "Farmers blamed frost."))
    return root


def run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment without Prefect's settings (the command sets what it needs itself),
    a Prefect home of the test's own, and extra."""
    env = dict(os.environ)
    for name in ("PREFECT_API_URL", "PREFECT_LOGGING_LEVEL", "DO_NOT_TRACK"):
        env.pop(name, None)
    return env | {"PREFECT_HOME": str(tmp_path / "prefect-home")} | extra


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server on a free loopback port for this module's runs; its API URL."""
    port = free_port()
    process = start_server(port, tmp_path_factory.mktemp("prefect-server"))
    try:
        yield local_api_url(port)
    finally:
        stop_server(process)


@pytest.mark.slow
def test_run_with_no_server_says_so_in_one_line_and_prefect_says_nothing(tmp_path):
    if healthy(local_api_url(DEFAULT_PORT)):
        pytest.skip(f"a Prefect server answers on 127.0.0.1:{DEFAULT_PORT}; run would use it")
    source = two_articles(tmp_path / "in")

    done = wirehouse(
        "run", "--input", str(source), "--db", str(tmp_path / "n.duckdb"), env=run_env(tmp_path)
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == NO_SERVER.format(port=DEFAULT_PORT)
    assert prefect_chatter(done.stderr) == []
    assert "2 loaded" in done.stdout


@pytest.mark.slow
def test_run_names_the_server_in_prefect_api_url_and_prefect_says_nothing(tmp_path, prefect_server):
    source = two_articles(tmp_path / "in")
    env = run_env(tmp_path, PREFECT_API_URL=prefect_server)

    done = wirehouse("run", "--input", str(source), "--db", str(tmp_path / "n.duckdb"), env=env)

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"wirehouse: using the Prefect server at {prefect_server} (PREFECT_API_URL)"
    )
    assert prefect_chatter(done.stderr) == []
    assert "2 loaded" in done.stdout


@pytest.mark.slow
def test_run_verbose_shows_prefects_own_notes(tmp_path, prefect_server):
    source = two_articles(tmp_path / "in")
    env = run_env(tmp_path, PREFECT_API_URL=prefect_server)

    done = wirehouse(
        "run", "--input", str(source), "--db", str(tmp_path / "n.duckdb"), "--verbose", env=env
    )

    assert done.returncode == 0, done.stderr
    chatter = prefect_chatter(done.stderr)
    assert any("Task run 'discover" in line and "Completed" in line for line in chatter)
    assert any("Beginning flow run" in line for line in chatter)
