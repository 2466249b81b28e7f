"""Nothing left running: what `wirehouse run` starts ends with it, on SIGTERM and on SIGKILL."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil  # installed with distributed (prefect-dask); not a dependency of its own
import pytest

from tests.conftest import REPO_ROOT, SAMPLES
from warehouse.locks import run_lock
from wirehouse import lifetime

MARKER = lifetime.MARKER


def test_a_nested_wirehouse_adds_its_token_to_the_ones_it_inherited() -> None:
    assert lifetime.with_token(None, "1:aa") == "1:aa"
    assert lifetime.with_token("", "1:aa") == "1:aa"
    assert lifetime.with_token("1:aa", "2:bb") == "1:aa 2:bb"
    assert lifetime.with_token("1:aa 2:bb", "1:aa") == "1:aa 2:bb"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (f"PATH=/bin\0{MARKER}=1:aa 2:bb\0HOME=/h\0".encode(), True),
        (f"{MARKER}=2:bb\0".encode(), True),
        (f"{MARKER}=1:aa\0".encode(), False),  # another wirehouse's
        (f"{MARKER}=2:bbb\0".encode(), False),  # a token is matched whole
        (b"OTHER=2:bb\0", False),  # only the marker counts
        (f"X{MARKER}=2:bb\0".encode(), False),
        (b"", False),  # what a zombie's /proc/PID/environ reads
    ],
)
def test_carries_finds_the_token_only_in_the_marker(environ: bytes, expected: bool) -> None:
    assert lifetime.carries(environ, "2:bb") is expected


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_terminated_unwinds_like_ctrl_c_and_exits_128_plus_the_signal(
    signum: int, status: int
) -> None:
    stop = lifetime.Terminated(signum)
    assert isinstance(stop, KeyboardInterrupt)
    assert stop.exit_status == status


def test_guard_raises_sigterm_where_the_main_thread_is_and_restores_what_it_changed() -> None:
    handler = signal.getsignal(signal.SIGTERM)
    marker = os.environ.get(MARKER)
    with pytest.raises(lifetime.Terminated) as stopped, lifetime.guard():
        assert os.environ[MARKER].split()[-1].startswith(f"{os.getpid()}:")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # interrupted at once
    assert stopped.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is handler
    assert os.environ.get(MARKER) == marker


class Foreign(BaseException):
    """What another handler raises, as Prefect's TerminationSignal while a flow runs."""


def _foreign(signum: int, frame: object) -> None:
    raise Foreign


@pytest.mark.parametrize("handler", ["ours", "prefect's"])
def test_a_swallowed_termination_signal_is_sent_again_until_the_command_stops(
    monkeypatch: pytest.MonkeyPatch, handler: str
) -> None:
    monkeypatch.setattr(lifetime, "REMIND_SECONDS", 0.5)
    expected = lifetime.Terminated if handler == "ours" else Foreign
    started = time.monotonic()
    with pytest.raises(expected), lifetime.guard():
        if handler != "ours":
            signal.signal(signal.SIGTERM, _foreign)  # the guard restores the original
        threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGTERM)).start()
        # DuckDB turns the handler's exception into RuntimeError("Query interrupted"),
        # which Prefect's load task then retries: the exception is lost.
        with contextlib.suppress(expected):
            time.sleep(3)
        time.sleep(3)  # the retry delay, where the signal sent again lands
    assert time.monotonic() - started < 1.5


def test_after_shutting_down_a_swallowed_signal_is_not_sent_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lifetime, "REMIND_SECONDS", 0.2)
    with lifetime.guard():
        lifetime.shutting_down()  # as serve does once Prefect's runner has returned
        threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGTERM)).start()
        with contextlib.suppress(lifetime.Terminated):
            time.sleep(3)
        try:
            time.sleep(1)  # serve stopping its server: not to be interrupted
        except lifetime.Terminated:  # a KeyboardInterrupt: pytest would stop the session
            pytest.fail("the signal was sent again after shutting_down()")


def _started_with(home: Path) -> list[psutil.Process]:
    """The live processes whose environment names this PREFECT_HOME: everything a run started."""
    needle = f"PREFECT_HOME={home}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    found.append(psutil.Process(int(name)))
        except (OSError, psutil.Error):
            continue
    return found


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.Error:
            pass
    return alive


