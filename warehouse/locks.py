"""One writer at a time: an advisory lock file beside the warehouse, held for a whole run."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse and the caller asked not to wait."""


def lock_path(db_path: Path) -> Path:
    """The lock file of a warehouse file."""
    return db_path.with_name(db_path.name + ".run.lock")


def _busy_message(db_path: Path, handle: TextIO) -> str:
    handle.seek(0)
    holder = handle.read(200).strip() or "another process"
    return f"{db_path}: another wirehouse run is loading ({holder})"


def _busy(message: str) -> WarehouseBusy:
    return WarehouseBusy(f"{message}; try again later, or pass --if-running wait to wait for it")


def ensure_free(db_path: Path) -> None:
    """Raise WarehouseBusy if a run holds the warehouse's lock now (without taking it for long).

    Lets `--if-running fail` answer before Prefect starts; the run still takes the lock itself.
    """
    try:
        with open(lock_path(db_path)) as handle:  # flock needs no write access
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _busy(_busy_message(db_path, handle)) from None
            fcntl.flock(handle, fcntl.LOCK_UN)
    except FileNotFoundError:
        return  # no run ever locked this warehouse


@contextmanager
def run_lock(
    db_path: Path,
    *,
    wait: bool = True,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's run lock; wait for it (saying so) or raise WarehouseBusy.

    flock is released by the kernel when the holder dies, even by SIGKILL, so a
    crashed run never leaves the warehouse locked.
    """
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = _busy_message(db_path, handle)
            if not wait:
                raise _busy(message) from None
            if on_wait:
                on_wait(f"{message}; waiting for it to finish")
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise WarehouseBusy(f"{message}; gave up after {timeout:.0f}s") from None
                    time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
