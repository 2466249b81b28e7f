"""Nothing left running: what a wirehouse command starts ends when the command ends.

Two ways of ending, two mechanisms:

* SIGTERM, SIGHUP and Ctrl-C (SIGINT) raise `Terminated`, a KeyboardInterrupt, in the main
  thread (`guard`), so finally blocks, context managers and atexit hooks run: Prefect stops
  its temporary server from an atexit hook, the Dask task runner closes its local cluster
  when the flow ends, `serve` stops the server it started. While a flow runs, Prefect's own
  SIGTERM handler is in place; it marks the run crashed, puts ours back and sends the signal
  again. A handler's exception can be lost (DuckDB turns one raised mid-query into
  RuntimeError("Query interrupted"), and the load task retries), so a thread that hears every
  signal through the wakeup fd sends it again every REMIND_SECONDS until the command is out
  of `guard`. The exit status says how it ended: 128 + the signal (143 SIGTERM, 130 Ctrl-C).

* SIGKILL runs no code in the process that dies, so a watchdog outside it cleans up: a small
  stdlib-only Python process started with the command, waiting on a pidfd of it. Inside
  `guard` the environment carries a marker, WIREHOUSE_STARTED_BY=<pid>:<random>, which every
  child inherits (Prefect gives its uvicorn server a copy of os.environ, Dask spawns its
  workers with it, `serve` copies it for `prefect server start`, Prefect's runner for each
  flow run). Once the command's process is gone, however it ended, the watchdog sends SIGTERM
  to every process whose /proc/PID/environ (the environment it was started with) holds the
  marker, and SIGKILL to any still there after GRACE_SECONDS.

Why not PR_SET_PDEATHSIG: it must be set in each child between fork and exec (a preexec_fn
on every Popen, in every process that starts one, Dask workers included: each starts a
temporary Prefect server of its own), which means patching subprocess, is unsafe with
threads, and it fires when the *thread* that started the child ends, not the process: in a
Dask worker that is the thread that ran the first task. Why not the process tree or group:
once the parent dies its children are re-parented, so the tree no longer says who started
them, and the process group is shared with the rest of a shell pipeline (`wirehouse run |
tee log`) or with whatever started wirehouse, so killing it would hit bystanders. A process
that clears its environment escapes the marker; nothing wirehouse starts does. Without
/proc (macOS) there is no watchdog, only the signal handling.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

MARKER = "WIREHOUSE_STARTED_BY"
SETTLE_SECONDS = 1.0  # for what ends by itself with its parent
GRACE_SECONDS = 5.0  # what Prefect itself gives its temporary server to stop
REMIND_SECONDS = 3.0
SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)

_watchdog: subprocess.Popen[bytes] | None = None
_token: str | None = None
_owner_pid: int | None = None  # a forked child must start its own watchdog
_ended = threading.Event()  # set when guard() is left
_quiet = threading.Event()  # set by shutting_down(): no more reminders


class Terminated(KeyboardInterrupt):
    """SIGTERM, SIGHUP or SIGINT, raised where the main thread was: everything unwinds as on Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """The shell's convention for death by this signal: 128 + its number."""
        return 128 + self.signum


def _raise_terminated(signum: int, frame: object) -> None:
    if not _ended.is_set():  # else a reminder that crossed the end of guard()
        raise Terminated(signum)


def _remind(wakeup: int) -> None:
    """Send a termination signal again every REMIND_SECONDS until the command has ended."""
    # The handler's exception can be swallowed: DuckDB turns one raised during a query into
    # RuntimeError("Query interrupted"), which the load task then retries, and while a flow
    # runs the handler is Prefect's, whose exception meets the same fate. The wakeup fd
    # hears every signal whoever's handler is installed: its bytes are signal numbers.
    first: int | None = None
    while True:
        ready, _, _ = select.select([wakeup], [], [], None if first is None else REMIND_SECONDS)
        if ready:
            received = os.read(wakeup, 512)
            if 0 in received or _ended.is_set() or _quiet.is_set():
                return
            if first is None:
                first = next((n for n in received if n in SIGNALS), None)
        elif _ended.is_set() or _quiet.is_set():
            return
        else:
            os.kill(os.getpid(), first)


def shutting_down() -> None:
    """Say the process is stopping as asked (e.g. serve after Prefect's runner returned), so
    a termination signal is not sent again to hurry it."""
    _quiet.set()


def with_token(current: str | None, token: str) -> str:
    """The marker's value with token added; a nested wirehouse keeps its starters' tokens."""
    tokens = (current or "").split()
    return " ".join(tokens if token in tokens else [*tokens, token])


def carries(environ: bytes, token: str) -> bool:
    """True when an environment as /proc/PID/environ gives it (NUL-separated) holds token."""
    prefix = f"{MARKER}=".encode()
    for entry in environ.split(b"\0"):
        if entry.startswith(prefix):
            return token.encode() in entry[len(prefix) :].split()
    return False