def _cmdline(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _leftovers(started: list[psutil.Process], home: Path, seconds: float) -> list[str]:
    """What is still running after up to seconds; those are then killed, to leave none."""
    deadline = time.monotonic() + seconds
    while True:
        left = {p.pid: p for p in _alive(started) + _started_with(home)}
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    described = [f"{pid}: {_cmdline(p)}" for pid, p in left.items()]
    for process in left.values():
        with contextlib.suppress(psutil.Error):
            process.kill()
    return described


@pytest.mark.slow
def test_the_watchdog_stops_children_and_grandchildren_of_a_process_killed_with_sigkill(
    tmp_path: Path,
) -> None:
    script = textwrap.dedent(
        """
        import subprocess, sys, time
        from wirehouse import lifetime

        lifetime.GRACE_SECONDS = 1.0
        with lifetime.guard():
            children = [
                subprocess.Popen(["sleep", "300"]),
                # re-parented at once: its parent shell exits
                subprocess.Popen(["sh", "-c", "sleep 300 & echo $!"], stdout=subprocess.PIPE),
                # needs the SIGKILL after the grace period
                subprocess.Popen([sys.executable, "-c", "import signal, time;"
                                  " signal.signal(signal.SIGTERM, signal.SIG_IGN);"
                                  " print(flush=True); time.sleep(300)"],
                                 stdout=subprocess.PIPE),
            ]
            grandchild = children[1].stdout.readline().strip().decode()
            children[2].stdout.readline()
            print(*(c.pid for c in children), grandchild, flush=True)
            time.sleep(300)
        """
    )
    with (tmp_path / "stderr.txt").open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    pids = [int(pid) for pid in process.stdout.readline().split()]
    assert len(pids) == 4, (tmp_path / "stderr.txt").read_text()
    started = [psutil.Process(pid) for pid in pids]
    process.kill()
    process.wait(timeout=10)
    process.stdout.close()
    deadline = time.monotonic() + 8
    while _alive(started) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [f"{p.pid}: {_cmdline(p)}" for p in _alive(started)]
    for leftover in _alive(started):
        leftover.kill()
    assert left == []
    # The watchdog says what it stopped, once it is all gone.
    deadline = time.monotonic() + 5
    while "stopped what it had started" not in (tmp_path / "stderr.txt").read_text():
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stop", "status"),
    [(signal.SIGTERM, 143), (signal.SIGKILL, -signal.SIGKILL)],
    ids=["sigterm", "sigkill"],
)
def test_a_stopped_run_leaves_no_prefect_server_or_other_process_behind(
    tmp_path: Path, stop: int, status: int
) -> None:
    source = tmp_path / "in"
    shutil.copytree(SAMPLES, source)
    db = tmp_path / "news.duckdb"
    home = tmp_path / "prefect"
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)  # so Prefect starts its temporary server
    log = tmp_path / "output.txt"
    # Holding the run lock parks the run inside its flow, its server up, until it is stopped.
    with run_lock(db), log.open("w") as output:
        run = subprocess.Popen(
            [sys.executable, "-m", "wirehouse.cli", "run", "--input", str(source),
             "--db", str(db), "--lock-wait", "300"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,  # a file, not a pipe: a server left behind would hold a pipe open
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        started: list[psutil.Process] = []
        try:
            deadline = time.monotonic() + 240
            while "waiting for it to finish" not in log.read_text():
                assert run.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            started = psutil.Process(run.pid).children(recursive=True)
            assert any("prefect.server.api.server:create_app" in _cmdline(p) for p in started), [
                _cmdline(p) for p in started
            ]
            run.send_signal(stop)
            run.wait(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
            left = _leftovers(started, home, seconds=15)
    assert left == [], log.read_text()
    assert run.returncode == status, log.read_text()
    if stop == signal.SIGTERM:
        # The clean way: Prefect marked the run crashed and stopped its own server.
        output = log.read_text()
        assert "wirehouse: stopped by SIGTERM" in output
        # Prefect's note that it stops its server stays off the terminal; that it did is seen
        # in the watchdog finding nothing left to stop.
        assert "stopped what it had started" not in output
