"""How long `wirehouse run` takes on the shipped samples, start-up included, as a user waits.

Each run is a new process, `python -m wirehouse.cli run --input samples/articles --db <new
file>`, timed wall clock from start to exit:

- with a Prefect server: one started for the benchmark (`prefect server start` on a free
  loopback port, its own PREFECT_HOME) or the one at --api-url, given as PREFECT_API_URL; one
  run to warm up (page cache, the gazetteer cache), then --repeat runs: best and median;
- with none: one run with PREFECT_API_URL unset, so Prefect starts its temporary server (its
  start-up and shutdown counted), on the PREFECT_HOME of the server started above (its
  database already made, as on a machine where Prefect has run before).

--repo runs another checkout's wirehouse (e.g. a worktree of an older commit) with this
script's way of timing it. It waits (up to --wait-quiet seconds) for the one-minute load
average to drop below 1.5 first, and prints the load beside the figures.

    .venv/bin/python benchmarks/startup.py [--repeat 5] [--api-url URL] [--repo DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from flows.serve import DEFAULT_PORT, healthy, local_api_url, start_server, stop_server  # noqa: E402

QUIET_LOAD = 1.5


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_quiet(seconds: float) -> float:
    """Wait up to seconds for the one-minute load average to drop below QUIET_LOAD; the load."""
    deadline = time.monotonic() + seconds
    load = os.getloadavg()[0]
    while load >= QUIET_LOAD and time.monotonic() < deadline:
        print(f"load {load:.2f}: waiting for the machine to be quiet", file=sys.stderr)
        time.sleep(15)
        load = os.getloadavg()[0]
    return load


def timed_run(repo: Path, env: dict[str, str], work: Path) -> tuple[float, str]:
    """Wall seconds of one `wirehouse run` on the samples into a new warehouse, and the line it
    printed about the Prefect server."""
    db = Path(tempfile.mkdtemp(dir=work)) / "news.duckdb"
    command = [sys.executable, "-m", "wirehouse.cli", "run",
               "--input", str(repo / "samples" / "articles"), "--db", str(db)]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or " loaded," not in done.stdout:
        raise SystemExit(f"wirehouse run failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    lines = done.stderr.splitlines()
    server_line = next(
        (line for line in lines if line.startswith("wirehouse: ") and "Prefect" in line), ""
    )
    return seconds, server_line


def base_env(repo: Path, work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        PYTHONPATH=str(repo),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        # The gazetteer cache of these runs only: built by the warm-up, read by the rest.
        WIREHOUSE_CACHE_DIR=str(work / "cache"),
    )
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs with a server")
    parser.add_argument("--api-url", help="use this Prefect server instead of starting one")
    parser.add_argument("--repo", type=Path, default=REPO_ROOT, help="checkout to run")
    parser.add_argument("--wait-quiet", type=float, default=600, help="seconds to wait for load")
    args = parser.parse_args()
    repo = args.repo.resolve()
    work = Path(tempfile.mkdtemp(prefix="wirehouse-startup-"))
    server = None
    try:
        home = work / "prefect-home"
        api_url = args.api_url
        if api_url is None:
            port = free_port()
            print(f"starting a Prefect server on 127.0.0.1:{port} ...", file=sys.stderr)
            server = start_server(port, home)
            api_url = local_api_url(port)
        env = base_env(repo, work) | {"PREFECT_API_URL": api_url, "PREFECT_HOME": str(home)}
        load_before = wait_for_quiet(args.wait_quiet)
        timed_run(repo, env, work)  # warm-up
        times = []
        for _ in range(args.repeat):
            seconds, with_server = timed_run(repo, env, work)
            times.append(seconds)
        if server is not None:
            stop_server(server)
            server = None
        no_server = None
        if healthy(local_api_url(DEFAULT_PORT)):
            print(f"a Prefect server answers on 127.0.0.1:{DEFAULT_PORT}: no run without one")
        else:
            env = base_env(repo, work) | {"PREFECT_HOME": str(home)}
            no_server = timed_run(repo, env, work)
        load_after = os.getloadavg()[0]
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nwirehouse run on {repo / 'samples' / 'articles'}, a new warehouse each run")
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after\n")
    print("| Prefect server | runs | best s | median s |")
    print("|---|---:|---:|---:|")
    print(f"| running | {len(times)} | {min(times):.2f} | {statistics.median(times):.2f} |")
    if no_server is not None:
        print(f"| none (temporary) | 1 | {no_server[0]:.2f} | {no_server[0]:.2f} |")
    print(f"\nwith a server: {with_server or '(no line about the server)'}")
    if no_server is not None:
        print(f"with none: {no_server[1] or '(no line about the server)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
