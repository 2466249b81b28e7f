"""The one settings object, built at the entry point and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = Path("warehouse/news.duckdb")
FORMATS = ("auto", "kyodo", "plain", "jsonl")


def default_workers() -> int:
    """Batches read and transformed at once by default: one per core.

    Measured on 2 cores, one worker was 5-6% faster than two (polars already spreads a
    batch's transform over both cores and the loader wants one), but it lowered the 100,000-
    article peak RSS more than the 1,000,000-article one, whose discovery and ledger frames
    weigh ~150-250 MiB more: peaks differed by +24% to +31% over three runs with one worker,
    +17% with two, against the 30% the scale target allows. So one per core, as before.
    """
    return os.cpu_count() or 2


@dataclass(frozen=True)
class Settings:
    """Everything a run needs; environment variables only fill the defaults."""

    input_dir: Path = Path("samples/articles")
    db_path: Path = DEFAULT_DB
    export_dir: Path | None = None
    reference_date: date | None = None
    input_format: str = "auto"
    max_file_bytes: int = 20 * 1024 * 1024
    batch_size: int = 10_000
    include_dateline_mentions: bool = False
    workers: int = field(default_factory=default_workers)
    dask_address: str | None = None
    dask_local_workers: int = 0
    lock_wait_seconds: float = 600.0
    # How long a run keeps the warehouse open for writing before it checkpoints and lets
    # readers in (warehouse/db.py HeldConnection); 0 gives it up after every batch.
    write_hold_seconds: float = 5.0
    export_force: bool = False
    if_running: str = "wait"  # wait | fail: what a run does while another run holds the warehouse
    prune_missing: bool = False  # remove the rows of files no longer under input_dir
    progress: str = "log"  # bar (a terminal) | log (plain lines, CI) | off (--quiet)
    crash_at: str | None = None  # test hook, e.g. "load:2": SIGKILL this process there
    strict: bool = False
    patterns: tuple[str, ...] = field(default=("*.txt", "*.jsonl", "*.ndjson", "*.json"))

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with the non-None changes applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Defaults, overridden by WIREHOUSE_* variables where set."""
        env = os.environ if env is None else env
        base = cls()
        changes: dict[str, object] = {}
        if "WIREHOUSE_INPUT" in env:
            changes["input_dir"] = Path(env["WIREHOUSE_INPUT"])
        if "WIREHOUSE_DB" in env:
            changes["db_path"] = Path(env["WIREHOUSE_DB"])
        if "WIREHOUSE_MAX_FILE_MB" in env:
            changes["max_file_bytes"] = int(float(env["WIREHOUSE_MAX_FILE_MB"]) * 1024 * 1024)
        if "WIREHOUSE_CRASH_AT" in env:
            changes["crash_at"] = env["WIREHOUSE_CRASH_AT"]
        if "WIREHOUSE_DASK_ADDRESS" in env:
            changes["dask_address"] = env["WIREHOUSE_DASK_ADDRESS"]
        return base.with_overrides(**changes)
