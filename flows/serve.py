"""Prefect servers: the one `run` and `serve` report to if there is one, the one `serve` starts
if there is not, and scheduled mode, which serves the ingest flow on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from wirehouse import lifetime

# Where `prefect server start` listens unless told otherwise.
DEFAULT_PORT = 4200


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check at api_url."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def local_api_url(port: int) -> str:
    """The API URL of a Prefect server on loopback at port."""
    return f"http://127.0.0.1:{port}/api"


def find_server(
    configured: str | None, port: int = DEFAULT_PORT, timeout: float = 2.0
) -> tuple[str, str] | None:
    """The Prefect API to report to and one line saying which: the configured PREFECT_API_URL,
    else a server already answering on 127.0.0.1:port; None when there is neither."""
    if configured:
        return configured, f"wirehouse: using the Prefect server at {configured} (PREFECT_API_URL)"
    api_url = local_api_url(port)
    if healthy(api_url, timeout=timeout):
        return api_url, f"wirehouse: found a Prefect server already running at {api_url}"
    return None


def start_server(port: int, home: Path, wait_seconds: float = 90.0) -> subprocess.Popen[bytes]:
    """Start `prefect server start` on loopback with its own home; wait until it is healthy."""
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
    )
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "ab")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    api_url = local_api_url(port)
    deadline = time.monotonic() + wait_seconds
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"prefect server exited early; see {home / 'server.log'}")
            if healthy(api_url):
                return process
            time.sleep(0.5)
        raise RuntimeError(
            f"prefect server not healthy after {wait_seconds:.0f}s; see {home / 'server.log'}"
        )
    except BaseException:
        # Ctrl-C or SIGTERM while it starts, too: a server nobody will use must not stay.
        stop_server(process)
        raise


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server this process started, and everything it spawned."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def serve(
    *,
    cron: str | None,
    interval: float | None,
    input_dir: Path | str,  # a folder, or a URL of objects (wirehouse.settings.location)
    db_path: Path,
    port: int = DEFAULT_PORT,
    data_dir: Path = Path("data"),
    follow_symlinks: str = "inside",
) -> int:
    """Serve the ingest flow on a schedule until Ctrl-C or SIGTERM; returns an exit status.

    The caller (the CLI) runs this inside wirehouse.lifetime.guard(), which turns SIGTERM
    into an exception before the server is started, and whose watchdog stops the server and
    the flow runs even if this process is killed with SIGKILL.
    """
    started: subprocess.Popen[bytes] | None = None
    found = find_server(os.environ.get("PREFECT_API_URL"), port)
    if found is not None:
        api_url, line = found
        print(line)
    else:
        api_url = local_api_url(port)
        home = (data_dir / "prefect").resolve()
        print(f"wirehouse: starting prefect server on 127.0.0.1:{port} (home {home}) ...")
        started = start_server(port, home)
    os.environ["PREFECT_API_URL"] = api_url
    print(f"wirehouse: Prefect UI at {api_url.removesuffix('/api')}")
    try:
        from flows.ingest import ingest

        ingest.serve(
            name="wirehouse-scheduled",
            cron=cron,
            interval=interval,
            parameters={
                "input_dir": input_dir if isinstance(input_dir, str) else str(input_dir.resolve()),
                "db_path": str(db_path.resolve()),
                "follow_symlinks": follow_symlinks,
            },
        )
    except KeyboardInterrupt:
        print("wirehouse: stopping")
    finally:
        # Prefect's runner catches SIGTERM and Ctrl-C itself and returns: this is the stop
        # that was asked for, not to be hurried by the signal sent again.
        lifetime.shutting_down()
        if started is not None:
            print("wirehouse: stopping the Prefect server it started")
            stop_server(started)
    return 0
