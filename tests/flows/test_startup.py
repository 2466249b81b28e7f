"""How `run` meets Prefect: which server it reports to, what reaches the terminal, heartbeats."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import prefect
import pytest
from prefect.settings import (
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    get_current_settings,
    temporary_settings,
)

import flows.serve
from flows import startup
from flows.serve import find_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def answering() -> Iterator[Callable[[int], int]]:
    """start(status): a loopback HTTP server whose /api/health answers status; its port."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int) -> int:
        class Health(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(status if self.path == "/api/health" else 404)
                self.end_headers()
                self.wfile.write(b"true")

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def fresh_run(code: str, api_url: str | None = None) -> dict:
    """Run code in a fresh Python, as a `wirehouse run` process starts: Prefect imported but
    no server or settings context from the test session, PREFECT_API_URL as given. The code
    prints one JSON object, returned here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if api_url is not None:
        env["PREFECT_API_URL"] = api_url
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# What a run process knows after choosing its server: the line, the URL Prefect will use, and
# the URL in the environment that Dask workers inherit.
CHOOSE = """
import json, os, sys
from flows import startup
from prefect.settings import get_current_settings
line = startup.choose_server(port={port})
print(json.dumps({{"line": line, "prefect": get_current_settings().api.url,
                   "environment": os.environ.get("PREFECT_API_URL")}}))
"""


# --- which server ------------------------------------------------------------------------


def test_a_configured_url_is_used_as_it_is_without_looking_at_the_port(monkeypatch):
    monkeypatch.setattr(flows.serve, "healthy", lambda *a, **k: pytest.fail("port probed"))

    found = find_server("http://wire.example:4200/api", port=4200)

    assert found == (
        "http://wire.example:4200/api",
        "wirehouse: using the Prefect server at http://wire.example:4200/api (PREFECT_API_URL)",
    )


def test_a_server_answering_its_health_check_on_the_port_is_found(answering):
    port = answering(200)

    found = find_server(None, port=port)

    url = f"http://127.0.0.1:{port}/api"
    assert found == (url, f"wirehouse: found a Prefect server already running at {url}")


def test_a_port_that_answers_its_health_check_with_an_error_is_no_server(answering):
    assert find_server(None, port=answering(503)) is None


def test_a_port_nobody_listens_on_is_no_server():
    assert find_server(None, port=free_port()) is None


def test_run_reports_to_the_server_in_prefect_api_url():
    chosen = fresh_run(CHOOSE.format(port=free_port()), api_url="http://wire.example:4200/api")

    assert chosen == {
        "line": "wirehouse: using the Prefect server at http://wire.example:4200/api"
        " (PREFECT_API_URL)",
        "prefect": "http://wire.example:4200/api",
        "environment": "http://wire.example:4200/api",
    }


def test_run_points_prefect_at_a_server_it_finds_on_the_port(answering):
    port = answering(200)

    chosen = fresh_run(CHOOSE.format(port=port))

    url = f"http://127.0.0.1:{port}/api"
    # Prefect read its settings at import: what it uses now, and what Dask workers inherit.
    assert chosen == {
        "line": f"wirehouse: found a Prefect server already running at {url}",
        "prefect": url,
        "environment": url,
    }


def test_with_no_server_run_says_it_starts_the_temporary_one_and_how_to_avoid_the_wait():
    port = free_port()

    chosen = fresh_run(CHOOSE.format(port=port))

    line = chosen["line"]
    assert line.startswith(
        f"wirehouse: no Prefect server at PREFECT_API_URL or on 127.0.0.1:{port}"
    )
    assert "temporary server" in line
    assert "`prefect server start`" in line
    assert "\n" not in line
    assert chosen["prefect"] is None
    assert chosen["environment"] is None


# --- what reaches the terminal -------------------------------------------------------------

PREFECT_DIR = os.path.dirname(prefect.__file__)


def record(pathname: str, level: int, name: str = "prefect.flow_runs") -> logging.LogRecord:
    return logging.LogRecord(name, level, pathname, 1, "message", None, None)


@pytest.mark.parametrize(
    ("pathname", "level", "name", "shown"),
    [
        # Prefect's own notes: task states, run links, the temporary server starting
        (os.path.join(PREFECT_DIR, "task_engine.py"), logging.INFO, "prefect.task_runs", False),
        (os.path.join(PREFECT_DIR, "server", "api", "server.py"), logging.INFO, "prefect", False),
        # Prefect's warnings and errors (a crashed run, a retry) stay
        (os.path.join(PREFECT_DIR, "flow_engine.py"), logging.WARNING, "prefect.flow_runs", True),
        (os.path.join(PREFECT_DIR, "task_engine.py"), logging.ERROR, "prefect.task_runs", True),
        # but not its background services' count of what they still have to send at exit
        (
            os.path.join(PREFECT_DIR, "_internal", "concurrency", "services.py"),
            logging.WARNING,
            "EventsWorker",
            False,
        ),
        # the flow's own lines, through Prefect's run logger
        ("/srv/wirehouse/flows/ingest.py", logging.INFO, "prefect.flow_runs", True),
        ("/srv/wirehouse/flows/progress.py", logging.INFO, "prefect.flow_runs", True),
        # a folder whose name only starts like Prefect's
        (PREFECT_DIR + "_extras/x.py", logging.INFO, "prefect", True),
    ],
)
def test_prefects_own_notes_below_warning_are_kept_off_the_terminal(pathname, level, name, shown):
    notes = startup.PrefectNotes(PREFECT_DIR)

    assert notes.filter(record(pathname, level, name)) is shown


# --- heartbeats -----------------------------------------------------------------------------


def test_a_run_sends_no_heartbeats_unless_they_are_configured():
    if "heartbeat_frequency" in get_current_settings().flows.model_fields_set:
        pytest.skip("PREFECT_FLOWS_HEARTBEAT_FREQUENCY is set where the tests run")
    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None  # Prefect sends them by default

    with startup.heartbeats_as_configured():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default


def test_configured_heartbeats_are_kept():
    with (
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 45}),
        startup.heartbeats_as_configured(),
    ):
        assert get_current_settings().flows.heartbeat_frequency == 45


# --- all of it, around the flow run ---------------------------------------------------------


def test_the_line_about_the_server_goes_to_stderr_and_quiet_keeps_it_off():
    port = free_port()
    code = f"""
import contextlib, io, json
from flows import startup
def said(**options):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with startup.prefect_for_run(verbose=True, port={port}, **options):
            pass
    return {{"out": out.getvalue(), "err": err.getvalue()}}
print(json.dumps({{"said": said(), "quiet": said(quiet=True)}}))
"""

    outputs = fresh_run(code)

    assert outputs["said"] == {"out": "", "err": startup.NO_SERVER.format(port=port) + "\n"}
    assert outputs["quiet"] == {"out": "", "err": ""}


# --- the warm-up while Prefect starts -------------------------------------------------------


def test_the_warm_up_leaves_the_gazetteer_and_the_first_batchs_lookups_built():
    from gazetteer import load_gazetteer
    from transforms import memo

    startup.warm_up().join(timeout=120)

    names = {key[0] for key in memo._ENTRIES}
    assert {"mention matchers", "dateline lookups", "entity rules"} <= names
    # The gazetteer the lookups were built from is the one every batch gets.
    gazetteer = load_gazetteer()
    assert any(key[0] == "entity rules" and key[1] == id(gazetteer) for key in memo._ENTRIES)


def test_a_run_process_imports_prefect_beside_the_warm_up_without_an_import_error():
    """Prefect's import on the main thread and the warm-up's on its own never wait on each
    other's module locks: both finish in a fresh process, as `wirehouse run` starts."""
    code = """
import json
from flows import startup
thread = startup.warm_up()
import prefect, flows.ingest
thread.join(timeout=120)
from transforms import memo
print(json.dumps({"alive": thread.is_alive(), "built": sorted({k[0] for k in memo._ENTRIES})}))
"""
    for _ in range(3):  # an import race, if any, shows in some runs only
        done = fresh_run(code)
        assert done["alive"] is False
        assert {"mention matchers", "dateline lookups", "entity rules"} <= set(done["built"])
