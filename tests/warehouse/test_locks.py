"""warehouse/locks.py: one run at a time holds the warehouse's lock file.

flock locks an open file, not a process, so a second run_lock in the same process (another
thread, or a nested call) contends with the first just as another process would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from warehouse.locks import WarehouseBusy, ensure_free, lock_path, run_lock

REPO_ROOT = Path(__file__).resolve().parents[2]

# Holds the lock of the warehouse named on the command line until killed.
HOLDER = """
import sys, time
from pathlib import Path
from warehouse.locks import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def take(db: Path, **options: Any) -> None:
    """Take the lock and give it straight back."""
    with run_lock(db, **options):
        pass


def contend(db: Path, within: float, **options: Any) -> Exception | None:
    """What taking the lock in another thread raised, failing if it is still waiting."""
    raised: list[Exception] = []

    def attempt() -> None:
        try:
            take(db, **options)
        except Exception as error:
            raised.append(error)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(within)
    assert not thread.is_alive(), f"still waiting for the lock after {within}s"
    return raised[0] if raised else None


def test_the_lock_file_sits_beside_the_warehouse_file() -> None:
    assert lock_path(Path("/data/news.duckdb")) == Path("/data/news.duckdb.run.lock")


def test_taking_the_lock_creates_the_warehouse_folder(tmp_path: Path) -> None:
    db = tmp_path / "not" / "yet" / "news.duckdb"
    with run_lock(db):
        assert (tmp_path / "not" / "yet" / "news.duckdb.run.lock").exists()


def test_the_lock_file_names_its_holder_while_held_and_is_emptied_after(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with run_lock(db):
        assert lock_path(db).read_text().startswith(f"pid {os.getpid()}, started ")
    assert lock_path(db).read_text() == ""


def test_a_second_run_that_must_not_wait_fails_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with run_lock(db):
        busy = contend(db, 2, wait=False)
    assert isinstance(busy, WarehouseBusy)
    message = str(busy)
    assert message.startswith(f"{db}: another wirehouse run is loading (pid {os.getpid()}, ")
    assert "--if-running wait" in message


def test_a_second_run_that_must_not_wait_is_not_told_to_wait(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    said: list[str] = []
    with run_lock(db):
        assert isinstance(contend(db, 2, wait=False, on_wait=said.append), WarehouseBusy)
    assert said == []


def test_a_waiting_run_gives_up_after_its_timeout(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    said: list[str] = []
    with run_lock(db):
        started = time.monotonic()
        busy = contend(db, 10, timeout=1, on_wait=said.append)
        waited = time.monotonic() - started
    assert isinstance(busy, WarehouseBusy)
    assert str(busy).endswith("; gave up after 1s")
    # The lock is retried every 0.2 s: it gives up within one retry of the timeout.
    assert 1 <= waited < 2
    assert len(said) == 1 and said[0].endswith("; waiting for it to finish")


def test_a_free_lock_is_taken_without_saying_it_waits(tmp_path: Path) -> None:
    said: list[str] = []
    take(tmp_path / "news.duckdb", on_wait=said.append)
    assert said == []


def test_a_waiting_run_says_so_and_takes_the_lock_once_the_holder_finishes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "news.duckdb"
    said: list[str] = []
    taken = threading.Event()

    def second_run() -> None:
        with run_lock(db, on_wait=said.append):
            taken.set()

    with run_lock(db):
        waiter = threading.Thread(target=second_run, daemon=True)
        waiter.start()
        deadline = time.monotonic() + 5
        while not said and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(said) == 1
        assert said[0].startswith(f"{db}: another wirehouse run is loading (pid {os.getpid()}, ")
        assert said[0].endswith("; waiting for it to finish")
        assert not taken.wait(0.5), "the second run took the lock while the first held it"
    assert taken.wait(5), "the second run never took the released lock"
    waiter.join(5)


def test_the_lock_is_released_when_the_run_raises(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with pytest.raises(ValueError, match="bad batch"), run_lock(db):
        raise ValueError("bad batch")
    assert lock_path(db).read_text() == "", "the failed run is still named as the holder"
    assert contend(db, 2, wait=False) is None


@pytest.mark.slow
def test_a_holder_in_another_process_blocks_until_it_is_killed(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        busy = contend(db, 2, wait=False)
        assert isinstance(busy, WarehouseBusy)
        assert f"(pid {holder.pid}, started " in str(busy)
    finally:
        holder.kill()  # SIGKILL: no finally block in the holder runs
        holder.wait(10)
    take(db, wait=False)


def test_ensure_free_raises_while_the_lock_is_held_and_leaves_it_held(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with run_lock(db):
        with pytest.raises(WarehouseBusy, match="--if-running wait") as busy:
            ensure_free(db)
        assert f"(pid {os.getpid()}, started " in str(busy.value)
        assert isinstance(contend(db, 2, wait=False), WarehouseBusy)


def test_ensure_free_passes_and_takes_nothing_when_no_run_holds_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"

    ensure_free(db)  # never locked: no lock file, and none made
    assert not lock_path(db).exists()
    take(db)
    ensure_free(db)  # locked once, released
    assert contend(db, 2, wait=False) is None
