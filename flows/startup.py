"""How `wirehouse run` meets Prefect: the server it reports to (one line says which), what
Prefect may print on the terminal, and whether the flow run sends heartbeats."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flows.serve import DEFAULT_PORT, find_server

# One line on standard error, before Prefect's temporary server costs its seconds.
NO_SERVER = (
    "wirehouse: no Prefect server at PREFECT_API_URL or on 127.0.0.1:{port}: starting Prefect's"
    " temporary server, which takes several seconds (run `prefect server start` in another"
    " terminal to skip the wait)"
)


# Modules both Prefect's import and the warm-up below import: loaded first, on the calling
# thread, so that the two threads never import the same module at once (importlib can fail with
# a deadlock error when two threads take module locks in opposite orders).
_SHARED_MODULES = (
    "cloudpickle", "concurrent.futures", "contextvars", "ctypes", "decimal", "glob", "heapq",
    "hmac", "html.entities", "importlib.metadata", "importlib.resources", "mmap", "numbers",
    "pickle", "platform", "queue", "secrets", "sysconfig", "typing_extensions", "unicodedata",
    "uuid", "zipfile", "zoneinfo",
)  # fmt: skip


def warm_up() -> threading.Thread:
    """Start loading what the first batch needs (DuckDB, pyarrow, the gazetteer and the lookups
    built from it) on a background thread, to overlap Prefect's import and flow-run start on the
    other core; the thread, already started. Call before importing Prefect."""
    for name in _SHARED_MODULES:
        importlib.import_module(name)
    thread = threading.Thread(target=_warm, name="wirehouse-warm-up", daemon=True)
    thread.start()
    return thread


def _warm() -> None:
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401

        from gazetteer import load_gazetteer
        from transforms.pipeline import prepare_lookups

        prepare_lookups(load_gazetteer())
    except Exception:  # noqa: BLE001 - the run loads all of it again and reports any error
        pass


def choose_server(port: int = DEFAULT_PORT) -> str:
    """Point Prefect (imported, not yet running a flow) at the server this run reports to: its
    PREFECT_API_URL setting, else one answering on 127.0.0.1:port; the line saying which, or
    that Prefect will start its temporary server."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import get_current_settings

    # Prefect's own settings, not just the environment: a profile can set the URL too.
    configured = get_current_settings().api.url
    found = find_server(configured, port)
    if found is None:
        return NO_SERVER.format(port=port)
    api_url, line = found
    if api_url != configured:
        # The environment, so Dask workers and Prefect's own threads see it too; Prefect read
        # its settings at import, hence the refresh.
        os.environ["PREFECT_API_URL"] = api_url
        refresh_global_settings_context()
    return line


class PrefectNotes(logging.Filter):
    """Lets through every record but what Prefect itself logs below WARNING (task states, run
    links, the temporary server starting and stopping) and its background services' notes on
    what they still have to send at exit."""

    def __init__(self, package_dir: str) -> None:
        super().__init__()
        self.package_dir = os.path.join(package_dir, "")

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.pathname.startswith(self.package_dir):
            return True  # the flow's own lines: discover, plan, progress, rejected files
        services = record.name in ("APILogWorker", "EventsWorker")
        return record.levelno >= logging.WARNING and not services


def quiet_prefect_console() -> None:
    """Keep Prefect's own notes off the terminal (the server still gets them all): add
    PrefectNotes to the console handlers Prefect's logging set-up installed."""
    import prefect

    notes = PrefectNotes(os.path.dirname(prefect.__file__))
    loggers = [logging.getLogger()]
    loggers += [
        item
        for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and type(handler).__module__.startswith(
                "prefect."
            ):
                handler.addFilter(notes)


@contextmanager
def heartbeats_as_configured() -> Iterator[None]:
    """Within: the flow run sends Prefect's heartbeats only if PREFECT_FLOWS_HEARTBEAT_FREQUENCY
    is set (environment or profile).

    Heartbeats let a zombie-run automation mark a run killed with SIGKILL as crashed. Prefect
    sends them by default, from a thread that sleeps a second at a time and that the end of
    every flow run waits for: up to a second added to each run.
    """
    from prefect.context import SettingsContext, get_settings_context

    current = get_settings_context()
    flows = current.settings.flows
    if "heartbeat_frequency" in flows.model_fields_set:
        yield
        return
    # A copy, not prefect.settings.temporary_settings: that validates every setting anew,
    # a tenth of a second.
    settings = current.settings.model_copy(
        update={"flows": flows.model_copy(update={"heartbeat_frequency": None})}
    )
    with SettingsContext(profile=current.profile, settings=settings):
        yield


@contextmanager
def prefect_for_run(
    *, verbose: bool = False, quiet: bool = False, port: int = DEFAULT_PORT
) -> Iterator[None]:
    """Within: Prefect (imported, no flow run yet) reports to the server choose_server picks,
    which one line on standard error names (unless quiet); keeps its own notes off the
    terminal for the rest of the process unless verbose; and sends heartbeats only if they
    are configured."""
    line = choose_server(port)
    if not quiet:
        print(line, file=sys.stderr)
    if not verbose:
        quiet_prefect_console()
    with heartbeats_as_configured():
        yield
