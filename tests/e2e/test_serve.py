"""Scheduled mode against a real Prefect server: deployment, schedule, a triggered run."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.serve import healthy
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def article_count(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select count(*) from articles").fetchone()[0]
    finally:
        con.close()


async def deployment_and_run(api_url: str) -> tuple[object, object]:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}):
        async with get_client() as client:
            deployment = await client.read_deployment_by_name(
                "wirehouse-ingest/wirehouse-scheduled"
            )
        flow_run = await run_deployment(
            "wirehouse-ingest/wirehouse-scheduled", timeout=240, poll_interval=2
        )
    return deployment, flow_run


def test_serve_starts_a_server_schedules_the_flow_and_a_triggered_run_loads(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in"
    for sample in sorted(SAMPLES.rglob("*.txt"))[:2]:
        target = source / sample.relative_to(SAMPLES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample, target)
    db = tmp_path / "news.duckdb"
    port = free_port()
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    serve = subprocess.Popen(
        [sys.executable, "-m", "wirehouse.cli", "serve", "--cron", "0 3 * * *",
         "--input", str(source), "--db", str(db), "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        lines: list[str] = []
        while time.monotonic() < deadline:
            line = serve.stdout.readline()
            lines.append(line)
            if "being served" in line or "wirehouse-scheduled" in line and "served" in line:
                break
            assert serve.poll() is None, "".join(lines)
        assert any("starting prefect server on 127.0.0.1" in line for line in lines), lines
        assert any(f"Prefect UI at http://127.0.0.1:{port}" in line for line in lines), lines
        assert healthy(api_url)

        deployment, flow_run = asyncio.run(deployment_and_run(api_url))
        assert [s.schedule.cron for s in deployment.schedules] == ["0 3 * * *"]
        assert flow_run.state.is_completed(), flow_run.state
        assert article_count(db) == 2

        extra = sorted(SAMPLES.rglob("*.txt"))[2]
        target = source / extra.relative_to(SAMPLES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(extra, target)
        _, second = asyncio.run(deployment_and_run(api_url))
        assert second.state.is_completed(), second.state
        assert article_count(db) == 3
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
    # The server it started is stopped with it.
    assert not healthy(api_url, timeout=1)