def _start_watchdog() -> str | None:
    """Start this process's watchdog once; returns its token, or None where there is none."""
    global _watchdog, _token, _owner_pid
    if _owner_pid == os.getpid() and _watchdog is not None and _watchdog.poll() is None:
        return _token
    if not sys.platform.startswith("linux") or not sys.executable:
        return None
    token = f"{os.getpid()}:{os.urandom(6).hex()}"
    try:
        _watchdog = subprocess.Popen(
            # -I -S: only the standard library, whatever PYTHONPATH or the venv hold.
            [sys.executable, "-I", "-S", __file__, str(os.getpid()), token, str(GRACE_SECONDS)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
    except OSError as exc:
        print(
            f"wirehouse: could not start the watchdog ({exc}); if this process is killed"
            " with SIGKILL, what it started may be left running",
            file=sys.stderr,
        )
        return None
    _token, _owner_pid = token, os.getpid()
    return token


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Within: SIGTERM, SIGHUP and SIGINT raise Terminated, and every process started carries
    the marker, so the watchdog stops it once this process ends, even by SIGKILL."""
    token = _start_watchdog()
    before = os.environ.get(MARKER)
    if token is not None:
        os.environ[MARKER] = with_token(before, token)
    handlers = {}
    for signum in SIGNALS:
        try:
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue  # e.g. SIGHUP under nohup: whoever ignored it meant it
            handlers[signum] = signal.signal(signum, _raise_terminated)
        except ValueError:
            break  # not the main thread: signals are not ours to handle
    _ended.clear()
    _quiet.clear()
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    reminder = None
    if handlers:
        earlier = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        if earlier == -1:
            reminder = threading.Thread(target=_remind, args=(read_fd,), daemon=True)
            reminder.start()
        else:  # an event loop in this thread listens already: leave it its wakeup fd
            signal.set_wakeup_fd(earlier)
    try:
        yield
    finally:
        _ended.set()
        if reminder is not None:
            os.write(write_fd, b"\0")
            reminder.join()
            signal.set_wakeup_fd(-1)
        os.close(read_fd)
        os.close(write_fd)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if before is None:
            os.environ.pop(MARKER, None)
        else:
            os.environ[MARKER] = before


# The watchdog: run as `python -I -S lifetime.py PARENT_PID TOKEN GRACE`, standard library only.


def _wait_for_death(parent: int) -> None:
    try:
        pidfd = os.pidfd_open(parent)
    except (AttributeError, OSError):
        pidfd = None
    # Checked after pidfd_open: if the parent had already gone, its pid may be another's now.
    if os.getppid() != parent:
        return
    if pidfd is not None:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        while not poller.poll():
            pass
        return
    while os.getppid() == parent:  # kernels before 5.3: notice the re-parenting instead
        time.sleep(0.5)


def _marked(token: str) -> dict[int, int | None]:
    """The processes carrying token: pid -> a pidfd of it (None where there are no pidfds)."""
    found: dict[int, int | None] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        pid = int(name)
        # Opened before the environment is read, so a signal sent through it cannot reach
        # another process that took the pid over in between.
        try:
            pidfd: int | None = os.pidfd_open(pid)
        except AttributeError:
            pidfd = None
        except OSError:
            continue  # gone
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environ = handle.read()  # a zombie's reads empty: exited is exited
        except OSError:
            environ = b""  # gone, or another user's
        if carries(environ, token):
            found[pid] = pidfd
        elif pidfd is not None:
            os.close(pidfd)
    return found


def _describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = [word for word in handle.read().split(b"\0") if word]
    except OSError:
        return str(pid)
    return f"{pid} ({b' '.join(words[:4]).decode(errors='replace')[:80]})"


def _close_all(marked: dict[int, int | None]) -> None:
    for pidfd in marked.values():
        if pidfd is not None:
            os.close(pidfd)


def _stop_marked(token: str, settle: float, grace: float) -> list[str]:
    """Give the processes carrying token settle seconds to end by themselves, then SIGTERM
    each once and SIGKILL any left after grace; returns those that had to be stopped."""
    settled = time.monotonic() + settle
    while (marked := _marked(token)) and time.monotonic() < settled:
        # Dask's workers and multiprocessing's resource tracker end with their parent.
        _close_all(marked)
        time.sleep(0.1)
    stopped: dict[int, str] = {}
    deadline = time.monotonic() + grace
    while marked and time.monotonic() < deadline + grace:  # past that: unkillable (D state)
        late = time.monotonic() >= deadline
        for pid, pidfd in marked.items():
            if late or pid not in stopped:
                stopped.setdefault(pid, _describe(pid))
                how = signal.SIGKILL if late else signal.SIGTERM
                try:
                    if pidfd is None:
                        os.kill(pid, how)
                    else:
                        signal.pidfd_send_signal(pidfd, how)
                except OSError:
                    pass  # exited meanwhile
        _close_all(marked)
        time.sleep(0.1)
        marked = _marked(token)
    _close_all(marked)
    return list(stopped.values())


def _watch(argv: list[str]) -> int:
    parent, token, grace = int(argv[0]), argv[1], float(argv[2])
    # Ctrl-C and a closed terminal reach the whole process group; the watchdog stays for
    # the cleanup after them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    _wait_for_death(parent)
    stopped = _stop_marked(token, SETTLE_SECONDS, grace)
    if stopped:
        with contextlib.suppress(OSError):  # nobody may be reading stderr any more
            print(
                f"wirehouse: process {parent} ended; stopped what it had started:"
                f" {', '.join(stopped)}",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    sys.exit(_watch(sys.argv[1:]))
