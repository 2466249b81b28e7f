"""Write a benchmark's figures into its section of docs/benchmarks.md.

Each benchmark owns one section of the doc, between `<!-- bench:NAME -->` and
`<!-- /bench:NAME -->`. A script given `--record` replaces that section with what it printed,
the exact command line, the commit it ran at and the machine, so every figure in the doc stands
beside the command and the commit that produced it. Ordinary runs and tests never touch the doc.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DOC = REPO_ROOT / "docs" / "benchmarks.md"


def command_line(script: str, argv: Sequence[str]) -> str:
    """The command as typed from the repository root: this interpreter, the script, its arguments."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):  # an interpreter outside the checkout keeps its path
        python = python.relative_to(REPO_ROOT)
    return shlex.join([str(python), script, *argv])


def commit() -> str:
    """The short commit of HEAD, with a note when tracked files differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    # Untracked files (data/, scratch notes) do not change what ran; tracked edits do.
    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"{head} + uncommitted changes" if changed else head


def machine() -> str:
    """Cores, CPU model, RAM, Python and the load average when the benchmark started."""
    cores = os.cpu_count() or 1
    model = ""
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = f" ({found.group(1).strip()})" if found else ""
    ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{cores} cores{model}, {ram_gib:.1f} GiB RAM, Python {platform.python_version()},"
        f" {platform.system()}; load average {load} (1, 5, 15 min) at the start"
    )


def section(figures: str, command: str, commit_id: str, machine_line: str) -> str:
    """The body of one benchmark's section: provenance lines, then the figures verbatim."""
    return (
        f"Command: `{command}`  \n"
        f"Commit: `{commit_id}`  \n"
        f"Machine: {machine_line}\n"
        "\n"
        "```text\n"
        f"{figures.strip()}\n"
        "```\n"
    )


def replace_section(doc: str, name: str, body: str) -> str:
    """doc with the text between the markers of section name replaced by body."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if len(pattern.findall(doc)) != 1:
        raise ValueError(
            f"expected one '{start}' ... '{end}' pair in the doc;"
            " add the markers where the section belongs, then record again"
        )
    return pattern.sub(lambda _: f"{start}\n{body}{end}", doc)


def record(name: str, figures: str, command: str, machine_line: str, doc: Path = DOC) -> None:
    """Replace section name of doc with figures, command, the current commit and machine_line."""
    body = section(figures, command, commit(), machine_line)
    try:
        text = replace_section(doc.read_text(encoding="utf-8"), name, body)
    except ValueError as error:
        raise ValueError(f"{doc}: {error}") from None
    doc.write_text(text, encoding="utf-8")
    print(f"(recorded in {doc}, section {name})", file=sys.stderr)


class _Tee(io.TextIOBase):
    """A text stream that writes to stream and keeps a copy."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


@contextlib.contextmanager
def captured_stdout() -> Iterator[io.StringIO]:
    """Yield a buffer that collects everything printed to stdout, which is still printed."""
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield tee.copy


def without_command_line(printed: str) -> str:
    """printed without the line where a script echoes its own command: the section states it."""
    lines = printed.strip().splitlines()
    return "\n".join(line for line in lines if not line.lower().startswith("command:")).strip()


def run_and_record(
    name: str,
    script: str,
    argv: Sequence[str],
    run: Callable[[], int],
    keep: Callable[[str], str] = without_command_line,
    doc: Path = DOC,
) -> int:
    """run's exit code; when it is 0, keep(what run printed) is recorded as section name."""
    command = command_line(script, argv)
    machine_line = machine()  # the load average before the benchmark adds its own
    with captured_stdout() as printed:
        code = run()
    if code == 0:
        record(name, keep(printed.getvalue()), command, machine_line, doc)
    else:
        print(f"(not recorded: the benchmark exited {code})", file=sys.stderr)
    return code


def record_main(
    name: str,
    script: str,
    argv: Sequence[str] | None,
    main: Callable[[list[str]], int],
    keep: Callable[[str], str] = without_command_line,
    doc: Path = DOC,
) -> int:
    """A script's `--record` run: main run on the same arguments without --record, its output
    recorded as section name (argv None: the process's own arguments)."""
    given = list(sys.argv[1:] if argv is None else argv)
    plain = [arg for arg in given if arg != "--record"]
    return run_and_record(name, script, given, lambda: main(plain), keep=keep, doc=doc)
